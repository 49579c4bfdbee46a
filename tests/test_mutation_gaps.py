"""Behaviour that no other test pinned down, found by `make mutation` (issue 17).

Each test asserts what a staff member or a patient would see; tests/mutation/README.md
names the mutant each one was written for."""

from __future__ import annotations

import ctypes
import errno
from pathlib import Path

import pytest
from support import leftovers, tree_hashes
from test_bad_input import apply, refuse

ROOT = Path(__file__).resolve().parent.parent
CLINICIAN = "content/clinicians/pat-lee.md"


@pytest.fixture
def good(site: Path, run) -> Path:
    """The fixture site after one good build."""
    assert run("build").code == 0
    return site


def test_a_degree_left_out_of_a_clinicians_education_is_an_error(good: Path, run) -> None:
    """A school without its degree would show an empty line in the clinician's profile."""
    text = (good / CLINICIAN).read_text(encoding="utf-8")
    text = text.replace("{degree: Doctor of Physical Therapy, school:", "{school:")
    apply(good, {CLINICIAN: text})
    assert refuse(good, run) == [
        f"{CLINICIAN}:6: 'education' should be a list where item 1 is a group with 'degree'"
        ' (got [{"school": "Test University", "year": 2016}])',
        "  hint: add `degree:`",
    ]


def test_links_left_open_between_closed_ones_are_refused(good: Path, run) -> None:
    """Each `)` closes one link: a paragraph where every other link is left open still
    has more open links than Python-Markdown can search through quickly."""
    body = "Intro.\n\n" + "[a](kyphosis.md [b](scoliosis.md) " * 40 + "\n"
    apply(good, {"content/causes/a.md": "---\ntitle: A\ndescription: B.\n---\n" + body})
    assert refuse(good, run) == [
        "content/causes/a.md:7: many links in this paragraph are never closed",
        "  hint: close each link's address with ): a link looks like [text](page.md)",
    ]


def test_a_page_moved_twice_keeps_both_old_addresses(shipped: Path, run) -> None:
    """Bookmarks and other sites' links to the first address must keep working too."""
    first = run("move", "content/causes/kyphosis.md", "content/causes/rounded-upper-back.md")
    assert first.code == 0, first.err
    again = run(
        "move", "content/causes/rounded-upper-back.md", "content/causes/thoracic-kyphosis.md"
    )
    assert again.code == 0, again.err
    page = (shipped / "content/causes/thoracic-kyphosis.md").read_text(encoding="utf-8")
    assert "\naliases: [/causes/kyphosis/, /causes/rounded-upper-back/]\n" in page
    built = run("build")
    assert built.code == 0, built.err
    for old in ("kyphosis", "rounded-upper-back"):
        redirect = (shipped / f"_site/causes/{old}/index.html").read_text(encoding="utf-8")
        assert 'content="0; url=../thoracic-kyphosis/"' in redirect


@pytest.mark.parametrize(
    ("line", "where", "field"),
    [
        ('  postal_code: "98101"\n', "7: 'address'", "postal_code"),
        ("  more: /causes/\n", "20: 'urgent'", "more"),
    ],
)
def test_a_required_part_left_out_of_site_yaml_is_named(
    good: Path, run, line: str, where: str, field: str
) -> None:
    """The postal code goes into every page's address; `more` is where the urgent box links."""
    text = (good / "content/site.yaml").read_text(encoding="utf-8")
    assert line in text
    apply(good, {"content/site.yaml": text.replace(line, "")})
    lines = refuse(good, run)
    assert lines[0].startswith(f"content/site.yaml:{where} should be a group with '{field}' (got ")
    assert lines[1] == f"  hint: add `{field}:`"


def test_a_base_url_ending_in_a_bare_question_mark_is_refused(good: Path, run) -> None:
    """ "https://example.org/?" has an empty query, but its ? would end up in every address."""
    text = (good / "content/site.yaml").read_text(encoding="utf-8")
    old = "base_url: https://fixture.example.org/\n"
    apply(good, {"content/site.yaml": text.replace(old, old.replace("/\n", "/?\n"))})
    assert refuse(good, run) == [
        "content/site.yaml:3: 'base_url' should be a web address with no ? or # part"
        ' (got "https://fixture.example.org/?")',
        "  hint: write only the site's address, like https://example.org/",
    ]


QUOTED_HEADING = """---
title: Quotes
description: A page with a quoted heading.
---
Text before.

> ## [!TIP] is how a tip starts
> A quoted heading is shown as it is written.
"""


def test_a_quoted_heading_starting_with_a_marker_stays_a_quote(site: Path, run) -> None:
    """Only a quoted paragraph starting with [!TYPE] makes a callout (as on GitHub)."""
    (site / "content/quotes.md").write_text(QUOTED_HEADING, encoding="utf-8")
    result = run("build")
    assert result.code == 0, result.err
    html = (site / "_site/quotes/index.html").read_text(encoding="utf-8")
    assert "callout" not in html
    assert '<blockquote>\n<h2 id="tip-is-how-a-tip-starts">[!TIP] is how a tip starts</h2>' in html


