"""Clinician photos: one uploaded JPEG or PNG -> small square WebP and JPEG copies.

A photo taken on a phone carries the place it was taken (GPS) and the camera's details in
its EXIF block. The copies are made from the pixels alone, so none of that is published;
the uploaded file itself is never copied to the site. `sizes()` is a pure function from
the uploaded bytes to the copies' bytes; `gather()` reads the files and keeps the copies in
the build memo by the hash of those bytes, since decoding a large photo is slow.
"""

from __future__ import annotations

import io
import os
import posixpath
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import memo as memo_mod
from .errors import SiteError, did_you_mean, display_path
from .fields import Mistake, site_path

MAX_BYTES = 20 * 1024 * 1024  # a phone photo is 2 to 8 MB; more is a mistake or a raw file
WIDTHS = (120, 240, 360)  # the bio page shows 120 CSS pixels: 1x, 2x and 3x screens
FORMATS = {"webp": ("WEBP", {"quality": 80, "method": 4}), "jpg": ("JPEG", {"quality": 82})}
SUFFIXES = (".jpg", ".jpeg", ".png")
VERSION = "photos-1"  # change when the copies are made differently: the memo starts afresh


@dataclass(frozen=True, slots=True)
class Size:
    """One size of a photo: its width (= height) and the addresses of its two copies."""

    width: int
    webp: str
    jpeg: str


@dataclass(frozen=True, slots=True)
class Photo:
    """A clinician's photo as written in front matter, and the copies the build makes."""

    source: str  # '/images/team/sam-lee.jpg', a file in static/

    @property
    def sizes(self) -> tuple[Size, ...]:
        stem = posixpath.splitext(self.source)[0]
        return tuple(Size(w, f"{stem}-{w}.webp", f"{stem}-{w}.jpg") for w in WIDTHS)

    @property
    def fallback(self) -> str:
        """The JPEG for browsers without WebP (the middle size: sharp on most screens)."""
        return self.sizes[1].jpeg


class PhotoProblem(ValueError):
    """Why a file cannot be used as a photo, and what to do."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def photo_path(value: Any) -> Photo:
    """Front matter: the path of a JPEG or PNG file in static/, like /images/team/sam.jpg."""
    text = value.strip() if isinstance(value, str) else ""
    if text.startswith("static/"):
        raise Mistake("a path like /images/team/sam-lee.jpg", f"drop 'static': /{text[7:]}")
    try:
        path = site_path(text)
    except Mistake:
        raise Mistake(
            "a path like /images/team/sam-lee.jpg",
            "save the photo in static/images/ and write its path from /images/",
        ) from None
    if not path.lower().endswith(SUFFIXES):
        raise Mistake("a .jpg, .jpeg or .png file", "save the photo as a JPEG or PNG")
    return Photo(path)


# --- the copies: bytes in, bytes out ----------------------------------------------------


def sizes(data: bytes) -> dict[str, bytes]:
    """The copies of one photo, by name ('120.webp', '120.jpg', ...), square, cut from its
    middle (a little above the middle in a tall photo, where the face usually is), with no
    metadata. Raises PhotoProblem for a file that is not a usable photo."""
    if len(data) > MAX_BYTES:
        size = len(data) / 1024 / 1024
        hint = "save a smaller copy: most phones can share a photo at 'medium' size"
        raise PhotoProblem(f"the photo is {size:.1f} MB, more than the 20 MB limit", hint)
    square = _square(_opened(data))
    out: dict[str, bytes] = {}
    for width in WIDTHS:
        small = square.resize((width, width), _lanczos())
        clean = _image_module().frombytes("RGB", small.size, small.tobytes())  # no info
        for suffix, (fmt, options) in FORMATS.items():
            buffer = io.BytesIO()
            clean.save(buffer, fmt, **options)
            out[f"{width}.{suffix}"] = buffer.getvalue()
    return out


def _image_module() -> Any:
    """Pillow, imported when a site has photos (most builds never load it)."""
    from PIL import Image

    return Image


def _lanczos() -> Any:
    return _image_module().Resampling.LANCZOS


def _opened(data: bytes) -> Any:
    """The photo decoded, turned upright as the camera meant, as RGB on white."""
    image_mod = _image_module()
    from PIL import ImageOps, UnidentifiedImageError

    not_photo = PhotoProblem(
        "the file is not a JPEG or PNG picture",
        "open it and save it again as .jpg or .png (a renamed file is not enough)",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", image_mod.DecompressionBombWarning)
            image = image_mod.open(io.BytesIO(data))
            if image.format not in ("JPEG", "PNG"):
                raise not_photo
            image.draft("RGB", (2 * WIDTHS[-1], 2 * WIDTHS[-1]))  # JPEG: decode smaller
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise not_photo from exc
    except (image_mod.DecompressionBombWarning, image_mod.DecompressionBombError) as exc:
        hint = "save a smaller copy, at most 8000 pixels wide"
        raise PhotoProblem("the picture has too many pixels", hint) from exc
    return _in_srgb(_on_white(upright), image.info.get("icc_profile"))


def _in_srgb(image: Any, icc: bytes | None) -> Any:
    """Colours turned into sRGB: the copies carry no colour profile, and a phone's wider
    one (Display P3) would otherwise look dull."""
    if not icc:
        return image
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        srgb = ImageCms.createProfile("sRGB")
        return ImageCms.profileToProfile(image, source, srgb, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a damaged or unusual profile: the colours stay as they are


def _on_white(image: Any) -> Any:
    """RGB pixels; a PNG's see-through parts become white (JPEG has no transparency)."""
    image_mod = _image_module()
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        back = image_mod.new("RGB", rgba.size, (255, 255, 255))
        back.paste(rgba, mask=rgba.getchannel("A"))
        return back
    return image.convert("RGB")


