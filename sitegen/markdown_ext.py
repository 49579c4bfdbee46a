"""Python-Markdown additions: callout blocks, citations, video lines, and links written to
source files."""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from typing import Any

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import InlineProcessor as InlineTreeprocessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from .citations import CITATION, numbers
from .model import Link, url_for
from .videos import LINE as VIDEO_LINE
from .videos import Video, parse, video_lines

CALLOUTS = {
    "URGENT": "Get help now",
    "WARNING": "Warning",
    "TIP": "Tip",
    "NOTE": "Note",
}
MARKER = re.compile(r"^\s*\[!(?P<type>[A-Za-z]+)\][ \t]*(?P<title>.*)$")
MARKER_LINE = re.compile(r"^(\s*>[ \t]?)\[![A-Za-z]+\].*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class _MarkerLines(Preprocessor):
    """Put a callout's marker line in a paragraph of its own, so a list may follow."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for line in lines:
            out.append(line)
            match = MARKER_LINE.match(line)
            if match:
                out.append(match.group(1).rstrip())
        return out


class _Callouts(Treeprocessor):
    """`> [!URGENT] Title` block quotes -> <div class="callout callout-urgent">.

    Python-Markdown joins block quotes separated only by a blank line, so a quote is
    split again at every marker paragraph.
    """

    def run(self, root: etree.Element) -> None:
        parents = {child: parent for parent in root.iter() for child in parent}
        for quote in [q for q in root.iter("blockquote")]:
            groups = _split_at_markers(list(quote))
            if len(groups) == 1 and _marker(groups[0][0] if groups[0] else None) is None:
                continue
            parent = parents[quote]
            at = list(parent).index(quote)
            parent.remove(quote)
            for offset, group in enumerate(groups):
                parent.insert(at + offset, _callout(group))


def _marker(element: etree.Element | None) -> re.Match[str] | None:
    """The marker match if `element` is a paragraph starting with a known `[!TYPE]`."""
    if element is None or element.tag != "p" or len(element):
        return None
    match = MARKER.match(element.text or "")
    return match if match and match["type"].upper() in CALLOUTS else None


def _split_at_markers(children: list[etree.Element]) -> list[list[etree.Element]]:
    groups: list[list[etree.Element]] = [[]]
    for child in children:
        if _marker(child) and groups[-1]:
            groups.append([])
        groups[-1].append(child)
    return groups


def _callout(group: list[etree.Element]) -> etree.Element:
    """A group of quoted blocks -> a callout div, or a plain quote without a marker."""
    match = _marker(group[0]) if group else None
    if match is None:
        element = etree.Element("blockquote")
    else:
        kind = match["type"].upper()
        element = etree.Element("div", {"class": f"callout callout-{kind.lower()}", "role": "note"})
        group[0].set("class", "callout-title")
        group[0].text = match["title"].strip() or CALLOUTS[kind]
    element.extend(group)
    element.text = "\n"
    return element


class _VideoLines(Preprocessor):
    """Put each video line in a block of its own, so it may sit right under a sentence."""

    def run(self, lines: list[str]) -> list[str]:
        at = {index for index, _ in video_lines("\n".join(lines))}
        if not at:
            return lines
        out: list[str] = []
        for index, line in enumerate(lines):
            out += ["", line, ""] if index in at else [line]
        return out


class _Videos(BlockProcessor):
    """A video line -> a local poster, the title and the length, as one link to the video.
    Nothing is loaded from the video's site until the patient follows the link."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return bool(VIDEO_LINE.match(block)) and parse(block.strip("\n")) is not None

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        video = parse(blocks.pop(0).strip("\n"))
        if video is not None:
            parent.append(video_element(video, self.parser.md))


def video_element(video: Video, md: Markdown) -> etree.Element:
    """<div class="video"><a href=...><img ...><span>title, length, where it goes</span></a>."""
    box = etree.Element("div", {"class": "video"})
    # no referrer: the video site need not learn which health page the patient came from
    link = etree.SubElement(box, "a", {"href": video.url, "rel": "noreferrer"})
    poster = {
        "class": "video-poster",
        "src": video.poster,
        "alt": "",
        "width": "320",
        "height": "180",
        "loading": "lazy",
    }
    md.video_posters.add(etree.SubElement(link, "img", poster))
    text = etree.SubElement(link, "span", {"class": "video-text"})
    for css, words in (
        ("video-title", video.title),
        ("video-length", f"Video, {video.spoken_length}"),
        ("video-go", f"Watch on {video.site} (opens {video.site})"),
    ):
        etree.SubElement(text, "span", {"class": css}).text = words
    return box


class _Citations(InlineProcessor):
    """`[#1, #3]` -> a superscript of links to the page's numbered source list, heard by
    screen readers as "source 1, source 3". Code spans are converted first, so a
    citation shown as code stays as written."""

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[etree.Element, int, int]:
        sup = etree.Element("sup", {"class": "cite"})
        for at, number in enumerate(numbers(m)):
            link = etree.SubElement(sup, "a", {"href": f"#source-{number}"})
            hidden = etree.SubElement(link, "span", {"class": "visually-hidden"})
            hidden.text = "source "
            hidden.tail = str(number)
            if at:
                sup[-2].tail = ", "
            self.md.citation_links.add(link)
        return sup, _before_spaces(data, m.start(0)), m.end(0)


def _before_spaces(data: str, at: int) -> int:
    """Where the spaces before `at` begin: the space before a citation is dropped, so
    'pain [#1].' shows as 'pain¹.' (found from the match, not by the pattern, which would
    then scan every run of spaces again at each position: quadratic on long runs)."""
    while at > 0 and data[at - 1] in " \t":
        at -= 1
    return at


class _Links(Treeprocessor):
    """Rewrite links to .md files into site paths and record every link for checking."""

    def run(self, root: etree.Element) -> None:
        md = self.md
        for element in root.iter():
            if element in md.citation_links or element in md.video_posters:
                continue  # the source list is in the template; posters are checked by videos.py
            attr = {"a": "href", "img": "src"}.get(element.tag)
            raw = element.get(attr) if attr else None
            if raw is None:
                continue
            if SCHEME.match(raw) or raw.startswith("//"):
                if element.tag == "img":  # recorded: the checks refuse pictures from elsewhere
                    md.found_links.append(Link("img", raw, "", ""))
                continue
            path, _, fragment = raw.partition("#")
            site_path = resolve(path, md.page_rel, md.page_url) if path else ""
            md.found_links.append(Link(element.tag, raw, site_path, fragment))
            if site_path:
                element.set(attr, site_path + ("#" + fragment if fragment else ""))


def resolve(path: str, page_rel: str, page_url: str) -> str:
    """A link as written -> the site path it means ('' if it cannot mean one)."""
    if path.startswith("/"):
        return path
    if path.endswith(".md"):
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(page_rel), path))
        return "" if rel.startswith("../") else url_for(rel)
    joined = posixpath.normpath(posixpath.join(page_url, path))
    return joined + ("/" if path.endswith("/") and joined != "/" else "")


