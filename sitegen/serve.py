"""The preview server: build, serve the output with live reload, rebuild on change.

The only importer of livereload. While the last build failed, every page request is
answered with a page listing the errors; the output folder keeps the last good site.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from livereload import Server
from livereload.handlers import (
    ForceReloadHandler,
    LiveReloadHandler,
    LiveReloadJSHandler,
    StaticFileHandler,
)
from livereload.server import LiveScriptInjector
from livereload.watcher import Watcher
from tornado import escape, netutil, web
from tornado.httputil import HTTPServerRequest
from tornado.ioloop import IOLoop
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer

from . import memo as memo_mod
from . import writer
from .content import is_ignored
from .errors import BuildFailed, SiteError
from .pipeline import Options, build, protected_folders
from .report import html_page, print_problems, warnings_box, with_warnings


@dataclass(slots=True)
class State:
    """What the server knows of the last build, and the memo it keeps warm between builds."""

    memo: memo_mod.Memo
    errors: list[SiteError] = field(default_factory=list)
    warned: tuple[SiteError, ...] = ()  # the warnings last printed, not printed again
    corner: bytes = b""  # the warnings box shown in a corner of each page
    builds: int = 0  # good builds so far; after the first, search keeps its first index


def rebuild(options: Options, state: State, changed: frozenset[str] | None = None) -> None:
    """Build once; remember the errors so the browser can show them. `changed`: the
    paths the watcher saw change since the last build (None: it may have missed some)."""
    started = time.perf_counter()
    this = replace(options, reindex=state.builds == 0, in_place=True, changed=changed)
    try:
        result = build(this, state.memo)
    except BuildFailed as failed:
        state.errors = failed.errors
        print_problems(failed.errors)
        print(f"build failed: {len(failed.errors)} error(s); showing them in the browser")
        return
    state.errors = []
    warnings = tuple(result.warnings)
    same = warnings == state.warned
    if not same:  # on every save they would bury the one line that matters
        print_problems(result.warnings)
        state.warned = warnings
        state.corner = warnings_box(result.warnings)
    state.builds += 1
    took = (time.perf_counter() - started) * 1000
    note = f" ({len(warnings)} warning(s) as above)" if same and warnings else ""
    print(f"rebuilt {_what(result.rendered_urls, result.pages)} in {took:.0f} ms{note}", flush=True)


def _what(urls: list[str], total: int) -> str:
    """'/causes/kyphosis/' or '3 of 30 pages', for the rebuild line."""
    if len(urls) == total:
        return f"all {total} pages"
    if 0 < len(urls) <= 3:
        return ", ".join(urls)
    return f"{len(urls)} of {total} pages"


# Opening and reading a file change nothing: not even asked of the kernel, so a build
# reading a thousand pages does not wake this process a thousand times
CHANGES = (FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent)
CHANGES += (DirCreatedEvent, DirDeletedEvent, DirMovedEvent)


class EventWatcher(Watcher):
    """Livereload's watcher driven by file-system events (watchdog) instead of polling,
    so a save is rebuilt within milliseconds; bursts of events make one rebuild."""

    SETTLE = 0.005  # seconds to wait for an editor's several writes of one save
    SAVE_AFTER = 2.0  # seconds of quiet before the build cache is written to disk

    def __init__(
        self,
        folders: list[Path],
        on_change: Callable[[frozenset[str] | None], None],
        on_idle: Callable,
    ) -> None:
        super().__init__()
        self.folders = folders
        self.on_change = on_change
        self.on_idle = on_idle
        self.saving: object | None = None
        self.loop: IOLoop | None = None
        self.pending: object | None = None
        self.observer = Observer()
        self.paths: set[str] = set()  # changed since the last rebuild (absolute)
        self.complete = False  # False until the first rebuild after the watching began

    def start(self, callback: object) -> bool:
        self.loop = IOLoop.current()
        handler = _Forward(self)
        for folder in self.folders:
            if folder.is_dir():
                self.observer.schedule(
                    handler, str(folder), recursive=True, event_filter=list(CHANGES)
                )
        self.observer.daemon = True
        self.observer.start()
        return True  # no polling

    def examine(self) -> tuple[None, None]:
        return None, None

    def changed(self, paths: list[str], saved: bool = False) -> None:
        """Called on the server's loop: note the paths, (re)start the settle timer. A file
        closed after writing, or renamed into place, is a finished save: no need to wait."""
        self.paths.update(os.path.abspath(p) for p in paths if p)
        if self.pending is not None:
            self.loop.remove_timeout(self.pending)
        self.pending = self.loop.call_later(0 if saved else self.SETTLE, self._fire)

    def _fire(self) -> None:
        self.pending = None
        # a save between the first build and the start of watching went unseen: the first
        # rebuild reads every file, later ones only what was seen to change
        paths = frozenset(self.paths) if self.complete else None
        self.paths, self.complete = set(), True
        self.on_change(paths)
        LiveReloadHandler.reload_waiters("*")
        if self.saving is not None:
            self.loop.remove_timeout(self.saving)
        self.saving = self.loop.call_later(self.SAVE_AFTER, self.on_idle)


class _Forward(FileSystemEventHandler):
    """Pass relevant events from watchdog's thread to the server's loop."""

    def __init__(self, watcher: EventWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type == "modified":
            return  # a folder's time changes with its files, whose own events follow
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if all(not p or is_ignored(Path(p).name) for p in paths):
            return
        saved = event.event_type in ("closed", "moved")
        self.watcher.loop.add_callback(self.watcher.changed, paths, saved)


def handler_for(state: State) -> type[StaticFileHandler]:
    """Livereload's file handler, plus the error page and a 404 page."""

    class Handler(StaticFileHandler):
        def get(self, path: str, include_body: bool = True):
            refused = _refused(path)
            if refused:
                raise web.HTTPError(refused)
            special = _special_page(state, path, Path(self.root))
            if special is None:
                return super().get(path, include_body)
            self.set_header("Cache-Control", "no-store")
            self.set_status(special[0])
            return self.finish(special[1])

        @classmethod
        def get_content(cls, abspath: str, start: int | None = None, end: int | None = None):
            page = _with_warnings(state, abspath)
            return super().get_content(abspath, start, end) if page is None else page

        def get_content_size(self) -> int:
            page = _with_warnings(state, self.absolute_path)
            return super().get_content_size() if page is None else len(page)

        def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
            real_root = os.path.normcase(os.path.realpath(root))  # normcase: Windows
            real = os.path.normcase(os.path.realpath(absolute_path))
            if real != real_root and not real.startswith(real_root + os.sep):
                raise web.HTTPError(404)  # a link out of the output folder
            return super().validate_absolute_path(root, absolute_path)

        def write_error(self, status_code: int, **kwargs: object) -> None:
            page = Path(self.root) / "404.html"
            if status_code == 404 and page.is_file():
                self.finish(page.read_bytes())
            else:
                super().write_error(status_code, **kwargs)

    return Handler


