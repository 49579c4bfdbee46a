"""What the clinic must make its own before the site is published (`build --release`).

A pure function of the assembled site and its page files: the list of things still to do,
each a SiteError at its file and line. A plain build, `serve` and `check` show them as
warnings; `build --release` refuses to build while any is left. docs/go-live.md is the
same list for people, in the order to work through it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from .config import PHONE_AND_EMAIL_ONLY, SiteConfig
from .content import today
from .errors import SiteError, by_fields
from .links import md_link
from .model import Page, Site
from .scaffold import page_text

# What the site ships with: a clinic that must not be taken for a real one.
SHIPPED_BASE_URL = "https://www.example.org/"
SHIPPED_ADDRESS = ("100 Example Street, Suite 1", "Exampleville")
# Pages that tell patients when to get help now: a medical doctor must sign them off.
URGENT_PAGES = ("/when-to-get-help/", "/causes/pain-from-elsewhere/")
DOCTOR = re.compile(r"\b(?:M\.?\s?D|D\.?\s?O)\b\.?")  # MD, M.D., DO, D.O.

PHONE = re.compile(r"\b555[-. ]?01\d\d\b")  # 555-0100 to 555-0199: reserved for fiction
EXAMPLE = re.compile(r"\bexample\.(?:com|org|net)\b", re.IGNORECASE)
LOCAL = re.compile(r"(?:https?:)?//(?:localhost|127\.0\.0\.1)\b", re.IGNORECASE)
PLAIN_HTTP = re.compile(r"\bhttp://", re.IGNORECASE)
TODO = re.compile(r"\bTODO\b")
# Text each pattern's matches must hold (lower case): checked before the pattern runs.
CLUES = {PHONE: "555", EXAMPLE: "example.", LOCAL: "//", PLAIN_HTTP: "http://"}
TOKEN_END = re.compile(r"[\s()\[\]\"'<>,;]")
MARK = "TITLE-MARK"  # stands for the title in `new`'s template, which differs per page

GO_LIVE = "see docs/go-live.md"


@dataclass(frozen=True, slots=True)
class TextFindings:
    """What one page's own text holds for the checks below: a pure function of the text,
    so a build may keep it for pages whose text has not changed."""

    todo: tuple[SiteError, ...]  # placeholders and http:// links (`line_problems`)
    unfinished: bool  # some line may be unfinished: `unfinished_problems` looks line by line

    __reduce__ = by_fields


Findings = Mapping[str, TextFindings]  # page URL -> its text's findings


def text_findings(page: Page) -> TextFindings:
    return TextFindings(tuple(line_problems(page)), _may_be_unfinished(page))


def site_release_problems(site: Site, config_path: str, release: bool) -> list[SiteError]:
    """What site.yaml still holds of the sample, as errors or warnings."""
    return [_as(p, not release) for p in _by_line(config_problems(site.config, config_path))]


def page_release_problems(
    page: Page, site: Site, text: TextFindings, release: bool
) -> list[SiteError]:
    """One page's part, from top to bottom (drafts are not published: none)."""
    if page.draft:
        return []
    return [_as(p, not release) for p in _by_line(page_problems(page, site, text))]


def _by_line(problems: list[SiteError]) -> list[SiteError]:
    """One file's problems from top to bottom (those about the whole file first)."""
    return sorted(problems, key=lambda p: p.line or 0)


def _as(problem: SiteError, warning: bool) -> SiteError:
    return SiteError(problem.message, problem.path, problem.line, problem.hint, warning)


# --- site.yaml --------------------------------------------------------------------------


