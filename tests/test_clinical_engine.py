"""Citations, glossary links, FAQ structured data and the appointment form's choices,
each built from a small fixture site, with the exact messages staff will see."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from support import messages

from sitegen import memo as memo_mod
from sitegen.booking import booking_choices, clock
from sitegen.citations import citations_in
from sitegen.config import Hours
from sitegen.glossary import glossary_terms, link_terms
from sitegen.model import Page
from sitegen.pipeline import Options, build
from sitegen.render import convert
from sitegen.seo import questions

CLINICAL = Path(__file__).resolve().parent / "fixtures" / "clinical"
TWO_SOURCES = """---
title: Rib pain
description: Pain where the ribs meet the spine.
sources:
  - title: Back pain
    publisher: NHS
    url: https://www.nhs.uk/conditions/back-pain/
  - title: Back pain
    publisher: MedlinePlus
    url: https://medlineplus.gov/backpain.html
---
"""  # the body starts on line 12; source 1 is on line 5, source 2 on line 8


def write(site: Path, rel: str, text: str) -> Path:
    path = site / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def built(site: Path, url: str) -> str:
    return (site / "_site" / url.strip("/") / "index.html").read_text(encoding="utf-8")


def with_shipped_templates(site: Path) -> None:
    """The shipped templates (the fixture's show no JSON-LD and no form) and static files."""
    shutil.rmtree(site / "templates")
    shutil.copytree(ROOT / "templates", site / "templates")
    shutil.copytree(ROOT / "static", site / "static", dirs_exist_ok=True)


def jsonld_of(page_html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page_html, re.S)
    assert found, "the page has no JSON-LD"
    return json.loads(found.group(1))


class Anchors(HTMLParser):
    """Every id and every link of a page, with the text of each link."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []
        self._open: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a":
            self._open, self._href = [], values.get("href") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.links.append((self._href, "".join(self._open)))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def anchors(page_html: str) -> Anchors:
    parser = Anchors()
    parser.feed(page_html)
    return parser


# --- citations ---------------------------------------------------------------------------


def test_citations_link_to_the_numbered_source_list(site: Path, run) -> None:
    body = "Most back pain gets better in weeks [#1]. Keep moving [#1, #2].\n"
    write(site, "content/causes/rib-pain.md", TWO_SOURCES + body)
    result = run("build")
    assert result.code == 0, result.err
    assert "cited" not in result.err, "a fully cited page gives no citation warning"
    page = built(site, "/causes/rib-pain/")
    one = '<a href="#source-1"><span class="visually-hidden">source </span>1</a>'
    two = '<a href="#source-2"><span class="visually-hidden">source </span>2</a>'
    assert f'in weeks<sup class="cite">{one}</sup>.' in page
    assert f'Keep moving<sup class="cite">{one}, {two}</sup>.' in page
    found = anchors(page)
    assert {"source-1", "source-2"} <= found.ids
    cites = [(h, t) for h, t in found.links if h.startswith("#source-")]
    assert cites == [
        ("#source-1", "source 1"),
        ("#source-1", "source 1"),
        ("#source-2", "source 2"),
    ]


def test_citations_in_code_are_left_as_written(site: Path, run) -> None:
    body = (
        "Text [#1] and [#2].\n\nWrite `[#7]` after a claim.\n\n```\n[#9]\n```\n\n\\[#8] too.\n\n"
        "    indented code [#6]\n\n- a list item\n\n    its second paragraph [#1]\n"
    )
    write(site, "content/causes/rib-pain.md", TWO_SOURCES + body)
    result = run("build")
    assert result.code == 0, result.err
    page = built(site, "/causes/rib-pain/")
    assert "<code>[#7]</code>" in page
    assert "<code>[#9]</code>" in page  # ``` makes a code span: the site has no fenced blocks
    assert "<p>[#8] too.</p>" in page
    assert "<pre><code>indented code [#6]\n</code></pre>" in page
    assert '<p>its second paragraph<sup class="cite"><a href="#source-1">' in page
    assert not re.search("#source-[6-9]", page)


CITATION_CASES = {
    "a number past the end of sources": (
        "Text [#1] and [#2]. More [#3].\n",
        [
            "content/causes/rib-pain.md:12: the citation [#3] has no source:"
            " the page lists 2 sources",
            "  hint: use a number from 1 to 2 (sources count from the top of `sources`),"
            " or add the source",
        ],
    ),
    "number zero, in a list of citations": (
        "Text.\n\n- One [#2, #0]\n- Two [#1]\n",
        [
            "content/causes/rib-pain.md:14: the citation [#0] has no source:"
            " the page lists 2 sources",
        ],
    ),
    "a listed source never cited": (
        "Text [#2].\n",
        [
            'content/causes/rib-pain.md:5: source 1 ("Back pain") is listed but never cited',
            "  hint: put [#1] right after a sentence it supports, or remove it from `sources`",
        ],
    ),
    "a source cited only inside code": (
        "Text [#1]. `[#2]`\n",
        ['content/causes/rib-pain.md:8: source 2 ("Back pain") is listed but never cited'],
    ),
}


@pytest.mark.parametrize("name", CITATION_CASES)
def test_citation_error(name: str, site: Path, run) -> None:
    body, expected = CITATION_CASES[name]
    write(site, "content/causes/rib-pain.md", TWO_SOURCES + body)
    before = sorted(p.name for p in site.glob("_site/*"))
    result = run("build")
    assert result.code == 1
    lines = messages(result.err)
    assert expected[0] in lines, result.err
    at = lines.index(expected[0])
    assert lines[at : at + len(expected)] == expected
    assert sorted(p.name for p in site.glob("_site/*")) == before


@pytest.mark.parametrize("fields, line", [("", 5), ("sources:\n", 6), ("sources: []\n", 6)])
def test_citations_with_no_sources_are_errors(site: Path, run, fields: str, line: int) -> None:
    page = f"---\ntitle: About\ndescription: Us.\n{fields}---\nWe help [#1].\n"
    write(site, "content/about.md", page)
    result = run("build")
    assert result.code == 1
    assert messages(result.err)[:2] == [
        f"content/about.md:{line}: the citation [#1] has no source: the page lists no sources",
        "  hint: add the source to `sources` in the front matter, or remove the citation",
    ]


def test_every_citation_problem_is_reported_at_once(site: Path, run) -> None:
    write(site, "content/causes/rib-pain.md", TWO_SOURCES + "Text [#4].\n\nMore [#5].\n")
    result = run("build")
    assert result.code == 1
    found = [line for line in messages(result.err) if line.startswith("content/")]
    assert found == [
        'content/causes/rib-pain.md:5: source 1 ("Back pain") is listed but never cited',
        'content/causes/rib-pain.md:8: source 2 ("Back pain") is listed but never cited',
        "content/causes/rib-pain.md:12: the citation [#4] has no source: the page lists 2 sources",
        "content/causes/rib-pain.md:14: the citation [#5] has no source: the page lists 2 sources",
    ]


def test_sources_listed_but_none_cited_is_a_warning(site: Path, run) -> None:
    write(site, "content/causes/rib-pain.md", TWO_SOURCES + "No citations here.\n")
    result = run("build")
    assert result.code == 0, result.err
    lines = messages(result.err)
    warning = "content/causes/rib-pain.md:4: warning: sources are listed but none is cited"
    assert warning in lines
    assert lines[lines.index(warning) + 1] == (
        "  hint: put [#1] right after the sentence that source supports (see docs/editing.md)"
    )
    assert run("build", "--strict").code == 1


@pytest.mark.parametrize(
    "body, expected",
    [
        ("a [#1] b", [(2, [1])]),
        ("a [#1, #3] b [#2,4]", [(2, [1, 3]), (13, [2, 4])]),
        ("a `[#1]` b", []),
        ("a \\[#1] b", []),
        ("[#] [#a] [# 1] [1]", []),
        ("```\n[#1]\n```\n[#2]", [(13, [2])]),
        ("a\n\n    code [#1]\n\n- item\n\n    para [#2]", [(35, [2])]),
        ("``a [#1] ` b`` and `x\ny [#2]`", []),
        ("    code [#1]\n\ntext [#2]\n    more [#3]", [(20, [2]), (34, [3])]),
    ],
)
def test_citations_in(body: str, expected: list) -> None:
    assert citations_in(body) == expected


# Markdown as staff write it: blocks with blank lines between, citations everywhere
TEXT = ["Text [#1].", "More text [#2, #3] here.", "Use `[#9]` in text [#1].", "plain",
        "\\[#8] is shown as written.", "``[#9]`` and [#3]", "Text\\\\[#1]",
        "Code `a\nb [#9]` spans lines [#2].", "A ``tick ` [#9]`` [#1]"]  # fmt: skip
ITEMS = ["- item [#1]", "1. step [#2]", "  - nested [#3]", "    - nested deeper [#1]",
         "    continued [#2]", "- `[#9]` [#3]"]  # fmt: skip
QUOTED = ["> - sign [#1]", "> text [#2]", "> `[#9]`"]
BLOCKS = st.one_of(
    st.lists(st.sampled_from(TEXT), min_size=1, max_size=3).map("\n".join),
    st.tuples(st.sampled_from(ITEMS[:2]), st.lists(st.sampled_from(ITEMS), max_size=3)).map(
        lambda t: "\n".join([t[0], *t[1]])
    ),
    st.sampled_from(["- item [#1]\n\n    its second paragraph [#2]", "1. one\n\n    two [#3]"]),
    st.lists(st.sampled_from(QUOTED), min_size=1, max_size=3).map(
        lambda lines: "\n".join(["> [!URGENT] Call 911 now", *lines])
    ),
    st.sampled_from(["    indented code [#7]", "```\n[#4]\n```", "## Heading", "| a | b [#1] |\n"
                     "|---|---|\n| c [#2] | d |"]),
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(BLOCKS, max_size=8))
def test_the_check_finds_the_citations_the_page_shows(blocks: list[str]) -> None:
    """citations_in() reads Markdown text; the page is converted by Python-Markdown. They must
    agree on which citations there are, or a check could pass a link to a missing source."""
    body = "\n\n".join(blocks) + "\n"
    page = Page("causes/a.md", "content/causes/a.md", "/causes/a/", "causes", "A", "A.", "A.",
                body, 5, "page.html")  # fmt: skip
    shown = [int(n) for n in re.findall(r'href="#source-(\d+)"', convert(page).html)]
    assert [n for _, numbers in citations_in(body) for n in numbers] == shown


# --- glossary ------------------------------------------------------------------------------


def with_glossary(site: Path, where: str = "glossary.md") -> None:
    write(site, f"content/{where}", (CLINICAL / "glossary.md").read_text())
    shutil.copy(CLINICAL / "stiff-back.md", site / "content" / "causes" / "stiff-back.md")


def glossary_links(page_html: str) -> list[tuple[str, str]]:
    return [(h, t) for h, t in anchors(page_html).links if "glossary/#" in h]


@pytest.mark.parametrize("where", ["glossary.md", "glossary/index.md"])
def test_first_use_of_each_term_links_to_the_glossary(site: Path, run, where: str) -> None:
    with_glossary(site, where)
    result = run("build")
    assert result.code == 0, result.err
    page = built(site, "/causes/stiff-back/")
    assert glossary_links(page) == [
        ("../../glossary/#vertebra", "vertebra"),
        ("../../glossary/#range-of-motion", "Range of\nmotion"),
        ("../../glossary/#spinal-disc", "discs"),
        ("../../glossary/#thoracic", "thoracic"),
    ]
    assert '<h2 id="your-vertebra-and-discs">Your vertebra and discs</h2>' in page
    assert '<a href="../kyphosis/">a vertebra can wedge</a>' in page
    assert "<code>thoracic</code>" in page
    assert "discovery" in page and "disco" in page


def test_glossary_links_reach_its_headings(site: Path, run) -> None:
    with_glossary(site)
    assert run("build").code == 0
    glossary = anchors(built(site, "/glossary/"))
    assert not glossary_links(built(site, "/glossary/")), "the glossary never links to itself"
    for url in ("/causes/stiff-back/", "/causes/kyphosis/"):
        for href, _ in glossary_links(built(site, url)):
            target = urljoin(f"https://fixture.example.org{url}", href)
            assert target.startswith("https://fixture.example.org/glossary/#")
            assert target.split("#")[1] in glossary.ids


def test_glossary_links_work_under_a_sub_path(site: Path, run) -> None:
    with_glossary(site)
    assert run("build", "--base-url", "https://example.github.io/clinic/").code == 0
    links = glossary_links(built(site, "/causes/stiff-back/"))
    assert links and all(h.startswith("../../glossary/#") for h, _ in links)


def test_a_word_added_to_the_glossary_is_linked_on_the_next_build(site: Path, run) -> None:
    with_glossary(site)
    assert run("build").code == 0
    assert "glossary/#kyphosis" not in built(site, "/causes/stiff-back/")
    glossary = site / "content" / "glossary.md"
    glossary.write_text(glossary.read_text() + "\n## Kyphosis\n\nA rounded upper back.\n")
    result = run("build")  # with the first build's cache: only the glossary is converted again
    assert result.out.endswith("(9 rendered, 0 unchanged; 1 converted from Markdown)\n")
    assert result.code == 0, result.err
    assert ("../../glossary/#kyphosis", "kyphosis") in glossary_links(
        built(site, "/causes/stiff-back/")
    )
    glossary.write_text(glossary.read_text().replace("## Thoracic", "## Chest"))
    assert run("build").code == 0
    assert "glossary/#thoracic" not in built(site, "/causes/stiff-back/"), "a removed word"


def test_serve_links_a_new_glossary_word_too(site: Path) -> None:
    """serve rebuilds with a memo that it keeps warm in memory."""
    with_glossary(site)
    memo = memo_mod.load(None)
    options = Options(cache=None)
    build(options, memo)
    glossary = site / "content" / "glossary.md"
    glossary.write_text(glossary.read_text() + "\n## Kyphosis\n\nA rounded upper back.\n")
    result = build(options, memo)
    assert "/causes/stiff-back/" in result.rendered_urls
    assert "glossary/#kyphosis" in built(site, "/causes/stiff-back/")


@pytest.mark.parametrize(
    "body, expected",
    [
        ("## Vertebra\n\nA bone.\n\n## Range  of *motion*\n", (("vertebra", "vertebra"),
         ("range of motion", "range-of-motion"))),
        ("# Glossary\n\n## Disc {#spinal-disc}\n\n### Not a term\n", (("disc", "spinal-disc"),)),
        ("## Disc\n\n## disc\n", (("disc", "disc"),)),
    ],
)  # fmt: skip
def test_glossary_terms(body: str, expected: tuple) -> None:
    assert glossary_terms(body) == expected


TERMS = {"disc": "disc", "range of motion": "rom", "motion": "motion"}


def linked(text: str, anchor: str) -> str:
    return f'<a class="glossary-term" href="#{anchor}">{text}</a>'


@pytest.mark.parametrize(
    "before, after",
    [
        ("<p>A disc and a disc.</p>", f"<p>A {linked('disc', 'disc')} and a disc.</p>"),
        ("<h2>Disc</h2><p>Discs.</p>", f"<h2>Disc</h2><p>{linked('Discs', 'disc')}.</p>"),
        (
            '<p><a href="x">disc</a> disc</p>',
            f'<p><a href="x">disc</a> {linked("disc", "disc")}</p>',
        ),
        (
            "<p><code>disc</code> <strong>disc</strong></p>",
            f"<p><code>disc</code> <strong>{linked('disc', 'disc')}</strong></p>",
        ),
        ("<p>discover discus disc-shaped</p>", "<p>discover discus disc-shaped</p>"),
        (
            "<p>range of motion, then motion</p>",
            f"<p>{linked('range of motion', 'rom')}, then {linked('motion', 'motion')}</p>",
        ),
        ("<p>disc&amp;disces</p>", f"<p>{linked('disc', 'disc')}&amp;disces</p>"),
        ('<p class="callout-title">Disc</p><p>x</p>', '<p class="callout-title">Disc</p><p>x</p>'),
        ("<p>no terms here</p>", "<p>no terms here</p>"),
    ],
)
def test_link_terms(before: str, after: str) -> None:
    assert link_terms(before, TERMS, lambda anchor: "#" + anchor) == after


def test_link_terms_changes_nothing_else() -> None:
    html = "<p>A <em>disc</em> &lt;b&gt; x&#39;s</p>\n<ul>\n<li>motion<br>\nend</li>\n</ul>"
    linked = link_terms(html, TERMS, lambda anchor: "/g/#" + anchor)
    unlinked = re.sub(r'<a class="glossary-term" href="[^"]*">(.*?)</a>', r"\1", linked)
    assert unlinked == html
    assert linked.count("glossary-term") == 2


# --- FAQ -------------------------------------------------------------------------------------

FAQ = """---
title: Questions patients ask
description: Short answers to common questions about upper back pain.
faq: true
sources:
  - title: Back pain
    publisher: NHS
    url: https://www.nhs.uk/conditions/back-pain/
---
Answers to common questions.

## How long will it last?

Most back pain gets better within a few weeks [#1]. See [our self-care page](about.md).

- Keep moving.
- Use heat.

## Should I rest?

No: staying active helps you get better sooner [#1].

## More help

Call us.
"""


def test_an_faq_page_gets_faqpage_structured_data(site: Path, run) -> None:
    write(site, "content/faq.md", FAQ)
    with_shipped_templates(site)
    result = run("build")
    assert result.code == 0, result.err
    graph = jsonld_of(built(site, "/faq/"))["@graph"]
    faq = [node for node in graph if node["@type"] == "FAQPage"]
    assert faq == [
        {
            "@type": "FAQPage",
            "@id": "https://fixture.example.org/faq/#faq",
            "url": "https://fixture.example.org/faq/",
            "name": "Questions patients ask",
            "mainEntity": [
                {
                    "@type": "Question",
                    "name": "How long will it last?",
                    "acceptedAnswer": {
                        "@type": "Answer",
                        "text": "Most back pain gets better within a few weeks. See our self-care"
                        " page. Keep moving. Use heat.",
                    },
                },
                {
                    "@type": "Question",
                    "name": "Should I rest?",
                    "acceptedAnswer": {
                        "@type": "Answer",
                        "text": "No: staying active helps you get better sooner.",
                    },
                },
            ],
        }
    ]


def test_other_pages_have_no_faqpage(site: Path, run) -> None:
    write(site, "content/faq.md", FAQ.replace("faq: true\n", ""))
    with_shipped_templates(site)
    assert run("build").code == 0
    assert "FAQPage" not in built(site, "/faq/")
    assert "FAQPage" not in built(site, "/causes/kyphosis/")


def test_an_faq_page_without_questions_has_no_faqpage(site: Path, run) -> None:
    write(site, "content/faq.md", FAQ.replace("?\n", "\n"))
    with_shipped_templates(site)
    assert run("build").code == 0
    assert "FAQPage" not in built(site, "/faq/")
    assert "MedicalWebPage" not in built(site, "/faq/") and '"WebPage"' in built(site, "/faq/")


def test_faq_must_be_true_or_false(site: Path, run) -> None:
    write(site, "content/faq.md", FAQ.replace("faq: true", "faq: yes please"))
    result = run("build")
    assert result.code == 1
    assert messages(result.err) == [
        "content/faq.md:4: 'faq' should be true or false (got \"yes please\")",
        "build failed: 1 error(s); _site is unchanged",
    ]


def test_questions_ignore_headings_without_a_question_mark() -> None:
    html = (
        "<p>Intro</p><h2>Why?</h2><p>Because.</p><h3>Detail</h3><p>More.</p><h2>Other</h2><p>x</p>"
    )
    assert questions(html) == [("Why?", "Because. Detail More.")]


# --- the appointment form ---------------------------------------------------------------------


def test_booking_choices_follow_the_opening_hours() -> None:
    weekdays = Hours(("Mo", "Tu", "We", "Th", "Fr"), "08:00", "18:00")
    choices = booking_choices((weekdays,))
    assert [d.label for d in choices.days] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
    ]
    assert [(t.value, t.label) for t in choices.times] == [
        ("morning", "Morning (8 am to noon)"),
        ("afternoon", "Afternoon (noon to 5 pm)"),
        ("evening", "Evening (5 pm to 6 pm)"),
    ]
    saturday = Hours(("Sa",), "09:00", "12:30")
    mornings = Hours(("Mo", "We"), "07:30", "12:00")
    choices = booking_choices((saturday, mornings))
    assert [d.value for d in choices.days] == ["monday", "wednesday", "saturday"]
    assert [(t.value, t.label) for t in choices.times] == [
        ("morning", "Morning (7:30 am to noon)"),
        ("afternoon", "Afternoon (noon to 12:30 pm)"),
    ]


@pytest.mark.parametrize(
    "hhmm, shown",
    [("08:00", "8 am"), ("12:00", "noon"), ("17:30", "5:30 pm"), ("00:00", "midnight")],
)
def test_clock(hhmm: str, shown: str) -> None:
    assert clock(hhmm) == shown


def test_the_form_offers_only_days_and_times_the_clinic_is_open(site: Path, run) -> None:
    config = site / "content" / "site.yaml"
    config.write_text(
        config.read_text().replace(
            '  - days: [Mo, Tu, We, Th, Fr]\n    opens: "08:00"\n    closes: "17:30"\n',
            '  - {days: [Tu, Th], opens: "13:00", closes: "19:00"}\n'
            '  - {days: [Sa], opens: "09:00", closes: "12:00"}\n',
        )
    )
    write(
        site,
        "content/appointments.md",
        "---\ntitle: Book a visit\ndescription: Ask for an appointment.\n"
        "template: appointments.html\n---\nAsk for a time.\n",
    )
    with_shipped_templates(site)
    result = run("build")
    assert result.code == 0, result.err
    page = built(site, "/appointments/")
    days = re.findall(r'name="days" value="(\w+)"', page)
    times = re.findall(r'name="time" value="\w+"><label for="[\w-]+">([^<]+)<', page)
    assert days == ["tuesday", "thursday", "saturday"]
    assert times == ["Morning (9 am to noon)", "Afternoon (1 pm to 5 pm)", "Evening (5 pm to 7 pm)"]
    hint = "We are open Tuesday, Thursday, 1 pm to 7 pm; Saturday, 9 am to 12 pm."
    assert f'<p class="hint" id="hint-hours">{hint}</p>' in page