def _refused(path: str) -> int | None:
    """The status for a path the preview never serves, or None."""
    if "\0" in path:  # no file name holds one; the file system would raise
        return 400
    if any(p.startswith(".") and p != ".well-known" for p in re.split(r"[/\\]", path)):
        return 404  # hidden files (the build's marker) are not the site
    return None


def _with_warnings(state: State, file: str) -> bytes | None:
    """A page with the last build's warnings in a corner (the preview only, never the
    output), or None for other files and when there are none."""
    if not state.corner or not file.endswith(".html"):
        return None
    return with_warnings(Path(file).read_bytes(), state.corner)


SEARCH_NOTE = (
    '<p class="callout callout-note" role="note">Preview: search uses the index made when '
    "<code>serve</code> started, so it does not find your latest edits. Stop and start "
    "<code>serve</code> again to search them.</p>"
)


def _special_page(state: State, path: str, root: Path) -> tuple[int, bytes | str] | None:
    """(status, body) for a page the preview shows in place of the file: the errors of a
    failed build, or the search page with a note that its index is older than the edits."""
    if state.errors and _is_page(path):
        return 500, html_page(state.errors)
    if _is_stale_search(state, path):
        return 200, _with_search_note(root / "search/index.html")
    return None


def _is_stale_search(state: State, path: str) -> bool:
    """The search page, once the preview's index is older than the edits."""
    return state.builds > 1 and path.removesuffix("index.html") == "search/"


def _with_search_note(page: Path) -> bytes:
    """The search page saying that, in this preview, its index is older than the edits
    (indexing every page again would slow each rebuild more than the edit itself)."""
    html = page.read_text(encoding="utf-8")
    return html.replace('<div id="search-app"', SEARCH_NOTE + '\n<div id="search-app"', 1).encode()


