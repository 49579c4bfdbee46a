"""Frozen `Page` and `Site`: URLs, sections, cross-links; duplicate URLs are found here."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from .config import SiteConfig
from .content import RawPage, slugify
from .errors import SiteError, by_fields, closest, line_of
from .kinds import COMMON, KINDS, Source, kind_of

GENERATED = ("/sitemap.xml", "/robots.txt", "/articles/feed.xml", "/404.html")
# Every file the build makes itself besides pages and redirects (see pipeline.write_extras).
BUILD_FILES = (*(u.lstrip("/") for u in GENERATED), "_redirects", "_headers")


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
    source_key: str = ""  # hash of its file's place and bytes ("" for pages the build makes)
    fields_key: str = ""  # hash of all it shows but its body ("" when not yet known)
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
        """Where the page is written inside the output folder: '/a/' -> 'a/index.html',
        and an address naming a file ('/old.html', an alias) -> that file."""
        path = self.url.lstrip("/")
        return path + "index.html" if not path or path.endswith("/") else path

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

    __reduce__ = by_fields


@dataclass(frozen=True, slots=True)
class BodyMeta:
    """What the link checks need of a converted body: its heading ids and its links. The
    memo holds thousands: the links are kept as plain tuples, which unpickle without a
    call to Python code each (a build checks the links of the pages that changed only)."""

    ids: frozenset[str]
    link_fields: tuple[tuple[str, str, str, str], ...]  # each link's fields, in order

    @classmethod
    def of(cls, ids: Iterable[str], links: Iterable[Link]) -> BodyMeta:
        return cls(frozenset(ids), tuple((k.tag, k.raw, k.path, k.fragment) for k in links))

    def __reduce__(self) -> tuple:
        return (_interned_body_meta, (tuple(self.ids), self.link_fields))

    @property
    def links(self) -> tuple[Link, ...]:
        return tuple(Link(*fields) for fields in self.link_fields)


def _interned_body_meta(ids: tuple[str, ...], links: tuple[tuple[str, ...], ...]) -> BodyMeta:
    """A BodyMeta as unpickled (from the memo, or from a worker), its strings interned:
    thousands of pages link to the same pages and headings, and each copy held apart was
    half of a large site's memo in memory."""
    intern = sys.intern
    fields = tuple(tuple(map(intern, link)) for link in links)
    return BodyMeta(frozenset(map(intern, ids)), fields)  # type: ignore[arg-type]


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


def make_page(raw: RawPage, source_key: str = "") -> Page:
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
        source_key=source_key,
        fields_key=raw.fields_key,
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
    drafts_ = {p.url: p for p in pages if p.draft and p.url not in by_url}
    redirects, alias_errors = _redirects(by_url, drafts_)
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


def _redirects(
    by_url: dict[str, Page], drafts: dict[str, Page]
) -> tuple[dict[str, str], list[SiteError]]:
    """Old URL -> page URL for every alias; collisions, chains, loops and aliases that
    could send no one anywhere are errors."""
    redirects: dict[str, str] = {}
    errors: list[SiteError] = []
    folded = {url.casefold(): page for url, page in by_url.items()}
    for page in by_url.values():
        for alias in page.aliases:
            found = _alias_problem(alias, page, by_url, folded, redirects, drafts)
            if found:
                errors.append(SiteError(found[0], page.shown, page.line_of("aliases"), found[1]))
            else:
                redirects[alias] = page.url
    return redirects, errors


def _alias_problem(
    alias: str,
    page: Page,
    by_url: dict[str, Page],
    folded: dict[str, Page],
    redirects: dict[str, str],
    drafts: dict[str, Page],
) -> tuple[str, str] | None:
    """What is wrong with one alias of `page`, with a hint, or None."""
    hint = "remove it from `aliases`"
    if alias == page.url:
        return f"the alias {alias} is this page's own address", hint
    if alias in by_url:
        return f"the alias {alias} is the address of {by_url[alias].shown}", hint
    if alias.casefold() in folded:
        other = folded[alias.casefold()]
        whose = "this page's own address" if other is page else f"the address of {other.shown}"
        return (
            f"the alias {alias} differs from {whose} ({other.url}) only in letter"
            " case: hosts that ignore case would replace the page with a redirect"
        ), hint
    if alias in redirects:
        return f"the alias {alias} is already an alias of {by_url[redirects[alias]].shown}", hint
    if alias in GENERATED:
        return f"the alias {alias} is a file the build makes itself", hint
    if alias in drafts:
        return f"the alias {alias} is the address of {drafts[alias].shown} (a draft)", hint
    if not alias.endswith(("/", ".html")):
        return f"the alias {alias} ends in a file name, so it would send no one here", (
            f"aliases are folder addresses ending in /, like {alias.rsplit('.', 1)[0]}/;"
            " an old file address needs a redirect set up on the web host"
        )
    return None


