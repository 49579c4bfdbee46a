"""Shared helpers: the fixture site, and running the command line in-process."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from sitegen.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site"


# Made by pytest itself or kept on purpose for a person to look at, not by a test.
ALLOWED_IN_ROOT = {".pytest_cache", "test-output"}
_HYPOTHESIS_HOME = tempfile.TemporaryDirectory(prefix="hypothesis-")


def pytest_configure(config: pytest.Config) -> None:
    """Hypothesis keeps its files in a temporary folder, not in .hypothesis/ of the repo."""
    set_hypothesis_home_dir(_HYPOTHESIS_HOME.name)
    config.stash[_ROOT_BEFORE] = _root_entries()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Fail the run when a test left something in the repository's top folder."""
    before = session.config.stash.get(_ROOT_BEFORE, None)
    if before is None:
        return
    new = sorted(_root_entries() - before - ALLOWED_IN_ROOT)
    if new:
        print(f"\ntests wrote into the repository (use a temporary folder): {new}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    _HYPOTHESIS_HOME.cleanup()


def _root_entries() -> set[str]:
    return {p.name for p in ROOT.iterdir()}


_ROOT_BEFORE = pytest.StashKey[set[str]]()


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped site as the working folder, on a fixed day."""
    for folder in ("content", "templates", "static"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SITEGEN_TODAY", "2026-11-21")
    return tmp_path


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


@pytest.fixture
def no_nltk_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No network, and NLTK finding no data anywhere: as on a fresh machine offline.

    Returns the stand-in for `sys.prefix`, where the engine should write NLTK's copy of
    the CMU dictionary."""
    import socket
    import sys

    import nltk
    from nltk.corpus.reader import CMUDictCorpusReader
    from nltk.corpus.util import LazyCorpusLoader
    from textstat.backend.utils import _get_cmudict

    from sitegen import checks

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("nothing may be downloaded or fetched")

    prefix = tmp_path / "prefix"
    monkeypatch.setattr(sys, "prefix", str(prefix))
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path / "no-data-here")])
    monkeypatch.setattr(nltk, "download", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    fresh = LazyCorpusLoader("cmudict", CMUDictCorpusReader, ["cmudict"])
    monkeypatch.setattr(nltk.corpus, "cmudict", fresh)
    caches = (checks._offline_cmu_dictionary, _get_cmudict.get_cmudict)
    for cached in caches:
        cached.cache_clear()
    yield prefix
    monkeypatch.undo()
    for cached in caches:
        cached.cache_clear()
