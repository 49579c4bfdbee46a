"""`build.py move OLD.md NEW.md`: rename a page, keep its old address, fix every link to it.

`plan_move` is pure: from the text of every file in content/ it works out every change
(the renamed page with its old address added to `aliases`, each link to it rewritten, the
moved page's own relative links made right from its new folder) or says why it cannot.
`apply_move` then writes them; if writing fails half-way, it puts every file back.
Nothing is written unless the whole plan was made without a problem.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .content import FENCE, is_ignored, read_page, slugify
from .errors import SiteError, display_path
from .fields import parse_yaml
from .kinds import kind_of
from .model import url_for

# A Markdown link target: `](target)` or `]: target` (a reference definition).
LINK = re.compile(
    r"(?P<lead>\]\(\s*<?|^\s{0,3}\[[^\]\n]+\]:\s*<?)(?P<target>[^\s)>#]*)(?P<frag>#[^\s)>]*)?", re.M
)
SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//")
# Front-matter fields that name other pages: by address, or (in one section) by short name.
URL_FIELDS = ("related",)
SLUG_FIELDS = {"clinicians": ("reviewed_by", "author"), "treatments": ("treatments",)}


@dataclass(frozen=True, slots=True)
class Edit:
    """One file as it is and as it will be (`before` None: a new file; `after` None: removed)."""

    rel: str
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class MovePlan:
    """Every change a move makes, in content/."""

    old: str  # 'causes/rib-ache.md'
    new: str
    old_url: str
    new_url: str
    edits: tuple[Edit, ...]

    def changed(self) -> list[str]:
        """The other files whose links are rewritten."""
        return [e.rel for e in self.edits if e.rel not in (self.old, self.new)]


def content_rel(content: Path, given: str) -> str:
    """A path as typed ('content/causes/a.md', 'causes/a.md', 'causes\\a.md') inside content/."""
    path = given.replace("\\", "/")
    prefix = Path(os.path.abspath(content)).as_posix().rstrip("/") + "/"
    full = Path(os.path.abspath(path)).as_posix()
    if full.startswith(prefix):
        return full[len(prefix) :]
    if os.path.isabs(path) or re.match(r"[A-Za-z]:/", path):  # outside content/: refused
        return "../" + posixpath.basename(path)
    return posixpath.normpath(path)


def read_texts(content: Path) -> dict[str, str]:
    """The text of site.yaml and of every page in content/, by path inside it."""
    texts = {}
    for path in sorted(content.rglob("*")):
        rel = path.relative_to(content).as_posix()
        wanted = rel.endswith(".md") or rel == "site.yaml"
        if wanted and path.is_file() and not any(map(is_ignored, rel.split("/"))):
            try:
                texts[rel] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue  # the build says what is wrong with it; it links nowhere we can see
    return texts


def plan_move(texts: Mapping[str, str], old: str, new: str) -> MovePlan | SiteError:
    """Every change that moving page `old` to `new` makes, or the reason it cannot be done."""
    problem = _move_problem(texts, old, new)
    if problem:
        return problem
    old_url, new_url = url_for(old), url_for(new)
    edits = []
    for rel, text in sorted(texts.items()):
        is_moved = rel == old
        after = _rewritten(text, rel, old, new, is_moved)
        if is_moved:
            after = _with_alias(after, old_url, new_url)
            if isinstance(after, SiteError):
                return after
            refused = _new_kind_problem(text, old, after, new)
            if refused:
                return refused
            edits += [Edit(old, text, None), Edit(new, None, after)]
        elif after != text:
            edits.append(Edit(rel, text, after))
    # New and changed files first, the old file last: a failure half-way loses nothing.
    edits.sort(key=lambda e: e.after is None)
    return MovePlan(old, new, old_url, new_url, tuple(edits))


def _move_problem(texts: Mapping[str, str], old: str, new: str) -> SiteError | None:
    """Why the move cannot be made: no such page, a name that is taken or unusable."""
    if old not in texts or not old.endswith(".md"):
        return SiteError(
            f"there is no page content/{old}",
            hint="give the page's file, like content/causes/rib-ache.md",
        )
    if new.startswith("../"):
        hint = "give a path like content/causes/rib-pain.md"
        return SiteError("the new file must be inside the content folder", hint=hint)
    if not new.endswith(".md") or not all(map(slugify, new.split("/"))):
        hint = (
            "give a file name with letters a to z, ending in .md, like content/causes/rib-pain.md"
        )
        return SiteError(f"'{new}' cannot be a page's file name", hint=hint)
    if posixpath.basename(old) == "index.md" or posixpath.basename(new) == "index.md":
        return SiteError(
            "move renames single pages, not a section's index.md", hint="rename the folder by hand"
        )
    if url_for(new) == url_for(old):
        return SiteError(
            f"content/{new} would have the same address as content/{old}",
            hint="choose another name",
        )
    taken = next((r for r in texts if r.endswith(".md") and url_for(r) == url_for(new)), None)
    if taken:
        return SiteError(
            f"content/{taken} already has the address {url_for(new)}",
            hint="choose another name, or move that page first",
        )
    alias = next(
        (r for r, t in texts.items() if r != old and _has_token(t, "aliases", url_for(new))),
        None,
    )
    if alias:
        return SiteError(
            f"{url_for(new)} is an old address of content/{alias} (in its `aliases`)",
            hint="choose another name, or take the address out of that page's `aliases` first",
        )
    if kind_of(old) in SLUG_FIELDS and kind_of(new) != kind_of(old) and _named_by_slug(texts, old):
        hint = f"keep the page in content/{kind_of(old)}/, or change those pages first"
        return SiteError(f"other pages name content/{old} by its short name", hint=hint)
    return None


def _new_kind_problem(before: str, old: str, after: str, new: str) -> SiteError | None:
    """A field the page's new section does not allow (a cause's `treatments` on a plain page)."""
    root = Path("content")
    had = {e.message for e in read_page(root / old, root, 1 << 30, before.encode())[1]}
    new_errors = [e for e in read_page(root / new, root, 1 << 30, after.encode())[1]]
    problem = next((e for e in new_errors if e.message not in had), None)
    if problem is None:
        return None
    hint = "choose a folder where pages have the same fields, or change the page first"
    message = f"content/{old} cannot become content/{new}: there, {problem.message}"
    return SiteError(message, hint=hint)


def _has_token(text: str, field: str, value: str) -> bool:
    """Whether a page's front-matter field names `value`."""
    split = _split(text)
    return split is not None and _field_tokens(split[0], (field,), value, "\0") != split[0]


