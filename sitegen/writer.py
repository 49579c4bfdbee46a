"""Write the whole site into a temporary folder, then swap it in at once."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import os
import pickle
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

# What was published, file by file and folder by folder: rel -> (what it was made from,
# its (inode, size, mtime) as published). A folder's time changes when a file is added to
# it or removed, so the folders' stamps say that nothing was added by hand. A build whose
# outputs match it, into a folder nobody has touched since, has nothing to write; the
# caller keeps it between builds (the memo).
Manifest = dict[str, tuple[tuple, tuple[int, int, int]]]


def write(
    outputs: Mapping[str, Output], out: Path, last: Manifest | None = None, in_place: bool = False
) -> Manifest:
    """Write every output into a temporary folder beside `out`, then swap it in at once;
    nothing at all when `out` already holds exactly these outputs (`last` says what it
    was given). `in_place` (the preview's rebuilds): when only some files' contents
    changed, replace just those, each in one step. One build at a time writes a given
    folder: a lock file beside it says which. Returns what is published now."""
    target = publish_target(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(target.parent / f".{target.name}-build.lock", timeout=LOCK_WAIT):
            wanted = _with_folders({rel: origin(data) for rel, data in outputs.items()})
            if last is not None and _published(last, wanted, target):
                return last
            changed = _changed_files(last, wanted) if in_place else None
            if last is not None and changed is not None and intact(last, target):
                return _replace_files(outputs, wanted, last, target, changed)
            _write_unlocked(outputs, wanted, target, last)
            return {rel: (made, _stamp(f"{target}/{rel}")) for rel, made in wanted.items()}
    except Timeout as exc:
        hint = "wait until the other build has finished (or stop it), then build again"
        message = f"another build is writing {display_path(out)}; this one stopped"
        raise BuildFailed([SiteError(message, display_path(out), None, hint)]) from exc
    except OSError as exc:
        raise BuildFailed([write_error(exc, out)]) from exc


def origin(output: Output) -> tuple:
    """What an output is made from: a memo file (by its inode: the published file is a
    link to it), a file to copy (by its size and time) or bytes (by their hash)."""
    if isinstance(output, bytes):
        return ("bytes", hashlib.blake2b(output, digest_size=16).digest())
    source = output.path if isinstance(output, Stored) else output
    try:
        stat = os.stat(source)
    except OSError:
        return ("missing", str(source))
    if isinstance(output, Stored):
        return ("link", stat.st_dev, stat.st_ino)
    return ("copy", str(source), stat.st_size, stat.st_mtime_ns)


def _with_folders(origins: dict[str, tuple]) -> dict[str, tuple]:
    """The outputs, the marker, and every folder they are in ("" is the site's own)."""
    found = {**origins, MARKER: ("marker",), "": ("folder",)}
    for rel in origins:
        folder = rel.rpartition("/")[0]
        while folder and folder + "/" not in found:
            found[folder + "/"] = ("folder",)
            folder = folder.rpartition("/")[0]
    return found


def _stamp(path: str) -> tuple[int, int, int]:
    stat = os.stat(path)
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


def _published(last: Manifest, wanted: dict[str, tuple], target: str) -> bool:
    """Whether `target` holds these outputs as published: the same origins, and every
    file and folder as it was written."""
    if last.keys() != wanted.keys():
        return False
    return all(wanted[rel] == made for rel, (made, _) in last.items()) and intact(last, target)


def _changed_files(last: Manifest | None, wanted: dict[str, tuple]) -> list[str] | None:
    """The files whose contents changed, when no file or folder came or went; else None."""
    if last is None or last.keys() != wanted.keys():
        return None
    return [rel for rel, (made, _) in last.items() if wanted[rel] != made]


def _replace_files(
    outputs: Mapping[str, Output],
    wanted: dict[str, tuple],
    last: Manifest,
    target: Path,
    changed: list[str],
) -> Manifest:
    """Replace each changed file by a new one renamed over it (a reader sees the old file
    or the new one, never half of one); the rest of the site is left as it is."""
    published = dict(last)
    for rel in changed:
        path = target / rel
        temp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        data = outputs[rel]
        try:
            put_output(temp.parent, temp.name, data)
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
        published[rel] = (wanted[rel], _stamp(str(path)))
        folder = rel.rpartition("/")[0]
        key = folder + "/" if folder else ""
        published[key] = (wanted[key], _stamp(f"{target}/{key}"))
    return published


def intact(last: Manifest, target: Path | str) -> bool:
    """Whether every file and folder of `target` is as it was published: nothing edited,
    replaced, added or removed since (by hand, or by another build)."""
    try:
        return all(_stamp(f"{target}/{rel}") == stamp for rel, (_, stamp) in last.items())
    except OSError:
        return False


def publish_target(out: Path) -> Path:
    """The folder the site goes into: `out` itself, or the folder a link at `out` points
    to (a web root), so the link is kept and the site published through it."""
    return Path(os.path.realpath(out)) if out.is_symlink() else out.absolute()


def _write_unlocked(
    outputs: Mapping[str, Output], wanted: dict[str, tuple], out: Path, last: Manifest | None
) -> None:
    """Make the new site beside `out` and swap it in. The site before last is kept beside
    too (the spare): brought up to date, it becomes the next site with a few files changed
    instead of thousands linked again; the old site becomes the spare in its turn."""
    temp, spare = _from_spare(out)
    made: set[Path] = {temp}  # folders made so far: one mkdir per folder, not per file
    try:
        if spare is None:
            (temp / MARKER).write_bytes(MARKER_TEXT)
        else:
            _bring_up_to_date(temp, spare, wanted)
        for rel, data in outputs.items():
            if spare is None or spare.get(rel, (None,))[0] != wanted[rel]:
                put_output(temp, rel, data, made)
        del spare  # let go before the old site's record is written: a lower peak
        old = swap(temp, out)
    except OSError as exc:
        abort(temp)
        raise BuildFailed([write_error(exc, out)]) from exc
    except BaseException:
        abort(temp)
        raise
    _keep_spare(old, last, out)


def _spare_paths(out: Path) -> tuple[Path, Path]:
    return out.parent / f".{out.name}.spare", out.parent / f".{out.name}.spare.pickle"


def _from_spare(out: Path) -> tuple[Path, Manifest | None]:
    """The folder to build into, and what it holds: the spare, renamed as a temporary
    folder (a build killed now leaves an ordinary leftover), when it is as it was kept;
    else a fresh, empty folder."""
    temp = begin(out)
    folder, record = _spare_paths(out)
    try:
        spare = pickle.loads(record.read_bytes())
    except (OSError, pickle.PickleError, EOFError, ValueError):
        spare = None
    record.unlink(missing_ok=True)  # a damaged one too: it describes nothing any more
    if spare is None or not intact(spare, folder):
        shutil.rmtree(folder, ignore_errors=True)
        return temp, None
    temp.rmdir()
    folder.rename(temp)
    return temp, spare


def _bring_up_to_date(temp: Path, spare: Manifest, wanted: dict[str, tuple]) -> None:
    """Remove from the spare every file that is not wanted as it is, then the folders
    that are not wanted at all (the deepest first)."""
    for rel, (made, _) in spare.items():
        if made[0] != "folder" and wanted.get(rel) != made:
            os.unlink(temp / rel)
    for rel in sorted((r for r, (m, _) in spare.items() if m[0] == "folder"), reverse=True):
        if rel not in wanted:
            os.rmdir(temp / rel)


def _keep_spare(old: Path | None, last: Manifest | None, out: Path) -> None:
    """Keep the old site as the spare when what it holds is known (`last`), else remove
    it. The site is published by now: a failure here only costs the next build time."""
    if old is None:
        return
    folder, record = _spare_paths(out)
    if last is not None:
        try:
            old.rename(folder)
            with open(record, "wb") as handle:  # straight to the file, not held as bytes
                pickle.dump(last, handle, protocol=pickle.HIGHEST_PROTOCOL)
            return
        except OSError:
            pass
    shutil.rmtree(old, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(OSError):
        record.unlink(missing_ok=True)


def _target(root: Path, rel: str, made: set[Path] | None = None) -> Path:
    """Where `rel` goes inside the new site (its folder made); never outside it."""
    if rel.startswith("/") or ".." in rel.split("/"):
        raise OSError(errno.EINVAL, f"refusing to write {rel} outside the site")
    path = root / rel
    if made is None or path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(path.parent)
    return path


def put_output(root: Path, rel: str, data: Output, made: set[Path] | None = None) -> None:
    """Write one output: bytes, a copy of a file (a static file stays the user's own), or
    a link to a stored file."""
    if isinstance(data, Stored):
        place(root, rel, data.path, made)
    elif isinstance(data, Path):
        shutil.copyfile(data, _target(root, rel, made))
    else:
        put(root, rel, data, made)


def put(root: Path, rel: str, data: bytes, made: set[Path] | None = None) -> None:
    """Write one file of the new site."""
    with open(_target(root, rel, made), "xb") as handle:  # "x": a path is never written twice
        handle.write(data)


def place(root: Path, rel: str, source: Path, made: set[Path] | None = None) -> None:
    """Publish a stored file: a hard link, else a copy."""
    target = _target(root, rel, made)
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


def swap(new: Path, out: Path) -> Path | None:
    """Put `new` at `out` in one step. Returns the folder now holding the old site
    (None when there was none), for the caller to keep or remove."""
    if not out.exists():
        new.rename(out)
        return None
    if _exchange(new, out):
        return new  # now holds the old site
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    out.rename(old)  # not atomic: a short moment without a site (non-Linux only)
    new.rename(out)
    return old


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
