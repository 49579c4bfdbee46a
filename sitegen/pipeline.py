"""One build, stage by stage: config -> load -> assemble -> render -> write."""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from . import cache as cache_mod
from . import publish, writer
from .config import SiteConfig, load_config
from .content import RawPage, find_sources
from .errors import BuildFailed, SiteError, display_path
from .jobs import (
    Context,
    Done,
    Job,
    OutputRecord,
    Progress,
    Reading,
    body_key,
    prepare,
    run,
    worker_count,
)
from .links import link_errors
from .model import Page, Site, assemble, config_errors, make_page, output_collisions, url_for
from .render import (
    asset_path,
    environment,
    page_context,
    render_page,
    template_error,
    template_errors,
)
from .sanitize import static_warnings
from .writer import output_guard


@dataclass(frozen=True, slots=True)
class Options:
    content: Path = Path("content")
    templates: Path = Path("templates")
    static: Path = Path("static")
    out: Path = Path("_site")
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False  # warnings are errors
    cache: Path | None = Path(".cache")  # None: no build cache
    workers: int = 0  # 0: as many as there are cores
    progress: Progress | None = None  # called with (pages done, pages to do)


@dataclass(slots=True)
class Result:
    """What a build did: pages written, warnings, and how long it took."""

    pages: int = 0
    rendered: int = 0  # pages rendered this time (the rest were unchanged)
    converted: int = 0  # Markdown bodies converted this time (the rest came from the cache)
    seconds: float = 0.0
    warnings: list[SiteError] = field(default_factory=list)
    rendered_urls: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Session:
    """What a long-running `serve` keeps between builds, so that an edit costs only itself:
    the cache in memory, which file was which page, and the files of the site it wrote.
    After the first build, the output folder is updated in place, file by file (each
    replaced atomically), instead of being written afresh and swapped."""

    cache: cache_mod.Cache | None = None
    pages: dict[str, Page] = field(default_factory=dict)  # raw key -> page
    reprs: dict[int, str] = field(default_factory=dict)  # id of a page -> its fields, as text
    body_keys: dict[int, str] = field(default_factory=dict)  # id of a page -> its body key
    env: jinja2.Environment | None = None
    converted: int = 0  # bodies converted by the build under way
    # Told by the file watcher: the content files edited since the last build, when only
    # edits happened (None: anything may have changed, so look at every file).
    edited: set[str] | None = None
    walk: tuple[list[Path], list[SiteError]] | None = None  # content/ as last seen
    site_key: str = ""  # of the build under way
    links: dict = field(default_factory=dict)  # link checks remembered (see link_errors)
    render_keys: dict[str, str] = field(default_factory=dict)  # body key -> output key
    extras: tuple[str, frozenset[str]] = ("", frozenset())  # site key and 404, sitemap...
    written: set[str] = field(default_factory=set)  # the files of the site in the output


def build(options: Options, session: Session | None = None) -> Result:
    """Build the site into options.out, or raise BuildFailed with every error found."""
    started = time.perf_counter()
    problem = output_guard(options.out, _protected(options))
    if problem:  # before anything is read or written
        raise BuildFailed([problem])
    clear_caches()  # fingerprints are of this build's static files
    own = session is None  # a one-off build: its session ends with it, its cache is saved
    session = session or Session()
    session.converted = 0
    cache = _cache_for(options, session)
    site, errors, warnings, unreadable = load_site(options, cache, session)
    statics = writer.static_files(options.static)  # issue 16: checked before writing
    errors += output_collisions(
        site, {f.relative_to(options.static).as_posix(): display_path(f) for f in statics}
    )
    warnings += static_warnings(statics)
    if options.strict:
        errors += [replace(w, warning=False) for w in warnings]
        warnings = []
    env = _environment_for(options, session)
    errors += template_errors(env, options.templates, list(site.pages))
    in_place = bool(session and session.written and options.out.is_dir())
    temp = writer.begin(options.out)
    try:
        done = render_pages(site, options, env, cache, temp, not errors, in_place, session)
        errors += [d.error for d in done if d.error]
        metas = {p.url: cache.bodies[_body_key(cache, p, session)] for p in site.pages}
        remembered = None if own else session.links
        errors += link_errors(site, metas, options.static, unreadable, remembered)
        if errors:
            raise BuildFailed(_unique(errors))
        if in_place and session.extras[0] == session.site_key:
            extras = session.extras[1]  # nothing they show has changed: keep them
        else:
            extras = write_extras(site, env, options, temp)
            session.extras = (session.site_key, extras)
        if in_place:
            pages = {p.output_path for p in site.pages} | extras
            session.written = writer.finish_in_place(
                temp, options.out, options.static, pages, session.written
            )
        else:
            session.written = writer.finish(temp, options.out, options.static, listed=not own)
    except OSError as exc:
        writer.abort(temp)
        raise BuildFailed([writer.write_error(exc, options.out)]) from exc
    except BaseException:
        writer.abort(temp)
        raise
    if own:
        warnings += save_cache(cache)  # serve saves when the edits pause
        if not cache.persist:
            shutil.rmtree(cache.folder, ignore_errors=True)
    rendered = [site.pages[d.index].url for d in done if d.rendered and d.record]
    converted = session.converted + sum(d.converted for d in done)
    seconds = time.perf_counter() - started
    return Result(len(site.pages), len(rendered), converted, seconds, warnings, rendered)


