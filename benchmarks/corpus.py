"""A realistic generated site in this project's content schema, deterministic from a seed.

Every page has about 830 words: headings, paragraphs, a bulleted and a numbered list, a
table, links to other pages (`other.md`, `../section/other.md#what-to-expect`) and, on some
pages, a callout and a picture. Front matter is valid for `build.py`: a clinician reviews
every page, causes name treatments, articles have a date and an author.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field
from pathlib import Path


def _words(text: str) -> list[str]:
    return text.split()


# Pages every generated site has: the home page and the landing pages that site.yaml's
# navigation and urgent box point at.
LANDINGS = {
    "": "Upper back pain",
    "causes": "Causes of upper back pain",
    "symptoms": "Symptoms",
    "treatments": "Treatments",
    "clinicians": "Our clinicians",
    "articles": "Articles",
    "self-care": "Self-care for upper back pain",
    "when-to-get-help": "When to get help",
    "appointments": "Request an appointment",
}
# Share of the remaining pages per section; articles take what is left.
SHARES = {"clinicians": 0.03, "treatments": 0.08, "causes": 0.25, "symptoms": 0.20}
ANCHOR_HEADING = "What to expect"  # on every page, so `other.md#what-to-expect` always works
PICTURES = ("/images/spine-curves.svg", "/images/spine-thoracic.svg", "/images/posture-sitting.svg")

WORDS = _words(
    """
