"""`make mutation`: sampled mutation testing of sitegen/ with cosmic-ray (issue 17).

Each mutant is one small change to the engine (a flipped comparison, `and` for `or`, a
constant changed, `not` added, a loop that never runs...). The fast non-browser tests run
against it: a failing test "kills" it; a mutant that every test survives marks a gap in the
tests, or a change nobody could ever see (an equivalent mutant, judged by a person).

cosmic-ray makes every mutant of sitegen/ and applies each one in place, so the tests run in
copies of the working tree (test-output/mutation/tree-N, one per lane): the real tree is
never touched, even when the run is stopped half-way. One mutant is drawn at each of a
random sample of places (the same places for the same seed and the same code), and they are
tested in that random order, two at a time, until they are all done or the time budget is
spent; the ones not reached are left out of the score.

    python tests/mutation/run.py [--mutants 60] [--minutes 17] [--lanes 2] [--seed 17]
"""

from __future__ import annotations

import argparse
import ast
import functools
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The fast, non-browser subset: no browser, no fuzzing, no process killed half-way, and
# not the scan-time measurements of test_robust2 (four of the suite's five minutes, and a
# timing that a machine busy with the other lane cannot measure fairly).
FAST_TESTS = [
    "tests",
    "-x",
    "-q",
    "-p",
    "no:cacheprovider",
    "--ignore=tests/browser",
    "--ignore=tests/test_fuzz.py",
    "--deselect=tests/test_faults.py::test_a_killed_build_leaves_the_old_site_or_the_new_one",
    "--deselect=tests/test_robust2.py::test_scans_of_page_text_take_linear_time",
]
TEST_COMMAND = " ".join([sys.executable, "-m", "pytest", *FAST_TESTS])
# Operators left out of the sample: they make mostly mutants that cannot run at all
# (a name swapped for another, a variable inserted), which says little about the tests.
LEFT_OUT = ("core/VariableReplacer", "core/VariableInserter")


def main(argv: list[str] | None = None) -> int:
    """Copy, make mutants, sample, baseline, run within the budget, report."""
    args = _arguments(argv)
    work = args.dir.resolve()
    trees = [_copy_tree(work / f"tree-{n}") for n in range(1, args.lanes + 1)]
    session = work / "session.sqlite"
    session.unlink(missing_ok=True)
    config = _write_config(work, args.timeout)
    subprocess.run(
        [_tool("cosmic-ray"), "init", str(config), str(session)], cwd=trees[0], check=True
    )
    order, total = _sample(session, trees[0], args.mutants, args.seed)
    print(f"{total} mutants of sitegen/; a sample of {len(order)} places (seed {args.seed})")
    print(f"the fast tests pass unmutated in {_baseline(trees[0]):.0f} s", flush=True)
    started = time.monotonic()
    ran = _execute(session, order, trees, args.minutes * 60, args.timeout)
    print(f"tested {ran} of {len(order)} mutants in {(time.monotonic() - started) / 60:.1f} min")
    report = _report(session)
    (work / "report.txt").write_text(report, encoding="utf-8")
    print(report)
    return 0


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mutants", type=int, default=60, help="places to sample (default 60)")
    p.add_argument("--minutes", type=float, default=17, help="start no mutant after this")
    p.add_argument("--lanes", type=int, default=2, help="mutants tested at once (default 2)")
    p.add_argument("--seed", type=int, default=17, help="which sample (default 17)")
    p.add_argument("--timeout", type=float, default=300, help="seconds for one mutant's tests")
    p.add_argument("--dir", type=Path, default=ROOT / "test-output" / "mutation")
    return p.parse_args(argv)


def _tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def _copy_tree(tree: Path) -> Path:
    """The files git knows of (committed or not, never ignored ones), copied to `tree`."""
    shutil.rmtree(tree, ignore_errors=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)
    return tree


def _write_config(work: Path, timeout: float) -> Path:
    """cosmic-ray's configuration: what to mutate and how to test."""
    config = work / "cosmic-ray.toml"
    config.write_text(
        "[cosmic-ray]\n"
        'module-path = "sitegen"\n'
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f'test-command = "{TEST_COMMAND}"\n\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n',
        encoding="utf-8",
    )
    return config


def _sample(session: Path, tree: Path, size: int, seed: int) -> tuple[list, int]:
    """One mutant at each of `size` random places, in random order; (mutants, total).

    Sampling places rather than mutants keeps one kind of change from crowding out the
    rest (`a + b` alone gives eleven replacements of `+`)."""
    from cosmic_ray.work_db import WorkDB, use_db

    with use_db(str(session), WorkDB.Mode.open) as db:
        items = db.work_items
    places: dict[tuple, list] = {}
    for item in sorted(items, key=_where):  # the job ids are random; the order must not be
        if item.mutations[0].operator_name not in LEFT_OUT and not _in_annotation(tree, item):
            places.setdefault(_place(item), []).append(item)
    rng = random.Random(seed)
    chosen = rng.sample(sorted(places), min(size, len(places)))
    return [rng.choice(places[place]) for place in chosen], len(items)


