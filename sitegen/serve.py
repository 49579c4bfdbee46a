"""The preview server: build, serve the output with live reload, rebuild on change.

The only importer of livereload. While the last build failed, every page request is
answered with a page listing the errors; the output folder keeps the last good site.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from livereload.watcher import Watcher
from tornado import web
from tornado.ioloop import IOLoop
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from . import memo as memo_mod
from .content import is_ignored
from .errors import BuildFailed, SiteError
from .pipeline import Options, build
from .report import html_page, print_problems


@dataclass(slots=True)
class State:
    """What the server knows of the last build, and the memo it keeps warm between builds."""

    memo: memo_mod.Memo
    errors: list[SiteError] = field(default_factory=list)
    builds: int = 0  # good builds so far; after the first, search keeps its first index


def rebuild(options: Options, state: State) -> None:
    """Build once; remember the errors so the browser can show them."""
    started = time.perf_counter()
    try:
        result = build(replace(options, reindex=state.builds == 0), state.memo)
    except BuildFailed as failed:
        state.errors = failed.errors
        print_problems(failed.errors)
        print(f"build failed: {len(failed.errors)} error(s); showing them in the browser")
        return
    state.errors = []
    state.builds += 1
    print_problems(result.warnings)
    took = (time.perf_counter() - started) * 1000
    print(f"rebuilt {_what(result.rendered_urls, result.pages)} in {took:.0f} ms", flush=True)


def _what(urls: list[str], total: int) -> str:
    """'/causes/kyphosis/' or '3 of 30 pages', for the rebuild line."""
    if len(urls) == total:
        return f"all {total} pages"
    if 0 < len(urls) <= 3:
        return ", ".join(urls)
    return f"{len(urls)} of {total} pages"


class EventWatcher(Watcher):
    """Livereload's watcher driven by file-system events (watchdog) instead of polling,
    so a save is rebuilt within milliseconds; bursts of events make one rebuild."""

    SETTLE = 0.005  # seconds to wait for an editor's several writes of one save
    SAVE_AFTER = 2.0  # seconds of quiet before the build cache is written to disk

    def __init__(self, folders: list[Path], on_change: Callable, on_idle: Callable) -> None:
        super().__init__()
        self.folders = folders
        self.on_change = on_change
        self.on_idle = on_idle
        self.saving: object | None = None
        self.loop: IOLoop | None = None
        self.pending: object | None = None
        self.observer = Observer()

    def start(self, callback: object) -> bool:
        self.loop = IOLoop.current()
        handler = _Forward(self)
        for folder in self.folders:
            if folder.is_dir():
                self.observer.schedule(handler, str(folder), recursive=True)
        self.observer.daemon = True
        self.observer.start()
        return True  # no polling

    def examine(self) -> tuple[None, None]:
        return None, None

    def changed(self) -> None:
        """Called on the server's loop: (re)start the settle timer."""
        if self.pending is not None:
            self.loop.remove_timeout(self.pending)
        self.pending = self.loop.call_later(self.SETTLE, self._fire)

    def _fire(self) -> None:
        self.pending = None
        self.on_change()
        LiveReloadHandler.reload_waiters("*")
        if self.saving is not None:
            self.loop.remove_timeout(self.saving)
        self.saving = self.loop.call_later(self.SAVE_AFTER, self.on_idle)


class _Forward(FileSystemEventHandler):
    """Pass relevant events from watchdog's thread to the server's loop."""

    def __init__(self, watcher: EventWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's time changes with its files, whose own events follow
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if all(not p or is_ignored(Path(p).name) for p in paths):
            return
        self.watcher.loop.add_callback(self.watcher.changed)


def handler_for(state: State) -> type[StaticFileHandler]:
    """Livereload's file handler, plus the error page and a 404 page."""

    class Handler(StaticFileHandler):
        def get(self, path: str, include_body: bool = True):
            if state.errors and _is_page(path):
                self.set_header("Cache-Control", "no-store")
                self.set_status(500)
                return self.finish(html_page(state.errors))
            if state.builds > 1 and path.removesuffix("index.html") == "search/":
                return self.finish(_with_search_note(Path(self.root) / "search/index.html"))
            return super().get(path, include_body)

        def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
            real_root = os.path.realpath(root)
            real = os.path.realpath(absolute_path)
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


SEARCH_NOTE = (
    '<p class="callout callout-note" role="note">Preview: search uses the index made when '
    "<code>serve</code> started, so it does not find your latest edits. Stop and start "
    "<code>serve</code> again to search them.</p>"
)


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


class PreviewServer(Server):
    """livereload's server with our own file handler and event-driven watcher."""

    def __init__(self, state: State, watcher: EventWatcher) -> None:
        super().__init__(watcher=watcher)
        self.SFH = handler_for(state)


def serve(options: Options, host: str, port: int) -> int:
    """Build, then serve and rebuild until Ctrl-C."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {host}: other computers on the network can see the preview")
    state = State(memo_mod.load(options.cache))
    rebuild(options, state)
    folders = [options.content, options.templates, options.static]
    watcher = EventWatcher(folders, lambda: rebuild(options, state), lambda: _save(state.memo))
    server = PreviewServer(state, watcher)
    print(f"Serving on http://{host}:{port}/  (Ctrl-C to stop)", flush=True)
    sys.stdout.flush()
    server.serve(host=host, port=port, root=str(options.out.absolute()), open_url_delay=None)
    return 0
