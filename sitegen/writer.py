"""Write the whole site into a temporary folder, then swap it in at once."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from .content import is_ignored
from .errors import BuildFailed, SiteError, display_path
from .render import fingerprinted_path

MARKER = ".sitegen"
MARKER_TEXT = b"This folder is made by build.py and replaced whole on every build.\n"
FINGERPRINTED = {".css", ".js", ".svg", ".png", ".jpg", ".jpeg", ".webp", ".ico", ".woff2"}


def output_guard(out: Path, protected: Mapping[str, Path]) -> SiteError | None:
    """Refuse an output folder whose replacement would destroy something else."""
    target = out.resolve()
    home = Path.home().resolve()
    hint = "choose a folder of its own, such as _site"
    if target == home or target == Path(target.anchor):
        return SiteError(f"refusing to build into {out}: it is the home or root folder", hint=hint)
    for name, path in protected.items():
        path = path.resolve()
        inside_content = name == "content" and path in target.parents
        if target == path or target in path.parents or inside_content:
            return SiteError(
                f"refusing to build into {out}: it would replace the {name}", hint=hint
            )
    if target.exists() and not target.is_dir():
        return SiteError(f"refusing to build into {out}: it is a file", hint=hint)
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).exists():
        message = f"refusing to build into {out}: it holds files this build did not make"
        return SiteError(message, hint=hint + ", or empty the folder first")
    return None


def begin(out: Path) -> Path:
    """A fresh, empty temporary folder beside `out` to build into."""
    out = out.absolute()
    temp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)
        shutil.rmtree(temp, ignore_errors=True)
        temp.mkdir()
    except OSError as exc:  # a read-only or full disk, found before the old site is touched
        raise BuildFailed([write_error(exc, out)]) from exc
    return temp


def put(root: Path, rel: str, data: bytes) -> os.stat_result:
    """Write one file of the new site; its stat is remembered by the build cache."""
    if rel.startswith("/") or ".." in rel.split("/"):  # never a file outside the new site
        raise OSError(errno.EINVAL, f"refusing to write {rel} outside the site")
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:  # "x": a path is never written twice
        handle.write(data)
    return path.stat()


def reuse(old_root: Path, root: Path, rel: str) -> None:
    """Carry an unchanged file over from the previous site (a hard link, else a copy)."""
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(old_root / rel, target)
    except OSError:
        shutil.copy2(old_root / rel, target)


def finish(temp: Path, out: Path, static: Path, listed: bool = False) -> set[str]:
    """Add the static files and the marker, then swap the new site in. With `listed`,
    return the names of its files (a serve session updates them in place later)."""
    copy_static(temp, static)
    (temp / MARKER).write_bytes(MARKER_TEXT)
    written = _files_under(temp) if listed else set()
    swap(temp, out.absolute())
    return written


def finish_in_place(
    temp: Path, out: Path, static: Path, pages: set[str], before: set[str]
) -> set[str]:
    """Move the new and changed files from `temp` into `out`, each atomically, and remove
    the files of the last site that this one no longer has. For `serve` only: the set of
    files changes file by file, which a preview can afford and a published site cannot."""
    copy_static(temp, static)
    fresh = _files_under(temp)
    for rel in sorted(fresh):
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp / rel, target)
    shutil.rmtree(temp, ignore_errors=True)
    now = fresh | pages | {MARKER}
    for rel in sorted(before - now):
        with contextlib.suppress(FileNotFoundError):
            (out / rel).unlink()
    return now


def _files_under(root: Path) -> set[str]:
    found = set()
    for folder, _, names in os.walk(root):
        base = Path(folder).relative_to(root)
        found |= {(base / name).as_posix() for name in names}
    return found


def abort(temp: Path) -> None:
    shutil.rmtree(temp, ignore_errors=True)


def write_error(exc: OSError, out: Path) -> SiteError:
    """A failed write (disk full, read-only folder) as a message for people."""
    reason = exc.strerror or str(exc)
    hint = "check the disk has room and the folder can be written; the old site is unchanged"
    return SiteError(f"could not write the site: {reason}", display_path(out), None, hint)


def remove_leftovers(out: Path) -> None:
    """Temporary folders left by a build that was killed."""
    for stale in out.parent.glob(f".{out.name}.*-*"):
        if stale.name.rsplit("-", 1)[0] in (f".{out.name}.tmp", f".{out.name}.old"):
            shutil.rmtree(stale, ignore_errors=True)


def static_files(static: Path) -> list[Path]:
    """Every file in static/ that is published: not hidden, not an editor's backup, and
    not a link to something outside static/ (which would publish a file by accident)."""
    files = sorted(static.rglob("*")) if static.is_dir() else []
    root = static.resolve()
    return [
        f
        for f in files
        if f.is_file()
        and not any(is_ignored(p) for p in f.relative_to(static).parts)
        and (not f.is_symlink() or root in f.resolve().parents)
    ]


def fingerprinted(static: Path) -> list[str]:
    """The site paths of the fingerprinted copies of static files."""
    return sorted(
        {fingerprinted_path(f) for f in static_files(static) if f.suffix in FINGERPRINTED}
    )


def copy_static(root: Path, static: Path) -> None:
    """Static files as they are, and fingerprinted copies of those templates link to."""
    for src in static_files(static):
        rel = src.relative_to(static)
        data = src.read_bytes()
        put(root, rel.as_posix(), data)
        hashed = fingerprinted_path(src).lstrip("/") if src.suffix in FINGERPRINTED else ""
        if hashed and not (root / hashed).exists():  # two files with one content: one copy
            put(root, hashed, data)


def swap(new: Path, out: Path) -> None:
    """Put `new` at `out` in one step; the old site is removed afterwards."""
    if not out.exists():
        new.rename(out)
        return
    if _exchange(new, out):
        shutil.rmtree(new)  # now holds the old site
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    out.rename(old)  # not atomic: a short moment without a site (non-Linux only)
    new.rename(out)
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two folders atomically. False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = libc.renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: fall back to two renames
        return False
    raise OSError(errno, os.strerror(errno))
