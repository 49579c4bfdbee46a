"""Whole builds through the command line: determinism, atomicity, guards, sub-paths."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from support import leftovers, tree_hashes


def test_two_builds_are_byte_identical(site: Path, run) -> None:
    assert run("build", "--out", "one").code == 0
    assert run("build", "--out", "two").code == 0
    assert tree_hashes(site / "one") == tree_hashes(site / "two")


def test_build_is_the_default_command(site: Path, run) -> None:
    result = run()
    assert result.code == 0
    assert result.out.startswith("built 7 pages into _site in ")
    assert result.out.endswith("(7 rendered, 0 unchanged; 7 converted from Markdown)\n")
    assert (site / "_site/index.html").is_file()


def test_failed_build_leaves_previous_output_unchanged(site: Path, run) -> None:
    assert run("build").code == 0
    before = tree_hashes(site / "_site")
    (site / "content/causes/kyphosis.md").write_text("---\ntitle: [unclosed\n---\nx\n")
    result = run("build")
    assert result.code == 1
    assert tree_hashes(site / "_site") == before
    assert not leftovers(site), "no temporary folder is left behind"


def test_rebuild_replaces_the_whole_output(site: Path, run) -> None:
    assert run("build").code == 0
    (site / "content/about.md").unlink()
    assert run("build").code == 0
    assert not (site / "_site/about").exists()
    assert not leftovers(site)


def test_leftovers_of_a_killed_build_are_removed(site: Path, run) -> None:
    (site / "._site.tmp-99999").mkdir()
    (site / "._site.tmp-99999/half.html").write_text("half")
    assert run("build").code == 0
    assert not (site / "._site.tmp-99999").exists()


@pytest.mark.parametrize("out", [".", "content", "..", "templates", "~", "content/out"])
def test_output_guard_refuses_dangerous_folders(site: Path, run, out: str) -> None:
    before = tree_hashes(site)
    result = run("build", "--out", str(Path(out).expanduser()))
    assert result.code == 1
    assert "refusing to build into" in result.err
    assert tree_hashes(site) == before


def test_output_guard_refuses_a_folder_of_other_files(site: Path, run) -> None:
    (site / "docs").mkdir()
    (site / "docs/notes.md").write_text("keep me")
    result = run("build", "--out", "docs")
    assert result.code == 1
    assert "it holds files this build did not make" in result.err
    assert (site / "docs/notes.md").read_text() == "keep me"


def test_wrong_command_line_exits_2(site: Path, run) -> None:
    assert run("build", "--nonsense").code == 2
    assert run("build", "--base-url", "not-a-url").code == 2
    assert run("launch").code == 2


@pytest.mark.parametrize("command", ["build", "serve", "check", "new"])
def test_help_works_for_every_command(run, command: str) -> None:
    result = run(command, "--help")
    assert result.code == 0
    assert "usage: build.py" in result.out


def test_drafts_only_with_flag(site: Path, run) -> None:
    assert run("build").code == 0
    assert not (site / "_site/causes/scoliosis").exists()
    assert run("build", "--drafts").code == 0
    assert (site / "_site/causes/scoliosis/index.html").is_file()


def test_alias_redirects(site: Path, run) -> None:
    assert run("build").code == 0
    page = (site / "_site/old-kyphosis/index.html").read_text()
    # relative, so that it works in the preview, under a sub-path and on the live site
    assert 'content="0; url=../causes/kyphosis/"' in page
    assert '<link rel="canonical" href="https://fixture.example.org/causes/kyphosis/">' in page
    assert (site / "_site/_redirects").read_text() == "/old-kyphosis/ /causes/kyphosis/ 301\n"


def test_alias_redirects_work_under_a_sub_path_and_in_the_preview(site: Path, run) -> None:
    assert run("build", "--base-url", "https://example.org/clinic/").code == 0
    page = (site / "_site/old-kyphosis/index.html").read_text()
    # the same relative target from https://example.org/clinic/old-kyphosis/ and from
    # http://127.0.0.1:8000/old-kyphosis/ in the preview
    assert 'content="0; url=../causes/kyphosis/"' in page
    assert 'href="https://example.org/clinic/causes/kyphosis/"' in page
    assert "127.0.0.1" not in page


def test_names_with_spaces_capitals_and_accents_are_slugged(site: Path, run) -> None:
    (site / "content/Über Uns.md").write_text("---\ntitle: Über\ndescription: x\n---\nx\n")
    assert run("build").code == 0
    assert (site / "_site/uber-uns/index.html").is_file()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)


def test_base_url_with_a_path_makes_every_link_resolve(site: Path, run) -> None:
    base = "https://example.org/clinic/"
    assert run("build", "--base-url", base).code == 0
    out = site / "_site"
    checked = 0
    for page in out.rglob("*.html"):
        url = base + page.relative_to(out).as_posix().removesuffix("index.html")
        parser = _Links()
        parser.feed(page.read_text())
        for link in parser.found:
            target = urljoin(url, link)
            if not target.startswith(base):
                assert not target.startswith("https://example.org/"), (page, link)
                continue
            path = urlsplit(target).path.removeprefix("/clinic/")
            file = out / path / "index.html" if path.endswith("/") or not path else out / path
            assert file.is_file(), f"{page}: {link} -> {file}"
            checked += 1
    assert checked > 40
    sitemap = (out / "sitemap.xml").read_text()
    assert re.findall(r"<loc>([^<]+)</loc>", sitemap)[0] == base
    assert all(loc.startswith(base) for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap))
    assert f'href="{base}causes/kyphosis/"' in (out / "causes/kyphosis/index.html").read_text()
    assert "Sitemap: https://example.org/clinic/sitemap.xml" in (out / "robots.txt").read_text()


def test_404_page_links_work_from_any_address(site: Path, run) -> None:
    assert run("build", "--base-url", "https://example.org/clinic/").code == 0
    page = (site / "_site/404.html").read_text()
    assert 'href="/clinic/"' in page
    assert 'href="/clinic/assets/css/site.' in page


def test_missing_site_yaml(site: Path, run) -> None:
    (site / "content/site.yaml").unlink()
    result = run("build")
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "content/site.yaml: site.yaml is missing",
        "  hint: create content/site.yaml with the clinic's name, phone, address and navigation",
    ]


def test_styles_are_published_only_under_their_fingerprint(site: Path, run) -> None:
    assert run("build").code == 0
    out = site / "_site"
    assert not (out / "css/site.css").exists(), "no unfingerprinted copy beside the hashed one"
    hashed = [p.name for p in (out / "assets/css").iterdir()]
    assert len(hashed) == 1
    assert re.fullmatch(r"site\.[0-9a-f]{10}\.css", hashed[0])
    source = (site / "static/css/site.css").read_bytes()
    assert (out / "assets/css" / hashed[0]).read_bytes() == source
    assert not (out / ".DS_Store").exists()


def test_fingerprint_changes_only_with_content(site: Path, run) -> None:
    assert run("build", "--out", "a").code == 0
    assert run("build", "--out", "b").code == 0
    css = site / "static/css/site.css"
    css.write_text(css.read_text() + "p { margin: 0; }\n")
    assert run("build", "--out", "c").code == 0

    def names(folder: str) -> set[str]:
        return {p.name for p in (site / folder / "assets/css").iterdir()}

    assert names("a") == names("b")
    assert names("a") != names("c")


def test_copy_of_site_builds_anywhere(tmp_path: Path, run, monkeypatch) -> None:
    from conftest import FIXTURE

    monkeypatch.chdir(tmp_path)  # the build cache goes to ./.cache: keep it out of the repo
    shutil.copytree(FIXTURE, tmp_path / "elsewhere")
    result = run(
        "build",
        "--content", str(tmp_path / "elsewhere/content"),
        "--templates", str(tmp_path / "elsewhere/templates"),
        "--static", str(tmp_path / "elsewhere/static"),
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert (tmp_path / "out/index.html").is_file()
