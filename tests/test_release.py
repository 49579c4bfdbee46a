"""`build --release` refuses what the clinic has not made its own; sample mode says so.

Each rule plants its problem in a copy of the fixture clinic (tests/fixtures/clinic/, which
passes) and checks the exact line a staff member will see. The shipped site must fail with
exactly the list in tests/golden/release/shipped.txt; when pages are added or changed on
purpose, regenerate it with UPDATE_GOLDEN=1 pytest tests/test_release.py and read the diff.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from support import messages

ROOT = Path(__file__).resolve().parent.parent
CLINIC = Path(__file__).resolve().parent / "fixtures" / "clinic"
SHIPPED_LIST = Path(__file__).resolve().parent / "golden" / "release" / "shipped.txt"
TODAY = "2026-12-01"  # the fixture's reviews (2026-10-01) are recent on this day
THEMES = ["--templates", str(ROOT / "templates"), "--static", str(ROOT / "static")]


@pytest.fixture
def clinic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture clinic as the working folder, on a fixed day."""
    copy = tmp_path / "clinic"
    shutil.copytree(CLINIC, copy)
    monkeypatch.chdir(copy)
    monkeypatch.setenv("SITEGEN_TODAY", TODAY)
    return copy


def release(run, *extra: str):
    """`build --release` of the working folder with the real templates."""
    return run("build", "--release", "--no-cache", *THEMES, *extra)


def listed(err: str) -> list[str]:
    """The `file:line: message` lines of a build's output, without hints and summaries."""
    return [
        line
        for line in messages(err)
        if line and not line.startswith(("  hint:", "build failed", "not ready to publish"))
    ]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the fixture clinic -------------------------------------------------------------------


def test_a_real_clinic_passes_release(clinic: Path, run) -> None:
    result = release(run)
    assert result.code == 0, result.err
    assert result.err == ""  # not even a warning
    assert (clinic / "_site" / "index.html").is_file()


def test_a_real_clinic_is_open_to_search_engines(clinic: Path, run) -> None:
    assert release(run).code == 0
    out = clinic / "_site"
    assert (out / "robots.txt").read_text().startswith("User-agent: *\nAllow: /\n")
    for page in _pages(out):
        html = page.read_text(encoding="utf-8")
        assert "sample-banner" not in html, page
        if page.name == "index.html":  # the 404 page is never indexed
            assert 'name="robots"' not in html, page
    person = _jsonld_node(out / "clinicians/robin-vale/index.html", "Person")
    assert person["worksFor"]["name"] == "Harbor Street Back Clinic"


# --- one test per rule ----------------------------------------------------------------------

Plant = Callable[[Path], None]


def _plant_page(rel: str, front: str, body: str) -> Plant:
    def plant(root: Path) -> None:
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")

    return plant


def _edit(rel: str, old: str, new: str) -> Plant:
    return lambda root: edit(root / "content" / rel, old, new)


