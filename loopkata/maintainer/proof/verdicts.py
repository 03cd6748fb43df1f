"""The proof's trees, graded and judged: a bug must cost its own step, a difference exactly its costs."""
from __future__ import annotations

import shutil
from pathlib import Path

from loopkata.grading.grader import Grader
from loopkata.grading.points import load_points
from loopkata.grading.scores import StepGrade, SubmissionGrade
from loopkata.kata.steps import Step
from loopkata.maintainer.proof.data import MAX_COSTS, Bug, Difference, Edit


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


def full(score: float, max_score: float) -> bool:
    return score >= max_score - 1e-9


def grade_trees(submissions: list[tuple[str, Path]], steps: list[Step], jobs: int, workdir: Path) -> list[SubmissionGrade]:
    grader = Grader(load_points(), workdir / "grading", jobs=jobs, steps=steps)
    return grader.grade(submissions)


def others_lost(step: Step, grade: SubmissionGrade) -> list[str]:
    """Steps other than `step` that lost points. Their tree is byte for byte the reference's, so a loss
    there means the grading itself broke (a package edited mid-run, a broken reference)."""
    return [f"step {g.step.id} lost points on the reference's own module: {g.problem or 'a test failed'}"
            for g in grade.steps if g.step.id != step.id and not full(g.score, g.max_score)]


def bug_verdict(bug: Bug, result: SubmissionGrade) -> tuple[float, list[str]]:
    """The bug's own-step score, and what is wrong: it went unnoticed, or it cost another step
    (whose reason is reported once)."""
    mine = own(bug.step, result)
    problems = [f"{bug.id}: not caught, step {bug.step.id} keeps {mine.score:g} / {mine.max_score:g}"] \
        if full(mine.score, mine.max_score) else []
    return mine.score, problems + others_lost(bug.step, result)


def named_by(test: str, costs: tuple[str, ...]) -> bool:
    """Whether `costs` names the test: by its full name, or by its function's (every case of it)."""
    return test in costs or test.split("[", 1)[0] in costs


def own(step: Step, grade: SubmissionGrade) -> StepGrade:
    return next(g for g in grade.steps if g.step.id == step.id)


def difference_verdict(difference: Difference, grade: SubmissionGrade) -> tuple[list[str], list[str]]:
    """The tests the difference failed on its own step, and what is wrong: a test failed that its costs do
    not name, one they name passed (or does not exist), or another step lost points."""
    mine, label = own(difference.step, grade), difference.id
    failed = [t.name for t in mine.failing]
    problems = [f"{label}: step {mine.step.id} did not run in full: {mine.problem}"] if mine.problem else []
    for cost in difference.costs:
        cases = [t.name for t in mine.tests if named_by(t.name, (cost,))]
        if not cases:
            problems.append(f"{label}: costs names {cost}, but step {mine.step.id} has no such test")
        passed = [name for name in cases if name not in failed]
        if passed:
            problems.append(f"{label}: does not fail {', '.join(passed)}, which its costs name")
    unnamed = [name for name in failed if not named_by(name, difference.costs)]
    if unnamed:
        problems.append(f"{label}: fails {', '.join(unnamed)}, which its costs do not name")
    if len(failed) > MAX_COSTS:
        problems.append(f"{label}: fails {len(failed)} tests; a difference may cost at most {MAX_COSTS}")
    return failed, problems + others_lost(difference.step, grade)


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
