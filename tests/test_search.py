"""Finding a page in the patient's own words (issue 15): the `keywords` field, the A to Z
page built from every page by itself, and the search index the build makes."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from sitegen import atoz, search
from sitegen.kinds import COMMON, KINDS, kind_of
from sitegen.model import Page

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"


def page(url: str, title: str, kind: str = "causes", keywords: tuple[str, ...] = ()) -> Page:
    return Page(
        rel=url.strip("/") + ".md",
        shown=url,
        url=url,
        kind=kind,
        title=title,
        description=title,
        summary=title,
        body="",
        body_line=1,
        template="page.html",
        keywords=keywords,
    )


def test_keywords_is_a_documented_field_of_every_page() -> None:
    field = COMMON["keywords"]
    assert "patient" in field.doc and field.example
    assert field.convert(["slipped disc", "bulging disc"]) == ("slipped disc", "bulging disc")


def test_a_keyword_reads_see_its_page_and_entries_are_grouped_by_letter() -> None:
    disc = page("/causes/herniated-disc/", "Herniated disc", keywords=("slipped disc",))
    hump = page("/causes/kyphosis/", "Kyphosis", keywords=("hunchback", "Kyphosis"))
    groups = atoz.groups([hump, disc])
    assert [g.letter for g in groups] == ["H", "K", "S"]
    assert groups[0].entries == (
        atoz.Entry("Herniated disc", "/causes/herniated-disc/"),
        atoz.Entry("Hunchback", "/causes/kyphosis/", "Kyphosis"),
    )
    assert groups[2].entries == (
        atoz.Entry("Slipped disc", "/causes/herniated-disc/", "Herniated disc"),
    )
    assert len(groups[1].entries) == 1, "a keyword that is a title is not listed twice"


def test_the_a_to_z_lists_health_pages_and_pages_with_keywords_only() -> None:
    pages = [
        page("/", "Home", kind="home", keywords=("start",)),
        page("/privacy/", "Privacy", kind="page"),
        page("/pain-relief/", "Pain relief", kind="page", keywords=("ibuprofen",)),
        page("/treatments/massage-therapy/", "Massage therapy", kind="treatments"),
        page("/a-z/", "A to Z", kind="page", keywords=("index",)),
    ]
    labels = [entry.label for entry in atoz.entries(pages)]
    assert labels == ["Ibuprofen", "Massage therapy", "Pain relief"]


@pytest.mark.parametrize(("label", "letter"), [("slipped", "S"), ("Échec", "#"), ("3 tips", "#")])
def test_letter_of(label: str, letter: str) -> None:
    assert atoz.letter_of(label) == letter


def health_files() -> list[Path]:
    """The content files of health information: the health kinds and the top-level topics."""
    found = []
    for path in sorted(CONTENT.rglob("*.md")):
        rel = path.relative_to(CONTENT).as_posix()
        kind = kind_of(rel)
        if KINDS[kind].health or rel.split("/")[0] in HEALTH_FOLDERS:
            found.append(path)
    return found


HEALTH_FOLDERS = {
    "causes",
    "symptoms",
    "treatments",
    "self-care",
    "pain-relief",
    "when-to-get-help",
    "outlook",
    "prevention",
    "living-with-back-pain",
    "life-stages",
    "faq.md",
    "glossary.md",
}


@pytest.mark.parametrize("path", health_files(), ids=lambda p: p.relative_to(CONTENT).as_posix())
def test_every_health_page_has_keywords(path: Path) -> None:
    front = path.read_text().split("\n---", 1)[0]
    assert re.search(r"^keywords: \[.+\]$", front, re.M), f"{path.name}: add `keywords: [...]`"


ISSUE_WORDS = {
    "causes/herniated-disc.md": ["slipped disc", "bulging disc"],
    "causes/kyphosis.md": ["hunchback", "hunched back", "round shoulders"],
    "when-to-get-help/index.md": ["is it my heart", "chest pain"],
    "causes/pain-from-elsewhere.md": ["is it my heart", "chest pain"],
    "causes/muscle-tension.md": ["pain between shoulder blades"],
    "self-care/index.md": ["exercises", "stretches"],
    "pain-relief/index.md": ["ibuprofen", "painkillers"],
}


@pytest.mark.parametrize(("rel", "words"), ISSUE_WORDS.items())
def test_the_issue_words_are_keywords(rel: str, words: list[str]) -> None:
    line = re.search(r"^keywords: (.+)$", (CONTENT / rel).read_text(), re.M)
    assert line, rel
    for word in words:
        assert word in line[1], f"{rel}: '{word}'"


@pytest.fixture
def clinic_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the real site (content, templates, static) as the working folder."""
    for name in ("content", "templates", "static"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_a_to_z_page_lists_a_new_page_by_itself(clinic_site: Path, run) -> None:
    new = clinic_site / "content/causes/tight-chest-muscles.md"
    text = (CONTENT / "causes/muscle-tension.md").read_text()
    text = text.replace("title: Muscle tension", "title: Zed muscle test", 1)
    text = re.sub(r"^keywords: .*$", "keywords: [quirky word]", text, count=1, flags=re.M)
    new.write_text(text)
    result = run("build", "--no-cache")
    assert result.code == 0, result.err
    html = (clinic_site / "_site/a-z/index.html").read_text()
    assert '<a href="../causes/tight-chest-muscles/">Zed muscle test</a></li>' in html
    assert '<a href="../causes/tight-chest-muscles/">Quirky word</a>: see Zed muscle test' in html
    assert '<a href="../causes/herniated-disc/">Slipped disc</a>: see Herniated disc' in html
    assert '<h2 id="letter-z">Z</h2>' in html and '<a href="#letter-q">Q</a>' in html
    footer = (clinic_site / "_site/causes/kyphosis/index.html").read_text()
    assert '<a href="../../a-z/">A to Z</a>' in footer, "the footer links the A to Z"


# --- the search index --------------------------------------------------------------------

MAIN = '<main id="main" tabindex="-1" class="wrap" data-pagefind-body>'


def test_keywords_reach_pagefind_as_a_meta_field_not_the_body() -> None:
    disc = page("/causes/herniated-disc/", "Herniated disc", keywords=("slipped disc", "a<b"))
    text = f"<html><body><header>menu</header>{MAIN}<h1>Herniated disc</h1></main></body></html>"
    fed = search.with_keywords(text, disc)
    block = '<p data-pagefind-meta="keywords" data-pagefind-ignore>slipped disc, a&lt;b</p>'
    assert fed == text.replace(MAIN, MAIN + block)
    assert search.with_keywords(text, page("/x/", "X")) == text, "no keywords, no change"


def test_citation_marks_stay_out_of_the_index_and_excerpts() -> None:
    text = '<p>weak bones<sup class="cite"><a href="#source-2">source 2</a></sup>.</p>'
    assert search.without_citation_marks(text) == text.replace(
        '<sup class="cite">', '<sup class="cite" data-pagefind-ignore>'
    )


@pytest.mark.parametrize(
    ("wasm", "kept"),
    [("en", ["wasm.en.pagefind"]), (None, ["wasm.unknown.pagefind"])],
)
def test_only_the_webassembly_pagefind_js_asks_for_is_kept(wasm: str | None, kept: list) -> None:
    """pagefind.js fetches `wasm.<the entry's wasm>.pagefind`, or `wasm.unknown` if none."""
    entry = {"languages": {"en": {"hash": "en_1", "wasm": wasm, "page_count": 3}}}
    files = {
        "pagefind-entry.json": json.dumps(entry).encode(),
        "pagefind.js": b"js",
        "pagefind-ui.js": b"ui",
        "wasm.en.pagefind": b"en",
        "wasm.unknown.pagefind": b"unknown",
        "wasm.fr.pagefind": b"fr",
    }
    names = search.needed(files)
    assert sorted(n for n in names if n.startswith("wasm.")) == kept
    assert {"pagefind.js", "pagefind-entry.json"} <= set(names) and "pagefind-ui.js" not in names


def test_the_build_writes_the_index_and_only_the_files_search_needs(clinic_site: Path, run) -> None:
    result = run("build", "--no-cache")
    assert result.code == 0, result.err
    out = clinic_site / "_site/pagefind"
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {"pagefind.js", "pagefind-entry.json", "wasm.en.pagefind"} <= names
    assert any(n.startswith("index/") for n in names)
    assert any(n.startswith("fragment/") for n in names)
    assert not [n for n in names if "-ui" in n], "Pagefind's own interfaces are left out"
    assert "pagefind-worker.js" not in names, "search runs without a worker"
    assert [n for n in names if n.startswith("wasm.")] == ["wasm.en.pagefind"], (
        "no WebAssembly that pagefind.js never asks for on an English site"
    )
    entry = (out / "pagefind-entry.json").read_text()
    assert '"en"' in entry
    kyphosis = (clinic_site / "_site/causes/kyphosis/index.html").read_text()
    assert "data-pagefind-meta" not in kyphosis, "keywords are fed to the index only"
    assert "<main" in kyphosis and "data-pagefind-body" in kyphosis


def test_only_the_search_page_may_run_webassembly(clinic_site: Path, run) -> None:
    assert run("build", "--no-cache").code == 0
    rules = (clinic_site / "_site/_headers").read_text()
    common = rules.split("\n/search/\n")[0]
    assert "Content-Security-Policy:" in common and "wasm" not in common
    search_rule = rules.split("\n/search/\n")[1].split("\n/", 1)[0]
    assert "  ! Content-Security-Policy" in search_rule
    assert "script-src 'self' 'wasm-unsafe-eval';" in search_rule
    assert "X-Robots-Tag: noindex" in search_rule
    assert rules.count("wasm-unsafe-eval") == 2, "/search/ and /search/index.html only"
    assert "/pagefind/" not in rules
    html = (clinic_site / "_site/search/index.html").read_text()
    assert '<meta name="robots" content="noindex">' in html
    assert "/search/" not in (clinic_site / "_site/sitemap.xml").read_text()
    assert 'action="../search/" method="get"' in html or 'action="./"' in html


def test_every_page_has_the_search_box(clinic_site: Path, run) -> None:
    assert run("build", "--no-cache").code == 0
    html = (clinic_site / "_site/causes/kyphosis/index.html").read_text()
    form = re.search(
        r'<form class="header-search" role="search" action="([^"]+)" method="get">', html
    )
    assert form and form[1] == "../../search/"
    assert '<input id="site-search" type="search" name="q"' in html
    assert '<label class="visually-hidden" for="site-search">Search this site</label>' in html


def test_a_site_without_a_search_page_gets_no_index(site: Path, run) -> None:
    assert run("build", "--no-cache").code == 0
    assert not (site / "_site/pagefind").exists()
    assert "wasm" not in (site / "_site/_headers").read_text()


def test_serve_keeps_its_first_index_and_the_search_page_says_so(clinic_site: Path) -> None:
    """A rebuild with reindex=False (serve after its first build) keeps the index; serve's
    search page then says that its index is older than the edits."""
    from sitegen import memo as memo_mod
    from sitegen import pipeline, serve

    out = clinic_site / "_site"
    options = pipeline.Options(out=out, cache=None)
    memo = memo_mod.load(None)  # one memo for the session, as serve keeps
    pipeline.build(options, memo)
    first = {p.name: p.read_bytes() for p in (out / "pagefind/index").iterdir()}
    page = clinic_site / "content/causes/kyphosis.md"
    page.write_text(page.read_text() + "\nA zanzibarword for the test.\n")
    pipeline.build(replace(options, reindex=False), memo)
    kept = {p.name: p.read_bytes() for p in (out / "pagefind/index").iterdir()}
    assert kept == first, "the index was kept"
    pipeline.build(options, memo)
    assert {p.name for p in (out / "pagefind/index").iterdir()} != set(first), "made again"
    shown = serve._with_search_note(out / "search/index.html").decode()
    assert "search uses the index made when <code>serve</code> started" in shown
    assert shown.index("Preview: search") < shown.index('<div id="search-app"')


def test_pagefind_failing_is_a_clear_error(
    clinic_site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(pages: object, language: str) -> dict[str, bytes]:
        raise FileNotFoundError("Could not find pagefind binary")

    monkeypatch.setattr(search, "_run_pagefind", broken)
    result = run("build", "--no-cache")
    assert result.code == 1
    assert "pagefind: the search index could not be made: Could not find pagefind binary" in (
        result.err
    )
    assert "hint: install the project again (`make .venv/.installed`)" in result.err
    assert not (clinic_site / "_site").exists(), "nothing is written"


def test_replies_larger_than_pagefinds_read_limit_are_read_whole() -> None:
    """A large site's index comes back in one reply of many megabytes: the reader takes
    it (and the reply after it) whole, where readuntil's 2 MB limit would stop it and
    leave the build waiting for ever."""
    import asyncio
    import base64
    import json
    import types

    def reply(message_id: int, payload: dict) -> bytes:
        text = json.dumps({"message_id": message_id, "payload": payload}).encode()
        return base64.b64encode(text) + b","

    big = {"type": "GetFiles", "files": ["x" * (3 << 20)]}

    async def scenario() -> tuple[dict, dict]:
        service = search._service()
        stream = asyncio.StreamReader(limit=2**21)
        service._backend = types.SimpleNamespace(stdout=stream)
        loop = asyncio.get_running_loop()
        first, second = loop.create_future(), loop.create_future()
        service._responses = {1: first, 2: second}
        reader = asyncio.ensure_future(service._wait_for_responses())
        data = reply(1, big) + reply(2, {"type": "Ok"})
        for at in range(0, len(data), 100_000):  # as a pipe delivers it, in pieces
            stream.feed_data(data[at : at + 100_000])
            await asyncio.sleep(0)
        stream.feed_eof()
        done = await asyncio.wait_for(asyncio.gather(first, second), timeout=10)
        await reader
        return done[0], done[1]

    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:  # a loop of its own: another test may leave one running
        first, second = pool.submit(asyncio.run, scenario()).result()
    assert len(first["files"][0]) == 3 << 20
    assert second == {"type": "Ok"}
