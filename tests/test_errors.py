"""One case per mistake a staff member can make, with the exact message they will see."""

from __future__ import annotations

from pathlib import Path

import pytest

VALID = "---\ntitle: A page\ndescription: A short description.\n---\nSome text.\n"

CASES = {
    "front matter missing": (
        "content/causes/a.md",
        "title: A page\n\nSome text.\n",
        [
            "content/causes/a.md:1: the front matter is missing",
            "  hint: the first line must be --- and the fields (title, description...) come next",
        ],
    ),
    "front matter not closed": (
        "content/causes/a.md",
        "---\ntitle: A page\ndescription: Short.\n\nSome text.\n",
        [
            "content/causes/a.md:1: the front matter is never closed",
            "  hint: add a line with --- after the last field",
        ],
    ),
    "YAML syntax error on its own line": (
        "content/causes/a.md",
        "---\ntitle: A page\ndescription: Pain: what helps\n---\nSome text.\n",
        [
            "content/causes/a.md:3: the front matter is not valid YAML:"
            " mapping values are not allowed in this context",
            "  hint: each line should look like `name: value`; put text with a colon in quotes",
        ],
    ),
    "wrong type": (
        "content/causes/a.md",
        "---\ntitle: A page\ndescription: Short.\nreviewed: March 2026\n---\nSome text.\n",
        [
            "content/causes/a.md:4: 'reviewed' should be a date like 2026-03-01"
            ' (got "March 2026")',
            "  hint: write the year, month and day as YYYY-MM-DD",
        ],
    ),
    "not a real day": (
        "content/causes/a.md",
        "---\ntitle: A page\ndescription: Short.\nreviewed: 2026-02-30\n---\nSome text.\n",
        [
            "content/causes/a.md:4: 'reviewed' should be a real date (got \"2026-02-30\")",
            "  hint: that month has no such day",
        ],
    ),
    "unknown field": (
        "content/causes/a.md",
        "---\ntitel: A page\ndescription: Short.\n---\nSome text.\n",
        [
            "content/causes/a.md:2: unknown field 'titel'",
            "  hint: did you mean 'title'?",
            "content/causes/a.md:2: the required field 'title' is missing",
            "  hint: add a line `title: ...` (the page's heading)",
        ],
    ),
    "missing required field": (
        "content/causes/a.md",
        "---\ntitle: A page\n---\nSome text.\n",
        [
            "content/causes/a.md:2: the required field 'description' is missing",
            "  hint: add a line `description: ...` (one sentence for search results,"
            " 160 characters)",
        ],
    ),
    "description too long": (
        "content/causes/a.md",
        f"---\ntitle: A page\ndescription: {'x' * 161}\n---\nSome text.\n",
        [
            f"content/causes/a.md:3: 'description' should be at most 160 characters (it has 161)"
            f' (got "{"x" * 47}...")',
            "  hint: shorten it; search engines cut longer descriptions",
        ],
    ),
    "two pages with one URL": (
        "content/causes/Kyphosis.md",
        VALID,
        [
            "content/causes/kyphosis.md: two pages have the address /causes/kyphosis/",
            "  hint: rename one of them; 'content/causes/Kyphosis.md' already has this address",
        ],
    ),
    "broken internal link": (
        "content/causes/a.md",
        VALID + "\nRead about [scoliosis](scoliosis-page.md).\n",
        [
            "content/causes/a.md:7: the link to scoliosis-page.md goes to a page that does not"
            " exist",
            "  hint: check the file name; links to other pages end in .md, like kyphosis.md",
        ],
    ),
    "broken heading link": (
        "content/causes/a.md",
        VALID + "\nSee [what to do](kyphosis.md#what-to-do).\n",
        [
            "content/causes/a.md:7: the link goes to #what-to-do, which is not a heading in"
            " content/causes/kyphosis.md",
            "  hint: use the id of a heading in content/causes/kyphosis.md; headings become ids"
            " like 'what-to-expect'",
        ],
    ),
    "missing image": (
        "content/causes/a.md",
        VALID + "\n![A spine](/images/nothing.svg)\n",
        [
            "content/causes/a.md:7: the image /images/nothing.svg does not exist",
            "  hint: put the picture in static/ and use its path",
        ],
    ),
    "template syntax error": (
        "templates/page.html",
        "{% extends 'base.html' %}\n{% block main %}\n{% if page.reviewed %}\n{% endblock %}\n",
        [
            "templates/page.html:4: template syntax error: Encountered unknown tag 'endblock'."
            " You probably made a nesting mistake. Jinja is expecting this tag, but currently"
            " looking for 'elif' or 'else' or 'endif'. The innermost block that needs to be"
            " closed is 'if'.",
            "  hint: close the inner block (its {% end... %}) before this tag",
        ],
    ),
    "template typo": (
        "templates/page.html",
        "{% extends 'base.html' %}\n{% block main %}\n{{ page.titel }}\n{% endblock %}\n",
        [
            "templates/page.html:3: template error: page has no attribute 'titel'",
            "  hint: check the spelling; docs/content-model.md lists what templates can use",
        ],
    ),
    "missing template": (
        "content/causes/a.md",
        "---\ntitle: A page\ndescription: Short.\ntemplate: fancy.html\n---\nSome text.\n",
        [
            "content/causes/a.md:4: the template 'fancy.html' does not exist",
            "  hint: use one of: 404.html, article.html, base.html, clinician.html, home.html,"
            " page.html, redirect.html, section.html",
        ],
    ),
    "reviewer who is not a clinician": (
        "content/causes/a.md",
        "---\ntitle: A page\ndescription: Short.\nreviewed_by: dr-who\n---\nSome text.\n",
        [
            "content/causes/a.md:4: 'reviewed_by' names no clinician: there is no"
            " content/clinicians/dr-who.md",
            "  hint: use one of: pat-lee",
        ],
    ),
    "site.yaml wrong type": (
        "content/site.yaml",
        None,  # filled in by the test: the fixture's site.yaml with a bad value
        [
            "content/site.yaml:28: 'reading_grade' should be a whole number like 10"
            ' (got "eight")',
        ],
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_error_message(name: str, site: Path, run) -> None:
    rel, text, expected = CASES[name]
    path = site / rel
    if text is None:
        text = path.read_text() + "reading_grade: eight\n"
    path.write_text(text, encoding="utf-8")
    result = run("build")
    assert result.code == 1
    lines = result.err.splitlines()
    assert lines[:-1] == expected
    assert lines[-1] == f"build failed: {len(expected) // 2 or 1} error(s); _site is unchanged"


def test_file_not_utf8(site: Path, run) -> None:
    (site / "content/causes/a.md").write_bytes(b"---\ntitle: Caf\xe9\ndescription: x\n---\nx\n")
    result = run("build")
    assert result.code == 1
    assert result.err.splitlines()[:2] == [
        "content/causes/a.md:2: the file is not saved as UTF-8 text",
        "  hint: save the file as UTF-8 (in most editors: Save As, Encoding: UTF-8)",
    ]


def test_every_error_of_a_run_is_reported_together(site: Path, run) -> None:
    (site / "content/causes/a.md").write_text("no front matter\n")
    (site / "content/causes/b.md").write_text("---\ntitle: B\n---\ntext\n")
    (site / "content/causes/c.md").write_text(VALID + "[x](missing.md)\n")
    result = run("build")
    assert result.code == 1
    located = [line.split(": ", 1)[0] for line in result.err.splitlines() if line[0] != " "]
    assert located == [
        "content/causes/a.md:1",
        "content/causes/b.md:2",
        "content/causes/c.md:6",
        "build failed",
    ]


def test_no_traceback_without_debug(site: Path, run) -> None:
    (site / "content/causes/a.md").write_text("no front matter\n")
    assert "Traceback" not in run("build").err
