"""Links to the files the build makes itself, and to files in static/."""

from __future__ import annotations

from pathlib import Path

PAGE = """---
title: Site files
description: Links to the files every build makes.
---
Read the [sitemap](/sitemap.xml), the [news feed](/articles/feed.xml),
the [robots file](/robots.txt), the [not-found page](/404.html) and the [styles](/css/site.css).
"""


def test_links_to_generated_and_static_files_are_not_broken(site: Path, run) -> None:
    (site / "content/files.md").write_text(PAGE)
    result = run("build")
    assert result.code == 0, result.err
    assert "does not exist" not in result.err


def test_a_link_to_a_file_nobody_makes_is_broken(site: Path, run) -> None:
    (site / "content/files.md").write_text(PAGE.replace("/robots.txt", "/robots.text"))
    result = run("build")
    assert result.code == 1
    assert "content/files.md:6: the link to /robots.text goes to a page that does not exist" in (
        result.err
    )
