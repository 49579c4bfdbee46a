"""The one table of page kinds: each kind's fields, template, structured data and rules.

Content checks front matter against it, the model picks templates from it, seo picks the
schema.org type, checks and release know which pages are health information, and `new`
writes every field with its doc. A new kind of page is one entry here and one template.

A field's `doc` is what `new` writes above it. `starter` is the value `new` writes (None:
the field is written as a comment with its `example`); both may name {title}, {today} and
{clinician}, and a doc may name {clinicians}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from . import fields as f
from .photos import photo_path


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    url: str
    publisher: str = ""


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of page."""

    name: str
    template: str
    schema_type: str  # schema.org: "MedicalWebPage", "Person" or "WebPage"
    fields: Mapping[str, f.Field] = field(default_factory=lambda: MappingProxyType({}))
    required: tuple[str, ...] = ()  # fields of every page that this kind requires
    health: bool = False  # health information: needs named sources and a clinical review
    about: str = ""  # the schema.org type of what the page is about
    section: bool = False  # pages in content/<name>/ are of this kind


def field_(
    convert: f.Convert,
    doc: str,
    *,
    required: bool = False,
    starter: str | None = None,
    example: str = "",
    params: bool = False,
) -> f.Field:
    """A page field: how to read it, what it is for, and how `new` writes it."""
    return f.Field(convert, required, doc, example, starter, params)


SLUG_DOC = "a clinician's short name, the file name in content/clinicians/ ({clinicians})"
SOURCE = f.record(
    {
        "title": f.Field(f.text(), True),
        "url": f.Field(f.url, True),
        "publisher": f.Field(f.text()),
    },
    Source,
)
SIGNOFF = f.record(
    {
        "name": f.Field(f.text(), True),
        "credentials": f.Field(f.text(), True),
        "date": f.Field(f.date, True),
    }
)

# Fields of every page. The model has an attribute for each, except those marked `params`.
COMMON: dict[str, f.Field] = {
    "title": field_(
        f.text(),
        "The page's heading, also shown in the browser tab.",
        required=True,
        starter="{title}",
    ),
    "description": field_(
        f.text(160),
        "One sentence for search results and page cards (at most 160 characters).",
        required=True,
        starter="TODO: one sentence about {title}.",
    ),
    "summary": field_(
        f.text(),
        "The main message, shown in large text under the title.",
        starter="TODO: the main message of this page, in one or two short sentences.",
    ),
    "date": field_(f.date, "The day the page was first published (YYYY-MM-DD).", starter="{today}"),
    "updated": field_(f.date, "The day of the last real change to the page.", example="{today}"),
    "reviewed": field_(
        f.date,
        "The day of the last clinical review; the next one is due 12 months later.",
        example="{today}",
    ),
    # Any text here: the model checks it against the clinicians' pages and suggests a name.
    "reviewed_by": field_(
        f.text(), f"Who did the clinical review: {SLUG_DOC}.", example="{clinician}"
    ),
    "author": field_(f.text(), f"Who wrote the page: {SLUG_DOC}.", example="{clinician}"),
    "sources": field_(
        f.list_of(SOURCE),
        "Public sources for the facts on this page; cite them in the text as [#1], [#2].\n"
        "Replace [] with three lines for each source, like:\n"
        "  - title: Back pain\n    publisher: NHS\n"
        "    url: https://www.nhs.uk/conditions/back-pain/",
        starter="[]",
    ),
    "draft": field_(
        f.boolean,
        "true keeps the page off the published site while you work on it;\n"
        "set it to false when the page is finished and reviewed.",
        starter="true",
    ),
    "weight": field_(
        f.integer, "Order in lists and menus: lower numbers come first.", starter="10"
    ),
    "aliases": field_(
        f.list_of(f.site_path),
        "Old addresses of this page, each sent here, e.g. [/old-address/].",
        starter="[]",
    ),
    "keywords": field_(
        f.list_of(f.text()),
        "Words a patient might use for this page's topic, e.g. [slipped disc, bulging disc].\n"
        "Search finds the page by them, and the A to Z page lists each one.",
        example="[slipped disc, bulging disc]",
    ),
    "template": field_(
        f.text(), "Only to use another layout than the usual one.", example="page.html"
    ),
    "related": field_(
        f.list_of(f.site_path),
        "Other pages to list under 'Related pages', e.g. [/self-care/].",
        starter="[]",
    ),
    "medical_signoff": field_(
        SIGNOFF,
        "Pages with urgent signs only: the medical doctor (MD or DO) who signed them off.",
        example='{{name: "Dr. Jane Doe", credentials: MD, date: {today}}}',
        params=True,
    ),
}

