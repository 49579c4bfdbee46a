"""Property-based: whatever a page file holds, the build succeeds or fails cleanly.

Hypothesis writes one to three page files (YAML-looking front matter made of real and
made-up field names with every kind of value, and bodies of Markdown, HTML and text) into
a small site and builds it in-process. The build must either succeed or raise BuildFailed
carrying SiteErrors; it must never raise anything else, and a failed build must leave the
last good output as it was. FUZZ_EXAMPLES sets the number of examples (2000 by default).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import leftovers, tree_hashes

import sitegen.pipeline
from sitegen.errors import BuildFailed, SiteError
from sitegen.kinds import COMMON, KINDS
from sitegen.pipeline import Options, build

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2000"))
FIELDS = sorted({*COMMON, *(k for kind in KINDS.values() for k in kind.fields)})
FOLDERS = ["causes", "treatments", "clinicians", "articles", "self-care", "", "Self Care"]

# --- front matter ----------------------------------------------------------------

words = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30),
)
plain = st.text("abcdefghij klmnop-_/.:#", min_size=0, max_size=20)
dates = st.one_of(
    st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)).map(str),
    st.tuples(st.integers(0, 9999), st.integers(0, 19), st.integers(0, 39)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"
    ),
)
scalars = st.one_of(
    words,
    plain,
    dates,
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True).map(repr),
    st.sampled_from(
        ["true", "no", "null", "~", "", "/", "/causes/", "/../../x/", "pat-lee", "nobody",
         "https://example.org/", "javascript:alert(1)", "page.html", "fancy.html", "[",
         "]", "{", "'", '"', "&a x", "*a", "!!python/object:os.system", "|", ">", "-", "? x",
         "2026-02-30", "03/01/26", ".inf", "0x1F", "1e400", "<script>x</script>"]
    ),
)  # fmt: skip


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


@st.composite
def yaml_value(draw, depth: int = 0) -> str:
    """The text after `key:`: a scalar, quoted or not, a flow list, or nested lines."""
    kind = draw(st.integers(0, 5 if depth < 3 else 1))
    if kind == 0:
        return " " + draw(scalars)
    if kind == 1:
        return " " + _quoted(draw(scalars))
    if kind == 2:
        items = draw(st.lists(scalars, max_size=4))
        return " [" + ", ".join(items) + "]"
    if kind == 3:
        items = draw(st.lists(yaml_value(depth + 1), min_size=1, max_size=3))
        pad = "  " * (depth + 1)
        return "".join(f"\n{pad}-{item}" for item in items)
    if kind == 4:
        keys = draw(st.lists(st.sampled_from(["title", "url", "publisher", "degree", "x"])))
        pad = "  " * (depth + 1)
        return "".join(f"\n{pad}{k}:{draw(yaml_value(depth + 1))}" for k in keys)
    return (
        " {" + ", ".join(f"{k}: {v}" for k, v in draw(st.dictionaries(plain, plain)).items()) + "}"
    )


keys = st.one_of(
    st.sampled_from(FIELDS),
    st.sampled_from(FIELDS),
    st.text("abcdefghijklmnopqrstuvwxyz_- ", min_size=1, max_size=12),
    st.sampled_from(["", "?", "<<", "- x", "#", "title ", "Title", "1", "null", "\ttitle"]),
)


good_values = {
    "summary": words.map(_quoted),
    "weight": st.integers(-5, 5).map(str),
    "draft": st.sampled_from(["false", "true"]),
    "date": st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)).map(str),
    "reviewed": st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)).map(str),
    "reviewed_by": st.just("pat-lee"),
    "related": st.just("[/causes/]"),
    "aliases": plain.map(lambda s: f"[/old-{''.join(c for c in s if c.isalnum()) or 'x'}/]"),
}


@st.composite
def good_front_matter(draw) -> str:
    """Front matter that is valid but for the values: the pages that get rendered."""
    lines = [f"title: {_quoted(draw(words) or 'A page')}", "description: Short."]
    for key in draw(st.lists(st.sampled_from(sorted(good_values)), unique=True)):
        lines.append(f"{key}: {draw(good_values[key])}")
    return "\n".join(lines)


@st.composite
def front_matter(draw) -> str:
    """YAML-looking lines: mostly `field: value`, with junk and the required fields often."""
    lines = []
    if draw(st.booleans()):
        lines += ["title: A page", "description: Short."]
    for key in draw(st.lists(keys, max_size=8)):
        lines.append(f"{key}:{draw(yaml_value())}")
    if draw(st.integers(0, 9)) == 0:
        lines.insert(draw(st.integers(0, len(lines))), draw(words))  # a stray line
    return "\n".join(lines)


# --- bodies ------------------------------------------------------------------------

FRAGMENTS = [
    "# Heading", "## What to expect", "- item", "  - nested", "1. first", "> quoted",
    "> [!URGENT] Call 911", "> [!TIP]", "[a link](kyphosis.md)", "[up](../index.md#x)",
    "[home](/)", "[self](#what-to-expect)", "![a spine](/images/curve.svg)", "![](x.png)",
    "<script>alert(1)</script>", "<div>", "</div>", "<a href=\"javascript:x\">x</a>",
    "<img src=x onerror=y>", "```", "    code", "| a | b |\n|---|---|\n| 1 | 2 |", "[^1]",
    "[^1]: note", "*emphasis*", "**strong", "&amp;", "&#0;", "<!-- comment", "{{ page }}",
    "{% raw %}", "\t", "\\", "---", "[x]: javascript:y", "<style>", "*" * 40, "[" * 20,
    "> " * 10 + "deep", "<p style=\"color:red\">x</p>", "https://example.org/",
]  # fmt: skip
bodies = (
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), words), min_size=0, max_size=12)
    .flatmap(lambda parts: st.just(parts) | st.permutations(parts))
    .flatmap(lambda parts: st.sampled_from(["\n", "\n\n", " "]).map(lambda sep: sep.join(parts)))
)

SAFE = [f for f in FRAGMENTS if "](" not in f and "[^1]" not in f and "[x]:" not in f]
safe_bodies = st.lists(
    st.one_of(st.sampled_from([*SAFE, "[home](/)", "![a spine](/images/curve.svg)"]), words),
    max_size=12,
).map("\n\n".join)


@st.composite
def page_file(draw) -> tuple[str, bytes]:
    """(path inside content/, the file's bytes)."""
    folder = draw(st.sampled_from(FOLDERS))
    name = draw(st.one_of(st.sampled_from(["a", "index", "kyphosis", "Über Uns", "x y"]), plain))
    rel = f"{folder}/{name}.md".lstrip("/")
    shape = draw(st.integers(0, 9))
    if shape == 0:
        data = draw(st.binary(max_size=200))
    elif shape == 1:
        data = draw(words).encode()
    else:
        closing = "---" if shape > 2 else draw(st.sampled_from(["", "--", "----", "... "]))
        fields = draw(good_front_matter() if shape > 5 else front_matter())
        body = draw(safe_bodies if shape > 5 else bodies)
        text = f"---\n{fields}\n{closing}\n{body}\n"
        if draw(st.integers(0, 9)) == 0:
            text = text.replace("\n", "\r\n")
        data = text.encode()
        if draw(st.integers(0, 9)) == 0:
            data = b"\xef\xbb\xbf" + data
    return rel, data


# --- the property ------------------------------------------------------------------


def assert_clean(error: SiteError) -> None:
    assert isinstance(error, SiteError)
    assert error.message and isinstance(error.message, str)
    assert isinstance(error.path, str)
    assert error.line is None or (isinstance(error.line, int) and error.line >= 1)
    assert "Traceback" not in str(error)


@pytest.fixture
def fast_tmp(tmp_path: Path) -> Iterator[Path]:
    """A folder in /dev/shm where there is one: each example writes and removes a whole
    site, and on some disks removing files is most of the time a build takes."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(prefix="sitegen-fuzz-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_any_page_file_builds_or_fails_cleanly(
    fast_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = fast_tmp / "site"
    shutil.copytree(FIXTURE, site)
    for extra in ("about.md", "articles", "causes/scoliosis.md"):  # fewer pages: more examples
        shutil.rmtree(site / "content" / extra, ignore_errors=True)
        (site / "content" / extra).unlink(missing_ok=True)
    monkeypatch.chdir(site)
    # Templates do not change during the run: compile them once, not once per example.
    cached = functools.cache(sitegen.pipeline.environment)
    monkeypatch.setattr(sitegen.pipeline, "environment", cached)
    options = Options(cache=None, workers=1, out=Path("_site"))
    build(options)
    stats = {"examples": 0, "built": 0, "failed": 0}
    reasons: Counter[str] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(page_file(), min_size=1, max_size=3, unique_by=lambda f: f[0].lower()))
    def one(files: list[tuple[str, bytes]]) -> None:
        stats["examples"] += 1
        written = []
        for rel, data in files:
            path = site / "content" / rel
            if path.exists():
                continue  # the fixture's own pages are kept as they are
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append(path)
        before = tree_hashes(site / "_site")
        try:
            build(options)
            stats["built"] += 1
        except BuildFailed as failed:
            stats["failed"] += 1
            assert failed.errors
            for error in failed.errors:
                assert_clean(error)
            reasons.update(re.sub(r"['\"(/].*", "", e.message)[:40] for e in failed.errors)
            assert tree_hashes(site / "_site") == before, "a failed build changes nothing"
        finally:
            for path in written:
                path.unlink()
            for folder in ("Self Care", "self-care"):
                shutil.rmtree(site / "content" / folder, ignore_errors=True)
        assert not leftovers(site)

    started = time.perf_counter()
    one()
    seconds = time.perf_counter() - started
    print(f"\nHypothesis: {stats['examples']} examples in {seconds:.0f} s: {stats}")
    print("most common errors:", reasons.most_common(12))
    assert stats["examples"] >= EXAMPLES
    assert stats["built"] and stats["failed"], "both outcomes were exercised"
