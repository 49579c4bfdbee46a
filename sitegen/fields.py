"""YAML with line numbers, and field tables that turn raw values into checked ones.

Shared by `config.py` (site.yaml) and `content.py` (front matter), so both report
problems the same way: `'field' should be <expected> (got <value>)`, at the field's line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import SiteError, did_you_mean

Convert = Callable[[Any], Any]


class Mistake(ValueError):
    """Raised by a converter: `expected` completes "'field' should be ..."."""

    def __init__(self, expected: str, hint: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.hint = hint


class LineDict(dict):
    """A mapping from YAML that remembers the line of each key (0-based within the YAML)."""

    lines: dict[str, int]
    start: int
    written: dict[str, str]  # key -> a plain scalar's text as written (`02134`, `+1206...`)


@dataclass(frozen=True, slots=True)
class Field:
    """One named field: how to convert it, whether it must be there, and what it is for."""

    convert: Convert
    required: bool = False
    doc: str = ""
    example: str = ""  # a value to show (page fields: what `new` writes as a comment)
    starter: str | None = None  # page fields: the value `new` writes (None: only the example)
    params: bool = False  # page fields: kept in the page's `params`, not as an attribute


# --- YAML -----------------------------------------------------------------


# libyaml's parser where it is installed (it is with PyYAML's wheels): ten times faster.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe YAML that refuses aliases and duplicate keys and records key lines."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # An alias is the same node met a second time. Refusing it here, before anything
        # is expanded, keeps "billion laughs" documents small and quick to reject.
        if node in self.constructed_objects or node in self.recursive_objects:
            raise yaml.MarkedYAMLError(
                problem="uses a YAML alias (*name), which is not allowed here",
                problem_mark=node.start_mark,
            )
        return super().construct_object(node, deep)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        result = LineDict()
        result.lines = {}
        result.written = {}
        result.start = node.start_mark.line
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            if key in result:
                raise yaml.MarkedYAMLError(
                    problem=f"has the field '{key}' twice",
                    problem_mark=key_node.start_mark,
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.lines[key] = key_node.start_mark.line
            if isinstance(value_node, yaml.ScalarNode) and not value_node.style:
                result.written[key] = value_node.value
        return result


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date, or the text as written when it is no real day (2026-02-30), so that the
    field check can say so at the right line."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


class LineList(list):
    """A list from YAML that remembers each plain item's text as written."""

    written: dict[int, str]


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.written = {
        i: child.value
        for i, child in enumerate(node.value)
        if isinstance(child, yaml.ScalarNode) and not child.style
    }
    return result


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)
_Loader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    lambda loader, node: loader.construct_mapping(node, deep=True),
)


MAX_DEPTH = 32  # lists in lists: far more than anyone writes, far less than the stack allows


def parse_yaml(text: str, path: str, first_line: int) -> tuple[Any, list[SiteError]]:
    """Parse YAML whose first line is line `first_line` of the file `path`."""
    if _brackets_too_deep(text):  # libyaml crashes the process on [[[[... 20,000 deep
        return None, [_too_deep_error(path, first_line)]
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_error(exc, text, path, first_line)]
    except yaml.reader.ReaderError as exc:
        return None, [_character_error(exc, text, path, first_line)]
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error we know is marked
        return None, [SiteError(f"the YAML could not be read: {exc}", path, first_line)]
    except RecursionError:
        return None, [_too_deep_error(path, first_line)]
    if _too_deep(data):
        return None, [_too_deep_error(path, first_line)]
    return data, []


def _brackets_too_deep(text: str) -> bool:
    """[ and { nested deeper than MAX_DEPTH, quotes not considered: a cheap upper bound."""
    depth = 0
    for char in re.sub(r"[^\[\]{}]+", "", text):
        depth = depth + 1 if char in "[{" else max(depth - 1, 0)
        if depth > MAX_DEPTH:
            return True
    return False


