"""Converting and rendering pages, in this process or across cores.

Each job turns one page into its output file inside the new site's temporary folder and
returns only what the main process needs to know (heading ids, links, the file's record),
so memory stays small however many pages there are. Worker processes are forked once per
build and inherit the site, the templates and the cache; nothing large is sent to them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from . import cache as cache_mod
from .content import RawPage, read_page
from .errors import SiteError, display_path, plain_pickle
from .model import Link, Page, Site, make_page
from .render import Body, convert, page_context, render_page, template_error
from .writer import put

PARALLEL_FROM = 48  # fewer pages than this are quicker in one process than forking workers


@plain_pickle
@dataclass(frozen=True, slots=True)
class BodyMeta:
    """What the link checks need of a converted body."""

    ids: frozenset[str]
    links: tuple[Link, ...]


@plain_pickle
@dataclass(frozen=True, slots=True)
class OutputRecord:
    """A written output file: the key of its inputs, and its size and time to recognise it."""

    key: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Job:
    index: int  # the page's position in site.pages
    body_key: str
    render_key: str  # "" to convert only (the templates have errors)


@dataclass(frozen=True, slots=True)
class Done:
    index: int
    meta: BodyMeta
    record: OutputRecord | None
    error: SiteError | None
    converted: bool
    rendered: bool = True


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a job needs; set before workers fork so they inherit it."""

    site: Site
    env: jinja2.Environment
    templates: Path
    static: Path
    temp: Path
    cache: cache_mod.Cache
    metas: dict[str, BodyMeta]


_context: Context | None = None


Progress = Callable[[str, int, int], None]  # (what, done, of how many)


def run(
    context: Context, jobs: list[Job], workers: int, progress: Progress | None = None
) -> list[Done]:
    """Run every job, in parallel when there are enough of them; results in page order."""
    global _context
    _context = context
    try:
        return _spread(_do_all, jobs, workers, "rendering", progress)
    finally:
        _context = None


def _spread(
    work: Callable[[list], list], items: list, workers: int, what: str, progress: Progress | None
) -> list:
    """`work` over `items`, across forked workers when there are enough items to be worth
    it; results in the items' order."""
    if workers < 2 or len(items) < PARALLEL_FROM:
        return work(items)
    report = progress or (lambda what, done, total: None)
    return _in_pool(work, items, workers, lambda done, total: report(what, done, total))


