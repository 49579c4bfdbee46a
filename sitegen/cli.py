"""The command line: parse arguments, run a command, print the outcome, return the exit status."""

from __future__ import annotations

import argparse
import gc
import sys
import traceback
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from .config import load_config
from .errors import BuildFailed, SiteError
from .pipeline import Options, build
from .report import print_problems
from .scaffold import NewPage, new_page

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
CACHE = Path(".cache")  # the build memo's folder, in the folder build.py runs in
RELEASE_NOTE = (
    "not ready to publish: a release build refuses the sample site, placeholders, TODOs,"
    " reviews not done and links that patients cannot use; docs/go-live.md says what to do"
)


def base_url(value: str) -> str:
    """--base-url must be where the site's home page is: an http(s) address with no query,
    fragment or file name. Checked here, so that a bad value is never blamed on site.yaml."""
    parts = _split(value)
    wrong = (
        parts is None
        or parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or "?" in value
        or "#" in value
        or any(c.isspace() or not c.isprintable() for c in value)
        or parts.path.rsplit("/", 1)[-1].endswith((".html", ".htm"))
    )
    if wrong:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not the address of the site's home page,"
            " like https://www.yourclinic.com/ or https://example.github.io/clinic/"
        )
    return value if value.endswith("/") else value + "/"


def _split(value: str) -> SplitResult | None:
    """The parts of an address, or None when its port or brackets are malformed."""
    try:
        parts = urlsplit(value)
        _ = parts.port  # reading it raises ValueError for a port like 99x
    except ValueError:
        return None
    return parts


