"""Write the whole site into a temporary folder, then swap it in at once."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import BuildFailed, SiteError, display_path

MARKER = ".sitegen"
MARKER_TEXT = b"This folder is made by build.py and replaced whole on every build.\n"


def output_guard(out: Path, protected: Mapping[str, Path]) -> SiteError | None:
    """Refuse an output folder whose replacement would destroy something else."""
    target = out.resolve()
    home = Path.home().resolve()
    hint = "choose a folder of its own, such as _site"
    if target == home or target == Path(target.anchor):
        return SiteError(f"refusing to build into {out}: it is the home or root folder", hint=hint)
    for name, path in protected.items():
        path = path.resolve()
        if target == path or target in path.parents:
            return SiteError(
                f"refusing to build into {out}: it would replace the {name}", hint=hint
            )
        if name != "project folder" and path in target.parents:  # it would copy itself
            return SiteError(f"refusing to build into {out}: it is inside the {name}", hint=hint)
    if target.exists() and not target.is_dir():
        return SiteError(f"refusing to build into {out}: it is a file", hint=hint)
    if target.is_dir() and os.path.ismount(target):  # a mount point cannot be swapped whole
        message = f"refusing to build into {out}: it is a mount point (a disk or share of its own)"
        return SiteError(message, hint=f"build into a folder inside it, such as {out / 'site'}")
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


@dataclass(frozen=True, slots=True)
class Stored:
    """A file that is only ever replaced, never edited in place (the build memo's), so
    the output may share it through a hard link."""

    path: Path


Output = bytes | Path | Stored  # the bytes, a file to copy, or a file to link


LOCK_WAIT = 30.0  # seconds a build waits for another one to finish writing


def write(outputs: Mapping[str, Output], out: Path) -> None:
    """Write every output into a temporary folder beside `out`, then swap it in at once.
    One build at a time writes a given folder: a lock file beside it says which."""
    target = publish_target(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(target.parent / f".{target.name}-build.lock", timeout=LOCK_WAIT):
            _write_unlocked(outputs, target)
    except Timeout as exc:
        hint = "wait until the other build has finished (or stop it), then build again"
        message = f"another build is writing {display_path(out)}; this one stopped"
        raise BuildFailed([SiteError(message, display_path(out), None, hint)]) from exc
    except OSError as exc:
        raise BuildFailed([write_error(exc, out)]) from exc


def publish_target(out: Path) -> Path:
    """The folder the site goes into: `out` itself, or the folder a link at `out` points
    to (a web root), so the link is kept and the site published through it."""
    return Path(os.path.realpath(out)) if out.is_symlink() else out.absolute()


def _write_unlocked(outputs: Mapping[str, Output], out: Path) -> None:
    temp = begin(out)
    try:
        for rel, data in outputs.items():
            if isinstance(data, Stored):
                place(temp, rel, data.path)
            elif isinstance(data, Path):
                shutil.copyfile(data, _target(temp, rel))
            else:
                put(temp, rel, data)
        (temp / MARKER).write_bytes(MARKER_TEXT)
        swap(temp, out)
    except OSError as exc:
        abort(temp)
        raise BuildFailed([write_error(exc, out)]) from exc
    except BaseException:
        abort(temp)
        raise


def _target(root: Path, rel: str) -> Path:
    """Where `rel` goes inside the new site; never outside it."""
    if rel.startswith("/") or ".." in rel.split("/"):
        raise OSError(errno.EINVAL, f"refusing to write {rel} outside the site")
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def put(root: Path, rel: str, data: bytes) -> None:
    """Write one file of the new site."""
    with open(_target(root, rel), "xb") as handle:  # "x": a path is never written twice
        handle.write(data)


def place(root: Path, rel: str, source: Path) -> None:
    """Publish a stored file: a hard link, else a copy."""
    target = _target(root, rel)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


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
