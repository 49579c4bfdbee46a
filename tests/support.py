"""Helpers shared by the tests (importable because pytest puts tests/ on the path)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