def save_cache(cache: cache_mod.Cache) -> list[SiteError]:
    """Save the build cache; a cache that cannot be written only makes the next build slower."""
    try:
        cache_mod.save(cache)
    except OSError as exc:
        hint = "the site was built; the next build will redo the work the cache would have saved"
        where = str(cache.folder) if cache.folder else ""
        return [
            SiteError(
                f"the build cache could not be saved: {exc.strerror}", where, None, hint, True
            )
        ]
    return []


def _cache_for(options: Options, session: Session) -> cache_mod.Cache:
    """The session's cache in memory, the one on disk, or (--no-cache) a scratch one."""
    if session.cache is None:
        engine = cache_mod.engine_fingerprint()
        found = cache_mod.load(options.cache, engine) if options.cache else None
        session.cache = found or cache_mod.scratch(engine)
    return session.cache


def _protected(options: Options) -> dict[str, Path]:
    return {
        "project folder": Path.cwd(),
        "content": options.content,
        "templates": options.templates,
        "static files": options.static,
    }


def load_site(
    options: Options, cache: cache_mod.Cache | None = None, session: Session | None = None
) -> tuple[Site, list[SiteError], list[SiteError], set[str]]:
    """Read site.yaml and every page and put them together: the site, its errors, its
    warnings, and the addresses of pages that could not be read (so links to them are
    not reported twice). Raises BuildFailed only when there is no usable site.yaml."""
    config_path = options.content / "site.yaml"
    config, errors = load_config(config_path, options.base_url)
    limit = (config.max_page_kb if config else 2048) * 1024
    sources, found_errors = _sources(options, session)
    errors += found_errors
    cache = cache or cache_mod.Cache(None)
    results = _read_all(sources, options, limit, cache, session)
    pages: list[Page] = []
    unreadable: set[str] = set()
    raws: dict[str, RawPage] = {}
    for path, key, raw, page_errors in results:
        errors += page_errors
        if raw is not None and not page_errors:
            raws[key] = raw
            pages.append(_page_for(key, raw, session))
        else:
            unreadable.add(url_for(path.relative_to(options.content).as_posix()))
    cache.changed |= raws.keys() != cache.raws.keys()
    cache.raws = raws
    if session is not None:  # forget what the files no longer are
        session.pages = {k: p for k, p in session.pages.items() if k in raws}
        alive = {id(p) for p in session.pages.values()}
        session.reprs = {i: r for i, r in session.reprs.items() if i in alive}
        session.body_keys = {i: k for i, k in session.body_keys.items() if i in alive}
    if config is None:
        raise BuildFailed(errors)
    site, site_errors = assemble(config, pages, options.drafts, unreadable)
    errors += site_errors + config_errors(site, display_path(config_path), unreadable)
    warnings = [w for raw in raws.values() for w in raw.warnings]
    warnings += appointment_warning(config, display_path(config_path))
    return site, errors, warnings, unreadable


