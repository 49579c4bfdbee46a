"""`content/site.yaml` -> a frozen `SiteConfig`, with every problem reported."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import fields as f
from .errors import SiteError, did_you_mean, display_path

DAY_NAMES = {
    "Mo": "Monday",
    "Tu": "Tuesday",
    "We": "Wednesday",
    "Th": "Thursday",
    "Fr": "Friday",
    "Sa": "Saturday",
    "Su": "Sunday",
}


EXTENSION = re.compile(r"(?i)\s*(?:,|;|#|\bext\b\.?|\bextension\b|\bx)\s*\d+\s*$")


@dataclass(frozen=True, slots=True)
class Address:
    street: str
    locality: str
    region: str
    postal_code: str
    country: str = "US"


@dataclass(frozen=True, slots=True)
class Hours:
    days: tuple[str, ...]
    opens: str
    closes: str

    @property
    def label(self) -> str:
        """'Monday to Friday, 8 am to 6 pm' for people to read."""
        names = [DAY_NAMES[d] for d in self.days]
        days = f"{names[0]} to {names[-1]}" if _consecutive(self.days) else ", ".join(names)
        if len(names) == 1:
            days = names[0]
        return f"{days}, {_clock(self.opens)} to {_clock(self.closes)}"


@dataclass(frozen=True, slots=True)
class NavItem:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Urgent:
    """The two-tier "get help" box: 911 now, then a doctor today."""

    title: str
    signs: tuple[str, ...]
    more: str
    soon_title: str = ""
    soon_signs: tuple[str, ...] = ()
    elsewhere: str = ""  # optional: the page on pain that may not come from the back


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """The clinic's identity and the site's settings, as read from site.yaml."""

    name: str
    base_url: str
    language: str
    phone: str
    email: str
    address: Address
    hours: tuple[Hours, ...]
    nav: tuple[NavItem, ...]
    urgent: Urgent
    disclaimer: str
    tagline: str = ""
    appointment_endpoint: str = ""
    reading_grade: int = 8
    max_page_kb: int = 2048
    sample: bool = False
    appointment_requests: str = ""
    lines: tuple[tuple[str, int], ...] = ()  # key ('address.street' when nested) -> file line

    def line_of(self, key: str) -> int | None:
        """The line of site.yaml where `key` is written, if it is."""
        return dict(self.lines).get(key)

    @property
    def phone_href(self) -> str:
        """A tel: link from the digits of the phone number (US numbers get +1); an
        extension ('ext. 12', 'x12') is left out: dialled with the number, it is not reached."""
        number = EXTENSION.sub("", self.phone)
        digits = re.sub(r"\D", "", number)
        if number.strip().startswith("+"):
            return f"tel:+{digits}"
        return f"tel:+1{digits}" if len(digits) == 10 else f"tel:{digits}"

    @property
    def base_path(self) -> str:
        """The path part of base_url, e.g. '/clinic/' or '/'."""
        return urlsplit(self.base_url).path or "/"

    def absolute(self, path: str) -> str:
        """A site path as a full address: '/causes/' -> 'https://example.org/clinic/causes/'.
        The one place where base_url is joined to a path."""
        return self.base_url.rstrip("/") + path

    def rooted(self, path: str) -> str:
        """A site path from the host's root: '/causes/' -> '/clinic/causes/'."""
        return self.base_path.rstrip("/") + path


def _consecutive(days: tuple[str, ...]) -> bool:
    order = list(DAY_NAMES)
    idx = [order.index(d) for d in days]
    return len(idx) > 2 and idx == list(range(idx[0], idx[0] + len(idx)))


def _clock(hhmm: str) -> str:
    """'08:00' -> '8 am', '17:30' -> '5:30 pm'."""
    hour, minute = (int(x) for x in hhmm.split(":"))
    suffix = "am" if hour < 12 else "pm"
    hour12 = hour % 12 or 12
    return f"{hour12} {suffix}" if minute == 0 else f"{hour12}:{minute:02d} {suffix}"


def _day(value: object) -> str:
    if isinstance(value, str) and value in DAY_NAMES:
        return value
    raise f.Mistake("a day like Mo, Tu, We, Th, Fr, Sa or Su")


def _time(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):  # YAML reads 08:00 as minutes
        value = f"{value // 60:02d}:{value % 60:02d}"
    if isinstance(value, str) and re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
        return value.strip().zfill(5)  # '9:00' -> '09:00'
    raise f.Mistake(
        'a time like "08:00"',
        'write the time as hours:minutes on a 24-hour clock, in quotes, like "17:30"',
    )


