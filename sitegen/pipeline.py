"""One build, stage by stage: config -> load -> assemble -> render -> write, then checks.

The stages are pure functions of their inputs (reading and writing happen at the two ends).
Speed wraps them from here, never from inside: a memo keyed by content hashes around
reading a page, converting a body and rendering a page, and a pool that maps them across
cores. `serve` runs `build()` again with the same memo, warm in memory.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from . import memo as memo_mod
from . import photos, publish, search, writer
from .assets import Assets, fingerprint, static_files
from .config import SiteConfig, load_config
from .content import RawPage, find_sources, read_page, text_of, today
from .errors import BuildFailed, SiteError, display_path
from .links import Known, page_link_errors, targets_key
from .model import (
    BodyMeta,
    Page,
    Site,
    assemble,
    config_errors,
    make_page,
    output_collisions,
    url_for,
)
from .pool import Progress, map_shared, worker_count
from .release import (
    Findings,
    TextFindings,
    page_release_problems,
    site_release_problems,
    text_findings,
    unfinished_problems,
)
from .render import convert, environment, page_context, render_page, template_error, template_errors
from .report import with_sources
from .sanitize import static_warnings
from .videos import video_errors


@dataclass(frozen=True, slots=True)
class Options:
    content: Path = Path("content")
    templates: Path = Path("templates")
    static: Path = Path("static")
    out: Path = Path("_site")
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False  # warnings are errors
    release: bool = False  # what is still to do before publishing is an error, not a warning
    cache: Path | None = Path(".cache")  # None: no build memo kept between runs
    workers: int = 0  # 0: as many as there are cores
    progress: Progress | None = None  # called with (what, pages done, pages to do)
    # False: keep the search index of the last build that made one (serve's rebuilds, where
    # indexing every page again would cost more than the edit)
    reindex: bool = True
    # True: files whose contents changed are replaced one by one, when no file came or went
    # (serve's rebuilds: the preview need not swap the whole folder for one edit)
    in_place: bool = False
    # serve's watcher: the paths (absolute) that changed since the last build with this
    # memo, so the other content files are taken as that build read them. None: read all
    changed: frozenset[str] | None = None


@dataclass(slots=True)
class Result:
    """What a build made: the site, its outputs, its problems, and how long it took."""

    site: Site | None = None
    outputs: dict[str, writer.Output] = field(default_factory=dict)
    bodies: dict[str, BodyMeta] = field(default_factory=dict)  # page URL -> body facts
    errors: list[SiteError] = field(default_factory=list)
    warnings: list[SiteError] = field(default_factory=list)
    rendered_urls: list[str] = field(default_factory=list)  # rendered this time, not memoized
    converted: int = 0  # Markdown bodies converted this time
    seconds: float = 0.0
    recalled_pages: int = 0  # pages of a build recalled whole (nothing changed): no site

    @property
    def pages(self) -> int:
        return len(self.site.pages) if self.site else self.recalled_pages

    @property
    def rendered(self) -> int:
        return len(self.rendered_urls)


def build(options: Options, memo: memo_mod.Memo | None = None) -> Result:
    """Build the site into options.out, or raise BuildFailed with every error found."""
    started = time.perf_counter()
    problem = writer.output_guard(options.out, protected_folders(options))
    if problem:  # before anything is read or written
        raise BuildFailed([problem])
    one_off = memo is None
    memo = memo_mod.load(options.cache) if memo is None else memo
    found = read_sources(options.content, memo.sources, options.changed)
    if not one_off:  # serve's next build reads only what its watcher saw change
        memo.sources = sources_read(found)
    inputs = inputs_key(options, memo.engine, found)
    result = recall(options.out, memo, inputs)
    unsaved: list[SiteError] = []  # the cache could not be saved (a warning)
    if result is None:
        result = make(options, memo, found)
        if result.errors:
            raise BuildFailed(unique(result.errors))
        if one_off:
            # the tables are saved and let go before writing: a lower peak of memory
            unsaved += save_memo(memo)
            memo_mod.close_tables(memo)
            # with their files' lines, once: a build that recalls this one shows them
            # without reading a file per warning (serve prints only what is new)
            result.warnings = with_sources(result.warnings)
        write_site(result, options, memo, inputs)
    if one_off:
        unsaved += save_memo(memo)
    result.warnings += unique(unsaved)
    result.seconds = time.perf_counter() - started
    return result


@dataclass(frozen=True, slots=True)
class Published:
    """What the last build into a folder published, and from what."""

    inputs: str  # inputs_key of that build
    manifest: memo_mod.Packed  # writer.Manifest, read back only when needed
    pages: int
    warnings: memo_mod.Packed  # tuple[SiteError, ...]


def recall(out: Path, memo: memo_mod.Memo, inputs: str) -> Result | None:
    """The last build's result, when it had the same inputs and its output is as it left
    it: then there is nothing to make and nothing to write. Else None."""
    target = writer.publish_target(out)
    last = memo.published.get(str(target))
    if last is None or not inputs or last.inputs != inputs:
        return None
    if not writer.intact(last.manifest.unpacked(), target):
        return None
    return Result(warnings=list(last.warnings.unpacked()), recalled_pages=last.pages)


def write_site(result: Result, options: Options, memo: memo_mod.Memo, inputs: str) -> None:
    """Write the outputs, remembering what went where: the next build with the same
    outputs, into an untouched folder, writes nothing."""
    place = str(writer.publish_target(options.out))
    last = memo.published.get(place)
    before = last.manifest.unpacked() if last else None
    manifest = writer.write(result.outputs, options.out, before, options.in_place)
    warnings = memo_mod.Packed.of(tuple(result.warnings))
    record = Published(inputs, memo_mod.Packed.of(manifest), result.pages, warnings)
    if record != last:
        memo.published[place] = record
        memo.published_changed = True


def inputs_key(options: Options, engine: str, found: Found) -> str:
    """Changes whenever anything a build reads may have changed: the engine, the options,
    the working folder and the date (shown paths, review ages), every content file and
    template by its bytes, every static file by its size and time. "" (never recalled)
    when the content folder has problems of its own."""
    sources, problems = found.sources, found.problems
    if problems or any(source.error for source in sources):
        return ""
    settings = (options.content, options.templates, options.static, options.base_url)
    flags = (options.drafts, options.strict, options.release, options.reindex)
    parts: list[str | bytes] = [engine, repr((settings, flags)), os.getcwd(), today().isoformat()]
    parts += [source.key for source in sources]
    parts += [part for rel, data in template_files(options.templates) for part in (rel, data)]
    parts.append(_read_or_empty(options.content / "site.yaml"))
    parts.append(repr(static_stamps(options.static)))
    return memo_mod.digest(*parts)


def template_files(templates: Path) -> list[tuple[str, bytes]]:
    """Every file in templates/, by its place, with its bytes."""
    files = sorted(templates.rglob("*")) if templates.is_dir() else []
    return [(f.relative_to(templates).as_posix(), f.read_bytes()) for f in files if f.is_file()]


def static_stamps(static: Path) -> list[tuple[str, int, int]]:
    """Every published static file with its size and time (pictures can be large: not
    hashed)."""
    stamps = ((f, f.stat()) for f in static_files(static))
    return [(f.as_posix(), stat.st_size, stat.st_mtime_ns) for f, stat in stamps]


def _read_or_empty(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def make(options: Options, memo: memo_mod.Memo, found: Found | None = None) -> Result:
    """Everything but writing: the site, its outputs (path -> bytes or a file) and problems."""
    memo_mod.open_tables(memo)
    memo.used = set()
    config, errors = load_config(options.content / "site.yaml", options.base_url)
    found = read_sources(options.content) if found is None else found
    pages, unreadable, load_errors, warnings = load(options, config, memo, found)
    if config is None:
        return Result(errors=errors + load_errors)
    site, site_errors = assemble(config, pages, options.drafts, unreadable)
    shown_config = display_path(options.content / "site.yaml")
    site_errors += config_errors(site, shown_config, unreadable)
    texts = text_keys(site, memo.engine)
    findings = recalled_findings(site, memo, texts)
    site_errors += unfinished_problems(site, findings)  # TODOs on a page not a draft, and such
    todo = recalled_release_problems(site, shown_config, options.release, findings, memo)
    (site_errors if options.release else warnings).extend(todo)
    compiled = memo.templates_folder()
    if compiled is not None:
        compiled.mkdir(parents=True, exist_ok=True)
    env = environment(options.templates, compiled)
    assets = fingerprint(options.static)
    statics = static_files(options.static)
    site_errors += output_collisions(
        site, {f.relative_to(options.static).as_posix(): display_path(f) for f in statics}
    )
    warnings += static_warnings(statics)
    photo_files, uploads, photo_errors = photos.gather(list(site.pages), options.static, memo)
    errors += (
        load_errors + site_errors + photo_errors + video_errors(list(site.pages), options.static)
    )
    errors += template_errors(env, options.templates, list(site.pages))
    result = render(site, env, assets, memo, options, render_pages=not errors)
    result.outputs, clashes = photos.publish(result.outputs, photo_files, uploads)
    checked = checked_links(site, result.bodies, options.static, statics, unreadable, memo, texts)
    errors += result.errors + clashes + checked
    if options.strict:
        errors += [replace(w, warning=False) for w in warnings]
        warnings = []
    result.errors, result.warnings = errors, warnings
    return result


def text_keys(site: Site, engine: str) -> dict[str, str]:
    """Each page's text key (page URL -> hash of its file's place and bytes): the checks
    of a page's own text are recalled by it."""
    return {page.url: text_key(engine, page) for page in site.pages}


