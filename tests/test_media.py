"""Clinician photos and video lines (issue 13).

Photos: made from one uploaded JPEG or PNG into square WebP and JPEG copies, with no EXIF
(a phone photo carries GPS), upright, shown as <picture> on the bio page and the cards;
bad files are build errors at the page's `photo:` line. Videos: one Markdown line becomes a
local poster and a link out; bad lines are build errors at their line. The preview shows the
last build's warnings (a pasted <iframe> removed) in a small box the built site never has.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import FIXTURE, ROOT
from PIL import Image
from support import free_port, messages, wait_for

from sitegen import photos, videos

PAGE = "content/clinicians/pat-lee.md"
GPS_IFD = 0x8825
MAKER = "PhoneMakerXYZ"
ALL_COPIES = [f"{w}.{s}" for w in photos.WIDTHS for s in ("webp", "jpg")]


def phone_photo(size: tuple[int, int] = (900, 1200), fmt: str = "JPEG", **options) -> bytes:
    """A photo as a phone would save it: camera make and model and a GPS position."""
    image = Image.new("RGB", size, (190, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = MAKER  # Make
    exif[0x0110] = "ModelQ"  # Model
    exif[GPS_IFD] = {1: "N", 2: (47.0, 36.0, 22.0), 3: "W", 4: (122.0, 19.0, 55.0)}
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif, **options)
    return buffer.getvalue()


def assert_clean(data: bytes, fmt: str, width: int) -> None:
    """A copy: the right format and size, and no trace of the camera or the place."""
    image = Image.open(io.BytesIO(data))
    assert image.format == fmt
    assert image.size == (width, width)
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert MAKER.encode() not in data and b"Exif" not in data


# --- the pure function --------------------------------------------------------------------


def test_the_source_has_gps_so_the_test_means_something() -> None:
    data = phone_photo()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    assert MAKER.encode() in data


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_copies_are_square_webp_and_jpeg_without_metadata(fmt: str) -> None:
    made = photos.sizes(phone_photo(fmt=fmt))
    assert sorted(made) == sorted(ALL_COPIES)
    for name, data in made.items():
        width, suffix = name.split(".")
        assert_clean(data, "WEBP" if suffix == "webp" else "JPEG", int(width))


def test_a_photo_is_turned_upright_before_its_orientation_tag_is_dropped() -> None:
    """Stored upside down with Orientation=3: the copies show red at the top, as the
    phone showed it, although the tag that said so is gone."""
    image = Image.new("RGB", (600, 600), (0, 0, 255))
    image.paste((255, 0, 0), (0, 300, 600, 600))  # red at the bottom of the stored pixels
    exif = Image.Exif()
    exif[0x0112] = 3  # rotate 180 degrees to show
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    copy = Image.open(io.BytesIO(photos.sizes(buffer.getvalue())["120.jpg"])).convert("RGB")
    red, _, blue = copy.getpixel((60, 10))
    assert red > 200 and blue < 60, copy.getpixel((60, 10))


def test_see_through_parts_of_a_png_become_white() -> None:
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    copy = Image.open(io.BytesIO(photos.sizes(buffer.getvalue())["120.jpg"])).convert("RGB")
    assert min(copy.getpixel((60, 60))) > 245


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 400)).save(buffer, "GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "data, message",
    [
        (b"This is a letter, saved with the name photo.jpg\n" * 20, "not a JPEG or PNG picture"),
        (phone_photo()[:400], "not a JPEG or PNG picture"),  # cut off while copying
        (gif(), "not a JPEG or PNG picture"),
        (b"\xff\xd8\xff" + bytes(photos.MAX_BYTES), "more than the 20 MB limit"),
        (phone_photo((300, 800)), "too small (300 x 800 pixels)"),
    ],
    ids=["text", "cut off", "gif", "over 20 MB", "too small"],
)
def test_files_that_are_not_usable_photos_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(photos.PhotoProblem) as caught:
        photos.sizes(data)
    assert message in caught.value.message
    assert caught.value.hint


# --- in a build -----------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture site's content with the real templates and styles, as the working folder."""
    copy = tmp_path / "site"
    shutil.copytree(FIXTURE / "content", copy / "content")
    shutil.copytree(ROOT / "templates", copy / "templates")
    shutil.copytree(ROOT / "static", copy / "static")
    shutil.copy(FIXTURE / "static/images/curve.svg", copy / "static/images/curve.svg")
    (copy / "content/clinicians/index.md").write_text(
        "---\ntitle: Our clinicians\ndescription: The people who treat you.\n---\nMeet us.\n"
    )
    monkeypatch.chdir(copy)
    return copy