def _is_page(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return not name or name.endswith(".html") or "." not in name


def _save(memo: memo_mod.Memo) -> None:
    """Keep the memo on disk while the edits pause, for the next `build` or `serve`."""
    with contextlib.suppress(OSError):  # only the next start is slower
        memo_mod.save(memo)


def own_origin(request: HTTPServerRequest, host: str) -> bool:
    """False for a request from another site open in the browser (its Origin or its
    Sec-Fetch-Site says so), or through a name other than the preview's (DNS rebinding)."""
    headers = request.headers
    asked = headers.get("Host", "")
    name = urlsplit("//" + asked).hostname or ""
    if name not in ("localhost", host.lower()) and not _is_ip(name):
        return False
    origin = headers.get("Origin")
    if origin is not None and origin.lower() != f"{request.protocol}://{asked}".lower():
        return False
    return headers.get("Sec-Fetch-Site", "same-origin") in ("same-origin", "none")


def _is_ip(name: str) -> bool:
    """True for an address like 127.0.0.1 or ::1 (a rebinding attack needs a name)."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def live_handlers(host: str) -> list[tuple[str, type]]:
    """livereload's WebSocket and /forcereload, for the preview's own pages only."""

    class Reload(LiveReloadHandler):
        async def get(self, *args: object, **kwargs: object) -> None:
            # tornado accepts an Origin that matches the Host header without asking
            # check_origin, which lets a rebound name (evil.example -> 127.0.0.1) through
            if not own_origin(self.request, host):
                raise web.HTTPError(403)
            await super().get(*args, **kwargs)

        def check_origin(self, origin: str) -> bool:
            return own_origin(self.request, host)

    class ForceReload(ForceReloadHandler):
        def get(self) -> None:
            if not own_origin(self.request, host):
                raise web.HTTPError(403)
            super().get()

    return [
        ("/livereload", Reload),
        ("/forcereload", ForceReload),
        ("/livereload.js", LiveReloadJSHandler),
    ]


def injector(port: int) -> type[LiveScriptInjector]:
    """Adds livereload's script to every HTML page served (never to the built files).
    A script file, not livereload's inline snippet, so the pages' CSP (script-src 'self')
    lets it run in the preview as it would have to on the live site."""

    class Inject(LiveScriptInjector):
        script = escape.utf8(f'<script src="/livereload.js?port={port}"></script>')

    return Inject


class PreviewServer(Server):
    """livereload's server with our own file handler, event-driven watcher and live
    endpoints that answer the preview's own pages only."""

    def __init__(self, state: State, watcher: EventWatcher) -> None:
        super().__init__(watcher=watcher)
        self.SFH = handler_for(state)
        self.listening = False

    def application(
        self,
        port: int,
        host: str,
        liveport: int | None = None,
        debug: bool | None = None,
        live_css: bool = True,
    ) -> None:
        """livereload's application (one port, no debug mode), with our live endpoints."""
        LiveReloadHandler.watcher = self.watcher
        LiveReloadHandler.live_css = live_css
        inject = injector(port)
        handlers = live_handlers(host) + self.get_web_handlers(inject.script)
        web.Application(handlers=handlers, transforms=[inject]).listen(port, address=host)
        self.listening = True

    def _setup_logging(self) -> None:
        """Print nothing of livereload's or tornado's: one line per rebuild is ours."""
        for name in ("livereload", "tornado.access", "tornado.general"):
            logger = logging.getLogger(name)
            logger.addHandler(logging.NullHandler())
            logger.propagate = False


def address(host: str, port: int) -> str:
    """The preview's address as a browser takes it."""
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def port_problem(host: str, port: int, exc: OSError) -> SiteError:
    """Why the preview cannot listen, and what to do."""
    if exc.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
        message = (
            f"port {port} is busy: the preview seems to be running already at {address(host, port)}"
        )
        other = port + 1 if port < 65535 else 8001
        hint = f"stop it with Ctrl-C in its window, or run a second preview with --port {other}"
        return SiteError(message, hint=hint)
    message = f"cannot listen on {host} port {port}: {exc.strerror or exc}"
    return SiteError(message, hint="use --host 127.0.0.1, the preview's usual address")


def try_port(host: str, port: int) -> SiteError | None:
    """Listen for a moment before building: a busy port is found before any work."""
    try:
        sockets = netutil.bind_sockets(port, host)
    except OSError as exc:
        return port_problem(host, port, exc)
    for sock in sockets:
        sock.close()
    return None


def serve(options: Options, host: str, port: int) -> int:
    """Build, then serve and rebuild until Ctrl-C."""
    problem = writer.output_guard(options.out, protected_folders(options)) or try_port(host, port)
    if problem:  # never serve a folder the build would refuse (the project, the home folder)
        print_problems([problem])
        print("serve stopped before building: nothing was served", file=sys.stderr)
        return 1
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {host}: other computers on the network can see the preview")
    state = State(memo_mod.load(options.cache))
    rebuild(options, state)
    folders = [options.content, options.templates, options.static]
    watcher = EventWatcher(folders, partial(rebuild, options, state), lambda: _save(state.memo))
    server = PreviewServer(state, watcher)
    print(f"Serving on {address(host, port)}  (Ctrl-C to stop)", flush=True)
    try:
        server.serve(host=host, port=port, root=str(options.out.absolute()), open_url_delay=None)
    except OSError as exc:
        if server.listening:
            raise
        print_problems([port_problem(host, port, exc)])  # taken while we were building
        return 1
    return 0
