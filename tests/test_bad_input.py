"""Bad input that cannot be a folder in tests/invalid/, and input that must be accepted.

Most invalid cases are folders in tests/invalid/ (see tests/test_invalid_sites.py). The ones
here need Python: symbolic links, named pipes, inputs whose size is the point (deep nesting,
big pages, alias bombs) and limits on time and memory. Each starts from a good build of the
fixture site, breaks one thing the way a staff member would, and checks the exact message,
exit status 1, that every file of the old output is byte-for-byte the same, that no file in
content/ was changed by the build, and that no temporary folder was left beside the output.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from support import leftovers, messages, tree_hashes

VALID = "---\ntitle: A page\ndescription: A short description.\n---\nSome text.\n"
PAGE = "content/causes/a.md"
NESTED = "  hint: use fewer levels of lists or quotes (at most 16)"
TOO_DEEP = "  hint: write each field as a plain `name: value` line, with lists at most a few deep"
OUTSIDE = "  hint: copy the file into content/ instead of linking to it"

Change = str | bytes | Callable[[Path], object]


def apply(site: Path, files: dict[str, Change]) -> None:
    """Write each file (text or bytes), or call a function with its path."""
    for rel, change in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if callable(change):
            change(path)
        elif isinstance(change, bytes):
            path.write_bytes(change)
        else:
            path.write_text(change, encoding="utf-8")


def append_to(text: str) -> Callable[[Path], object]:
    return lambda path: path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def billion_laughs(levels: int = 9) -> str:
    """The classic exponential alias bomb: 10**levels strings if expanded."""
    lines = ['lol0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, levels + 1):
        refs = ",".join([f"*lol{n - 1}"] * 10)
        lines.append(f"lol{n}: &lol{n} [{refs}]")
    return "\n".join(lines) + "\n"


# name -> (files to write, the exact lines printed before "build failed: ...").
# Generated inputs (the depth is the point) and symbolic links, which a folder cannot hold.
CASES: dict[str, tuple[dict[str, Change], list[str]]] = {
    "deeply nested list": (
        {PAGE: VALID + "".join("  " * depth + "- step\n" for depth in range(200))},
        ["content/causes/a.md:39: lists or quotes are nested too deeply", NESTED],
    ),
    "brackets nested 8,000 deep (Markdown would take minutes)": (
        {PAGE: VALID + "\n" + "[" * 8000 + "x\n"},
        [
            "content/causes/a.md:7: brackets [ ] are nested too deeply",
            "  hint: use at most a few [ ] inside each other; a link looks like [text](page.md)",
        ],
    ),
    "YAML brackets nested 20,000 deep (crashed libyaml)": (
        {
            PAGE: "---\ntitle: A\ndescription: B\nrelated: "
            + "[" * 20_000
            + "]" * 20_000
            + "\n---\nx\n"
        },
        ["content/causes/a.md:2: the front matter is nested too deeply", TOO_DEEP],
    ),
    "symbolic link to a file outside content/": (
        {"content/causes/linked.md": lambda p: p.symlink_to(p.parents[3] / "outside.md")},
        ["content/causes/linked.md: this is a link to a file outside content/", OUTSIDE],
    ),
    "symbolic link to a project file outside content/": (
        {"notes.md": VALID, "content/causes/notes.md": lambda p: p.symlink_to("../../notes.md")},
        ["content/causes/notes.md: this is a link to a file outside content/", OUTSIDE],
    ),
    "symbolic link to nothing": (
        {"content/causes/gone.md": lambda p: p.symlink_to("deleted.md")},
        [
            "content/causes/gone.md: this link leads nowhere",
            "  hint: remove the link, or copy the file into content/ in its place",
        ],
    ),
    "symbolic link to a folder outside content/": (
        {"content/more": lambda p: p.symlink_to(p.parents[2])},
        ["content/more: this is a link to a file outside content/", OUTSIDE],
    ),
    "symbolic link that points at itself": (
        {"content/causes/loop.md": lambda p: p.symlink_to(p)},
        [
            "content/causes/loop.md: this link leads nowhere",
            "  hint: remove the link, or copy the file into content/ in its place",
        ],
    ),
}


@pytest.fixture
def good(site: Path, run) -> Path:
    """The fixture site after one good build."""
    (site.parent / "outside.md").write_text(VALID)
    assert run("build").code == 0
    return site


def refuse(site: Path, run, *args: str) -> list[str]:
    """Build; assert it failed cleanly and changed nothing. Returns the error lines."""
    before = tree_hashes(site / "_site")
    content = tree_hashes(site / "content") if (site / "content").is_dir() else {}
    result = run("build", *args)
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err and "unexpected problem" not in result.err
    lines = messages(result.err)
    assert lines[-1].startswith("build failed: ") and lines[-1].endswith("; _site is unchanged")
    assert tree_hashes(site / "_site") == before, "the old site is byte-for-byte unchanged"
    after = tree_hashes(site / "content") if (site / "content").is_dir() else {}
    assert after == content, "the build never changes content/"
    assert not leftovers(site), "no temporary folder is left behind"
    return lines[:-1]


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_refused_with_a_clear_message(name: str, good: Path, run) -> None:
    files, expected = CASES[name]
    apply(good, files)
    assert refuse(good, run) == expected


def test_billion_laughs_is_refused_quickly_without_expanding(good: Path, run) -> None:
    apply(good, {PAGE: "---\ntitle: A\ndescription: B\n" + billion_laughs() + "---\nx\n"})
    tracemalloc.start()
    started = time.perf_counter()
    try:
        lines = refuse(good, run)
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert lines == [
        "content/causes/a.md:4: the front matter uses a YAML alias (*name), which is not"
        " allowed here",
        "  hint: write the value out in full",
    ]
    assert seconds < 2
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MB used"


def test_billion_laughs_in_site_yaml_is_refused(good: Path, run) -> None:
    apply(good, {"content/site.yaml": append_to(billion_laughs())})
    started = time.perf_counter()
    assert refuse(good, run) == [
        "content/site.yaml:28: the file uses a YAML alias (*name), which is not allowed here",
        "  hint: write the value out in full",
    ]
    assert time.perf_counter() - started < 2


def test_a_20_mb_page_is_refused_quickly_by_the_size_limit(good: Path, run) -> None:
    apply(good, {PAGE: VALID + "Some words about the back. " * 800_000})
    started = time.perf_counter()
    lines = refuse(good, run)
    assert time.perf_counter() - started < 2
    assert lines == [
        "content/causes/a.md: the file is too large (21093 KB, the limit is 2048 KB)",
        "  hint: split it into smaller pages, or raise max_page_kb in site.yaml",
    ]


def test_the_size_limit_is_read_from_site_yaml(good: Path, run) -> None:
    apply(good, {PAGE: VALID + "Words. " * 400, "content/site.yaml": append_to("max_page_kb: 2\n")})
    assert refuse(good, run) == [
        "content/causes/a.md: the file is too large (2 KB, the limit is 2 KB)",
        "  hint: split it into smaller pages, or raise max_page_kb in site.yaml",
    ]
    config = good / "content/site.yaml"
    config.write_text(config.read_text().replace("max_page_kb: 2\n", "max_page_kb: 4\n"))
    assert run("build").code == 0
    assert "Words. Words." in (good / "_site/causes/a/index.html").read_text()


def test_the_size_limit_can_be_raised_for_a_big_page(good: Path, run) -> None:
    paragraph = "Some words about the upper back and how it feels. " * 20 + "\n\n"
    apply(good, {PAGE: VALID + paragraph * 2600})  # 2.6 MB, over the default 2048 KB
    assert "the file is too large (2544 KB" in refuse(good, run)[0]
    apply(good, {"content/site.yaml": append_to("max_page_kb: 4096\n")})
    assert run("build").code == 0
    assert (good / "_site/causes/a/index.html").stat().st_size > 2_500_000


# --- accepted: these build ------------------------------------------------------


def build_ok(site: Path, run) -> str:
    content = tree_hashes(site / "content")
    result = run("build")
    assert result.code == 0, result.err
    assert tree_hashes(site / "content") == content
    return result.err


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf" + VALID.encode(),
        VALID.replace("\n", "\r\n").encode(),
        VALID.replace("\n", "\r").encode(),
        b"\xef\xbb\xbf" + VALID.replace("\n", "\r\n").encode(),
    ],
    ids=["byte-order mark", "Windows line endings", "old Mac line endings", "both"],
)
def test_byte_order_mark_and_windows_line_endings_are_accepted(
    data: bytes, good: Path, run
) -> None:
    apply(good, {PAGE: data})
    build_ok(good, run)
    page = (good / "_site/causes/a/index.html").read_text()
    assert "<h1>A page</h1>" in page and "<p>Some text.</p>" in page
    assert "\ufeff" not in page and "\r" not in page


def test_site_yaml_with_a_byte_order_mark_and_windows_line_endings(good: Path, run) -> None:
    config = good / "content/site.yaml"
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes().replace(b"\n", b"\r\n"))
    build_ok(good, run)
    assert "Fixture Clinic" in (good / "_site/index.html").read_text()


@pytest.mark.parametrize(
    ("rel", "url"),
    [
        ("content/causes/Rib Pain.md", "/causes/rib-pain/"),
        ("content/causes/NECK  and   Shoulder.md", "/causes/neck-and-shoulder/"),
        ("content/causes/\u00dcber Uns.md", "/causes/uber-uns/"),
        ("content/causes/Sch\u00e4del & Nacken (2026).md", "/causes/schadel-nacken-2026/"),
        ("content/causes/cafe\u0301.md", "/causes/cafe/"),  # decomposed accent
        ("content/Self Care/Ice or Heat.md", "/self-care/ice-or-heat/"),
        ("content/\u00c9tirements/D\u00e9but.md", "/etirements/debut/"),
    ],
)
def test_names_with_spaces_capitals_and_accents_are_slugged(
    rel: str, url: str, good: Path, run
) -> None:
    apply(good, {rel: VALID})
    build_ok(good, run)
    assert (good / "_site" / url.strip("/") / "index.html").is_file()
    assert f"{url} " in (good / "_site/sitemap.xml").read_text().replace("</loc>", " ")


def test_hidden_and_backup_files_are_ignored(good: Path, run) -> None:
    before = tree_hashes(good / "_site")
    junk = b"\x00\x01 not a page \xff"
    apply(
        good,
        {
            "content/causes/.#a.md": junk,
            "content/causes/a.md~": junk,
            "content/causes/.a.md.swp": junk,
            "content/causes/#a.md#": junk,
            "content/causes/.DS_Store": junk,
            "content/.DS_Store": junk,
            "content/Thumbs.db": junk,
            "content/.git/notes.md": junk,
        },
    )
    build_ok(good, run)
    assert tree_hashes(good / "_site") == before, "no page is made and nothing changes"


def test_a_named_pipe_does_not_hang_the_build(good: Path, run) -> None:
    os.mkfifo(good / "content/causes/pipe.md")
    assert refuse(good, run) == [
        "content/causes/pipe.md: this is not a file",
        "  hint: remove it from content/; pages are plain text files ending in .md",
    ]
