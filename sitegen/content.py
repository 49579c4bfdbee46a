"""Markdown files -> checked front matter (with line numbers) and body text."""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import fields as f
from . import sanitize
from .citations import citation_problems, source_lines
from .errors import SiteError, by_fields, display_path
from .glossary import GLOSSARY_FILES, TERMS, glossary_terms
from .kinds import field_table, kind_of

IGNORED_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini"}


@dataclass(frozen=True, slots=True)
class RawPage:
    """One Markdown file as read: where it is, its checked fields, and its body."""

    shown: str  # the path as shown in messages
    rel: str  # path inside content/, e.g. 'causes/kyphosis.md'
    fields: dict[str, Any]
    lines: dict[str, int]  # field name -> line in the file
    body: str  # the text after the front matter ("" in the memo: the file holds it)
    body_line: int  # the file line where the body starts
    warnings: tuple[SiteError, ...] = ()
    front: str = ""  # the front matter as written (from line 2), for line-by-line checks
    # ("" in the memo too)
    fields_key: str = ""  # hash of all its page shows but its text (pipeline.shown_key)

    __reduce__ = by_fields


@lru_cache(maxsize=1 << 16)
def slugify(name: str) -> str:
    """A file or folder name as a URL part: 'Über Uns.md' -> 'uber-uns'."""
    stem = name[:-3] if name.endswith(".md") else name
    ascii_ = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")


def is_ignored(name: str) -> bool:
    """Hidden files, editor backups and OS clutter are not pages."""
    return (
        name.startswith((".", "#"))
        or name.endswith(("~", ".swp", ".tmp", ".bak"))
        or name in IGNORED_NAMES
    )


def find_sources(root: Path) -> tuple[list[Path], list[SiteError]]:
    """Every Markdown file under `root`, sorted; links that lead outside are refused."""
    found: list[Path] = []
    errors: list[SiteError] = []
    _walk(root, root, root.resolve(), found, errors)
    return sorted(found), errors


def _walk(
    folder: Path, root: Path, real_root: Path, found: list[Path], errors: list[SiteError]
) -> None:
    """One folder: its pages, then its subfolders (os.scandir knows each entry's type
    without asking the disk again, which matters at thousands of pages)."""
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        if is_ignored(entry.name):
            continue
        path = folder / entry.name
        if _bad_name(entry, path, errors):
            continue
        if entry.is_dir(follow_symlinks=False):
            _walk(path, root, real_root, found, errors)
        elif entry.is_symlink() and (entry.name.endswith(".md") or path.is_dir()):
            page = entry.name.endswith(".md")  # a linked folder is not walked, only checked
            problems = _link_problems(path, real_root) or (
                _name_problems(path, root) if page else []
            )
            errors += problems
            found += [path] if page and not problems else []
        elif entry.name.endswith(".md"):
            problems = _not_a_file(path, entry) or _name_problems(path, root)
            errors += problems
            found += [] if problems else [path]


def _bad_name(entry: os.DirEntry, path: Path, errors: list[SiteError]) -> bool:
    """A page or folder whose name is not UTF-8 text (bytes from another system's disk):
    reported with the bad bytes written out, and left out of the build."""
    try:
        entry.name.encode("utf-8")
        return False
    except UnicodeEncodeError:
        pass
    if not entry.name.endswith(".md") and not entry.is_dir(follow_symlinks=False):
        return True  # not a page: nothing to report
    escaped = os.fsencode(entry.name).decode("utf-8", "backslashreplace")
    shown = f"{display_path(path.parent)}/{escaped}"
    hint = "rename it with letters a to z or digits, like back-pain.md"
    errors.append(SiteError("the name is not UTF-8 text", shown, None, hint))
    return True


def _not_a_file(path: Path, entry: os.DirEntry) -> list[SiteError]:
    if entry.is_file(follow_symlinks=False):
        return []
    # a named pipe would make the build wait for ever
    hint = "remove it from content/; pages are plain text files ending in .md"
    return [SiteError("this is not a file", _shown(path), None, hint)]


def _name_problems(path: Path, root: Path) -> list[SiteError]:
    """A name with no letters a web address can use ('背痛.md', '-.md')."""
    for part in path.relative_to(root).parts:
        if not slugify(part):
            message = f"the name '{part}' has no letters or digits a web address can use"
            hint = (
                "rename it with letters a to z or digits, like back-pain.md;"
                " the name becomes the page's address"
            )
            return [SiteError(message, _shown(path), None, hint)]
    return []


