"""Prove the spec: it catches a zoo of plausible bugs, it passes other correct rebuilds, and
it is fair to a rebuild that follows the notebooks.

    python -m loopkata.maintainer.proof zoo [--jobs N] [--step ID ...]
    python -m loopkata.maintainer.proof alternatives [--jobs N]
    python -m loopkata.maintainer.proof notebook [--jobs N] [--step ID ...]

`zoo` reads tests/proof/zoo.toml: each `[[bug]]` is a small patch (`find` ->
`replace`) on one module of the reference. Every bug tree is graded in one
Grader batch on the ten module steps; the bug's own step must lose points and
every other step must keep full marks. Every pitfall listed on a step's spec
page must be planted by at least one bug, and every bug's `pitfall` must be one
of its page's.

`alternatives` grades every tree under tests/proof/alternatives/*/ on all the
steps, integration included: each must get full marks.

`notebook` reads tests/proof/notebook.toml: one `[[difference]]` for every
bullet of "Where this spec differs from the notebook" on every module step's
page, each a patch (one or more edits) turning the reference into what the
notebook does for that bullet, and `costs`, the (at most two) tests it must
fail, which the bullet names too. Each difference alone must fail exactly its
costs on its own step and nothing elsewhere; a step's differences all together,
and the notebook-faithful rebuild in tests/proof/notebook/, must fail at most
two tests per bullet of each step's page (the rebuild: only tests that a
difference of that step names).

All three exit 1 on any failure, with the list of what failed.
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
from loopkata.grading.scores import StepGrade, SubmissionGrade
from loopkata.kata import paths
from loopkata.kata.compat import tomllib
from loopkata.kata.steps import BY_ID, MODULE_STEPS, STEPS, Step

PROOF_DIR = Path("tests") / paths.PROOF_DIR
BUG_KEYS = {"id", "step", "pitfall", "says", "find", "replace"}
REQUIRED_KEYS = BUG_KEYS - {"pitfall"}
DIFFERENCE_KEYS = {"id", "step", "differs", "says", "costs", "find", "replace", "edit"}
DIFFERENCE_REQUIRED = {"id", "step", "differs", "says", "costs"}
EDIT_KEYS = {"find", "replace"}
MAX_COSTS = 2  # tests a difference from the notebook may cost, and failures a rebuild may have per bullet
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
TEST_NAME = re.compile(r"test_\w+(\[[^\]]+\])?")
PITFALL_HEADING = "## Pitfalls the tests catch"
DIFFERS_HEADING = "## Where this spec differs from the notebook"
BULLET = re.compile(r"^- \*\*(.+?)\*\*")
COSTS_CLAUSE = re.compile(r"\(costs (no test|`[^`]+`(?:,? (?:and )?`[^`]+`)*)\)")


class ZooError(Exception):
    """A proof data file (zoo.toml, notebook.toml) is malformed; the message has one line per problem."""


@dataclass(frozen=True)
class Edit:
    find: str
    replace: str


@dataclass(frozen=True)
class Bug:
    id: str
    step: Step
    says: str
    find: str
    replace: str
    pitfall: str | None = None

    @property
    def edits(self) -> tuple[Edit, ...]:
        return (Edit(self.find, self.replace),)


@dataclass(frozen=True)
class Difference:
    """What the notebook does for one "differs" bullet of its step's page, as edits on the reference."""

    id: str
    step: Step
    differs: str  # the bullet's bold name
    says: str
    edits: tuple[Edit, ...]
    costs: tuple[str, ...]  # test names, a bare one standing for every case of its test


def bullets(page: str, heading: str) -> list[tuple[str, str]]:
    """(bold name, text on one line) of each `- **name** ...` bullet under the heading. A bullet runs on
    over its indented continuation lines, up to a blank line, a paragraph, another bullet or the next heading."""
    _, found, rest = page.partition(heading)
    if not found:
        return []
    found_bullets: list[tuple[str, list[str]]] = []
    going_on = False  # whether the line before belongs to a bullet that the next indented line continues
    for line in re.split(r"^## ", rest, maxsplit=1, flags=re.MULTILINE)[0].splitlines():
        start = BULLET.match(line)
        if start:
            found_bullets.append((start.group(1), [line]))
        elif going_on and line.startswith(" ") and line.strip():
            found_bullets[-1][1].append(line)
        going_on = bool(start) or (going_on and line.startswith(" ") and bool(line.strip()))
    return [(name, " ".join(" ".join(lines).split())) for name, lines in found_bullets]


def pitfalls(page: str) -> list[str]:
    """The bold names of the bullets under the page's 'Pitfalls the tests catch' heading."""
    return [name for name, _ in bullets(page, PITFALL_HEADING)]


