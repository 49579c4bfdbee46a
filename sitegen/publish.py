"""The machine-read files: sitemap.xml, robots.txt, the Atom feed and redirect lists."""

from __future__ import annotations

from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from .model import Site


def _attr(value: str) -> str:
    """Text for an XML attribute in double quotes (escape() alone leaves quotes as they are)."""
    return escape(value, {'"': "&quot;"})


def absolute(site: Site, path: str) -> str:
    return site.config.base_url.rstrip("/") + path


def sitemap(site: Site) -> str:
    """Every page once, with lastmod from updated/reviewed/date."""
    rows = []
    for page in site.pages:
        lastmod = f"<lastmod>{page.lastmod.isoformat()}</lastmod>" if page.lastmod else ""
        rows.append(f"  <url><loc>{escape(absolute(site, page.url))}</loc>{lastmod}</url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "\n".join(rows)
        + "\n</urlset>\n"
    )


def robots(site: Site) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {absolute(site, '/sitemap.xml')}\n"


def feed(site: Site) -> str:
    """An Atom feed of the articles, newest first; its date is the newest article's."""
    articles = sorted(site.pages_in("articles"), key=lambda p: (p.date, p.url), reverse=True)
    feed_url = absolute(site, "/articles/feed.xml")
    listing = absolute(site, "/articles/")
    newest = max((p.updated or p.date for p in articles), default=None)
    entries = [_entry(site, page) for page in articles]
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <title>{escape(site.config.name)}: articles</title>\n"
        f'  <link rel="self" href="{_attr(feed_url)}"/>\n'
        f'  <link rel="alternate" type="text/html" href="{_attr(listing)}"/>\n'
        f"  <id>{escape(feed_url)}</id>\n"
        f"  <updated>{_stamp(newest)}</updated>\n"
        f"  <author><name>{escape(site.config.name)}</name></author>\n"
        + "".join(entries)
        + "</feed>\n"
    )


def _entry(site: Site, page) -> str:
    link = _attr(absolute(site, page.url))
    author = site.clinician(page.author)
    name = author.title if author else site.config.name
    return (
        "  <entry>\n"
        f"    <title>{escape(page.title)}</title>\n"
        f'    <link rel="alternate" type="text/html" href="{link}"/>\n'
        f"    <id>{link}</id>\n"
        f"    <published>{_stamp(page.date)}</published>\n"
        f"    <updated>{_stamp(page.updated or page.date)}</updated>\n"
        f"    <author><name>{escape(name)}</name></author>\n"
        f"    <summary>{escape(page.description)}</summary>\n"
        "  </entry>\n"
    )


def _stamp(day) -> str:
    return f"{day.isoformat()}T00:00:00Z" if day else "1970-01-01T00:00:00Z"


def redirects_file(site: Site) -> str:
    """Netlify/Cloudflare `_redirects`: old path -> new path, permanent."""
    base = site.config.base_path.rstrip("/")
    rows = [f"{base}{old} {base}{new} 301" for old, new in sorted(site.redirects.items())]
    return "\n".join(rows) + ("\n" if rows else "")


def policy_directives(site: Site) -> list[str]:
    """Only this site's own files; no inline script; the form may post only to its endpoint.
    The one source of the policy: `_headers` sends all of it, every page's <meta> the rest."""
    endpoint = site.config.appointment_endpoint
    form = f"'self' {endpoint}" if endpoint else "'self'"
    return [
        "default-src 'self'",
        "script-src 'self'",
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


def content_security_policy(site: Site) -> str:
    """The whole policy, as `_headers` sends it."""
    return "; ".join(policy_directives(site))


def meta_security_policy(site: Site) -> str:
    """The policy for each page's <meta http-equiv>, so hosts that ignore `_headers`
    (GitHub Pages, a plain S3 bucket) still serve pages under it."""
    kept = [d for d in policy_directives(site) if d.split()[0] not in NOT_IN_META]
    return "; ".join(kept)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "X-Frame-Options": "DENY",
}
HTML_CACHE = "public, max-age=600, must-revalidate"
ASSET_CACHE = "public, max-age=31536000, immutable"


PAGE_RULES = ("/", "/404.html", "/:section/", "/:section/:page/")


def headers_file(site: Site, fingerprinted: list[str]) -> str:
    """Netlify / Cloudflare Pages `_headers`: security headers everywhere, a year of
    caching for fingerprinted files, ten minutes for pages. Pages are at most two levels
    deep and fingerprinted files three, so no two rules set Cache-Control for one path
    (these hosts join the values of overlapping rules)."""
    base = urlsplit(site.config.base_url).path.rstrip("/")
    lines = [f"{base}/*", f"  Content-Security-Policy: {content_security_policy(site)}"]
    lines += [f"  {name}: {value}" for name, value in SECURITY_HEADERS.items()]
    for path in PAGE_RULES:
        lines += [f"{base}{path}", f"  Cache-Control: {HTML_CACHE}"]
    for path in fingerprinted:
        lines += [f"{base}{path}", f"  Cache-Control: {ASSET_CACHE}"]
    return "\n".join(lines) + "\n"