def _link_problems(path: Path, real_root: Path) -> list[SiteError]:
    """A symbolic link must lead to something inside content/."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # a link to nothing, or a loop
        hint = "remove the link, or copy the file into content/ in its place"
        return [SiteError("this link leads nowhere", _shown(path), None, hint)]
    if target == real_root or real_root in target.parents:
        return []
    hint = "copy the file into content/ instead of linking to it"
    return [SiteError("this is a link to a file outside content/", _shown(path), None, hint)]


def _shown(path: Path) -> str:
    """A link's own name for messages (display_path would name the file it points at)."""
    return f"{display_path(path.parent)}/{path.name}"


def read_page(
    path: Path, root: Path, max_bytes: int, data: bytes | None = None
) -> tuple[RawPage | None, list[SiteError]]:
    """Check one Markdown file's front matter (its bytes may be given, already read)."""
    shown = display_path(path)
    rel = path.relative_to(root).as_posix()
    data = path.read_bytes() if data is None else data
    if len(data) > max_bytes:
        hint = "split it into smaller pages, or raise max_page_kb in site.yaml"
        size = f"{len(data) // 1024} KB, the limit is {max_bytes // 1024} KB"
        return None, [SiteError(f"the file is too large ({size})", shown, None, hint)]
    text, problem = _decode(data, shown)
    if problem:
        return None, [problem]
    split = _split_front_matter(text, shown)
    if isinstance(split, SiteError):
        return None, [split]
    yaml_text, body, body_line = split
    meta, errors = f.parse_yaml(yaml_text, shown, 2)
    if errors:
        return None, errors
    if not isinstance(meta, dict):
        hint = "the front matter should be lines like `title: Kyphosis`"
        message = "the front matter should hold fields, not " + _what(meta)
        return None, [SiteError(message, shown, 2, hint)]
    values, errors = f.validate(meta, field_table(kind_of(rel)), shown, 2)
    errors += nesting_errors(body, body_line, shown)
    lines = {k: 2 + v for k, v in meta.lines.items()}
    errors += future_review(values.get("reviewed"), shown, lines.get("reviewed"))
    warnings = unsafe_html(body, body_line, shown)
    if "sources" in values or meta.get("sources") is None:  # a bad list has its own error
        sources = values.get("sources", ())
        cited = citation_problems(shown, body, body_line, sources, source_lines(meta, 2))
        errors += [p for p in cited if not p.warning]
        warnings += [p for p in cited if p.warning]
    if rel in GLOSSARY_FILES and not errors:  # in the fields, so pages re-render on a change
        values[TERMS] = glossary_terms(body)
    raw = RawPage(shown, rel, values, lines, body, body_line, tuple(warnings), yaml_text)
    return raw, errors


def future_review(reviewed: dt.date | None, shown: str, line: int | None) -> list[SiteError]:
    """A review cannot have happened yet: a typo like 2062 would turn the overdue check off."""
    if reviewed is None or reviewed <= today():
        return []
    hint = "write the day the page was last reviewed, like 2026-03-01"
    return [SiteError(f"'reviewed' is in the future ({reviewed.isoformat()})", shown, line, hint)]


def text_of(data: bytes) -> tuple[str, str]:
    """The front matter and body of a page file whose front matter was checked before
    (the memo keeps the checked fields, not the text)."""
    text, problem = _decode(data, "")
    split = "" if problem else _split_front_matter(text, "")
    return (split[0], split[1]) if isinstance(split, tuple) else ("", "")


MAX_QUOTE_DEPTH = 16
MAX_INDENT = 64  # columns: sixteen levels of list


DEEP_QUOTE = re.compile(rf"^(?:[ \t]*>){{{MAX_QUOTE_DEPTH + 1}}}", re.MULTILINE)
DEEP_INDENT = re.compile(
    rf"^(?: {{{MAX_INDENT + 1},}}|\t{{{MAX_INDENT // 4 + 1},}})\S", re.MULTILINE
)


def nesting_errors(body: str, first_line: int, shown: str) -> list[SiteError]:
    """Lists or quotes nested so deeply that Markdown would run out of stack, or brackets
    so deeply that it would run for hours."""
    found = [m.start() for m in (DEEP_QUOTE.search(body), DEEP_INDENT.search(body)) if m]
    if found:
        line = first_line + body.count("\n", 0, min(found))
        hint = "use fewer levels of lists or quotes (at most 16)"
        return [SiteError("lists or quotes are nested too deeply", shown, line, hint)]
    at = _deep_brackets(body)
    if at is not None:
        line = first_line + body.count("\n", 0, at)
        hint = "use at most a few [ ] inside each other; a link looks like [text](page.md)"
        return [SiteError("brackets [ ] are nested too deeply", shown, line, hint)]
    at = _open_links(body)
    if at is None:
        return []
    line = first_line + body.count("\n", 0, at)
    hint = "close each link's address with ): a link looks like [text](page.md)"
    return [SiteError("many links in this paragraph are never closed", shown, line, hint)]


