"""The build memo: results of the pure stages, keyed by hashes of their inputs.

Three tables, each filled by the pipeline around a pure function, never by the function
itself: checked front matter (by the hash of a file's place and bytes), converted bodies
(by the hash of the body, its place and the engine) and rendered pages (by the hash of
everything a page's output depends on). Converted HTML and rendered pages live as files in
the memo's folder, so thousands of them do not sit in memory; the index of the tables is
one pickle. Everything is keyed by the engine's fingerprint, so a new engine or library
version starts afresh, and an index that fails its checksum is discarded, never trusted.
A `serve` session keeps one memo in memory; a one-off build loads it from `.cache/`.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import io
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

MAGIC = b"sitegen-memo-1\n"
DIGEST_LENGTH = 32  # hex characters of digest()
INDEX = "index.pickle"
JOURNAL = "index.journal"  # what later builds added to the index and dropped from it
TABLES = ("raws", "bodies", "pages", "texts", "links")
_MISSING = object()  # no entry (an entry may hold None)
PUBLISHED = "published.pickle"  # small, read on its own: an unchanged build needs no more
LIBRARIES = ("markdown", "jinja2", "nh3", "yaml", "markupsafe", "pagefind", "PIL")


def digest(*parts: str | bytes | memoryview) -> str:
    """A short stable hash of some strings or bytes."""
    return digest_all(parts)


def digest_all(parts: Iterable[str | bytes | memoryview]) -> str:
    """digest() of parts made one at a time (never all held at once)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def engine_fingerprint() -> str:
    """Changes whenever the generator's code or a library that shapes output changes.
    A library is known by its installed file's place, size and time (reading its version
    through importlib.metadata costs more than a whole unchanged build)."""
    here = Path(__file__).resolve().parent
    sources = [p.read_bytes() for p in sorted(here.glob("*.py"))]
    libraries = []
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec and spec.origin else name
        stat = os.stat(origin) if os.path.exists(origin) else None
        libraries.append(
            f"{origin}:{stat.st_size if stat else 0}:{stat.st_mtime_ns if stat else 0}"
        )
    return digest(*sources, *libraries)


@dataclass(slots=True)
class Memo:
    """The tables, and the folder their files live in."""

    folder: Path
    engine: str
    persist: bool = True  # False: a scratch folder for one build (--no-cache), never saved
    raws: dict[str, Any] = field(default_factory=dict)  # file key -> RawPage (body left out)
    bodies: dict[str, Any] = field(default_factory=dict)  # body key -> BodyMeta
    # render key -> (size, mtime) of its stored page: the output shares the file through a
    # hard link, so a page edited by hand in the output would change it; then it is not used
    pages: dict[str, tuple[int, int]] = field(default_factory=dict)
    texts: dict[str, Any] = field(default_factory=dict)  # text key -> release.TextFindings
    links: dict[str, Any] = field(default_factory=dict)  # text and targets key -> problems
    # output folder -> what the last build published there, and from what inputs
    published: dict[str, Any] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)  # keys this build needed (the rest is pruned)
    changed: bool = False  # the tables
    published_changed: bool = False
    opened: bool = True  # False: the tables are still on disk (see `open`)
    # the tables as they are on disk (index plus journal), and the index's own id: a save
    # appends only the difference, while the journal stays small beside the index
    on_disk: dict[str, dict] = field(default_factory=dict)
    index_id: str = ""
    search_index: dict[str, bytes] | None = None  # the last one made, in memory only (serve)
    made: dict[str, Any] = field(default_factory=dict)  # file key -> Page, in memory only
    # content file path -> pipeline.Source (without its bytes) as the last build read it,
    # in memory only (serve)
    sources: dict[str, Any] = field(default_factory=dict)
    # (page file, reviewer file, day, release) -> the page's release problems, in memory only
    release: dict[tuple, list] = field(default_factory=dict)

    def templates_folder(self) -> Path | None:
        """Where Jinja2 keeps compiled templates between builds."""
        return self.folder / "templates" if self.persist else None

    def body_file(self, key: str) -> Path:
        return self.folder / "bodies" / f"{key}.html"

    def page_file(self, key: str) -> Path:
        return Path(self._page_name(key))

    def _page_name(self, key: str) -> str:
        return f"{self.folder}/pages/{key}.html"  # a string: asked of thousands of pages

    def read_body(self, key: str) -> str | None:
        """A converted body's HTML, or None when absent or damaged."""
        data = _read_checked(self.body_file(key))
        return None if data is None else data.decode()

    def stored_page(self, key: str) -> Path | None:
        """The file of a rendered page, when the memo has it as it was stored."""
        stamp = self.pages.get(key)
        if stamp is None:
            return None
        name = self._page_name(key)
        return Path(name) if stamp == stamp_of(name) else None


