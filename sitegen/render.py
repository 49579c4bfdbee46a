"""Markdown -> HTML bodies and pages -> HTML through Jinja2; pure functions of their inputs."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2

from . import atoz, sanitize
from .booking import booking_choices
from .errors import SiteError, display_path
from .glossary import GLOSSARY_URL, link_terms, terms_of
from .model import Link, Page, Site
from .publish import SEARCH_PATHS, meta_security_policy
from .seo import jsonld

SITE_LINK = re.compile(r'(\s(?:href|src))="(/[^"/][^"]*|/)"')
HEADING_ID = re.compile(r'\sid="([^"]+)"')


@dataclass(frozen=True, slots=True)
class Body:
    """A page body converted to HTML, with what the checks need to know of it."""

    html: str  # site paths still root-relative ('/causes/')
    ids: frozenset[str]
    links: tuple[Link, ...]


# A < with no > before the next < starts no tag, yet Python-Markdown's HTML block parser
# looks for its > all the way to the end of the text, once for each: 100 KB of "<a " took
# minutes. Such a < goes through conversion as a stand-in character and comes out as &lt;,
# which is what it would have become anyway (in code as in text).
LONE_LT = re.compile(r"<(?=[^<>]*(?:<|\Z))")
PLACEHOLDER = "\ufdd0"  # a noncharacter: never in real text


@cache
def _markdown() -> Any:
    """One converter per process, reset between pages (building it costs more than a page).
    Imported here, not at the top: a build with nothing to convert never loads Markdown."""
    import markdown

    from .markdown_ext import SiteExtension, standard_extensions

    return markdown.Markdown(
        extensions=[*standard_extensions(), SiteExtension()], output_format="html"
    )


def convert(page: Page) -> Body:
    """Markdown body -> sanitised HTML, heading ids and links found."""
    md = _markdown()
    md.reset()
    md.page_rel, md.page_url = page.rel, page.url
    raw_html = md.convert(LONE_LT.sub(PLACEHOLDER, page.body)).replace(PLACEHOLDER, "&lt;")
    clean = sanitize.clean(raw_html)
    return Body(clean, frozenset(HEADING_ID.findall(clean)), tuple(md.found_links))


# --- URLs ---------------------------------------------------------------------


@lru_cache(maxsize=4096)  # a page's links repeat; few repeat from one page to the next
def relative_url(target: str, from_url: str) -> str:
    """A site path as a link relative to the page at `from_url`, so any sub-path works."""
    path, sep, fragment = target.partition("#")
    start = from_url.split("/")[1:-1]  # the folders of the page: '/a/b/' -> ['a', 'b']
    parts = path.split("/")[1:]
    common = 0
    while common < len(start) and common < len(parts) - 1 and start[common] == parts[common]:
        common += 1
    rel = "../" * (len(start) - common) + "/".join(parts[common:])
    return (rel or "./") + sep + fragment


def relativize(body_html: str, from_url: str) -> str:
    """Rewrite every root-relative href/src in `body_html` relative to `from_url`."""
    return SITE_LINK.sub(
        lambda m: f'{m[1]}="{relative_url(html.unescape(m[2]), from_url)}"', body_html
    )


def asset_path(assets: Mapping[str, str], name: str) -> str:
    """The site path of a static file, fingerprinted where it is one of the assets."""
    if name not in assets:
        raise FileNotFoundError(f"asset('{name}'): there is no static/{name}")
    return assets[name]


# --- templates ------------------------------------------------------------------


BUILTIN = Path(__file__).resolve().parent / "builtin"  # sitemap, feed, robots.txt...


def environment(templates: Path, compiled: Path | None = None) -> jinja2.Environment:
    """Strict Jinja2 (a typo in a template is an error, never a blank), escaping HTML and
    XML. The site's templates come first; the machine-read files' templates (BUILTIN)
    after, so a site may replace them. `compiled`: a folder where compiled templates are
    kept between builds (it must exist)."""
    bytecode = jinja2.FileSystemBytecodeCache(str(compiled)) if compiled else None
    loader = jinja2.ChoiceLoader(
        [jinja2.FileSystemLoader(templates), jinja2.FileSystemLoader(BUILTIN)]
    )
    return jinja2.Environment(
        bytecode_cache=bytecode,
        loader=loader,
        autoescape=jinja2.select_autoescape(
            ("html", "xml"), default_for_string=True, default=False
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def template_errors(env: jinja2.Environment, templates: Path, pages: list[Page]) -> list[SiteError]:
    """Compile every template once; report syntax errors and the missing ones pages ask for."""
    errors = []
    known = sorted(set(env.list_templates(extensions=["html", "xml"])))
    for name in known:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            shown = display_path(templates / name)
            message = f"template syntax error: {exc.message}"
            errors.append(SiteError(message, shown, exc.lineno, _tsx_hint(exc)))
    wholes = [name for name in known if _whole_page(env, name)]
    for page in pages:
        line = page.line_of("template")
        if page.template not in known:
            message = f"the template '{page.template}' does not exist"
            errors.append(SiteError(message, page.shown, line, _missing_hint(templates)))
        elif page.template not in wholes:
            message = f"the template '{page.template}' is a part of a page, not a whole page"
            hint = "use one of: " + ", ".join(n for n in wholes if "/" not in n)
            errors.append(SiteError(message, page.shown, line, hint))
    return errors


def _whole_page(env: jinja2.Environment, name: str) -> bool:
    """A template that makes a whole page: it extends another, or holds <html> itself."""
    if "/" in name or not name.endswith(".html"):  # partials/... are pieces of pages
        return False
    try:
        source = env.loader.get_source(env, name)[0] if env.loader else ""
    except jinja2.TemplateNotFound:
        return False
    head = source.lstrip()[:2000].lower()
    return head.startswith("{% extends") or head.startswith("{%- extends") or "<html" in head


def _tsx_hint(exc: jinja2.TemplateSyntaxError) -> str:
    message = exc.message or ""
    if "end of template" in message:
        return "a {% ... %} block is never closed: add its {% end... %}"
    if "nesting mistake" in message:
        return "close the inner block (its {% end... %}) before this tag"
    return "check the {{ ... }} and {% ... %} tags on this line"


def template_error(exc: Exception, templates: Path) -> SiteError:
    """An error raised while rendering, placed at the template line that raised it."""
    shown, line = _template_frame(exc.__traceback__, templates)
    if isinstance(exc, jinja2.TemplateNotFound):
        return SiteError(
            f"the template '{exc.name}' does not exist", shown, line, _missing_hint(templates)
        )
    if isinstance(exc, jinja2.UndefinedError):
        hint = "check the spelling; docs/content-model.md lists what templates can use"
        message = re.sub(r"'sitegen\.\w+\.(\w+) object'", lambda m: m[1].lower(), exc.message or "")
        return SiteError(f"template error: {message}", shown, line, hint)
    return SiteError(
        f"template error: {type(exc).__name__}: {exc}", shown, line, "fix the template"
    )


def _missing_hint(templates: Path) -> str:
    names = sorted(p.name for p in templates.glob("*.html"))
    return "use one of: " + ", ".join(names)


def _template_frame(tb: TracebackType | None, templates: Path) -> tuple[str, int | None]:
    """The innermost traceback frame that belongs to a template file."""
    root = templates.resolve()
    found: tuple[str, int | None] = (display_path(templates), None)
    while tb is not None:
        filename = Path(tb.tb_frame.f_code.co_filename)
        if filename.suffix in (".html", ".xml") and root in filename.resolve().parents:
            found = (display_path(filename), tb.tb_lineno)
        tb = tb.tb_next
    return found


def format_date(value: Any) -> str:
    """'November 21, 2026'."""
    return f"{value:%B} {value.day}, {value.year}" if value else ""


def page_context(
    site: Site, page: Page, body_html: str | None, assets: Mapping[str, str]
) -> dict[str, Any]:
    """Everything a template may use for one page (docs/content-model.md)."""
    absolute = page.url == "/404.html"  # served at any address, so links cannot be relative

    def url(path: str) -> str:
        return site.config.rooted(path) if absolute else relative_url(path, page.url)

    return {
        "site": site.config,
        "page": page,
        "content": jinja2.utils.markupsafe.Markup(shown_body(site, page, body_html)),
        "reviewer": site.clinician(page.reviewed_by),
        "author": site.clinician(page.author),
        "children": site.children(page),
        "pages_in": site.pages_in,
        "page_at": site.page_at,
        "breadcrumbs": site.breadcrumbs(page),
        "related": site.related(page),
        "url": url,
        "asset": lambda name: url(asset_path(assets, name)),
        "abs_url": site.config.absolute,
        "format_date": format_date,
        "jsonld": jinja2.utils.markupsafe.Markup(jsonld(site, page, body_html or "")),
        "booking": booking_choices(site.config.hours),
        "security_policy": meta_security_policy(site, page.url in SEARCH_PATHS),
        "a_to_z": lambda: atoz.groups(site.pages),  # called by the A to Z page only
    }


def shown_body(site: Site, page: Page, body_html: str | None) -> str:
    """The converted body as the page shows it: links made relative, and the first use of
    each glossary term linked to its entry. Done here, after conversion, so a converted
    body stays valid when the glossary changes."""
    if not body_html:
        return ""
    shown = relativize(body_html, page.url)
    glossary = site.page_at(GLOSSARY_URL)
    if glossary is None or glossary is page:
        return shown
    return link_terms(
        shown, terms_of(glossary), lambda anchor: relative_url(f"{GLOSSARY_URL}#{anchor}", page.url)
    )


def render_page(env: jinja2.Environment, context: dict[str, Any]) -> str:
    """Render one page with its template."""
    return env.get_template(context["page"].template).render(context)
