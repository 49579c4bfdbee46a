"""`build.py new SECTION "Title"`: start a page with every field of its kind explained.

Required fields get a value that builds: the title, a 'TODO' description (which `check`
reports until it is replaced), today's date, and for articles the first clinician as
author. Optional fields are either empty lists or written as comments with an example,
so nothing untrue (a review date, a reviewer) is published by accident.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .content import KINDS, field_table, is_ignored, kind_of, slugify, today
from .errors import SiteError, did_you_mean, display_path
from .model import url_for

SECTION_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class Line:
    """How `new` writes one field: its value (None: commented out) and what it is for."""

    help: str
    value: str | None = None
    example: str = ""


@dataclass(frozen=True, slots=True)
class NewPage:
    """A page `new` wrote: where it is and the address it will have."""

    path: Path
    shown: str
    url: str


def clinicians(content: Path) -> list[str]:
    """The short names of the clinicians' pages, sorted."""
    folder = content / "clinicians"
    names = folder.glob("*.md") if folder.is_dir() else []
    return sorted(slugify(p.name) for p in names if p.name != "index.md" and not is_ignored(p.name))


def field_lines(kind: str, title: str, content: Path) -> dict[str, Line]:
    """Every field a page of `kind` may have, as `new` writes it."""
    people = clinicians(content)
    who = people[0] if people else "doran-hendelman"
    names = ", ".join(people) if people else "none yet: add a page to content/clinicians/"
    slug_help = f"a clinician's short name, the file name in content/clinicians/ ({names})"
    date = today().isoformat()
    lines = {
        "title": Line("The page's heading, also shown in the browser tab.", _q(title)),
        "description": Line(
            "One sentence for search results and page cards (at most 160 characters).",
            _q(f"TODO: one sentence about {title}."),
        ),
        "summary": Line(
            "The main message, shown in large text under the title.",
            _q("TODO: the main message of this page, in one or two short sentences."),
        ),
        "date": Line("The day the page was first published (YYYY-MM-DD).", date),
        "updated": Line("The day of the last real change to the page.", example=date),
        "reviewed": Line(
            "The day of the last clinical review; the next one is due 12 months later.",
            example=date,
        ),
        "reviewed_by": Line(f"Who did the clinical review: {slug_help}.", example=who),
        "author": Line(f"Who wrote the page: {slug_help}.", example=who),
        "sources": Line(
            "Public sources for the facts on this page.\n"
            "Replace [] with three lines for each source, like:\n"
            "  - title: Back pain\n    publisher: NHS\n"
            "    url: https://www.nhs.uk/conditions/back-pain/",
            "[]",
        ),
        "draft": Line("true keeps the page off the published site while you work on it.", "false"),
        "weight": Line("Order in lists and menus: lower numbers come first.", "10"),
        "aliases": Line("Old addresses of this page, each sent here, e.g. [/old-address/].", "[]"),
        "template": Line("Only to use another layout than the usual one.", example="page.html"),
        "related": Line("Other pages to list under 'Related pages', e.g. [/self-care/].", "[]"),
    }
    return {**lines, **_extra_lines(kind, who)}


def _extra_lines(kind: str, who: str) -> dict[str, Line]:
    """The fields only some kinds of page have."""
    treatments = "Treatment pages, by file name in content/treatments/, e.g. [physical-therapy]."
    if kind == "causes":
        return {
            "treatments": Line(treatments, "[]"),
            "symptoms": Line("Short symptom phrases, shown as a list, e.g. [Stiffness].", "[]"),
        }
    if kind == "treatments":
        return {"visits": Line("How many visits are typical.", example=_q("Often 4 to 8 visits."))}
    if kind == "articles":
        return {"author": Line("Who wrote the article (required): a clinician's short name.", who)}
    if kind == "clinicians":
        return _clinician_lines(treatments)
    if kind == "page":
        return {
            "faq": Line(
                "true for a page of questions: each ## heading ends in '?'.", example="true"
            )
        }
    return {}


def _clinician_lines(treatments: str) -> dict[str, Line]:
    """A clinician's profile fields."""
    return {
        "role": Line("Their job, shown with the name (required).", _q("TODO: e.g. Chiropractor")),
        "credentials": Line("Letters after the name.", _q("TODO: e.g. D.C.")),
        "education": Line(
            "Degrees, each as {degree: ..., school: ..., year: ...} (year may be left out).",
            "[]",
        ),
        "training": Line("Residencies and certifications, one item each.", "[]"),
        "interests": Line("Clinical interests, one item each.", "[]"),
        "techniques": Line("Techniques they use, one item each.", "[]"),
        "treatments": Line(treatments, "[]"),
        "personal": Line("A short personal note.", example=_q("Outside work, Sam enjoys hiking.")),
    }


def _q(text: str) -> str:
    """Text as a YAML value that stays text whatever it holds (colons, quotes, #)."""
    return json.dumps(text, ensure_ascii=False)


def page_text(kind: str, title: str, content: Path) -> str:
    """The whole new file: commented front matter for every field, then a starting text."""
    lines = field_lines(kind, title, content)
    out = ["---"]
    for name in field_table(kind):
        line = lines[name]
        out += [f"# {part}" for part in line.help.split("\n")]
        out.append(
            f"{name}: {line.value}" if line.value is not None else f"# {name}: {line.example}"
        )
    out += ["---", "", "TODO: write the page here. Start with the most important point.", ""]
    out += ["## TODO: a heading", "", "TODO: more text. Keep sentences short.", ""]
    return "\n".join(out)


def section_problem(content: Path, section: str) -> SiteError | None:
    """A section must be a simple folder name: an existing one, or a known kind of page."""
    if not SECTION_NAME.fullmatch(section):
        hint = "use a folder name in content/ like causes or self-care (lowercase, dashes)"
        return SiteError(f"'{section}' is not a section name", hint=hint)
    known = {p.name for p in content.iterdir() if p.is_dir() and not is_ignored(p.name)}
    if section in known | set(KINDS):
        return None
    return SiteError(
        f"there is no section '{section}' in {display_path(content)}/",
        hint=did_you_mean(section, known | set(KINDS)),
    )


def new_page(content: Path, section: str, title: str) -> NewPage | SiteError:
    """Write content/SECTION/<slug>.md, or say why not; never overwrite a page."""
    if not content.is_dir():
        return SiteError(f"there is no content folder at {display_path(content)}")
    problem = section_problem(content, section)
    if problem:
        return problem
    slug = slugify(title)
    if not slug or slug == "index":
        hint = 'use a title with letters in it, like "Rib pain"'
        return SiteError(f"the title {title!r} cannot become a file name", hint=hint)
    rel = f"{section}/{slug}.md"
    path = content / rel
    clash = _existing(content / section, slug)
    if clash is not None:
        hint = "pick another title, or edit the page that is already there"
        return SiteError(
            f"{display_path(clash)} already exists; new never replaces a page", hint=hint
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_text(kind_of(rel), title.strip(), content), encoding="utf-8")
    return NewPage(path, display_path(path), url_for(rel))


def _existing(folder: Path, slug: str) -> Path | None:
    """A page in `folder` that already has this address ('Rib-Pain.md' for 'rib-pain')."""
    if not folder.is_dir():
        return None
    return next((p for p in sorted(folder.glob("*.md")) if slugify(p.name) == slug), None)
