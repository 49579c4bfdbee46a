"""The fixture site, built and compared file by file with its committed expected output.

Regenerate on purpose with UPDATE_GOLDEN=1 pytest tests/test_golden.py.
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

from support import tree_hashes

GOLDEN = Path(__file__).resolve().parent / "golden" / "site"


def test_fixture_site_matches_golden_files(site: Path, run) -> None:
    result = run("build")
    assert result.code == 0, result.err
    built = site / "_site"
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(built, GOLDEN)
    expected, actual = tree_hashes(GOLDEN), tree_hashes(built)
    assert sorted(actual) == sorted(expected), "files added or missing in the built site"
    diffs = []
    for name in sorted(expected):
        if expected[name] != actual[name]:
            want = (GOLDEN / name).read_text(encoding="utf-8").splitlines()
            got = (built / name).read_text(encoding="utf-8").splitlines()
            diffs += difflib.unified_diff(want, got, f"golden/{name}", f"built/{name}", lineterm="")
    assert not diffs, "\n".join(diffs)