def config_problems(config: SiteConfig, shown: str) -> list[SiteError]:
    """The sample flag, placeholder details and the appointment endpoint in site.yaml."""
    found: list[SiteError] = []
    if config.sample:
        hint = "make the site the clinic's own (" + GO_LIVE + "), then set `sample: false`"
        found.append(
            SiteError("this is the sample site (sample: true)", shown, _at(config, "sample"), hint)
        )
    found += _address_problems(config, shown)
    for key, value in _config_texts(config):
        if key == "base_url" and value == SHIPPED_BASE_URL:
            message = f"base_url is still the shipped one ({value})"
            hint = "write the address where the site will be published, e.g. https://www.yourclinic.com/"
            found.append(SiteError(message, shown, _at(config, key), hint))
            continue
        found += text_problems(value, shown, _at(config, key), f"'{key}'")
    if not config.appointment_endpoint and config.appointment_requests != PHONE_AND_EMAIL_ONLY:
        message = (
            "there is no appointment_endpoint, and site.yaml does not say that the clinic"
            " takes requests by phone and email only"
        )
        hint = (
            "set appointment_endpoint to the address that receives the form, or add"
            f" `appointment_requests: {PHONE_AND_EMAIL_ONLY}`"
        )
        line = _at(config, "appointment_endpoint") or _at(config, "appointment_requests")
        found.append(SiteError(message, shown, line, hint))
    return found


def _at(config: SiteConfig, key: str) -> int | None:
    return config.line_of(key)


def _config_texts(config: SiteConfig) -> list[tuple[str, str]]:
    """The values in site.yaml a patient sees or a link uses, with their keys."""
    texts = [
        ("name", config.name),
        ("tagline", config.tagline),
        ("base_url", config.base_url),
        ("phone", config.phone),
        ("email", config.email),
        ("appointment_endpoint", config.appointment_endpoint),
        ("disclaimer", config.disclaimer),
    ]
    address = config.address
    texts += [
        ("address.street", address.street),
        ("address.locality", address.locality),
        ("address.postal_code", address.postal_code),
    ]
    return [(key, value) for key, value in texts if value]


def _address_problems(config: SiteConfig, shown: str) -> list[SiteError]:
    """The street address the site ships with."""
    address = config.address
    if address.street not in SHIPPED_ADDRESS and address.locality not in SHIPPED_ADDRESS:
        return []
    message = f"the address is still the shipped one ({address.street}, {address.locality})"
    hint = "write the clinic's real street address, town, state and ZIP code"
    return [SiteError(message, shown, _at(config, "address"), hint)]


# --- text anywhere ------------------------------------------------------------------------


def text_problems(
    text: str, shown: str, line: int | None, what: str, local: bool = True
) -> list[SiteError]:
    """Placeholder phone numbers and addresses, and links that only work on this computer
    (unless `local` is False: a page's own are build errors) or are sent unencrypted, in
    one value or line of text."""
    found: list[SiteError] = []
    match = PHONE.search(text)
    if match:
        message = f"{what} has a placeholder phone number ({_token(text, match)})"
        hint = "555-01xx numbers are reserved for examples: write the clinic's real number"
        found.append(SiteError(message, shown, line, hint))
    match = EXAMPLE.search(text)
    if match:
        message = f"{what} has a placeholder address ({_token(text, match)})"
        hint = f"{match.group(0).lower()} is reserved for examples: write the real address"
        found.append(SiteError(message, shown, line, hint))
    match = LOCAL.search(text)
    if match and local:
        message = f"{what} links to this computer ({_token(text, match)})"
        hint = "patients cannot reach localhost or 127.0.0.1: link to the published address"
        found.append(SiteError(message, shown, line, hint))
    elif PLAIN_HTTP.search(text) and not match:
        match = PLAIN_HTTP.search(text)
        message = f"{what} has a link over http:// ({_token(text, match)})"
        hint = "use the https:// address; most sites have one"
        found.append(SiteError(message, shown, line, hint))
    return found


def _token(text: str, match: re.Match[str]) -> str:
    """The whole word, address or link around a match, as written."""
    start = match.start()
    while start > 0 and not TOKEN_END.match(text[start - 1]):
        start -= 1
    end = TOKEN_END.search(text, match.end())
    token = text[start : end.start() if end else len(text)]
    return token.rstrip(".") if len(token) <= 80 else token[:77] + "..."


