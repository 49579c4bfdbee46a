"""Printing problems for people: errors and warnings with their place and hint."""

from __future__ import annotations

import sys

from .errors import SiteError


def report(problems: list[SiteError]) -> None:
    """Print errors and warnings, each with its place and hint."""
    for problem in problems:
        label = "warning: " if problem.warning else ""
        where = problem.location()
        text = f"{where}: {label}{problem.message}" if where else f"{label}{problem.message}"
        print(text, file=sys.stderr)
        if problem.hint:
            print(f"  hint: {problem.hint}", file=sys.stderr)
