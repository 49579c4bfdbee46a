"""The results as Markdown tables: medians, peak memory, ratios, and the issue's targets."""

from __future__ import annotations

NAMES = {
    "ours": "ours",
    "ours+search": "ours + search",
    "hugo": "Hugo",
    "pelican": "Pelican",
    "mkdocs": "MkDocs",
}


def _s(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f} s" if value < 1 else f"{value:.2f} s"


def _mb(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} MB"


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def _r(value: float | None, target: float | None = None, strict: bool = False) -> str:
    """A ratio, marked against its target when it has one (strict: must be below it)."""
    if value is None:
        return "-"
    if target is None:
        return f"{value:.2f}x"
    met = value < target if strict else value <= target
    return f"{value:.2f}x {'✓' if met else '✗'}"


def markdown(results: dict) -> str:
    """Every table of a run, with the settings it was measured with."""
    meta = results["meta"]
    versions = ", ".join(f"{k} {v}" for k, v in meta["versions"].items())
    runs = ", ".join(f"{n}: {r}" for n, r in meta["runs"].items())
    lines = [
        f"# Benchmark, {meta['date']}",
        "",
        f"{meta['machine']}; Python {meta['python']}; engine {meta['engine']}; {versions}.",
        f"Runs per tool (pages: runs): {runs}; tools in turn; medians; output in "
        f"{meta['work']}; whole run {meta.get('seconds', 0):.0f} s.",
        "",
        *times_table(results),
        "",
        *ratio_table(results),
        "",
        *search_lines(results),
        *other_lines(results),
        *load_lines(results),
        *problem_lines(results),
    ]
    return "\n".join(lines) + "\n"