def with_photo(site: Path, data: bytes | None, front: str = "") -> None:
    """Give Pat Lee a photo (the file's bytes; None: no file) and extra front matter."""
    if data is not None:
        (site / "static/images/team").mkdir(parents=True, exist_ok=True)
        (site / "static/images/team/pat-lee.jpg").write_bytes(data)
    page = site / PAGE
    text = page.read_text()
    extra = front or "photo: /images/team/pat-lee.jpg\nphoto_alt: Pat Lee at the front desk\n"
    page.write_text(text.replace("credentials: DPT\n", "credentials: DPT\n" + extra))


def line_of(site: Path, start: str) -> int:
    lines = (site / PAGE).read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(start))


def test_a_photo_is_published_only_as_clean_copies(site: Path, run) -> None:
    with_photo(site, phone_photo())
    built = run("build")
    assert built.code == 0, built.err
    team = site / "_site/images/team"
    assert sorted(p.name for p in team.iterdir()) == sorted(f"pat-lee-{n}" for n in ALL_COPIES)
    assert not (team / "pat-lee.jpg").exists(), "the uploaded file with its GPS is not published"
    for file in team.iterdir():
        width = int(re.search(r"-(\d+)\.", file.name)[1])
        assert_clean(file.read_bytes(), "WEBP" if file.suffix == ".webp" else "JPEG", width)


def test_the_photo_replaces_the_silhouette_on_the_bio_page_and_shows_on_the_card(
    site: Path, run
) -> None:
    with_photo(site, phone_photo())
    assert run("build").code == 0
    bio = (site / "_site/clinicians/pat-lee/index.html").read_text()
    picture = re.search(r'<picture class="portrait">.*?</picture>', bio)[0]
    assert 'type="image/webp"' in picture
    assert "../../images/team/pat-lee-240.webp 240w" in picture
    assert 'src="../../images/team/pat-lee-240.jpg"' in picture
    assert "../../images/team/pat-lee-360.jpg 360w" in picture
    assert 'width="120" height="120"' in picture and 'alt="Pat Lee at the front desk"' in picture
    assert "portrait-bg" not in bio, "no silhouette beside the photo"
    cards = (site / "_site/clinicians/index.html").read_text()
    card = re.search(r'<picture class="card-photo">.*?</picture>', cards)[0]
    assert 'width="64" height="64"' in card and 'alt=""' in card
    assert 'srcset="../images/team/pat-lee-120.webp 120w' in card


def test_without_a_photo_the_silhouette_stays(site: Path, run) -> None:
    assert run("build").code == 0
    bio = (site / "_site/clinicians/pat-lee/index.html").read_text()
    assert "portrait-bg" in bio and "<picture" not in bio
    assert "<picture" not in (site / "_site/clinicians/index.html").read_text()


BAD_PHOTOS = {
    "not an image": (
        b"not a picture\n" * 100,
        "",
        "static/images/team/pat-lee.jpg: the file is not a JPEG or PNG picture",
    ),
    "over 20 MB": (
        b"\xff\xd8\xff" + bytes(photos.MAX_BYTES),
        "",
        "static/images/team/pat-lee.jpg: the photo is 20.0 MB, more than the 20 MB limit",
    ),
    "missing file": (None, "", "there is no photo static/images/team/pat-lee.jpg"),
    "no alt": (phone_photo(), "photo: /images/team/pat-lee.jpg\n", "the photo has no `photo_alt`"),
}


@pytest.mark.parametrize("case", BAD_PHOTOS, ids=list(BAD_PHOTOS))
def test_a_bad_photo_is_an_error_at_its_line(site: Path, run, case: str) -> None:
    data, front, message = BAD_PHOTOS[case]
    with_photo(site, data, front)
    built = run("build")
    assert built.code == 1
    assert f"{PAGE}:{line_of(site, 'photo:')}: {message}" in messages(built.err), built.err
    assert "hint: " in built.err


