"""`build.py new SECTION "Title"`: a page with every field of its kind that builds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from support import messages

from sitegen.errors import SiteError
from sitegen.kinds import field_table, kind_of

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("section", ["causes", "symptoms", "treatments", "clinicians", "articles"])
def test_new_page_builds_with_every_field_of_its_kind(site: Path, run, section: str) -> None:
    result = run("new", section, "Rib pain")
    assert result.code == 0, result.err
    page = site / "content" / section / "rib-pain.md"
    assert result.out.splitlines()[:2] == [
        f"created content/{section}/rib-pain.md",
        f"its address will be /{section}/rib-pain/"
        f" (published at https://fixture.example.org/{section}/rib-pain/)",
    ]
    text = page.read_text()
    for name in field_table(kind_of(f"{section}/rib-pain.md")):
        assert re.search(rf"^(# )?{name}:", text, re.MULTILINE), f"{name} is not in the page"
        assert re.search(rf"^# .+\n(# )?{name}:", text, re.MULTILINE), f"{name} has no comment"
    built = run("build", "--drafts")
    assert built.code == 0, built.err
    html = (site / "_site" / section / "rib-pain" / "index.html").read_text()
    assert "<h1>Rib pain</h1>" in html


@pytest.mark.parametrize("section", ["causes", "treatments", "clinicians", "articles", "self-care"])
def test_new_page_builds_in_the_shipped_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run, section: str
) -> None:
    for folder in ("content", "templates", "static"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    assert run("new", section, "Rib pain").code == 0
    built = run("build", "--drafts")
    assert built.code == 0, built.err
    assert "Rib pain" in (tmp_path / "_site" / section / "rib-pain/index.html").read_text()


def test_new_page_in_a_plain_section(site: Path, run) -> None:
    (site / "content/self-care").mkdir()
    assert run("new", "self-care", "Heat and ice").code == 0
    assert run("build", "--drafts").code == 0
    assert (site / "_site/self-care/heat-and-ice/index.html").is_file()


def test_an_article_names_an_existing_clinician_as_author(site: Path, run) -> None:
    run("new", "articles", "Desk set-up")
    assert "\nauthor: pat-lee\n" in (site / "content/articles/desk-set-up.md").read_text()


def test_a_title_with_colons_and_quotes_stays_text(site: Path, run) -> None:
    assert run("new", "causes", 'Pain: "sharp" or dull? #1').code == 0
    assert run("build", "--drafts").code == 0
    html = (site / "_site/causes/pain-sharp-or-dull-1/index.html").read_text()
    assert "<h1>Pain: &#34;sharp&#34; or dull? #1</h1>" in html


def test_check_reminds_to_replace_the_placeholders(site: Path, run) -> None:
    run("new", "causes", "Rib pain")
    lines = run("check", "--drafts").out.splitlines()
    assert (
        "content/causes/rib-pain.md:5: warning: the page still has placeholder text (TODO)" in lines
    )
    assert not [line for line in run("check").out.splitlines() if "rib-pain" in line]


def test_new_never_overwrites_a_page(site: Path, run) -> None:
    assert run("new", "causes", "Rib pain").code == 0
    page = site / "content/causes/rib-pain.md"
    page.write_text(page.read_text() + "My own words.\n")
    before = page.read_text()
    result = run("new", "causes", "Rib pain")
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        "content/causes/rib-pain.md already exists; new never replaces a page"
    )
    assert page.read_text() == before


def test_new_refuses_a_title_that_gives_an_existing_address(site: Path, run) -> None:
    before = (site / "content/causes/kyphosis.md").read_text()
    result = run("new", "causes", "KYPHOSIS!")
    assert result.code == 1
    assert "content/causes/kyphosis.md already exists" in result.err
    assert (site / "content/causes/kyphosis.md").read_text() == before


@pytest.mark.parametrize(
    ("section", "message", "hint"),
    [
        ("cuases", "there is no section 'cuases' in content/", "did you mean 'causes'?"),
        ("../etc", "'../etc' is not a section name", "use a folder name in content/"),
        ("zzz", "there is no section 'zzz' in content/", "known sections: articles, causes,"),
        ("Causes", "'Causes' is not a section name", "use a folder name in content/"),
    ],
)
def test_new_refuses_a_bad_section(site: Path, run, section: str, message: str, hint: str) -> None:
    before = sorted(p.as_posix() for p in (site / "content").rglob("*"))
    result = run("new", section, "Rib pain")
    assert result.code == 1
    assert result.err.splitlines()[0] == message
    assert result.err.splitlines()[1].startswith(f"  hint: {hint}")
    assert sorted(p.as_posix() for p in (site / "content").rglob("*")) == before


def test_new_refuses_a_title_without_letters(site: Path, run) -> None:
    result = run("new", "causes", "!!!")
    assert result.code == 1
    assert result.err.startswith("the title '!!!' cannot become a file name")


def test_new_writes_a_draft_that_the_build_refuses_to_publish_unfinished(site: Path, run) -> None:
    assert run("new", "causes", "Rib pain").code == 0
    page = site / "content/causes/rib-pain.md"
    assert "\ndraft: true\n" in page.read_text()
    assert run("build").code == 0, "a draft is left out, so its TODOs stop nothing"
    page.write_text(page.read_text().replace("\ndraft: true\n", "\ndraft: false\n"))
    result = run("build")
    assert result.code == 1
    assert (
        "content/causes/rib-pain.md:5: text left from the template of `build.py new`:"
        " 'TODO: one sentence about'"
    ) in messages(result.err)
    assert (
        "  hint: replace it with the page's own words; to keep working on the page"
        " unpublished, set `draft: true`"
    ) in messages(result.err)


def test_a_title_too_long_for_a_file_name_is_refused(site: Path, run) -> None:
    result = run("new", "causes", "Pain " * 40)
    assert result.code == 1
    assert "the title is too long for a file name (" in result.err
    assert not list((site / "content/causes").glob("pain-pain*")), "no file is left"


def test_a_title_with_bytes_that_are_not_text_is_refused(site: Path) -> None:
    from sitegen.scaffold import new_page

    made = new_page(site / "content", "causes", "Rib \udcff pain")  # as a shell passes bad bytes
    assert isinstance(made, SiteError)
    assert made.message == "the title 'Rib \ufffd pain' has characters that are not text"
    assert not (site / "content/causes/rib-pain.md").exists()


def test_a_failed_write_leaves_no_empty_page(site: Path, run, monkeypatch) -> None:
    import errno

    def full(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    result = run("new", "causes", "Rib pain")
    assert result.code == 1
    assert "could not write content/causes/rib-pain.md: No space left on device" in result.err
    assert sorted(p.name for p in (site / "content/causes").iterdir() if "rib" in p.name) == []
