"""The scoring model: a step's grade from its test results, and a submission's from its steps.

A step's points are shared among its counted tests (all but the skipped ones)
by weight. They are reported in parts: the public spec's tests, and the tests
of each folder of held-out tests, each part with its share of the points and
the visibility the points file gives it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from loopkata.containment.specrun import TestResult
from loopkata.grading.points import Points
from loopkata.kata.steps import Step


@dataclass
class Part:
    """The tests of one step from one source: the public spec (held_out None) or a held-out folder."""
    held_out: str | None
    tests: list[TestResult]
    score: float
    max_score: float
    visibility: str


@dataclass
class StepGrade:
    step: Step
    max_score: float
    score: float = 0.0
    tests: list[TestResult] = field(default_factory=list)
    problem: str | None = None
    seconds: float = 0.0
    parts: list[Part] = field(default_factory=list)

    @property
    def counted(self) -> list[TestResult]:
        """The tests that share the step's points: all but the skipped ones."""
        return [t for t in self.tests if t.outcome != "skipped"]

    @property
    def passed(self) -> int:
        return sum(t.outcome == "passed" for t in self.counted)

    @property
    def failing(self) -> list[TestResult]:
        return [t for t in self.tests if t.failed]

    @property
    def status(self) -> str:
        return "passed" if self.counted and self.passed == len(self.counted) and not self.problem else "failed"


@dataclass
class SubmissionGrade:
    name: str
    path: Path
    steps: list[StepGrade]
    problem: str | None = None
    seconds: float = 0.0  # from its first step's start to its last step's end
    fingerprint: str | None = None  # of its lesson9 files: the same for identical submissions
    note: str | None = None  # how it was graded, when that is worth saying (from notebooks)

    @property
    def score(self) -> float:
        return sum(g.score for g in self.steps)

    @property
    def max_score(self) -> float:
        return sum(g.max_score for g in self.steps)


def score_step(step: Step, tests: list[TestResult], problem: str | None, points: Points,
               trusted: bool = True) -> StepGrade:
    """Share the step's points among its counted tests by weight; nothing when results were forged."""
    grade = StepGrade(step, points.steps[step.id], tests=tests, problem=problem)
    counted = grade.counted
    total = sum(points.weight(t) for t in counted)
    if total > 0 and trusted:
        earned = sum(points.weight(t) for t in counted if t.outcome == "passed")
        grade.score = round(grade.max_score * earned / total, 4)
    sources = [None] + sorted({t.held_out for t in tests if t.held_out is not None})
    for source in sources:
        mine = [t for t in tests if t.held_out == source]
        weight = sum(points.weight(t) for t in mine if t.outcome != "skipped")
        earned = sum(points.weight(t) for t in mine if t.outcome == "passed") if trusted else 0
        share = grade.max_score / total if total > 0 else 0.0
        grade.parts.append(Part(source, mine, round(earned * share, 4),
                                grade.max_score if total == 0 and source is None else round(weight * share, 4),
                                points.visibility_of(step.id, source)))
    return grade


def not_graded(name: str, path: Path, steps: list[Step], points: Points, reason: str) -> SubmissionGrade:
    """A submission that could not be graded at all: every step at zero, each saying why."""
    return SubmissionGrade(name, path, [score_step(s, [], reason, points) for s in steps], problem=reason)
