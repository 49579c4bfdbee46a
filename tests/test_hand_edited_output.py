"""A cached rebuild never keeps an output file that someone changed or removed by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import tree_hashes


@pytest.mark.parametrize("change", ["edited", "removed", "emptied"])
def test_a_rebuild_restores_a_hand_changed_output_file(site: Path, run, change: str) -> None:
    assert run("build", "--jobs", "1").code == 0
    clean = tree_hashes(site / "_site")
    page = site / "_site/causes/kyphosis/index.html"
    if change == "edited":
        page.write_text(page.read_text().replace("</main>", "<p>added by hand</p></main>"))
    elif change == "removed":
        page.unlink()
    else:
        page.write_text("")
    assert run("build", "--jobs", "1").code == 0
    assert tree_hashes(site / "_site") == clean
