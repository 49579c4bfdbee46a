#!/usr/bin/env python3
"""Benchmark this project's build against Hugo, Pelican and MkDocs (issue 7).

    python benchmarks/run.py                      # 100, 1,000 and 5,000 pages (`make bench`)
    python benchmarks/run.py --quick              # 100 and 1,000 pages, fewer runs
    python benchmarks/run.py --sizes 100 --runs 3 --tools ours,hugo

Everything is built in memory (/dev/shm), tools take turns (A B C D, A B C D ...), and the
medians go to benchmarks/results/latest.json and latest.md. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import corpus as corpus_mod
import report
import tools as tools_mod
from measure import Run, median, timed, wait_for

HERE = Path(__file__).resolve().parent
ALL_TOOLS = ("ours", "ours+search", "hugo", "pelican", "mkdocs")
RUNS = {100: 5, 1000: 5, 5000: 3}  # runs per size; the default run is ~25 minutes (ours twice)
SERVE_SIZE = 1000


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="100,1000,5000", help="pages per site (default: all three)")
    p.add_argument("--runs", help="runs per tool: one number, or one per size (default 5,5,3)")
    p.add_argument("--tools", default=",".join(ALL_TOOLS), help=f"default: {','.join(ALL_TOOLS)}")
    p.add_argument("--quick", action="store_true", help="100 and 1,000 pages, 2 runs each")
    p.add_argument("--seed", type=int, default=7, help="corpus seed (default 7)")
    p.add_argument("--serve-reps", type=int, default=7, help="edits timed under serve (default 7)")
    p.add_argument("--serve-at", type=int, default=SERVE_SIZE, help="pages for serve (1000)")
    p.add_argument("--shipped-runs", type=int, default=10, help="builds of the real site")
    p.add_argument("--engine", type=Path, default=HERE.parent, help="project with build.py")
    p.add_argument("--work", type=Path, default=_memory_dir(), help="scratch space (/dev/shm)")
    p.add_argument("--out", type=Path, default=HERE / "results", help="where results go")
    p.add_argument(
        "--from-json", type=Path, help="only print and save the tables of a results file"
    )
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.serve_reps, args.shipped_runs = "100,1000", 2, 3, 5
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    runs = [int(r) for r in str(args.runs).split(",")] if args.runs else []
    if len(runs) not in (0, 1, len(args.sizes)):
        p.error("--runs takes one number, or one per size")
    counts = runs if len(runs) > 1 else [runs[0] if runs else 0] * len(args.sizes)
    args.runs = {n: count or RUNS.get(n, 3) for n, count in zip(args.sizes, counts, strict=True)}
    args.tools = [t for t in args.tools.split(",") if t]
    unknown = set(args.tools) - set(ALL_TOOLS)
    if unknown:
        p.error(f"unknown tool(s): {', '.join(sorted(unknown))}; choose from {ALL_TOOLS}")
    args.engine = args.engine.resolve()
    args.work = args.work / f"sitegen-bench-{os.getpid()}"  # ours alone, removed at the end
    return args


def _memory_dir() -> Path:
    """/dev/shm when there is one, so output write-back to disk adds no noise."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else Path(tempfile.gettempdir())


def main(argv: list[str] | None = None) -> int:
    """Run every measurement, print the tables, save them; 1 if any build went wrong."""
    args = parse(argv)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # stop as Ctrl-C does
    if args.from_json:
        results = json.loads(args.from_json.read_text(encoding="utf-8"))
        table = report.markdown(results)
        print(table)
        (args.out / "latest.md").write_text(table, encoding="utf-8")
        return 0
    try:
        results = measure_all(args)
    except KeyboardInterrupt:
        say("stopped; nothing saved")
        return 130
    finally:
        shutil.rmtree(args.work, ignore_errors=True)
    table = report.markdown(results)
    print("\n" + table)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (args.out / "latest.md").write_text(table, encoding="utf-8")
    say(f"saved {args.out / 'latest.json'} and latest.md ({results['meta']['seconds']:.0f} s)")
    return 1 if report.failures(results) else 0