CAUSE = "causes/muscle-tension.md"  # line 12 is its body's first line
HELP = "when-to-get-help/index.md"
SIGNOFF = "medical_signoff: {name: Dr. Sam Lee, credentials: MD, date: 2026-10-15}"
RULES: dict[str, tuple[Plant, list[str]]] = {
    "sample": (
        _edit("site.yaml", "sample: false", "sample: true"),
        ["content/site.yaml:3: this is the sample site (sample: true)"],
    ),
    "placeholder phone": (
        _edit("site.yaml", "(206) 123-4567", "(206) 555-0142"),
        ["content/site.yaml:8: 'phone' has a placeholder phone number (555-0142)"],
    ),
    "placeholder email": (
        _edit("site.yaml", "desk@harborstreet.test", "desk@example.com"),
        ["content/site.yaml:9: 'email' has a placeholder address (desk@example.com)"],
    ),
    "placeholder address in a page": (
        _edit(CAUSE, "Tight muscles can", "Write to help@example.net. Tight muscles can"),
        [f"content/{CAUSE}:12: this line has a placeholder address (help@example.net)"],
    ),
    "the shipped address": (
        _edit("site.yaml", "12 Harbor Street", "100 Example Street, Suite 1"),
        [
            "content/site.yaml:10: the address is still the shipped one"
            " (100 Example Street, Suite 1, Seattle)"
        ],
    ),
    "the shipped base_url": (
        _edit("site.yaml", "https://www.harborstreet.test/", "https://www.example.org/"),
        ["content/site.yaml:6: base_url is still the shipped one (https://www.example.org/)"],
    ),
    "another placeholder base_url": (
        _edit("site.yaml", "https://www.harborstreet.test/", "https://clinic.example.net/"),
        ["content/site.yaml:6: 'base_url' has a placeholder address (https://clinic.example.net/)"],
    ),
    "a review more than 12 months old": (
        _edit(CAUSE, "reviewed: 2026-10-01", "reviewed: 2025-11-30"),
        [f"content/{CAUSE}:4: the clinical review is more than 12 months old (2025-11-30)"],
    ),
    "a review in the future": (
        _edit(CAUSE, "reviewed: 2026-10-01", "reviewed: 2026-12-02"),
        # refused by every build, not only a release one
        [f"content/{CAUSE}:4: 'reviewed' is in the future (2026-12-02)"],
    ),
    "a health page never reviewed": (
        _edit(CAUSE, "reviewed: 2026-10-01\n", ""),
        [f"content/{CAUSE}: this health page has no clinical review date (reviewed)"],
    ),
    "a reviewer who has not agreed": (
        _edit("clinicians/robin-vale.md", "reviewer_consent: true", "reviewer_consent: false"),
        [
            f"content/{page}:5: 'reviewed_by' names robin-vale, who has not agreed to be named"
            " as a reviewer"
            for page in ("index.md", "causes/index.md", CAUSE, HELP)
        ],
    ),
    "urgent signs without a doctor's sign-off": (
        _edit(HELP, SIGNOFF + "\n", ""),
        [
            f"content/{HELP}: this page of urgent signs has no sign-off by a medical doctor"
            " (MD or DO)"
        ],
    ),
    "urgent signs signed off by someone who is not a doctor": (
        _edit(HELP, "credentials: MD", "credentials: DPT"),
        [
            f"content/{HELP}:6: 'medical_signoff' names Dr. Sam Lee, DPT: urgent signs need a"
            " medical doctor (MD or DO)"
        ],
    ),
    "an old sign-off": (
        _edit(HELP, "date: 2026-10-15", "date: 2025-10-15"),
        [f"content/{HELP}:6: the medical sign-off is more than 12 months old (2025-10-15)"],
    ),
    "pain from elsewhere without a sign-off": (
        _plant_page(
            "causes/pain-from-elsewhere.md",
            "title: Pain from elsewhere\ndescription: Pain felt in the back that starts in"
            " another organ.\nreviewed: 2026-10-01\nreviewed_by: robin-vale\nsources:\n"
            "  - {title: Back pain, url: 'https://www.nhs.uk/conditions/back-pain/'}",
            "Chest pain with back pain needs help now. Read [causes](index.md).",
        ),
        [
            "content/causes/pain-from-elsewhere.md: this page of urgent signs has no sign-off"
            " by a medical doctor (MD or DO)"
        ],
    ),
    "no appointment endpoint": (
        _edit("site.yaml", "appointment_endpoint: https://forms.harborstreet.test/requests", ""),
        [
            "content/site.yaml: there is no appointment_endpoint, and site.yaml does not say"
            " that the clinic takes requests by phone and email only"
        ],
    ),
    "a link over http": (
        _edit(
            CAUSE,
            "Tight muscles can",
            "[NHS](http://www.nhs.uk/conditions/back-pain/). Tight muscles can",
        ),
        [
            f"content/{CAUSE}:12: this line has a link over http://"
            " (http://www.nhs.uk/conditions/back-pain/)"
        ],
    ),
    "an endpoint over http": (
        _edit("site.yaml", "https://forms.harborstreet.test", "http://forms.harborstreet.test"),
        [  # refused by every build, not only a release one
            "content/site.yaml:18: 'appointment_endpoint' should be a web address starting"
            ' with https:// (got "http://forms.harborstreet.test/requests")'
        ],
    ),
}

# Unfinished pages fail every build, not only a release build (drafts excepted).
UNFINISHED: dict[str, tuple[Plant, list[str]]] = {
    "text from new's template": (
        _edit(
            CAUSE,
            "Tight muscles can",
            "TODO: more text. Keep sentences short.\n\nTight muscles can",
        ),
        [
            f"content/{CAUSE}:12: text left from the template of `build.py new`:"
            " 'TODO: more text. Keep sentences short.'"
        ],
    ),
    "a TODO": (
        _edit(CAUSE, "Tight muscles can", "TODO check the NHS page. Tight muscles can"),
        [f"content/{CAUSE}:12: a TODO is left in the page"],
    ),
    "a link to localhost": (
        _edit(
            CAUSE, "Tight muscles can", "[Draft](http://localhost:8000/causes/). Tight muscles can"
        ),
        [
            f"content/{CAUSE}:12: the link http://localhost:8000/causes/ was copied from the"
            " preview and works only on this computer"
        ],
    ),
    "a link to 127.0.0.1": (
        _edit(CAUSE, "Tight muscles can", "<https://127.0.0.1/x> Tight muscles can"),
        [
            f"content/{CAUSE}:12: the link https://127.0.0.1/x was copied from the preview and"
            " works only on this computer"
        ],
    ),
}


