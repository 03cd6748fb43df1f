"""Prove the spec: it catches a zoo of plausible bugs, and it passes other correct rebuilds.

    python -m loopkata.maintainer.proof zoo [--jobs N] [--step ID ...]
    python -m loopkata.maintainer.proof alternatives [--jobs N]

`zoo` reads tests/proof/zoo.toml: each `[[bug]]` is a small patch (`find` ->
`replace`) on one module of the reference. Every bug tree is graded in one
Grader batch on the ten module steps; the bug's own step must lose points and
every other step must keep full marks. Every pitfall listed on a step's spec
page must be planted by at least one bug, and every bug's `pitfall` must be one
of its page's.

`alternatives` grades every tree under tests/proof/alternatives/*/ on all the
steps, integration included: each must get full marks.

Both exit 1 on any failure, with the list of what failed.
"""
from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from loopkata.grading.grader import Grader
from loopkata.grading.points import load_points
from loopkata.grading.scores import SubmissionGrade
from loopkata.kata import paths
from loopkata.kata.compat import tomllib
from loopkata.kata.steps import BY_ID, MODULE_STEPS, STEPS, Step

PROOF_DIR = Path("tests") / paths.PROOF_DIR
BUG_KEYS = {"id", "step", "pitfall", "says", "find", "replace"}
REQUIRED_KEYS = BUG_KEYS - {"pitfall"}
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
PITFALL_HEADING = "## Pitfalls the tests catch"
PITFALL_BULLET = re.compile(r"^- \*\*(.+?)\*\*", re.MULTILINE)


class ZooError(Exception):
    """The zoo file is malformed; the message has one line per problem."""


@dataclass(frozen=True)
class Bug:
    id: str
    step: Step
    says: str
    find: str
    replace: str
    pitfall: str | None = None


def pitfalls(page: str) -> list[str]:
    """The bold names of the bullets under the page's 'Pitfalls the tests catch' heading."""
    _, found, rest = page.partition(PITFALL_HEADING)
    if not found:
        return []
    section = re.split(r"^## ", rest, maxsplit=1, flags=re.MULTILINE)[0]
    return PITFALL_BULLET.findall(section)


def _bug(entry: object, where: str, reference: Path) -> tuple[Bug | None, list[str]]:
    """One zoo entry as a Bug, or None and the problems with it."""
    if not isinstance(entry, dict):
        return None, [f"{where}: not a table"]
    problems = []
    missing, unknown = REQUIRED_KEYS - entry.keys(), entry.keys() - BUG_KEYS
    if missing:
        problems.append(f"{where}: missing {', '.join(sorted(missing))}")
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    not_text = [k for k in sorted(entry.keys() & BUG_KEYS) if not isinstance(entry[k], str)]
    if not_text:
        problems.append(f"{where}: {', '.join(not_text)} must be text")
    if problems:
        return None, problems
    if not ID_PATTERN.fullmatch(entry["id"]):
        problems.append(f"{where}: id must be kebab-case (a-z, 0-9 and single hyphens)")
    step = BY_ID.get(entry["step"])
    if step is None or step.module is None:
        known = ", ".join(s.id for s in MODULE_STEPS)
        return None, problems + [f"{where}: unknown step {entry['step']!r} (one of: {known})"]
    try:
        source = (reference / step.module_file).read_text()
    except OSError:
        return None, problems + [f"{where}: the reference has no {step.module_file}"]
    count = source.count(entry["find"])
    if count != 1:
        problems.append(f"{where}: find occurs {count} times in {step.module_file}, must occur exactly once")
    if entry["find"] == entry["replace"]:
        problems.append(f"{where}: replace is the same as find")
    if problems:
        return None, problems
    return Bug(entry["id"], step, entry["says"], entry["find"], entry["replace"], entry.get("pitfall")), []


def parse_zoo(text: str, reference: Path, name: str = "zoo.toml") -> list[Bug]:
    """Read and check the zoo: raise ZooError listing every problem found."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ZooError(f"{name}: not valid TOML: {e}") from None
    entries = data.get("bug", [])
    problems = [f"{name}: unknown top-level key {k!r} (only [[bug]] tables)" for k in data if k != "bug"]
    if not isinstance(entries, list):
        raise ZooError(f"{name}: 'bug' must be an array of tables: write [[bug]]")
    bugs, seen = [], set()
    for number, entry in enumerate(entries, 1):
        label = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else None
        where = f"{name}: bug {label!r}" if label else f"{name}: bug #{number}"
        if label in seen:
            problems.append(f"{where}: id used twice")
        seen.add(label or "")
        bug, bug_problems = _bug(entry, where, reference)
        problems += bug_problems
        if bug:
            bugs.append(bug)
    if problems:
        raise ZooError("\n".join(problems))
    return bugs


def load_zoo(path: Path | None = None, reference: Path | None = None) -> list[Bug]:
    path = path or paths.kata_root() / PROOF_DIR / "zoo.toml"
    try:
        text = path.read_text()
    except OSError as e:
        raise ZooError(f"{path}: {e.strerror}") from None
    return parse_zoo(text, reference or paths.reference_tree(), path.name)


def coverage_problems(bugs: list[Bug], pages: dict[str, str]) -> list[str]:
    """Pitfalls (on the given pages, by step id) no bug plants, and bugs naming a pitfall not on their page."""
    problems = []
    for step_id, page in pages.items():
        names = pitfalls(page)
        planted = {b.pitfall for b in bugs if b.step.id == step_id}
        problems += [f"{step_id}: pitfall {n!r} has no bug in the zoo" for n in names if n not in planted]
        problems += [f"{b.id}: pitfall {b.pitfall!r} is not on {b.step.page}"
                     for b in bugs if b.step.id == step_id and b.pitfall is not None and b.pitfall not in names]
    return problems


def apply_bug(bug: Bug, reference: Path, dest: Path) -> Path:
    """A copy of the reference tree at dest with the bug planted in its step's module."""
    shutil.copytree(reference / "lesson9", dest / "lesson9", ignore=shutil.ignore_patterns("__pycache__"))
    module = dest / bug.step.module_file
    module.write_text(module.read_text().replace(bug.find, bug.replace, 1))
    return dest