def bullet_costs(text: str) -> list[tuple[str, ...]]:
    """The tests named by each "(costs `test_x` and `test_y`)" clause of a bullet; () for "(costs no test)"."""
    return [() if clause == "no test" else tuple(re.findall(r"`([^`]+)`", clause))
            for clause in COSTS_CLAUSE.findall(text)]


def _key_problems(entry: object, where: str, keys: set[str], required: set[str], text_keys: set[str]) -> list[str]:
    """What is wrong with a table's keys: not a table, missing or unknown keys, values that should be text."""
    if not isinstance(entry, dict):
        return [f"{where}: not a table"]
    problems = []
    missing, unknown = required - entry.keys(), entry.keys() - keys
    if missing:
        problems.append(f"{where}: missing {', '.join(sorted(missing))}")
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    not_text = [k for k in sorted(entry.keys() & text_keys) if not isinstance(entry[k], str)]
    if not_text:
        problems.append(f"{where}: {', '.join(not_text)} must be text")
    return problems


def _module_step(entry: dict, where: str, reference: Path) -> tuple[Step | None, str, list[str]]:
    """The entry's step and its module's source in the reference, or None; and the problems with its id and step."""
    problems = []
    if not ID_PATTERN.fullmatch(entry["id"]):
        problems.append(f"{where}: id must be kebab-case (a-z, 0-9 and single hyphens)")
    step = BY_ID.get(entry["step"])
    if step is None or step.module is None:
        known = ", ".join(s.id for s in MODULE_STEPS)
        return None, "", problems + [f"{where}: unknown step {entry['step']!r} (one of: {known})"]
    try:
        return step, (reference / step.module_file).read_text(), problems
    except OSError:
        return None, "", problems + [f"{where}: the reference has no {step.module_file}"]


def _apply_edits(source: str, edits: tuple[Edit, ...], where: str, module_file: str) -> tuple[str, list[str]]:
    """source with the edits applied in order, and the problems: a find not there exactly once, an edit that
    changes nothing."""
    problems = []
    for number, edit in enumerate(edits, 1):
        at = f"{where}: edit {number}" if len(edits) > 1 else where
        count = source.count(edit.find)
        if count != 1:
            after = " (after the edits before it)" if number > 1 else ""
            problems.append(f"{at}: find occurs {count} times in {module_file}{after}, must occur exactly once")
        else:
            source = source.replace(edit.find, edit.replace, 1)
        if edit.find == edit.replace:
            problems.append(f"{at}: replace is the same as find")
    return source, problems


def _bug(entry: object, where: str, reference: Path) -> tuple[Bug | None, list[str]]:
    """One zoo entry as a Bug, or None and the problems with it."""
    problems = _key_problems(entry, where, BUG_KEYS, REQUIRED_KEYS, BUG_KEYS)
    if problems:
        return None, problems
    step, source, problems = _module_step(entry, where, reference)
    if step is None:
        return None, problems
    problems += _apply_edits(source, (Edit(entry["find"], entry["replace"]),), where, step.module_file)[1]
    if problems:
        return None, problems
    return Bug(entry["id"], step, entry["says"], entry["find"], entry["replace"], entry.get("pitfall")), []


def _edits(entry: dict, where: str) -> tuple[tuple[Edit, ...], list[str]]:
    """The difference's edits: its own find and replace, or its [[difference.edit]] tables, in order."""
    tables, pair = entry.get("edit"), EDIT_KEYS & entry.keys()
    if tables is None:
        if pair != EDIT_KEYS:
            return (), [f"{where}: missing {', '.join(sorted(EDIT_KEYS - pair))} (or [[difference.edit]] tables)"]
        return (Edit(entry["find"], entry["replace"]),), []
    if pair:
        return (), [f"{where}: find and replace, or [[difference.edit]] tables, not both"]
    if not isinstance(tables, list) or not tables:
        return (), [f"{where}: edit must be one or more [[difference.edit]] tables"]
    problems = [p for n, table in enumerate(tables, 1)
                for p in _key_problems(table, f"{where}: edit {n}", EDIT_KEYS, EDIT_KEYS, EDIT_KEYS)]
    return (() if problems else tuple(Edit(t["find"], t["replace"]) for t in tables)), problems