MAX_BRACKETS = 32
LINK_OR_BREAK = re.compile(r"\]\(|\)|\n[ \t]*\n")


def _open_links(body: str) -> int | None:
    """Where `](` is left open more than MAX_BRACKETS times within a paragraph, or None.

    Python-Markdown looks for the ) of each `](` to the end of the paragraph, so thousands
    of open ones take minutes."""
    if body.count("](") <= MAX_BRACKETS:  # too few to nest that deep: most pages
        return None
    depth = 0
    for match in LINK_OR_BREAK.finditer(body):
        if match.group() == "](":
            depth += 1
            if depth > MAX_BRACKETS:
                return match.start()
        elif match.group() == ")":
            depth = max(depth - 1, 0)
        else:
            depth = 0  # a blank line ends the paragraph
    return None


BRACKET_OR_BREAK = re.compile(r"[\[\]]|\n[ \t]*\n")


def _deep_brackets(body: str) -> int | None:
    """Where [ first nests deeper than MAX_BRACKETS within a paragraph, or None.

    Python-Markdown searches the rest of the paragraph for each unclosed [, so 8,000 of
    them take 13 seconds and the 2 MB a page may hold would take hours."""
    if body.count("[") <= MAX_BRACKETS:  # too few to nest that deep: most pages
        return None
    depth = 0
    for match in BRACKET_OR_BREAK.finditer(body):
        if match.group() == "[":
            depth += 1
            if depth > MAX_BRACKETS:
                return match.start()
        elif match.group() == "]":
            depth = max(depth - 1, 0)
        else:
            depth = 0  # a blank line ends the paragraph
    return None


def unsafe_html(body: str, first_line: int, shown: str) -> list[SiteError]:
    """HTML the sanitizer will remove, reported so the editor knows it is gone."""
    if "<" not in body and ":" not in body and "{" not in body:  # most pages: one quick look
        return []
    return [
        SiteError(r.message, shown, first_line + r.line - 1, sanitize.HINT, warning=True)
        for r in sanitize.removals(_without_code(body))
    ]


CODE_SPAN = re.compile(r"`[^`\n]+`")
FENCE_OPEN = re.compile(r"(```|~~~)")


def _without_code(body: str) -> str:
    """Code blocks and spans blanked out (lines kept): `<script>` shown as code is not HTML.
    One pass over the lines, so that no run of backticks can make it slow."""
    if "`" not in body and "~~~" not in body:
        return body
    lines = body.split("\n")
    out: list[str] = []
    fence = ""
    opened = 0
    for line in lines:
        if fence:
            out.append(" " * len(line))
            if line.startswith(fence) and not line[len(fence) :].strip(" \t"):
                fence = ""
            continue
        match = FENCE_OPEN.match(line)
        if match:
            fence, opened = match[1], len(out)
            out.append(" " * len(line))
            continue
        out.append(CODE_SPAN.sub(lambda m: " " * len(m[0]), line))
    if fence:  # never closed: not a code block after all
        out[opened:] = [CODE_SPAN.sub(lambda m: " " * len(m[0]), x) for x in lines[opened:]]
    return "\n".join(out)


def _what(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    return f"the text {f.shown(value)}"


def _decode(data: bytes, shown: str) -> tuple[str, SiteError | None]:
    """UTF-8 (a byte-order mark is fine), with Windows line endings made plain."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = "save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)"
        return "", SiteError("the file is not saved as UTF-8 text", shown, line, hint)
    return text.replace("\r\n", "\n").replace("\r", "\n"), None


FENCE = re.compile(r"^---[ \t]*$", re.MULTILINE)


def _split_front_matter(text: str, shown: str) -> tuple[str, str, int] | SiteError:
    """Split '---\\nfields\\n---\\nbody' into the YAML, the body and the body's first line."""
    if not text.strip():
        hint = "start with ---, then `title:` and `description:` lines, then ---, then the text"
        return SiteError("the file is empty", shown, 1, hint)
    first = text.split("\n", 1)[0]
    if not FENCE.fullmatch(first):
        hint = "the first line must be --- and the fields (title, description...) come next"
        return SiteError("the front matter is missing", shown, 1, hint)
    close = FENCE.search(text, len(first) + 1)
    if close is None:
        hint = "add a line with --- after the last field"
        return SiteError("the front matter is never closed", shown, 1, hint)
    yaml_text = text[len(first) + 1 : close.start()]
    body = text[close.end() + 1 :]
    if not body.strip():
        hint = "write the page's text on the lines after the second ---"
        return SiteError("the page has no text after the front matter", shown, 1, hint)
    body_line = text[: close.end()].count("\n") + 2
    return yaml_text, body, body_line


def today() -> dt.date:
    """The date used for review checks; fixed by SITEGEN_TODAY in tests."""
    fixed = os.environ.get("SITEGEN_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()