def _too_deep(value: Any, depth: int = 0) -> bool:
    """Lists or groups nested deeper than MAX_DEPTH (messages could not even show them)."""
    if depth > MAX_DEPTH:
        return True
    children = value.values() if isinstance(value, dict) else value
    return isinstance(value, dict | list) and any(_too_deep(c, depth + 1) for c in children)


def _character_error(
    exc: yaml.reader.ReaderError, text: str, path: str, first_line: int
) -> SiteError:
    """A control character (not marked with a line by PyYAML): say which and where."""
    code = exc.character if isinstance(exc.character, int) else 0
    line = first_line + text.count("\n", 0, max(exc.position, 0))
    message = f"the front matter has a character YAML does not allow (U+{code:04X})"
    hint = "delete it; it often comes in unseen when text is pasted from another program"
    return SiteError(message, path, line, hint)


def _too_deep_error(path: str, line: int) -> SiteError:
    hint = "write each field as a plain `name: value` line, with lists at most a few deep"
    return SiteError("the front matter is nested too deeply", path, line, hint)


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, path: str, first_line: int) -> SiteError:
    """Turn PyYAML's error into a plain message at the right line of the file."""
    mark = exc.problem_mark or exc.context_mark
    line = first_line + (mark.line if mark else 0)
    problem = (exc.problem or "is not valid YAML").strip()
    lines = text.split("\n")
    bad_line = lines[mark.line] if mark and mark.line < len(lines) else ""
    tab_ok = "\t" not in bad_line and "'\\t'" not in problem  # YAML stopped for another reason
    slip = unseen_slip(lines[: (mark.line if mark else 0) + 1], tab_ok)
    if slip:
        at, message, hint = slip
        return SiteError(message, path, first_line + at, hint)
    if "\t" in bad_line or "'\\t'" in problem:
        return SiteError(
            "the front matter has a tab character",
            path,
            line,
            "YAML only allows spaces for indenting: replace the tab with spaces",
        )
    if problem.startswith(("uses a YAML alias", "has the field")):
        hint = "remove the repeated field" if "twice" in problem else "write the value out in full"
        return SiteError(f"the front matter {problem}", path, line, hint)
    return SiteError(
        f"the front matter is not valid YAML: {problem}",
        path,
        line,
        "each line should look like `name: value`; put text with a colon in quotes",
    )


# Characters that look like a space (or nothing) but are not one to YAML.
ODD_SPACES = {
    "\u00a0": "a non-breaking space",
    "\t": "a tab",
    "\u202f": "a narrow non-breaking space",
    "\u2007": "a figure space",
    "\u3000": "a wide space",
    "\u200b": "a zero-width space",
}
DOUBLE, SINGLE, LOW = "\u201c \u201d", "\u2018 \u2019", "\u201e \u201c"
CURLY = {"\u201c": DOUBLE, "\u201d": DOUBLE, "\u2018": SINGLE, "\u2019": SINGLE, "\u201e": LOW}
KEY = r"^[ ]*(?:-[ ]+)?(?P<key>[A-Za-z_][\w-]*)[ ]*:"
AFTER_COLON = re.compile(KEY + "(?P<odd>[" + "".join(ODD_SPACES) + "])")
ODD_INDENT = re.compile(r"^[ ]*(?P<odd>[" + "".join(c for c in ODD_SPACES if c != "\t") + "])")
CURLY_VALUE = re.compile(KEY + r"[ \t]*(?:\[[ ]*)?(?P<quote>[" + "".join(CURLY) + "])")


