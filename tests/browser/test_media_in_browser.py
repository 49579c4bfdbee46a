"""A video line and a clinician photo in a real browser, on a build from copies of the site.

The shipped site has neither (no videos yet, and no photos we may publish), so this module
adds a video line to the self-care page and a generated photo, carrying GPS, to a clinician.
A page with a video makes no request off 127.0.0.1 until the link is followed; the photo
loads as WebP at the size its width and height promised; both pages pass axe, the Nu HTML
Checker and the 14 KB gzip budget.
"""

from __future__ import annotations

import gzip
import io
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .browserkit import ROOT, Watched, build, run_axe, serve, vnu_errors

VIDEO = "[video: Chin tucks, 2:10, https://www.youtube.com/watch?v=abc123, /images/exercise-chin-tuck.svg]"  # noqa: E501
CLINICIAN = "content/clinicians/doran-hendelman.md"
BUDGET = 14 * 1024
STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')


def gps_photo() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (800, 1000), (150, 110, 90))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (47.0, 36.0, 22.0), 3: "W", 4: (122.0, 19.0, 55.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def media_site() -> Path:
    work = Path(tempfile.mkdtemp(prefix="media-site-"))
    shutil.copytree(ROOT / "content", work / "content")
    shutil.copytree(ROOT / "static", work / "static")
    self_care = work / "content/self-care/index.md"
    self_care.write_text(self_care.read_text() + f"\n{VIDEO}\n")
    (work / "static/images/team").mkdir()
    (work / "static/images/team/doran.jpg").write_bytes(gps_photo())
    page = work / CLINICIAN
    front = "photo: /images/team/doran.jpg\nphoto_alt: Doran Hendelman, smiling\n"
    page.write_text(page.read_text().replace("role:", front + "role:", 1))
    out, log = build("--content", str(work / "content"), "--static", str(work / "static"))
    if out is None:
        pytest.fail(log, pytrace=False)
    return out


@pytest.fixture(scope="module")
def media_url(media_site: Path) -> Iterator[str]:
    with serve(media_site) as url:
        yield url


def test_a_page_with_a_video_requests_nothing_off_this_machine(
    context: object, media_url: str, axe_source: str
) -> None:
    watched = Watched(context, media_url)
    watched.goto("/self-care/")
    link = watched.page.locator(".video a")
    link.scroll_into_view_if_needed()
    link.hover()
    watched.page.wait_for_load_state("networkidle")
    assert link.get_attribute("href") == "https://www.youtube.com/watch?v=abc123"
    assert "Watch on YouTube (opens YouTube)" in link.inner_text()
    poster = watched.page.locator(".video img")
    assert poster.evaluate("img => img.complete && img.naturalWidth > 0"), "the poster loads"
    assert watched.problems == [], watched.problems  # no other host, no CSP error
    assert run_axe(watched.page, axe_source) == []


def test_a_clinician_photo_loads_as_webp_at_its_promised_size(
    context: object, media_url: str, axe_source: str
) -> None:
    watched = Watched(context, media_url)
    watched.goto("/clinicians/doran-hendelman/")
    photo = watched.page.locator("picture.portrait img")
    photo.evaluate("img => img.decode()")
    assert photo.evaluate("img => img.currentSrc").endswith(".webp")
    box = photo.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (120, 120)
    assert watched.problems == [], watched.problems
    assert run_axe(watched.page, axe_source) == []
    watched.goto("/clinicians/")
    card = watched.page.locator("picture.card-photo img")
    assert card.evaluate("img => img.complete && img.naturalWidth > 0")
    assert watched.problems == [], watched.problems


@pytest.mark.parametrize("path", ["/self-care/", "/clinicians/doran-hendelman/", "/clinicians/"])
def test_media_pages_are_valid_and_within_the_budget(media_site: Path, path: str) -> None:
    file = media_site / path.strip("/") / "index.html"
    html = file.read_bytes()
    total = len(gzip.compress(html, 6, mtime=0))
    for href in STYLESHEET.findall(html.decode("utf-8")):
        css = (file.parent / href).resolve()
        total += len(gzip.compress(css.read_bytes(), 6, mtime=0))
    assert total <= BUDGET, f"{path}: {total} bytes gzipped (HTML + CSS), budget {BUDGET}"
    assert not (media_site / "images/team/doran.jpg").exists(), "the upload is not published"
    assert vnu_errors([file], media_site) == []