def _costs(entry: dict, where: str) -> tuple[tuple[str, ...], list[str]]:
    """The difference's costs: at most MAX_COSTS distinct test names."""
    costs = entry["costs"]
    if not isinstance(costs, list) or not all(isinstance(c, str) for c in costs):
        return (), [f"{where}: costs must be a list of test names ([] when it costs no test)"]
    problems = [f"{where}: costs names {c!r}, not a test (test_<name>, or test_<name>[<case id>])"
                for c in costs if not TEST_NAME.fullmatch(c)]
    if len(costs) > MAX_COSTS:
        problems.append(f"{where}: costs names {len(costs)} tests; a difference may cost at most {MAX_COSTS}")
    if len(set(costs)) != len(costs):
        problems.append(f"{where}: costs names a test twice")
    return tuple(costs), problems


def _difference(entry: object, where: str, reference: Path) -> tuple[Difference | None, list[str]]:
    """One notebook.toml entry as a Difference, or None and the problems with it."""
    text_keys = DIFFERENCE_KEYS - {"costs", "edit"}
    problems = _key_problems(entry, where, DIFFERENCE_KEYS, DIFFERENCE_REQUIRED, text_keys)
    if problems:
        return None, problems
    edits, problems = _edits(entry, where)
    costs, cost_problems = _costs(entry, where)
    step, source, step_problems = _module_step(entry, where, reference)
    problems += cost_problems + step_problems
    if step is not None and edits:
        problems += _apply_edits(source, edits, where, step.module_file)[1]
    if problems or step is None:
        return None, problems
    return Difference(entry["id"], step, entry["differs"], entry["says"], edits, costs), []


def _parse(text: str, name: str, table: str, parse_entry) -> list:
    """Every [[table]] of a proof data file through parse_entry(entry, where); ZooError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ZooError(f"{name}: not valid TOML: {e}") from None
    entries = data.get(table, [])
    problems = [f"{name}: unknown top-level key {k!r} (only [[{table}]] tables)" for k in data if k != table]
    if not isinstance(entries, list):
        raise ZooError(f"{name}: '{table}' must be an array of tables: write [[{table}]]")
    items, seen = [], set()
    for number, entry in enumerate(entries, 1):
        label = entry.get("id") if isinstance(entry, dict) and isinstance(entry.get("id"), str) else None
        where = f"{name}: {table} {label!r}" if label else f"{name}: {table} #{number}"
        if label in seen:
            problems.append(f"{where}: id used twice")
        seen.add(label or "")
        item, entry_problems = parse_entry(entry, where)
        problems += entry_problems
        if item:
            items.append(item)
    if problems:
        raise ZooError("\n".join(problems))
    return items


def parse_zoo(text: str, reference: Path, name: str = "zoo.toml") -> list[Bug]:
    """Read and check the zoo: raise ZooError listing every problem found."""
    return _parse(text, name, "bug", lambda entry, where: _bug(entry, where, reference))


def parse_notebook(text: str, reference: Path, name: str = "notebook.toml") -> list[Difference]:
    """Read and check the notebook's differences, each alone and each step's all together."""
    differences = _parse(text, name, "difference", lambda entry, where: _difference(entry, where, reference))
    problems = []
    for step in dict.fromkeys(d.step for d in differences):
        source = (reference / step.module_file).read_text()
        for d in (d for d in differences if d.step == step):
            where = f"{name}: difference {d.id!r}, after the step's differences before it"
            source, more = _apply_edits(source, d.edits, where, step.module_file)
            problems += more
    if problems:
        raise ZooError("\n".join(problems))
    return differences


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as e:
        raise ZooError(f"{path}: {e.strerror}") from None


def load_zoo(path: Path | None = None, reference: Path | None = None) -> list[Bug]:
    path = path or paths.kata_root() / PROOF_DIR / "zoo.toml"
    return parse_zoo(_read(path), reference or paths.reference_tree(), path.name)


def load_notebook(path: Path | None = None, reference: Path | None = None) -> list[Difference]:
    path = path or paths.kata_root() / PROOF_DIR / "notebook.toml"
    return parse_notebook(_read(path), reference or paths.reference_tree(), path.name)


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


def notebook_page_problems(differences: list[Difference], pages: dict[str, str]) -> list[str]:
    """Bullets (on the given pages, by step id) without exactly one difference or naming other tests than its
    costs, and differences naming no bullet of their page."""
    problems = []
    for step_id, page in pages.items():
        page_name = BY_ID[step_id].page
        mine = [d for d in differences if d.step.id == step_id]
        found = bullets(page, DIFFERS_HEADING)
        for name, text in found:
            matching = [d for d in mine if d.differs == name]
            if len(matching) != 1:
                have = f"{len(matching)} ({', '.join(d.id for d in matching)})" if matching else "no"
                problems.append(f"{step_id}: differs bullet {name!r} has {have} difference in notebook.toml, "
                                "must have exactly one")
                continue
            clauses = bullet_costs(text)
            if len(clauses) != 1:
                problems.append(f"{page_name}: differs bullet {name!r} must say once what it costs: "
                                "(costs `test_x`), (costs `test_x` and `test_y`) or (costs no test)")
            elif set(clauses[0]) != set(matching[0].costs):
                problems.append(f"{page_name}: differs bullet {name!r} names {_tests(clauses[0])}, "
                                f"but {matching[0].id} costs {_tests(matching[0].costs)}")
        names = {name for name, _ in found}
        problems += [f"{d.id}: differs {d.differs!r} is not a bullet of {page_name}"
                     for d in mine if d.differs not in names]
    return problems


def _tests(names: tuple[str, ...]) -> str:
    return ", ".join(names) if names else "no test"


def apply_edits(step: Step, edits: tuple[Edit, ...], reference: Path, dest: Path) -> Path:
    """A copy of the reference tree at dest with the edits made, in order, to the step's module."""
    shutil.copytree(reference / "lesson9", dest / "lesson9", ignore=shutil.ignore_patterns("__pycache__"))
    module = dest / step.module_file
    text = module.read_text()
    for edit in edits:
        text = text.replace(edit.find, edit.replace, 1)
    module.write_text(text)
    return dest