def text_key(engine: str, page: Page) -> str:
    if page.source_key:  # the memo as a whole belongs to one engine: no need to hash again
        return page.source_key
    return memo_mod.digest(engine, page.shown, page.front, str(page.body_line), page.body)


def recalled_release_problems(
    site: Site, shown_config: str, release: bool, findings: Findings, memo: memo_mod.Memo
) -> list[SiteError]:
    """What is still to do before publishing, each page's part recalled from the last
    build in this process when the page's file, its reviewer's file and the day are the
    same (serve: a save changes one page; the others' warnings are the same objects)."""
    found = site_release_problems(site, shown_config, release)
    last, memo.release = memo.release, {}
    day = today().isoformat()
    for page in site.pages:
        reviewer = site.clinician(page.reviewed_by)
        key = (page.source_key, reviewer.source_key if reviewer else "", day, release)
        problems = last.get(key) if page.source_key else None
        if problems is None:
            problems = page_release_problems(page, site, findings[page.url], release)
        memo.release[key] = problems
        found += problems
    return found


def recalled_findings(
    site: Site, memo: memo_mod.Memo, texts: dict[str, str]
) -> dict[str, TextFindings]:
    """What each page's text holds for the release and unfinished-text checks; found
    again only for pages whose text changed."""
    found = {}
    for page in site.pages:
        key = texts[page.url]
        findings = memo.texts.get(key)
        if findings is None:
            findings = memo.texts[key] = text_findings(page)
            memo.changed = True
        memo.used.add(key)
        found[page.url] = findings
    return found


