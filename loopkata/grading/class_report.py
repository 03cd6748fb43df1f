"""What a class got wrong: a report of a batch of grades, in Markdown with PNG figures (matplotlib, Agg).

The score distribution, each step's mean and pass rate, the tests most often
failed with their most common failure messages, and the groups of identical
submissions (the same lesson9 files, byte for byte).
"""
from __future__ import annotations

import statistics
import threading
from collections import Counter, defaultdict
from pathlib import Path

from loopkata.grading.scores import SubmissionGrade
from loopkata.kata.steps import STEPS

REPORT = "report.md"
SCORES_PNG, STEPS_PNG = "scores.png", "steps.png"
MOST_FAILED = 15  # tests listed in the report


def _first_line(message: str) -> str:
    line = next((line.strip() for line in message.splitlines() if line.strip()), "(no message)")
    return line if len(line) <= 120 else line[:117] + "..."


def _pyplot():
    """pyplot drawing to files; the first call imports matplotlib (about a second)."""
    import matplotlib

    matplotlib.use("Agg")  # files only, never a window
    import matplotlib.pyplot as plt

    return plt


def import_in_background() -> None:
    """Start importing matplotlib now, in a thread: while a batch is graded, this process mostly waits."""
    threading.Thread(target=_pyplot, daemon=True).start()


def _figures(graded: list[SubmissionGrade], out: Path) -> None:
    plt = _pyplot()
    scores = [g.score for g in graded]
    top = max(g.max_score for g in graded) or 1
    fig, ax = plt.subplots(figsize=(6, 3.2))
    ax.hist(scores, bins=[top * i / 20 for i in range(21)], color="#4c72b0", edgecolor="white")
    ax.set(xlabel="score", ylabel="submissions", title=f"Scores of {len(graded)} submissions (out of {top:g})")
    fig.tight_layout()
    fig.savefig(out / SCORES_PNG, dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(7, 3.4))
    names = [s.id for s in STEPS]
    means = [100 * statistics.mean(_fraction(g, s.id) for g in graded) for s in STEPS]
    passed = [100 * sum(_fraction(g, s.id) >= 1 - 1e-9 for g in graded) / len(graded) for s in STEPS]
    xs = range(len(names))
    ax.bar([x - 0.2 for x in xs], means, width=0.4, label="mean score (%)", color="#4c72b0")
    ax.bar([x + 0.2 for x in xs], passed, width=0.4, label="full marks (% of submissions)", color="#55a868")
    ax.set_xticks(list(xs), names, rotation=45, ha="right")
    ax.set(ylim=(0, 105), title="Steps")
    ax.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    fig.savefig(out / STEPS_PNG, dpi=100)
    plt.close(fig)


def _fraction(grade: SubmissionGrade, step_id: str) -> float:
    step = next(g for g in grade.steps if g.step.id == step_id)
    return step.score / step.max_score if step.max_score else 1.0


def markdown(grades: list[SubmissionGrade]) -> str:
    graded = [g for g in grades if g.fingerprint is not None]
    lines = [f"# Class report: {len(grades)} submissions", ""]
    if not graded:
        return "\n".join(lines + ["Nothing could be graded."]) + "\n"
    scores = [g.score for g in graded]
    top = max(g.max_score for g in graded)
    lines += [f"Scores out of {top:g}: mean {statistics.mean(scores):.1f}, median {statistics.median(scores):.1f}, "
              f"lowest {min(scores):.1f}, highest {max(scores):.1f}.", "", f"![scores]({SCORES_PNG})", "",
              "## Steps", "", "| step | mean | full marks |", "|---|---|---|"]
    for step in STEPS:
        fractions = [_fraction(g, step.id) for g in graded]
        full = sum(f >= 1 - 1e-9 for f in fractions)
        lines.append(f"| {step.row_label.strip()} | {100 * statistics.mean(fractions):.0f}% | "
                     f"{full} of {len(graded)} |")
    lines += ["", f"![steps]({STEPS_PNG})", "", "## The tests most often failed", ""]
    failed: dict[tuple[str, str], list[str]] = defaultdict(list)  # (step, test) -> first line of each failure
    for grade in graded:
        for step in grade.steps:
            for test in step.failing:
                failed[(step.step.id, test.name)].append(_first_line(test.message))
    if failed:
        lines += ["| step | test | failed by | most common message |", "|---|---|---|---|"]
        ranked = sorted(failed.items(), key=lambda item: (-len(item[1]), item[0]))[:MOST_FAILED]
        for (step_id, name), messages in ranked:
            message, count = Counter(messages).most_common(1)[0]
            message = message.replace("|", "\\|")
            lines.append(f"| {step_id} | `{name}` | {len(messages)} of {len(graded)} | {message} ({count}) |")
    else:
        lines.append("No test failed.")
    groups = defaultdict(list)
    for grade in graded:
        groups[grade.fingerprint].append(grade.name)
    same = sorted(names for names in groups.values() if len(names) > 1)
    lines += ["", "## Identical submissions", ""]
    lines += [f"- {', '.join(names)}" for names in same] if same else ["None: every submission differs."]
    not_graded = [g for g in grades if g.fingerprint is None]
    if not_graded:
        lines += ["", "## Not graded", ""] + [f"- {g.name}: {g.problem}" for g in not_graded]
    return "\n".join(lines) + "\n"


def write(grades: list[SubmissionGrade], out: Path) -> list[str]:
    """Write out/report.md and its figures; return what was written."""
    out.mkdir(parents=True, exist_ok=True)
    (out / REPORT).write_text(markdown(grades))
    graded = [g for g in grades if g.fingerprint is not None]
    if not graded:
        return [str(out / REPORT)]
    _figures(graded, out)
    return [str(out / REPORT), str(out / SCORES_PNG), str(out / STEPS_PNG)]
