"""`build.py move OLD.md NEW.md`: the page is renamed, its old address still works, every
link to it is rewritten, and nothing changes when any step would fail."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import messages, tree_hashes

from sitegen import move
from sitegen.move import MovePlan, plan_move

ROOT = Path(__file__).resolve().parent.parent


def errors_of(output: str) -> list[str]:
    """The error lines of a build's output (warnings left out)."""
    return [m for m in messages(output) if m.startswith("content/") and ": warning:" not in m]


def test_a_moved_page_keeps_its_old_address_and_every_link_follows(shipped: Path, run) -> None:
    result = run("move", "content/causes/kyphosis.md", "content/causes/rounded-upper-back.md")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "moved content/causes/kyphosis.md to content/causes/rounded-upper-back.md"
    assert lines[1] == (
        "its old address /causes/kyphosis/ now sends visitors to /causes/rounded-upper-back/"
        " (see `aliases`)"
    )
    assert "content/causes/scoliosis.md" in lines[2]
    assert not (shipped / "content/causes/kyphosis.md").exists()
    moved = (shipped / "content/causes/rounded-upper-back.md").read_text()
    assert "\naliases: [/causes/kyphosis/]\n---\n" in moved
    fracture = (shipped / "content/causes/spine-fracture.md").read_text()
    assert "[kyphosis](rounded-upper-back.md)" in fracture
    assert "related: [/when-to-get-help/, /causes/rounded-upper-back/]" in fracture
    article = (shipped / "content/articles/common-causes-of-upper-back-pain.md").read_text()
    assert "](../causes/rounded-upper-back.md)" in article
    built = run("build")
    assert built.code == 0, built.err
    assert errors_of(built.err) == []
    redirect = (shipped / "_site/causes/kyphosis/index.html").read_text()
    assert 'content="0; url=../rounded-upper-back/"' in redirect


def test_a_page_moved_to_another_folder_keeps_its_own_links_working(shipped: Path, run) -> None:
    before = (shipped / "content/faq.md").read_text()
    assert "](causes/pain-from-elsewhere.md)" in before
    result = run("move", "content/faq.md", "content/about/questions.md")
    assert result.code == 0, result.err
    after = (shipped / "content/about/questions.md").read_text()
    assert "](../causes/pain-from-elsewhere.md)" in after
    assert "](../when-to-get-help/index.md)" in after
    built = run("build")
    assert built.code == 0, built.err
    assert (shipped / "_site/faq/index.html").is_file(), "the old address still answers"


def test_moving_a_page_back_takes_its_address_out_of_aliases(shipped: Path, run) -> None:
    assert run("move", "content/causes/kyphosis.md", "content/causes/round-back.md").code == 0
    assert run("move", "content/causes/round-back.md", "content/causes/kyphosis.md").code == 0
    page = (shipped / "content/causes/kyphosis.md").read_text()
    assert "\naliases: [/causes/round-back/]\n" in page
    built = run("build")
    assert built.code == 0, built.err


def test_renaming_a_treatment_renames_it_in_treatments_lists(shipped: Path, run) -> None:
    result = run("move", "content/treatments/massage-therapy.md", "content/treatments/massage.md")
    assert result.code == 0, result.err
    assert (
        "treatments: [massage, physical-therapy]"
        in (shipped / "content/causes/muscle-tension.md").read_text()
    )
    assert run("build").code == 0


@pytest.mark.parametrize(
    "old, new, message, hint",
    [
        (
            "content/causes/no-such-page.md",
            "content/causes/b.md",
            "there is no page content/causes/no-such-page.md",
            "give the page's file, like content/causes/rib-ache.md",
        ),
        (
            "content/causes/kyphosis.md",
            "content/causes/scoliosis.md",
            "content/causes/scoliosis.md already has the address /causes/scoliosis/",
            "choose another name, or move that page first",
        ),
        (
            "content/causes/kyphosis.md",
            "content/kyphosis.md",
            "content/causes/kyphosis.md cannot become content/kyphosis.md:"
            " there, unknown field 'treatments'",
            "choose a folder where pages have the same fields, or change the page first",
        ),
        (
            "content/clinicians/doran-hendelman.md",
            "content/about/doran.md",
            "other pages name content/clinicians/doran-hendelman.md by its short name",
            "keep the page in content/clinicians/, or change those pages first",
        ),
    ],
)
def test_a_move_that_cannot_be_made_changes_nothing(
    shipped: Path, run, old: str, new: str, message: str, hint: str
) -> None:
    before = tree_hashes(shipped / "content")
    result = run("move", old, new)
    assert result.code == 1
    assert messages(result.err) == [message, f"  hint: {hint}", "nothing was changed"]
    assert tree_hashes(shipped / "content") == before


