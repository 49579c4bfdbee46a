"""Shared helpers: the fixture site, and running the command line in-process."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the fixture site as the working folder."""
    copy = tmp_path / "site"
    shutil.copytree(FIXTURE, copy)
    monkeypatch.chdir(copy)
    return copy


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    """Run build.py with arguments in-process; return exit code and output."""

    def go(*args: str) -> Run:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse exits on a wrong command line
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return go