def checked_links(
    site: Site,
    bodies: dict[str, BodyMeta],
    static: Path,
    statics: list[Path],
    unreadable: set[str],
    memo: memo_mod.Memo,
    texts: dict[str, str],
) -> list[SiteError]:
    """Every page's link problems; checked again only for a page whose text changed, or
    when a link target may have (a page, a heading, an old address, a static file)."""
    files = sorted(f.relative_to(static).as_posix() for f in statics)
    targets = memo_mod.digest(*targets_key(site, bodies, files, unreadable))
    known = Known(static)
    errors: list[SiteError] = []
    for page in site.pages:
        meta = bodies.get(page.url)
        if meta is None:
            continue
        key = memo_mod.digest(targets, texts[page.url])
        problems = memo.links.get(key)
        if problems is None:
            problems = tuple(page_link_errors(site, bodies, known, unreadable, page, meta))
            memo.links[key] = problems
            memo.changed = True
        memo.used.add(key)
        errors += problems
    return errors


def protected_folders(options: Options) -> dict[str, Path]:
    return {
        "project folder": Path.cwd(),
        "content": options.content,
        "templates": options.templates,
        "static files": options.static,
    }


def save_memo(memo: memo_mod.Memo) -> list[SiteError]:
    """Save the memo; one that cannot be written only makes the next build slower."""
    try:
        memo_mod.save(memo)
    except OSError as exc:
        hint = "the site was built; the next build will redo the work the cache would have saved"
        message = f"the build cache could not be saved: {exc.strerror}"
        return [SiteError(message, display_path(memo.folder), None, hint, True)]
    return []