@pytest.mark.parametrize("rule", list(RULES))
def test_each_rule_fails_release_with_its_message(clinic: Path, run, rule: str) -> None:
    plant, expected = RULES[rule]
    plant(clinic)
    result = release(run)
    assert result.code == 1
    assert listed(result.err) == expected
    assert "docs/go-live.md" in result.err
    assert not (clinic / "_site").exists(), "a failed release build writes nothing"


@pytest.mark.parametrize("rule", list(UNFINISHED))
def test_unfinished_text_fails_every_build(clinic: Path, run, rule: str) -> None:
    plant, expected = UNFINISHED[rule]
    plant(clinic)
    for result in (run("build", "--no-cache", *THEMES), release(run)):
        assert result.code == 1
        assert listed(result.err) == expected


def test_a_link_copied_from_the_preview_says_which_md_link_to_write(clinic: Path, run) -> None:
    UNFINISHED["a link to localhost"][0](clinic)
    err = run("build", "--no-cache", *THEMES).err
    hint = (
        "  hint: write (index.md) in place of (http://localhost:8000/causes/):"
        " links to pages name their .md file"
    )
    assert hint in err.splitlines()


@pytest.mark.parametrize(
    "rule", ["placeholder phone", "a link over http", "a reviewer who has not agreed"]
)
def test_a_plain_build_shows_the_same_list_as_warnings(clinic: Path, run, rule: str) -> None:
    plant, expected = RULES[rule]
    plant(clinic)
    result = run("build", "--no-cache", *THEMES)
    assert result.code == 0, result.err
    assert listed(result.err) == [re.sub(r"^(\S+): ", r"\1: warning: ", e) for e in expected]


def test_check_shows_the_list_as_warnings(clinic: Path, run) -> None:
    RULES["placeholder phone"][0](clinic)
    result = run("check", "--format", "json", *THEMES)
    data = json.loads(result.out)
    rows = [(w["path"], w["line"], w["message"]) for w in data["warnings"]]
    message = "'phone' has a placeholder phone number (555-0142)"
    assert ("content/site.yaml", 8, message) in rows
    assert not [e for e in data["errors"] if "placeholder" in e["message"]]


def test_drafts_may_hold_todos(clinic: Path, run) -> None:
    _plant_page("causes/rib-pain.md", "title: Rib pain\ndescription: x\ndraft: true", "TODO")(
        clinic
    )
    assert release(run).code == 0


def test_phone_and_email_only_in_so_many_words(clinic: Path, run) -> None:
    RULES["no appointment endpoint"][0](clinic)
    with (clinic / "content/site.yaml").open("a") as config:
        config.write("appointment_requests: phone and email only\n")
    assert release(run).code == 0


def test_appointment_requests_takes_only_those_words(clinic: Path, run) -> None:
    with (clinic / "content/site.yaml").open("a") as config:
        config.write("appointment_requests: by fax\n")
    result = release(run)
    assert result.code == 1
    assert listed(result.err) == [
        "content/site.yaml:31: 'appointment_requests' should be \"phone and email only\""
        ' (got "by fax")'
    ]


def test_a_page_made_by_new_is_a_draft_and_fails_the_build_once_it_is_not(
    clinic: Path, run
) -> None:
    assert run("new", "causes", "Rib pain").code == 0
    assert release(run).code == 0, "a draft is not published, so it is not checked"
    edit(clinic / "content/causes/rib-pain.md", "draft: true", "draft: false")
    found = listed(run("build", "--no-cache", *THEMES).err)
    template = [line for line in found if "text left from the template" in line]
    assert len(template) == 5  # description, summary and three lines of text
    assert not [line for line in found if "a TODO is left" in line]


