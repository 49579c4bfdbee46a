"""docs/editing.md stays true: its examples build, and its error messages are the real ones.

Blocks fenced as ```markdown are good examples: the first is a whole page, the others are
added to its text, and the page must build and pass `check` without errors. Each
```markdown mistake block is a whole file followed by a ```text build or ```text check block
with the message that file gives.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "editing.md"
PAGE = "content/causes/rib-pain.md"  # the file the guide's examples are written as
FENCE = re.compile(r"^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks() -> list[tuple[str, str]]:
    """Every fenced block of the guide: (info string, text)."""
    return [(m["info"].strip(), m["body"]) for m in FENCE.finditer(GUIDE.read_text())]


def mistakes() -> list[tuple[str, str, str]]:
    """(file text, command, expected output) for each mistake shown in the guide."""
    found = blocks()
    pairs = []
    for at, (info, text) in enumerate(found):
        if info == "markdown mistake":
            command_info, expected = found[at + 1]
            assert command_info in ("text build", "text check"), f"block {at + 1} has no output"
            pairs.append((text, command_info.split()[1], expected))
    return pairs


def test_the_guide_has_examples_of_everything_it_teaches() -> None:
    good = [text for info, text in blocks() if info == "markdown"]
    assert good[0].startswith("---\n"), "the first example is a whole page"
    joined = "\n".join(good)
    for needle in ("](kyphosis.md)", ".md#", "](/self-care/)", "> [!URGENT]", "![Three spines"):
        assert needle in joined
    assert PAGE in GUIDE.read_text()
    assert len(mistakes()) >= 10


def test_a_page_made_of_the_guides_examples_builds_and_checks(shipped: Path, run) -> None:
    page, *snippets = [text for info, text in blocks() if info == "markdown"]
    (shipped / PAGE).write_text(page + "\n" + "\n".join(snippets), encoding="utf-8")
    built = run("build")
    assert built.code == 0, built.err
    html = (shipped / "_site/causes/rib-pain/index.html").read_text()
    assert 'class="callout callout-urgent"' in html
    assert 'href="../kyphosis/"' in html
    assert 'href="../../treatments/physical-therapy/#what-happens-at-a-visit"' in html
    assert 'alt="Three spines side by side' in html
    assert (shipped / "_site/rib-ache/index.html").is_file(), "the alias example works"
    report = json.loads(run("check", "--format", "json").out)
    assert [e for e in report["errors"] if e["path"] == PAGE] == []


@pytest.mark.parametrize("text, command, expected", mistakes())
def test_each_mistake_gives_the_message_the_guide_shows(
    shipped: Path, run, text: str, command: str, expected: str
) -> None:
    (shipped / PAGE).write_text(text, encoding="utf-8")
    result = run(command)
    assert result.code == 1
    output = (result.err if command == "build" else result.out).splitlines()
    lines = expected.splitlines()
    starts = [i for i, line in enumerate(output) if line == lines[0]]
    assert any(output[i : i + len(lines)] == lines for i in starts), "\n".join(output)
