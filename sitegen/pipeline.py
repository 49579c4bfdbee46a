"""One build, stage by stage: config -> load -> assemble -> render -> write."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from . import publish
from .config import SiteConfig, load_config
from .content import find_sources, read_page
from .errors import BuildFailed, SiteError, display_path
from .markdown_ext import Link
from .model import GENERATED, Page, Site, assemble, config_errors, make_page, url_for
from .render import (
    Body,
    asset_path,
    convert,
    environment,
    page_context,
    render_page,
    template_error,
    template_errors,
)
from .writer import output_guard, write_site


@dataclass(frozen=True, slots=True)
class Options:
    content: Path = Path("content")
    templates: Path = Path("templates")
    static: Path = Path("static")
    out: Path = Path("_site")
    base_url: str | None = None
    drafts: bool = False


@dataclass(slots=True)
class Result:
    """What a build did: pages written, warnings, and how long it took."""

    pages: int = 0
    files: int = 0
    seconds: float = 0.0
    warnings: list[SiteError] = field(default_factory=list)


def build(options: Options) -> Result:
    """Build the site into options.out, or raise BuildFailed with every error found."""
    started = time.perf_counter()
    site, errors, warnings, unreadable = load_site(options)
    files, render_errors = render_site(site, options, unreadable)
    errors += render_errors
    if errors:
        raise BuildFailed(errors)
    problem = output_guard(options.out, _protected(options))
    if problem:
        raise BuildFailed([problem])
    write_errors = write_site(options.out, files, options.static)
    if write_errors:
        raise BuildFailed(write_errors)
    pages = sum(1 for name in files if name.endswith(".html"))
    return Result(pages, len(files), time.perf_counter() - started, warnings)


def _protected(options: Options) -> dict[str, Path]:
    return {
        "project folder": Path.cwd(),
        "content": options.content,
        "templates": options.templates,
        "static files": options.static,
    }


def load_site(options: Options) -> tuple[Site, list[SiteError], list[SiteError], set[str]]:
    """Read site.yaml and every page and put them together: the site, its errors, its
    warnings, and the addresses of pages that could not be read (so links to them are
    not reported twice). Raises BuildFailed only when there is no usable site.yaml."""
    config_path = options.content / "site.yaml"
    config, errors = load_config(config_path, options.base_url)
    limit = (config.max_page_kb if config else 2048) * 1024
    sources, found_errors = find_sources(options.content)
    errors += found_errors
    pages: list[Page] = []
    unreadable: set[str] = set()
    for path in sources:
        raw, page_errors = read_page(path, options.content, limit)
        errors += page_errors
        if raw is not None and not page_errors:
            pages.append(make_page(raw))
        else:
            unreadable.add(url_for(path.relative_to(options.content).as_posix()))
    if config is None:
        raise BuildFailed(errors)
    site, site_errors = assemble(config, pages, options.drafts, unreadable)
    errors += site_errors + config_errors(site, display_path(config_path), unreadable)
    return site, errors, appointment_warning(config, display_path(config_path)), unreadable


def appointment_warning(config: SiteConfig, shown: str) -> list[SiteError]:
    if config.appointment_endpoint:
        return []
    hint = "set appointment_endpoint in site.yaml to the address that receives the form"
    message = "no appointment_endpoint: the appointments page shows the phone and email instead"
    return [SiteError(message, shown, hint=hint, warning=True)]


def render_site(
    site: Site, options: Options, unreadable: set[str] = frozenset()
) -> tuple[dict[str, bytes], list[SiteError]]:
    """Every output file of the site, as bytes by path, and every error found."""
    env = environment(options.templates)
    errors = template_errors(env, options.templates, list(site.pages))
    bodies = {page.url: convert(page) for page in site.pages}
    errors += link_errors(site, bodies, options.static, unreadable)
    if errors:
        return {}, errors
    files: dict[str, bytes] = {}
    for page in site.pages:
        html = _render(env, site, page, bodies[page.url], options, errors)
        files[page.output_path] = html.encode()
    files["404.html"] = _render(env, site, not_found_page(), None, options, errors).encode()
    for old, new in site.redirects.items():
        target = site.config.base_url.rstrip("/") + new
        page = moved_page(old, site.by_url[new])
        html = _render(env, site, page, None, options, errors, {"target": target})
        files[page.output_path] = html.encode()
    if errors:
        return {}, _unique(errors)
    files["sitemap.xml"] = publish.sitemap(site).encode()
    files["robots.txt"] = publish.robots(site).encode()
    files["articles/feed.xml"] = publish.feed(site).encode()
    files["_redirects"] = publish.redirects_file(site).encode()
    return files, []


def _render(
    env: jinja2.Environment,
    site: Site,
    page: Page,
    body: Body | None,
    options: Options,
    errors: list[SiteError],
    extra: dict | None = None,
) -> str:
    """Render one page; a template error is collected, not raised."""
    context = page_context(site, page, body, options.static)
    context.update(extra or {})
    try:
        return render_page(env, context)
    except Exception as exc:
        errors.append(template_error(exc, options.templates))
        return ""


def _unique(errors: list[SiteError]) -> list[SiteError]:
    """The same template error raised by many pages is reported once."""
    return list(dict.fromkeys(errors))


def not_found_page() -> Page:
    return Page(
        rel="404.html",
        shown="404.html",
        url="/404.html",
        kind="page",
        title="Page not found",
        description="We could not find that page.",
        summary="We could not find that page. It may have moved.",
        body="",
        body_line=1,
        template="404.html",
    )


def moved_page(old: str, target: Page) -> Page:
    return Page(
        rel=target.rel,
        shown=target.shown,
        url=old,
        kind="page",
        title=target.title,
        description=target.description,
        summary=target.summary,
        body="",
        body_line=1,
        template="redirect.html",
    )


def link_errors(
    site: Site, bodies: dict[str, Body], static: Path, unreadable: set[str]
) -> list[SiteError]:
    """Every link and image in every body must reach a page, a heading or a file."""
    errors: list[SiteError] = []
    for page in site.pages:
        for link in bodies[page.url].links:
            if link.path in unreadable:
                continue  # that page's own error says what is wrong
            problem = _link_problem(site, bodies, static, page, link)
            if problem:
                line = _line_of(page, link.raw)
                errors.append(SiteError(problem[0], page.shown, line, problem[1]))
    return errors


def _link_problem(
    site: Site,
    bodies: dict[str, Body],
    static: Path,
    page: Page,
    link: Link,
) -> tuple[str, str] | None:
    """What is wrong with one link, or None."""
    path, fragment = link.path, link.fragment
    target_url = path or page.url
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
    if fragment and fragment not in bodies[target.url].ids:
        shown = target.shown
        hint = f"use the id of a heading in {shown}; headings become ids like 'what-to-expect'"
        return f"the link goes to #{fragment}, which is not a heading in {shown}", hint
    return None


def _line_of(page: Page, raw: str) -> int | None:
    """The file line where a link first appears (Markdown keeps no positions of its own)."""
    for number, line in enumerate(page.body.split("\n")):
        if f"({raw}" in line or f"]: {raw}" in line or f'"{raw}"' in line:
            return page.body_line + number
    return None


def clear_caches() -> None:
    """Forget fingerprints between builds of a long-running `serve`."""
    asset_path.cache_clear()