def _sources(options: Options, session: Session | None) -> tuple[list[Path], list[SiteError]]:
    """The content files: as last seen when the watcher reports only edits, else walked."""
    if session is not None and session.edited is not None and session.walk is not None:
        # the watcher names files absolutely; the walk names them as content/ is given
        session.edited |= {os.path.relpath(e) for e in session.edited}
        return session.walk[0], list(session.walk[1])
    found = find_sources(options.content)
    if session is not None:
        session.walk = (found[0], list(found[1]))
    return found


def _read_all(
    sources: list[Path],
    options: Options,
    limit: int,
    cache: cache_mod.Cache,
    session: Session | None,
) -> list[tuple[Path, str, RawPage | None, tuple[SiteError, ...]]]:
    """Every source file read, checked and converted, in the order given. A file whose
    size and time are as the cache remembers is not even opened."""
    known: dict[Path, tuple[str, RawPage | None, tuple[SiteError, ...]]] = {}
    files = {}
    for path in sources:
        seen = cache.files.get(str(path))
        if seen and seen[2] in cache.raws and _still(path, seen[:2], session):
            known[path] = (seen[2], cache.raws[seen[2]], ())
            files[str(path)] = seen
    reading = Reading(options.content, limit, cache, options.drafts)
    todo = [p for p in sources if p not in known]
    for done in prepare(reading, todo, options.workers or worker_count(), options.progress):
        if done.meta is not None:
            cache.bodies[done.body_key] = done.meta
            cache.changed |= done.converted
            if session is not None:
                session.converted += done.converted
        if done.raw is not None:
            files[str(done.path)] = (*done.size_mtime, done.key)
        known[done.path] = (done.key, done.raw, done.errors)
    cache.changed |= files != cache.files
    cache.files = files
    return [(path, *known[path]) for path in sources]


def _still(path: Path, size_mtime: tuple[int, int], session: Session | None) -> bool:
    """The file is as the cache remembers: unedited by the watcher's account, or by its stat."""
    if session is not None and session.edited is not None:
        return str(path) not in session.edited
    return _same_stat(path, size_mtime)


def _same_stat(path: Path, size_mtime: tuple[int, int]) -> bool:
    try:
        stat = path.stat()
    except OSError:
        return False
    return (stat.st_size, stat.st_mtime_ns) == size_mtime


def _page_for(key: str, raw: RawPage, session: Session | None) -> Page:
    """The Page for a RawPage, made once per session."""
    if session is None:
        return make_page(raw)
    page = session.pages.get(key)
    if page is None:
        page = session.pages[key] = make_page(raw)
    return page


def appointment_warning(config: SiteConfig, shown: str) -> list[SiteError]:
    if config.appointment_endpoint:
        return []
    hint = "set appointment_endpoint in site.yaml to the address that receives the form"
    message = "no appointment_endpoint: the appointments page shows the phone and email instead"
    return [SiteError(message, shown, hint=hint, warning=True)]


BODY_FIELDS = ("body", "body_hash")  # a body change is its own page's, not the site's


def site_key(site: Site, options: Options, engine: str, session: Session) -> str:
    """Changes when anything but a page body changes: every page's fields, the config,
    the templates, the static files. Bodies change only their own page."""
    parts: list[str | bytes] = [engine, repr(site.config), repr(sorted(site.redirects.items()))]
    reprs = session.reprs
    for page in site.pages:
        text = reprs.get(id(page))
        if text is None:
            text = repr(
                {k: getattr(page, k) for k in page.__dataclass_fields__ if k not in BODY_FIELDS}
            )
            reprs[id(page)] = text
        parts.append(text)
    for folder in (options.templates, options.static):
        for file in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if file.is_file():
                parts += [file.relative_to(folder).as_posix(), file.read_bytes()]
    return cache_mod.digest(*parts)


def _body_key(cache: cache_mod.Cache, page: Page, session: Session) -> str:
    """The key of a page's converted body, worked out once per page and session."""
    known = session.body_keys.get(id(page))
    if known is None:
        known = session.body_keys[id(page)] = body_key(cache.engine, page)
    return known


def _environment_for(options: Options, session: Session) -> jinja2.Environment:
    """One Jinja2 environment per session: it recompiles only templates whose files changed."""
    if session.env is None:
        compiled = session.cache.templates_folder() if session.cache else None
        session.env = environment(options.templates, compiled)
    return session.env