# --- load: every source file read and its front matter checked ------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """One content file as read from disk (the pure reading step gets its bytes)."""

    path: Path
    key: str  # hash of its place and bytes; "" when it could not be read
    data: bytes
    error: SiteError | None = None
    kept: bool = True  # False: the bytes were let go after hashing, to be read again


@dataclass(slots=True)
class Found:
    """The content files as read, and the problems of folders and links found on the way.
    `load` takes the files and lets their bytes go: at thousands of pages they weigh as
    much as the pages themselves."""

    sources: list[Source]
    problems: list[SiteError]

    def take(self) -> list[Source]:
        taken, self.sources = self.sources, []
        return taken


KEPT_BYTES = 8 << 20  # a large site's files are read again when needed, not all held


def read_sources(
    content: Path, last: dict[str, Source] | None = None, changed: frozenset[str] | None = None
) -> Found:
    """Every content file, read and hashed; the bytes of the first few megabytes kept.
    With `last` (the sources as the last build read them, without their bytes, by path)
    and the absolute paths `changed` since: the other files are not read again, and the
    folders are walked only when a change may have added or removed a file."""
    if last is None or changed is None:
        last, changed = {}, frozenset()
    inside = os.path.join(os.path.abspath(content), "")
    mine = {str(content / p[len(inside) :]) for p in changed if p.startswith(inside)}
    if last and all(path in last and os.path.isfile(path) for path in mine):
        paths, errors = [source.path for source in last.values()], []
    else:
        paths, errors = find_sources(content)
    sources, budget = [], KEPT_BYTES
    for path in paths:
        old = last.get(str(path))
        source = old if old is not None and str(path) not in mine else read_source(path)
        budget -= len(source.data)
        sources.append(source if budget >= 0 else replace(source, data=b"", kept=False))
    return Found(sources, errors)


def sources_read(found: Found) -> dict[str, Source]:
    """The sources by path, without their bytes; none when there were problems
    (then every file is read again, and the folders walked, to find them again)."""
    if found.problems or any(source.error for source in found.sources):
        return {}
    unread = (s if not s.kept else replace(s, data=b"", kept=False) for s in found.sources)
    return {str(s.path): s for s in unread}


def with_bytes(source: Source) -> Source:
    """A source with its bytes, read again if they were let go; an error if the file
    changed since it was hashed (saved while the site was being built)."""
    if source.kept or source.error:
        return source
    again = read_source(source.path)
    if again.error or again.key == source.key:
        return again
    message = "the file changed while the site was being built"
    error = SiteError(message, display_path(source.path), None, "build again")
    return replace(source, error=error)


def load(
    options: Options, config: SiteConfig | None, memo: memo_mod.Memo, found: Found
) -> tuple[list[Page], set[str], list[SiteError], list[SiteError]]:
    """Every page: (pages, addresses of unreadable pages, errors, warnings). A file whose
    bytes the memo knows is not parsed again."""
    sources, errors = found.take(), list(found.problems)
    limit = (config.max_page_kb if config else 2048) * 1024
    misses = (with_bytes(s) for s in sources if not s.error and s.key not in memo.raws)
    todo = [s for s in misses if not s.error]  # one changed since it was hashed: see below
    parsed = map_shared(
        _parse, (options.content, limit), todo, _workers(options), "reading", options.progress
    )
    for source, (raw, page_errors) in zip(todo, parsed, strict=True):
        if raw is not None and not page_errors:
            memo.raws[source.key] = raw
            memo.changed = True
        else:
            memo.raws.pop(source.key, None)
            errors += page_errors
    del todo, parsed
    pages, unreadable, warnings = [], set(), []
    made, memo.made = memo.made, {}
    for index, source in enumerate(sources):
        sources[index] = None  # its bytes go as its page takes its text: never both at once
        page = made.get(source.key)  # made by the last build in this process (serve)
        source = source if page else with_bytes(source)
        raw = memo.raws.get(source.key) if not source.error else None
        if raw is None:
            errors += [source.error] if source.error else []
            unreadable.add(url_for(source.path.relative_to(options.content).as_posix()))
            continue
        memo.used.add(source.key)
        warnings += raw.warnings
        memo.made[source.key] = page or page_of(raw, source)
        pages.append(memo.made[source.key])
    return pages, unreadable, errors, warnings


