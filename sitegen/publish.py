"""What the machine-read files show: sitemap.xml, robots.txt, the Atom feed, `_redirects`
and `_headers`. The files themselves are templates (sitegen/builtin/, which a site's own
templates/ folder may override); this module gives them their data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .model import Page, Site

# The files the build makes from sitegen/builtin/: output path -> template name.
MACHINE_FILES = {
    "sitemap.xml": "sitemap.xml",
    "robots.txt": "robots.txt",
    "articles/feed.xml": "feed.xml",
    "_redirects": "_redirects",
    "_headers": "_headers",
}

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "X-Frame-Options": "DENY",
}
HTML_CACHE = "public, max-age=600, must-revalidate"
ASSET_CACHE = "public, max-age=31536000, immutable"
# Pages are at most two levels deep and fingerprinted files three, so no two rules set
# Cache-Control for one path (Netlify and Cloudflare Pages join overlapping rules' values).
PAGE_RULES = ("/", "/404.html", "/:section/", "/:section/:page/")


SEARCH_PATHS = ("/search/", "/search/index.html")  # the only pages that run Pagefind


def policy_directives(site: Site, wasm: bool = False) -> list[str]:
    """Only this site's own files; no inline script; the form may post only to its endpoint.
    The one source of the policy: `_headers` sends all of it, every page's <meta> the rest.
    `wasm`: Pagefind's WebAssembly may run (the search page only)."""
    endpoint = site.config.appointment_endpoint
    form = f"'self' {endpoint}" if endpoint else "'self'"
    return [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'" if wasm else "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action {form}",
        "frame-ancestors 'none'",
    ]


# What browsers ignore in a <meta> policy: these stay in _headers only.
NOT_IN_META = ("frame-ancestors", "report-uri", "sandbox")


def content_security_policy(site: Site, wasm: bool = False) -> str:
    """The whole policy, as `_headers` sends it."""
    return "; ".join(policy_directives(site, wasm))


def meta_security_policy(site: Site, wasm: bool = False) -> str:
    """The policy for each page's <meta http-equiv>, so hosts that ignore `_headers`
    (GitHub Pages, a plain S3 bucket) still serve pages under it."""
    kept = [d for d in policy_directives(site, wasm) if d.split()[0] not in NOT_IN_META]
    return "; ".join(kept)


def machine_context(site: Site, fingerprinted: tuple[str, ...]) -> dict[str, Any]:
    """Everything the machine-read templates may use."""
    articles = sorted(site.pages_in("articles"), key=lambda p: (p.date, p.url), reverse=True)
    return {
        "site": site.config,
        "pages": site.pages,
        "articles": articles,
        "updated": newest_change(site, articles),
        "author_of": lambda page: _author(site, page),
        "abs_url": site.config.absolute,
        "base_path": site.config.rooted(""),
        "redirects": sorted(site.redirects.items()),
        "csp": content_security_policy(site),
        # search needs WebAssembly: allowed on its paths only, if the site has a search page
        "search_csp": content_security_policy(site, wasm=True),
        "search_paths": SEARCH_PATHS if site.page_at(SEARCH_PATHS[0]) else (),
        "security_headers": list(SECURITY_HEADERS.items()),
        "page_rules": PAGE_RULES,
        "html_cache": HTML_CACHE,
        "asset_cache": ASSET_CACHE,
        "fingerprinted": fingerprinted,
        "stamp": stamp,
    }


def newest_change(site: Site, articles: list[Page]) -> dt.date | None:
    """The feed's date: its newest article's, or with no articles the site's newest change."""
    days = [p.updated or p.date for p in articles] or [p.lastmod for p in site.pages]
    return max((d for d in days if d), default=None)


def _author(site: Site, page: Page) -> str:
    author = site.clinician(page.author)
    return author.title if author else site.config.name


def stamp(day: dt.date | None) -> str:
    """An Atom date. Atom requires one: a site with no dates at all gets a fixed day, so
    that two builds stay byte-identical."""
    return f"{(day or dt.date(2000, 1, 1)).isoformat()}T00:00:00Z"
