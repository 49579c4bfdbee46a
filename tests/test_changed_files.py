"""serve's rebuilds read only what the watcher saw change (pipeline.read_sources, and
the watcher's list of paths)."""

from __future__ import annotations

import os
from pathlib import Path

from livereload.handlers import LiveReloadHandler

from sitegen import pipeline
from sitegen.serve import EventWatcher


def _site(root: Path) -> Path:
    content = root / "content"
    (content / "causes").mkdir(parents=True)
    for name in ("index.md", "causes/a.md", "causes/b.md"):
        (content / name).write_text(f"---\ntitle: {name}\n---\nText of {name}.\n")
    return content


def _keys(found: pipeline.Found) -> dict[str, str]:
    return {s.path.as_posix(): s.key for s in found.sources}


def _abs(path: Path) -> str:
    return os.path.abspath(path)


def test_files_the_watcher_did_not_report_are_not_read_again(tmp_path: Path) -> None:
    content = _site(tmp_path)
    first = pipeline.read_sources(content)
    last = pipeline.sources_read(first)
    a, b = content / "causes/a.md", content / "causes/b.md"
    a.write_text("---\ntitle: A\n---\nNew text.\n")
    b.write_text("---\ntitle: B\n---\nAlso new.\n")
    again = pipeline.read_sources(content, last, frozenset([_abs(a)]))
    assert _keys(again)[a.as_posix()] != _keys(first)[a.as_posix()]
    assert _keys(again)[b.as_posix()] == _keys(first)[b.as_posix()], "b was not reported"
    assert list(_keys(again)) == list(_keys(first))
    fresh = pipeline.read_sources(content, last, None)  # None: the watcher may have missed some
    assert _keys(fresh)[b.as_posix()] != _keys(first)[b.as_posix()]


def test_a_file_added_or_removed_is_found_by_walking_again(tmp_path: Path) -> None:
    content = _site(tmp_path)
    last = pipeline.sources_read(pipeline.read_sources(content))
    new = content / "causes/c.md"
    new.write_text("---\ntitle: C\n---\nText.\n")
    added = pipeline.read_sources(content, last, frozenset([_abs(new)]))
    assert new.as_posix() in _keys(added)
    (content / "causes/a.md").unlink()
    gone = pipeline.read_sources(content, pipeline.sources_read(added), frozenset())
    assert (content / "causes/a.md").as_posix() in _keys(gone), "no report: the list as it was"
    removed = pipeline.read_sources(
        content, pipeline.sources_read(added), frozenset([_abs(content / "causes/a.md")])
    )
    assert (content / "causes/a.md").as_posix() not in _keys(removed)
    assert len(removed.sources) == 3


def test_changes_outside_the_content_folder_do_not_walk_it(tmp_path: Path, monkeypatch) -> None:
    content = _site(tmp_path)
    last = pipeline.sources_read(pipeline.read_sources(content))
    walked = []
    monkeypatch.setattr(pipeline, "find_sources", lambda root: walked.append(root) or ([], []))
    template = _abs(tmp_path / "templates/page.html")
    found = pipeline.read_sources(content, last, frozenset([template]))
    assert not walked and len(found.sources) == 3


def test_a_site_with_problems_is_read_whole_every_time(tmp_path: Path) -> None:
    content = _site(tmp_path)
    (tmp_path / "outside.md").write_text("---\ntitle: Out\n---\nText.\n")
    (content / "causes/outside.md").symlink_to(tmp_path / "outside.md")  # refused
    found = pipeline.read_sources(content)
    assert found.problems
    assert pipeline.sources_read(found) == {}


class _Loop:
    """Stands in for tornado's loop: the timers are not what is tested here."""

    def call_later(self, delay: float, callback: object) -> object:
        return object()

    def remove_timeout(self, handle: object) -> None:
        pass


def test_the_first_rebuild_after_watching_begins_reads_everything(
    tmp_path: Path, monkeypatch
) -> None:
    """A save between the first build and the start of watching was not seen: the first
    rebuild is told nothing (read every file), later ones what was seen."""
    monkeypatch.setattr(LiveReloadHandler, "reload_waiters", lambda path: None)
    calls: list[frozenset[str] | None] = []
    watcher = EventWatcher([tmp_path], calls.append, lambda: None)
    watcher.loop = _Loop()
    watcher.changed([str(tmp_path / "a.md")])
    watcher._fire()
    watcher.changed([str(tmp_path / "b.md"), ""])
    watcher.changed([str(tmp_path / "c.md")])
    watcher._fire()
    watcher._fire()
    assert calls == [
        None,
        frozenset([_abs(tmp_path / "b.md"), _abs(tmp_path / "c.md")]),
        frozenset(),
    ]


def test_release_warnings_are_recalled_only_while_their_inputs_are_the_same(
    site: Path, monkeypatch
) -> None:
    """serve keeps each page's release warnings between rebuilds, keyed by the page's file,
    its reviewer's file and the day: a reviewer's consent or a new day shows at once."""
    from dataclasses import replace

    from sitegen import memo as memo_mod

    monkeypatch.setenv("SITEGEN_TODAY", "2024-06-01")
    memo = memo_mod.load(Path(".cache"))
    options = pipeline.Options(in_place=True)

    def messages(changed: frozenset[str] | None) -> list[str]:
        result = pipeline.build(replace(options, changed=changed), memo)
        return [w.message for w in result.warnings]

    not_agreed = "'reviewed_by' names pat-lee, who has not agreed to be named as a reviewer"
    assert not_agreed in messages(None)
    assert not_agreed in messages(frozenset())
    clinician = site / "content/clinicians/pat-lee.md"
    clinician.write_text(
        clinician.read_text().replace("---\nPat", "reviewer_consent: true\n---\nPat")
    )
    assert not_agreed not in messages(frozenset([_abs(clinician)]))
    old = "the clinical review is more than 12 months old (2024-02-29)"
    assert old not in messages(frozenset())
    monkeypatch.setenv("SITEGEN_TODAY", "2025-06-01")
    assert old in messages(frozenset())
