"""The command line's promise about errors that no single invalid site can show.

Each mistake a staff member can make, with the exact message they see, is a folder in
tests/invalid/ (run by tests/test_invalid_sites.py, which also checks that no folder's build
prints a traceback).
"""

from __future__ import annotations

from pathlib import Path


def test_no_traceback_without_debug(site: Path, run) -> None:
    (site / "content/causes/a.md").write_text("no front matter\n")
    assert "Traceback" not in run("build").err
