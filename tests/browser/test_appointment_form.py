"""The appointment form, built from a copy of the content with an endpoint set in site.yaml.

The real site.yaml may leave `appointment_endpoint` empty (the page then shows the phone and
email), so the form is checked on its own build: accessible, valid, and validated natively.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitegen.config import DAY_NAMES, load_config

from .browserkit import (
    ROOT,
    SCREENSHOTS,
    Watched,
    build,
    content_copy,
    run_axe,
    serve,
    vnu_errors,
)

ENDPOINT = "https://forms.example.org/appointments"
PATH = "/appointments/"


def _set_endpoint(content: Path) -> None:
    config = content / "site.yaml"
    text = re.sub(
        r"(?m)^appointment_endpoint:.*$", f'appointment_endpoint: "{ENDPOINT}"', config.read_text()
    )
    if "appointment_endpoint:" not in text:
        text += f'\nappointment_endpoint: "{ENDPOINT}"\n'
    config.write_text(text)


@pytest.fixture(scope="module")
def form_site() -> Path:
    out, log = build("--content", str(content_copy(_set_endpoint)))
    if out is None:
        pytest.fail(log, pytrace=False)
    if not (out / "appointments" / "index.html").is_file():
        pytest.fail("the built site has no /appointments/ page", pytrace=False)
    return out


@pytest.fixture(scope="module")
def form_url(form_site: Path) -> Iterator[str]:
    with serve(form_site) as url:
        yield url


def test_form_page_is_valid_html(form_site: Path) -> None:
    assert vnu_errors([form_site / "appointments" / "index.html"], form_site) == []


def test_form_is_accessible(context: object, form_url: str, axe_source: str) -> None:
    watched = Watched(context, form_url)
    watched.goto(PATH)
    page = watched.page
    form = page.locator("form.appointment-form")
    assert form.get_attribute("action") == ENDPOINT
    assert form.get_attribute("method") == "post"
    assert run_axe(page, axe_source) == []
    page.emulate_media(color_scheme="dark")
    assert run_axe(page, axe_source, ["color-contrast"]) == []
    assert watched.problems == []


def test_form_groups_and_labels(context: object, form_url: str) -> None:
    page = context.new_page()
    page.goto(form_url + PATH)
    legends = page.locator("form fieldset > legend").all_inner_texts()
    assert any("new or existing" in t and "(required)" in t for t in legends), legends
    assert any("days" in t for t in legends) and any("time of day" in t for t in legends)
    for field in page.locator("form.appointment-form input").all():
        field_id = field.get_attribute("id")
        assert page.locator(f'label[for="{field_id}"]').is_visible(), field_id
    assert (
        "do not include medical details"
        in page.locator("form.appointment-form").inner_text().lower()
    )


def _minutes(clock: str) -> int:
    """'8 am' -> 480, '5:30 pm' -> 1050, 'noon' -> 720."""
    if clock == "noon":
        return 720
    found = re.fullmatch(r"(\d+)(?::(\d\d))? (am|pm)", clock)
    assert found, f"not a time: {clock!r}"
    hour = int(found[1]) % 12 + (12 if found[3] == "pm" else 0)
    return hour * 60 + int(found[2] or 0)


def test_form_offers_only_days_and_times_inside_the_opening_hours(
    context: object, form_url: str
) -> None:
    """The days are the days in site.yaml's hours, in week order; each time of day lies
    inside the opening hours; and the hours themselves are shown next to the choices."""
    config, errors = load_config(ROOT / "content" / "site.yaml")
    assert config is not None, errors
    page = context.new_page()
    page.goto(form_url + PATH)
    days = [
        page.locator(f'label[for="{box.get_attribute("id")}"]').inner_text()
        for box in page.locator('form input[name="days"]').all()
    ]
    open_days = {day for hours in config.hours for day in hours.days}
    assert days == [name for code, name in DAY_NAMES.items() if code in open_days]
    opens = min(_minutes_24(h.opens) for h in config.hours)
    closes = max(_minutes_24(h.closes) for h in config.hours)
    times = [
        page.locator(f'label[for="{radio.get_attribute("id")}"]').inner_text()
        for radio in page.locator('form input[name="time"]').all()
    ]
    assert times, "the form offers no time of day"
    for label in times:
        found = re.fullmatch(r"\w+ \((.+) to (.+)\)", label)
        assert found, f"the time {label!r} does not say its hours"
        start, end = _minutes(found[1]), _minutes(found[2])
        assert opens <= start < end <= closes, f"{label!r} is outside the opening hours"
    hint = page.locator("#hint-hours")
    assert hint.is_visible()
    assert all(hours.label in hint.inner_text() for hours in config.hours)


def _minutes_24(hhmm: str) -> int:
    hour, minute = hhmm.split(":")
    return int(hour) * 60 + int(minute)


def test_native_validation_stops_an_empty_request(context: object, form_url: str) -> None:
    """Without JavaScript the browser refuses to send it and shows the messages tied to fields."""
    page = context.new_page()
    page.goto(form_url + PATH)
    page.get_by_role("button", name="Send request").click()
    assert page.url == form_url + PATH, "an empty form was sent"
    invalid = page.evaluate("[...document.querySelectorAll('form :invalid')].map(e => e.id)")
    assert {"patient-new", "req-name", "req-contact"} <= set(invalid), invalid
    for field_id, error_id in [("req-name", "err-name"), ("req-contact", "err-contact")]:
        described = page.locator(f"#{field_id}").get_attribute("aria-describedby") or ""
        assert error_id in described.split(), f"{field_id} is not tied to its error message"
        assert page.locator(f"#{error_id}").is_visible(), f"{error_id} is not shown"


def test_form_works_without_javascript(browser: object, form_url: str) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(form_url + PATH)
        assert page.locator("form.appointment-form").is_visible()
        assert page.locator("form [required]").count() >= 3
    finally:
        ctx.close()


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", png[16:24])


@pytest.mark.parametrize("width", [375, 1280])
def test_form_screenshot(browser: object, form_url: str, width: int) -> None:
    """A full-page picture for a person to look at, taken once the whole form fits the width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(form_url + PATH)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "scrolls sideways"
        for part in ("form.appointment-form", "form fieldset >> nth=0", "form button"):
            box = page.locator(part).first.bounding_box()
            assert box and box["width"] > 0 and box["height"] > 0, f"{part} is not shown"
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{part} is cut off"
        shot = SCREENSHOTS / f"appointments-form-{width}.png"
        png = page.screenshot(path=str(shot), full_page=True)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert _png_size(png) == (width, height), "the picture is not the whole page"
        assert shot.read_bytes() == png
    finally:
        ctx.close()
