"""Values in site.yaml at their edges: opening times, and how a long value is shown."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
from pathlib import Path

import pytest

from sitegen.fields import shown

TIME_HINT = 'write the time as hours:minutes on a 24-hour clock, in quotes, like "17:30"'


def set_opening(site: Path, opens: str, closes: str = '"17:30"') -> None:
    """Replace the fixture's opening hours (written as YAML, quotes included)."""
    config = site / "content/site.yaml"
    text = config.read_text()
    text = text.replace('opens: "08:00"', f"opens: {opens}").replace(
        'closes: "17:30"', f"closes: {closes}"
    )
    config.write_text(text)


@pytest.mark.parametrize(
    "opens",
    ['"25:00"', '"24:00"', '"8am"', '"08:60"', '"08:00:00"', '"0800"', "25:00", "noon"],
)
def test_bad_opening_times_are_refused(site: Path, run, opens: str) -> None:
    result = run("build")
    assert result.code == 0, "the fixture builds before the change"
    set_opening(site, opens)
    result = run("build")
    assert result.code == 1
    value = opens.strip('"') if opens.startswith('"') else opens
    if opens == "25:00":  # unquoted: YAML 1.1 would read minutes; the text is kept as written
        value = "25:00"
    assert """content/site.yaml:15: 'opens' in hours should be a time like "08:00\"""" in result.err
    assert f'(got "{value}")' in result.err, "just the bad value, quoted"
    assert TIME_HINT in result.err


@pytest.mark.parametrize(
    ("opens", "closes", "shown_hours"),
    [
        ('"00:00"', '"23:59"', "12 am to 11:59 pm"),
        ('"09:05"', '"19:59"', "9:05 am to 7:59 pm"),
        ("08:00", "17:30", "8 am to 5:30 pm"),  # unquoted: YAML reads minutes, still understood
        ('"12:00"', '"20:00"', "12 pm to 8 pm"),
    ],
)
def test_good_opening_times_are_shown(
    site: Path, run, opens: str, closes: str, shown_hours: str
) -> None:
    set_opening(site, opens, closes)
    result = run("build")
    assert result.code == 0, result.err
    html = (site / "_site/index.html").read_text()
    assert f"Monday to Friday, {shown_hours} " in html


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["x" * 56], '["' + "x" * 56 + '"]'),  # 60 characters: shown whole
        (["x" * 57], '["' + "x" * 55 + "..."),  # 61: cut to 60, the last three are dots
        (["x" * 200], '["' + "x" * 55 + "..."),
        ("y" * 50, '"' + "y" * 50 + '"'),  # a string of 50 is shown whole
        ("y" * 51, '"' + "y" * 47 + '..."'),  # 51: cut to 47 and dots, inside the quotes
        (dt.date(2026, 3, 1), "2026-03-01"),
        ("caf\u00e9", '"caf\u00e9"'),  # as typed, not \\u escapes
    ],
    ids=["60", "61", "200", "str50", "str51", "date", "accent"],
)
def test_shown_values_are_cut_at_60_characters(value: object, expected: str) -> None:
    text = shown(value)
    assert text == expected
    assert len(text) <= 60


def test_the_reading_grade_limit_is_8_when_site_yaml_says_nothing(
    tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    fixtures = Path(__file__).resolve().parent / "fixtures"
    shutil.copytree(fixtures / "check", tmp_path / "check")
    monkeypatch.chdir(tmp_path / "check")
    monkeypatch.setenv("SITEGEN_TODAY", "2026-06-01")
    monkeypatch.setattr(socket.socket, "connect", _offline)
    config = tmp_path / "check/content/site.yaml"
    config.write_text(config.read_text().replace("reading_grade: 8\n", ""))
    templates = str(fixtures / "site/templates")
    result = run("check", "--templates", templates, "--format", "json")
    hard = [w for w in json.loads(result.out)["warnings"] if "reading level" in w["message"]]
    assert [w["path"] for w in hard] == ["content/guide/hard-to-read.md"]
    assert hard[0]["message"].endswith("this site aims for grade 8 or lower")


def _offline(*args: object) -> None:
    raise OSError("tests run offline")