def render_pages(
    site: Site,
    options: Options,
    env: jinja2.Environment,
    cache: cache_mod.Cache,
    temp: Path,
    render: bool,
    in_place: bool,
    session: Session,
) -> list[Done]:
    """Write every changed page into `temp`; unchanged ones are carried over (or, when the
    output is updated in place, left where they are)."""
    skey = session.site_key = site_key(site, options, cache.engine, session) if render else ""
    out = str(options.out.resolve())
    reusable = cache.outputs if cache.out_dir == out else {}
    jobs, done = [], []
    for index, page in enumerate(site.pages):
        body_key = _body_key(cache, page, session)
        render_key = _render_key(skey, body_key, session) if render else ""
        record = reusable.get(page.output_path)
        if render and _unchanged(options.out, page, record, render_key, body_key, cache, in_place):
            if not in_place:
                writer.reuse(options.out, temp, page.output_path)
            done.append(Done(index, cache.bodies[body_key], record, None, False, False))
        else:
            jobs.append(Job(index, body_key, render_key))
    context = Context(site, env, options.templates, options.static, temp, cache, cache.bodies)
    done += run(context, jobs, options.workers or worker_count(), options.progress)
    _remember(cache, site, done, out, session)
    return sorted(done, key=lambda d: d.index)


def _render_key(skey: str, body_key: str, session: Session) -> str:
    """The key of a page's output: everything but bodies, and its own body."""
    if session.render_keys.get("") != skey:  # a new site key: forget the old ones
        session.render_keys = {"": skey}
    known = session.render_keys.get(body_key)
    if known is None:
        known = session.render_keys[body_key] = cache_mod.digest(skey, body_key)
    return known


def _unchanged(
    out: Path,
    page: Page,
    record: OutputRecord | None,
    key: str,
    body_key: str,
    cache: cache_mod.Cache,
    trusted: bool = False,
) -> bool:
    """The last build wrote this page from the same inputs, and the file is still as written
    (`trusted`: this session wrote it and is the only writer, so it is not looked at)."""
    if record is None or record.key != key or body_key not in cache.bodies:
        return False
    if trusted:
        return True
    try:
        stat = (out / page.output_path).stat()
    except OSError:
        return False
    return stat.st_size == record.size and stat.st_mtime_ns == record.mtime_ns


def _remember(
    cache: cache_mod.Cache, site: Site, done: list[Done], out: str, session: Session
) -> None:
    """Record this build's bodies and outputs in the cache (only what still exists)."""
    bodies = {_body_key(cache, site.pages[d.index], session): d.meta for d in done}
    outputs = {site.pages[d.index].output_path: d.record for d in done if d.record}
    changed = bodies != cache.bodies or outputs != cache.outputs or out != cache.out_dir
    cache.changed |= changed
    if outputs:
        cache.bodies, cache.outputs, cache.out_dir = bodies, outputs, out
    else:
        cache.bodies = {**cache.bodies, **bodies}


def write_extras(
    site: Site, env: jinja2.Environment, options: Options, temp: Path
) -> frozenset[str]:
    """The 404 page, alias redirects and the machine-read files; their names."""
    errors: list[SiteError] = []
    files = {"404.html": _render(env, site, not_found_page(), options, errors)}
    base = site.config.base_url.rstrip("/")
    for old, new in site.redirects.items():
        page = moved_page(old, site.by_url[new])
        files[page.output_path] = _render(env, site, page, options, errors, {"target": base + new})
    if errors:
        raise BuildFailed(_unique(errors))
    files["sitemap.xml"] = publish.sitemap(site)
    files["robots.txt"] = publish.robots(site)
    files["articles/feed.xml"] = publish.feed(site)
    files["_redirects"] = publish.redirects_file(site)
    files["_headers"] = publish.headers_file(site, writer.fingerprinted(options.static))
    for rel, text in files.items():
        writer.put(temp, rel, text.encode())
    return frozenset(files)


def _render(
    env: jinja2.Environment,
    site: Site,
    page: Page,
    options: Options,
    errors: list[SiteError],
    extra: dict | None = None,
) -> str:
    """Render a page that has no body; a template error is collected, not raised."""
    context = page_context(site, page, None, options.static)
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


def clear_caches() -> None:
    """Forget the fingerprints of static files: each build works them out afresh."""
    asset_path.cache_clear()
