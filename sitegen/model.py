"""Frozen `Page` and `Site`: URLs, sections, cross-links; duplicate URLs are found here."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from .config import SiteConfig
from .content import RawPage, slugify
from .errors import SiteError, line_of
from .kinds import COMMON, KINDS, Source, kind_of

GENERATED = ("/sitemap.xml", "/robots.txt", "/articles/feed.xml", "/404.html")


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the site, with everything a template may show."""

    rel: str  # 'causes/kyphosis.md'
    shown: str  # the file as named in messages
    url: str  # '/causes/kyphosis/'
    kind: str
    title: str
    description: str
    summary: str
    body: str
    body_line: int
    template: str
    front: str = ""  # the front matter as written, from the file's line 2
    date: dt.date | None = None
    updated: dt.date | None = None
    reviewed: dt.date | None = None
    reviewed_by: str | None = None
    author: str | None = None
    sources: tuple[Source, ...] = ()
    draft: bool = False
    weight: int = 0
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()  # the patient's own words for the topic
    params: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    lines: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @property
    def section(self) -> str:
        """The first part of the URL ('' for top-level pages and home)."""
        parts = self.url.strip("/").split("/")
        return parts[0] if len(parts) > 1 or self.kind == "section" else ""

    @property
    def slug(self) -> str:
        return self.url.strip("/").rsplit("/", 1)[-1]

    @property
    def review_due(self) -> dt.date | None:
        """Twelve months after the last review."""
        if self.reviewed is None:
            return None
        try:
            return self.reviewed.replace(year=self.reviewed.year + 1)
        except ValueError:  # 29 February
            return self.reviewed.replace(year=self.reviewed.year + 1, day=28)

    @property
    def lastmod(self) -> dt.date | None:
        return self.updated or self.reviewed or self.date

    @property
    def is_health(self) -> bool:
        """Health information (by its kind), or any page a clinician has reviewed: it
        needs named sources and a current clinical review."""
        return KINDS[self.kind].health or bool(self.reviewed or self.reviewed_by)

    @property
    def output_path(self) -> str:
        """Where the page is written inside the output folder."""
        return self.url.lstrip("/") + "index.html"

    def line_of(self, name: str) -> int | None:
        """The file line of a front-matter field."""
        return self.lines.get(name)

    def line_in_body(self, needle: str | re.Pattern[str]) -> int | None:
        """The file line of the first body line holding `needle`."""
        return line_of(self.body, needle, self.body_line)

    def line_in_file(self, needle: str | re.Pattern[str]) -> int | None:
        """The file line of the first line holding `needle`: front matter, then body."""
        return line_of(self.front, needle, 2) or self.line_in_body(needle)


@dataclass(frozen=True, slots=True)
class Link:
    """A link or image found in a page body, as written and as resolved."""

    tag: str  # 'a' or 'img'
    raw: str  # as written in the Markdown
    path: str  # site path it points at ('' for a same-page #anchor)
    fragment: str


@dataclass(frozen=True, slots=True)
class BodyMeta:
    """What the link checks need of a converted body: its heading ids and its links."""

    ids: frozenset[str]
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class RelatedGroup:
    title: str
    pages: tuple[Page, ...]


@dataclass(frozen=True, slots=True)
class Site:
    """All pages, and the ways templates look them up."""

    config: SiteConfig
    pages: tuple[Page, ...]  # sorted by URL
    by_url: MappingProxyType
    redirects: MappingProxyType  # old URL -> new URL
    sections: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def pages_in(self, section: str) -> list[Page]:
        """The pages of a section (not its landing page), by weight then title."""
        return list(self.sections.get(section, ()))

    def page_at(self, url: str) -> Page | None:
        return self.by_url.get(url)

    def clinician(self, slug: str | None) -> Page | None:
        return self.by_url.get(f"/clinicians/{slug}/") if slug else None

    def children(self, page: Page) -> list[Page]:
        """What a landing page lists: its section's pages (home lists nothing itself)."""
        return self.pages_in(page.section) if page.kind == "section" else []

    def breadcrumbs(self, page: Page) -> list[tuple[str, str]]:
        """Home, the section's landing page, then the page itself."""
        if page.url == "/":
            return []
        trail = [("Home", "/")]
        landing = self.by_url.get(f"/{page.section}/") if page.section else None
        if landing is not None and landing is not page:
            trail.append((landing.title, landing.url))
        return [*trail, (page.title, page.url)]

    def related(self, page: Page) -> list[RelatedGroup]:
        """Cross-links: causes <-> treatments <-> clinicians, then the page's own list."""
        groups: list[tuple[str, list[Page]]] = []
        treatments = [
            self.by_url.get(f"/treatments/{s}/") for s in page.params.get("treatments", ())
        ]
        if page.kind == "causes":
            groups.append(("Treatments that can help", treatments))
        if page.kind == "treatments":
            groups.append(("Causes this treatment can help", self._listing(page, "causes")))
            groups.append(("Clinicians who provide it", self._listing(page, "clinicians")))
        groups.append(("Related pages", [self.by_url.get(u) for u in page.related]))
        return [RelatedGroup(t, tuple(p for p in ps if p)) for t, ps in groups if any(ps)]

    def _listing(self, treatment: Page, section: str) -> list[Page]:
        return [
            p for p in self.pages_in(section) if treatment.slug in p.params.get("treatments", ())
        ]


