"""Finding a page in the patient's own words (issue 15): the `keywords` field, the A to Z
page built from every page by itself, and the search index the build makes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sitegen import atoz
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