class SiteExtension(Extension):
    """Callouts, citations and link rewriting; the page being converted is set on the
    Markdown object."""

    def extendMarkdown(self, md: Markdown) -> None:
        self.md = md
        md.page_rel = ""
        md.page_url = "/"
        md.found_links = []
        md.citation_links = set()
        md.video_posters = set()
        # above links and references (160, 170), below escapes and code spans (180, 190)
        md.inlinePatterns.register(_Citations(CITATION.pattern, md), "citations", 172)
        md.preprocessors.register(_MarkerLines(md), "callout_marker", 25)
        md.preprocessors.register(_VideoLines(md), "video_lines", 24)
        md.parser.blockprocessors.register(_Videos(md.parser), "videos", 75)
        md.treeprocessors.register(_Callouts(md), "callouts", 15)
        md.treeprocessors.register(_Links(md), "site_links", 5)
        md.treeprocessors.register(_QuickInline(md), "inline", 20)  # Python-Markdown's, faster
        md.registerExtension(self)

    def reset(self) -> None:
        self.md.found_links = []
        self.md.citation_links = set()
        self.md.video_posters = set()


# What each of Python-Markdown's inline patterns (and ours) needs in a text to match at
# all, as a regular expression. A pattern not named here (a new extension's) turns the
# shortcut below off.
INLINE_NEEDS = {
    "backtick": "`",
    "escape": r"\\",
    **dict.fromkeys(("footnote", "citations", "reference", "link", "short_reference"), r"\["),
    **dict.fromkeys(("image_link", "image_reference", "short_image_ref"), r"!\["),
    **dict.fromkeys(("autolink", "automail", "html"), "<"),
    "entity": "&",
    "linebreak": "  \n",
    **dict.fromkeys(("em_strong", "em_strong2", "not_strong"), "[*_]"),
}
MAY_MATCH = re.compile("|".join(sorted(set(INLINE_NEEDS.values()))))


class _QuickInline(InlineTreeprocessor):
    """Python-Markdown's inline processor, which tries each of its 18 patterns on every text
    in turn (a fifth of a page's conversion); a text that none of them could match is left
    as it is at once, as they would have left it."""

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        self.quick = set(self.inlinePatterns._data) <= INLINE_NEEDS.keys()
        return super().run(tree, ancestors)

    # The name Python calls it by inside InlineProcessor (a "private" method): if a new
    # Python-Markdown renames it, this is never called and the build is only slower.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        plain = self.quick and patternIndex == 0 and not isinstance(data, AtomicString)
        if plain and not MAY_MATCH.search(data):
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


def standard_extensions() -> list[Any]:
    """Python-Markdown's tables, toc, attr_list and footnotes, as objects: given by name,
    Markdown looks each up among every installed package's entry points, which costs more
    than converting a page."""
    from markdown.extensions.attr_list import AttrListExtension
    from markdown.extensions.footnotes import FootnoteExtension
    from markdown.extensions.tables import TableExtension
    from markdown.extensions.toc import TocExtension

    # toc gives headings their ids; its [TOC] marker is not offered (docs/editing.md), and
    # looking for it walked every page's whole tree
    toc = TocExtension(marker="")
    return [TableExtension(), toc, AttrListExtension(), FootnoteExtension()]