def _named_by_slug(texts: Mapping[str, str], old: str) -> bool:
    slug = url_for(old).strip("/").rsplit("/", 1)[-1]
    return any(_field_tokens(t, SLUG_FIELDS[kind_of(old)], slug, "\0") != t for t in texts.values())


def _rewritten(text: str, rel: str, old: str, new: str, is_moved: bool) -> str:
    """One file with its links (and front-matter references) to the moved page rewritten."""
    if rel == "site.yaml":
        return _replace_token(text, url_for(old), url_for(new))
    split = _split(text)
    if split is None:
        return text  # a page that does not build has its own error; leave it as it is
    front, body = split
    front = _field_tokens(front, URL_FIELDS, url_for(old), url_for(new))
    if kind_of(old) in SLUG_FIELDS:
        old_slug, new_slug = (url_for(r).strip("/").rsplit("/", 1)[-1] for r in (old, new))
        front = _field_tokens(front, SLUG_FIELDS[kind_of(old)], old_slug, new_slug)
    here = new if is_moved else rel
    fix = _link_fixer(rel, here, old, new)
    return front + LINK.sub(fix, body)


def _split(text: str) -> tuple[str, str] | None:
    """A page's text up to the end of its closing ---, and the rest."""
    first = text.split("\n", 1)[0]
    close = FENCE.search(text, len(first) + 1) if FENCE.fullmatch(first) else None
    return (text[: close.end()], text[close.end() :]) if close else None


def _link_fixer(rel: str, here: str, old: str, new: str) -> Callable[[re.Match[str]], str]:
    """A function that rewrites one link target of page `rel` (which will be at `here`)."""

    def fix(m: re.Match[str]) -> str:
        target = m["target"]
        if not target or SCHEME.match(target):
            return m[0]
        pointed = _points_at(target, rel)
        if pointed == (old if target.endswith(".md") else url_for(old)):
            written = _as_written(target, here, new)
        elif rel != here and not target.startswith("/"):  # the moved page's own links
            written = _as_written(target, here, pointed)
        else:
            return m[0]
        return m["lead"] + written + (m["frag"] or "")

    return fix


