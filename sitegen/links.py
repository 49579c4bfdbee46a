"""Links and images in page bodies: each must reach a page, a heading or a file."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from .content import is_ignored
from .errors import SiteError, closest
from .model import GENERATED, BodyMeta, Link, Page, Site

PICTURE_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif", ".avif"}


def targets_key(
    site: Site, bodies: dict[str, BodyMeta], statics: list[str], unreadable: set[str]
) -> list[str]:
    """Everything a page's link check reads besides the page itself: every page's place
    and headings, the old addresses, the static files and the unreadable pages (hash it:
    a page whose text and targets are unchanged has the same link problems)."""
    parts = [repr(sorted(site.redirects.items())), repr(sorted(unreadable)), repr(statics)]
    for page in site.pages:
        meta = bodies.get(page.url)
        parts.append(f"{page.url}\0{page.rel}\0{sorted(meta.ids) if meta else None}")
    return parts


class Known:
    """What one build found of links and files: the same link or file is on many pages."""

    def __init__(self, static: Path) -> None:
        self.static = static
        self.paths: dict[Link, tuple[str, str] | None] = {}
        self.files: dict[str, bool] = {}

    def path_problem(self, link: Link) -> tuple[str, str] | None:
        if link not in self.paths:
            self.paths[link] = _path_problem(link)
        return self.paths[link]

    def is_file(self, path: str) -> bool:
        """Whether static/ has this site path as a file."""
        if path not in self.files:
            self.files[path] = (self.static / path.lstrip("/")).is_file()
        return self.files[path]


def page_link_errors(
    site: Site,
    bodies: dict[str, BodyMeta],
    known: Known,
    unreadable: set[str],
    page: Page,
    meta: BodyMeta,
) -> list[SiteError]:
    """One page's broken links and images."""
    errors = []
    for link in meta.links:
        if link.path in unreadable:
            continue  # that page's own error says what is wrong
        problem = _link_problem(site, bodies, known, page, link)
        if problem:
            errors.append(SiteError(problem[0], page.shown, _line_of(page, link.raw), problem[1]))
    return errors


def _link_problem(
    site: Site,
    bodies: dict[str, BodyMeta],
    known: Known,
    page: Page,
    link: Link,
) -> tuple[str, str] | None:
    """What is wrong with one link, or None."""
    path, fragment = link.path, link.fragment
    target_url = path or page.url
    problem = known.path_problem(link)
    if problem:
        return problem
    if link.tag == "img":
        return None if known.is_file(path) else _image_problem(known.static, link)
    target = site.by_url.get(target_url)
    if target is None:
        redirected = site.redirects.get(target_url)
        if redirected:
            hint = f"link to {md_link(page, site.by_url[redirected])} instead"
            return f"the link to {link.raw} points at an old address", hint
        if target_url in GENERATED or known.is_file(target_url):
            return None
        return f"the link to {link.raw} goes to a page that does not exist", _missing_hint(
            site, page, target_url
        )
    if target is page and not fragment:
        return "the page links to itself", "remove the link, or link to a heading with #"
    target_meta = bodies.get(target.url)
    if fragment and target_meta is not None and fragment not in target_meta.ids:
        shown = target.shown
        hint = f"use the id of a heading in {shown}; headings become ids like 'what-to-expect'"
        return f"the link goes to #{fragment}, which is not a heading in {shown}", hint
    return None


def _path_problem(link: Link) -> tuple[str, str] | None:
    """Pictures from other sites, and paths that lead outside the site or to files that
    are never published."""
    what = f"the image {link.raw}" if link.tag == "img" else f"the link to {link.raw}"
    written = link.raw.partition("#")[0]
    if link.tag == "img" and (SCHEME.match(link.raw) or link.raw.startswith("//")):
        hint = "save the picture in static/images/ (if its licence allows) and use its path"
        message = f"{what} is on another site: the security policy (CSP) blocks it on the live site"
        return message, hint
    if written and not link.path:  # a .md path that climbs out of content/
        hint = "link to pages in content/ by their file, like ../causes/kyphosis.md"
        return f"{what} leads outside content/", hint
    parts = link.path.split("/")
    if ".." in parts:
        hint = "use a path inside the site, like /images/spine.svg or ../causes/kyphosis.md"
        return f"{what} leads outside the site", hint
    if any(is_ignored(part) for part in parts if part):
        hint = "hidden files and editors' backups are never published: use the file's own name"
        return f"{what} goes to a hidden or backup file", hint
    return None


SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def md_link(page: Page, target: Page) -> str:
    """How `page` links to `target` in the form the guide teaches: its .md file, relative."""
    return posixpath.relpath(target.rel, posixpath.dirname(page.rel) or ".")


def _missing_hint(site: Site, page: Page, url: str) -> str:
    """A misspelt page name's likely meaning; else what to do about a page that was removed."""
    slug = url.strip("/").rsplit("/", 1)[-1]
    others = {p.slug: p for p in site.pages if p is not page and p.slug}
    close = closest(slug, set(others), cutoff=0.7)
    if close:
        return f"did you mean {md_link(page, others[close])}? check the file name in content/"
    section = url.strip("/").split("/")[0] if url.count("/") > 2 else ""
    example = next(
        (p for p in site.pages_in(section) if p is not page),
        next((p for p in site.pages if p is not page and p.url != "/"), None),
    )
    instead = f" (like {md_link(page, example)})" if example else ""
    return (
        f"if that page was removed, remove the link or link to another page{instead};"
        f" to keep its old address working, add `aliases: [{url}]` to the page that replaces it"
    )


def _image_problem(static: Path, link: Link) -> tuple[str, str]:
    """A missing picture: `static/` written in its path, a misspelt name, or no file at all."""
    message = f"the image {link.raw} does not exist"
    written = link.raw.split("#")[0].lstrip("/")
    if written.startswith("static/"):
        fixed = "/" + written.removeprefix("static/")
        return message, (
            f"drop `static/` from the path: write {fixed}; what is in static/ is published"
            " at the top of the site"
        )
    pictures = _pictures(static)
    name = posixpath.basename(link.path)
    close = closest(name, {posixpath.basename(p) for p in pictures}, cutoff=0.7)
    if close:
        found = next(p for p in pictures if posixpath.basename(p) == close)
        return message, f"did you mean {found}? check the file name in static/"
    return message, "put the picture in static/images/ and write its path, like /images/name.svg"


def _pictures(static: Path) -> list[str]:
    """Every picture in static/, as the site path a page writes: '/images/curve.svg'."""
    if not static.is_dir():
        return []
    found = (p for p in static.rglob("*") if p.suffix.lower() in PICTURE_TYPES and p.is_file())
    return sorted("/" + p.relative_to(static).as_posix() for p in found)


def _line_of(page: Page, raw: str) -> int | None:
    """The file line where a link first appears (Markdown keeps no positions of its own)."""
    written = re.compile("|".join(re.escape(form) for form in (f"({raw}", f"]: {raw}", f'"{raw}"')))
    return page.line_in_body(written)
