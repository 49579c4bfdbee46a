"""Links and images in page bodies: each must reach a page, a heading or a file."""

from __future__ import annotations

import re
from pathlib import Path

from .content import is_ignored
from .errors import SiteError
from .model import GENERATED, BodyMeta, Link, Page, Site


def link_errors(
    site: Site, bodies: dict[str, BodyMeta], static: Path, unreadable: set[str]
) -> list[SiteError]:
    """Every link and image in every body must reach a page, a heading or a file.
    Pages whose bodies could not be converted have errors of their own and are passed over."""
    errors: list[SiteError] = []
    for page in site.pages:
        meta = bodies.get(page.url)
        if meta is not None:
            errors += _page_link_errors(site, bodies, static, unreadable, page, meta)
    return errors


def _page_link_errors(
    site: Site,
    bodies: dict[str, BodyMeta],
    static: Path,
    unreadable: set[str],
    page: Page,
    meta: BodyMeta,
) -> list[SiteError]:
    errors = []
    for link in meta.links:
        if link.path in unreadable:
            continue  # that page's own error says what is wrong
        problem = _link_problem(site, bodies, static, page, link)
        if problem:
            errors.append(SiteError(problem[0], page.shown, _line_of(page, link.raw), problem[1]))
    return errors


def _link_problem(
    site: Site,
    bodies: dict[str, BodyMeta],
    static: Path,
    page: Page,
    link: Link,
) -> tuple[str, str] | None:
    """What is wrong with one link, or None."""
    path, fragment = link.path, link.fragment
    target_url = path or page.url
    problem = _path_problem(link)
    if problem:
        return problem
    if link.tag == "img":
        if (static / path.lstrip("/")).is_file():
            return None
        return f"the image {link.raw} does not exist", "put the picture in static/ and use its path"
    target = site.by_url.get(target_url)
    if target is None:
        redirected = site.redirects.get(target_url)
        if redirected:
            return (
                f"the link to {link.raw} points at an old address",
                f"link to {redirected} instead",
            )
        if target_url in GENERATED or (static / target_url.lstrip("/")).is_file():
            return None
        hint = "check the file name; links to other pages end in .md, like kyphosis.md"
        return f"the link to {link.raw} goes to a page that does not exist", hint
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


def _line_of(page: Page, raw: str) -> int | None:
    """The file line where a link first appears (Markdown keeps no positions of its own)."""
    written = re.compile("|".join(re.escape(form) for form in (f"({raw}", f"]: {raw}", f'"{raw}"')))
    return page.line_in_body(written)