def _reference_errors(site: Site, unreadable: set[str]) -> list[SiteError]:
    """Clinicians, treatments and related pages named in front matter must exist.

    Pages that could not be read have errors of their own, so they count as existing."""
    errors: list[SiteError] = []
    known = site.by_url.keys() | unreadable
    for page in site.pages:
        for name in ("reviewed_by", "author"):
            slug = getattr(page, name)
            if slug and f"/clinicians/{slug}/" not in known:
                errors.append(_clinician_error(site, page, name, slug))
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


def _clinician_error(site: Site, page: Page, name: str, value: str) -> SiteError:
    """`reviewed_by` or `author` that names no clinician: the closest short name, and all."""
    if SLUG.fullmatch(value):
        message = f"'{name}' names no clinician: there is no content/clinicians/{value}.md"
    else:
        message = (
            f"'{name}' should be a clinician's short name, the file name of their page"
            f' without .md (got "{value}")'
        )
    slugs = [p.slug for p in site.pages_in("clinicians")]
    close = closest(slugify(value), slugs)
    hint = _choices("clinicians", site)
    if close:
        hint = f"did you mean {close}? " + hint
    return SiteError(message, page.shown, page.line_of(name), hint)


SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _choices(section: str, site: Site) -> str:
    slugs = [p.slug for p in site.pages_in(section)]
    return "use one of: " + ", ".join(slugs) if slugs else f"add a page to content/{section}/"


def config_errors(site: Site, shown: str, unreadable: set[str]) -> list[SiteError]:
    """Navigation and the urgent box in site.yaml must point at real pages."""
    config = site.config
    targets = [(item.url, "nav") for item in config.nav] + [(config.urgent.more, "urgent")]
    hint = "use the address of a page, or add `aliases: [{url}]` to the page that replaces it"
    return [
        SiteError(
            f"'{key}' links to {url}, but no page has that address",
            shown,
            config.line_of(key),
            hint.format(url=url),
        )
        for url, key in targets
        if url not in site.by_url and url not in unreadable
    ] + home_errors(site, shown, unreadable)


def home_errors(site: Site, config_shown: str, unreadable: set[str]) -> list[SiteError]:
    """Without content/index.md every Home link would lead nowhere."""
    if "/" in site.by_url or "/" in unreadable:
        return []
    folder = config_shown.rsplit("/", 1)[0] if "/" in config_shown else "."
    hint = "add index.md to content/ (the home page), or remove `draft: true` from it"
    return [SiteError("the site has no home page", f"{folder}/index.md", None, hint)]


def output_collisions(site: Site, static: dict[str, str]) -> list[SiteError]:
    """Two sources that would write one output file (or a file where a folder must be),
    found before anything is written. `static`: output path -> the static file's name."""
    owners: dict[str, tuple[str, str | None, int | None]] = {}  # path -> (source, file, line)
    for page in site.pages:
        owners.setdefault(page.output_path, (page.shown, page.shown, None))
    for old, new in sorted(site.redirects.items()):
        page = site.by_url[new]
        rel = old.lstrip("/") + ("index.html" if old.endswith("/") else "")
        source = f"the alias {old} in {page.shown}"
        owners.setdefault(rel, (source, page.shown, page.line_of("aliases")))
    for rel in BUILD_FILES:
        owners.setdefault(rel, (f"the {rel} the build makes itself", None, None))
    errors = []
    for rel, shown in sorted(static.items()):
        other = owners.get(rel) or _folder_owner(rel, owners)
        if other is None:
            owners[rel] = (shown, shown, None)
            continue
        hint = f"rename or remove {shown}" + ("" if other[1] else "; the build writes this file")
        message = f"this file and {other[0]} would both be written to {rel}"
        errors.append(SiteError(message, shown, None, hint))
    return errors + _alias_folder_errors(owners)


def _folder_owner(rel: str, owners: dict) -> tuple[str, str | None, int | None] | None:
    """The source of a file written where `rel` needs a folder, or inside `rel` as one."""
    parts = rel.split("/")
    for end in range(1, len(parts)):
        found = owners.get("/".join(parts[:end]))
        if found:
            return found
    prefix = rel + "/"
    return next((o for path, o in owners.items() if path.startswith(prefix)), None)


def _alias_folder_errors(owners: dict) -> list[SiteError]:
    """An alias such as /_headers/ would need a folder where the build writes a file."""
    errors = []
    for rel, (source, shown, line) in owners.items():
        if not source.startswith("the alias "):
            continue
        other = _folder_owner(rel, {p: o for p, o in owners.items() if p != rel})
        if other is not None:
            message = f"{source} and {other[0]} would both be written to {rel.split('/')[0]}"
            errors.append(SiteError(message, shown, line, "remove it from `aliases`"))
    return errors
