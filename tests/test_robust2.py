"""Robustness, round two (issue 16): one test per class of bad input.

Each refused case starts from a good build of the fixture site, breaks one thing, and
checks the exact message and that the old `_site` is byte-for-byte unchanged.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support import messages
from test_bad_input import apply, refuse

from sitegen import content, sanitize
from sitegen.model import Page
from sitegen.render import convert

# --- 1. every scan of page text is linear ------------------------------------------

ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "< then whitespace": lambda n: "<" + " " * n,
    "only <": lambda n: "<" * n,
    "tags never closed": lambda n: "<a " * (n // 3),
    "end tags never closed": lambda n: "</" * (n // 2),
    "comments never closed": lambda n: "<!--" * (n // 4),
    "quoted attributes": lambda n: "<a b='>" * (n // 7),
    "[": lambda n: "[" * n,
    "link then whitespace": lambda n: "](" + " " * n,
    "links": lambda n: "](" * (n // 2),
    "backticks": lambda n: "`" * n,
    "fences never closed": lambda n: "```x\n" * (n // 5),
    "lines of whitespace": lambda n: (" " * 99 + "\n") * (n // 100),
    "braces": lambda n: "{a=" * (n // 3),
    "a mixture": lambda n: "< [ ` \t" * (n // 8),
    "quotes then whitespace": lambda n: ">" * 20 + " " * n,
    "code fence then <": lambda n: "```\n" + "<" + " " * n + "\n```\n",
    "links never closed": lambda n: "[a](" * (n // 4),
    "backslashes": lambda n: "\\" * n,
    "code spans of <": lambda n: "`<" * (n // 2),
    "lines of <div>": lambda n: "<div>\n" * (n // 6),
}
# unsafe_html runs every other scan of the report (code blanking, the tokenizer, the
# Markdown link and attribute-list scans), so it stands for them.
SCANS: dict[str, Callable[[str], object]] = {
    "unsafe_html": lambda text: content.unsafe_html(text, 1, "x.md"),
    "nesting_errors": lambda text: content.nesting_errors(text, 1, "x.md"),
    "markdown": lambda text: nesting_errors_or_convert(text),
}
# Python-Markdown itself is still slower than linear on these (its inline processor and
# HTML block parser); nothing before it can rule them out without refusing real pages.
MARKDOWN_NOT_LINEAR = {"backslashes", "code spans of <", "lines of <div>"}


def nesting_errors_or_convert(text: str) -> object:
    """What a build does with a body: the nesting check, then (if it passed) conversion."""
    errors = content.nesting_errors(text, 1, "x.md")
    if errors:
        return errors
    page = Page("a.md", "a.md", "/a/", "page", "T", "D.", "S.", text, 1, "page.html")
    return convert(page)


SIZE = 100_000


@pytest.fixture
def good(site: Path, run) -> Path:
    """The fixture site after one good build."""
    assert run("build").code == 0
    return site


def timed(scan: Callable[[str], object], text: str, repeat: int) -> float:
    """CPU seconds for `repeat` scans of `text`, with no garbage collection in the middle."""
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()  # CPU time: other programs on the machine do not count
        for _ in range(repeat):
            scan(text)
        return time.process_time() - started
    finally:
        gc.enable()


def times(scan: Callable[[str], object], small: str, large: str) -> tuple[float, float]:
    """The best times for the small and the large text, measured in turns so that a busy
    moment on the shared machine slows both alike; each measure lasts 20 ms or more."""
    repeat = 1
    while timed(scan, small, repeat) < 0.02:
        repeat *= 2
    best = [float("inf"), float("inf")]
    for _ in range(5 if repeat > 1 else 2):  # a scan of a second or more varies little
        best = [min(best[0], timed(scan, small, repeat)), min(best[1], timed(scan, large, repeat))]
    return best[0] / repeat, best[1] / repeat


@pytest.mark.parametrize("scan", SCANS)
@pytest.mark.parametrize("shape", ADVERSARIAL)
def test_scans_of_page_text_take_linear_time(scan: str, shape: str, request) -> None:
    """100 KB of adversarial text, then 200 KB: doubling the input at most triples the time."""
    known = scan == "markdown" and shape in MARKDOWN_NOT_LINEAR
    if known:
        reason = "Python-Markdown is not linear on this input (see the issue 16 note)"
        request.applymarker(pytest.mark.xfail(reason=reason))  # near 3x: not strict
    make = ADVERSARIAL[shape]
    for _ in range(1 if known else 3):  # a busy moment on a shared machine can slow one
        # measure; a scan that is truly worse than linear is slow in all three
        once, twice = times(SCANS[scan], make(SIZE), make(2 * SIZE))
        if twice <= 3 * once:
            break
    assert twice <= 3 * once, f"{shape}: {once:.4f} s, then {twice:.4f} s"
    assert once < 1.0


def test_the_hang_from_issue_16_is_gone(good: Path, run) -> None:
    """A < and a long run of whitespace inside a code fence took minutes to scan."""
    body = "```\n<" + " " * 200_000 + "\n```\n"
    apply(good, {"content/causes/a.md": "---\ntitle: A\ndescription: B.\n---\n" + body})
    started = time.perf_counter()
    result = run("build")
    assert result.code == 0, result.err
    assert time.perf_counter() - started < 20


REMOVED = "was removed: pages may not run code or load other sites"


@pytest.mark.parametrize(
    ("snippet", "line", "what"),
    [
        ("<svg onload=steal()>", 1, "a <svg> element"),
        ("# Title {: onclick=steal() }", 1, "an event-handler attribute"),
        ("<https://example.org/> <javascript:steal()>", 1, "a javascript: link"),
        ('<img\nsrc="/a.png"\n\nstyle="x">', 4, "a style attribute"),
        ("[x](  &#106;avascript:steal())", 1, "a javascript: link"),
    ],
)
def test_the_report_reads_the_cleaners_allow_list(snippet: str, line: int, what: str) -> None:
    found = sanitize.removals(snippet)
    assert [(r.line, r.what) for r in found][:1] == [(line, what)]


def test_what_the_allow_list_keeps_is_not_reported() -> None:
    kept = '<p class="x"><a href="tel:+1" title="t">a</a> <img src="/a.png" alt="b"></p>'
    assert sanitize.removals(kept) == []
    assert sanitize.clean(kept) == kept


def test_other_html_the_cleaner_drops_is_reported_plainly() -> None:
    (found,) = sanitize.removals('<font color="red">x</font>')
    assert found.message == "a <font> element was removed: pages keep only simple HTML"
    (found,) = sanitize.removals('<p align="x">y</p>')
    assert found.message == "a align attribute on <p> was removed: pages keep only simple HTML"


# --- 2. wrong details are never published with exit 0 ---------------------------------


def edit_yaml(site: Path, old: str, new: str) -> None:
    path = site / "content/site.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_text_fields_keep_what_was_typed(good: Path, run) -> None:
    """YAML 1.1 would read 02134 as octal, 1:30 as 90 and drop the + of a phone number."""
    edit_yaml(good, 'postal_code: "98101"', "postal_code: 02134")
    edit_yaml(good, 'phone: "(206) 555-0100"', "phone: +12065550142 ext. 12")
    apply(good, {"content/about.md": "---\ntitle: 1:30\ndescription: no\n---\nText.\n"})
    assert run("build").code == 0
    page = (good / "_site/about/index.html").read_text(encoding="utf-8")
    assert "<h1>1:30</h1>" in page
    assert '<meta name="description" content="no">' in page
    from sitegen.config import load_config

    config, errors = load_config(good / "content/site.yaml")
    assert errors == [] and config is not None
    assert config.address.postal_code == "02134"
    assert config.phone == "+12065550142 ext. 12"
    assert config.phone_href == "tel:+12065550142"


@pytest.mark.parametrize(
    ("phone", "href"),
    [
        ("(206) 555-0100 ext. 12", "tel:+12065550100"),
        ("206-555-0100 x12", "tel:+12065550100"),
        ("+44 20 7946 0958", "tel:+442079460958"),
        ("(206) 555-0100", "tel:+12065550100"),
    ],
)
def test_a_tel_link_keeps_the_plus_and_leaves_out_the_extension(phone: str, href: str) -> None:
    from sitegen.config import SiteConfig

    config = SiteConfig.__new__(SiteConfig)
    object.__setattr__(config, "phone", phone)
    assert config.phone_href == href


SITE_YAML_CASES: dict[str, tuple[str, str, list[str]]] = {
    "base_url with /index.html": (
        "base_url: https://fixture.example.org/",
        "base_url: https://fixture.example.org/index.html",
        [
            "content/site.yaml:3: 'base_url' should be the address of a folder, ending in /"
            ' (got "https://fixture.example.org/index.html")',
            "  hint: leave out the file name: https://example.org/index.html is"
            " https://example.org/",
        ],
    ),
    "base_url with a query": (
        "base_url: https://fixture.example.org/",
        "base_url: https://fixture.example.org/?a=1",
        [
            "content/site.yaml:3: 'base_url' should be a web address with no ? or # part"
            ' (got "https://fixture.example.org/?a=1")',
            "  hint: write only the site's address, like https://example.org/",
        ],
    ),
    "base_url with a fragment": (
        "base_url: https://fixture.example.org/",
        "base_url: https://fixture.example.org/#top",
        [
            "content/site.yaml:3: 'base_url' should be a web address with no ? or # part"
            ' (got "https://fixture.example.org/#top")',
            "  hint: write only the site's address, like https://example.org/",
        ],
    ),
    "closes before opens": (
        'closes: "17:30"',
        'closes: "07:30"',
        [
            "content/site.yaml:13: 'hours' should be a list where item 1 is a group where"
            ' \'closes\' (07:30) is later than \'opens\' (08:00) (got [{"days": ["Mo", "Tu",'
            ' "We", "Th", "Fr"], "opens": "08:00...)',
            '  hint: use the 24-hour clock: 6 pm is "18:00"',
        ],
    ),
    "no days": (
        "days: [Mo, Tu, We, Th, Fr]",
        "days: []",
        [
            "content/site.yaml:13: 'hours' should be a list where item 1 is a group whose"
            ' \'days\' names at least one day (got [{"days": [], "opens": "08:00", "closes":'
            ' "17:30"}])',
            "  hint: write days: [Mo, Tu]",
        ],
    ),
    "http appointment_endpoint": (
        "appointment_endpoint: https://",
        "appointment_endpoint: http://",
        [
            "content/site.yaml:27: 'appointment_endpoint' should be a web address starting"
            ' with https:// (got "http://forms.example.org/clinic")',
            "  hint: over http:// the form would send patients' details unencrypted",
        ],
    ),
}


@pytest.mark.parametrize("name", SITE_YAML_CASES)
def test_wrong_clinic_details_are_refused(name: str, good: Path, run) -> None:
    old, new, expected = SITE_YAML_CASES[name]
    edit_yaml(good, old, new)
    assert refuse(good, run) == expected


FRONT = "---\ntitle: A page\ndescription: A short description.\n"


@pytest.mark.parametrize("day", ["2062-03-01", "9999-12-31"])
def test_a_review_date_in_the_future_is_an_error(day: str, good: Path, run, monkeypatch) -> None:
    monkeypatch.setenv("SITEGEN_TODAY", "2026-11-30")
    apply(good, {"content/causes/a.md": f"{FRONT}reviewed: {day}\n---\nText.\n"})
    assert refuse(good, run) == [
        f"content/causes/a.md:4: 'reviewed' is in the future ({day})",
        "  hint: write the day the page was last reviewed, like 2026-03-01",
    ]


def test_a_site_without_a_home_page_is_an_error(good: Path, run) -> None:
    (good / "content/index.md").unlink()
    assert refuse(good, run) == [
        "content/index.md: the site has no home page",
        "  hint: add index.md to content/ (the home page), or remove `draft: true` from it",
    ]


# --- 3. output collisions are found before anything is written -------------------------

ABOUT = "---\ntitle: About\ndescription: About us.\naliases: [{}]\n---\nAbout text.\n"
COLLISIONS: dict[str, tuple[dict[str, str], list[str]]] = {
    "static robots.txt": (
        {"static/robots.txt": "User-agent: *\n"},
        [
            "static/robots.txt: this file and the robots.txt the build makes itself would"
            " both be written to robots.txt",
            "  hint: rename or remove static/robots.txt; the build writes this file",
        ],
    ),
    "static _headers": (
        {"static/_headers": "/*\n  X-A: b\n"},
        [
            "static/_headers: this file and the _headers the build makes itself would both"
            " be written to _headers",
            "  hint: rename or remove static/_headers; the build writes this file",
        ],
    ),
    "static file where a page goes": (
        {"static/about/index.html": "<p>x</p>\n"},
        [
            "static/about/index.html: this file and content/about.md would both be written"
            " to about/index.html",
            "  hint: rename or remove static/about/index.html",
        ],
    ),
    "alias onto a generated file": (
        {"content/about.md": ABOUT.format("/_headers")},
        [
            "content/about.md:4: the alias /_headers/ in content/about.md and the _headers"
            " the build makes itself would both be written to _headers",
            "  hint: remove it from `aliases`",
        ],
    ),
    "alias differing only in letter case": (
        {"content/about.md": ABOUT.format("/About/")},
        [
            "content/about.md:4: the alias /About/ differs from this page's own address"
            " (/about/) only in letter case: hosts that ignore case would replace the page"
            " with a redirect",
            "  hint: remove it from `aliases`",
        ],
    ),
    "alias differing from another page only in letter case": (
        {"content/about.md": ABOUT.format("/Causes/")},
        [
            "content/about.md:4: the alias /Causes/ differs from the address of"
            " content/causes/index.md (/causes/) only in letter case: hosts that ignore case"
            " would replace the page with a redirect",
            "  hint: remove it from `aliases`",
        ],
    ),
}


@pytest.mark.parametrize("name", COLLISIONS)
def test_output_collisions_name_both_sources(name: str, good: Path, run) -> None:
    files, expected = COLLISIONS[name]
    apply(good, files)
    assert refuse(good, run) == expected


def test_an_alias_ending_in_html_writes_that_file(good: Path, run) -> None:
    apply(good, {"content/about.md": ABOUT.format("/old.html")})
    assert run("build").code == 0
    assert (good / "_site/old.html").is_file()
    assert not list((good / "_site").glob("old.html*index.html"))
    assert "/old.html /about/ 301" in (good / "_site/_redirects").read_text()


# --- 5. templates and paths ---------------------------------------------------------

LINKS = "---\ntitle: About\ndescription: About us.\n---\nAbout text.\n\n{}\n"
PATH_CASES: dict[str, tuple[str, list[str]]] = {
    "a link outside the project": (
        "[build](/../build.py)",
        [
            "content/about.md:7: the link to /../build.py leads outside the site",
            "  hint: use a path inside the site, like /images/spine.svg or ../causes/kyphosis.md",
        ],
    ),
    "an image outside the project": (
        "![x](/../../etc/passwd)",
        [
            "content/about.md:7: the image /../../etc/passwd leads outside the site",
            "  hint: use a path inside the site, like /images/spine.svg or ../causes/kyphosis.md",
        ],
    ),
    "a link outside content/": (
        "[readme](../../README.md#install)",
        [
            "content/about.md:7: the link to ../../README.md#install leads outside content/",
            "  hint: link to pages in content/ by their file, like ../causes/kyphosis.md",
        ],
    ),
    "an image that is hidden": (
        "![x](/images/.secret.png)",
        [
            "content/about.md:7: the image /images/.secret.png goes to a hidden or backup file",
            "  hint: hidden files and editors' backups are never published: use the file's"
            " own name",
        ],
    ),
    "a link to a backup": (
        "[x](/images/spine.png~)",
        [
            "content/about.md:7: the link to /images/spine.png~ goes to a hidden or backup file",
            "  hint: hidden files and editors' backups are never published: use the file's"
            " own name",
        ],
    ),
    "an image from another site": (
        "![x](https://example.org/x.png)",
        [
            "content/about.md:7: the image https://example.org/x.png is on another site:"
            " the security policy (CSP) blocks it on the live site",
            "  hint: save the picture in static/images/ (if its licence allows) and use its path",
        ],
    ),
}


@pytest.mark.parametrize("name", PATH_CASES)
def test_paths_that_lead_astray_are_errors(name: str, good: Path, run) -> None:
    snippet, expected = PATH_CASES[name]
    apply(good, {"content/about.md": LINKS.format(snippet), "static/images/.secret.png": "x"})
    assert refuse(good, run) == expected


def test_a_template_that_is_only_a_part_of_a_page_is_an_error(good: Path, run) -> None:
    apply(
        good,
        {
            "templates/partials/bit.html": "<p>{{ page.title }}</p>\n",
            "content/about.md": "---\ntitle: A\ndescription: B.\ntemplate: partials/bit.html\n"
            "---\nText.\n",
        },
    )
    assert refuse(good, run) == [
        "content/about.md:4: the template 'partials/bit.html' is a part of a page, not a"
        " whole page",
        "  hint: use one of: 404.html, article.html, base.html, clinician.html, home.html,"
        " page.html, redirect.html, section.html",
    ]


# --- 6. the feed and the sitemap are always well-formed --------------------------------


def test_the_feed_and_sitemap_are_well_formed_whatever_the_titles(good: Path, run) -> None:
    import xml.etree.ElementTree as ET

    title = "Tips & <tricks> \"quoted\" 'too' ]]> \u00e9\U0001f600"
    edit_yaml(good, "name: Fixture Clinic", f"name: {title!r}".replace("\\'", "''"))
    edit_yaml(good, "base_url: https://fixture.example.org/", 'base_url: https://x.org/a&b"c/')
    article = good / "content/articles/first-article.md"
    text = article.read_text(encoding="utf-8").split("\n")
    text[1] = 'title: "' + title.replace('"', '\\"') + '"'
    article.write_text("\n".join(text), encoding="utf-8")
    assert run("build").code == 0
    feed = ET.parse(good / "_site/articles/feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.find(f"{atom}entry/{atom}title").text == title
    assert feed.find(f"{atom}link").get("href") == 'https://x.org/a&b"c/articles/feed.xml'
    sitemap = ET.parse(good / "_site/sitemap.xml").getroot()
    assert sitemap[0][0].text.startswith('https://x.org/a&b"c/')


@pytest.mark.parametrize(
    ("field", "value", "code", "shown"),
    [
        ("title", '"A\\x01B"', "0001", '"A\\u0001B"'),
        ("title", '"A\\x1bB"', "001B", '"A\\u001bB"'),
        ("description", '"x\\x85y"', "0085", '"x\\u0085y"'),
        ("description", '"x\\uFFFEy"', "FFFE", '"x\\ufffey"'),
    ],
)
def test_control_characters_in_titles_are_refused_with_file_and_line(
    field: str, value: str, code: str, shown: str, good: Path, run
) -> None:
    lines = ["---", "title: A", "description: B.", "---", "Text.", ""]
    lines[1 if field == "title" else 2] = f"{field}: {value}"
    apply(good, {"content/about.md": "\n".join(lines)})
    line = 2 if field == "title" else 3
    assert refuse(good, run) == [
        f"content/about.md:{line}: '{field}' should be text without control characters"
        f" (it has U+{code}) (got {shown})",
        "  hint: delete it; it often comes in unseen when text is pasted, or from a \\ escape",
    ]


# --- 8. file names that are not UTF-8 ---------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_named_escaped(good: Path, run) -> None:
    page = os.fsdecode(b"content/causes/\xc3\x9cber-\xff.md")
    Path(good, page).write_text("---\ntitle: A\ndescription: B.\n---\nText.\n")
    os.mkdir(good / os.fsdecode(b"content/bad\xfe"))
    Path(good, os.fsdecode(b"content/bad\xfe/x.md")).write_text("---\ntitle: A\n---\nx\n")
    assert refuse(good, run) == [
        "content/bad\\xfe: the name is not UTF-8 text",
        "  hint: rename it with letters a to z or digits, like back-pain.md",
        "content/causes/\u00dcber-\\xff.md: the name is not UTF-8 text",
        "  hint: rename it with letters a to z or digits, like back-pain.md",
    ]


# --- 4. unsafe files in static/ -------------------------------------------------------

STATIC_HINT = (
    "  hint: remove it: files in static/ are published as they are, and pages may not run code"
)
EVIL_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg">\n<circle r="3" onload="steal()"/>\n'
    '<script>steal()</script>\n<a xlink:href="javascript:steal()"><path d="M0"/></a>\n</svg>\n'
)
EVIL_HTML = "<!doctype html>\n<p>Hello</p>\n<img src=x onerror=steal()>\n"
STATIC_WARNINGS = [
    "static/images/evil.svg:2: {}an event-handler attribute can run code in this file",
    STATIC_HINT,
    "static/images/evil.svg:3: {}a <script> element can run code in this file",
    STATIC_HINT,
    "static/images/evil.svg:4: {}a javascript: link can run code in this file",
    STATIC_HINT,
    "static/page.html:3: {}an event-handler attribute can run code in this file",
    STATIC_HINT,
]


def test_code_in_static_svg_or_html_is_a_warning_naming_the_file(good: Path, run) -> None:
    apply(good, {"static/images/evil.svg": EVIL_SVG, "static/page.html": EVIL_HTML})
    result = run("build")
    assert result.code == 0
    lines = messages(result.err)
    start = lines.index(STATIC_WARNINGS[0].format("warning: "))
    assert lines[start : start + 8] == [w.format("warning: ") for w in STATIC_WARNINGS]


def test_code_in_static_files_is_an_error_with_strict(good: Path, run) -> None:
    apply(good, {"static/images/evil.svg": EVIL_SVG, "static/page.html": EVIL_HTML})
    lines = refuse(good, run, "--strict")
    start = lines.index(STATIC_WARNINGS[0].format(""))
    assert lines[start : start + 8] == [w.format("") for w in STATIC_WARNINGS]


def test_plain_drawings_in_static_are_not_reported() -> None:
    drawing = '<svg xmlns="http://www.w3.org/2000/svg"><style>.a{fill:red}</style>'
    drawing += '<a href="https://example.org/"><path class="a" d="M0 0"/></a></svg>'
    assert sanitize.active_content(drawing) == ()


def test_many_links_left_open_are_refused_before_markdown_runs(good: Path, run) -> None:
    """Python-Markdown looks for the ) of each open `](` to the end of the paragraph."""
    body = "Intro.\n\n" + "[a](" * 5000 + "\n"
    apply(good, {"content/causes/a.md": "---\ntitle: A\ndescription: B.\n---\n" + body})
    started = time.perf_counter()
    assert refuse(good, run) == [
        "content/causes/a.md:7: many links in this paragraph are never closed",
        "  hint: close each link's address with ): a link looks like [text](page.md)",
    ]
    assert time.perf_counter() - started < 20


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("v: 02134", "02134"),
        ("v: 1:30", "1:30"),
        ("v: +12065550142", "+12065550142"),
        ("v: no", "no"),
        ("v: 2026-01-01", "2026-01-01"),
        ("v: 1e3", "1e3"),
        ("v: '007'", "007"),
    ],
)
def test_every_text_field_is_read_as_text(yaml_text: str, expected: str) -> None:
    from sitegen import fields

    for table, text in (
        ({"v": fields.Field(fields.text())}, yaml_text),
        ({"v": fields.Field(fields.list_of(fields.text()))}, yaml_text.replace(": ", ": [") + "]"),
        ({"v": fields.Field(fields.record({"w": fields.Field(fields.text())}))},
         yaml_text.replace("v: ", "v:\n  w: ")),
    ):  # fmt: skip
        data, errors = fields.parse_yaml(text, "x.md", 2)
        values, problems = fields.validate(data, table, "x.md", 2)
        assert errors == [] and problems == []
        found = values["v"]
        found = found[0] if isinstance(found, tuple) else found
        assert (found["w"] if isinstance(found, dict) else found) == expected
