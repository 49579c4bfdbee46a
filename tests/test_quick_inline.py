"""The inline shortcut (markdown_ext._QuickInline) leaves every text as Python-Markdown's own
inline processor would: the same HTML for any Markdown."""

from __future__ import annotations

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown.inlinepatterns import SimpleTagInlineProcessor
from markdown.treeprocessors import InlineProcessor

from sitegen import markdown_ext
from sitegen.markdown_ext import SiteExtension, standard_extensions

PIECES = [
    "word",
    " ",
    "  \n",
    "\n",
    "\n\n",
    "`",
    "``",
    "\\",
    "[",
    "]",
    "(",
    ")",
    "![",
    "<",
    ">",
    "&",
    "&amp;",
    "*",
    "_",
    "#",
    "1.",
    "- ",
    "> ",
    "[#1]",
    "[^1]",
    "<b>",
    "</b>",
    "<http://a.b/>",
    "<a@b.c>",
    "[x](/causes/)",
    "[x][r]",
    "\n[r]: /r/",
    "|a|b|\n|-|-|\n",
    "é",
    "\t",
    "{: #id }",
    "=",
    "~",
]


def _converter(quick: bool) -> markdown.Markdown:
    md = markdown.Markdown(extensions=[*standard_extensions(), SiteExtension()])
    if not quick:  # Python-Markdown's own inline processor, as shipped
        md.treeprocessors.register(InlineProcessor(md), "inline", 20)
    md.page_rel, md.page_url = "causes/x.md", "/causes/x/"
    return md


QUICK, PLAIN = _converter(True), _converter(False)


def _html(md: markdown.Markdown, text: str) -> str:
    md.reset()
    return md.convert(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_the_shortcut_changes_no_output(text: str) -> None:
    assert _html(QUICK, text) == _html(PLAIN, text)


@pytest.mark.parametrize(
    "text",
    [
        "Plain words only.",
        "Two spaces  \nbreak a line.",
        "A `code` span, an *em*, a __strong__ and a [link](/causes/).",
        "An &amp; entity, <b>html</b>, <http://example.org/> and a \\* escape.",
        "A citation [#1] and a note[^1].\n\n[^1]: The note.",
    ],
)
def test_the_shortcut_on_each_kind_of_inline_text(text: str) -> None:
    assert _html(QUICK, text) == _html(PLAIN, text)


def test_every_pattern_the_site_uses_is_known_to_the_shortcut() -> None:
    """A new pattern would turn the shortcut off (safe, slower): say so here first."""
    assert set(QUICK.inlinePatterns._data) <= markdown_ext.INLINE_NEEDS.keys()
    _html(QUICK, "text")
    assert QUICK.treeprocessors["inline"].quick


def test_an_unknown_pattern_turns_the_shortcut_off() -> None:
    md = _converter(True)
    md.inlinePatterns.register(SimpleTagInlineProcessor(r"()~~(.+?)~~", "del"), "strike", 65)
    assert "<del>gone</del>" in _html(md, "a ~~gone~~ word")
    assert not md.treeprocessors["inline"].quick