def _points_at(target: str, rel: str) -> str:
    """A link target of page `rel`: the page file (for .md links) or the site path."""
    if target.endswith(".md") and not target.startswith("/"):
        return posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
    if target.startswith("/"):
        return target
    url = url_for(rel)
    joined = posixpath.normpath(posixpath.join(url, target))
    return joined + ("/" if target.endswith("/") and joined != "/" else "")


def _as_written(target: str, here: str, pointed: str) -> str:
    """How page `here` writes a link to `pointed`, in the form `target` was written."""
    if target.endswith(".md"):  # a page file, relative to the folder of the linking page
        return posixpath.relpath(pointed, posixpath.dirname(here) or ".")
    if target.startswith("/"):
        return url_for(pointed) if pointed.endswith(".md") else pointed
    if pointed.endswith(".md"):
        pointed = url_for(pointed)
    relative = posixpath.relpath(pointed, url_for(here))
    return relative + ("/" if pointed.endswith("/") and relative != "." else "")


def _replace_token(text: str, old: str, new: str) -> str:
    """`old` replaced where it stands as a whole value (not inside a longer path)."""
    return re.sub(rf"(?<![\w/.-]){re.escape(old)}(?![\w/.-])", new, text)


def _field_tokens(front: str, names: tuple[str, ...], old: str, new: str) -> str:
    """`old` replaced by `new` in the lines of the named front-matter fields only."""
    lines = front.split("\n")
    inside = False
    for number, line in enumerate(lines):
        key = re.match(r"([A-Za-z_]+)\s*:", line)
        if key or line.startswith("---"):
            inside = bool(key) and key[1] in names
        elif line[:1] not in (" ", "\t", "-"):
            inside = False
        if inside:
            lines[number] = _replace_token(line, old, new)
    return "\n".join(lines)


def _with_alias(text: str, old_url: str, new_url: str) -> str | SiteError:
    """The moved page with its old address added to `aliases` (its new one taken out)."""
    split = _split(text)
    data, errors = (
        parse_yaml(split[0].split("\n", 1)[1].rsplit("\n", 1)[0], "", 2) if split else (None, [])
    )
    if split is None or errors or not isinstance(data, dict):
        hint = "fix the page's front matter first (`python build.py` shows what is wrong)"
        return SiteError("the page's front matter cannot be read", hint=hint)
    aliases = data.get("aliases") or []
    aliases = [aliases] if isinstance(aliases, str) else list(aliases)
    kept = [a for a in aliases if str(a).rstrip("/") + "/" != new_url]
    line = "aliases: [" + ", ".join(str(a) for a in [*kept, old_url]) + "]"
    front, body = split
    lines = front.split("\n")
    start = next((i for i, one in enumerate(lines) if re.match(r"aliases\s*:", one)), None)
    if start is None:
        lines.insert(len(lines) - 1, line)  # before the closing ---
    else:
        end = start + 1
        while end < len(lines) - 1 and lines[end][:1] in (" ", "\t", "-") and lines[end] != "---":
            end += 1
        lines[start:end] = [line]
    return "\n".join(lines) + body


def apply_move(content: Path, plan: MovePlan) -> SiteError | None:
    """Write every change of the plan; on any failure, put back what was already changed."""
    done: list[Edit] = []
    try:
        for edit in plan.edits:
            path = content / edit.rel
            if edit.before is not None and path.read_text(encoding="utf-8") != edit.before:
                raise OSError(f"{display_path(path)} changed while moving")
            _write(path, edit.after)
            done.append(edit)
    except OSError as exc:
        for edit in reversed(done):
            _write(content / edit.rel, edit.before)
        hint = "nothing was changed; close programs that have the files open and try again"
        return SiteError(f"the page could not be moved: {exc}", hint=hint)
    return None


def _write(path: Path, text: str | None) -> None:
    """Write a file whole (through a temporary file beside it), or remove it (None)."""
    if text is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".moving.tmp")
    temporary.write_text(text, encoding="utf-8", newline="")
    os.replace(temporary, path)
