"""Fixtures for the browser tests: the built site over HTTP and one headless Chromium.

Set SITE_DIR to test an already built output folder instead of building one.
Tests skip (saying how to install what is missing) unless in CI (CI=1, true or yes: the one
rule of support.in_ci), where they fail. Every build goes to a temporary folder that is
removed when the run ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .browserkit import (
    AXE,
    CHROMIUM,
    CHROMIUM_ARGS,
    Watched,
    alias_site,
    built_site,
    cleanup,
    need,
    page_paths,
    serve,
)


def pytest_unconfigure(config: pytest.Config) -> None:
    cleanup()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "page_path" in metafunc.fixturenames:
        paths = page_paths() or ("(build failed)",)
        metafunc.parametrize("page_path", paths, ids=list(paths))


@pytest.fixture(scope="session")
def site_dir() -> Path:
    out, log = built_site()
    if out is None:
        pytest.fail(log, pytrace=False)
    return out


@pytest.fixture(scope="session")
def alias_dir() -> Path:
    """A build where one page has aliases, so it has redirect pages to check."""
    out, log = alias_site()
    if out is None:
        pytest.fail(log, pytrace=False)
    return out


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    """The built site over HTTP on a free port of 127.0.0.1."""
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session.

    Playwright's launch() gives Chromium a fresh temporary --user-data-dir of its own
    (it refuses one in `args`), so no profile is shared between runs.
    """
    need(CHROMIUM.exists(), "chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    need(AXE.is_file(), "axe")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def context(browser: object) -> Iterator[object]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    yield ctx
    ctx.close()


@pytest.fixture
def watched(context: object, base_url: str) -> Watched:
    return Watched(context, base_url)