TREATMENTS_DOC = "Treatment pages, by file name in content/treatments/, e.g. [physical-therapy]."
FAQ = field_(
    f.boolean,
    "true marks the page up as questions and answers: level-2 headings ending in ?",
    example="true",
)
CLINICIAN_FIELDS = {
    "role": field_(
        f.text(),
        "Their job, shown with the name (required).",
        required=True,
        starter="TODO: e.g. Chiropractor",
    ),
    "credentials": field_(f.text(), "Letters after the name.", starter="TODO: e.g. D.C."),
    "photo": field_(
        photo_path,
        "A JPEG or PNG photo saved in static/images/, by its path from /images/; the\n"
        "build makes small copies without the camera's details. Needs photo_alt.",
        example="/images/team/sam-lee.jpg",
    ),
    "photo_alt": field_(
        f.text(150),
        "A few words saying what the photo shows, for people who cannot see it.",
        example="Sam Lee smiling, in a blue clinic top",
    ),
    "education": field_(
        f.list_of(
            f.record(
                {
                    "degree": f.Field(f.text(), True),
                    "school": f.Field(f.text(), True),
                    "year": f.Field(f.integer),
                }
            )
        ),
        "Degrees, each as {{degree: ..., school: ..., year: ...}} (year may be left out).",
        starter="[]",
    ),
    "training": field_(
        f.list_of(f.text()), "Residencies and certifications, one item each.", starter="[]"
    ),
    "interests": field_(f.list_of(f.text()), "Clinical interests, one item each.", starter="[]"),
    "techniques": field_(f.list_of(f.text()), "Techniques they use, one item each.", starter="[]"),
    "treatments": field_(f.list_of(f.slug), TREATMENTS_DOC, starter="[]"),
    "personal": field_(
        f.text(), "A short personal note.", example="Outside work, Sam enjoys hiking."
    ),
    "practice": field_(
        f.text(),
        "The practice they work at, only if it is not this clinic.",
        example="Another Practice, Seattle",
    ),
    "reviewer_consent": field_(
        f.boolean,
        "true only once they have agreed to be named as the reviewer of pages.",
        starter="false",
    ),
}


def _kinds(*kinds: Kind) -> dict[str, Kind]:
    return {kind.name: kind for kind in kinds}


KINDS: dict[str, Kind] = _kinds(
    Kind("home", "home.html", "WebPage"),
    Kind("section", "section.html", "WebPage", MappingProxyType({"faq": FAQ})),
    Kind("page", "page.html", "WebPage", MappingProxyType({"faq": FAQ})),
    Kind(
        "causes",
        "page.html",
        "MedicalWebPage",
        MappingProxyType({"treatments": field_(f.list_of(f.slug), TREATMENTS_DOC, starter="[]")}),
        health=True,
        about="MedicalCondition",
        section=True,
    ),
    Kind("symptoms", "page.html", "MedicalWebPage", health=True, section=True),
    Kind(
        "treatments",
        "page.html",
        "MedicalWebPage",
        MappingProxyType(
            {
                "visits": field_(
                    f.text(), "How many visits are typical.", example="Often 4 to 8 visits."
                )
            }
        ),
        health=True,
        about="MedicalTherapy",
        section=True,
    ),
    Kind(
        "clinicians", "clinician.html", "Person", MappingProxyType(CLINICIAN_FIELDS), section=True
    ),
    Kind(
        "articles",
        "article.html",
        "MedicalWebPage",
        required=("date", "author"),
        health=True,
        section=True,
    ),
)


def section_kinds() -> tuple[str, ...]:
    """The folders of content/ whose pages are a kind of their own."""
    return tuple(name for name, kind in KINDS.items() if kind.section)


def kind_of(rel: str) -> str:
    """The kind of page a content path holds: its section's, if that is a kind."""
    parts = rel.split("/")
    if len(parts) == 1:
        return "home" if parts[0] == "index.md" else "page"
    if parts[-1] == "index.md":
        return "section"
    kind = KINDS.get(parts[0])
    return parts[0] if kind is not None and kind.section else "page"


def field_table(kind: str) -> dict[str, f.Field]:
    """Every field a page of this kind may have, with its own required ones."""
    entry = KINDS.get(kind) or KINDS["page"]
    table = {**COMMON, **entry.fields}
    for name in entry.required:
        table[name] = replace(table[name], required=True)
    return table


def param_names() -> frozenset[str]:
    """Fields kept in a page's `params` (the model has no attribute of their name)."""
    extra = {name for kind in KINDS.values() for name in kind.fields}
    return frozenset(extra | {n for n, fl in COMMON.items() if fl.params})


def _undocumented() -> list[str]:
    """Fields whose doc is missing: `new` could not explain them."""
    return [
        f"{kind.name}.{name}"
        for kind in KINDS.values()
        for name, fl in {**COMMON, **kind.fields}.items()
        if not fl.doc.strip() or (fl.starter is None and not fl.example)
    ]


def check_table() -> None:
    """Every field has a doc and a starter value or an example: checked at import."""
    missing = _undocumented()
    if missing:
        raise TypeError("fields without a doc or an example: " + ", ".join(sorted(missing)))


check_table()