def _square(image: Any) -> Any:
    """The largest square: from the middle of a wide photo, nearer the top of a tall one."""
    width, height = image.size
    side = min(width, height)
    if side < WIDTHS[-1]:
        hint = f"use a photo at least {WIDTHS[-1]} pixels wide and high"
        raise PhotoProblem(f"the photo is too small ({width} x {height} pixels)", hint)
    left = (width - side) // 2
    top = (height - side) // 4
    return image.crop((left, top, left + side, top + side))


# --- in the build: read each page's photo, make (or recall) its copies ------------------


def gather(
    pages: list[Any], static: Path, memo: memo_mod.Memo
) -> tuple[dict[str, bytes], list[str], list[SiteError]]:
    """Every photo's copies (output path -> bytes), the uploaded files not to publish
    (output paths), and the problems, each at its page's `photo:` line."""
    files: dict[str, bytes] = {}
    sources: list[str] = []
    errors: list[SiteError] = []
    used: set[str] = set()
    for page in pages:
        photo = page.params.get("photo")
        if photo is None:
            continue
        made, error = _page_photo(page, photo, static, memo, used)
        errors += [error] if error else []
        sources.append(photo.source.lstrip("/"))
        for size in photo.sizes:
            for suffix, path in (("webp", size.webp), ("jpg", size.jpeg)):
                if made:
                    files[path.lstrip("/")] = made[f"{size.width}.{suffix}"]
    _prune(memo.folder / "photos", used)
    return files, sources, errors


def _page_photo(
    page: Any, photo: Photo, static: Path, memo: memo_mod.Memo, used: set[str]
) -> tuple[dict[str, bytes] | None, SiteError | None]:
    """One page's photo copies, or the problem with its photo."""
    line = page.line_of("photo")
    if not page.params.get("photo_alt"):
        hint = "add `photo_alt:` with a few words about the photo, e.g. Sam Lee smiling"
        return None, SiteError("the photo has no `photo_alt`", page.shown, line, hint)
    file = static / photo.source.lstrip("/")
    try:
        data = file.read_bytes()
    except OSError:
        return None, SiteError(
            f"there is no photo static{photo.source}", page.shown, line, _missing_hint(file)
        )
    key = memo_mod.digest(VERSION, _pillow_version(), data)
    used.add(key)
    made = _recall(memo, key)
    if made is None:
        try:
            made = sizes(data)
        except PhotoProblem as problem:
            message = f"static{photo.source}: {problem.message}"
            return None, SiteError(message, page.shown, line, problem.hint)
        _keep(memo, key, made)
    return made, None


def _missing_hint(file: Path) -> str:
    """Name the closest file in the folder the photo was looked for in."""
    folder = file.parent
    names = [p.name for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    near = did_you_mean(file.name, names) if names else ""
    where = f"put the photo in {display_path(folder)}/"
    return f"{near} (or {where})" if near.startswith("did") else where


def _pillow_version() -> str:
    from PIL import __version__

    return __version__


def _names() -> list[str]:
    return [f"{w}.{suffix}" for w in WIDTHS for suffix in FORMATS]


def _recall(memo: memo_mod.Memo, key: str) -> dict[str, bytes] | None:
    """The copies kept by an earlier build, or None if any is missing or damaged."""
    made = {}
    for name in _names():
        try:
            data = (memo.folder / "photos" / f"{key}-{name}").read_bytes()
        except OSError:
            return None
        check, body = data[: memo_mod.DIGEST_LENGTH], data[memo_mod.DIGEST_LENGTH :]
        if check.decode("ascii", "replace") != memo_mod.digest(body):
            return None
        made[name] = body
    return made


def _keep(memo: memo_mod.Memo, key: str, made: dict[str, bytes]) -> None:
    """Keep the copies for the next build; a full disk only makes that one slower."""
    try:
        for name, data in made.items():
            memo_mod.store(memo.folder / "photos" / f"{key}-{name}", data, checked=True)
    except OSError:
        pass


def _prune(folder: Path, used: set[str]) -> None:
    """Forget the copies of photos no page uses any more."""
    names = os.listdir(folder) if folder.is_dir() else []
    for name in names:
        if name.split("-", 1)[0] not in used:
            (folder / name).unlink(missing_ok=True)


def publish(
    outputs: dict[str, Any], files: dict[str, bytes], sources: list[str]
) -> tuple[dict[str, Any], list[SiteError]]:
    """The outputs with the photos' copies added and the uploaded files left out; a copy
    whose address a static file already has is an error."""
    if not outputs:  # the build failed before making any
        return outputs, []
    merged = {path: out for path, out in outputs.items() if path not in sources}
    errors = []
    for path, data in files.items():
        if path in merged:
            hint = f"rename or remove static/{path}: the build makes it from a clinician's photo"
            errors.append(
                SiteError(f"static/{path} has the address of a photo copy", "", None, hint)
            )
        merged[path] = data
    return dict(sorted(merged.items())), errors