def times_table(results: dict) -> list[str]:
    lines = [
        "## Build time (median wall time, new process) and peak memory of the largest process",
        "",
        "CPU time (user + system, all processes of the build) is shown because it is less "
        "disturbed by other work on the machine than wall time; the targets are on wall time.",
        "",
        "| pages | tool | cold build | no-change rebuild | one-page edit | peak memory "
        "| CPU time: cold, no-change, edit | HTML files |",
        "|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for n, tools in results["sizes"].items():
        for name, d in tools.items():
            peak = max((d[f"{p}_peak_mb"] or 0 for p in ("cold", "nochange", "edit")), default=None)
            lines.append(
                f"| {int(n):,} | {NAMES[name]} | {_s(d['cold'])} | {_s(d['nochange'])} | "
                f"{_s(d['edit'])} | {_mb(peak or None)} | {_cpu(d)} | {d['pages'] or '-'} |"
            )
    return lines


def _cpu(d: dict) -> str:
    return ", ".join(_s(d.get(f"{phase}_cpu")) for phase in ("cold", "nochange", "edit"))


def ratios(tools: dict) -> dict[str, float | None]:
    """ours / peer for the figures the issue sets targets on."""
    ours = tools.get("ours", {})

    def of(name: str, key: str) -> float | None:
        return tools.get(name, {}).get(key)

    return {
        "cold/pelican": _ratio(ours.get("cold"), of("pelican", "cold")),
        "cold/mkdocs": _ratio(ours.get("cold"), of("mkdocs", "cold")),
        "cold/hugo": _ratio(ours.get("cold"), of("hugo", "cold")),
        "edit/hugo_cold": _ratio(ours.get("edit"), of("hugo", "cold")),
        "nochange/hugo_cold": _ratio(ours.get("nochange"), of("hugo", "cold")),
        "peak/pelican": _ratio(ours.get("cold_peak_mb"), of("pelican", "cold_peak_mb")),
        "peak/mkdocs": _ratio(ours.get("cold_peak_mb"), of("mkdocs", "cold_peak_mb")),
        "peak/hugo": _ratio(ours.get("cold_peak_mb"), of("hugo", "cold_peak_mb")),
    }


def ratio_table(results: dict) -> list[str]:
    lines = [
        "## Ratios, ours / peer (✓ meets the issue's target, ✗ misses it)",
        "",
        "| pages | cold / Pelican (≤ 0.5) | cold / MkDocs (≤ 0.5) | cold / Hugo (moonshot ≤ 2) "
        "| one-page edit / Hugo full build (≤ 0.5) | no-change / Hugo full | "
        "peak memory (cold) / Pelican, MkDocs, Hugo (at 5,000: < 1, < 1, ≤ 0.5) |",
        "|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n, tools in results["sizes"].items():
        r = ratios(tools)
        graded = int(n) >= 1000  # the issue sets the targets at 1,000 and 5,000 pages
        half = 0.5 if graded else None
        # At 5,000 pages: below Pelican's and MkDocs', and "far below" Hugo's (taken as half).
        limits = {"pelican": 1.0, "mkdocs": 1.0, "hugo": 0.5} if int(n) >= 5000 else {}
        memory = ", ".join(
            _r(r[f"peak/{p}"], limits.get(p), strict=True) for p in ("pelican", "mkdocs", "hugo")
        )
        lines.append(
            f"| {int(n):,} | {_r(r['cold/pelican'], half)} | {_r(r['cold/mkdocs'], half)} | "
            f"{_r(r['cold/hugo'], 2 if graded else None)} | {_r(r['edit/hugo_cold'], half)} | "
            f"{_r(r['nochange/hugo_cold'])} | {memory} |"
        )
    return lines


def _more(a: float | None, b: float | None) -> str:
    """How much longer a took than b, in seconds and as a share of b."""
    if a is None or b is None:
        return "-"
    share = f" (+{(a - b) / b:.0%})" if b else ""
    return f"{a - b:+.2f} s{share}"


def search_lines(results: dict) -> list[str]:
    """What the search index costs: ours with a search page minus ours without one."""
    lines = []
    for n, tools in results["sizes"].items():
        plain, search = tools.get("ours"), tools.get("ours+search")
        if not plain or not search:
            continue
        lines.append(
            f"- **Search index** at {int(n):,} pages: indexing adds "
            f"{_more(search['cold'], plain['cold'])} cold / "
            f"{_more(search['edit'], plain['edit'])} one-page edit / "
            f"{_more(search['nochange'], plain['nochange'])} no-change rebuild "
            f"(ours + search minus ours; each build in a new process indexes every page again)."
        )
    return lines


def other_lines(results: dict) -> list[str]:
    lines = []
    serve = results.get("serve")
    if serve:
        ms = ", ".join("timeout" if t is None else f"{t:.0f}" for t in serve["ms"])
        best = serve["median_ms"]
        verdict = "-" if best is None else ("✓" if best <= 50 else "✗")
        lines.append(
            f"- **serve** at {serve.get('pages', '?'):,} pages, save to served: median "
            f"{'-' if best is None else f'{best:.0f} ms'} (target ≤ 50 ms {verdict}); "
            f"each edit: {ms} ms."
        )
    shipped = results.get("shipped")
    if shipped and shipped.get("seconds") is not None:
        verdict = "✓" if shipped["seconds"] < 1 else "✗"
        lines.append(
            f"- **Shipped site** (content/ of this repository, {shipped['pages']} HTML files): "
            f"cold build with interpreter start, median {_s(shipped['seconds'])} of "
            f"{len(shipped['runs'])} (target well under 1 s {verdict}); "
            f"peak {_mb(shipped['peak_mb'])}."
        )
    return lines


def load_lines(results: dict) -> list[str]:
    """Warn when something else kept the machine busy: the figures are then noisier."""
    loads = results.get("load", {})
    text = "; ".join(f"{int(n):,} pages: {v[0]:.1f}" for n, v in loads.items())
    busy = [v[0] for v in loads.values() if v[0] > 1.0]
    note = " Other work was running: treat the figures as rough." if busy else ""
    return [f"- Load average (1 min) when each size began: {text}.{note}"] if text else []


def failures(results: dict) -> list[str]:
    """Every problem seen: failed or empty builds, stale pages, a silent server."""
    found = []
    for n, tools in results["sizes"].items():
        for name, d in tools.items():
            found += [f"{NAMES[name]} at {n} pages: {p}" for p in d["problems"]]
    for key in ("serve", "shipped"):
        if results.get(key) and results[key].get("problem"):
            found.append(f"{key}: {results[key]['problem']}")
    return found


def problem_lines(results: dict) -> list[str]:
    found = failures(results)
    if not found:
        return []
    return ["", "## Problems", "", *(f"- {p.splitlines()[0]}" for p in found)]
