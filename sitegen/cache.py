"""The build cache under .cache/: what earlier builds learnt, so unchanged work is skipped.

Kept: each source file's checked front matter (by the hash of its bytes), each body's
heading ids and links, the HTML of converted bodies (one file each, read only when a page
must be re-rendered), and a record of each written output file. Everything is keyed by the
engine's fingerprint, so a new engine or library version starts afresh. A cache that fails
its checksum is discarded and rebuilt, never trusted.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAGIC = b"sitegen-cache-2\n"
DIGEST_LENGTH = 32  # hex characters of digest()
INDEX = "index.pickle"


def digest(*parts: str | bytes | memoryview) -> str:
    """A short stable hash of some strings or bytes."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)  # bytes or a view
        h.update(b"\0")
    return h.hexdigest()


LIBRARIES = ("markdown", "jinja2", "nh3", "yaml", "markupsafe")


def engine_fingerprint() -> str:
    """Changes whenever the generator's code or the libraries that shape output change.
    A library is known by its installed files' place, size and time (reading its version
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
class Cache:
    """The cache's index, loaded at the start of a build and saved at the end."""

    folder: Path | None
    engine: str = ""
    raws: dict[str, Any] = field(default_factory=dict)  # hash of place and bytes -> RawPage
    files: dict[str, tuple[int, int, str]] = field(default_factory=dict)  # file -> stat, hash
    bodies: dict[str, Any] = field(default_factory=dict)  # body key -> BodyMeta
    outputs: dict[str, Any] = field(default_factory=dict)  # output path -> OutputRecord
    out_dir: str = ""
    changed: bool = False
    persist: bool = True  # False: a scratch folder for one build (--no-cache), never saved

    def templates_folder(self) -> Path | None:
        """Where Jinja2 keeps compiled templates between builds."""
        return self.folder / "templates" if self.folder and self.persist else None

    def body_file(self, key: str) -> Path | None:
        return self.folder / "bodies" / f"{key}.html" if self.folder else None

    def read_body_html(self, key: str) -> str | None:
        """The stored HTML of a converted body, or None if absent or unreadable."""
        path = self.body_file(key)
        try:
            data = path.read_bytes() if path else None
        except OSError:
            return None
        if (
            data is None
            or len(data) < 32
            or data[:32].decode("ascii", "replace") != digest(data[32:])
        ):
            return None
        return data[32:].decode()

    def write_body_html(self, key: str, html: str) -> None:
        """Store a converted body's HTML with its checksum in front."""
        path = self.body_file(key)
        if path is None:
            return
        data = html.encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_bytes(digest(data).encode() + data)
        os.replace(temp, path)


def load(folder: Path | None, engine: str) -> Cache:
    """The cache in `folder`, or an empty one if missing, stale or damaged."""
    empty = Cache(folder, engine)
    if folder is None:
        return empty
    try:
        data = (folder / INDEX).read_bytes()
    except OSError:
        return empty
    start = len(MAGIC) + DIGEST_LENGTH + 2
    payload = memoryview(data)[start:]  # a view: a large cache is not copied again
    if data[: len(MAGIC)] != MAGIC or data[len(MAGIC) : start].decode(errors="replace") != (
        digest(payload) + "\n\n"
    ):
        return empty
    try:
        stored = pickle.loads(payload)
    except Exception:
        return empty
    if not isinstance(stored, dict) or stored.get("engine") != engine:
        return empty
    return Cache(
        folder,
        engine,
        stored["raws"],
        stored["files"],
        stored["bodies"],
        stored["outputs"],
        stored["out_dir"],
    )


def save(cache: Cache) -> None:
    """Write the index atomically (a killed build leaves the old index or none)."""
    if cache.folder is None or not cache.changed or not cache.persist:
        return
    stored = {
        "engine": cache.engine,
        "raws": cache.raws,
        "files": cache.files,
        "bodies": cache.bodies,
        "outputs": cache.outputs,
        "out_dir": cache.out_dir,
    }
    cache.folder.mkdir(parents=True, exist_ok=True)
    temp = cache.folder / f"{INDEX}.{os.getpid()}.tmp"
    with open(temp, "w+b") as handle:  # streamed: no second copy of a large cache in memory
        handle.write(MAGIC + b"0" * DIGEST_LENGTH + b"\n\n")
        hashing = _Hashing(handle)
        pickle.dump(stored, hashing, protocol=pickle.HIGHEST_PROTOCOL)
        handle.seek(len(MAGIC))
        handle.write(hashing.hexdigest().encode())
    os.replace(temp, cache.folder / INDEX)


class _Hashing:
    """A file that hashes what is written to it, as `digest` would hash it whole."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.hash = hashlib.blake2b(digest_size=16)

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        return self.handle.write(data)

    def hexdigest(self) -> str:
        self.hash.update(b"\0")  # as digest() ends each part
        return self.hash.hexdigest()


def scratch(engine: str) -> Cache:
    """A cache that lives in a temporary folder and is never saved: with --no-cache the
    converted bodies still pass from the first phase of a build to the second this way."""
    folder = Path(tempfile.mkdtemp(prefix="sitegen-"))
    atexit.register(shutil.rmtree, folder, True)
    return Cache(folder, engine, persist=False)
