"""Cached, parallel and incremental builds give exactly the bytes of a clean one-process build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import tree_hashes

PAGES = 120  # enough to use worker processes


def generate(site: Path) -> None:
    """Add many linked pages to the fixture site."""
    folder = site / "content/causes"
    for n in range(PAGES):
        nxt = f"gen-{(n + 1) % PAGES:03d}.md"
        (folder / f"gen-{n:03d}.md").write_text(
            f"---\ntitle: Generated {n}\ndescription: Page {n}.\nweight: {n % 7}\n"
            f"treatments: [physical-therapy]\n---\n## Part {n}\n\nText {n} with a "
            f"[link]({nxt}#part-{(n + 1) % PAGES}).\n\n| a | b |\n|---|---|\n| {n} | x |\n"
        )


def clean_build(run, site: Path, out: str) -> dict[str, str]:
    assert run("build", "--no-cache", "--jobs", "1", "--out", out).code == 0
    return tree_hashes(site / out)


def cached_build(run, site: Path) -> dict[str, str]:
    result = run("build", "--jobs", "2")
    assert result.code == 0, result.err
    return tree_hashes(site / "_site")


EDITS = {
    "body edit": lambda s: _replace(s / "content/causes/gen-005.md", "Text 5", "Words 5"),
    "title edit": lambda s: _replace(s / "content/causes/gen-007.md", "Generated 7", "Made 7"),
    "deletion": lambda s: (
        (s / "content/causes/gen-119.md").unlink()
        or _replace(s / "content/causes/gen-118.md", "gen-119.md#part-119", "gen-000.md")
    ),
    "template change": lambda s: _replace(s / "templates/base.html", "<main>", "<main id=m>"),
    "static change": lambda s: (s / "static/css/site.css").write_text("p { color: red }\n"),
    "config change": lambda s: _replace(s / "content/site.yaml", "Fixture Clinic", "A Clinic"),
}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize("edit", EDITS)
def test_cached_parallel_build_after_an_edit_equals_a_clean_build(site: Path, run, edit) -> None:
    generate(site)
    assert cached_build(run, site) == clean_build(run, site, "clean-before")
    EDITS[edit](site)
    after = cached_build(run, site)
    assert after == clean_build(run, site, "clean-after")
    assert after != tree_hashes(site / "clean-before")


def test_unchanged_rebuild_renders_nothing(site: Path, run) -> None:
    generate(site)
    assert run("build").code == 0
    again = run("build")
    assert "(0 rendered, 127 unchanged; 0 converted from Markdown)" in again.out
    _replace(site / "content/causes/gen-005.md", "Text 5", "Words 5")
    edited = run("build")
    assert "(1 rendered, 126 unchanged; 1 converted from Markdown)" in edited.out


def test_corrupt_cache_is_detected_and_rebuilt(site: Path, run) -> None:
    generate(site)
    assert run("build").code == 0
    expected = tree_hashes(site / "_site")
    index = site / ".cache/index.pickle"
    data = bytearray(index.read_bytes())
    data[len(data) // 2] ^= 0xFF
    index.write_bytes(bytes(data))
    for body in list((site / ".cache/bodies").iterdir())[:5]:
        body.write_bytes(body.read_bytes()[:-10] + b"<script>")
    shutil.rmtree(site / "_site")
    result = run("build")
    assert result.code == 0
    assert "(127 rendered, 0 unchanged" in result.out
    assert tree_hashes(site / "_site") == expected


def test_a_hand_edited_output_file_is_rewritten(site: Path, run) -> None:
    assert run("build").code == 0
    page = site / "_site/causes/kyphosis/index.html"
    good = page.read_bytes()
    page.write_bytes(good.replace(b"Kyphosis", b"Tampered"))
    assert run("build").code == 0
    assert page.read_bytes() == good


def test_an_edit_appends_to_the_journal_and_a_damaged_journal_is_not_trusted(
    site: Path, run
) -> None:
    generate(site)
    assert run("build").code == 0
    index = site / ".cache/index.pickle"
    before = index.read_bytes()
    _replace(site / "content/causes/gen-005.md", "Text 5", "Words 5")
    assert "(1 rendered, 126 unchanged; 1 converted" in run("build").out
    journal = site / ".cache/index.journal"
    assert index.read_bytes() == before and journal.stat().st_size > 0, "only the change"
    _replace(site / "content/causes/gen-006.md", "Text 6", "Words 6")
    assert "(1 rendered, 126 unchanged; 1 converted" in run("build").out
    expected = tree_hashes(site / "_site")
    data = bytearray(journal.read_bytes())
    data[-20] ^= 0xFF  # the second record is damaged; the first still counts
    journal.write_bytes(bytes(data))
    shutil.rmtree(site / "_site")
    result = run("build")
    assert result.code == 0
    assert "(1 rendered, 126 unchanged; 1 converted" in result.out, "gen-006 again"
    assert tree_hashes(site / "_site") == expected


def test_an_unchanged_page_is_checked_again_when_what_it_links_to_changes(site: Path, run) -> None:
    generate(site)
    assert run("build").code == 0
    _replace(site / "content/causes/gen-006.md", "## Part 6", "## Section 6")
    result = run("build")
    assert result.code == 1
    assert "content/causes/gen-005.md:" in result.err
    assert "the link goes to #part-6, which is not a heading in content/causes/gen-006.md" in (
        result.err
    )


def test_the_warnings_of_unchanged_pages_are_shown_on_every_build(
    site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(site)
    _replace(site / "content/causes/gen-010.md", "Text 10", "Call 555-0123. Text 10")
    first = run("build")
    warned = "gen-010.md:9: warning: this line has a placeholder phone number (555-0123)"
    assert warned in first.err, first.err
    _replace(site / "content/causes/gen-011.md", "Text 11", "Words 11")
    again = run("build")
    assert "(1 rendered, 126 unchanged" in again.out
    assert warned in again.err
    shown = "  9 | Call 555-0123. Text 10"
    assert shown in again.err
    import sitegen.report

    def unread(path: str) -> list[str]:
        raise AssertionError(f"{path} was read again to show a warning")

    monkeypatch.setattr(sitegen.report, "_lines_of", unread)
    recalled = run("build")  # nothing changed: the last build's warnings, lines and all
    assert "(0 rendered, 127 unchanged" in recalled.out
    assert f"{warned}\n{shown}" in recalled.err


def test_an_index_written_in_many_pieces_is_read_back_whole(
    site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sitegen.memo

    monkeypatch.setattr(sitegen.memo, "CHUNK", 7)  # every table in many pickles
    generate(site)
    assert run("build").code == 0
    _replace(site / "content/causes/gen-005.md", "Text 5", "Words 5")
    (site / ".cache/index.journal").unlink(missing_ok=True)
    (site / ".cache/published.pickle").unlink()
    assert "(1 rendered, 126 unchanged; 1 converted from Markdown)" in run("build").out


def test_a_site_too_large_to_hold_its_files_builds_the_same(
    site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sitegen.pipeline

    generate(site)
    expected = clean_build(run, site, "clean")
    monkeypatch.setattr(sitegen.pipeline, "KEPT_BYTES", 2000)  # a few files' bytes kept
    assert cached_build(run, site) == expected
    _replace(site / "content/causes/gen-005.md", "Text 5", "Words 5")
    edited = run("build")
    assert "(1 rendered, 126 unchanged; 1 converted from Markdown)" in edited.out
    assert tree_hashes(site / "_site") == clean_build(run, site, "clean-after")


def test_a_file_saved_while_the_site_is_built_is_an_error_not_a_mixed_page(
    site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sitegen.pipeline

    generate(site)
    monkeypatch.setattr(sitegen.pipeline, "KEPT_BYTES", 0)  # every file read again to load
    real = sitegen.pipeline.read_sources

    def then_saved(content: Path, *args: object) -> object:
        found = real(content, *args)
        _replace(site / "content/causes/gen-009.md", "Text 9", "Saved 9")
        return found

    monkeypatch.setattr(sitegen.pipeline, "read_sources", then_saved)
    result = run("build")
    assert result.code == 1
    assert "content/causes/gen-009.md: the file changed while the site was being built" in (
        result.err
    )
    assert "hint: build again" in result.err


def test_a_journal_grown_large_is_folded_into_a_new_index(site: Path, run) -> None:
    generate(site)
    assert run("build").code == 0
    index, journal = site / ".cache/index.pickle", site / ".cache/index.journal"
    _replace(site / "content/causes/gen-001.md", "Text 1", "Words 1")
    assert run("build").code == 0 and journal.exists()
    before = index.read_bytes()
    for n in range(2, 80):  # most pages change: their record would outgrow a quarter
        _replace(site / f"content/causes/gen-{n:03d}.md", f"Text {n} ", f"Words {n} ")
    assert "(78 rendered" in run("build").out
    assert not journal.exists() and index.read_bytes() != before
    expected = tree_hashes(site / "_site")
    shutil.rmtree(site / "_site")
    assert "(0 rendered, 127 unchanged" in run("build").out, "the new index holds them all"
    assert tree_hashes(site / "_site") == expected


def test_the_cache_forgets_what_no_build_needs_any_more(site: Path, run) -> None:
    """After an edit, the old version's converted body and rendered page are deleted from
    .cache/: the cache holds one of each per page, however many edits are made."""
    generate(site)
    assert run("build").code == 0

    def kept() -> tuple[int, int]:
        return tuple(len(list((site / ".cache" / kind).iterdir())) for kind in ("pages", "bodies"))

    first = kept()
    old = "Text 5"
    for n in range(3):
        _replace(site / "content/causes/gen-005.md", old, old := f"Edit {n}")
        assert "(1 rendered" in run("build").out
    # 127 pages; and the 404 page, a redirect page and five machine-read files (pages only)
    assert kept() == first == (127 + 7, 127)