def page_of(raw: RawPage, source: Source) -> Page:
    """The page of a file whose front matter was checked (`raw`), with its text."""
    front, body = text_of(source.data)
    return make_page(replace(raw, front=front, body=body), source.key)


def read_source(path: Path) -> Source:
    """A content file's bytes and their key."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        error = SiteError(f"the file cannot be read: {exc.strerror}", display_path(path))
        return Source(path, "", b"", error)
    return Source(path, memo_mod.digest(display_path(path), data), data)


def _parse(shared: tuple[Path, int], source: Source) -> tuple[RawPage | None, list[SiteError]]:
    """One file's checked front matter; its text stays behind (the main process has the
    file's bytes: sending thousands of pages back would only double them in memory)."""
    root, limit = shared
    raw, errors = read_page(source.path, root, limit, source.data)
    if raw is None or errors:  # a page with errors is not kept, nor made
        return None, errors
    key = shown_key(make_page(raw))
    # names interned: the batch sent back pickles each name once, not once per page
    fields = {sys.intern(name): value for name, value in raw.fields.items()}
    lines = {sys.intern(name): line for name, line in raw.lines.items()}
    return replace(raw, fields=fields, lines=lines, body="", front="", fields_key=key), errors


def _workers(options: Options) -> int:
    return options.workers or worker_count()


# --- render: every page converted and rendered, plus the files the build makes itself -------


@dataclass(frozen=True, slots=True)
class Rendering:
    """What each page's rendering needs; inherited by forked workers."""

    site: Site
    env: jinja2.Environment
    assets: Assets
    templates: Path
    memo: memo_mod.Memo
    site_key: str  # "" to convert only (the site has errors)


@dataclass(frozen=True, slots=True)
class PageResult:
    """One page converted and rendered: what the main process needs to know of it."""

    body_key: str
    meta: BodyMeta | None  # None when the body could not be converted
    output: Path | bytes | None  # the rendered page: the memo's file, or its bytes
    render_key: str
    error: SiteError | None = None
    converted: bool = False
    rendered: bool = False
    stamp: tuple[int, int] | None = None  # of the stored page file


def render(
    site: Site,
    env: jinja2.Environment,
    assets: Assets,
    memo: memo_mod.Memo,
    options: Options,
    render_pages: bool = True,
) -> Result:
    """Every output of the site (path -> bytes or a file), and each body's facts."""
    key = site_key(site, options.templates, assets, memo.engine) if render_pages else ""
    shared = Rendering(site, env, assets, options.templates, memo, key)
    done: list[PageResult | None] = [_recalled(shared, page) for page in site.pages]
    misses = [i for i, found in enumerate(done) if found is None]  # only these need workers
    fresh = map_shared(_page, shared, misses, _workers(options), "rendering", options.progress)
    for index, page_result in zip(misses, fresh, strict=True):
        done[index] = page_result
    result = Result(site)
    for page, page_result in zip(site.pages, done, strict=True):
        _record(memo, result, page, page_result)
    if render_pages and not result.errors:
        extras, errors = recalled_extras(shared)
        index, index_errors = search_index(site, result.outputs, options.reindex, memo)
        outputs, clashes = merge_outputs(result.outputs, {**extras, **index}, assets)
        result.outputs, result.errors = outputs, errors + index_errors + clashes
    return result