def port(value: str) -> int:
    """--port must be a whole number from 1 to 65535."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(
            f"'{value}' is not a port number (1 to 65535), such as 8000 or 8001"
        )
    return number


def parser() -> argparse.ArgumentParser:
    """All commands and their options."""
    top = argparse.ArgumentParser(
        prog="build.py", description="Build and preview the clinic's patient-education site."
    )
    top.add_argument("--debug", action="store_true", help="show a traceback on failure")
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    b = commands.add_parser("build", help="build the site into the output folder (default)")
    _site_options(b)
    b.add_argument(
        "--release",
        action="store_true",
        help="for publishing: fail while anything in docs/go-live.md is still to do",
    )
    s = commands.add_parser("serve", help="build, serve with live reload, rebuild on change")
    _site_options(s)
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    s.add_argument("--port", type=port, default=8000, help="port to listen on (default 8000)")
    s.set_defaults(drafts=True)  # the preview shows drafts: `new` makes pages as drafts
    c = commands.add_parser("check", help="check the content like a careful editor")
    _site_options(c)
    c.add_argument("--format", choices=("text", "json"), default="text", help="default: text")
    c.add_argument("--links", action="store_true", help="also list every link to another website")
    n = commands.add_parser("new", help="start a new page with every field explained")
    n.add_argument("section", metavar="SECTION", help="a folder in content/, e.g. causes")
    n.add_argument("title", metavar="TITLE", help='the page title, e.g. "Rib pain"')
    n.add_argument("--content", type=Path, default=Path("content"), help="default: content")
    _debug_option(n)
    m = commands.add_parser(
        "move", help="rename a page: keep its old address working and fix every link to it"
    )
    m.add_argument("old", metavar="OLD", help="the page's file, e.g. content/causes/rib-ache.md")
    m.add_argument("new", metavar="NEW", help="its new file, e.g. content/causes/rib-pain.md")
    m.add_argument("--content", type=Path, default=Path("content"), help="default: content")
    _debug_option(m)
    return top


def _site_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", type=Path, default=Path("content"), help="default: content")
    p.add_argument("--templates", type=Path, default=Path("templates"), help="default: templates")
    p.add_argument("--static", type=Path, default=Path("static"), help="default: static")
    p.add_argument("--out", type=Path, default=Path("_site"), help="default: _site")
    p.add_argument("--base-url", type=base_url, help="published address; overrides site.yaml")
    p.add_argument("--drafts", action="store_true", help="include pages marked draft: true")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument("--no-cache", action="store_true", help="ignore and do not write .cache/")
    p.add_argument("--jobs", type=int, default=0, help="worker processes (default: all cores)")
    _debug_option(p)


def _debug_option(p: argparse.ArgumentParser) -> None:
    """--debug after the command too; SUPPRESS keeps a --debug given before it."""
    # A subcommand's own default would overwrite the top-level value (argparse copies
    # subparser defaults over the namespace), so `build.py --debug build` lost the flag.
    p.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show a traceback"
    )


def options_from(args: argparse.Namespace) -> Options:
    return Options(
        content=args.content,
        templates=args.templates,
        static=args.static,
        out=args.out,
        base_url=args.base_url,
        drafts=args.drafts,
        strict=args.strict,
        release=getattr(args, "release", False),
        cache=None if args.no_cache else CACHE,
        workers=max(args.jobs, 0),
        progress=show_progress if sys.stderr.isatty() else None,
    )


def show_progress(what: str, done: int, total: int) -> None:
    """'rendering 1200 of 5000 pages' on one terminal line, cleared at the end."""
    end = "\r\033[K" if done == total else ""
    print(f"\r{what} {done} of {total} pages{end}", end="", file=sys.stderr, flush=True)


def with_default_command(argv: list[str]) -> list[str]:
    """`build.py [options]` means `build.py build [options]`."""
    named = {"build", "serve", "check", "new", "move", "-h", "--help"} & set(argv)
    return argv if named else ["build", *argv]


def main(argv: list[str] | None = None) -> int:
    """Run one command; 0 built, 1 content or template errors, 2 a wrong command line."""
    # A build makes millions of short-lived objects and keeps thousands of long-lived ones;
    # with the default thresholds the cycle collector rescans the long-lived ones over and
    # over (a fifth of a cold build). Collect young objects less often.
    gc.set_threshold(100_000, 50, 100)
    args = parser().parse_args(with_default_command(sys.argv[1:] if argv is None else argv))
    problem = setup_problem(args)
    if problem:
        print(f"build.py {args.command}: {problem[1]}", file=sys.stderr)
        return problem[0]
    try:
        if args.command == "serve":
            from .serve import serve  # livereload is needed only here

            return serve(options_from(args), args.host, args.port)
        if args.command == "check":
            return run_check(options_from(args), args.format, args.strict, args.links)
        if args.command == "new":
            return run_new(args.content, args.section, args.title)
        if args.command == "move":
            return run_move(args.content, args.old, args.new)
        return run_build(options_from(args))
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130
    except Exception:
        if args.debug:
            raise
        print(
            "build.py stopped on an unexpected problem (run with --debug for details):",
            file=sys.stderr,
        )
        print("  " + traceback.format_exc().strip().splitlines()[-1], file=sys.stderr)
        return EXIT_ERRORS


def setup_problem(args: argparse.Namespace) -> tuple[int, str] | None:
    """A folder missing or in the way, found before anything runs: (exit status, message)."""
    named = [("content", args.content)]
    builds = args.command not in ("new", "move")  # those two only edit content/
    if builds:
        named.append(("templates", args.templates))
    for what, folder in named:
        if not folder.is_dir():
            where = "run build.py in the project folder (the one with content/ and templates/)"
            return EXIT_USAGE, f"there is no {what} folder at {folder}: {where}, or give --{what}"
    if builds and not args.no_cache and CACHE.exists() and not CACHE.is_dir():
        hint = "it only holds the build cache: delete it, or build with --no-cache"
        return EXIT_ERRORS, f"{CACHE} should be the build cache's folder but is a file; {hint}"
    return None


def run_build(options: Options) -> int:
    """Build once and print the outcome."""
    try:
        result = build(options)
    except BuildFailed as failed:
        print_problems(failed.errors)
        print(
            f"build failed: {len(failed.errors)} error(s); {options.out} is unchanged",
            file=sys.stderr,
        )
        if options.release:
            print(RELEASE_NOTE, file=sys.stderr)
        return EXIT_ERRORS
    print_problems(result.warnings)
    reused = result.pages - result.rendered
    print(
        f"built {result.pages} pages into {options.out} in {result.seconds:.2f} s"
        f" ({result.rendered} rendered, {reused} unchanged;"
        f" {result.converted} converted from Markdown)"
    )
    return EXIT_OK


def run_check(options: Options, fmt: str, strict: bool, links: bool = False) -> int:
    """Check the site and print the report; 1 when there is an error (or, strict, a warning)."""
    from . import checks

    result = checks.check_site(options)
    result = checks.strict(result) if strict else result
    print(checks.as_json(result) if fmt == "json" else checks.as_text(result, links), end="")
    return result.exit_code()


def run_new(content: Path, section: str, title: str) -> int:
    """Create a page and say where it is and what its address will be."""
    made = new_page(content, section, title)
    if not isinstance(made, NewPage):
        print_problems([made])
        return EXIT_ERRORS
    config, _ = load_config(content / "site.yaml")
    address = config.absolute(made.url) if config else made.url
    print(f"created {made.shown}")
    print(f"its address will be {made.url} (published at {address})")
    print("fill in the lines marked TODO and preview it with `make serve`;")
    print("it is a draft (draft: true) and is published once you set `draft: false`")
    return EXIT_OK


def run_move(content: Path, old: str, new: str) -> int:
    """Rename a page, add its old address to `aliases`, rewrite the links to it; or change
    nothing and say why."""
    from .move import apply_move, content_rel, plan_move, read_texts

    if not content.is_dir():
        print_problems([SiteError(f"there is no content folder at {content.as_posix()}")])
        return EXIT_ERRORS
    plan = plan_move(read_texts(content), content_rel(content, old), content_rel(content, new))
    failed = plan if isinstance(plan, SiteError) else apply_move(content, plan)
    if failed is not None:
        print_problems([failed])
        print("nothing was changed", file=sys.stderr)
        return EXIT_ERRORS
    folder = content.as_posix().rstrip("/")
    print(f"moved {folder}/{plan.old} to {folder}/{plan.new}")
    print(f"its old address {plan.old_url} now sends visitors to {plan.new_url} (see `aliases`)")
    changed = plan.changed()
    if changed:
        print("links rewritten in " + ", ".join(f"{folder}/{rel}" for rel in changed))
    return EXIT_OK
