"""The table of page kinds: a new kind is one entry and one template, and every field
is documented for `new` (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen import fields as f
from sitegen import kinds
from sitegen.kinds import KINDS, Kind, field_

TERM_TEMPLATE = """<!doctype html>
<html lang="en"><head><title>{{ page.title }}</title></head>
<body><h1>{{ page.title }}</h1><p class="plural">{{ page.params.plural }}</p>
{{ content }}</body></html>
"""


@pytest.fixture
def terms_kind(monkeypatch: pytest.MonkeyPatch) -> Kind:
    """A glossary-like kind: pages in content/terms/, a field of their own, a template."""
    plural = field_(f.text(), "The word for more than one.", required=True, example="discs")
    kind = Kind("terms", "term.html", "WebPage", {"plural": plural}, section=True)
    monkeypatch.setitem(KINDS, "terms", kind)
    return kind


def test_a_new_kind_is_one_entry_and_one_template(site: Path, run, terms_kind: Kind) -> None:
    (site / "templates/term.html").write_text(TERM_TEMPLATE)
    page = site / "content/terms/disc.md"
    page.parent.mkdir()
    page.write_text("---\ntitle: Disc\ndescription: A cushion.\nplural: discs\n---\nA cushion.\n")
    result = run("build", "--no-cache")
    assert result.code == 0, result.err
    html = (site / "_site/terms/disc/index.html").read_text()
    assert '<p class="plural">discs</p>' in html, "its own template and its own field"


def test_a_new_kind_checks_its_own_fields(site: Path, run, terms_kind: Kind) -> None:
    (site / "templates/term.html").write_text(TERM_TEMPLATE)
    page = site / "content/terms/disc.md"
    page.parent.mkdir()
    page.write_text("---\ntitle: Disc\ndescription: A cushion.\n---\nA cushion.\n")
    result = run("build", "--no-cache")
    assert result.code == 1
    assert "content/terms/disc.md:2: the required field 'plural' is missing" in result.err
    assert "hint: add a line `plural: ...`: the word for more than one" in result.err


def test_new_writes_the_fields_of_a_new_kind(site: Path, run, terms_kind: Kind) -> None:
    assert run("new", "terms", "Disc").code == 0
    text = (site / "content/terms/disc.md").read_text()
    assert "# The word for more than one.\nplural: discs\n" in text


def test_a_field_without_a_doc_is_refused_when_the_table_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kind = Kind("bare", "page.html", "WebPage", {"colour": f.Field(f.text())}, section=True)
    monkeypatch.setitem(KINDS, "bare", kind)
    with pytest.raises(TypeError, match=r"bare\.colour"):
        kinds.check_table()


def test_every_shipped_field_has_a_doc_and_a_value_for_new() -> None:
    kinds.check_table()  # the table as shipped loads
    for kind in KINDS.values():
        for name, field in kinds.field_table(kind.name).items():
            assert field.doc.strip(), f"{kind.name}.{name}"
            assert field.starter is not None or field.example, f"{kind.name}.{name}"


def test_the_content_model_documents_every_field_of_every_kind() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs/content-model.md").read_text()
    missing = sorted(
        {name for kind in KINDS for name in kinds.field_table(kind) if f"`{name}`" not in doc}
    )
    assert not missing, f"docs/content-model.md does not describe: {missing}"
