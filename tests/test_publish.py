"""Publishing (issue 6): the real site under a sub-path, crawled over HTTP; structured data,
sitemap, feed, fingerprints and the _headers file."""

from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import ROOT

BASE = "https://example.org/clinic/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("publish") / "site"
    command = [sys.executable, "build.py", "build", "--no-cache", "--base-url", BASE]
    result = subprocess.run(
        [*command, "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return out


class _SubPath(http.server.SimpleHTTPRequestHandler):
    """Serves the output folder under /clinic/ only, as a host would for a project page."""

    def translate_path(self, path: str) -> str:
        if not path.startswith("/clinic/"):
            return "/nonexistent"
        return super().translate_path(path.removeprefix("/clinic"))

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(built: Path) -> Iterator[str]:
    handler = functools.partial(_SubPath, directory=str(built))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/clinic/"
    server.shutdown()


class Page(HTMLParser):
    """What the crawl and the checks need from one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.jsonld: list[str] = []
        self.canonical = ""
        self.crumbs: list[str] = []
        self._in_jsonld = False
        self._in_crumbs = 0
        self._in_crumb_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("href", "src"):
            if a.get(name) and not (tag == "a" and name == "href" and a[name].startswith("#")):
                self.links.append(a[name] or "")
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href") or ""
        if tag == "script" and a.get("type") == "application/ld+json":
            self._in_jsonld = True
        if tag == "nav" and (a.get("aria-label") or "").lower() == "breadcrumb":
            self._in_crumbs = 1
        self._in_crumb_link = bool(self._in_crumbs and tag in ("a", "span"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_jsonld = False
        if tag == "nav":
            self._in_crumbs = 0
        if tag in ("a", "span"):
            self._in_crumb_link = False

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld.append(data)
        if self._in_crumbs and data.strip() and self._in_crumb_link:
            self.crumbs.append(data.strip())


def fetch(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read(), r.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        return exc.code, b"", ""


@pytest.fixture(scope="module")
def crawl(served: str) -> dict[str, Page]:
    """Every page reachable from the home page, by URL; asserts nothing is missing."""
    pages: dict[str, Page] = {}
    queue, seen, missing = [served], {served}, []
    while queue:
        url = queue.pop()
        status, body, kind = fetch(url)
        if status != 200:
            missing.append(url)
            continue
        if kind != "text/html":
            continue
        page = Page()
        page.feed(body.decode())
        pages[url] = page
        for link in page.links:
            target = urljoin(url, link).split("#")[0]
            if target.startswith("http://127.0.0.1") and target not in seen:
                seen.add(target)
                queue.append(target)
    assert not missing, f"not found: {missing}"
    return pages


def test_crawl_from_home_finds_every_page_and_no_404(crawl: dict[str, Page], built: Path) -> None:
    pages_on_disk = {
        p.relative_to(built).as_posix()
        for p in built.rglob("index.html")
        if 'http-equiv="refresh"' not in p.read_text()  # alias redirects: linked from nowhere
    }
    crawled = {urlsplit(u).path.removeprefix("/clinic/") + "index.html" for u in crawl}
    assert pages_on_disk - crawled == set(), "pages no link reaches"
    assert len(pages_on_disk) >= 26


def test_canonical_urls_use_the_full_base_url(crawl: dict[str, Page], served: str) -> None:
    for url, page in crawl.items():
        assert page.canonical == BASE + url.removeprefix(served), url


def test_sitemap_lists_every_page_once_and_no_draft(built: Path) -> None:
    tree = ET.parse(built / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in tree.findall("s:url/s:loc", ns)]
    assert len(locs) == len(set(locs))
    assert all(loc.startswith(BASE) for loc in locs)
    pages = sorted(
        BASE + p.relative_to(built).parent.as_posix().removeprefix(".") + "/"
        for p in built.rglob("index.html")
        if 'http-equiv="refresh"' not in p.read_text() and p.parent.name != "search"  # noindex
    )
    assert sorted(loc.replace(BASE, BASE.rstrip("/") + "/", 1) for loc in locs) == [
        p.replace("clinic//", "clinic/") for p in pages
    ]
    assert all(e.text for e in tree.findall("s:url/s:lastmod", ns))


def test_feed_is_atom_with_each_article(built: Path) -> None:
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(built / "articles/feed.xml").getroot()
    assert feed.tag == f"{atom}feed"
    entries = feed.findall(f"{atom}entry")
    articles = [p for p in (ROOT / "content/articles").glob("*.md") if p.name != "index.md"]
    assert len(entries) == len(articles) >= 1
    for entry in entries:
        link = entry.find(f"{atom}link").get("href")
        assert link.startswith(BASE + "articles/")
        assert entry.find(f"{atom}updated").text.endswith("Z")


def _jsonld(page: Page) -> dict:
    assert len(page.jsonld) == 1, "one JSON-LD block per page"
    return json.loads("".join(page.jsonld))


def test_every_page_has_valid_structured_data(crawl: dict[str, Page], served: str) -> None:
    for url, page in crawl.items():
        path = "/" + url.removeprefix(served)
        graph = {node["@type"]: node for node in _jsonld(page)["@graph"]}
        if path in ("/", "/about/"):
            clinic = graph["MedicalClinic"]
            assert clinic["telephone"] and clinic["address"]["streetAddress"]
            assert clinic["openingHoursSpecification"]
        if path.startswith(("/causes/", "/treatments/")) and path.count("/") == 3:
            web = graph["MedicalWebPage"]
            assert web["lastReviewed"] and web["reviewedBy"]["@type"] == "Person"
            assert web["reviewedBy"]["url"].startswith(BASE + "clinicians/")
            assert web["medicalAudience"]["audienceType"] == "Patient"
            expected = "MedicalCondition" if path.startswith("/causes/") else "MedicalTherapy"
            assert web["about"]["@type"] == expected
        if path.startswith("/clinicians/") and path.count("/") == 3:
            person = graph["Person"]
            assert person["jobTitle"] and person["alumniOf"]
            assert "worksFor" not in person  # the sample clinicians work at other practices
        if path != "/":
            crumbs = graph["BreadcrumbList"]["itemListElement"]
            assert [c["name"] for c in crumbs] == page.crumbs, url
            assert all(c["item"].startswith(BASE) for c in crumbs)


def test_headers_file_covers_every_fingerprinted_asset(built: Path) -> None:
    headers = (built / "_headers").read_text()
    rules = re.findall(r"^(/\S*)$", headers, flags=re.M)
    assets = {"/clinic/" + p.relative_to(built).as_posix() for p in (built / "assets").rglob("*")
              if p.is_file()}  # fmt: skip
    assert assets and assets <= set(rules)
    assert "frame-ancestors 'none'" in headers and "script-src 'self'" in headers
    for asset in assets:
        block = headers.split(asset + "\n", 1)[1].split("\n/", 1)[0]
        assert "immutable" in block
    referenced = set()
    for page in built.rglob("*.html"):
        referenced |= set(re.findall(r'(?:href|src)="[^"]*?(assets/[^"]+)"', page.read_text()))
    assert referenced and {"/clinic/" + r for r in referenced} <= assets
