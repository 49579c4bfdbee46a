"""The glossary: its `## ` headings are the terms, and the first use of each term on every
other page links to its entry. Pure functions over Markdown and over rendered HTML."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

GLOSSARY_FILES = ("glossary.md", "glossary/index.md")  # inside content/
GLOSSARY_URL = "/glossary/"
TERMS = "glossary_terms"  # the glossary page's derived field: ((term, heading id), ...)

# Text inside these is never linked: headings, links, code, and what is not prose
SKIP = {"h1", "h2", "h3", "h4", "h5", "h6", "a", "code", "pre", "kbd", "samp", "script",
        "style", "textarea", "button", "label", "select", "option", "dfn", "abbr", "svg",
        "title", "sup"}  # fmt: skip
SKIP_CLASSES = {"callout-title"}  # a callout's title works as a heading
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip


def glossary_terms(body: str) -> tuple[tuple[str, str], ...]:
    """The glossary's entries as (term in lower case, heading id), in page order: each
    level-2 heading is a term. Converted as pages are, so the ids are the pages' own."""
    import markdown  # only when the glossary itself changed

    from .markdown_ext import standard_extensions

    converted = markdown.Markdown(extensions=standard_extensions())
    finder = _Headings()
    finder.feed(converted.convert(body))
    finder.close()
    found: dict[str, str] = {}
    for text, anchor in finder.found:
        term = " ".join(text.split()).lower()
        if term and anchor and term not in found:
            found[term] = anchor
    return tuple(found.items())


def terms_of(page: Any) -> dict[str, str]:
    """The glossary page's terms: lower-case term -> heading id."""
    return dict(page.params.get(TERMS, ()))


class _Headings(HTMLParser):
    """Collects the text and id of each <h2>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._open: list[str] | None = None
        self._id = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h2":
            self._open, self._id = [], dict(attrs).get("id") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._open is not None:
            self.found.append(("".join(self._open), self._id))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


WORD = re.compile(r"[\w-]+")  # a hyphen joins: 'disc-shaped' is not a use of 'disc'


@lru_cache(maxsize=4096)
def term_re(term: str) -> re.Pattern[str]:
    """A term's use at a given place: its words with any spaces or line breaks between them,
    any case, a plain -s or -es plural, and no letter, digit or hyphen after it."""
    words = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(rf"{words}(?:es|s)?(?![\w-])", re.IGNORECASE)


def _by_first_word(terms: Mapping[str, str]) -> dict[str, list[str]]:
    """First word -> the terms starting with it, longest first ('range of motion' before
    'range'). A one-word term is also found under its plain plurals."""
    found: dict[str, list[str]] = {}
    for term in sorted(terms, key=len, reverse=True):
        first = term.split()[0]
        forms = (first, first + "s", first + "es") if " " not in term else (first,)
        for form in forms:
            found.setdefault(form, []).append(term)
    return found


def link_terms(body_html: str, terms: Mapping[str, str], href_for: Callable[[str], str]) -> str:
    """`body_html` with the first use of each term linked to href_for(heading id); never
    inside a heading, a link, code or a callout's title. Linear in the length of the HTML:
    one pass over its words finds the terms it may use, one walk of its tags links them."""
    if not terms:
        return body_html
    terms = {" ".join(term.split()).lower(): anchor for term, anchor in terms.items()}
    first_words = _by_first_word(terms)
    words = set(WORD.findall(body_html.lower()))
    present = {term for word in words & first_words.keys() for term in first_words[word]}
    if not present:
        return body_html
    todo = {term: terms[term] for term in present}
    linker = _Linker(body_html, first_words, todo, href_for)
    at = 0
    while at < len(body_html) and linker.todo:  # stop once every term found is linked
        # pieces end before a tag, so no text (and no word) is ever cut in two
        end = body_html.find("<", at + CHUNK)
        end = len(body_html) if end < 0 else end
        linker.feed(body_html[at:end])
        at = end
    linker.close()
    return linker.result()


CHUNK = 4096


class _Linker(HTMLParser):
    """Walks the HTML once; records where in its text a term's first use is, then splices
    links in, leaving every other character as it was."""

    def __init__(
        self,
        source: str,
        first_words: Mapping[str, list[str]],
        todo: dict[str, str],
        href_for: Callable[[str], str],
    ) -> None:
        super().__init__(convert_charrefs=False)  # text arrives exactly as written
        self.source, self.first_words, self.href_for = source, first_words, href_for
        self.todo = todo  # term -> heading id, for the terms not linked yet
        self.starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.stack: list[tuple[str, bool]] = []
        self.skipping = 0
        self.edits: list[tuple[int, int, str]] = []  # (start, end, replacement)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        skip = tag in SKIP or bool(classes & SKIP_CLASSES)
        self.stack.append((tag, skip))
        self.skipping += skip

    def handle_endtag(self, tag: str) -> None:
        if not any(name == tag for name, _ in self.stack):
            return  # a stray end tag closes nothing
        while self.stack:
            name, skip = self.stack.pop()
            self.skipping -= skip
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        if self.skipping or not self.todo:
            return
        line, column = self.getpos()
        offset = self.starts[line - 1] + column
        after = 0  # the end of the last use found: words inside it are not looked at again
        for word in WORD.finditer(data):
            if word.start() < after:
                continue
            for term in self.first_words.get(word[0].lower(), ()):
                use = term_re(term).match(data, word.start())
                if use is None:
                    continue
                after = use.end()
                anchor = self.todo.pop(term, None)
                if anchor is not None:
                    href = html.escape(self.href_for(anchor), quote=True)
                    link = f'<a class="glossary-term" href="{href}">{use[0]}</a>'
                    self.edits.append((offset + use.start(), offset + use.end(), link))
                break  # the longest term used here wins, linked or not

    def result(self) -> str:
        """The source with the links spliced in."""
        parts, at = [], 0
        for start, end, replacement in self.edits:
            parts += [self.source[at:start], replacement]
            at = end
        return "".join(parts) + self.source[at:]
