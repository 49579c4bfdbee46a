"""Converting and rendering pages, in this process or across cores.

Each job turns one page into its output file inside the new site's temporary folder and
returns only what the main process needs to know (heading ids, links, the file's record),
so memory stays small however many pages there are. Worker processes are forked once per
build and inherit the site, the templates and the cache; nothing large is sent to them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import cache as cache_mod
from .errors import SiteError
from .markdown_ext import Link
from .model import Page, Site
from .render import Body, convert, page_context, render_page, template_error
from .writer import put

PARALLEL_FROM = 48  # fewer pages than this are quicker in one process than forking workers


@dataclass(frozen=True, slots=True)
class BodyMeta:
    """What the link checks need of a converted body."""

    ids: frozenset[str]
    links: tuple[Link, ...]


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


Progress = Callable[[int, int], None]


def run(
    context: Context, jobs: list[Job], workers: int, progress: Progress | None = None
) -> list[Done]:
    """Run every job, in parallel when there are enough of them; results in page order."""
    global _context
    _context = context
    report = progress or (lambda done, total: None)
    try:
        if workers > 1 and len(jobs) >= PARALLEL_FROM:
            return sorted(_in_pool(jobs, workers, report), key=lambda d: d.index)
        return [do(job) for job in jobs]
    finally:
        _context = None


def _in_pool(jobs: list[Job], workers: int, report: Progress) -> list[Done]:
    """Small batches spread over the workers, so progress moves and loads balance."""
    size = max(8, min(64, len(jobs) // (workers * 8) or 1))
    batches = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    fork = multiprocessing.get_context("fork")
    finished: list[Done] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=fork) as pool:
        for batch in pool.map(_do_all, batches):
            finished += batch
            report(len(finished), len(jobs))
    return finished


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


def worker_count() -> int:
    """Cores this process may use (a CI container may allow fewer than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1