back pain muscle spine neck shoulder rib posture desk chair screen stretch walk rest heat
ice sleep pillow breath joint bone disc nerve tissue strength habit exercise movement stiff
sore tight tired gentle daily short slow careful easy simple common normal mild strong
weak long usual better worse often sometimes most many some each every first next last
day week month morning evening night hour minute visit plan goal care help doctor therapist
clinic home work lift carry bend turn reach sit stand hold push pull press relax warm
cool calm steady small large light heavy hard soft safe clear quick low high upper middle
body arm hand chest side front area level change sign cause reason problem question answer
"""
)
ADJECTIVES = _words("stiff sore tight tired gentle daily mild upper middle sudden steady long")
NOUNS = _words("back neck shoulder rib posture muscle spine disc joint nerve chest arm")
THINGS = _words("strain tension ache spasm stiffness pain injury habit curve weakness")
HEADINGS = (
    "What it is",
    "Why it happens",
    "Who gets it",
    "How it feels",
    "How we check it",
    "Care at home",
    "When to call us",
    "Questions to ask",
    "Living with it",
    "Getting better",
)
CLINICIAN_ROLES = ("Chiropractor", "Physical therapist", "Massage therapist")
FIRST = _words("alex sam jordan casey riley morgan taylor jamie robin drew avery quinn")
LAST = _words("lee park ortiz novak reyes moreau silva haddad kim olsen brandt costa")


@dataclass(frozen=True, slots=True)
class Doc:
    """One generated page: where it lives, its front matter (as data) and its body."""

    rel: str  # path inside content/, e.g. 'causes/stiff-back-strain-3.md'
    meta: dict
    body: str

    @property
    def section(self) -> str:
        return self.rel.split("/")[0] if "/" in self.rel else ""

    @property
    def url(self) -> str:
        stem = self.rel[: -len(".md")]
        stem = stem[: -len("index")] if stem.endswith("index") else stem + "/"
        return "/" + stem


@dataclass(slots=True)
class Corpus:
    """The whole generated site: pages plus the page a one-page edit changes."""

    docs: list[Doc]
    edit_rel: str  # a page other pages link to
    site_yaml: str = field(default="")


def plan(n: int) -> dict[str, int]:
    """How many ordinary pages each section gets, for n pages in all."""
    rest = max(n - len(LANDINGS), 0)
    counts = {name: max(3, round(rest * share)) for name, share in SHARES.items()}
    counts["articles"] = max(rest - sum(counts.values()), 1)
    return counts


def _slug(rng: random.Random, index: int) -> str:
    return f"{rng.choice(ADJECTIVES)}-{rng.choice(NOUNS)}-{rng.choice(THINGS)}-{index}"


def _titled(slug: str) -> str:
    words = slug.split("-")
    return " ".join(words[:-1]).capitalize() + f" ({words[-1]})"


def generate(n: int, seed: int = 7) -> Corpus:
    """n pages in all (landing pages included), the same for the same n and seed."""
    rng = random.Random(f"{seed}-{n}")
    slugs: dict[str, list[str]] = {}
    for section, count in plan(n).items():
        if section == "clinicians":
            names = [f"{rng.choice(FIRST)}-{rng.choice(LAST)}-{i}" for i in range(count)]
            slugs[section] = names
        else:
            slugs[section] = [_slug(rng, i) for i in range(count)]
    urls = [f"/{s}/{slug}/" for s, names in slugs.items() for slug in names]
    writer = _Writer(rng, slugs, urls)
    docs = [writer.landing(section, title) for section, title in LANDINGS.items()]
    for section, names in slugs.items():
        docs += [writer.page(section, slug, i) for i, slug in enumerate(names)]
    causes = slugs["causes"]
    return Corpus(docs, f"causes/{causes[len(causes) // 2]}.md", SITE_YAML)


class _Writer:
    """Front matter and bodies, drawing from one seeded random generator."""

    def __init__(self, rng: random.Random, slugs: dict[str, list[str]], urls: list[str]):
        self.rng, self.slugs, self.urls = rng, slugs, urls
        self.current = ("", "")  # the page being written, which must not link to itself

    def words(self, count: int) -> str:
        """A run of sentences of about `count` words."""
        out: list[str] = []
        while len(out) < count:
            sentence = self.rng.choices(WORDS, k=self.rng.randint(6, 13))
            sentence[0] = sentence[0].capitalize()
            sentence[-1] += "."
            out += sentence
        return " ".join(out)

    def link(self, from_section: str, anchor: bool = False) -> str:
        """A Markdown link to another page, written relative to the source file."""
        section, slug = self.current
        while (section, slug) == self.current:
            section = self.rng.choice(list(self.slugs))
            slug = self.rng.choice(self.slugs[section])
        target = f"{slug}.md" if section == from_section else f"../{section}/{slug}.md"
        if not from_section:
            target = f"{section}/{slug}.md"
        fragment = "#what-to-expect" if anchor else ""
        return f"[{_titled(slug).split(' (')[0].lower()}]({target}{fragment})"

    def landing_link(self, from_section: str, section: str) -> str:
        prefix = "" if not from_section else "../"
        return f"[{LANDINGS[section].lower()}]({prefix}{section}/index.md)"

    @property
    def current_url(self) -> str:
        return "/{}/{}/".format(*self.current)

    def common(self, title: str) -> dict:
        """Front matter every page has."""
        rng = self.rng
        reviewed = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
        return {
            "title": title,
            "description": self.words(18)[:150].rsplit(" ", 1)[0] + ".",
            "summary": self.words(35),
            "reviewed": reviewed.isoformat(),
            "reviewed_by": rng.choice(self.slugs["clinicians"]),
            "weight": rng.randint(1, 20),
            "related": [u for u in rng.sample(self.urls, 3) if u != self.current_url][:2],
            "sources": [
                {
                    "title": f"{rng.choice(THINGS).capitalize()} and {rng.choice(NOUNS)} care",
                    "publisher": rng.choice(("NHS", "MedlinePlus", "Mayo Clinic")),
                    "url": f"https://www.example.org/health/{rng.choice(NOUNS)}-{i}",
                }
                for i in range(rng.randint(1, 3))
            ],
        }

    def landing(self, section: str, title: str) -> Doc:
        self.current = (section, "index")
        meta = self.common(title)
        if section == "appointments":
            meta["template"] = "appointments.html"
        rel = f"{section}/index.md" if section else "index.md"
        return Doc(rel, meta, self.body(section, paragraphs=2))

    def page(self, section: str, slug: str, index: int) -> Doc:
        title = " ".join(p.capitalize() for p in slug.split("-")[:2]) + f" {index}"
        if section != "clinicians":
            title = _titled(slug)
        self.current = (section, slug)
        meta = self.common(title)
        meta.update(self.extra(section))
        return Doc(f"{section}/{slug}.md", meta, self.body(section))

    def extra(self, section: str) -> dict:
        """The fields of one kind of page (see docs/content-model.md)."""
        rng = self.rng
        treatments = rng.sample(self.slugs["treatments"], 2)
        if section == "causes":
            return {"treatments": treatments}
        if section == "treatments":
            return {"visits": self.words(14)}
        if section == "articles":
            day = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 700))
            return {"date": day.isoformat(), "author": rng.choice(self.slugs["clinicians"])}
        if section == "clinicians":
            return {
                "role": rng.choice(CLINICIAN_ROLES),
                "credentials": "D.C.",
                "education": [{"degree": "Doctor of Chiropractic", "school": "Example College"}],
                "techniques": [self.words(3) for _ in range(2)],
                "interests": [self.words(3) for _ in range(2)],
                "treatments": [treatments[0]],
            }
        return {}

    def body(self, section: str, paragraphs: int = 6) -> str:
        """About 830 words (6 parts) of Markdown; landing pages are shorter."""
        rng = self.rng
        parts = [f"{self.words(40)} See {self.link(section)} and {self.link(section)}."]
        if section in ("causes", "symptoms") or not section:
            parts.append(
                "> [!URGENT] Call 911 now if you have back pain and\n"
                "> - chest pain, or pain with shortness of breath\n"
                "> - numbness or weakness in your legs\n>\n"
                f"> See {self.landing_link(section, 'when-to-get-help')} for other signs."
            )
        headings = [ANCHOR_HEADING, *rng.sample(HEADINGS, paragraphs - 1)]
        for number, heading in enumerate(headings):
            parts.append(f"## {heading}")
            parts.append(f"{self.words(38)} Read about {self.link(section, anchor=True)}.")
            if number == 1 and rng.random() < 0.35:
                parts.append(f"![{self.words(8).rstrip('.')}]({rng.choice(PICTURES)})")
            if number == 2:
                parts.append(self.table())
            elif number == 3:
                parts.append("\n".join(f"{i}. {self.words(9)}" for i in range(1, 5)))
            else:
                items = [f"- {self.words(8)}" for _ in range(3)] + [f"- {self.link(section)}"]
                parts.append("\n".join(items))
            parts.append(self.words(20))
        other = "when-to-get-help" if section == "self-care" else "self-care"
        parts.append(f"Also read {self.landing_link(section, other)}.")
        return "\n\n".join(parts) + "\n"

    def table(self) -> str:
        rows = ["| What | How often | Why |", "|---|---|---|"]
        for _ in range(4):
            rows.append(f"| {self.words(3)} | {self.words(4)} | {self.words(6)} |")
        return "\n".join(rows)


SITE_YAML = """\
name: Upper Back Care Clinic
tagline: Chiropractic care, massage therapy and physical therapy for upper back pain
base_url: https://www.example.org/
language: en-US
phone: "(206) 555-0142"
email: hello@example.org
address:
  street: 100 Example Street, Suite 1
  locality: Exampleville
  region: WA
  postal_code: "98000"
  country: US