# --- pages ----------------------------------------------------------------------------------


def page_problems(page: Page, site: Site, text: TextFindings) -> list[SiteError]:
    """One page: its text, its reviews and, for urgent signs, a doctor's sign-off."""
    on = today()
    return [*text.todo, *review_problems(page, site, on), *signoff_problems(page, on)]


def line_problems(page: Page) -> list[SiteError]:
    """Placeholders and http:// links, line by line (comments in the front matter are
    passed over: `new` explains each field in one). Unfinished text and links copied from
    the preview are build errors (`unfinished_problems`), so they are not listed here."""
    found: list[SiteError] = []
    for number, line in _lines_matching(page, (PHONE, EXAMPLE, PLAIN_HTTP)):
        found += text_problems(line, page.shown, number, "this line", local=False)
    return found


def _lines_matching(page: Page, patterns: tuple[re.Pattern[str], ...]) -> list[tuple[int, str]]:
    """The page's numbered lines (as `_lines`) where any pattern matches, found by passes
    over the whole text: a line-by-line search costs far more on a large site."""
    found: dict[int, str] = {}
    for text, first, front in ((page.front, 2, True), (page.body, page.body_line, False)):
        lower = text.lower()
        for pattern in patterns:
            if CLUES[pattern] not in lower:  # a plain `in` first: far quicker than the regex
                continue
            for match in pattern.finditer(text):
                start = text.rfind("\n", 0, match.start()) + 1
                end = text.find("\n", match.end())
                line = text[start : end if end >= 0 else len(text)]
                if not (front and line.lstrip().startswith("#")):
                    found[first + text.count("\n", 0, start)] = line
    return sorted(found.items())


def _lines(page: Page) -> list[tuple[int, str]]:
    """The page's numbered lines: front matter (not its comments), then body."""
    front = [
        (number, line)
        for number, line in enumerate(page.front.split("\n"), 2)
        if not line.lstrip().startswith("#")
    ]
    return front + list(enumerate(page.body.split("\n"), page.body_line))


def unfinished_problems(site: Site, findings: Findings) -> list[SiteError]:
    """Errors in every build, for pages that are not drafts: text left from the template
    of `build.py new`, TODOs, and links copied from the preview's address bar."""
    found: list[SiteError] = []
    for page in site.pages:
        if not page.draft and findings[page.url].unfinished:
            found += [
                p for number, line in _lines(page) for p in _unfinished(page, site, number, line)
            ]
    return found


def _may_be_unfinished(page: Page) -> bool:
    """Whether any line of the page could be unfinished: plain `in` checks over the whole
    text (a regex over every page costs far more), so that the line-by-line look is only
    for the few pages that need it."""
    other_phrases = [p for p in template_phrases() if "TODO" not in p]
    for text in (page.front, page.body):
        if "TODO" in text or "127.0.0.1" in text or "localhost" in text.lower():
            return True
        if any(p in text for p in other_phrases):
            return True
    return False


def _unfinished(page: Page, site: Site, number: int, line: str) -> list[SiteError]:
    """The unfinished parts of one numbered line of a page."""
    found: list[SiteError] = []
    phrase = next((p for p in template_phrases() if p in line), None)
    if phrase:
        message = f"text left from the template of `build.py new`: {phrase.strip()!r}"
        found.append(SiteError(message, page.shown, number, UNFINISHED))
    elif TODO.search(line):
        hint = "do what the TODO says, then delete it; " + DRAFT_NOTE
        found.append(SiteError("a TODO is left in the page", page.shown, number, hint))
    match = LOCAL.search(line)
    if match and number >= page.body_line:
        found.append(_preview_link(page, site, number, _token(line, match)))
    elif match:  # a source's address in the front matter: no .md file stands for it
        found += text_problems(line, page.shown, number, "this line")[-1:]
    return found


DRAFT_NOTE = "to keep working on the page unpublished, set `draft: true`"
UNFINISHED = "replace it with the page's own words; " + DRAFT_NOTE


