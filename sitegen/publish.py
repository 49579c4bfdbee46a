"""The machine-read files: sitemap.xml, robots.txt, the Atom feed and redirect lists."""

from __future__ import annotations

from xml.sax.saxutils import escape

from .model import Site


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
        f'  <link rel="self" href="{escape(feed_url)}"/>\n'
        f'  <link rel="alternate" type="text/html" href="{escape(listing)}"/>\n'
        f"  <id>{escape(feed_url)}</id>\n"
        f"  <updated>{_stamp(newest)}</updated>\n"
        f"  <author><name>{escape(site.config.name)}</name></author>\n"
        + "".join(entries)
        + "</feed>\n"
    )


def _entry(site: Site, page) -> str:
    link = escape(absolute(site, page.url))
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
