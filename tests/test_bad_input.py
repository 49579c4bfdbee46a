"""Bad input: a clear message with file, line and hint; the last good site and content/ untouched.

Each case starts from a good build of the fixture site, breaks one thing the way a staff
member would, and checks the exact message, exit status 1, that every file of the old
output is byte-for-byte the same, that no file in content/ was changed by the build, and
that no temporary folder was left beside the output.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from support import tree_hashes

VALID = "---\ntitle: A page\ndescription: A short description.\n---\nSome text.\n"
PAGE = "content/causes/a.md"
HINT_YAML = "  hint: each line should look like `name: value`; put text with a colon in quotes"
HINT_TEMPLATES = (
    "  hint: use one of: 404.html, article.html, base.html, clinician.html, home.html,"
    " page.html, redirect.html, section.html"
)
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


def tabs(path: Path) -> None:
    path.write_text("---\ntitle: A page\n\tdescription: Short.\n---\nSome text.\n")


# name -> (files to write, the exact lines printed before "build failed: ...")
CASES: dict[str, tuple[dict[str, Change], list[str]]] = {
    "not UTF-8 (Windows-1252 from Word)": (
        {
            PAGE: "---\ntitle: Caf\u00e9 \u201cquotes\u201d\ndescription: x\n---\nx\n".encode(
                "cp1252"
            )
        },
        [
            "content/causes/a.md:2: the file is not saved as UTF-8 text",
            "  hint: save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
        ],
    ),
    "empty file": (
        {PAGE: ""},
        [
            "content/causes/a.md:1: the file is empty",
            "  hint: start with ---, then `title:` and `description:` lines, then ---,"
            " then the text",
        ],
    ),
    "only blank lines": (
        {PAGE: "\n \n\t\n"},
        [
            "content/causes/a.md:1: the file is empty",
            "  hint: start with ---, then `title:` and `description:` lines, then ---,"
            " then the text",
        ],
    ),
    "only front matter": (
        {PAGE: "---\ntitle: A page\ndescription: Short.\n---\n"},
        [
            "content/causes/a.md:1: the page has no text after the front matter",
            "  hint: write the page's text on the lines after the second ---",
        ],
    ),
    "front matter never closed": (
        {PAGE: "---\ntitle: A page\ndescription: Short.\n\nSome text.\n"},
        [
            "content/causes/a.md:1: the front matter is never closed",
            "  hint: add a line with --- after the last field",
        ],
    ),
    "tab indenting YAML": (
        {PAGE: tabs},
        [
            "content/causes/a.md:3: the front matter has a tab character",
            "  hint: YAML only allows spaces for indenting: replace the tab with spaces",
        ],
    ),
    "tab after a colon in a list": (
        {PAGE: "---\ntitle: A page\ndescription: Short.\nrelated:\n\t- /about/\n---\nx\n"},
        [
            "content/causes/a.md:5: the front matter has a tab character",
            "  hint: YAML only allows spaces for indenting: replace the tab with spaces",
        ],
    ),
    "duplicate YAML key": (
        {PAGE: "---\ntitle: A page\ndescription: Short.\ntitle: Another\n---\nx\n"},
        [
            "content/causes/a.md:4: the front matter has the field 'title' twice",
            "  hint: remove the repeated field",
        ],
    ),
    "YAML document that is a list": (
        {PAGE: "---\n- title\n- description\n---\nx\n"},
        [
            "content/causes/a.md:2: the front matter should hold fields, not a list",
            "  hint: the front matter should be lines like `title: Kyphosis`",
        ],
    ),
    "YAML document that is a string": (
        {PAGE: "---\nKyphosis and posture\n---\nx\n"},
        [
            'content/causes/a.md:2: the front matter should hold fields, not the text "Kyphosis'
            ' and posture"',
            "  hint: the front matter should be lines like `title: Kyphosis`",
        ],
    ),
    "YAML syntax error": (
        {PAGE: "---\ntitle: [unclosed\ndescription: Short.\n---\nx\n"},
        [
            "content/causes/a.md:3: the front matter is not valid YAML:"
            " did not find expected ',' or ']'",
            HINT_YAML,
        ],
    ),
    "control character pasted into the front matter": (
        {PAGE: "---\ntitle: A page\ndescription: Short\x0b text.\n---\nx\n"},
        [
            "content/causes/a.md:3: the front matter has a character YAML does not allow (U+000B)",
            "  hint: delete it; it often comes in unseen when text is pasted from another program",
        ],
    ),
    "deeply nested list": (
        {PAGE: VALID + "".join("  " * depth + "- step\n" for depth in range(200))},
        ["content/causes/a.md:39: lists or quotes are nested too deeply", NESTED],
    ),
    "deeply nested quotes": (
        {PAGE: VALID + ">" * 500 + " quoted\n"},
        ["content/causes/a.md:6: lists or quotes are nested too deeply", NESTED],
    ),
    "deeply nested quotes with spaces": (
        {PAGE: VALID + "\n" + "> " * 300 + "quoted\n"},
        ["content/causes/a.md:7: lists or quotes are nested too deeply", NESTED],
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
    "YAML lists nested 40 deep by indenting": (
        {
            PAGE: "---\ntitle: A\ndescription: B\nrelated:"
            + "".join("\n" + " " * n + "- " for n in range(1, 40))
            + "x\n---\nx\n"
        },
        ["content/causes/a.md:2: the front matter is nested too deeply", TOO_DEEP],
    ),
    "two names that slug the same": (
        {"content/causes/My Page.md": VALID, "content/causes/my-page.md": VALID},
        [
            "content/causes/my-page.md: two pages have the address /causes/my-page/",
            "  hint: rename one of them; 'content/causes/My Page.md' already has this address",
        ],
    ),
    "two folders that slug the same": (
        {"content/Self Care/a.md": VALID, "content/self-care/a.md": VALID},
        [
            "content/self-care/a.md: two pages have the address /self-care/a/",
            "  hint: rename one of them; 'content/Self Care/a.md' already has this address",
        ],
    ),
    "a name with no letters a web address can use": (
        {"content/causes/\u80cc\u75db.md": VALID},
        [
            "content/causes/\u80cc\u75db.md: the name '\u80cc\u75db.md' has no letters or digits"
            " a web address can use",
            "  hint: rename it with letters a to z or digits, like back-pain.md; the name"
            " becomes the page's address",
        ],
    ),
    "a folder with no letters a web address can use": (
        {"content/\u80cc\u75db/a.md": VALID},
        [
            "content/\u80cc\u75db/a.md: the name '\u80cc\u75db' has no letters or digits"
            " a web address can use",
            "  hint: rename it with letters a to z or digits, like back-pain.md; the name"
            " becomes the page's address",
        ],
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
    "alias that is the address of a real page": (
        {PAGE: "---\ntitle: A page\ndescription: Short.\naliases: [/about/]\n---\nx\n"},
        [
            "content/causes/a.md:4: the alias /about/ is the address of content/about.md",
            "  hint: remove it from `aliases`",
        ],
    ),
    "alias chain: an alias that is another page's alias": (
        {PAGE: "---\ntitle: A page\ndescription: Short.\naliases: [/old-kyphosis/]\n---\nx\n"},
        [
            "content/causes/kyphosis.md:12: the alias /old-kyphosis/ is already an alias of"
            " content/causes/a.md",
            "  hint: remove it from `aliases`",
        ],
    ),
    "alias loop: an alias that is the page's own address": (
        {PAGE: "---\ntitle: A page\ndescription: Short.\naliases: [/causes/a/]\n---\nx\n"},
        [
            "content/causes/a.md:4: the alias /causes/a/ is this page's own address",
            "  hint: remove it from `aliases`",
        ],
    ),
    "alias over a file the build makes": (
        {PAGE: "---\ntitle: A page\ndescription: Short.\naliases: [/sitemap.xml]\n---\nx\n"},
        [
            "content/causes/a.md:4: the alias /sitemap.xml is a file the build makes itself",
            "  hint: remove it from `aliases`",
        ],
    ),
    "alias that climbs out of the output folder": (
        {PAGE: "---\ntitle: A\ndescription: B\naliases: [/../../../escaped/]\n---\nx\n"},
        [
            "content/causes/a.md:4: 'aliases' should be a list where item 1 is a path on this"
            ' site like /self-care/ (got ["/../../../escaped/"])',
            "  hint: use letters, digits and dashes between the slashes (no spaces, no ..)",
        ],
    ),
    "link to itself": (
        {PAGE: VALID + "\nMore in [this page](a.md).\n"},
        [
            "content/causes/a.md:7: the page links to itself",
            "  hint: remove the link, or link to a heading with #",
        ],
    ),
    "reviewed_by naming no clinician": (
        {PAGE: "---\ntitle: A page\ndescription: Short.\nreviewed_by: dr-nobody\n---\nx\n"},
        [
            "content/causes/a.md:4: 'reviewed_by' names no clinician: there is no"
            " content/clinicians/dr-nobody.md",
            "  hint: use one of: pat-lee",
        ],
    ),
    "template that divides by zero": (
        {
            "templates/page.html": "{% extends 'base.html' %}\n{% block main %}\n{{ 1/0 }}\n"
            "{% endblock %}\n"
        },
        [
            "templates/page.html:3: template error: ZeroDivisionError: division by zero",
            "  hint: fix the template",
        ],
    ),
    "template filter that raises": (
        {
            "templates/page.html": "{% extends 'base.html' %}\n{% block main %}\n"
            "{{ none | length }}\n{% endblock %}\n"
        },
        [
            "templates/page.html:3: template error: TypeError: object of type 'NoneType' has no"
            " len()",
            "  hint: fix the template",
        ],
    ),
    "missing template named in front matter": (
        {PAGE: "---\ntitle: A page\ndescription: Short.\ntemplate: fancy.html\n---\nx\n"},
        ["content/causes/a.md:4: the template 'fancy.html' does not exist", HINT_TEMPLATES],
    ),
    "missing template a kind of page needs": (
        {"templates/article.html": Path.unlink},
        [
            "content/articles/first-article.md: the template 'article.html' does not exist",
            "  hint: use one of: 404.html, base.html, clinician.html, home.html, page.html,"
            " redirect.html, section.html",
        ],
    ),
    "missing site.yaml": (
        {"content/site.yaml": Path.unlink},
        [
            "content/site.yaml: site.yaml is missing",
            "  hint: create content/site.yaml with the clinic's name, phone, address and"
            " navigation",
        ],
    ),
    "site.yaml with a wrong type": (
        {"content/site.yaml": append_to("max_page_kb: lots\n")},
        ["content/site.yaml:28: 'max_page_kb' should be a whole number like 10 (got \"lots\")"],
    ),
    "site.yaml with a list where fields go": (
        {"content/site.yaml": append_to("nav: /causes/\n")},
        [
            "content/site.yaml:28: the file has the field 'nav' twice",
            "  hint: remove the repeated field",
        ],
    ),
    "site.yaml that is a list": (
        {"content/site.yaml": "- name\n- phone\n"},
        [
            'content/site.yaml:1: site.yaml should hold fields, not ["name", "phone"]',
            "  hint: site.yaml should be a list of `name: value` lines",
        ],
    ),
    "site.yaml not UTF-8": (
        {"content/site.yaml": lambda p: p.write_bytes(p.read_bytes() + b"tagline: Caf\xe9\n")},
        ["content/site.yaml: site.yaml is not saved as UTF-8", "  hint: save it as UTF-8"],
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
    lines = result.err.splitlines()
    assert lines[-1].startswith("build failed: ") and lines[-1].endswith("; _site is unchanged")
    assert tree_hashes(site / "_site") == before, "the old site is byte-for-byte unchanged"
    after = tree_hashes(site / "content") if (site / "content").is_dir() else {}
    assert after == content, "the build never changes content/"
    assert not list(site.glob("._site.*")), "no temporary folder is left behind"
    return lines[:-1]


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_refused_with_a_clear_message(name: str, good: Path, run) -> None:
    files, expected = CASES[name]
    apply(good, files)
    assert refuse(good, run) == expected
    assert not (good.parent.parent / "escaped").exists()


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