def _preview_link(page: Page, site: Site, number: int, link: str) -> SiteError:
    """A link copied from the preview's address bar: the .md link to write instead."""
    parts = urlsplit(link if "//" in link[:8] else "http:" + link)
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    target = site.page_at(path) or site.page_at(site.redirects.get(path, ""))
    message = f"the link {link} was copied from the preview and works only on this computer"
    if target is None:
        hint = "link to the page's file instead, written like kyphosis.md (see docs/editing.md)"
    else:
        written = md_link(page, target) + (f"#{parts.fragment}" if parts.fragment else "")
        hint = f"write ({written}) in place of ({link}): links to pages name their .md file"
    return SiteError(message, page.shown, number, hint)


@lru_cache(maxsize=1)
def template_phrases() -> tuple[str, ...]:
    """The fixed parts of the text `build.py new` writes (read from its template, so the
    two never drift apart): 'TODO: write the page here...', 'TODO: e.g. Chiropractor'."""
    phrases = []
    for kind in ("page", "clinicians"):
        for line in page_text(kind, MARK, Path(os.devnull)).split("\n"):
            if "TODO" in line and not line.startswith("# "):  # a YAML comment, not text
                value = re.sub(r"^(?:[a-z_]+:\s*|#+\s*)", "", line).strip().strip('"')
                phrases.append(value.split(MARK)[0])
    return tuple(dict.fromkeys(phrases))


def review_problems(page: Page, site: Site, on: dt.date) -> list[SiteError]:
    """A health page needs a recent review, by a clinician who agreed to be named."""
    found: list[SiteError] = []
    line = page.line_of("reviewed")
    hint = "ask a clinician to review the page, then set `reviewed:` to the day of the review"
    if page.is_health and page.reviewed is None:
        message = "this health page has no clinical review date (reviewed)"
        found.append(SiteError(message, page.shown, None, hint))
    found += date_problems(page.reviewed, "the clinical review", page.shown, line, hint, on)
    reviewer = site.clinician(page.reviewed_by)
    if reviewer is not None and reviewer.params.get("reviewer_consent") is not True:
        message = (
            f"'reviewed_by' names {page.reviewed_by}, who has not agreed to be named as a reviewer"
        )
        hint = (
            f"once they agree, set `reviewer_consent: true` in {reviewer.shown};"
            " until then, name a reviewer who has agreed"
        )
        found.append(SiteError(message, page.shown, page.line_of("reviewed_by"), hint))
    return found


def date_problems(
    day: dt.date | None, what: str, shown: str, line: int | None, hint: str, on: dt.date
) -> list[SiteError]:
    """A review date in the future, or more than 12 months ago."""
    if day is None:
        return []
    if day > on:
        return [SiteError(f"{what} is dated in the future ({day.isoformat()})", shown, line, hint)]
    if on > _year_after(day):
        message = f"{what} is more than 12 months old ({day.isoformat()})"
        return [SiteError(message, shown, line, hint)]
    return []


def _year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def signoff_problems(page: Page, on: dt.date) -> list[SiteError]:
    """Pages of urgent signs need a medical doctor's sign-off (from the clinic or outside)."""
    if page.url not in URGENT_PAGES:
        return []
    signoff = page.params.get("medical_signoff")
    line = page.line_of("medical_signoff")
    hint = (
        "when a medical doctor has checked the page, add"
        " `medical_signoff: {name: ..., credentials: MD, date: YYYY-MM-DD}`"
    )
    if not signoff:
        message = "this page of urgent signs has no sign-off by a medical doctor (MD or DO)"
        return [SiteError(message, page.shown, None, hint)]
    if not DOCTOR.search(signoff["credentials"]):
        message = (
            f"'medical_signoff' names {signoff['name']}, {signoff['credentials']}:"
            " urgent signs need a medical doctor (MD or DO)"
        )
        return [SiteError(message, page.shown, line, hint)]
    return date_problems(signoff["date"], "the medical sign-off", page.shown, line, hint, on)
