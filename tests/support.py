"""Helpers shared by the tests (importable because pytest puts tests/ on the path)."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest


def leftovers(site: Path, name: str = "_site") -> list[str]:
    """Temporary folders beside the output folder. The spare (the site before last, kept on
    purpose for the next build to bring up to date) and the lock file are not leftovers."""
    kept = (f".{name}.spare", f".{name}.spare.pickle")
    return sorted(p.name for p in site.glob(f".{name}.*") if p.name not in kept)


def tree_hashes(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the hash of its bytes."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def in_ci() -> bool:
    """The one rule for "this is CI", where nothing may skip: CI=1, CI=true or CI=yes."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def skip_or_fail(message: str) -> NoReturn:
    """Skip on a laptop that lacks a tool; fail in CI, where every test must run."""
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate: Callable[[], object], timeout: float = 20.0) -> bool:
    """Poll until `predicate` is true (connection errors count as not yet)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def messages(output: str) -> list[str]:
    """The output's lines without the quoted source lines ('  7 | the line'), for tests
    about the wording of messages; tests/invalid/ checks the quoted lines too."""
    return [line for line in output.splitlines() if not re.match(r"  \d+ \| ", line)]