def _in_pool(
    work: Callable[[list], list], items: list, workers: int, report: Callable[[int, int], None]
) -> list:
    """`work` over small batches of `items` in forked workers; results in the items' order."""
    size = max(8, min(64, len(items) // (workers * 8) or 1))
    batches = [items[i : i + size] for i in range(0, len(items), size)]
    fork = multiprocessing.get_context("fork")
    gc.freeze()  # what the workers inherit stays shared: the collector does not touch it
    finished: list = []
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=fork, initializer=_die_with_parent
    ) as pool:
        for batch in pool.map(work, batches):
            finished += batch
            report(len(finished), len(items))
    gc.unfreeze()
    return finished


def _die_with_parent() -> None:
    """A worker ends when the build is killed, rather than writing on into its folder."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers end with the pool as usual
        pass


def _do_all(jobs: Iterable[Job]) -> list[Done]:
    return [do(job) for job in jobs]


def do(job: Job) -> Done:
    """Convert (or take from the cache) one page's body, render it and write it."""
    ctx = _context
    assert ctx is not None
    page = ctx.site.pages[job.index]
    try:
        body, converted = _body(ctx, page, job.body_key)
    except RecursionError:
        hint = "use fewer levels of lists or quotes"
        error = SiteError("the page is nested too deeply to convert", page.shown, None, hint)
        return Done(job.index, BodyMeta(frozenset(), ()), None, error, False)
    meta = BodyMeta(body.ids, body.links)
    if not job.render_key:
        return Done(job.index, meta, None, None, converted)
    try:
        html = render_page(ctx.env, page_context(ctx.site, page, body, ctx.static))
    except Exception as exc:
        return Done(job.index, meta, None, template_error(exc, ctx.templates), converted)
    stat = put(ctx.temp, page.output_path, html.encode())
    record = OutputRecord(job.render_key, stat.st_size, stat.st_mtime_ns)
    return Done(job.index, meta, record, None, converted)


def _body(ctx: Context, page: Page, key: str) -> tuple[Body, bool]:
    """The converted body from the cache if it is there and whole, else converted now."""
    meta = ctx.metas.get(key)
    html = ctx.cache.read_body_html(key) if meta else None
    if meta is not None and html is not None:
        return Body(html, meta.ids, meta.links), False
    body = convert(page)
    ctx.cache.write_body_html(key, body.html)
    return body, True


def body_key(engine: str, page: Page) -> str:
    """The key of a page's converted body: its source, its place and the engine."""
    return cache_mod.digest(engine, page.rel, page.url, page.body_hash or page.body)


# --- the first phase: read, check and convert each source file ----------------------------


@dataclass(frozen=True, slots=True)
class Prepared:
    """One source file read, its front matter checked and its body converted (or cached)."""

    path: Path
    key: str  # hash of the file's place and bytes; "" when it could not be read
    size_mtime: tuple[int, int]
    raw: RawPage | None
    errors: tuple[SiteError, ...]
    body_key: str = ""
    meta: BodyMeta | None = None
    converted: bool = False


@dataclass(frozen=True, slots=True)
class Reading:
    """What the first phase needs; set before workers fork so they inherit it."""

    root: Path
    limit: int
    cache: cache_mod.Cache
    drafts: bool  # convert drafts too


_reading: Reading | None = None


def prepare(
    reading: Reading, paths: list[Path], workers: int, progress: Progress | None = None
) -> list[Prepared]:
    """Read, check and convert every file, in parallel when there are enough of them."""
    global _reading
    _reading = reading
    try:
        return _spread(_prepare_all, paths, workers, "reading", progress)
    finally:
        _reading = None


def _prepare_all(paths: Iterable[Path]) -> list[Prepared]:
    return [prepare_one(path) for path in paths]


def prepare_one(path: Path) -> Prepared:
    """One file: its front matter (from the cache if its bytes are known) and its body."""
    ctx = _reading
    assert ctx is not None
    try:
        stat = path.stat()
        data = path.read_bytes()
    except OSError as exc:
        error = SiteError(f"the file cannot be read: {exc.strerror}", display_path(path))
        return Prepared(path, "", (0, 0), None, (error,))
    key = cache_mod.digest(display_path(path), data)
    size_mtime = (stat.st_size, stat.st_mtime_ns)
    raw = ctx.cache.raws.get(key)
    errors: list[SiteError] = []
    if raw is None:
        raw, errors = read_page(path, ctx.root, ctx.limit, data)
    if raw is None or errors:
        return Prepared(path, key, size_mtime, None, tuple(errors))
    page = make_page(raw)
    if page.draft and not ctx.drafts:
        return Prepared(path, key, size_mtime, replace(raw, body=""), ())
    bkey = body_key(ctx.cache.engine, page)
    meta = ctx.cache.bodies.get(bkey)
    stored = replace(raw, body="")  # the body lives on in its file and as converted HTML
    if meta is not None:
        return Prepared(path, key, size_mtime, stored, (), bkey, meta)
    try:
        body = convert(page)
    except RecursionError:
        hint = "use fewer levels of lists or quotes"
        error = SiteError("the page is nested too deeply to convert", page.shown, None, hint)
        return Prepared(path, key, size_mtime, None, (error,))
    ctx.cache.write_body_html(bkey, body.html)
    meta = BodyMeta(body.ids, body.links)
    return Prepared(path, key, size_mtime, stored, (), bkey, meta, True)


def worker_count() -> int:
    """Cores this process may use (a CI container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