def _base_url(value: object) -> str:
    checked = f.url(value)
    parts = urlsplit(checked)
    if parts.query or parts.fragment or "?" in checked or "#" in checked:
        raise f.Mistake(
            "a web address with no ? or # part",
            "write only the site's address, like https://example.org/",
        )
    if "." in parts.path.rsplit("/", 1)[-1]:
        raise f.Mistake(
            "the address of a folder, ending in /",
            "leave out the file name: https://example.org/index.html is https://example.org/",
        )
    return checked if checked.endswith("/") else checked + "/"


def _endpoint(value: object) -> str:
    if value in ("", None):
        return ""
    checked = f.url(value)
    if not checked.lower().startswith("https://"):
        raise f.Mistake(
            "a web address starting with https://",
            "over http:// the form would send patients' details unencrypted",
        )
    return checked


def _hours(days: tuple[str, ...], opens: str, closes: str) -> Hours:
    """Opening hours that make sense: some days, and closing after opening."""
    if not days:
        raise f.Mistake("a group whose 'days' names at least one day", "write days: [Mo, Tu]")
    if closes <= opens:
        raise f.Mistake(
            f"a group where 'closes' ({closes}) is later than 'opens' ({opens})",
            'use the 24-hour clock: 6 pm is "18:00"',
        )
    return Hours(days, opens, closes)


PHONE_AND_EMAIL_ONLY = "phone and email only"


def _requests(value: object) -> str:
    """How appointment requests reach the clinic: said in so many words, or not at all."""
    if isinstance(value, str) and " ".join(value.lower().split()) == PHONE_AND_EMAIL_ONLY:
        return PHONE_AND_EMAIL_ONLY
    raise f.Mistake(
        f'"{PHONE_AND_EMAIL_ONLY}"',
        "write it only if the clinic takes no requests through a form;"
        " otherwise leave it out and set appointment_endpoint",
    )


def _key_lines(data: dict, first_line: int) -> tuple[tuple[str, int], ...]:
    """Each key's line in the file, nested groups as 'address.street'."""
    found: list[tuple[str, int]] = []
    for key, line in getattr(data, "lines", {}).items():
        found.append((key, first_line + line))
        inner = data.get(key)
        for sub, sub_line in getattr(inner, "lines", {}).items():
            found.append((f"{key}.{sub}", first_line + sub_line))
    return tuple(found)


def _urgent(**values: object) -> Urgent:
    """The urgent box; the second tier needs both its title and its signs."""
    if bool(values.get("soon_title")) != bool(values.get("soon_signs")):
        missing = "soon_signs" if values.get("soon_title") else "soon_title"
        raise f.Mistake(
            "a group with both 'soon_title' and 'soon_signs'",
            f"add `{missing}:` or remove the other one",
        )
    return Urgent(**values)  # type: ignore[arg-type]


HOURS_FIELDS: dict[str, f.Field] = {
    "days": f.Field(f.list_of(_day), True),
    "opens": f.Field(_time, True),
    "closes": f.Field(_time, True),
}


def hours_problems(items: object, shown: str, first_line: int) -> list[SiteError]:
    """Every bad value in the opening hours, each at its own line with just that value."""
    if not isinstance(items, list):
        return []
    found: list[SiteError] = []
    for item in items:
        if not isinstance(item, dict):
            return []  # not a group at all: the general message says what an item looks like
        lines = getattr(item, "lines", {})
        start = first_line + getattr(item, "start", 0)
        for key in sorted(item.keys() - HOURS_FIELDS.keys()):
            hint = did_you_mean(key, HOURS_FIELDS)
            found.append(SiteError(f"unknown field '{key}' in hours", shown, start, hint))
        for key, spec in HOURS_FIELDS.items():
            line = first_line + lines[key] if key in lines else start
            if item.get(key) is None:
                hint = f"add `{key}:` to this group of hours"
                found.append(SiteError(f"opening hours without '{key}'", shown, start, hint))
                continue
            values = item[key] if key == "days" and isinstance(item[key], list) else [item[key]]
            convert = _day if key == "days" else spec.convert
            found += _bad_values(key, values, convert, shown, line)
    return found