def test_the_address_of_another_pages_alias_is_refused(shipped: Path, run) -> None:
    moved = shipped / "content/causes/scoliosis.md"
    moved.write_text(moved.read_text().replace("\n---\n", "\naliases: [/causes/round/]\n---\n", 1))
    before = tree_hashes(shipped / "content")
    result = run("move", "content/causes/kyphosis.md", "content/causes/round.md")
    assert result.code == 1
    assert messages(result.err)[:2] == [
        "/causes/round/ is an old address of content/causes/scoliosis.md (in its `aliases`)",
        "  hint: choose another name, or take the address out of that page's `aliases` first",
    ]
    assert tree_hashes(shipped / "content") == before


def test_a_new_name_outside_content_is_refused(shipped: Path, run, tmp_path: Path) -> None:
    before = tree_hashes(shipped / "content")
    result = run("move", "content/causes/kyphosis.md", str(tmp_path / "kyphosis.md"))
    assert result.code == 1
    assert messages(result.err)[0] == "the new file must be inside the content folder"
    assert tree_hashes(shipped / "content") == before


def test_a_failure_half_way_puts_every_file_back(
    shipped: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = tree_hashes(shipped / "content")
    real_write, calls = move._write, []

    def failing(path: Path, text: str | None) -> None:
        calls.append(path)
        if len(calls) == 4:
            raise OSError("the disk is full")
        real_write(path, text)

    monkeypatch.setattr(move, "_write", failing)
    result = run("move", "content/causes/kyphosis.md", "content/causes/rounded-upper-back.md")
    assert result.code == 1
    assert messages(result.err)[0] == "the page could not be moved: the disk is full"
    assert len(calls) > 4, "the files already written were written back"
    assert tree_hashes(shipped / "content") == before


PAGE = "---\ntitle: {title}\ndescription: x\n{extra}---\n{body}"


def test_the_plan_rewrites_every_form_of_link_and_nothing_else() -> None:
    texts = {
        "causes/a.md": PAGE.format(title="A", extra="", body="Text.\n"),
        "causes/b.md": PAGE.format(
            title="B",
            extra="related: [/causes/a/, /causes/ab/]\n",
            body="[one](a.md#why) [two](/causes/a/) [three](../a/)\n"
            "[four][ref] [five](ab.md) [six](https://a.md/)\n\n[ref]: a.md\n",
        ),
        "causes/ab.md": PAGE.format(title="AB", extra="", body="Text.\n"),
        "site.yaml": "nav:\n  - {title: A, url: /causes/a/}\n  - {title: AB, url: /causes/ab/}\n",
    }
    plan = plan_move(texts, "causes/a.md", "self-care/c.md")
    assert isinstance(plan, MovePlan)
    after = {edit.rel: edit.after for edit in plan.edits}
    assert after["causes/b.md"] == PAGE.format(
        title="B",
        extra="related: [/self-care/c/, /causes/ab/]\n",
        body="[one](../self-care/c.md#why) [two](/self-care/c/) [three](../../self-care/c/)\n"
        "[four][ref] [five](ab.md) [six](https://a.md/)\n\n[ref]: ../self-care/c.md\n",
    )
    assert after["site.yaml"] == texts["site.yaml"].replace("/causes/a/}", "/self-care/c/}")
    assert after["causes/a.md"] is None
    assert "aliases: [/causes/a/]\n---\n" in after["self-care/c.md"]
    assert "causes/ab.md" not in after
    assert [e.rel for e in plan.edits][-1] == "causes/a.md", "the old file is removed last"