def order(page: Page) -> tuple[int, str]:
    return (page.weight, page.title.lower())


@lru_cache(maxsize=1 << 16)
def url_for(rel: str) -> str:
    """'causes/Kyphosis.md' -> '/causes/kyphosis/'; 'index.md' -> '/'."""
    parts = [slugify(p) for p in rel.split("/")]
    if parts[-1] == "index":
        parts.pop()
    return "/" + "".join(p + "/" for p in parts)


def make_page(raw: RawPage) -> Page:
    """A RawPage with its URL, kind and defaults filled in."""
    kind = kind_of(raw.rel)
    values = dict(raw.fields)
    attributes = [k for k in values if k in COMMON and not COMMON[k].params]
    common = {k: values.pop(k) for k in attributes}
    template = common.pop("template", None) or KINDS[kind].template
    common.setdefault("summary", common["description"])
    return Page(
        rel=raw.rel,
        shown=raw.shown,
        url=url_for(raw.rel),
        kind=kind,
        body=raw.body,
        body_line=raw.body_line,
        front=raw.front,
        template=template,
        params=MappingProxyType(values),
        lines=MappingProxyType(raw.lines),
        **common,
    )


def assemble(
    config: SiteConfig, pages: list[Page], drafts: bool, unreadable: set[str] = frozenset()
) -> tuple[Site, list[SiteError]]:
    """Put pages together into a Site; report duplicate URLs and broken cross-references."""
    errors: list[SiteError] = []
    by_url: dict[str, Page] = {}
    for page in sorted(pages, key=lambda p: (p.url, p.rel)):
        if page.draft and not drafts:
            continue
        if page.url in by_url:
            other = by_url[page.url]
            hint = f"rename one of them; '{other.shown}' already has this address"
            errors.append(
                SiteError(f"two pages have the address {page.url}", page.shown, None, hint)
            )
            continue
        by_url[page.url] = page
    redirects, alias_errors = _redirects(by_url)
    sections = MappingProxyType(_sections(by_url.values()))
    pages_ = tuple(by_url.values())
    site = Site(config, pages_, MappingProxyType(by_url), MappingProxyType(redirects), sections)
    errors += alias_errors + _reference_errors(site, unreadable)
    return site, errors


def _sections(pages: Iterable[Page]) -> dict[str, tuple[Page, ...]]:
    """Each section's pages (not its landing page), by weight then title, worked out once."""
    found: dict[str, list[Page]] = {}
    for page in pages:
        if page.kind != "section":
            found.setdefault(page.section, []).append(page)
    return {name: tuple(sorted(members, key=order)) for name, members in found.items()}


def _redirects(by_url: dict[str, Page]) -> tuple[dict[str, str], list[SiteError]]:
    """Old URL -> page URL for every alias; collisions, chains and loops are errors."""
    redirects: dict[str, str] = {}
    errors: list[SiteError] = []
    for page in by_url.values():
        line = page.line_of("aliases")
        for alias in page.aliases:
            problem = ""
            if alias == page.url:
                problem = f"the alias {alias} is this page's own address"
            elif alias in by_url:
                problem = f"the alias {alias} is the address of {by_url[alias].shown}"
            elif alias in redirects:
                problem = (
                    f"the alias {alias} is already an alias of {by_url[redirects[alias]].shown}"
                )
            elif alias in GENERATED:
                problem = f"the alias {alias} is a file the build makes itself"
            if problem:
                errors.append(SiteError(problem, page.shown, line, "remove it from `aliases`"))
            else:
                redirects[alias] = page.url
    return redirects, errors


def _reference_errors(site: Site, unreadable: set[str]) -> list[SiteError]:
    """Clinicians, treatments and related pages named in front matter must exist.

    Pages that could not be read have errors of their own, so they count as existing."""
    errors: list[SiteError] = []
    known = site.by_url.keys() | unreadable
    for page in site.pages:
        for name in ("reviewed_by", "author"):
            slug = getattr(page, name)
            if slug and f"/clinicians/{slug}/" not in known:
                hint = _choices("clinicians", site)
                message = f"'{name}' names no clinician: there is no content/clinicians/{slug}.md"
                errors.append(SiteError(message, page.shown, page.line_of(name), hint))
        for slug in page.params.get("treatments", ()):
            if f"/treatments/{slug}/" not in known:
                message = f"'treatments' names no treatment page: {slug}"
                hint = _choices("treatments", site)
                errors.append(SiteError(message, page.shown, page.line_of("treatments"), hint))
        for url in page.related:
            if url not in known:
                message = f"'related' names no page at {url}"
                hint = "use the address shown in the browser, like /self-care/"
                errors.append(SiteError(message, page.shown, page.line_of("related"), hint))
    return errors


def _choices(section: str, site: Site) -> str:
    slugs = [p.slug for p in site.pages_in(section)]
    return "use one of: " + ", ".join(slugs) if slugs else f"add a page to content/{section}/"


def config_errors(site: Site, shown: str, unreadable: set[str]) -> list[SiteError]:
    """Navigation and the urgent box in site.yaml must point at real pages."""
    config = site.config
    targets = [(item.url, "nav") for item in config.nav] + [(config.urgent.more, "urgent")]
    return [
        SiteError(f"'{key}' links to {url}, but no page has that address", shown)
        for url, key in targets
        if url not in site.by_url and url not in unreadable
    ]
