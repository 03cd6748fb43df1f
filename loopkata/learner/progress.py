"""A learner's progress: every step at a glance, and one step's failures in detail."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from loopkata.containment.specrun import SpecRun, TestResult, same_way
from loopkata.kata import paths
from loopkata.kata.steps import STEPS, Step

PASSING, FAILING, NOT_STARTED, NOT_CHECKED = "passing", "failing", "not started", "not checked"
COLORS = {PASSING: "32", FAILING: "31", NOT_STARTED: "2", NOT_CHECKED: "2", "bold": "1", "dim": "2"}


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
    total: int | None  # tests counted (skipped ones left out); None when not known
    failures: list[TestResult] = field(default_factory=list)  # failed
    not_run: list[TestResult] = field(default_factory=list)  # never reported: the run ended before them
    skipped: list[TestResult] = field(default_factory=list)
    note: str = ""  # how the state is known, when not from a run: "still the skeleton", ...


def states(run: SpecRun, steps: list[Step] | None = None) -> list[StepState]:
    """Each step's state from a run of its tests."""
    result = []
    for step in steps or STEPS:
        tests = run.for_step(step.id)
        counted = [t for t in tests if t.outcome != "skipped"]
        failures = [t for t in counted if t.outcome == "failed"]
        not_run = [t for t in counted if t.outcome == "missing"]
        passed = len(counted) - len(failures) - len(not_run)
        if counted and passed == len(counted):
            state = PASSING
        elif run.stopped and not_run and len(not_run) == len(counted):
            state = NOT_CHECKED  # the run stopped on purpose before this step
        elif passed == 0 and failures and all(t.not_started for t in failures):
            state = NOT_STARTED
        else:
            state = FAILING
        skipped = [t for t in tests if t.outcome == "skipped"]
        result.append(StepState(step, state, passed, len(counted), failures, not_run, skipped))
    return result


def first_unfinished(all_states: list[StepState]) -> StepState | None:
    return next((s for s in all_states if s.state != PASSING), None)


def bar(done: int, total: int, width: int = 30, unicode: bool = True) -> str:
    filled = round(width * done / total) if total else 0
    full, empty = ("█", "░") if unicode else ("#", "-")
    return full * filled + empty * (width - filled)


def _marks() -> dict[str, str]:
    if (sys.stdout.encoding or "").lower().replace("-", "") == "utf8":
        return {PASSING: "✓", FAILING: "✗", NOT_STARTED: "·", NOT_CHECKED: "?"}
    return {PASSING: "+", FAILING: "x", NOT_STARTED: ".", NOT_CHECKED: "?"}


def _count(n: int | None) -> str:
    return "?" if n is None else str(n)


def render_status(all_states: list[StepState], where: str, color: bool) -> str:
    marks = _marks()
    lines = [paint(f"loopkata status: {where}", "bold", color)]
    for s in all_states:
        detail = f"{s.passed}/{_count(s.total)} tests" + (f" ({s.note})" if s.note else "")
        word = f"{marks[s.state]} {s.state}"
        lines.append(f"  {s.step.row_label:<15} {paint(f'{word:<14}', s.state, color)} {detail}")
    done = sum(s.state == PASSING for s in all_states)
    tests_done = sum(s.passed for s in all_states)
    tests_total = sum(s.total or 0 for s in all_states)
    lines.append("")
    lines.append(f"Progress: [{bar(done, len(all_states), unicode=marks[PASSING] == '✓')}] "
                 f"{done}/{len(all_states)} steps ({tests_done}/{tests_total} tests)")
    nxt = first_unfinished(all_states)
    if nxt is None:
        lines.append(paint("Every step passes: the whole lesson-9 loop is yours.", PASSING, color))
    else:
        lines.append(f"Next: {nxt.step.label}, {page(nxt.step)}: run `loopkata check {nxt.step.id}`")
    return "\n".join(lines)


def page(step: Step) -> str:
    """The step's spec page, as a path that exists on this machine."""
    return str(paths.kata_root() / step.page)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def render_check(s: StepState, color: bool, show: int = 3) -> str:
    lines = [paint(f"{s.step.label}: {s.step.title}", "bold", color)]
    if s.state == PASSING:
        how = f" ({s.note})" if s.note else ""
        lines.append(paint(f"All {s.total} tests pass{how}.", PASSING, color))
    else:
        lines.append(f"{s.passed} of {_count(s.total)} tests pass. Spec: {page(s.step)}")
    groups = same_way(s.failures)
    for tests, message in groups[:show]:
        lines.append("")
        also = f" and {_plural(len(tests) - 1, 'more test')}, the same way" if len(tests) > 1 else ""
        lines.append(paint(f"{_marks()[FAILING]} {tests[0].name}{also}", FAILING, color))
        lines += ["    " + line for line in _trim(message).splitlines()]
    rest = [t for tests, _ in groups[show:] for t in tests]
    if rest:
        lines.append("")
        lines.append(f"... and {len(rest)} more failing: " + ", ".join(t.name for t in rest[:8])
                     + (" ..." if len(rest) > 8 else ""))
    if s.not_run:
        lines.append("")
        why = s.not_run[0].message.removeprefix("did not run to the end: ")
        lines.append(f"{_plural(len(s.not_run), 'test')} never ran ({why}): "
                     + ", ".join(t.name for t in s.not_run[:5]) + (" ..." if len(s.not_run) > 5 else ""))
    if s.skipped:
        lines.append("")
        lines.append(f"{_plural(len(s.skipped), 'test')} skipped, not counted: {s.skipped[0].message}")
    return "\n".join(lines)


def _trim(message: str, max_lines: int = 25) -> str:
    lines = [line for line in message.strip().splitlines()
             if not line.startswith("-----") and "spec ---" not in line]
    if len(lines) > max_lines:
        lines = lines[:max_lines] + ["..."]
    return "\n".join(lines)
