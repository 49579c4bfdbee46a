"""The static files: which are published as they are, and which under a fingerprint."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from .content import is_ignored

# Files templates link to (styles, scripts, the favicon) change with the design, so they are
# published under a name that holds a hash of their bytes and cached for a year. Pictures
# that pages link to by their plain path keep that path.
FINGERPRINTED_SUFFIXES = {".css", ".js"}


@dataclass(frozen=True, slots=True)
class Assets:
    """Every static file: its site path for templates, and what the output holds."""

    paths: MappingProxyType  # 'css/site.css' -> '/assets/css/site.0123456789.css'
    files: MappingProxyType  # output path -> the source file
    fingerprinted: tuple[str, ...]  # site paths of the fingerprinted files


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


def is_fingerprinted(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.startswith("favicon.") or Path(name).suffix in FINGERPRINTED_SUFFIXES


def fingerprinted_path(rel: str, data: bytes) -> str:
    """'css/site.css' -> '/assets/css/site.0123456789.css'. Always three levels deep, so
    a host's rules for pages ('/', '/:section/', '/:section/:page/') never match one."""
    digest = hashlib.sha256(data).hexdigest()[:10]
    path = Path(rel)
    group = {".css": "css", ".js": "js"}.get(path.suffix, "img")
    return f"/assets/{group}/{path.stem}.{digest}{path.suffix}"


def fingerprint(static: Path) -> Assets:
    """Read static/ once: the site path of each file and the output it makes."""
    paths: dict[str, str] = {}
    files: dict[str, Path] = {}
    for source in static_files(static):
        rel = source.relative_to(static).as_posix()
        site_path = "/" + rel
        if is_fingerprinted(rel):
            site_path = fingerprinted_path(rel, source.read_bytes())
        paths[rel] = site_path
        files.setdefault(site_path.lstrip("/"), source)  # two files, one content: one copy
    hashed = tuple(sorted(p for r, p in paths.items() if is_fingerprinted(r)))
    return Assets(MappingProxyType(paths), MappingProxyType(files), tuple(sorted(set(hashed))))
