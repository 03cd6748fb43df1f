"""A learner's progress: every step at a glance, and one step's failures in detail."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from loopkata.containment.specrun import SpecRun, TestResult
from loopkata.kata.steps import STEPS, Step

PASSING, FAILING, NOT_STARTED = "passing", "failing", "not started"
COLORS = {PASSING: "32", FAILING: "31", NOT_STARTED: "2", "bold": "1", "dim": "2"}


def use_color(stream=sys.stdout, choice: str = "auto") -> bool:
    if choice != "auto":
        return choice == "always"
    return stream.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def paint(text: str, color: str, on: bool) -> str:
    return f"\033[{COLORS.get(color, color)}m{text}\033[0m" if on else text


@dataclass
class StepState:
    step: Step
    state: str
    passed: int
    total: int
    failures: list[TestResult] = field(default_factory=list)


def states(run: SpecRun, steps: list[Step] | None = None) -> list[StepState]:
    result = []
    for step in steps or STEPS:
        tests = [t for t in run.for_step(step.id) if t.outcome != "skipped"]
        failures = [t for t in tests if t.failed]
        passed = len(tests) - len(failures)
        if tests and not failures:
            state = PASSING
        elif passed == 0 and failures and all(t.not_started for t in failures):
            state = NOT_STARTED
        else:
            state = FAILING
        result.append(StepState(step, state, passed, len(tests), failures))
    return result


def first_unfinished(all_states: list[StepState]) -> StepState | None:
    return next((s for s in all_states if s.state != PASSING), None)


def bar(done: int, total: int, width: int = 30, unicode: bool = True) -> str:
    filled = round(width * done / total) if total else 0
    full, empty = ("█", "░") if unicode else ("#", "-")
    return full * filled + empty * (width - filled)


def render_status(all_states: list[StepState], where: str, color: bool) -> str:
    unicode = (sys.stdout.encoding or "").lower().replace("-", "") == "utf8"
    marks = {PASSING: "✓", FAILING: "✗", NOT_STARTED: "·"} if unicode else {PASSING: "+", FAILING: "x", NOT_STARTED: "."}
    lines = [paint(f"loopkata status: {where}", "bold", color)]
    for s in all_states:
        detail = f"{s.passed}/{s.total} tests"
        word = f"{marks[s.state]} {s.state}"
        lines.append(f"  {s.step.row_label:<15} {paint(f'{word:<13}', s.state, color)} {detail}")
    done = sum(s.state == PASSING for s in all_states)
    tests_done = sum(s.passed for s in all_states)
    tests_total = sum(s.total for s in all_states)
    lines.append("")
    lines.append(f"Progress: [{bar(done, len(all_states), unicode=unicode)}] {done}/{len(all_states)} steps "
                 f"({tests_done}/{tests_total} tests)")
    nxt = first_unfinished(all_states)
    if nxt is None:
        lines.append(paint("Every step passes: the whole lesson-9 loop is yours.", PASSING, color))
    else:
        lines.append(f"Next: {nxt.step.label}, {nxt.step.page}: run `loopkata check {nxt.step.id}`")
    return "\n".join(lines)


def render_check(s: StepState, color: bool, show: int = 3) -> str:
    head = f"{s.step.label}: {s.step.title}"
    lines = [paint(head, "bold", color)]
    if s.state == PASSING:
        lines.append(paint(f"All {s.total} tests pass.", PASSING, color))
        return "\n".join(lines)
    lines.append(f"{s.passed} of {s.total} tests pass. Spec: {s.step.page}")
    for t in s.failures[:show]:
        lines.append("")
        lines.append(paint(f"✗ {t.name}" if color else f"x {t.name}", FAILING, color))
        lines += ["    " + line for line in _trim(t.message).splitlines()]
    rest = s.failures[show:]
    if rest:
        lines.append("")
        lines.append(f"... and {len(rest)} more failing: " + ", ".join(t.name for t in rest[:8])
                     + (" ..." if len(rest) > 8 else ""))
    return "\n".join(lines)


def _trim(message: str, max_lines: int = 25) -> str:
    lines = [line for line in message.strip().splitlines()
             if not line.startswith("-----") and "spec ---" not in line]
    if len(lines) > max_lines:
        lines = lines[:max_lines] + ["..."]
    return "\n".join(lines)
