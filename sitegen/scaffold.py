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

from .content import is_ignored, slugify, today
from .errors import SiteError, did_you_mean, display_path
from .kinds import field_table, kind_of, section_kinds
from .model import url_for

SECTION_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


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


def _q(text: str) -> str:
    """Text as a YAML value that stays text whatever it holds (colons, quotes, #)."""
    return json.dumps(text, ensure_ascii=False)


def page_text(kind: str, title: str, content: Path) -> str:
    """The whole new file: front matter with every field of the kind and its doc (from the
    table of kinds), then a starting text."""
    people = clinicians(content)
    values = {
        "title": title,
        "today": today().isoformat(),
        "clinician": people[0] if people else "doran-hendelman",
        "clinicians": ", ".join(people)
        if people
        else "none yet: add a page to content/clinicians/",
    }
    out = ["---"]
    for name, field in field_table(kind).items():
        out += [f"# {part}" for part in field.doc.format(**values).split("\n")]
        if field.starter is not None or field.required:  # a required field is written out
            value = field.starter if field.starter is not None else field.example
            out.append(f"{name}: {_yaml(value.format(**values))}")
        else:
            out.append(f"# {name}: {_yaml(field.example.format(**values))}")
    out += ["---", "", "TODO: write the page here. Start with the most important point.", ""]
    out += ["## TODO: a heading", "", "TODO: more text. Keep sentences short.", ""]
    return "\n".join(out)


PLAIN_YAML = re.compile(r"\[\]|true|false|\d+|\d{4}-\d\d-\d\d|\{.*\}|[a-z0-9.-]+")


def _yaml(value: str) -> str:
    """A value as written in front matter: lists, flags, dates, numbers and short names as
    they are; any other text quoted, so it stays text whatever it holds (colons, #)."""
    return value if PLAIN_YAML.fullmatch(value) else _q(value)


def section_problem(content: Path, section: str) -> SiteError | None:
    """A section must be a simple folder name: an existing one, or a known kind of page."""
    if not SECTION_NAME.fullmatch(section):
        hint = "use a folder name in content/ like causes or self-care (lowercase, dashes)"
        return SiteError(f"'{section}' is not a section name", hint=hint)
    known = {p.name for p in content.iterdir() if p.is_dir() and not is_ignored(p.name)}
    if section in known | set(section_kinds()):
        return None
    return SiteError(
        f"there is no section '{section}' in {display_path(content)}/",
        hint=did_you_mean(section, known | set(section_kinds()), "sections"),
    )


def new_page(content: Path, section: str, title: str) -> NewPage | SiteError:
    """Write content/SECTION/<slug>.md, or say why not; never overwrite a page."""
    if not content.is_dir():
        return SiteError(f"there is no content folder at {display_path(content)}")
    problem = section_problem(content, section)
    if problem:
        return problem
    problem = title_problem(title)
    if problem:
        return problem
    slug = slugify(title)
    rel = f"{section}/{slug}.md"
    path = content / rel
    clash = _existing(content / section, slug)
    if clash is not None:
        hint = "pick another title, or edit the page that is already there"
        return SiteError(
            f"{display_path(clash)} already exists; new never replaces a page", hint=hint
        )
    return _write_new(path, page_text(kind_of(rel), title.strip(), content), rel)


MAX_SLUG = 80  # characters of a file name made from a title: far below any file system's limit


def title_problem(title: str) -> SiteError | None:
    """A title that cannot become a page's file name: no letters, bytes that are not
    text (a mistyped character in a terminal), or so long the name would be unwieldy."""
    hint = 'use a short title with letters in it, like "Rib pain"'
    if any("\ud800" <= c <= "\udfff" for c in title):  # undecodable bytes from the shell
        text = title.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        message = f"the title {text!r} has characters that are not text"
        return SiteError(message, hint="retype the title, or write it in quotes")
    slug = slugify(title)
    if not slug or slug == "index":
        return SiteError(f"the title {title!r} cannot become a file name", hint=hint)
    if len(slug) > MAX_SLUG:
        message = (
            f"the title is too long for a file name ({len(slug)} characters, at most {MAX_SLUG})"
        )
        return SiteError(message, hint="use a short title; the page can say more in its text")
    return None


def _write_new(path: Path, text: str, rel: str) -> NewPage | SiteError:
    """Write the new page whole, or not at all: a half-written file would break builds."""
    temp = path.with_name(f".{path.name}.new")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_text(text, encoding="utf-8")
        temp.replace(path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        hint = "check the folder can be written and the disk has room"
        return SiteError(f"could not write {display_path(path)}: {exc.strerror}", hint=hint)
    return NewPage(path, display_path(path), url_for(rel))


def _existing(folder: Path, slug: str) -> Path | None:
    """A page in `folder` that already has this address ('Rib-Pain.md' for 'rib-pain')."""
    if not folder.is_dir():
        return None
    return next((p for p in sorted(folder.glob("*.md")) if slugify(p.name) == slug), None)