class Packed:
    """A value pickled only when the memo is saved, and read back only when needed: the
    last build's warnings and manifest (a recalled build needs them, most builds do not)."""

    __slots__ = ("_data", "_value")

    def __init__(self, data: bytes | None = None, value: Any = None) -> None:
        self._data, self._value = data, value

    @classmethod
    def of(cls, value: Any) -> Packed:
        return cls(None, value)

    def unpacked(self) -> Any:
        if self._data is not None and self._value is None:
            stream = io.BytesIO(self._data)
            kind, parts = pickle.load(stream), []
            while stream.tell() < len(self._data):
                parts.append(pickle.load(stream))
            self._value = _joined(kind, parts)
        return self._value

    def __reduce__(self) -> tuple:
        """Pickled a chunk at a time, so the pickler's record of what it wrote stays small
        (tens of thousands of warnings at thousands of pages)."""
        data = self._data
        if data is None:
            stream = io.BytesIO()
            pickler = pickle.Pickler(stream, protocol=pickle.HIGHEST_PROTOCOL)
            kind = type(self._value).__name__ if type(self._value) in (dict, tuple) else ""
            for part in [kind, *_chunks(self._value)]:
                pickler.dump(part)
                pickler.clear_memo()
            data = stream.getvalue()
        return (Packed, (data,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Packed) and self.unpacked() == other.unpacked()

    __hash__ = None  # type: ignore[assignment]


def stamp_of(path: Path | str) -> tuple[int, int] | None:
    """A file's size and modification time, or None if it is gone."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def store(path: Path, data: bytes, checked: bool = False) -> Path:
    """Write one memo file atomically (a killed build leaves the old file or none), after
    its checksum when `checked` (written apart: the data is not copied to join them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    with open(temp, "wb") as handle:
        if checked:
            handle.write(digest(data).encode())
        handle.write(data)
    os.replace(temp, path)
    return path


def _read_checked(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < DIGEST_LENGTH or data[:DIGEST_LENGTH].decode("ascii", "replace") != digest(
        data[DIGEST_LENGTH:]
    ):
        return None
    return data[DIGEST_LENGTH:]


def load(folder: Path | None) -> Memo:
    """The memo in `folder` (empty if missing, stale or damaged); with no folder, a
    scratch memo that lives for this process only (--no-cache). Only the small record of
    what was published is read now; the tables wait for `open`."""
    engine = engine_fingerprint()
    if folder is None:
        scratch = Path(tempfile.mkdtemp(prefix="sitegen-"))
        atexit.register(shutil.rmtree, scratch, True)
        return Memo(scratch, engine, persist=False)
    stored = _read_index(folder / PUBLISHED)
    fresh = isinstance(stored, dict) and stored.get("engine") == engine
    return Memo(folder, engine, published=stored["published"] if fresh else {}, opened=False)


def open_tables(memo: Memo) -> None:
    """Read the tables from disk, once (a build that recalls its whole result never does):
    the index, then the journal's changes to it, up to any damaged record."""
    if memo.opened:
        return
    memo.opened = True
    stored = _read_index(memo.folder / INDEX)
    if not isinstance(stored, dict) or stored.get("engine") != memo.engine:
        return
    tables = {name: stored.get(name, {}) for name in TABLES}
    for record in _journal_records(memo.folder / JOURNAL):
        if not isinstance(record, dict) or record.get("index") != stored.get("id"):
            break
        for name, (added, dropped) in record["tables"].items():
            tables[name].update(added)
            for key in dropped:
                tables[name].pop(key, None)
    memo.raws, memo.bodies, memo.pages, memo.texts, memo.links = (tables[n] for n in TABLES)
    memo.on_disk = {name: dict(table) for name, table in tables.items()}
    memo.index_id = stored.get("id", "")


def close_tables(memo: Memo) -> None:
    """Let the tables go (a one-off build, once they are saved); `open_tables` reads them
    again if needed."""
    for name in TABLES:
        setattr(memo, name, {})
    memo.on_disk, memo.opened, memo.changed = {}, False, False


def _journal_records(path: Path) -> list[Any]:
    """The journal's records, up to the first damaged or cut one (a killed save)."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    records, at = [], 0
    while at + 8 + DIGEST_LENGTH <= len(data):
        size = int.from_bytes(data[at : at + 8], "big")
        check = data[at + 8 : at + 8 + DIGEST_LENGTH]
        payload = memoryview(data)[at + 8 + DIGEST_LENGTH : at + 8 + DIGEST_LENGTH + size]
        if len(payload) != size or check != digest(payload).encode():
            break
        try:
            records.append(pickle.loads(payload))
        except Exception:
            break
        at += 8 + DIGEST_LENGTH + size
    return records


def _read_index(path: Path) -> Any:
    """A dict written by `_write_index`, or None if missing or damaged. Read twice from
    the file, never whole into memory: once to check its checksum, then to unpickle."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(MAGIC) + DIGEST_LENGTH + 1)
            if head[: len(MAGIC)] != MAGIC or head[len(MAGIC) :] != _checksum(handle) + b"\n":
                return None
            handle.seek(len(head))
            return _unpickled(handle)
    except OSError:
        return None


def _checksum(handle: BinaryIO) -> bytes:
    """digest() of the rest of the file, read in blocks."""
    check = hashlib.blake2b(digest_size=16)
    while block := handle.read(1 << 20):
        check.update(block)
    check.update(b"\0")  # as digest() ends each part
    return check.hexdigest().encode()


def _unpickled(handle: BinaryIO) -> dict[str, Any] | None:
    """The (key, value) pickles of `_write_index`, a large table's chunks joined again."""
    stored: dict[str, Any] = {}
    try:
        while True:
            try:
                key, value = pickle.load(handle)  # each pickle numbers its objects afresh
            except EOFError:
                return stored
            if isinstance(value, dict) and isinstance(stored.get(key), dict):
                stored[key].update(value)
            else:
                stored[key] = value
    except Exception:
        return None


def save(memo: Memo) -> None:
    """Write what changed, keeping only what the last build used: a small record appended
    to the journal, or (when there is no index, or the journal has grown to a quarter of
    it) a whole new index, written atomically."""
    if not memo.persist:
        return
    if memo.changed and memo.opened:
        _prune(memo)
        if not _append_changes(memo):
            _write_whole(memo)
        memo.changed = False
    if memo.published_changed:
        _write_index(memo.folder / PUBLISHED, {"engine": memo.engine, "published": memo.published})
        memo.published_changed = False


def _tables(memo: Memo) -> dict[str, dict]:
    return {name: getattr(memo, name) for name in TABLES}


def _append_changes(memo: Memo) -> bool:
    """Append the tables' difference from what is on disk; False when a whole index is due."""
    index, journal = memo.folder / INDEX, memo.folder / JOURNAL
    if not memo.index_id or not index.exists():
        return False
    changes = {}
    for name, table in _tables(memo).items():
        before = memo.on_disk.get(name, {})
        added = {k: v for k, v in table.items() if before.get(k, _MISSING) is not v}
        changes[name] = (added, [k for k in before if k not in table])
    payload = pickle.dumps({"index": memo.index_id, "tables": changes}, pickle.HIGHEST_PROTOCOL)
    size = journal.stat().st_size if journal.exists() else 0
    if (size + len(payload)) * 4 > index.stat().st_size:
        return False
    with open(journal, "ab") as handle:
        handle.write(len(payload).to_bytes(8, "big") + digest(payload).encode() + payload)
    memo.on_disk = {name: dict(table) for name, table in _tables(memo).items()}
    return True


def _write_whole(memo: Memo) -> None:
    """A new index with a new id (a journal left from the old one no longer applies)."""
    memo.index_id = os.urandom(8).hex()
    _write_index(memo.folder / INDEX, {"engine": memo.engine, "id": memo.index_id, **_tables(memo)})
    (memo.folder / JOURNAL).unlink(missing_ok=True)
    memo.on_disk = {name: dict(table) for name, table in _tables(memo).items()}


CHUNK = 500  # entries per pickle: the pickler's memory of what it wrote stays small


def _write_index(path: Path, stored: dict) -> None:
    """Pickle `stored` straight into the file, a key (or a large table's chunk) at a time,
    so that neither the whole index as bytes nor a record of every object pickled is ever
    held; then fill in the checksum at the head. The file replaces the old one whole."""
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    check = hashlib.blake2b(digest_size=16)
    with open(temp, "wb") as handle:
        handle.write(MAGIC + b"0" * DIGEST_LENGTH + b"\n")

        class Checked:
            @staticmethod
            def write(data: bytes) -> int:
                check.update(data)
                return handle.write(data)

        pickler = pickle.Pickler(Checked, protocol=pickle.HIGHEST_PROTOCOL)
        for key, value in stored.items():
            for part in _chunks(value) if isinstance(value, dict) else [value]:
                pickler.dump((key, part))
                pickler.clear_memo()
        check.update(b"\0")  # as digest() ends each part
        handle.seek(len(MAGIC))
        handle.write(check.hexdigest().encode())
    os.replace(temp, path)


def _chunks(value: Any) -> list[Any]:
    """A large dict or tuple in parts of CHUNK entries; anything else whole."""
    if not isinstance(value, dict | tuple) or len(value) <= CHUNK:
        return [value]
    items = list(value.items()) if isinstance(value, dict) else value
    parts = [items[at : at + CHUNK] for at in range(0, len(items), CHUNK)]
    return [dict(part) for part in parts] if isinstance(value, dict) else parts


def _joined(kind: str, parts: list[Any]) -> Any:
    """The value _chunks() cut into `parts` (kind: 'dict', 'tuple' or '' for one part)."""
    if kind == "dict":
        return {key: value for part in parts for key, value in part.items()}
    if kind == "tuple":
        return tuple(item for part in parts for item in part)
    return parts[0]


def _prune(memo: Memo) -> None:
    """Forget the entries and files no build needs any more."""
    if not memo.used:
        return
    for name in TABLES:
        table = getattr(memo, name)
        setattr(memo, name, {k: v for k, v in table.items() if k in memo.used})
    for kind, keep in (("bodies", memo.bodies.keys()), ("pages", memo.pages)):
        folder = memo.folder / kind
        names = os.listdir(folder) if folder.is_dir() else []
        for name in names:
            if name.removesuffix(".html") not in keep:
                (folder / name).unlink(missing_ok=True)
