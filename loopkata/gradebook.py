"""What grading produces: Gradescope's results.json, a gradebook CSV, JUnit XML, and a terminal table."""
from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from loopkata.grading import StepGrade, SubmissionGrade
from loopkata.steps import STEPS


_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _num(x: float) -> float:
    return round(x, 2)


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold: a submission's messages may carry any control character."""
    return _NOT_XML.sub("\ufffd", text)


def step_title(grade: StepGrade) -> str:
    step = grade.step
    head = f"Step {step.number}: {step.id}" if step.number else "Integration"
    return f"{head} ({step.title})"


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
                "output": g.output(),
                "visibility": "visible",
            }
            for g in grade.steps
        ],
        "extra_data": {
            "steps": {g.step.id: {"score": _num(g.score), "max_score": _num(g.max_score)} for g in grade.steps},
        },
    }


def write_results(grade: SubmissionGrade, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results_json(grade), indent=2) + "\n")


def write_csv(grades: list[SubmissionGrade], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["submission", "score", "max_score", *(s.id for s in STEPS), "problem"])
        for grade in grades:
            by_step = {g.step.id: g for g in grade.steps}
            problems = [grade.problem] if grade.problem else []
            problems += [f"{g.step.id}: {g.problem}" for g in grade.steps if g.problem and g.problem != grade.problem]
            out.writerow([grade.name, _num(grade.score), _num(grade.max_score),
                          *(_num(by_step[s.id].score) for s in STEPS), "; ".join(problems)])


def write_junit(grades: list[SubmissionGrade], path: Path) -> None:
    """One testsuite per (submission, step), one testcase per test."""
    suites = ET.Element("testsuites")
    for grade in grades:
        for g in grade.steps:
            suite = ET.SubElement(suites, "testsuite", name=f"{grade.name}.{g.step.id}",
                                  tests=str(len(g.tests)), time=f"{g.seconds:.3f}",
                                  failures=str(sum(t.outcome in ("failed", "missing") for t in g.tests)),
                                  skipped=str(sum(t.outcome == "skipped" for t in g.tests)))
            if g.problem:
                ET.SubElement(suite, "system-err").text = _xml_text(g.problem)
            for t in g.tests:
                case = ET.SubElement(suite, "testcase", classname=f"{grade.name}.{g.step.id}", name=t.name)
                message = _xml_text(t.message)
                if t.outcome in ("failed", "missing"):
                    first = message.strip().splitlines()[0][:200] if message.strip() else t.outcome
                    ET.SubElement(case, "failure", message=first).text = message
                elif t.outcome == "skipped":
                    ET.SubElement(case, "skipped", message=message)
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="unicode", xml_declaration=True)


def table(grade: SubmissionGrade) -> str:
    """A readable summary for the terminal."""
    lines = [f"{grade.name}  ({grade.path})"]
    if grade.problem:
        lines.append(f"  note: {grade.problem}")
    for g in grade.steps:
        label = f"{g.step.number:>2} {g.step.id}" if g.step.number else "   integration"
        tests = f"{g.passed}/{len(g.counted)}"
        line = f"  {label:<15} {tests:>7}  {g.score:6.2f} / {g.max_score:g}"
        if g.problem and g.problem != grade.problem:
            line += f"   {g.problem}"
        else:
            failing = [t.name for t in g.tests if t.outcome in ("failed", "missing")]
            if failing:
                line += "   failing: " + ", ".join(failing[:3]) + (" ..." if len(failing) > 3 else "")
        lines.append(line)
    lines.append(f"  {'total':<24}  {grade.score:6.2f} / {grade.max_score:g}")
    return "\n".join(lines)