hours:
  - {days: [Mo, Tu, We, Th, Fr], opens: "08:00", closes: "18:00"}
appointment_endpoint: "https://forms.example.org/appointments"
reading_grade: 8
nav:
  - {title: Causes, url: /causes/}
  - {title: Symptoms, url: /symptoms/}
  - {title: Treatments, url: /treatments/}
  - {title: Self-care, url: /self-care/}
  - {title: Clinicians, url: /clinicians/}
  - {title: Get help now, url: /when-to-get-help/}
  - {title: Appointments, url: /appointments/}
urgent:
  title: Call 911 now if you have back pain and
  signs:
    - chest pain, or pain with shortness of breath
    - pain that started after a serious fall or accident
    - numbness or weakness in your legs
    - loss of control of your bladder or bowels
  more: /when-to-get-help/
disclaimer: >-
  This site gives general health information. It is not medical advice and does
  not replace a visit with a doctor or other health professional.
"""

EDIT_MARK = re.compile(r" Benchmark edit [a-z0-9]+\.")


def edit_body(path: Path, token: str) -> None:
    """Change one page's body text (front matter untouched): mark its first paragraph."""
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n\n")  # front matter ends before the first blank line
    first, rest_sep, rest = body.partition("\n")
    first = EDIT_MARK.sub("", first) + f" Benchmark edit {token}."
    path.write_text(head + sep + first + rest_sep + rest, encoding="utf-8")
