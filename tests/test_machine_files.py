"""The machine-read files are templates (sitegen/builtin/) that a site may replace."""

from __future__ import annotations

import shutil
from pathlib import Path


def test_a_site_may_replace_a_machine_file_with_its_own_template(site: Path, run) -> None:
    (site / "templates/robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    assert run("build").code == 0
    assert (site / "_site/robots.txt").read_text() == "User-agent: *\nDisallow: /private/\n"


def test_the_feed_of_a_site_without_articles_is_dated_by_its_newest_change(site: Path, run) -> None:
    shutil.rmtree(site / "content/articles", ignore_errors=True)
    page = site / "content/about.md"
    page.write_text("---\ntitle: About\ndescription: Us.\nupdated: 2026-05-04\n---\nUs.\n")
    result = run("build")
    assert result.code == 0, result.err
    feed = (site / "_site/articles/feed.xml").read_text()
    assert "<updated>2026-05-04T00:00:00Z</updated>" in feed
    assert "1970" not in feed and "<entry>" not in feed


def test_a_template_error_in_a_machine_file_names_its_line(site: Path, run) -> None:
    (site / "templates/sitemap.xml").write_text("<urlset>\n{{ pages | nosuchfilter }}\n")
    result = run("build")
    assert result.code == 1
    assert "templates/sitemap.xml:2: template syntax error" in result.err