def measure_all(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    results: dict = {"meta": meta(args), "sizes": {}, "load": {}, "serve": None, "shipped": None}
    for n in args.sizes:
        results["sizes"][str(n)] = bench_size(args, n, results)
        say(f"-- {n} pages done, {time.perf_counter() - started:.0f} s so far")
    if "ours" in args.tools:
        results["shipped"] = shipped_site(args)
    results["meta"]["seconds"] = round(time.perf_counter() - started, 1)
    return results


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def meta(args: argparse.Namespace) -> dict:
    """What the figures depend on: machine, versions, settings."""
    commit = _git(args.engine, "rev-parse", "--short", "HEAD")
    dirty = bool(_git(args.engine, "status", "--porcelain", "--", "sitegen", "build.py"))
    return {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "python": platform.python_version(),
        "engine": f"{commit}{' + uncommitted changes' if dirty else ''}",
        "versions": tools_mod.versions(),
        "runs": {str(n): args.runs[n] for n in args.sizes},
        "seed": args.seed,
        "work": str(args.work),
    }


def _git(cwd: Path, *command: str) -> str:
    result = subprocess.run(["git", *command], cwd=cwd, capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else ""


# --- one size ------------------------------------------------------------------------


def setup(args: argparse.Namespace, n: int) -> tuple[corpus_mod.Corpus, list[tools_mod.Tool]]:
    """Generate the corpus and give every tool its copy, in a fresh folder."""
    root = args.work / f"n{n}"
    shutil.rmtree(root, ignore_errors=True)
    corpus = corpus_mod.generate(n, args.seed)
    made = []
    for name in args.tools:
        if name == "ours":
            made.append(tools_mod.ours(corpus, root, args.engine))
        elif name == "ours+search":
            made.append(tools_mod.ours_search(corpus, root, args.engine))
        else:
            made.append(tools_mod.SETUP[name](corpus, root))
    return corpus, made


def bench_size(args: argparse.Namespace, n: int, results: dict) -> dict:
    """Every tool, in turn, `runs` times: cold build, no-change rebuild, one-page edit."""
    corpus, tools = setup(args, n)
    runs = args.runs[n]
    results["load"][str(n)] = [round(x, 2) for x in os.getloadavg()]
    say(f"== {n} pages: {', '.join(t.name for t in tools)}; {runs} runs each")
    data = {t.name: {"cold": [], "nochange": [], "edit": [], "problems": []} for t in tools}
    for r in range(runs):
        for tool in tools[r % len(tools) :] + tools[: r % len(tools)]:  # rotate who goes first
            if not data[tool.name]["problems"]:
                cycle(tool, corpus, r, data[tool.name])
    summary = {name: summarise(d) for name, d in data.items()}
    if n == args.serve_at and "ours" in args.tools and not data["ours"]["problems"]:
        results["serve"] = serve_latency(args, next(t for t in tools if t.name == "ours"))
    return summary


def cycle(tool: tools_mod.Tool, corpus: corpus_mod.Corpus, r: int, into: dict) -> None:
    """One cold build, one rebuild with nothing changed, one after a one-page edit."""
    tool.clean()
    cold = _step(tool, tool.build, into, "cold")
    if cold is None:
        return
    into["pages"], n = tool.pages(), len(corpus.docs)
    missing = tool.missing(corpus)
    if missing:
        shown = ", ".join(missing[:5])
        into["problems"].append(f"{len(missing)} of {n} pages were not built, e.g. {shown}")
        return
    if _step(tool, tool.rebuild, into, "nochange") is None:
        return
    token = f"{tool.name.replace('+', '')}{n}r{r}"  # letters and digits (corpus.EDIT_MARK)
    corpus_mod.edit_body(tool.site / tool.edit_rel, token)
    if _step(tool, tool.rebuild, into, "edit") is None:
        return
    page = tool.out / tool.edit_out
    if not page.is_file() or f"Benchmark edit {token}." not in page.read_text("utf-8"):
        into["problems"].append(f"after the one-page edit, {tool.edit_out} still shows old text")
    say(f"   {tool.name:8} run {r + 1}: {_line(into)}")


def _step(tool: tools_mod.Tool, command: list[str], into: dict, phase: str) -> Run | None:
    run = timed(command, tool.site, tool.site.parent / f"{tool.name}.log")
    if run.status != 0:
        into["problems"].append(f"{phase} build failed (exit {run.status}):\n{run.log}")
        say(f"   {tool.name}: {phase} build FAILED (exit {run.status})\n{run.log[-1500:]}")
        return None
    into[phase].append(
        {
            "seconds": round(run.seconds, 4),
            "cpu_seconds": round(run.cpu_seconds, 3),
            "peak_mb": round(run.peak_mb, 1),
        }
    )
    return run


def _line(data: dict) -> str:
    return "  ".join(
        f"{phase} {data[phase][-1]['seconds']:.2f} s/{data[phase][-1]['peak_mb']:.0f} MB"
        for phase in ("cold", "nochange", "edit")
        if data[phase]
    )


def summarise(data: dict) -> dict:
    """Medians of each phase, and the largest peak memory seen."""
    out: dict = {"pages": data.get("pages"), "problems": data["problems"], "runs": {}}
    for phase in ("cold", "nochange", "edit"):
        runs = data[phase]
        out["runs"][phase] = runs
        out[phase] = median([x["seconds"] for x in runs])
        out[f"{phase}_cpu"] = median([x["cpu_seconds"] for x in runs])
        out[f"{phase}_peak_mb"] = max((x["peak_mb"] for x in runs), default=None)
    return out


# --- serve ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_latency(args: argparse.Namespace, tool: tools_mod.Tool) -> dict:
    """Under `build.py serve`: ms from saving one page's body to the new text being served."""
    port = free_port()
    out = tool.site.parent / "serve-out"
    command = [a if a != str(tool.out) else str(out) for a in tool.build]
    command[command.index("build")] = "serve"
    if "--cache" in command and "--cache" not in serve_options(args.engine):
        at = command.index("--cache")
        del command[at : at + 2]
    command += ["--port", str(port)]
    url = f"http://127.0.0.1:{port}/{tool.edit_out.removesuffix('index.html')}"
    say(f"== serve at {args.serve_at} pages: {args.serve_reps} edits of {tool.edit_rel}")
    log = open(tool.site.parent / "serve.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        command, cwd=tool.site, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        return _edit_and_poll(args, tool, server, url)
    finally:
        _stop(server)
        log.close()


def serve_options(engine: Path) -> set[str]:
    result = subprocess.run(
        [sys.executable, str(engine / "build.py"), "serve", "--help"],
        capture_output=True,
        text=True,
        cwd=engine,
    )
    return {w for w in result.stdout.split() if w.startswith("--")}


def _edit_and_poll(
    args: argparse.Namespace, tool: tools_mod.Tool, server: subprocess.Popen, url: str
) -> dict:
    first = wait_for(url, None, timeout=600, every=0.05)
    if first is None or server.poll() is not None:
        return {"problem": "the server never served the page", "ms": [], "median_ms": None}
    time.sleep(2.5)  # let the watcher record the files as they are before the first edit
    times: list[float | None] = []
    for i in range(args.serve_reps):
        token = f"serve{i}x{os.getpid()}"
        corpus_mod.edit_body(tool.site / tool.edit_rel, token)
        took = wait_for(url, f"Benchmark edit {token}.", timeout=120, every=0.005)
        times.append(None if took is None else round(took * 1000, 1))
        say(f"   edit {i + 1}: {'timed out' if took is None else f'{took * 1000:.0f} ms'}")
        time.sleep(1.0 + (i * 0.37) % 0.8)  # vary the phase against any polling interval
    done = [t for t in times if t is not None]
    return {
        "pages": args.serve_at,
        "ms": times,
        "median_ms": median(done),
        "first_build_s": round(first, 2),
        "problem": None if len(done) == len(times) else "some edits never appeared",
    }


def _stop(server: subprocess.Popen) -> None:
    """End the server we started (and any workers it started in its own session)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- the shipped site ----------------------------------------------------------------


def shipped_site(args: argparse.Namespace) -> dict:
    """`python build.py build` of the real content/, interpreter start included, no cache.

    It runs in a scratch folder with the project's folders named in full, so that a cache
    the engine keeps in its working folder lands there and can be removed between runs."""
    work = args.work / "shipped"
    work.mkdir(parents=True, exist_ok=True)
    engine = args.engine
    out, cache = work / "out", work / "cache"
    command = [sys.executable, str(engine / "build.py"), "build", "--out", str(out)]
    for name in ("content", "templates", "static"):
        command += [f"--{name}", str(engine / name)]
    if "--cache" in tools_mod.engine_options(engine):
        command += ["--cache", str(cache)]
    say(f"== shipped site: {args.shipped_runs} cold builds of {engine / 'content'}")
    runs: list[Run] = []
    for _ in range(args.shipped_runs):
        for path in (out, cache, work / ".cache"):
            shutil.rmtree(path, ignore_errors=True)
        run = timed(command, work, args.work / "shipped.log")
        if run.status != 0:
            return {"problem": f"build failed (exit {run.status}):\n{run.log}", "seconds": None}
        runs.append(run)
    if not runs:
        return {"problem": "not run (--shipped-runs 0)", "seconds": None}
    return {
        "seconds": median([r.seconds for r in runs]),
        "runs": [round(r.seconds, 4) for r in runs],
        "cpu_seconds": median([r.cpu_seconds for r in runs]),
        "peak_mb": max(r.peak_mb for r in runs),
        "pages": sum(1 for _ in out.rglob("*.html")),
        "problem": None,
    }


if __name__ == "__main__":
    raise SystemExit(main())