# --- the shipped site -----------------------------------------------------------------------


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The real content, built from the project folder into a throwaway output folder."""
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("SITEGEN_TODAY", TODAY)
    return tmp_path / "out"


def test_the_shipped_site_fails_release_with_the_expected_list(shipped: Path, run) -> None:
    result = run("build", "--release", "--no-cache", "--out", str(shipped))
    assert result.code == 1
    assert not shipped.exists()
    found = listed(result.err)
    if os.environ.get("UPDATE_GOLDEN"):
        SHIPPED_LIST.parent.mkdir(parents=True, exist_ok=True)
        SHIPPED_LIST.write_text("\n".join(found) + "\n", encoding="utf-8")
    expected = SHIPPED_LIST.read_text(encoding="utf-8").splitlines()
    diff = difflib.unified_diff(expected, found, "expected", "built", lineterm="")
    assert found == expected, "\n".join(diff)
    # What the issue names, whatever pages are added later:
    for start in [
        "content/site.yaml:4: this is the sample site",
        "content/site.yaml:11: base_url is still the shipped one",
        "content/site.yaml:13: 'phone' has a placeholder phone number",
        "content/site.yaml:14: 'email' has a placeholder address",
        "content/site.yaml:15: the address is still the shipped one",
        "content/site.yaml:23: there is no appointment_endpoint",
        "content/when-to-get-help/index.md: this page of urgent signs has no sign-off",
    ]:
        assert any(line.startswith(start) for line in found), start


def test_the_shipped_site_names_unconsented_reviewers_on_every_reviewed_page(
    shipped: Path, run
) -> None:
    found = listed(run("build", "--release", "--no-cache", "--out", str(shipped)).err)
    reviewed = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "content").rglob("*.md")
        if re.search(r"(?m)^reviewed_by: ", path.read_text(encoding="utf-8").split("\n---")[0])
        and not re.search(r"(?m)^draft: true", path.read_text(encoding="utf-8"))
    }
    named = {line.split(":")[0] for line in found if "who has not agreed" in line}
    assert named == reviewed


def test_the_shipped_site_builds_with_the_list_as_warnings(shipped: Path, run) -> None:
    result = run("build", "--no-cache", "--out", str(shipped))
    assert result.code == 0, result.err
    expected = SHIPPED_LIST.read_text(encoding="utf-8").splitlines()
    assert listed(result.err) == [re.sub(r"^(\S+?): ", r"\1: warning: ", e) for e in expected]


# --- sample mode ---------------------------------------------------------------------------

BANNER = (
    "<strong>This is a sample site.</strong> The clinic, its contact details, its clinicians"
    " and its review records are examples. For health advice, see your own doctor."
)


def test_sample_mode_puts_the_banner_and_noindex_on_every_page(clinic: Path, run) -> None:
    edit(clinic / "content/site.yaml", "sample: false", "sample: true")
    edit(clinic / "content/causes/muscle-tension.md", "title:", "aliases: [/old/]\ntitle:")
    assert run("build", "--no-cache", *THEMES).code == 0
    out = clinic / "_site"
    pages = _pages(out)
    assert len(pages) == 9  # seven pages, the 404 page and a redirect
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert BANNER in html, page
        assert html.count('<meta name="robots" content="noindex">') == 1, page
    assert (out / "robots.txt").read_text().endswith("User-agent: *\nDisallow: /\n")
    person = _jsonld_node(out / "clinicians/robin-vale/index.html", "Person")
    assert "worksFor" not in person


def test_the_shipped_site_is_a_sample_on_every_page(shipped: Path, run) -> None:
    assert run("build", "--no-cache", "--out", str(shipped)).code == 0
    for page in _pages(shipped):
        html = page.read_text(encoding="utf-8")
        assert BANNER in html and 'content="noindex"' in html, page
    for name, practice in [
        ("doran-hendelman", "Back to Wellness, Studio City"),
        ("jessica-jones", "Therapydia, Seattle"),
    ]:
        html = (shipped / "clinicians" / name / "index.html").read_text(encoding="utf-8")
        assert f"Works at {practice}. Not at this clinic: this is a sample site." in html
        assert "worksFor" not in _jsonld_node(
            shipped / "clinicians" / name / "index.html", "Person"
        )


def test_a_clinician_at_another_practice_is_not_claimed_as_staff(clinic: Path, run) -> None:
    edit(clinic / "content/clinicians/robin-vale.md", "role:", "practice: Elsewhere PT\nrole:")
    assert release(run).code == 0
    page = clinic / "_site/clinicians/robin-vale/index.html"
    assert "Works at Elsewhere PT.</p>" in page.read_text(encoding="utf-8")
    assert "worksFor" not in _jsonld_node(page, "Person")


def _pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def _jsonld_node(page: Path, kind: str) -> dict:
    html = page.read_text(encoding="utf-8")
    text = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert text, page
    graph = json.loads(text.group(1))["@graph"]
    return next(node for node in graph if node["@type"] == kind)
