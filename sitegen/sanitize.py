"""One allow-list for HTML: nh3 cleans with it, and a tokenizer reports what it removes.

Both read the same tables, so a warning is given exactly for what the cleaner drops.
The report runs the standard library's `html.parser` (linear in its input) over the
Markdown source, so it can name the line; Markdown's own links and attribute lists,
which are not HTML yet, are read by short scans of their own.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import nh3

from .errors import SiteError, display_path

ALLOWED_TAGS = frozenset(
    nh3.ALLOWED_TAGS | {"div", "span", "section", "figure", "figcaption", "sup", "hr"}
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": {"id", "class", "title", "lang", "dir", "role"},
    "a": {"href", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"align", "scope", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "ol": {"start", "type"},
    "abbr": {"title"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "data", "poster"})
# Elements that run code, load other sites or restyle the page: named as such in warnings.
CODE_TAGS = frozenset(
    {"script", "iframe", "object", "embed", "form", "frame", "frameset", "style", "link"}
    | {"meta", "base", "svg", "math", "applet", "template", "noscript", "input", "button"}
)
CODE_SCHEMES = frozenset({"javascript", "vbscript", "data"})

RUNS_CODE = "pages may not run code or load other sites"
NOT_SIMPLE = "pages keep only simple HTML"
HINT = "use Markdown for text, links and pictures"


def clean(raw_html: str) -> str:
    """Raw HTML with everything outside the allow-list removed."""
    return nh3.clean(
        raw_html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )


@dataclass(frozen=True, slots=True)
class Removal:
    """One thing the cleaner removes: the line (1 = the text's first) and what it is."""

    line: int
    order: int  # elements, event handlers, links, styles, then the rest
    what: str
    why: str

    @property
    def message(self) -> str:
        return f"{self.what} was removed: {self.why}"


def scheme_of(url: str) -> str:
    """The lowercased scheme of a URL as a browser reads it ('' if relative)."""
    squeezed = re.sub(r"[\x00-\x20\x7f]+", "", html.unescape(url)).lower()
    match = re.match(r"([a-z][a-z0-9+.-]*):", squeezed)
    return match[1] if match else ""


def url_removal(url: str, line: int) -> Removal | None:
    """A link or image address with a scheme the allow-list refuses."""
    scheme = scheme_of(url)
    if not scheme or scheme in URL_SCHEMES:
        return None
    why = RUNS_CODE if scheme in CODE_SCHEMES else "links may only use " + _schemes()
    return Removal(line, 2, f"a {scheme}: link", why)


def _schemes() -> str:
    names = sorted(URL_SCHEMES)
    return ", ".join(names[:-1]) + " or " + names[-1]


def attribute_removal(tag: str, name: str, value: str | None, line: int) -> Removal | None:
    """An attribute the allow-list refuses on this element, or an address it refuses."""
    if name.startswith("on"):
        return Removal(line, 1, "an event-handler attribute", RUNS_CODE)
    if name == "style":
        return Removal(line, 3, "a style attribute", RUNS_CODE)
    if name in URL_ATTRIBUTES and value:
        found = url_removal(value, line)
        if found:
            return found
    if name in ALLOWED_ATTRIBUTES["*"] or name in ALLOWED_ATTRIBUTES.get(tag, ()):
        return None
    return Removal(line, 4, f"a {name} attribute on <{tag}>", NOT_SIMPLE)


def tag_removal(tag: str, line: int) -> Removal | None:
    """An element the allow-list refuses (its text is kept, except a script's or style's)."""
    if tag in ALLOWED_TAGS:
        return None
    return Removal(line, 0, f"a <{tag}> element", RUNS_CODE if tag in CODE_TAGS else NOT_SIMPLE)


class _Tokens(HTMLParser):
    """Walks the tags of a text and notes each element and attribute the cleaner drops."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Removal] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if ":" in tag or "@" in tag:  # a Markdown autolink, <https://...> or <a@b.org>
            found = url_removal(tag, line) if ":" in tag else None
            self.found += [found] if found else []
            return
        removed = tag_removal(tag, line)
        if removed:
            self.found.append(removed)
            return  # the attributes go with the element: they need no word of their own
        raw = (self.get_starttag_text() or "").lower()
        at = 0
        for name, value in attrs:
            # attributes come in order: one pass over the tag finds the line of each
            start = max(raw.find(name, at), at)
            line += raw.count("\n", at, start)
            at = start
            found = attribute_removal(tag, name, value, line)
            self.found += [found] if found else []

    handle_startendtag = handle_starttag


def html_removals(text: str) -> list[Removal]:
    """What the cleaner removes from the HTML in `text`, line by line."""
    tokens = _Tokens()
    tokens.feed(_tags_closed(text))
    tokens.close()
    return tokens.found


def _tags_closed(text: str) -> str:
    """The text with every < that has no > before the next < made a space.

    html.parser looks ahead to the end of the text for the > of a tag that is never closed,
    once for each such <, which is quadratic; a < with nothing to close it starts no tag
    anyway (nor does the cleaner see one there)."""
    return LONE_LT.sub(" ", text)


LONE_LT = re.compile(r"<(?=[^<>]*(?:<|\Z))")


# `](address` of an inline link or image, and `[label]: address` of a reference.
# Addresses are read only as far as a scheme needs, so that no match runs long.
LINK_TARGET = re.compile(
    r"\]\([ \t]*(?:\n[ \t]*)?<?([^\s)>]{1,200})|^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?(\S{1,200})", re.M
)
# `{: key=value ... }` attribute lists (Python-Markdown's attr_list).
ATTR_LIST = re.compile(r"\{([^{}\n]*=[^{}\n=]*)\}")
ATTR_NAME = re.compile(r"(?:^|\s)([^\s=#.'\"]+)=")


def markdown_removals(text: str) -> list[Removal]:
    """What the cleaner removes from Markdown links and attribute lists, line by line."""
    found: list[Removal] = []
    newlines = _LineCounter(text)
    for match in LINK_TARGET.finditer(text):
        url = match[1] or match[2]
        removal = url_removal(url, newlines.line_at(match.start(1 if match[1] else 2)))
        found += [removal] if removal else []
    for match in ATTR_LIST.finditer(text):
        for name in ATTR_NAME.findall(match[1]):
            removal = attribute_removal("*", name.lower(), None, newlines.line_at(match.start()))
            if removal and removal.order in (1, 3):  # text in braces is often just text
                found.append(removal)
    return found


class _LineCounter:
    """Line numbers of offsets asked for in increasing order, in one pass overall."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def line_at(self, offset: int) -> int:
        if offset < self.offset:  # a second scan starts again from the top
            self.offset, self.line = 0, 1
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def removals(text: str) -> list[Removal]:
    """Everything the cleaner will remove from a page's Markdown, by line, each once."""
    found = html_removals(text) + markdown_removals(text)
    unique = {(r.line, r.what): r for r in found}
    return sorted(unique.values(), key=lambda r: (r.line, r.order))


# --- static files -----------------------------------------------------------------
# SVG and HTML in static/ are published as they are, not cleaned: what in them can run code
# is reported instead. They are drawings and pages, so only code counts, not plain markup.

ACTIVE_TAGS = frozenset({"script", "iframe", "object", "embed", "frame", "foreignobject", "base"})
ACTIVE_FILES = (".svg", ".html", ".htm", ".xhtml", ".xml")
STATIC_HINT = "remove it: files in static/ are published as they are, and pages may not run code"


class _Active(HTMLParser):
    """Notes the elements, event handlers and javascript: links that can run code."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Removal] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in ACTIVE_TAGS:
            self.found.append(Removal(line, 0, f"a <{tag}> element", RUNS_CODE))
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(Removal(line, 1, "an event-handler attribute", RUNS_CODE))
            elif value and name.rsplit(":", 1)[-1] in URL_ATTRIBUTES:
                scheme = scheme_of(value)
                if scheme in ("javascript", "vbscript"):
                    self.found.append(Removal(line, 2, f"a {scheme}: link", RUNS_CODE))

    handle_startendtag = handle_starttag


@lru_cache(maxsize=512)  # serve checks the same icons on every rebuild
def active_content(text: str) -> tuple[Removal, ...]:
    """What in an SVG or HTML file can run code, by line, each once."""
    tokens = _Active()
    tokens.feed(_tags_closed(text))
    tokens.close()
    unique = {(r.line, r.what): r for r in tokens.found}
    return tuple(sorted(unique.values(), key=lambda r: (r.line, r.order)))


def static_warnings(files: list[Path]) -> list[SiteError]:
    """SVG and HTML files in static/ with code in them (errors with --strict, as all are)."""
    problems = []
    for file in files:
        if file.suffix.lower() not in ACTIVE_FILES:
            continue
        text = file.read_bytes().decode("utf-8", "replace")
        for found in active_content(text):
            message = f"{found.what} can run code in this file"
            shown = display_path(file)
            problems.append(SiteError(message, shown, found.line, STATIC_HINT, warning=True))
    return problems