def recalled_extras(shared: Rendering) -> tuple[dict[str, writer.Output], list[SiteError]]:
    """The build's own files, recalled from the memo when nothing they show changed (a
    body edit changes none of them), else made and kept there."""
    memo, site = shared.memo, shared.site
    key = memo_mod.digest(shared.site_key, "extras", repr(shared.assets.fingerprinted))
    paths = [
        "404.html",
        *(moved_page(old, site.by_url[new]).output_path for old, new in site.redirects.items()),
        *publish.MACHINE_FILES,
    ]
    keys = {path: memo_mod.digest(key, path) for path in paths}
    stored = {path: memo.stored_page(keys[path]) for path in paths}
    memo.used.update(keys.values())
    if all(stored.values()):
        return {path: writer.Stored(stored[path]) for path in paths}, []
    files, errors = extra_files(site, shared.env, shared.assets, shared.templates)
    if errors:
        return dict(files), errors
    made: dict[str, writer.Output] = {}
    for path, data in files.items():
        file_key = keys.get(path) or memo_mod.digest(key, path)
        output = _keep(memo.page_file(file_key), data)
        if isinstance(output, Path):
            memo.pages[file_key] = memo_mod.stamp_of(output)
            memo.changed = True
            output = writer.Stored(output)
        made[path] = output
    return made, errors


def search_index(
    site: Site, outputs: dict[str, writer.Output], reindex: bool, memo: memo_mod.Memo
) -> tuple[dict[str, bytes], list[SiteError]]:
    """The search index's files: made from the rendered pages, or the last ones this
    process made (serve's rebuilds, where indexing every page would cost more than the edit)."""
    if site.page_at(search.SEARCH_URL) is None:
        return {}, []
    if not reindex and memo.search_index is not None:
        return memo.search_index, []
    files, errors = search.index_files(site, pages_html(site, outputs))
    memo.search_index = files if not errors else memo.search_index
    return files, errors


def pages_html(site: Site, outputs: dict[str, writer.Output]) -> dict[str, bytes]:
    """Each searchable page's HTML (URL -> bytes), for the search index."""
    found = {}
    for page in search.indexed(site):
        output = outputs[page.output_path]
        found[page.url] = output if isinstance(output, bytes) else read_output(output)
    return found


def read_output(output: writer.Stored | Path) -> bytes:
    """A rendered page kept in the memo's folder."""
    return (output.path if isinstance(output, writer.Stored) else output).read_bytes()


def _record(memo: memo_mod.Memo, result: Result, page: Page, done: PageResult) -> None:
    """Keep one page's outcome in the result and the memo."""
    if done.error:
        result.errors.append(done.error)
    if done.meta is None:
        return
    result.bodies[page.url] = done.meta
    memo.used |= {done.body_key, done.render_key}
    if done.converted:
        memo.bodies[done.body_key] = done.meta
        memo.changed = True
    result.converted += done.converted
    if isinstance(done.output, Path):
        result.outputs[page.output_path] = writer.Stored(done.output)
        if done.rendered:
            memo.pages[done.render_key] = done.stamp
            memo.changed = True
    elif done.output is not None:
        result.outputs[page.output_path] = done.output
    if done.rendered:
        result.rendered_urls.append(page.url)


def _recalled(shared: Rendering, page: Page) -> PageResult | None:
    """A page the memo has whole (its body's facts and its rendered file), else None."""
    memo = shared.memo
    body_key = body_key_of(memo.engine, page)
    meta = memo.bodies.get(body_key)
    if meta is None or not shared.site_key:
        return None
    render_key = memo_mod.digest(shared.site_key, body_key)
    stored = memo.stored_page(render_key)
    return PageResult(body_key, meta, stored, render_key) if stored is not None else None


def _page(shared: Rendering, index: int) -> PageResult:
    """Convert (or recall) one page's body, then render (or recall) the page."""
    page = shared.site.pages[index]
    memo = shared.memo
    body_key = body_key_of(memo.engine, page)
    meta = memo.bodies.get(body_key)
    html = memo.read_body(body_key) if meta is not None else None
    converted = html is None
    if converted:
        try:
            body = convert(page)
        except RecursionError:
            hint = "use fewer levels of lists or quotes"
            error = SiteError("the page is nested too deeply to convert", page.shown, None, hint)
            return PageResult(body_key, None, None, "", error)
        _keep(memo.body_file(body_key), body.html.encode(), checked=True)
        meta, html = BodyMeta.of(body.ids, body.links), body.html
    if not shared.site_key:
        return PageResult(body_key, meta, None, "", None, converted)
    render_key = memo_mod.digest(shared.site_key, body_key)
    stored = memo.stored_page(render_key)
    if stored is not None:
        return PageResult(body_key, meta, stored, render_key, None, converted)
    context = page_context(shared.site, page, html, shared.assets.paths)
    try:
        text = render_page(shared.env, context)
    except Exception as exc:
        return PageResult(
            body_key, meta, None, "", template_error(exc, shared.templates), converted
        )
    output = _keep(memo.page_file(render_key), text.encode())
    stamp = memo_mod.stamp_of(output) if isinstance(output, Path) else None
    return PageResult(body_key, meta, output, render_key, None, converted, True, stamp)