def unseen_slip(lines: list[str], tab_ok: bool = True) -> tuple[int, str, str] | None:
    """The line nearest the end of `lines` with a slip that cannot be seen: a character
    after a colon that looks like a space but is not one, or curly quotes around a value.
    (YAML stops at a later line, often far below, so look back from where it stopped.)
    YAML mostly takes a tab after a colon (`tab_ok`: it did here), and text in curly
    quotes is only text, unless it is on the line YAML stopped at."""
    for at in range(len(lines) - 1, -1, -1):
        line = lines[at]
        found = AFTER_COLON.match(line)
        if found and not (found["odd"] == "\t" and tab_ok):
            odd, key = ODD_SPACES[found["odd"]], found["key"]
            hint = f"delete the character after `{key}:` and type an ordinary space"
            return at, f"after `{key}:` there is {odd}, which YAML does not read as a space", hint
        found = ODD_INDENT.match(line)
        if found:
            hint = "delete the spaces at the start of the line and type ordinary spaces"
            return at, f"the line starts with {ODD_SPACES[found['odd']]}", hint
        found = CURLY_VALUE.match(line) if at == len(lines) - 1 else None
        if found:
            pair = CURLY[found["quote"]]
            message = f"the value of '{found['key']}' is in curly quotes {pair}, not straight ones"
            return at, message, f"replace {pair} with straight quotes" + _straight(line)
    return None


def _straight(line: str) -> str:
    """': title: "Rib pain"', the line with the curly quotes around its value made straight."""
    key, _, value = line.strip().partition(":")
    value = value.strip()
    if len(value) > 1 and value[0] in CURLY and value[-1] in CURLY and '"' not in value:
        return f': {key}: "{value[1:-1]}"'
    return ' (")'


# --- converters -----------------------------------------------------------


def as_written(convert: Convert, value: Any, data: Any, key: str | int) -> Any:
    """For a text field, the value as written: YAML 1.1 reads `02134` as the number 1116,
    `1:30` as 90, `+1206...` without its + and `no` as false; text keeps what was typed."""
    if getattr(convert, "reads_text", False) and not isinstance(value, str) and value is not None:
        return getattr(data, "written", {}).get(key, value)
    return value


# Characters XML 1.0 forbids (the feed and sitemap would not parse) and the C1 controls,
# which YAML's "\x01"-style escapes can still produce.
NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def text(max_len: int | None = None, empty: bool = False) -> Convert:
    """A line of text, optionally limited in length."""

    def convert(value: Any) -> str:
        if isinstance(value, bool) or value is None or isinstance(value, list | dict):
            raise Mistake("text")
        value = str(value).strip()
        if not value and not empty:
            raise Mistake("some text, not empty")
        bad = NOT_TEXT.search(value)
        if bad:
            raise Mistake(
                f"text without control characters (it has U+{ord(bad[0]):04X})",
                "delete it; it often comes in unseen when text is pasted, or from a \\ escape",
            )
        if max_len is not None and len(value) > max_len:
            raise Mistake(
                f"at most {max_len} characters (it has {len(value)})",
                "shorten it; search engines cut longer descriptions",
            )
        return value

    convert.reads_text = True  # type: ignore[attr-defined]
    return convert


def date(value: Any) -> dt.date:
    """A date written YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise Mistake("a real date", "that month has no such day") from None
    raise Mistake("a date like 2026-03-01", "write the year, month and day as YYYY-MM-DD")


def boolean(value: Any) -> bool:
    """true or false."""
    if isinstance(value, bool):
        return value
    raise Mistake("true or false")


def integer(value: Any) -> int:
    """A whole number."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise Mistake("a whole number like 10")


def slug(value: Any) -> str:
    """A page's short name: lowercase letters, digits and dashes."""
    if isinstance(value, str) and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value.strip()):
        return value.strip()
    raise Mistake("a page's short name like doran-hendelman (lowercase, dashes)")


# Parts of a path between slashes: URL-safe letters only, so that an alias (which becomes
# a folder in the output) can never be '..' and climb out of it, nor carry quotes or tags.
PATH_PART = re.compile(r"[A-Za-z0-9_~%+-][A-Za-z0-9._~%+-]*")


