"""The command line itself: an unexpected problem, `--debug` in either place, `--base-url`."""

from __future__ import annotations

from pathlib import Path

import pytest

import sitegen.fields

PLANTED = "planted by the test: not a content mistake"


@pytest.fixture
def broken_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make reading YAML crash the way a bug in the engine would."""

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError(PLANTED)

    monkeypatch.setattr(sitegen.fields, "parse_yaml", crash)


@pytest.mark.parametrize("command", ["build", "check"])
def test_an_unexpected_problem_is_one_plain_message(
    site: Path, run, broken_engine: None, command: str
) -> None:
    result = run(command)
    assert result.code == 1
    assert result.err.splitlines() == [
        "build.py stopped on an unexpected problem (run with --debug for details):",
        f"  RuntimeError: {PLANTED}",
    ]
    assert "Traceback" not in result.err + result.out


@pytest.mark.parametrize(
    "argv",
    [
        ["--debug", "build"],
        ["build", "--debug"],
        ["--debug"],
        ["--debug", "check"],
        ["check", "--debug"],
    ],
    ids=" ".join,
)
def test_debug_before_or_after_the_command_shows_the_traceback(
    site: Path, run, broken_engine: None, argv: list[str]
) -> None:
    """With --debug the error is not swallowed: Python prints its traceback."""
    with pytest.raises(RuntimeError, match=PLANTED):
        run(*argv)


def test_debug_does_not_change_a_good_build(site: Path, run) -> None:
    assert run("--debug", "build").code == 0
    assert (site / "_site/index.html").is_file()


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/",
        "not-a-url",
        "https://",
        "example.org/clinic/",
        "file:///srv/site/",
        "javascript:alert(1)",
    ],
)
def test_base_url_must_be_an_http_address(site: Path, run, url: str) -> None:
    result = run("build", "--base-url", url)
    assert result.code == 2
    assert f"'{url}' is not the address of the site's home page, like https://" in result.err
    assert not (site / "_site").exists()


@pytest.mark.parametrize(
    ("url", "published"),
    [
        ("https://example.org/", "https://example.org/"),
        ("https://example.org/clinic", "https://example.org/clinic/"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080/"),
    ],
)
def test_http_and_https_base_urls_are_used(site: Path, run, url: str, published: str) -> None:
    assert run("build", "--base-url", url).code == 0
    page = (site / "_site/causes/kyphosis/index.html").read_text()
    assert f'<link rel="canonical" href="{published}causes/kyphosis/">' in page
    assert f"Sitemap: {published}sitemap.xml" in (site / "_site/robots.txt").read_text()