def _where(item: object) -> tuple[str, int, int, str, int]:
    """A mutant's place and kind: file, line, column, operator, occurrence."""
    m = item.mutations[0]
    return (str(m.module_path), *m.start_pos, m.operator_name, m.occurrence)


def _place(item: object) -> tuple[str, tuple[int, int], tuple[int, int]]:
    m = item.mutations[0]
    return (str(m.module_path), tuple(m.start_pos), tuple(m.end_pos))


@functools.cache
def _annotations(module: Path) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    """Where the type annotations of a module are: (start, end) as (line, column)."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arg | ast.AnnAssign) and node.annotation is not None:
            found.append(node.annotation)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.returns:
            found.append(node.returns)
    return tuple(((a.lineno, a.col_offset), (a.end_lineno, a.end_col_offset)) for a in found)


def _in_annotation(tree: Path, item: object) -> bool:
    """Annotations never run: every module has `from __future__ import annotations`
    (PEP 563), so a mutant inside one is equivalent by construction."""
    m = item.mutations[0]
    start, end = tuple(m.start_pos), tuple(m.end_pos)
    return any(a <= start and end <= b for a, b in _annotations(tree / m.module_path))


def _baseline(tree: Path) -> float:
    """The fast tests must pass on the unmutated copy, or no result means anything."""
    started = time.monotonic()
    command = f"{TEST_COMMAND} --basetemp={tree.parent / ('tmp-' + tree.name)}"
    run = subprocess.run(command.split(), cwd=tree, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"the fast tests fail without any mutant; fix them first:\n{run.stdout}")
    return time.monotonic() - started


def _execute(session: Path, order: list, trees: list[Path], budget: float, timeout: float) -> int:
    """Test the mutants in order, one per lane at a time, starting none after `budget`
    seconds; record each result, and mark every mutant not tested as skipped."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    context = multiprocessing.get_context("fork")
    lanes = context.Queue()
    for tree in trees:
        lanes.put(str(tree))
    started, todo, ran = time.monotonic(), list(order), 0
    running: dict[Future, object] = {}
    with (
        use_db(str(session), WorkDB.Mode.open) as db,
        ProcessPoolExecutor(
            len(trees), mp_context=context, initializer=_enter_lane, initargs=(lanes,)
        ) as pool,
    ):
        while todo or running:
            while todo and len(running) < len(trees) and time.monotonic() - started < budget:
                item = todo.pop(0)
                running[pool.submit(_test_one, item.mutations, timeout)] = item
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                item = running.pop(future)
                db.set_result(item.job_id, future.result())
                ran += 1
                outcome = future.result().test_outcome or future.result().worker_outcome
                print(f"  {ran}: {_describe(item)}: {outcome.value}", flush=True)
        skipped = {i.job_id for i in db.work_items} - {r[0].job_id for r in db.completed_work_items}
        db.set_multiple_results(skipped, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
    return ran


def _enter_lane(lanes: object) -> None:
    """Each worker process works in a copy of its own: cosmic-ray mutates files in place."""
    os.chdir(lanes.get())


def _test_one(mutations: object, timeout: float) -> object:
    """Apply one mutant in this lane's copy, run the fast tests, undo it (cosmic-ray's own)."""
    from cosmic_ray.mutating import mutate_and_test

    return mutate_and_test(mutations, _lane_command(), timeout)


def _lane_command() -> str:
    """The test command with a temporary folder of this lane's own, beside its copy."""
    here = Path.cwd()
    return f"{TEST_COMMAND} --basetemp={here.parent / ('tmp-' + here.name)}"


def _describe(item: object) -> str:
    m = item.mutations[0]
    return f"{m.module_path}:{m.start_pos[0]} {m.operator_name.removeprefix('core/')}"


def _report(session: Path) -> str:
    """The score and every survivor with its diff."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    with use_db(str(session), WorkDB.Mode.open) as db:
        done = [
            (item, result)
            for item, result in db.completed_work_items
            if result.worker_outcome != WorkerOutcome.SKIPPED
        ]
    outcomes = Counter((r.test_outcome or r.worker_outcome).value for _, r in done)
    survivors = sorted(
        ((item, r) for item, r in done if r.test_outcome == TestOutcome.SURVIVED),
        key=lambda pair: _where(pair[0]),
    )
    killed = outcomes.get(TestOutcome.KILLED.value, 0)
    tested = killed + len(survivors)
    score = 100 * killed / tested if tested else 0.0
    lines = [
        f"mutants tested: {tested}; killed {killed}, survived {len(survivors)}: {score:.0f}%",
        f"all outcomes: {dict(outcomes)}",
        "",
    ]
    for item, result in survivors:
        lines.append(f"SURVIVED {_describe(item)} #{item.mutations[0].occurrence}")
        lines.extend("    " + line for line in (result.diff or "").splitlines())
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
