"""Everything grading writes, from the grades alone: the terminal table and a table of file formats.

`FORMATS` is the one list of file outputs: `loopkata grade` takes an option
for each (`--results FILE`, `--csv FILE`, `--junit FILE`, `--classroom FILE`)
and calls its writer. To add a format, write a writer here and add a row.
`--out DIR` writes a folder for a class: each submission's results.json and
feedback, the gradebook, and the class report (`loopkata.grading.class_report`).
"""
from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loopkata.containment.specrun import TestResult, same_way
from loopkata.grading import class_report
from loopkata.grading.scores import Part, StepGrade, SubmissionGrade
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


def step_title(grade: StepGrade, part: Part | None = None) -> str:
    step = grade.step
    head = f"Step {step.number}: {step.id}" if step.number else "Integration"
    title = f"{head} ({step.title})"
    return title if part is None or part.held_out is None else f"{title}: held-out tests ({part.held_out})"


@dataclass
class _Report:
    """What a learner is told about some tests of one step, before it is written as text or Markdown."""
    passed: int
    counted: int
    problem: str | None
    failures: list[tuple[str, str]]  # (the tests' names, their message): the same message once
    skipped: str | None  # one line on the tests not counted


def _report(grade: StepGrade, tests: list[TestResult]) -> _Report:
    counted = [t for t in tests if t.outcome != "skipped"]
    skipped = [t for t in tests if t.outcome == "skipped"]
    return _Report(sum(t.outcome == "passed" for t in counted), len(counted), grade.problem,
                   [(_names(group), message) for group, message in same_way([t for t in tests if t.failed])],
                   f"{len(skipped)} test(s) not counted: {skipped[0].message}" if skipped else None)


def _names(tests: list[TestResult]) -> str:
    if len(tests) == 1:
        return tests[0].name
    shown = ", ".join(t.name for t in tests[:3])
    return f"{shown} and {len(tests) - 3} more" if len(tests) > 3 else shown


def step_text(grade: StepGrade, tests: list[TestResult] | None = None) -> str:
    """What the learner reads about one step (or some of its tests), as plain text: the count, the
    problem, then each failing test's message."""
    r = _report(grade, grade.tests if tests is None else tests)
    lines = [f"{r.passed} of {r.counted} tests pass. Spec: {grade.step.page}"]
    lines += [f"Problem: {r.problem}"] if r.problem else []
    lines += [f"\n{name}: {message}" for name, message in r.failures]
    lines += [f"\n{r.skipped}"] if r.skipped else []
    return "\n".join(lines)


def _fenced(text: str) -> str:
    """text as a Markdown code block, its fence longer than any run of backticks inside it."""
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence}text\n{text}\n{fence}"


def step_markdown(grade: StepGrade, tests: list[TestResult] | None = None) -> str:
    """The same as step_text, in Markdown: each message a block of code, its line breaks kept."""
    r = _report(grade, grade.tests if tests is None else tests)
    lines = [f"**{r.passed} of {r.counted} tests pass.** Spec: `{grade.step.page}`"]
    lines += ["", f"**Problem:** {r.problem}"] if r.problem else []
    for name, message in r.failures:
        lines += ["", f"**{name}**", "", _fenced(message)]
    lines += ["", r.skipped] if r.skipped else []
    return "\n".join(lines)


def _full(part: Part, grade: StepGrade) -> bool:
    return bool(part.max_score) and part.score >= part.max_score - 1e-9 and not grade.problem


def results_json(grade: SubmissionGrade) -> dict:
    """Gradescope's results format: an entry per step (and per folder of its held-out tests), every
    step's score under extra_data.steps."""
    entries = [(g, part) for g in grade.steps for part in g.parts]
    score = round(sum(_num(part.score) for _, part in entries), 2)  # adds up to the entries as written
    summary = f"{score} / {_num(grade.max_score)} points." + "".join(
        f" {text[0].upper()}{text[1:].rstrip('.')}." for text in (grade.note, grade.problem) if text)
    return {
        "score": score,
        "max_score": _num(grade.max_score),
        "execution_time": round(grade.seconds),
        "output": summary,
        "output_format": "md",
        "test_output_format": "md",
        "visibility": "visible",
        "tests": [
            {
                "name": step_title(g, part),
                "score": _num(part.score),
                "max_score": _num(part.max_score),
                "status": "passed" if _full(part, g) else "failed",
                "output": step_markdown(g, part.tests),
                "output_format": "md",
                "visibility": part.visibility,
            }
            for g, part in entries
        ],
        "extra_data": {
            "steps": {g.step.id: {"score": _num(g.score), "max_score": _num(g.max_score)} for g in grade.steps},
        },
    }


def classroom_json(grade: SubmissionGrade) -> dict:
    """GitHub Classroom's autograding result (the `result` a grader action hands the grading reporter):
    an entry per step and part, each worth its share of the points, so a step passed in part earns part."""
    entries = [(g, part) for g in grade.steps for part in g.parts]
    return {
        "version": 1,
        "status": "pass" if all(_full(p, g) for g, p in entries) else "fail",
        "max_score": _num(grade.max_score),
        "tests": [
            {"name": step_title(g, part), "status": "pass" if _full(part, g) else "fail",
             "score": _num(part.score), "message": step_text(g, part.tests), "test_code": "",
             "filename": g.step.test_file, "line_no": 0, "execution_time": f"{g.seconds:.1f}s"}
            for g, part in entries
        ],
    }


def write_classroom(grades: list[SubmissionGrade], path: Path) -> None:
    """GitHub Classroom's result for the one submission graded (base64 it for the grading reporter)."""
    grade, = grades
    _mkparent(path).write_text(json.dumps(classroom_json(grade), indent=1) + "\n")


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


def feedback_markdown(grade: SubmissionGrade) -> str:
    """One student's feedback: the step table, then what each step that lost points was told."""
    lines = [f"# Feedback: {grade.name}", "", f"**{grade.score:.2f} / {grade.max_score:g} points.**"]
    lines += ["", grade.problem] if grade.problem else []
    lines += ["", "| step | tests passed | points |", "|---|---|---|"]
    lines += [f"| {g.step.row_label.strip()} | {g.passed} / {len(g.counted)} | {g.score:.2f} / {g.max_score:g} |"
              for g in grade.steps]
    for g in grade.steps:
        if g.status != "passed":
            lines += ["", f"## {step_title(g)}", "", step_markdown(g)]
    return "\n".join(lines) + "\n"


def write_out_dir(grades: list[SubmissionGrade], out: Path) -> list[str]:
    """`--out DIR`: each submission's results.json and feedback.md in DIR/<name>/, DIR/gradebook.csv and
    the class report; what was written."""
    for g in grades:
        write_results([g], out / g.name / "results.json")
        (out / g.name / "feedback.md").write_text(feedback_markdown(g))
    write_csv(grades, out / "gradebook.csv")
    return [f"{out}/<name>/results.json", f"{out}/<name>/feedback.md", str(out / "gradebook.csv"),
            *class_report.write(grades, out)]


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
    Format("--classroom", "write GitHub Classroom's autograding result here (one submission)", write_classroom,
           one_submission=True),
)


def table(grade: SubmissionGrade) -> str:
    """A readable summary for the terminal."""
    lines = [f"{grade.name}  ({grade.path})"]
    lines += [f"  note: {text}" for text in (grade.note, grade.problem) if text]
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
