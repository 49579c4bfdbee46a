"""Problems a person can fix, carried as values with a file and a line."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path


def by_fields(self: object) -> tuple:
    """`__reduce__` for a frozen slotted dataclass: pickled as its class and its fields in
    order, so unpickling is one call (the memo holds tens of thousands of such objects,
    and the default way sets each field through Python code)."""
    return (type(self), tuple(getattr(self, name) for name in self.__slots__))


@dataclass(frozen=True, slots=True)
class SiteError:
    """One problem: what is wrong, where, and how to fix it."""

    message: str
    path: str = ""
    line: int | None = None
    hint: str = ""
    warning: bool = False
    source: str = ""  # the offending line of the file, filled in for showing (report.py)

    __reduce__ = by_fields

    def location(self) -> str:
        """`path:line` (or just the path) for the start of the message."""
        if not self.path:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        where = self.location()
        head = f"{where}: {self.message}" if where else self.message
        return f"{head}\n  hint: {self.hint}" if self.hint else head


class BuildFailed(Exception):
    """Raised at a stage boundary when errors were collected; carries them all."""

    def __init__(self, errors: list[SiteError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def line_of(text: str, needle: str | re.Pattern[str], first: int = 1) -> int | None:
    """The number of the first line of `text` holding `needle` (a string or a pattern),
    counting the text's first line as `first`; None when no line does."""
    for number, line in enumerate(text.split("\n"), first):
        if needle.search(line) if isinstance(needle, re.Pattern) else needle in line:
            return number
    return None


def display_path(path: Path | str, root: Path | None = None) -> str:
    """A path as a person would type it: relative to `root` or the working folder."""
    # abspath, not resolve(): no system calls, and a link inside the project keeps its name
    full = os.path.abspath(path)
    for base in (root, os.getcwd()):
        if base is None:
            continue
        start = os.path.abspath(base)
        if full == start:
            return "."
        prefix = start.rstrip(os.sep) + os.sep
        if full.startswith(prefix):  # strings only: this runs for every file of every build
            return full[len(prefix) :].replace(os.sep, "/")
    return Path(path).as_posix()


def did_you_mean(word: str, choices: list[str] | set[str], what: str = "fields") -> str:
    """A hint naming the closest known word, or listing the choices (`what` they are)."""
    close = closest(word, choices)
    if close:
        return f"did you mean '{close}'?"
    return f"known {what}: " + ", ".join(sorted(choices))


def closest(word: str, choices: list[str] | set[str], cutoff: float = 0.6) -> str | None:
    """The known word most like `word` (a misspelling of it), or None."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=cutoff)
    return close[0] if close else None