@pytest.mark.parametrize(
    "value, expected, hint",
    [
        ("static/images/team/pat-lee.jpg", "a path like /images/team/sam-lee.jpg", "drop 'static'"),
        ("/images/team/pat-lee.gif", "a .jpg, .jpeg or .png file", "JPEG or PNG"),
        ("images/pat lee.jpg", "a path like /images/team/sam-lee.jpg", "static/images/"),
    ],
)
def test_a_photo_path_must_be_a_jpeg_or_png_in_static(
    site: Path, run, value: str, expected: str, hint: str
) -> None:
    with_photo(site, None, f"photo: {value}\nphoto_alt: Pat\n")
    built = run("build")
    assert built.code == 1
    line = line_of(site, "photo:")
    assert f"{PAGE}:{line}: 'photo' should be {expected} (got \"{value}\")" in built.err, built.err
    assert hint in built.err


def test_copies_are_kept_in_the_memo_by_the_photos_bytes(
    site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    with_photo(site, phone_photo())
    made = []
    real = photos.sizes
    monkeypatch.setattr(photos, "sizes", lambda data: made.append(1) or real(data))
    assert run("build").code == 0
    first = (site / "_site/images/team/pat-lee-240.webp").read_bytes()
    assert run("build").code == 0
    assert len(made) == 1, "the second build recalls the copies"
    assert (site / "_site/images/team/pat-lee-240.webp").read_bytes() == first
    (site / "static/images/team/pat-lee.jpg").write_bytes(phone_photo((1000, 1000)))
    assert run("build").code == 0
    assert len(made) == 2, "a new photo is made again"
    assert len(list((site / ".cache/photos").iterdir())) == len(ALL_COPIES), "old copies pruned"


def test_a_static_file_at_a_copys_address_is_an_error(site: Path, run) -> None:
    with_photo(site, phone_photo())
    (site / "static/images/team/pat-lee-120.webp").write_bytes(b"x")
    built = run("build")
    assert built.code == 1
    assert "static/images/team/pat-lee-120.webp has the address of a photo copy" in built.err


# --- videos ---------------------------------------------------------------------------------

GOOD = "[video: Chin tucks, 2:10, https://www.youtube.com/watch?v=abc123, /images/exercise-chin-tuck.svg]"  # noqa: E501


@pytest.mark.parametrize(
    "line, title, length, site_name",
    [
        (GOOD, "Chin tucks", "2 min 10 s", "YouTube"),
        ("[Video: Cat, cow, 0:45, /a.svg, https://youtu.be/x]", "Cat, cow", "45 s", "YouTube"),
        ("[video: Walk, 1:02:00, https://vimeo.com/1, /a.png]", "Walk", "1 h 2 min", "Vimeo"),
        ("[video: Rest, 3:00, https://media.example.org/v/1, /images/a.png]", "Rest", "3 min",
         "media.example.org"),
    ],
)  # fmt: skip
def test_video_lines_are_understood(line: str, title: str, length: str, site_name: str) -> None:
    video = videos.parse(line)
    assert video is not None
    assert (video.title, video.spoken_length, video.site) == (title, length, site_name)


def video_page(site: Path, *lines: str) -> Path:
    page = site / "content/causes/kyphosis.md"
    page.write_text(page.read_text() + "\nWatch this:\n" + "\n".join(lines) + "\n")
    return page


def test_a_video_is_a_poster_and_a_link_out_and_loads_nothing(site: Path, run) -> None:
    assert run("build").code == 0
    headers = (site / "_site/_headers").read_text()
    video_page(site, GOOD, "", "```", GOOD.replace("Chin tucks", "Shown as code"), "```")
    assert run("build").code == 0
    html = (site / "_site/causes/kyphosis/index.html").read_text()
    block = re.search(r'<div class="video">.*?</div>', html, re.DOTALL)[0]
    assert '<a href="https://www.youtube.com/watch?v=abc123" rel="noreferrer">' in block
    assert 'src="../../images/exercise-chin-tuck.svg"' in block
    assert 'width="320"' in block and 'height="180"' in block
    for text in ("Chin tucks", "Video, 2 min 10 s", "Watch on YouTube (opens YouTube)"):
        assert text in block
    assert html.count('class="video"') == 1, "a video line shown as code stays code"
    # nothing on the page loads from another site: every src and srcset is local
    for attr in re.findall(r'\s(?:src|srcset|data)="([^"]*)"', html):
        assert not re.match(r"(https?:)?//", attr), attr
    assert "<iframe" not in html
    assert (site / "_site/_headers").read_text() == headers, "the CSP stays as it is"


BAD_VIDEOS = {
    "no address": (
        "[video: Chin tucks, 2:10, /images/exercise-chin-tuck.svg]",
        "the video has no web address",
    ),
    "http address": (
        "[video: Chin tucks, 2:10, http://www.youtube.com/watch?v=abc, /images/curve.svg]",
        "the video's address should start with https:// (got http://www.youtube.com/watch?v=abc)",
    ),
    "no poster": (
        "[video: Chin tucks, 2:10, https://www.youtube.com/watch?v=abc]",
        "the video has no poster picture",
    ),
    "missing poster": (
        "[video: Chin tucks, 2:10, https://youtu.be/abc, /images/exercise-chin-tuk.svg]",
        "the poster picture /images/exercise-chin-tuk.svg does not exist",
    ),
    "poster under static/": (
        "[video: Chin tucks, 2:10, https://youtu.be/abc, static/images/exercise-chin-tuck.svg]",
        "the poster static/images/exercise-chin-tuck.svg starts with static/",
    ),
    "no length": (
        "[video: Chin tucks, https://youtu.be/abc, /images/exercise-chin-tuck.svg]",
        "the video has no length",
    ),
    "not closed": (
        "[video: Chin tucks, 2:10, https://youtu.be/abc, /images/exercise-chin-tuck.svg",
        "the video line should look like [video: title, length, address, picture]",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD_VIDEOS, ids=list(BAD_VIDEOS))
def test_a_bad_video_line_is_an_error_at_its_line(site: Path, run, case: str) -> None:
    line, message = BAD_VIDEOS[case]
    page = video_page(site, line)
    number = page.read_text().splitlines().index(line) + 1
    built = run("build")
    assert built.code == 1
    assert f"content/causes/kyphosis.md:{number}: {message}" in messages(built.err), built.err


def test_a_misspelt_poster_gets_a_suggestion(site: Path, run) -> None:
    video_page(site, BAD_VIDEOS["missing poster"][0])
    assert "did you mean 'exercise-chin-tuck.svg'?" in run("build").err


def test_every_bad_video_line_is_reported_at_once(site: Path, run) -> None:
    video_page(site, BAD_VIDEOS["no address"][0], "", BAD_VIDEOS["no poster"][0])
    found = [m for m in messages(run("build").err) if "kyphosis.md:" in m]
    assert len(found) == 2, found


# --- a removed element's warning in the preview ----------------------------------------------


def test_the_preview_shows_the_last_builds_warnings_but_the_site_does_not(
    site: Path, tmp_path: Path
) -> None:
    """`serve` adds a folded box of warnings to each page; `_site` itself stays clean."""
    page = site / "content/causes/kyphosis.md"
    iframe = '<iframe src="https://www.youtube.com/embed/abc123"></iframe>'
    page.write_text(page.read_text() + f"\nWatch this video:\n\n{iframe}\n")
    line = page.read_text().splitlines().index(iframe) + 1
    port = free_port()
    with (tmp_path / "serve.log").open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port)],
            cwd=site,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            url = f"http://127.0.0.1:{port}/causes/kyphosis/"
            assert wait_for(lambda: urllib.request.urlopen(url, timeout=5).status == 200)
            shown = urllib.request.urlopen(url, timeout=5).read().decode()
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    assert "<details data-preview-warnings" in shown
    assert f"content/causes/kyphosis.md:{line}" in shown
    assert "a &lt;iframe&gt; element was removed" in shown
    assert shown.index("data-preview-warnings") < shown.rindex("</body>")
    built = (site / "_site/causes/kyphosis/index.html").read_text()
    assert "data-preview-warnings" not in built and "<iframe" not in built
