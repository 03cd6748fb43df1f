"""Everything grading writes, from the grades alone: the terminal table and a table of file formats.

`FORMATS` is the one list of file outputs: `loopkata grade` takes an option
for each (`--results FILE`, `--csv FILE`, `--junit FILE`) and calls its
writer. To add a format, write a writer here and add a row.
"""
from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loopkata.grading.scores import StepGrade, SubmissionGrade
from loopkata.kata.steps import STEPS

_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _num(x: float) -> float:
    return round(x, 2)


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold: a submission's messages may carry any control character."""
    return _NOT_XML.sub("\ufffd", text)


def _mkparent(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def step_title(grade: StepGrade) -> str:
    step = grade.step
    head = f"Step {step.number}: {step.id}" if step.number else "Integration"
    return f"{head} ({step.title})"


def step_text(grade: StepGrade) -> str:
    """What the learner reads about one step: the count, the problem, then each failing test's message."""
    lines = [f"{grade.passed} of {len(grade.counted)} tests pass. Spec: {grade.step.page}"]
    if grade.problem:
        lines.append(f"Problem: {grade.problem}")
    for t in grade.failing:
        lines.append(f"\n{t.name}: {t.message.strip()}")
    skipped = [t for t in grade.tests if t.outcome == "skipped"]
    if skipped:
        lines.append(f"\n{len(skipped)} test(s) not counted: {skipped[0].message}")
    return "\n".join(lines)


def results_json(grade: SubmissionGrade) -> dict:
    """Gradescope's results format, with every step's score under extra_data.steps."""
    score = round(sum(_num(g.score) for g in grade.steps), 2)  # adds up to the steps as written
    summary = f"{score} / {_num(grade.max_score)} points."
    if grade.problem:
        summary += f" {grade.problem}"
    return {
        "score": score,
        "max_score": _num(grade.max_score),
        "output": summary,
        "visibility": "visible",
        "tests": [
            {
                "name": step_title(g),
                "score": _num(g.score),
                "max_score": _num(g.max_score),
                "status": g.status,
                "output": step_text(g),
                "visibility": "visible",
            }
            for g in grade.steps
        ],
        "extra_data": {
            "steps": {g.step.id: {"score": _num(g.score), "max_score": _num(g.max_score)} for g in grade.steps},
        },
    }


def write_results(grades: list[SubmissionGrade], path: Path) -> None:
    """Gradescope's results.json for the one submission graded."""
    grade, = grades
    _mkparent(path).write_text(json.dumps(results_json(grade), indent=2) + "\n")


def write_csv(grades: list[SubmissionGrade], path: Path) -> None:
    """A gradebook: a row per submission, a column per step."""
    with _mkparent(path).open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["submission", "score", "max_score", *(s.id for s in STEPS), "problem"])
        for grade in grades:
            by_step = {g.step.id: g for g in grade.steps}
            problems = [grade.problem] if grade.problem else []
            problems += [f"{g.step.id}: {g.problem}" for g in grade.steps if g.problem and g.problem != grade.problem]
            out.writerow([grade.name, _num(grade.score), _num(grade.max_score),
                          *(_num(by_step[s.id].score) for s in STEPS), "; ".join(problems)])


def write_junit(grades: list[SubmissionGrade], path: Path) -> None:
    """JUnit XML: one testsuite per (submission, step), one testcase per test."""
    suites = ET.Element("testsuites")
    for grade in grades:
        for g in grade.steps:
            suite = ET.SubElement(suites, "testsuite", name=f"{grade.name}.{g.step.id}",
                                  tests=str(len(g.tests)), time=f"{g.seconds:.3f}",
                                  failures=str(len(g.failing)),
                                  skipped=str(sum(t.outcome == "skipped" for t in g.tests)))
            if g.problem:
                ET.SubElement(suite, "system-err").text = _xml_text(g.problem)
            for t in g.tests:
                case = ET.SubElement(suite, "testcase", classname=f"{grade.name}.{g.step.id}", name=t.name)
                message = _xml_text(t.message)
                if t.failed:
                    first = message.strip().splitlines()[0][:200] if message.strip() else t.outcome
                    ET.SubElement(case, "failure", message=first).text = message
                elif t.outcome == "skipped":
                    ET.SubElement(case, "skipped", message=message)
    ET.ElementTree(suites).write(_mkparent(path), encoding="unicode", xml_declaration=True)


def write_out_dir(grades: list[SubmissionGrade], out: Path) -> list[str]:
    """`--out DIR`: DIR/<name>/results.json for each submission and DIR/gradebook.csv; what was written."""
    for g in grades:
        write_results([g], out / g.name / "results.json")
    write_csv(grades, out / "gradebook.csv")
    return [f"{out}/<name>/results.json", str(out / "gradebook.csv")]


@dataclass(frozen=True)
class Format:
    option: str  # the `loopkata grade` option that asks for it, followed by a FILE
    help: str
    write: Callable[[list[SubmissionGrade], Path], None]
    one_submission: bool = False  # only when exactly one submission is graded

    @property
    def dest(self) -> str:
        """The attribute argparse gives the option's value."""
        return self.option.lstrip("-").replace("-", "_")


FORMATS: tuple[Format, ...] = (
    Format("--results", "write Gradescope's results.json here (one submission)", write_results, one_submission=True),
    Format("--csv", "write a gradebook CSV here", write_csv),
    Format("--junit", "write JUnit XML here: a suite per submission and step", write_junit),
)


def table(grade: SubmissionGrade) -> str:
    """A readable summary for the terminal."""
    lines = [f"{grade.name}  ({grade.path})"]
    if grade.problem:
        lines.append(f"  note: {grade.problem}")
    for g in grade.steps:
        tests = f"{g.passed}/{len(g.counted)}"
        line = f"  {g.step.row_label:<15} {tests:>7}  {g.score:6.2f} / {g.max_score:g}"
        if g.problem and g.problem != grade.problem:
            line += f"   {g.problem}"
        else:
            failing = [t.name for t in g.failing]
            if failing:
                line += "   failing: " + ", ".join(failing[:3]) + (" ..." if len(failing) > 3 else "")
        lines.append(line)
    lines.append(f"  {'total':<24}  {grade.score:6.2f} / {grade.max_score:g}")
    return "\n".join(lines)