def _full(score: float, max_score: float) -> bool:
    return score >= max_score - 1e-9


def _grade(submissions: list[tuple[str, Path]], steps: list[Step], jobs: int, workdir: Path) -> list[SubmissionGrade]:
    grader = Grader(load_points(), workdir / "grading", jobs=jobs, steps=steps)
    return grader.grade(submissions)


def bug_verdict(bug: Bug, grade: SubmissionGrade) -> tuple[float, list[str]]:
    """The bug's own-step score, and what is wrong: it went unnoticed, or it cost another step.

    Another step's tree is byte for byte the reference's, so a loss there means the grading
    itself broke (a package edited mid-run, a broken reference): its reason is reported once.
    """
    problems, own = [], 0.0
    for g in grade.steps:
        if g.step.id == bug.step.id:
            own = g.score
            if _full(g.score, g.max_score):
                problems.append(f"{bug.id}: not caught, step {bug.step.id} keeps {g.score:g} / {g.max_score:g}")
    problems += [f"step {g.step.id} lost points on the reference's own module: {g.problem or 'a test failed'}"
                 for g in grade.steps if g.step.id != bug.step.id and not _full(g.score, g.max_score)]
    return own, problems


def run_zoo(jobs: int, only_steps: list[str] | None = None) -> int:
    started = time.monotonic()
    try:
        bugs = load_zoo()
    except ZooError as e:
        print(e, file=sys.stderr)
        return 1
    step_ids = only_steps or [s.id for s in MODULE_STEPS]
    bugs = [b for b in bugs if b.step.id in step_ids]
    pages = {s: (paths.kata_root() / BY_ID[s].page).read_text() for s in step_ids}
    problems = coverage_problems(bugs, pages)
    with tempfile.TemporaryDirectory(prefix="loopkata-zoo-") as tmp:
        reference, tmp_path = paths.reference_tree(), Path(tmp)
        trees = [(b.id, apply_bug(b, reference, tmp_path / "bugs" / b.id)) for b in bugs]
        grades = _grade(trees, list(MODULE_STEPS), jobs, tmp_path)
    print(f"{'bug':44} {'step':10} {'score':>11}  verdict")
    for bug, grade in zip(bugs, grades):
        own, bug_problems = bug_verdict(bug, grade)
        problems += [p for p in bug_problems if p not in problems]
        step_grade = next(g for g in grade.steps if g.step.id == bug.step.id)
        failing = len(step_grade.failing)
        verdict = "FAIL" if bug_problems else f"caught by {failing} test(s)" if failing else "caught"
        print(f"{bug.id:44} {bug.step.id:10} {own:>5.2f} / {step_grade.max_score:<3g}  {verdict}")
    counts = Counter(b.step.id for b in bugs)
    print("\nbugs per step: " + ", ".join(f"{s} {counts[s]}" for s in step_ids))
    print(f"{len(bugs)} bugs graded in {time.monotonic() - started:.0f} s with {jobs} job(s)")
    return _report(problems)


def run_alternatives(jobs: int) -> int:
    started = time.monotonic()
    root = paths.kata_root() / PROOF_DIR / "alternatives"
    trees = sorted(p for p in root.glob("*") if p.is_dir() and not p.name.startswith(".")) if root.is_dir() else []
    if not trees:
        print(f"no alternative rebuilds under {PROOF_DIR / 'alternatives'}: nothing to grade")
        return 0
    with tempfile.TemporaryDirectory(prefix="loopkata-alternatives-") as tmp:
        grades = _grade([(p.name, p) for p in trees], list(STEPS), jobs, Path(tmp))
    problems = []
    for grade in grades:
        lost = [g for g in grade.steps if not _full(g.score, g.max_score)]
        print(f"{grade.name:40} {grade.score:6.2f} / {grade.max_score:g}  {'FAIL' if lost else 'full marks'}")
        if grade.problem:
            problems.append(f"{grade.name}: {grade.problem}")
        for g in lost:
            failing = [t.name for t in g.failing]
            why = g.problem or ", ".join(failing[:3]) + (" ..." if len(failing) > 3 else "")
            problems.append(f"{grade.name}: step {g.step.id} {g.score:g} / {g.max_score:g}: {why}")
    print(f"\n{len(trees)} alternative rebuild(s) graded in {time.monotonic() - started:.0f} s with {jobs} job(s)")
    return _report(problems)


def _report(problems: list[str]) -> int:
    if problems:
        print(f"\n{len(problems)} problem(s):\n" + "\n".join(f"  {p}" for p in problems))
        return 1
    print("all good")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loopkata.maintainer.proof", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    zoo = sub.add_parser("zoo", help="every bug in tests/proof/zoo.toml is caught by its own step only")
    zoo.add_argument("--step", action="append", choices=[s.id for s in MODULE_STEPS],
                     help="only this step's bugs and pitfalls (repeatable)")
    alternatives = sub.add_parser("alternatives", help="every tree under tests/proof/alternatives/ gets full marks")
    for p in (zoo, alternatives):
        p.add_argument("--jobs", type=int, default=1, help="steps graded at once (default 1)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.command == "zoo":
        return run_zoo(args.jobs, args.step)
    return run_alternatives(args.jobs)


if __name__ == "__main__":
    sys.exit(main())
