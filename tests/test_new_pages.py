"""Checks on the pages added for issue 11 (contracts.md item 5), read from the Markdown.

Each new URL has a source file and is built; each page lists sources and cites them
with `[#n]` markers that point inside its list, and cites every source; the FAQ has the
questions the issue asks for; the glossary has the words the issue names; the page on
pain from elsewhere covers each organ with its signs and what to do.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from readability import fk_grade, page_text, split_front_matter

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"

# URL -> source file, as contracts.md item 5 (and items 2 and 3) place them.
NEW_PAGES = {
    "/outlook/": "outlook/index.md",
    "/pain-relief/": "pain-relief/index.md",
    "/causes/pain-from-elsewhere/": "causes/pain-from-elsewhere.md",
    "/causes/arthritis/": "causes/arthritis.md",
    "/causes/rib-joint-pain/": "causes/rib-joint-pain.md",
    "/prevention/": "prevention/index.md",
    "/living-with-back-pain/": "living-with-back-pain/index.md",
    "/treatments/other-treatments/": "treatments/other-treatments.md",
    "/life-stages/": "life-stages/index.md",
    "/life-stages/pregnancy/": "life-stages/pregnancy.md",
    "/life-stages/teenagers/": "life-stages/teenagers.md",
    "/life-stages/older-adults/": "life-stages/older-adults.md",
    "/faq/": "faq.md",
    "/glossary/": "glossary.md",
}

ISSUE_QUESTIONS = [
    "Is it my heart?",
    "How long will it last?",
    "What can I take?",
    "Heat or ice?",
    "Is back cracking safe?",
    "Do I need an X-ray or MRI?",
    "Should I rest?",
    "Can I keep working?",
    "How should I sleep?",
    "How many visits will I need?",
    "Will my insurance pay?",
    "Which treatment should I choose?",
    "What happens at my first visit?",
    "Will it come back?",
]

# The words issue 11 names for the glossary; each tuple lists accepted spellings.
ISSUE_TERMS = [
    ("Thoracic",),
    ("Vertebra",),
    ("Disc", "Disk"),
    ("Ligament",),
    ("Nerve",),
    ("Manipulation",),
    ("Mobilization", "Mobilisation"),
    ("Soft tissue",),
    ("Range of motion",),
    ("Core",),
    ("Osteoporosis",),
]

# pain-from-elsewhere: each organ the issue lists, and a word that names it on the page.
ORGANS = {
    "heart": "heart attack",
    "aorta": "aorta",
    "pneumonia": "pneumonia",
    "blood clot": "blood clot",
    "collapsed lung": "collapsed lung",
    "gallbladder": "gallbladder",
    "stomach": "stomach ulcer",
    "pancreas": "pancreas",
    "kidneys": "kidney",
    "shingles": "shingles",
}

CITATION = re.compile(r"\[(#\d+(?:\s*,\s*#\d+)*)\]")


def read(rel: str) -> tuple[dict, str]:
    """Front matter and body of a content file."""
    return split_front_matter((CONTENT / rel).read_text(encoding="utf-8"))


def cited_numbers(body: str) -> list[int]:
    """Every number cited with [#n] or [#n, #m] in a Markdown body."""
    return [int(n) for group in CITATION.findall(body) for n in re.findall(r"\d+", group)]


def citation_problems(meta: dict, body: str) -> list[str]:
    """What is wrong with a page's sources and [#n] citations (empty when all is well)."""
    sources = meta.get("sources") or []
    if not sources:
        return ["no sources listed"]
    numbers = cited_numbers(body)
    if not numbers:
        return ["no [#n] citations in the body"]
    problems = [
        f"[#{n}] points past the {len(sources)} sources"
        for n in numbers
        if n < 1 or n > len(sources)
    ]
    uncited = sorted(set(range(1, len(sources) + 1)) - set(numbers))
    problems += [f"source {n} ({sources[n - 1].get('title')!r}) is never cited" for n in uncited]
    return problems


def sections(body: str, level: str = "## ") -> dict[str, str]:
    """Heading text -> the text under it, up to the next heading of the same level."""
    parts = re.split(rf"^{level}(.+)$", body, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def sentences(text: str) -> int:
    """Sentences in a short answer: links read as their text, comments and citations dropped."""
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = CITATION.sub("", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    return len(re.findall(r"[^.!?]*[A-Za-z][^.!?]*[.!?;]", text.replace(";", ".")))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped site, built once for these tests."""
    out = tmp_path_factory.mktemp("built") / "site"
    command = [sys.executable, "build.py", "build", "--no-cache", "--out", str(out)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out


# ------------------------------------------------------------------ URLs
@pytest.mark.parametrize("url", NEW_PAGES)
def test_new_url_has_its_file(url):
    assert (CONTENT / NEW_PAGES[url]).is_file(), f"{url}: content/{NEW_PAGES[url]} is missing"


@pytest.mark.parametrize("url", NEW_PAGES)
def test_new_url_is_built(url, built):
    html = built / url.strip("/") / "index.html"
    assert html.is_file(), f"{url} was not built"
    title = read(NEW_PAGES[url])[0]["title"]
    assert title.replace("'", "&#39;") in html.read_text(encoding="utf-8").replace(
        "&#x27;", "&#39;"
    )


# ------------------------------------------------------------------ sources and citations
@pytest.mark.parametrize("url", NEW_PAGES)
def test_sources_are_cited_and_citations_point_to_sources(url):
    meta, body = read(NEW_PAGES[url])
    problems = citation_problems(meta, body)
    assert not problems, f"content/{NEW_PAGES[url]}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize(
    ("meta", "body", "expected"),
    [
        ({"sources": [{"title": "A"}]}, "Claim [#1].", []),
        (
            {"sources": [{"title": "A"}]},
            "Claim [#2].",
            ["[#2] points past the 1 sources", "source 1 ('A') is never cited"],
        ),
        (
            {"sources": [{"title": "A"}, {"title": "B"}]},
            "Claim [#1].",
            ["source 2 ('B') is never cited"],
        ),
        ({"sources": [{"title": "A"}, {"title": "B"}]}, "Claim [#1, #2].", []),
        ({"sources": [{"title": "A"}]}, "No marks.", ["no [#n] citations in the body"]),
        ({}, "Claim [#1].", ["no sources listed"]),
    ],
)
def test_citation_checker_finds_what_is_wrong(meta, body, expected):
    assert citation_problems(meta, body) == expected


def uncited_number_lines(body: str) -> list[str]:
    """Lines of prose with a number but no [#n] (headings, tables, pictures, callout titles
    and a bare 911 aside: the number 911 is the action, not a claim)."""
    lines = []
    for line in body.splitlines():
        text = line.strip().lstrip(">").strip()
        if not text or text.startswith(("#", "|", "!", "[!", "<!--")):
            continue
        prose = re.sub(r"\[[^\]]*\]\([^)]*\)", "", CITATION.sub("", text)).replace("911", "")
        if re.search(r"\d", prose) and not CITATION.search(text):
            lines.append(text)
    return lines


@pytest.mark.parametrize("url", NEW_PAGES)
def test_every_number_is_cited(url):
    body = read(NEW_PAGES[url])[1]
    assert not uncited_number_lines(body), (
        f"{url}: numbers without [#n]: {uncited_number_lines(body)}"
    )


@pytest.mark.parametrize("url", NEW_PAGES)
def test_every_sign_in_an_urgent_or_warning_box_is_cited(url):
    body = read(NEW_PAGES[url])[1]
    uncited = [
        line
        for block in re.split(r"\n\s*\n", body)
        if re.match(r"> \[!(URGENT|WARNING)\]", block.strip())
        for line in block.splitlines()[1:]
        if re.match(r">\s*[-*] ", line) and not CITATION.search(line)
    ]
    assert not uncited, f"{url}: signs without [#n]: {uncited}"


def test_uncited_number_check_can_fail():
    assert uncited_number_lines("- up to 4,000 mg a day") == ["- up to 4,000 mg a day"]
    assert uncited_number_lines("- up to 4,000 mg a day [#1]") == []
    assert uncited_number_lines("> [!URGENT] Call 911 now") == []


@pytest.mark.parametrize("url", NEW_PAGES)
def test_reading_grade_of_new_page(url):
    grade = fk_grade(page_text(CONTENT / NEW_PAGES[url]))
    assert grade <= 8, f"{url} reads at grade {grade:.1f}"


@pytest.mark.parametrize("url", [u for u in NEW_PAGES if u not in ("/faq/", "/glossary/")])
def test_urgent_or_warning_box_comes_before_advice(url):
    """Urgent signs come before anything a worried reader might act on alone."""
    body = read(NEW_PAGES[url])[1]
    first_heading = re.search(r"^## ", body, flags=re.M)
    callout = re.search(r"^> \[!(URGENT|WARNING)\]", body, flags=re.M)
    assert callout, f"{url}: no urgent or warning callout"
    assert not first_heading or callout.start() < first_heading.start(), (
        f"{url}: the callout comes after the first section"
    )


# ------------------------------------------------------------------ FAQ
def test_faq_is_marked_and_has_enough_questions():
    meta, body = read("faq.md")
    assert meta.get("faq") is True, "front matter faq: true"
    questions = re.findall(r"^## (.+\?)\s*$", body, flags=re.M)
    assert len(questions) >= 15, f"only {len(questions)} questions"
    missing = [q for q in ISSUE_QUESTIONS if q not in questions]
    assert not missing, f"questions the issue asks for are missing: {missing}"


@pytest.mark.parametrize("question", ISSUE_QUESTIONS)
def test_faq_answer_is_short_and_links_to_detail(question):
    answer = sections(read("faq.md")[1])[question]
    n = sentences(answer)
    assert 2 <= n <= 4, f"{question!r}: {n} sentences (2 to 4 wanted)"
    assert re.search(r"\]\((?!https?:)[^)]+\)", answer), f"{question!r}: no link to a detail page"


def test_every_faq_heading_is_a_question():
    body = read("faq.md")[1]
    headings = re.findall(r"^## (.+)$", body, flags=re.M)
    assert headings and all(h.strip().endswith("?") for h in headings)


# ------------------------------------------------------------------ glossary
def glossary_terms() -> list[str]:
    return re.findall(r"^## (.+?)\s*$", read("glossary.md")[1], flags=re.M)


@pytest.mark.parametrize("spellings", ISSUE_TERMS, ids=[t[0] for t in ISSUE_TERMS])
def test_glossary_has_the_terms_the_issue_names(spellings):
    terms = {t.lower() for t in glossary_terms()}
    assert terms & {s.lower() for s in spellings}, f"the glossary has no entry for {spellings[0]}"


def test_glossary_entries_are_short_and_sorted():
    entries = sections(read("glossary.md")[1])
    assert len(entries) >= 40
    for term, text in entries.items():
        n = sentences(text)
        assert 1 <= n <= 2, f"{term}: {n} sentences (one or two wanted)"
        assert "?" not in term and not term.endswith("."), term
    names = [t.lower() for t in entries]
    assert names == sorted(names), "entries are in A to Z order"


def test_every_glossary_term_is_used_elsewhere_on_the_site():
    """A glossary of words the site never uses only sends readers nowhere."""
    others = " ".join(
        split_front_matter(p.read_text(encoding="utf-8"))[1].lower()
        for p in CONTENT.rglob("*.md")
        if p.name != "glossary.md"
    )
    unused = []
    for term in glossary_terms():
        t = term.lower()
        forms = {t, t + "s", t + "es", t[:-1] + "ae" if t.endswith("a") else t}
        if not any(re.search(rf"\b{re.escape(f)}\b", others) for f in forms):
            unused.append(term)
    assert not unused, f"glossary words no other page uses: {unused}"


# ------------------------------------------------------------------ pain from elsewhere
def test_pain_from_elsewhere_urgent_box_comes_first():
    """The page opens with its own box of organ signs. It is a warning callout, not an
    urgent one, so that the site's two-tier urgent box (Call 911 now / See a doctor today)
    is shown above it as on every cause page (test_content.py checks that box)."""
    body = read("causes/pain-from-elsewhere.md")[1]
    assert body.lstrip().startswith("> [!WARNING]")
    box = body.split("\n\n")[0].lower()
    for sign in ("chest", "jaw", "sweating", "tearing", "shortness of breath", "911"):
        assert sign in box, f"the urgent box mentions {sign!r}"


@pytest.mark.parametrize("organ", ORGANS)
def test_pain_from_elsewhere_covers_each_organ(organ):
    parts = sections(read("causes/pain-from-elsewhere.md")[1])
    word = ORGANS[organ]
    found = [text for heading, text in parts.items() if word in (heading + text).lower()]
    assert found, f"no section covers the {organ}"
    text = found[0]
    # The signs that point to it, and what to do, in the same section.
    assert re.search(r"\bsigns?\b", text, flags=re.I), f"{organ}: no signs"
    assert "**What to do:**" in text, f"{organ}: no 'What to do'"
    assert re.search(r"911|doctor today|help now|doctor soon", text), f"{organ}: no action"


# ------------------------------------------------------------------ pictures
NEW_IMAGES = [
    "organs-near-upper-back.svg",
    "heat-and-cold.svg",
    "compression-fracture.svg",
    "backpack-both-straps.svg",
    "sleep-positions.svg",
    "rib-joints.svg",
    "spine-parts.svg",
]


@pytest.mark.parametrize("name", NEW_IMAGES)
def test_new_picture_is_light_titled_and_used_with_alt_text(name):
    svg = (ROOT / "static" / "images" / name).read_text(encoding="utf-8")
    assert re.search(r"<svg[^>]*\bviewBox=", svg) and len(svg) < 12_000
    assert re.search(r"<title[^>]*>[^<]{5,}</title>", svg) and "<desc" in svg
    assert "<script" not in svg.lower() and not re.search(r"\son\w+\s*=", svg)
    assert not re.findall(r"(?:href|src)\s*=", svg), "no external references"
    uses = [
        alt
        for rel in NEW_PAGES.values()
        for alt in re.findall(rf"!\[([^\]]*)\]\(/images/{re.escape(name)}\)", read(rel)[1])
    ]
    assert uses, f"{name} is not used on a new page"
    assert all(len(alt) >= 20 for alt in uses), f"{name}: alt text too short"