def site_path(value: Any) -> str:
    """A path on this site, starting and ending with /."""
    path = value.strip() if isinstance(value, str) else ""
    parts = path.split("/")[1:]  # '/a/b/' -> ['a', 'b', '']
    if (
        path.startswith("/")
        and "" not in parts[:-1]
        and all(PATH_PART.fullmatch(p) for p in parts if p)
    ):
        return path if path.endswith("/") or "." in parts[-1] else path + "/"
    raise Mistake(
        "a path on this site like /self-care/",
        "use letters, digits and dashes between the slashes (no spaces, no ..)",
    )


def url(value: Any) -> str:
    """An absolute http(s) web address."""
    if isinstance(value, str) and re.fullmatch(r"https?://[^\s/]+\S*", value.strip()):
        return value.strip()
    raise Mistake("a web address starting with https://")


def list_of(item: Convert) -> Convert:
    """A list whose items each pass `item`; a single value is taken as a list of one."""

    def convert(value: Any) -> tuple[Any, ...]:
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out = []
        for number, one in enumerate(items, 1):
            try:
                out.append(item(as_written(item, one, items, number - 1)))
            except Mistake as exc:
                raise Mistake(f"a list where item {number} is {exc.expected}", exc.hint) from exc
        return tuple(out)

    return convert


def record(table: Mapping[str, Field], factory: Callable[..., Any] = dict) -> Convert:
    """A nested mapping checked against its own field table."""

    def convert(value: Any) -> Any:
        if not isinstance(value, dict):
            raise Mistake("a group of fields like `name: value` (" + ", ".join(table) + ")")
        unknown = [k for k in value if k not in table]
        if unknown:
            raise Mistake(f"fields from {', '.join(table)}", f"'{unknown[0]}' is not one of them")
        missing = [k for k, f in table.items() if f.required and value.get(k) is None]
        if missing:
            raise Mistake(f"a group with '{missing[0]}'", f"add `{missing[0]}:`")
        kwargs = {}
        for key, field in table.items():
            if key in value and value[key] is not None:
                try:
                    kwargs[key] = field.convert(as_written(field.convert, value[key], value, key))
                except Mistake as exc:
                    raise Mistake(f"a group where '{key}' is {exc.expected}", exc.hint) from exc
        return factory(**kwargs)

    return convert


# --- validation -------------------------------------------------------------


def shown(value: Any) -> str:
    """A value as a person would recognise it in a message, shortened if long."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and len(value) > 50:
        value = value[:47] + "..."
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    text = NOT_TEXT.sub(lambda m: f"\\u{ord(m[0]):04x}", text)  # never a control in a message
    return text if len(text) <= 60 else text[:57] + "..."


def _as_hint(doc: str) -> str:
    """A field's doc as the end of a hint: its first line, in lower case, without a full stop."""
    first = doc.split("\n", 1)[0].rstrip(".")
    return first[:1].lower() + first[1:]


def validate(
    data: LineDict, table: Mapping[str, Field], path: str, first_line: int
) -> tuple[dict[str, Any], list[SiteError]]:
    """Check every field of `data` against `table`; return converted values and all problems."""
    values: dict[str, Any] = {}
    errors: list[SiteError] = []
    lines = getattr(data, "lines", {})
    for key, raw in data.items():
        line = first_line + lines.get(key, 0)
        field = table.get(key)
        if field is None:
            errors.append(SiteError(f"unknown field '{key}'", path, line, did_you_mean(key, table)))
            continue
        if raw is None:  # an empty value; a required one is reported as missing below
            continue
        try:
            values[key] = field.convert(as_written(field.convert, raw, data, key))
        except Mistake as exc:
            message = f"'{key}' should be {exc.expected} (got {shown(raw)})"
            errors.append(SiteError(message, path, line, exc.hint))
    start = first_line + getattr(data, "start", 0)
    for key, field in table.items():
        if field.required and data.get(key) is None and key not in values:
            hint = f"add a line `{key}: ...`" + (f": {_as_hint(field.doc)}" if field.doc else "")
            errors.append(SiteError(f"the required field '{key}' is missing", path, start, hint))
    return values, errors
