"""A build whose inputs have not changed recalls the last result and writes nothing, but
anything that could change the site (an option, the date, the output folder itself)
makes it build again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import tree_hashes


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    """Every output file's inode and modification time: a rewrite changes them."""
    found = {}
    for folder, _, names in os.walk(out):
        for name in names:
            stat = os.stat(os.path.join(folder, name))
            found[os.path.relpath(os.path.join(folder, name), out)] = (
                stat.st_ino,
                stat.st_mtime_ns,
            )
    return found


def test_an_unchanged_build_writes_nothing_and_says_so(site: Path, run) -> None:
    first = run("build")
    assert first.code == 0
    before = stamps(site / "_site")
    again = run("build")
    assert again.code == 0
    assert "(0 rendered, 7 unchanged; 0 converted from Markdown)" in again.out
    assert stamps(site / "_site") == before
    assert again.err == first.err, "the same warnings are shown again"


@pytest.mark.parametrize("change", ["added", "replaced", "folder added"])
def test_a_build_undoes_what_was_done_to_the_output_by_hand(site: Path, run, change) -> None:
    assert run("build").code == 0
    clean = tree_hashes(site / "_site")
    page = site / "_site/causes/kyphosis/index.html"
    if change == "added":
        (site / "_site/causes/stray.html").write_text("<p>left here by hand</p>")
    elif change == "replaced":  # as an editor saves: a new file renamed over the old one
        (site / "_site/causes/kyphosis/new.html").write_bytes(page.read_bytes() + b"<!-- x -->")
        os.replace(site / "_site/causes/kyphosis/new.html", page)
    else:
        (site / "_site/causes/extra").mkdir()
    assert run("build").code == 0
    assert tree_hashes(site / "_site") == clean
    assert not (site / "_site/causes/extra").exists()


def test_an_unchanged_site_is_checked_again_on_another_day(site: Path, run, monkeypatch) -> None:
    page = site / "content/causes/kyphosis.md"
    page.write_text(page.read_text().replace("reviewed: 2024-02-29", "reviewed: 2026-01-10"))
    monkeypatch.setenv("SITEGEN_TODAY", "2026-06-01")
    fresh = run("build")
    assert fresh.code == 0 and "kyphosis.md:5: warning: the clinical review" not in fresh.err
    monkeypatch.setenv("SITEGEN_TODAY", "2027-02-01")
    later = run("build")
    assert later.code == 0
    assert "kyphosis.md:5: warning: the clinical review is more than 12 months old" in later.err


def test_a_new_option_builds_again(site: Path, run) -> None:
    assert run("build").code == 0
    assert run("build", "--base-url", "https://clinic.example.net/").code == 0
    sitemap = (site / "_site/sitemap.xml").read_text()
    assert "https://clinic.example.net/causes/kyphosis/" in sitemap


def test_a_damaged_record_of_the_last_build_is_not_trusted(site: Path, run) -> None:
    assert run("build").code == 0
    expected = tree_hashes(site / "_site")
    record = site / ".cache/published.pickle"
    data = bytearray(record.read_bytes())
    data[len(data) // 2] ^= 0xFF
    record.write_bytes(bytes(data))
    (site / "_site/about/index.html").write_text("changed by hand")
    result = run("build")
    assert result.code == 0
    assert tree_hashes(site / "_site") == expected


def test_the_preview_replaces_only_the_files_that_changed(site: Path) -> None:
    """serve's rebuilds (in_place): an edit replaces its page (and the files that list
    it), each in one step; a page that comes or goes swaps the whole folder as a build does."""
    from sitegen import memo as memo_mod
    from sitegen import pipeline

    options = pipeline.Options(out=site / "_site", cache=None, in_place=True)
    memo = memo_mod.load(None)
    pipeline.build(options, memo)
    before = stamps(site / "_site")
    page = site / "content/causes/kyphosis.md"
    page.write_text(page.read_text().replace("curves forward", "Edited: curves forward"))
    pipeline.build(options, memo)
    after = stamps(site / "_site")
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    assert "causes/kyphosis/index.html" in changed
    assert "about/index.html" not in changed and len(changed) < len(after) / 2, changed
    assert "Edited" in (site / "_site/causes/kyphosis/index.html").read_text()
    assert not [p for p in (site / "_site").rglob(".*.tmp-*")], "no temporary files left"
    clean = pipeline.Options(out=site / "clean", cache=None)
    pipeline.build(clean)
    assert tree_hashes(site / "_site") == tree_hashes(site / "clean")
    (site / "content/causes/new-page.md").write_text(
        "---\ntitle: New page\ndescription: A page that comes.\n---\n\nSome words.\n"
    )
    pipeline.build(options, memo)
    assert (site / "_site/causes/new-page/index.html").is_file()
    assert stamps(site / "_site")["about/index.html"] != after["about/index.html"], "swapped"


def test_the_preview_copies_a_changed_static_file_never_links_it(site: Path) -> None:
    """A picture changed while serving is replaced by a copy: were it a link to the file
    in static/, editing the published copy would change the clinic's own."""
    from sitegen import memo as memo_mod
    from sitegen import pipeline

    options = pipeline.Options(out=site / "_site", cache=None, in_place=True)
    memo = memo_mod.load(None)
    pipeline.build(options, memo)
    picture = site / "static/images/curve.svg"
    picture.write_text(picture.read_text().replace("<svg", "<svg data-edited='1'", 1))
    pipeline.build(options, memo)
    published = site / "_site/images/curve.svg"
    assert published.read_bytes() == picture.read_bytes()
    assert published.stat().st_ino != picture.stat().st_ino
