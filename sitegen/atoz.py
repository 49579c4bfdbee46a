"""The A to Z: every health topic and every patient's word for one, grouped by letter.

A pure function of the site's pages, so a new page (or a new keyword) shows up by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .kinds import KINDS
from .model import Page

A_TO_Z_URL = "/a-z/"
OTHER = "#"  # the group of entries that do not start with a letter A to Z


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the A to Z: a topic, or a keyword that points to its topic."""

    label: str  # 'Herniated disc' or 'Slipped disc'
    url: str
    see: str = ""  # for a keyword: the title of the page it points to

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.label.casefold(), self.see.casefold(), self.url)


@dataclass(frozen=True, slots=True)
class Group:
    """The entries under one letter."""

    letter: str
    entries: tuple[Entry, ...]

    @property
    def anchor(self) -> str:
        return "letter-" + ("other" if self.letter == OTHER else self.letter.lower())


def is_topic(page: Page) -> bool:
    """A health topic: a page of a health kind, or any page with keywords (not home)."""
    if page.kind == "home" or page.url == A_TO_Z_URL:
        return False
    return KINDS[page.kind].health or bool(page.keywords)


def entries(pages: Iterable[Page]) -> list[Entry]:
    """Each topic's title, and each of its keywords that is not already a title."""
    topics = [page for page in pages if is_topic(page)]
    titles = {page.title.casefold() for page in topics}
    found: dict[tuple[str, str], Entry] = {}
    for page in topics:
        found[(page.title.casefold(), page.url)] = Entry(page.title, page.url)
        for word in page.keywords:
            label = capitalized(word.strip())
            if label and label.casefold() not in titles:
                found[(label.casefold(), page.url)] = Entry(label, page.url, page.title)
    return sorted(found.values(), key=lambda entry: entry.sort_key)


def groups(pages: Iterable[Page]) -> tuple[Group, ...]:
    """The entries grouped by their first letter, A to Z, then the rest under '#'."""
    by_letter: dict[str, list[Entry]] = {}
    for entry in entries(pages):
        by_letter.setdefault(letter_of(entry.label), []).append(entry)
    order = sorted(by_letter, key=lambda letter: (letter == OTHER, letter))
    return tuple(Group(letter, tuple(by_letter[letter])) for letter in order)


def letter_of(label: str) -> str:
    """'Slipped disc' -> 'S'; '3 causes' -> '#'."""
    first = label[:1].upper()
    return first if "A" <= first <= "Z" else OTHER


def capitalized(word: str) -> str:
    """'slipped disc' -> 'Slipped disc' (the rest as written: 'MRI scan' stays)."""
    return word[:1].upper() + word[1:]