def apply_bug(bug: Bug, reference: Path, dest: Path) -> Path:
    """A copy of the reference tree at dest with the bug planted in its step's module."""
    return apply_edits(bug.step, bug.edits, reference, dest)


def _full(score: float, max_score: float) -> bool:
    return score >= max_score - 1e-9


def _grade(submissions: list[tuple[str, Path]], steps: list[Step], jobs: int, workdir: Path) -> list[SubmissionGrade]:
    grader = Grader(load_points(), workdir / "grading", jobs=jobs, steps=steps)
    return grader.grade(submissions)


def _others_lost(step: Step, grade: SubmissionGrade) -> list[str]:
    """Steps other than `step` that lost points. Their tree is byte for byte the reference's, so a loss
    there means the grading itself broke (a package edited mid-run, a broken reference)."""
    return [f"step {g.step.id} lost points on the reference's own module: {g.problem or 'a test failed'}"
            for g in grade.steps if g.step.id != step.id and not _full(g.score, g.max_score)]


def bug_verdict(bug: Bug, grade: SubmissionGrade) -> tuple[float, list[str]]:
    """The bug's own-step score, and what is wrong: it went unnoticed, or it cost another step
    (whose reason is reported once)."""
    problems, own = [], 0.0
    for g in grade.steps:
        if g.step.id == bug.step.id:
            own = g.score
            if _full(g.score, g.max_score):
                problems.append(f"{bug.id}: not caught, step {bug.step.id} keeps {g.score:g} / {g.max_score:g}")
    return own, problems + _others_lost(bug.step, grade)


def named_by(test: str, costs: tuple[str, ...]) -> bool:
    """Whether `costs` names the test: by its full name, or by its function's (every case of it)."""
    return test in costs or test.split("[", 1)[0] in costs


def _own(step: Step, grade: SubmissionGrade) -> StepGrade:
    return next(g for g in grade.steps if g.step.id == step.id)


def difference_verdict(difference: Difference, grade: SubmissionGrade) -> tuple[list[str], list[str]]:
    """The tests the difference failed on its own step, and what is wrong: a test failed that its costs do
    not name, one they name passed (or does not exist), or another step lost points."""
    own, label = _own(difference.step, grade), difference.id
    failed = [t.name for t in own.failing]
    problems = [f"{label}: step {own.step.id} did not run in full: {own.problem}"] if own.problem else []
    for cost in difference.costs:
        cases = [t.name for t in own.tests if named_by(t.name, (cost,))]
        if not cases:
            problems.append(f"{label}: costs names {cost}, but step {own.step.id} has no such test")
        passed = [name for name in cases if name not in failed]
        if passed:
            problems.append(f"{label}: does not fail {', '.join(passed)}, which its costs name")
    unnamed = [name for name in failed if not named_by(name, difference.costs)]
    if unnamed:
        problems.append(f"{label}: fails {', '.join(unnamed)}, which its costs do not name")
    if len(failed) > MAX_COSTS:
        problems.append(f"{label}: fails {len(failed)} tests; a difference may cost at most {MAX_COSTS}")
    return failed, problems + _others_lost(difference.step, grade)


