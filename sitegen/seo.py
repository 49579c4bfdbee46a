"""Structured data for search engines: one JSON-LD graph per page (schema.org)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from .config import DAY_NAMES
from .kinds import KINDS
from .model import Page, Site

CLINIC_PAGES = ("/", "/about/")


def jsonld(site: Site, page: Page, body_html: str = "") -> str:
    """The page's JSON-LD as text that is safe inside a <script> element."""
    nodes = [*_main_nodes(site, page)]
    pairs = questions(body_html) if page.params.get("faq") else []
    if pairs:  # an FAQPage without questions is invalid structured data
        nodes.append(faq_page(site, page, pairs))
    crumbs = site.breadcrumbs(page)
    if crumbs:
        nodes.append(breadcrumb_list(site, crumbs))
    text = json.dumps({"@context": "https://schema.org", "@graph": nodes}, ensure_ascii=False)
    # '<', '>' and '&' escaped so the text can never close the script element
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _main_nodes(site: Site, page: Page) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    if page.url in CLINIC_PAGES:
        nodes.append(clinic(site))
    schema = KINDS[page.kind].schema_type
    if schema == "Person":
        nodes.append(person(site, page))
    elif page.reviewed is not None or schema == "MedicalWebPage":
        nodes.append(medical_web_page(site, page))
    elif page.url not in CLINIC_PAGES:
        nodes.append(web_page(site, page, "WebPage"))
    return nodes


def absolute(site: Site, path: str) -> str:
    return site.config.absolute(path)


def clinic(site: Site) -> dict[str, Any]:
    """The clinic as a MedicalClinic, from site.yaml."""
    c = site.config
    return {
        "@type": "MedicalClinic",
        "@id": absolute(site, "/#clinic"),
        "name": c.name,
        "url": absolute(site, "/"),
        "telephone": c.phone,
        "email": c.email,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": c.address.street,
            "addressLocality": c.address.locality,
            "addressRegion": c.address.region,
            "postalCode": c.address.postal_code,
            "addressCountry": c.address.country,
        },
        "openingHoursSpecification": [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": [f"https://schema.org/{DAY_NAMES[d]}" for d in hours.days],
                "opens": hours.opens,
                "closes": hours.closes,
            }
            for hours in c.hours
        ],
    }


def person_ref(site: Site, clinician: Page) -> dict[str, Any]:
    return {"@type": "Person", "name": clinician.title, "url": absolute(site, clinician.url)}


def person(site: Site, page: Page) -> dict[str, Any]:
    """A clinician's bio page as a Person, who works for the clinic only if that is true:
    not on the sample site, nor when their page names another practice."""
    params = page.params
    node: dict[str, Any] = {
        **person_ref(site, page),
        "@id": absolute(site, page.url + "#person"),
        "jobTitle": params["role"],
        "description": page.description,
    }
    if not site.config.sample and not params.get("practice"):
        node["worksFor"] = {"@id": absolute(site, "/#clinic"), "@type": "MedicalClinic",
                            "name": site.config.name}  # fmt: skip
    if params.get("credentials"):
        node["honorificSuffix"] = params["credentials"]
    schools = [e["school"] for e in params.get("education", ())]
    if schools:
        node["alumniOf"] = [{"@type": "EducationalOrganization", "name": s} for s in schools]
    if params.get("interests"):
        node["knowsAbout"] = list(params["interests"])
    return node


def web_page(site: Site, page: Page, kind: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": kind,
        "@id": absolute(site, page.url),
        "url": absolute(site, page.url),
        "name": page.title,
        "description": page.description,
        "inLanguage": site.config.language,
        "isPartOf": {"@type": "WebSite", "name": site.config.name, "url": absolute(site, "/")},
    }
    if page.lastmod:
        node["dateModified"] = page.lastmod.isoformat()
    return node


def medical_web_page(site: Site, page: Page) -> dict[str, Any]:
    """A patient-education page: reviewed, by whom, for patients, about what."""
    node = web_page(site, page, "MedicalWebPage")
    node["medicalAudience"] = {"@type": "MedicalAudience", "audienceType": "Patient"}
    if page.reviewed:
        node["lastReviewed"] = page.reviewed.isoformat()
    reviewer = site.clinician(page.reviewed_by)
    if reviewer:
        node["reviewedBy"] = person_ref(site, reviewer)
    author = site.clinician(page.author)
    if author:
        node["author"] = person_ref(site, author)
    if page.date:
        node["datePublished"] = page.date.isoformat()
    about = KINDS[page.kind].about
    if about:
        node["about"] = {"@type": about, "name": page.title}
    if page.sources:
        node["citation"] = [
            {"@type": "CreativeWork", "name": s.title, "url": s.url} for s in page.sources
        ]
    return node


def breadcrumb_list(site: Site, crumbs: list[tuple[str, str]]) -> dict[str, Any]:
    """The visible breadcrumbs as a BreadcrumbList."""
    return {
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": n, "name": title, "item": absolute(site, url)}
            for n, (title, url) in enumerate(crumbs, 1)
        ],
    }


def faq_page(site: Site, page: Page, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """A questions-and-answers page as an FAQPage: each question with its answer's text."""
    return {
        "@type": "FAQPage",
        "@id": absolute(site, page.url + "#faq"),
        "url": absolute(site, page.url),
        "name": page.title,
        "mainEntity": [
            {
                "@type": "Question",
                "name": question,
                "acceptedAnswer": {"@type": "Answer", "text": answer},
            }
            for question, answer in pairs
        ],
    }


def questions(body_html: str) -> list[tuple[str, str]]:
    """(question, answer as plain text) for each level-2 heading ending in '?': the answer
    is everything up to the next level-1 or level-2 heading."""
    reader = _Questions()
    reader.feed(body_html)
    reader.close()
    reader.finish()
    return [(q, a) for q, a in reader.pairs if q.endswith("?") and a]


class _Questions(HTMLParser):
    """Splits a body at its <h1>/<h2> headings, keeping the text of each part; the hidden
    words of citations ("source 1") are left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self.heading: list[str] | None = None  # text of the open <h2>
        self.question = ""  # the last <h2>'s text, "" before the first
        self.answer: list[str] = []
        self.hidden = 0  # depth inside <sup> (citations)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2"):
            self.finish()
            self.heading = [] if tag == "h2" else None
        elif tag == "sup":
            self.hidden += 1
        elif tag in BLOCKS:
            self.answer.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self.heading is not None:
            self.question = " ".join("".join(self.heading).split())
            self.heading = None
        elif tag == "sup":
            self.hidden = max(self.hidden - 1, 0)
        elif tag in BLOCKS:
            self.answer.append(" ")

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        (self.heading if self.heading is not None else self.answer).append(data)

    def finish(self) -> None:
        """Close the question being read, if any."""
        if self.question:
            self.pairs.append((self.question, " ".join("".join(self.answer).split())))
        self.question, self.answer = "", []


BLOCKS = {"p", "li", "ul", "ol", "div", "br", "tr", "td", "th", "h3", "h4", "h5", "h6",
          "blockquote", "table", "pre"}  # fmt: skip
