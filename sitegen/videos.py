"""Video lines in Markdown: a local poster and a link to the video, never an embed.

An editor writes one line, on its own between blank lines:

    [video: Chin tucks, 2:10, https://www.youtube.com/watch?v=abc123, /images/video-chin-tuck.svg]

The page shows the poster, the title, the length and a link that says where it goes. An
embedded player would load the video site's scripts and cookies on every visit; a link
loads nothing until the patient follows it. Parsing and checking live here, apart from
the Markdown converter, so the build checks every page without loading Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import SiteError, did_you_mean

LINE = re.compile(r"^ {0,3}\[video[ \t]*:", re.IGNORECASE)
WHOLE = re.compile(r"^ {0,3}\[video:(?P<parts>[^\]]*)\][ \t]*$", re.IGNORECASE)
LENGTH = re.compile(r"^(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>[0-5]\d)$")
ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)", re.IGNORECASE)
PICTURE = (".svg", ".png", ".jpg", ".jpeg", ".webp", ".gif")
SITES = {"youtube.com": "YouTube", "youtu.be": "YouTube", "vimeo.com": "Vimeo"}
EXAMPLE = "[video: Chin tucks, 2:10, https://www.youtube.com/watch?v=abc123, /images/poster.svg]"
ANYWHERE = re.compile(r"\[video", re.IGNORECASE)
CODE_FENCE = re.compile(r"^ {0,3}(```|~~~)")


@dataclass(frozen=True, slots=True)
class Video:
    """One video line, understood."""

    title: str
    length: str  # as written: '2:10'
    url: str
    poster: str  # a site path: '/images/video-chin-tuck.svg'

    @property
    def site(self) -> str:
        """The name of the site the link opens: 'YouTube', or its host name."""
        host = (urlsplit(self.url).hostname or "").removeprefix("www.").removeprefix("m.")
        return SITES.get(host, host)

    @property
    def spoken_length(self) -> str:
        """'2:10' -> '2 min 10 s', which a screen reader reads the same way people see it."""
        match = LENGTH.match(self.length)
        if match is None:
            return self.length
        units = zip((match["h"], match["m"], match["s"]), ("h", "min", "s"), strict=True)
        parts = [f"{int(value)} {unit}" for value, unit in units if value and int(value)]
        return " ".join(parts) or "0 s"


@dataclass(frozen=True, slots=True)
class Pieces:
    """The comma-separated parts of a video line, sorted by what they look like."""

    title: str = ""
    length: str = ""
    url: str = ""
    poster: str = ""


def pieces(parts: str) -> Pieces:
    """Sort the parts: an address, a picture path, a length; the rest is the title, so a
    title may hold commas and the parts may come in any order."""
    url = poster = length = ""
    title: list[str] = []
    for part in (p.strip() for p in parts.split(",")):
        if ADDRESS.match(part) and not url:
            url = part
        elif part.lower().endswith(PICTURE) and not poster:
            poster = part
        elif LENGTH.match(part) and not length:
            length = part
        elif part:
            title.append(part)
    return Pieces(", ".join(title), length, url, poster)


def parse(line: str) -> Video | None:
    """A well-formed video line -> Video; anything else -> None (see `problems`)."""
    match = WHOLE.match(line)
    if match is None:
        return None
    p = pieces(match["parts"])
    if not p.title or not p.length or not p.url.startswith("https://") or not p.poster:
        return None
    if not p.poster.startswith("/") or urlsplit(p.url).hostname is None:
        return None
    return Video(p.title, p.length, p.url, p.poster)


def problems(line: str, static: Path) -> list[tuple[str, str]]:
    """What is wrong with one video line, as (message, hint) pairs; [] when nothing is."""
    match = WHOLE.match(line)
    if match is None:
        return [("the video line should look like [video: title, length, address, picture]",
                 f"write it on one line, like {EXAMPLE}")]  # fmt: skip
    p = pieces(match["parts"])
    found = []
    if not p.title:
        found.append(("the video has no title", "write what the video shows first"))
    if not p.length:
        found.append(("the video has no length", "add how long it runs, like 2:10"))
    found += _address_problems(p.url)
    found += _poster_problems(p.poster, static)
    return found


def _address_problems(url: str) -> list[tuple[str, str]]:
    if not url:
        hint = "add the video's address, like https://www.youtube.com/watch?v=abc123"
        return [("the video has no web address", hint)]
    if not url.lower().startswith("https://") or urlsplit(url).hostname is None:
        hint = "copy the address from the video site's Share button: it starts with https://"
        return [(f"the video's address should start with https:// (got {url})", hint)]
    return []


def _poster_problems(poster: str, static: Path) -> list[tuple[str, str]]:
    if not poster:
        hint = "add the path of a picture in static/images/, like /images/video-chin-tuck.svg"
        return [("the video has no poster picture", hint)]
    if poster.startswith("static/"):
        return [(f"the poster {poster} starts with static/", f"drop static/: /{poster[7:]}")]
    if not poster.startswith("/"):
        return [(f"the poster {poster} should start with /", f"write /images/{poster}")]
    file = static / poster.lstrip("/")
    if file.is_file():
        return []
    names = [f.name for f in file.parent.iterdir() if f.is_file()] if file.parent.is_dir() else []
    near = did_you_mean(file.name, names) if names else ""
    hint = near if near.startswith("did") else "put the picture in static/images/ and use its path"
    return [(f"the poster picture {poster} does not exist", hint)]


def video_lines(body: str) -> list[tuple[int, str]]:
    """(index, line) of every line of a body that starts a video line, outside code."""
    found, fenced = [], None
    for index, line in enumerate(body.split("\n")):
        fence = CODE_FENCE.match(line)
        if fence and (fenced is None or fence[1] == fenced):
            fenced = None if fenced else fence[1]
        elif fenced is None and LINE.match(line):
            found.append((index, line))
    return found


def video_errors(pages: list, static: Path) -> list[SiteError]:
    """Every problem with every page's video lines, at the page's file and line."""
    errors = []
    for page in pages:
        if not ANYWHERE.search(page.body):  # most pages: one quick look
            continue
        for index, line in video_lines(page.body):
            for message, hint in problems(line, static):
                errors.append(SiteError(message, page.shown, page.body_line + index, hint))
    return errors