def step_verdict(label: str, grade: StepGrade, bullets_on_page: int,
                 costs: tuple[str, ...] | None = None) -> list[str]:
    """What is wrong with a notebook-like tree on one step: more than MAX_COSTS failures per bullet of the
    step's page, or, when `costs` is given, a failure that none of them names."""
    failed = [t.name for t in grade.failing]
    step_id, limit = grade.step.id, MAX_COSTS * bullets_on_page
    problems = [f"{label}: step {step_id} did not run in full: {grade.problem}"] if grade.problem else []
    if len(failed) > limit:
        problems.append(f"{label}: step {step_id} fails {len(failed)} tests, more than {limit} "
                        f"({MAX_COSTS} for each of the {bullets_on_page} differs bullets on {grade.step.page})")
    unnamed = [] if costs is None else [name for name in failed if not named_by(name, costs)]
    if unnamed:
        problems.append(f"{label}: step {step_id} fails {', '.join(unnamed)}, which no difference of the step "
                        "names: an undocumented difference, or a test that depends on a documented one")
    return problems


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


def run_notebook(jobs: int, only_steps: list[str] | None = None) -> int:
    started = time.monotonic()
    try:
        differences = load_notebook()
    except ZooError as e:
        print(e, file=sys.stderr)
        return 1
    steps = [BY_ID[s] for s in only_steps] if only_steps else list(MODULE_STEPS)
    differences = [d for d in differences if d.step in steps]
    pages = {s.id: (paths.kata_root() / s.page).read_text() for s in steps}
    problems = notebook_page_problems(differences, pages)
    counts = {s.id: len(bullets(pages[s.id], DIFFERS_HEADING)) for s in steps}
    by_step = {s: [d for d in differences if d.step == s] for s in steps}
    rebuild = paths.kata_root() / PROOF_DIR / "notebook"
    with tempfile.TemporaryDirectory(prefix="loopkata-notebook-") as tmp:
        reference, tmp_path = paths.reference_tree(), Path(tmp)
        trees = [(d.id, apply_edits(d.step, d.edits, reference, tmp_path / "alone" / d.id)) for d in differences]
        together = [s for s in steps if by_step[s]]
        trees += [(f"{s.id}-together", apply_edits(s, tuple(e for d in by_step[s] for e in d.edits), reference,
                                                   tmp_path / "together" / s.id)) for s in together]
        trees.append(("notebook-rebuild", rebuild))
        grades = _grade(trees, list(MODULE_STEPS), jobs, tmp_path)
    alone, combined, rebuilt = grades[:len(differences)], grades[len(differences):-1], grades[-1]

    print(f"{'difference':36} {'step':10} verdict")
    for difference, grade in zip(differences, alone):
        failed, verdict_problems = difference_verdict(difference, grade)
        problems += [p for p in verdict_problems if p not in problems]
        verdict = "FAIL" if verdict_problems else f"costs {_tests(tuple(failed))}"
        print(f"{difference.id:36} {difference.step.id:10} {verdict}")

    print(f"\n{'tree':22} {'step':10} {'bullets':>7} {'failed':>6} {'limit':>5}  verdict")
    rows = [(f"{s.id} differences", s, grade, None) for s, grade in zip(together, combined)]
    rows += [("notebook rebuild", s, rebuilt, tuple(c for d in by_step[s] for c in d.costs)) for s in steps]
    for label, step, grade, costs in rows:
        own = _own(step, grade)
        verdict_problems = step_verdict(label, own, counts[step.id], costs)
        if costs is None:  # a step's differences together: the other steps are the reference's own
            verdict_problems += _others_lost(step, grade)
        problems += [p for p in verdict_problems if p not in problems]
        print(f"{label:22} {step.id:10} {counts[step.id]:>7} {len(own.failing):>6} {MAX_COSTS * counts[step.id]:>5}"
              f"  {'FAIL' if verdict_problems else 'ok'}")
    print(f"\n{len(differences)} differences and the notebook rebuild graded in {time.monotonic() - started:.0f} s "
          f"with {jobs} job(s)")
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
    notebook = sub.add_parser("notebook", help="every difference from the notebook in tests/proof/notebook.toml "
                                               "costs the tests its page names, and the notebook rebuild no more")
    notebook.add_argument("--step", action="append", choices=[s.id for s in MODULE_STEPS],
                          help="only this step's differences, bullets and rebuild results (repeatable)")
    for p in (zoo, alternatives, notebook):
        p.add_argument("--jobs", type=int, default=1, help="steps graded at once (default 1)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.command == "zoo":
        return run_zoo(args.jobs, args.step)
    if args.command == "notebook":
        return run_notebook(args.jobs, args.step)
    return run_alternatives(args.jobs)


if __name__ == "__main__":
    sys.exit(main())