def _keep(path: Path, data: bytes, checked: bool = False) -> Path | bytes:
    """Store a result in the memo's folder; if that fails (a full disk), the bytes
    themselves go on to the writer, which reports the problem if it fails too."""
    try:
        return memo_mod.store(path, data, checked)
    except OSError:
        return data


def body_key_of(engine: str, page: Page) -> str:
    """The memo key of a page's converted body: the hash of its file's place and bytes,
    made when the file was read (a thousand bodies are not hashed again on each build; the
    memo as a whole belongs to one engine). Pages the build makes: their text and place."""
    if page.source_key:
        return page.source_key
    return memo_mod.digest(engine, page.rel, page.url, page.body)


# What a page holds that no other page shows: its text (a body change is its own page's,
# not the site's) and the keys made of it
NOT_SHOWN = ("body", "front", "source_key", "fields_key")


def shown_key(page: Page) -> str:
    """The hash of everything a page holds that other pages may show (not its text)."""
    names = (k for k in page.__dataclass_fields__ if k not in NOT_SHOWN)
    return memo_mod.digest(repr({k: getattr(page, k) for k in names}))


def site_key(site: Site, templates: Path, assets: Assets, engine: str) -> str:
    """Changes when anything a page's output may show changes, but for page bodies: every
    page's fields, the config, the templates and the static files' addresses."""

    def parts() -> Iterator[str | bytes]:  # one at a time: thousands of pages' fields
        yield from (engine, repr(site.config), repr(sorted(site.redirects.items())))
        for page in site.pages:
            yield page.fields_key or shown_key(page)
        for rel, data in template_files(templates):
            yield from (rel, data)
        yield repr(sorted(assets.paths.items()))

    return memo_mod.digest_all(parts())


def extra_files(
    site: Site, env: jinja2.Environment, assets: Assets, templates: Path
) -> tuple[dict[str, bytes], list[SiteError]]:
    """The 404 page, alias redirects and the machine-read files."""
    errors: list[SiteError] = []

    def rendered(page: Page, extra: dict | None = None) -> bytes:
        context = {**page_context(site, page, None, assets.paths), **(extra or {})}
        try:
            return render_page(env, context).encode()
        except Exception as exc:
            errors.append(template_error(exc, templates))
            return b""

    files = {"404.html": rendered(not_found_page())}
    for old, new in site.redirects.items():
        page = moved_page(old, site.by_url[new])
        # The target is a site path: the template makes it relative (url()), so the redirect
        # works in the preview and under a sub-path; the canonical link stays absolute.
        files[page.output_path] = rendered(page, {"target": new})
    machine = publish.machine_context(site, assets.fingerprinted)
    for path, name in publish.MACHINE_FILES.items():
        try:
            files[path] = env.get_template(name).render(machine).encode()
        except Exception as exc:
            errors.append(template_error(exc, templates))
    return files, errors


def merge_outputs(
    pages: dict[str, writer.Output], extras: dict[str, writer.Output], assets: Assets
) -> tuple[dict[str, writer.Output], list[SiteError]]:
    """All outputs in one table; two sources for one output path is an error."""
    merged: dict[str, writer.Output] = dict(pages)
    errors = []
    for path, data in extras.items():
        merged[path] = data
    for path, source in assets.files.items():
        if path in merged:
            message = f"static/{path} has the same address as a file the build makes"
            hint = f"rename or remove static/{path}: the build writes {path} itself"
            errors.append(SiteError(message, display_path(source), None, hint))
        else:
            merged[path] = source
    return dict(sorted(merged.items())), errors


def unique(errors: list[SiteError]) -> list[SiteError]:
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
