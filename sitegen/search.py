"""The search index: Pagefind, given the rendered pages in memory, gives back its files.

The index files go into the build's outputs, so they are written in the same atomic swap as
the pages. Only each page's <main> is indexed (`data-pagefind-body` in base.html); titles
weigh more by Pagefind's own rule for headings, the summary by its `data-pagefind-weight`,
and the page's `keywords` most of all: they become a searchable Pagefind meta field of
the copy of the page that Pagefind reads (never of the page itself), and the search script
weighs that field highest (`metaWeights` in static/js/search.js).
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Mapping
from pathlib import Path

from .atoz import A_TO_Z_URL
from .errors import SiteError
from .model import Page, Site

SEARCH_URL = "/search/"
FOLDER = "pagefind"  # the index's place in the output
# What the search page needs of Pagefind's bundle: its ready-made interfaces are left out,
# and its worker (static/js/search.js searches without one: one script less to download).
UNUSED = re.compile(r"^pagefind-(ui|modular-ui|component-ui|highlight|worker)\.(js|css)$")
MAIN_TAG = re.compile(r"<main\b[^>]*\bdata-pagefind-body\b[^>]*>")
CITE_TAG = '<sup class="cite">'  # a citation mark, as markdown_ext.py writes it
WASM = re.compile(r"^wasm\.(.+)\.pagefind$")


def indexed(site: Site) -> list[Page]:
    """The pages search can find: all but the search and A to Z pages themselves."""
    return [page for page in site.pages if page.url not in (SEARCH_URL, A_TO_Z_URL)]


def with_keywords(text: str, page: Page) -> str:
    """The page as Pagefind reads it: its keywords as the meta field `keywords`, left out
    of the body so that excerpts come from the page's own text."""
    if not page.keywords:
        return text
    words = html.escape(", ".join(page.keywords))
    block = f'<p data-pagefind-meta="keywords" data-pagefind-ignore>{words}</p>'
    return MAIN_TAG.sub(lambda m: m[0] + block, text, count=1)


def without_citation_marks(text: str) -> str:
    """The page with its citation marks ("source 2") left out of what Pagefind reads: they
    would glue onto the word before them in excerpts ("bonessource 2") and in the index."""
    return text.replace(CITE_TAG, CITE_TAG[:-1] + " data-pagefind-ignore>")


def needed(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """Pagefind's files that a browser can ask for: not its ready-made interfaces, and only
    the WebAssembly of languages the index has (pagefind.js asks for `wasm.unknown` only
    for a language the entry file gives no WebAssembly of its own)."""
    entry = json.loads(files.get("pagefind-entry.json", b"{}"))
    languages = entry.get("languages", {}).values()
    wanted = {language.get("wasm") or "unknown" for language in languages}
    return {
        name: data
        for name, data in sorted(files.items())
        if not UNUSED.match(name) and ((m := WASM.match(name)) is None or m[1] in wanted)
    }


def index_files(
    site: Site, pages: Mapping[str, bytes], language: str = "en"
) -> tuple[dict[str, bytes], list[SiteError]]:
    """The index files (output path -> bytes) for these pages (URL -> rendered HTML);
    none for a site without a search page."""
    if site.page_at(SEARCH_URL) is None:
        return {}, []
    found = {
        url: without_citation_marks(with_keywords(text.decode(), site.by_url[url]))
        for url, text in pages.items()
    }
    try:
        files = _in_own_loop(found, language)
    except Exception as exc:  # a missing binary, or a crash of Pagefind's service
        hint = "install the project again (`make .venv/.installed`): it needs pagefind[bin]"
        return {}, [SiteError(f"the search index could not be made: {exc}", FOLDER, None, hint)]
    return {f"{FOLDER}/{name}": data for name, data in needed(files).items()}, []


def _in_own_loop(pages: Mapping[str, str], language: str) -> dict[str, bytes]:
    """Run Pagefind on an event loop of its own, in its own thread: the caller may be
    running one already (serve's rebuilds run on its server's loop)."""
    import asyncio  # here: every build imports this module, few make an index
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _run_pagefind(pages, language)).result()


async def _run_pagefind(pages: Mapping[str, str], language: str) -> dict[str, bytes]:
    """Start Pagefind's service, give it every page, and take its files back."""
    import asyncio

    service = await _service().launch()
    try:
        index = await service.create_index({"force_language": language})
        # All pages sent before any reply is awaited: one round trip, not one a page
        await asyncio.gather(*(index.add_html_file(content=t, url=u) for u, t in pages.items()))
        files = await index.get_files()
    finally:
        await service.close()
    return {str(Path(file["path"]).as_posix()): file["content"] for file in files}


def _service() -> object:
    """Pagefind's service client, reading replies as they come: its own reader waits
    100 ms before each one, which would add 100 ms a page to every build."""
    from pagefind.service import PagefindService

    class Service(PagefindService):
        async def _wait_for_responses(self) -> None:
            """Replies are base64 JSON ended by a comma. Read in blocks, not with
            readuntil: the reply holding a large site's index outgrows its 2 MB limit, and
            a reader that stops leaves every request waiting for ever."""
            pending, scanned = bytearray(), 0
            try:
                while block := await self._backend.stdout.read(1 << 16):
                    pending += block
                    while (end := pending.find(b",", scanned)) >= 0:
                        reply = json.loads(base64.b64decode(bytes(pending[:end])))
                        del pending[: end + 1]
                        scanned = 0
                        if reply:
                            self._answer(reply.get("message_id"), reply["payload"])
                    scanned = len(pending)
                problem = {"type": "Error", "message": "Pagefind stopped"}
            except Exception as exc:  # any failure must reach the waiting requests
                problem = {"type": "Error", "message": f"Pagefind's reply could not be read: {exc}"}
            self._answer(None, problem)

        def _answer(self, message_id: int | None, payload: dict) -> None:
            """Settle the request answered (all waiting ones if Pagefind could not tell)."""
            waiting = [self._responses.get(message_id)] if message_id else self._responses.values()
            for future in [f for f in waiting if f is not None and not f.done()]:
                if payload["type"] == "Error":
                    future.set_exception(RuntimeError(payload.get("message", "unknown error")))
                else:
                    future.set_result(payload)

    return Service()