class _LibcWithoutSwap:
    """The C library of a system or file system that cannot swap two folders at once."""

    def __init__(self, error: int) -> None:
        self.error = error

    def renameat2(self, *args: object) -> int:
        ctypes.set_errno(self.error)
        return -1


@pytest.mark.parametrize("error", [errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP])
def test_the_new_site_is_put_in_place_where_folders_cannot_be_swapped(
    site: Path, run, monkeypatch: pytest.MonkeyPatch, error: int
) -> None:
    """Older kernels and some file systems lack the atomic swap: two renames do instead."""
    assert run("build").code == 0
    (site / "content/about.md").write_text("---\ntitle: New\ndescription: x\n---\nNew.\n")
    monkeypatch.setattr(ctypes, "CDLL", lambda *args, **kwargs: _LibcWithoutSwap(error))
    result = run("build")
    assert result.code == 0, result.err
    assert "New." in (site / "_site/about/index.html").read_text(encoding="utf-8")
    assert leftovers(site) == [], "no old or new folder is left"


def test_a_damaged_page_text_in_the_cache_is_never_published(site: Path, run) -> None:
    """A cache file cut short or changed on disk is converted again, not shown to patients."""
    assert run("build").code == 0
    kept = sorted((site / ".cache").rglob("*.html"))  # converted page texts, rendered pages
    assert kept
    for file in kept:
        file.write_bytes(file.read_bytes()[:-10] + b"<p>DAMAGED</p>")
    base = site / "templates/base.html"
    base.write_text(base.read_text(encoding="utf-8") + "<!-- edited -->\n", encoding="utf-8")
    assert run("build").code == 0  # the template changed: every page is rendered again
    assert run("build", "--no-cache", "--out", "clean").code == 0
    assert tree_hashes(site / "_site") == tree_hashes(site / "clean")


def test_a_move_rewrites_links_in_a_page_whose_front_matter_is_still_empty(
    shipped: Path, run
) -> None:
    """A page being written (its title not filled in yet) keeps working links too."""
    draft = shipped / "content/causes/new-page.md"
    draft.write_text("---\n---\nRead about [kyphosis](kyphosis.md).\n", encoding="utf-8")
    result = run("move", "content/causes/kyphosis.md", "content/causes/rounded-upper-back.md")
    assert result.code == 0, result.err
    assert "content/causes/new-page.md" in result.out
    assert draft.read_text(encoding="utf-8") == (
        "---\n---\nRead about [kyphosis](rounded-upper-back.md).\n"
    )


def test_a_page_too_deep_to_convert_does_not_hide_the_link_errors_of_the_pages_after_it(
    site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every error in a run is reported at once: the link check goes on past a page whose
    body could not be converted (pipeline.checked_links, `continue`, not `break`)."""
    import sitegen.pipeline

    real = sitegen.pipeline.convert

    def too_deep(page: object) -> object:
        if page.rel == "about.md":  # sorted before causes/...: the pages after it count
            raise RecursionError
        return real(page)

    monkeypatch.setattr(sitegen.pipeline, "convert", too_deep)
    page = site / "content/causes/kyphosis.md"  # scoliosis.md is a draft
    page.write_text(page.read_text() + "\nSee [the missing page](missing-page.md).\n")
    result = run("build", "--no-cache", "--jobs", "1")
    assert result.code == 1
    assert "content/about.md: the page is nested too deeply to convert" in result.err
    assert "the link to missing-page.md goes to a page that does not exist" in result.err


def test_the_preview_notes_an_old_search_index_only_after_a_rebuild(tmp_path: Path) -> None:
    """serve's first build makes the index: its search page has no note. From the first
    rebuild on, the index is older than the edits, and the page says so."""
    from sitegen import memo as memo_mod
    from sitegen import serve

    (tmp_path / "search").mkdir()
    (tmp_path / "search/index.html").write_text('<main><div id="search-app"></div></main>')
    state = serve.State(memo_mod.load(None), builds=1)
    assert serve._special_page(state, "search/", tmp_path) is None
    state.builds = 2
    status, body = serve._special_page(state, "search/index.html", tmp_path)
    assert status == 200 and b"Preview: search uses the index made when" in body
    assert serve._special_page(state, "causes/", tmp_path) is None


def test_a_photo_description_may_be_150_characters_and_no_more(site: Path, run) -> None:
    from test_media import phone_photo, with_photo

    photo = "photo: /images/team/pat-lee.jpg\n"
    with_photo(site, phone_photo(), photo + f"photo_alt: {'a' * 150}\n")
    assert run("build").code == 0
    page = site / "content/clinicians/pat-lee.md"
    page.write_text(page.read_text().replace("a" * 150, "a" * 151))
    result = run("build")
    assert result.code == 1
    assert "'photo_alt'" in result.err and "150" in result.err, result.err