def _as_written(value: object) -> object:
    """A time as the file has it: YAML 1.1 reads an unquoted 25:00 as 1500 minutes."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value // 60:02d}:{value % 60:02d}"
    return value


def _bad_values(
    key: str, values: list, convert: f.Convert, shown: str, line: int
) -> list[SiteError]:
    """One error for each value of `values` that `convert` refuses, quoting just it."""
    found = []
    for value in values:
        try:
            convert(value)
        except f.Mistake as exc:
            written = _as_written(value) if key != "days" else value
            message = f"'{key}' in hours should be {exc.expected} (got {f.shown(written)})"
            found.append(SiteError(message, shown, line, exc.hint))
    return found


FIELDS: dict[str, f.Field] = {
    "name": f.Field(f.text(), True, "the clinic's name"),
    "tagline": f.Field(f.text(), doc="a short line under the name"),
    "base_url": f.Field(_base_url, True, "where the site is published, e.g. https://example.org/"),
    "language": f.Field(f.text(), True, "the language code, e.g. en-US"),
    "phone": f.Field(f.text(), True, "the phone number as patients should see it"),
    "email": f.Field(f.text(), True, "the clinic's email address"),
    "address": f.Field(
        f.record(
            {
                "street": f.Field(f.text(), True),
                "locality": f.Field(f.text(), True),
                "region": f.Field(f.text(), True),
                "postal_code": f.Field(f.text(), True),
                "country": f.Field(f.text()),
            },
            Address,
        ),
        True,
        "street, locality, region, postal_code, country",
    ),
    "hours": f.Field(
        f.list_of(f.record(HOURS_FIELDS, _hours)),
        True,
        "opening hours",
    ),
    "nav": f.Field(
        f.list_of(
            f.record({"title": f.Field(f.text(), True), "url": f.Field(f.site_path, True)}, NavItem)
        ),
        True,
        "the main navigation",
    ),
    "urgent": f.Field(
        f.record(
            {
                "title": f.Field(f.text(), True),
                "signs": f.Field(f.list_of(f.text()), True),
                "soon_title": f.Field(f.text()),
                "soon_signs": f.Field(f.list_of(f.text())),
                "more": f.Field(f.site_path, True),
                "elsewhere": f.Field(f.site_path),
            },
            _urgent,
        ),
        True,
        "the short 'get help now' box: 911 signs, then see-a-doctor-today signs",
    ),
    "disclaimer": f.Field(f.text(), True, "the medical disclaimer in every footer"),
    "appointment_endpoint": f.Field(_endpoint, doc="where the appointment form is sent"),
    "reading_grade": f.Field(f.integer, doc="the highest reading grade `check` accepts"),
    "max_page_kb": f.Field(f.integer, doc="the largest Markdown file accepted, in KB"),
    "sample": f.Field(
        f.boolean,
        doc="true while this is the shipped sample site: every page says so and is kept out of"
        " search engines, and `build --release` refuses to build it (default false)",
    ),
    "appointment_requests": f.Field(
        _requests,
        doc='"phone and email only" when the clinic takes no requests through a form, so that'
        " `build --release` accepts an empty appointment_endpoint",
    ),
}


def load_config(
    path: Path, base_url: str | None = None
) -> tuple[SiteConfig | None, list[SiteError]]:
    """Read and check site.yaml; `base_url` (from the command line) overrides the file."""
    shown = display_path(path)
    if not path.is_file():
        hint = "create content/site.yaml with the clinic's name, phone, address and navigation"
        return None, [SiteError("site.yaml is missing", shown, None, hint)]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return None, [SiteError("site.yaml is not saved as UTF-8", shown, None, "save it as UTF-8")]
    data, errors = f.parse_yaml(text.replace("\r\n", "\n"), shown, 1)
    if errors:
        return None, [
            e.__class__(e.message.replace("front matter", "file"), *_rest(e)) for e in errors
        ]
    if not isinstance(data, dict):
        hint = "site.yaml should be a list of `name: value` lines"
        return None, [
            SiteError("site.yaml should hold fields, not " + f.shown(data), shown, 1, hint)
        ]
    if base_url is not None:
        data["base_url"] = base_url
    values, errors = f.validate(data, FIELDS, shown, 1)
    detailed = hours_problems(data.get("hours"), shown, 1)
    if detailed:  # each bad value at its own line, instead of one message about the list
        errors = [e for e in errors if not e.message.startswith("'hours' should be")] + detailed
    if errors:
        return None, errors
    return SiteConfig(**values, lines=_key_lines(data, 1)), []


def _rest(error: SiteError) -> tuple:
    return error.path, error.line, error.hint
