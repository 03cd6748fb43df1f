"""`loopkata compare`, the parent's half: your lesson9 and the reference on the same seeded run,
and where they first part.

Each tree runs in a contained child (`loopkata.learner.traced_run`, the child's
half, started by `loopkata.containment.sandbox.run_module`) in which a callback called after every other one
records, at every event, the event's name, run.epoch, run.in_train, run.n_iter,
run.n_epochs, the learning rate, the loss and the running stats. The two traces
come back here; the first entry where they differ (the events exactly, numbers
to a relative 1e-4) is told in the learner's terms, with a few events before it.
"""
from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from loopkata.containment.forkserver import ForkServer
from loopkata.containment.sandbox import ChildRun, Limits, run_module, stopped
from loopkata.kata import paths
from loopkata.learner import progress

LIMITS = Limits(wall_seconds=30)  # the run takes a few seconds, most of it importing torch
TRACE_FILE = "trace.json"  # in a student release's content: the reference's trace, recorded as data
REL_TOL, ABS_TOL = 1e-4, 1e-7  # op order may differ between trees: float noise is not a divergence
CONTEXT = 3  # events shown before the divergence
RAISED = "raised"  # the event name of the entry that stands for an exception
# what each field is, for the learner, and the verb it takes
FIELDS = {
    "epoch": ("run.epoch", "is"),
    "in_train": ("run.in_train", "is"),
    "n_iter": ("run.n_iter", "is"),
    "n_epochs": ("run.n_epochs", "is"),
    "lr": ("learning rate (each param group's 'lr')", "is"),
    "loss": ("run.loss", "is"),
    "train_stats": ("training stats (AvgStatsCallback's train_stats.avg_stats: loss, accuracy)", "are"),
    "valid_stats": ("validation stats (AvgStatsCallback's valid_stats.avg_stats: loss, accuracy)", "are"),
}
MISSED_EVENT = "(An event the tracer does not see was either not run or not passed on to every callback.)"


@dataclass
class Trace:
    entries: list[dict] = field(default_factory=list)  # one per event; an exception as event "raised"
    problem: str | None = None  # one line: why this tree could not make the run at all
    ended: str | None = None  # why the trace stops before the run's end (time limit, crash)
    about: str = ""


@dataclass
class Divergence:
    index: int  # of the first entry that differs
    fields: list[str]  # the fields that differ there; empty when the events themselves do


@dataclass
class Outcome:
    yours: Trace
    reference: Trace
    divergence: Divergence | None
    problem: str | None  # one line, when there was nothing to compare

    @property
    def agree(self) -> bool:
        return self.problem is None and self.divergence is None


def trace(tree: Path, workdir: Path, limits: Limits = LIMITS, server: ForkServer | None = None) -> Trace:
    """Run the seeded training run on `tree` (a folder holding lesson9/) in a contained child."""
    child = run_module("loopkata.learner.traced_run", [str(tree.resolve())], workdir, limits, server)
    return read_trace(child, limits)


def read_trace(child: ChildRun, limits: Limits) -> Trace:
    kinds: dict[str, list[dict]] = {}
    for record in child.records:
        kinds.setdefault(str(record.get("kind")), []).append(record)
    entries = kinds.get("event", [])
    for raised in kinds.get("raised", [])[:1]:
        at = len(entries)
        # fit's `finally` runs after_fit after the exception: the raise came before that
        if entries and entries[-1]["event"] == "after_fit" and raised.get("event") != "after_fit":
            at -= 1
        entries.insert(at, {**raised, "event": RAISED, "event_of": raised.get("event")})
    about = next((r.get("about", "") for r in kinds.get("setup", [])), "")
    problem = next((str(r.get("text")) for r in kinds.get("problem", [])), None)
    ended = stopped(child, limits, finished="done" in kinds)
    if ended and not entries and problem is None:
        problem = f"Your run did not get to its first event: {ended}"
    return Trace(entries, problem, ended, about)


def compare(yours: Trace, reference: Trace) -> Outcome:
    """The first divergence of `yours` from `reference`, or a one-line problem."""
    if reference.problem or reference.ended or any(e["event"] == RAISED for e in reference.entries):
        raise RuntimeError(f"the reference run failed: {reference.problem or reference.ended or 'it raised'}")
    if yours.problem:
        return Outcome(yours, reference, None, yours.problem)
    return Outcome(yours, reference, first_divergence(yours.entries, reference.entries), None)


def compare_trees(tree: Path, reference: Path, limits: Limits = LIMITS) -> Outcome:
    """Trace both trees, side by side, and compare them."""
    with tempfile.TemporaryDirectory(prefix="loopkata-") as tmp, ThreadPoolExecutor(2) as pool:
        mine = pool.submit(trace, tree, Path(tmp) / "yours", limits)
        theirs = pool.submit(trace, reference, Path(tmp) / "reference", limits)
        return compare(mine.result(), theirs.result())


def compare_with_reference(tree: Path, limits: Limits = LIMITS) -> Outcome:
    """Compare tree with the reference: traced now in a checkout; in a student release, the trace
    recorded when the release was made (data: the release holds no reference code)."""
    if not paths.in_release():
        return compare_trees(tree, paths.reference_tree(), limits)
    with tempfile.TemporaryDirectory(prefix="loopkata-") as tmp:
        return compare(trace(tree, Path(tmp) / "yours", limits), load_trace(paths.kata_root() / TRACE_FILE))


def save_trace(recorded: Trace, path: Path) -> None:
    path.write_text(json.dumps({"about": recorded.about, "entries": recorded.entries}, indent=1) + "\n")


def load_trace(path: Path) -> Trace:
    data = json.loads(path.read_text())
    return Trace(entries=list(data["entries"]), about=str(data["about"]))


def first_divergence(yours: list[dict], reference: list[dict]) -> Divergence | None:
    for i in range(max(len(yours), len(reference))):
        if i >= len(yours) or i >= len(reference) or yours[i]["event"] != reference[i]["event"]:
            return Divergence(i, [])
        differ = [f for f in FIELDS if not same(f, yours[i].get(f), reference[i].get(f))]
        if differ:
            return Divergence(i, differ)
    return None


def same(name: str, yours, reference) -> bool:
    if reference is None:  # the reference has not set it (run.epoch before the first epoch): anything goes
        return True
    if name == "in_train":  # 1 for True is no divergence
        return bool(yours) == bool(reference) and not isinstance(yours, str)
    return close(yours, reference)


def close(a, b) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL) or (math.isnan(a) and math.isnan(b))
    return a == b


# words ------------------------------------------------------------------------------------

def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def positions(entries: list[dict]) -> list[str]:
    """Where each entry happens, in words: 'in the 3rd training batch of the 1st epoch'."""
    out, epoch, phase, batch = [], 0, "training", 0
    for entry in entries:
        event = entry["event"]
        if event == "begin_epoch":
            epoch, phase, batch = epoch + 1, "training", 0
        elif event == "begin_validate":
            phase, batch = "validation", 0
        elif event == "begin_batch":
            batch += 1
        out.append({
            "begin_fit": "at the start of the fit",
            "after_fit": "at the end of the fit",
            "begin_epoch": f"at the start of the {ordinal(epoch)} epoch",
            "begin_validate": f"at the start of the {ordinal(epoch)} epoch's validation",
            "after_epoch": f"at the end of the {ordinal(epoch)} epoch",
        }.get(event, f"in the {ordinal(batch)} {phase} batch of the {ordinal(epoch)} epoch"))
    return out


def show(value, digits: int = 4) -> str:
    if value is None:
        return "not set"
    if isinstance(value, bool) or not isinstance(value, (int, float, list)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(show(v, digits) for v in value) + "]"
    return str(value) if isinstance(value, int) else f"{value:.{digits}g}"


def show_pair(yours, reference) -> tuple[str, str]:
    """Both values, with enough digits that they read differently."""
    for digits in range(4, 12):
        a, b = show(yours, digits), show(reference, digits)
        if a != b:
            return a, b
    return a, b


def one_group(name: str, value):
    """The lr of the only param group without brackets: the run has one."""
    return value[0] if name == "lr" and isinstance(value, list) and len(value) == 1 else value


def summary(entry: dict, extra: Sequence[str] = ()) -> str:
    """One entry on one line: the event and what the run held then."""
    if entry["event"] == RAISED:
        return f"{RAISED:<15} {entry.get('error')}"
    names = ["epoch", "in_train", "n_iter", "n_epochs", "lr", *(["loss"] if "loss" in entry else []), *extra]
    parts = [f"{entry['event']:<15}"]
    for name in names:
        parts.append(f"{name} {show(one_group(name, entry.get(name)))}")
    return "  ".join(parts)


def finding(outcome: Outcome) -> str:
    """The divergence in one or two sentences."""
    d, yours, reference = outcome.divergence, outcome.yours.entries, outcome.reference.entries
    where = positions(reference)
    i = d.index
    if d.fields:
        entry, ref = yours[i], reference[i]
        said = []
        for name in d.fields:
            what, verb = FIELDS[name]
            a, b = show_pair(one_group(name, entry.get(name)), one_group(name, ref.get(name)))
            said.append(f"your {what} {verb} {a}, the reference's {verb} {b}")
        return f"{where[i][0].upper()}{where[i][1:]}, at event `{ref['event']}`: " + "; ".join(said) + "."
    after = f"After event `{reference[i - 1]['event']}` {where[i - 1]}" if i else "Before any event"
    if i >= len(reference):
        return (f"After the reference's last event (`{reference[-1]['event']}`), "
                f"your run goes on with `{yours[i]['event']}`.")
    if i >= len(yours):
        why = outcome.yours.ended or "its fit returned"
        return f"{after}, the reference goes on with `{reference[i]['event']}`; your run stops there: {why}."
    entry = yours[i]
    if entry["event"] == RAISED:
        at = f" ({entry['file']}, line {entry['line']}, in {entry['function']})" if entry.get("file") else ""
        during = f" during `{entry['event_of']}`" if entry.get("event_of") else ""
        return (f"{after}, your run raised {entry.get('error')}{at}{during}; "
                f"the reference goes on with `{reference[i]['event']}`.")
    return (f"{after}, the reference's next event is `{reference[i]['event']}`, yours is `{entry['event']}`. "
            + MISSED_EVENT)


def render(outcome: Outcome, workspace: str, color: bool) -> str:
    lines = [progress.paint(f"loopkata compare: {workspace} against the reference", "bold", color),
             f"The same seeded run on both: {outcome.reference.about}.", ""]
    if outcome.problem:
        return "\n".join(lines + [progress.paint(outcome.problem, progress.FAILING, color)])
    reference = outcome.reference.entries
    if outcome.divergence is None:
        tolerance = f"{REL_TOL:.0e}".replace("e-0", "e-")  # 1e-4, not 1e-04
        agreed = (f"Your run and the reference agree on all {len(reference)} events: every event, run.epoch, "
                  f"in_train, n_iter, n_epochs, the learning rate, the loss and the stats (numbers to a "
                  f"relative {tolerance}).")
        return "\n".join(lines + [progress.paint(agreed, progress.PASSING, color)])
    d, yours = outcome.divergence, outcome.yours.entries
    lines.append(f"Your run and the reference agree on the first {d.index} events, then part:")
    lines.append("")
    for i in range(max(0, d.index - CONTEXT), d.index):
        lines.append(f"  {i + 1:>3}  {summary(reference[i])}")
    extra = [f for f in d.fields if f.endswith("_stats")]
    for who, entries in (("yours", yours), ("reference", reference)):
        text = summary(entries[d.index], extra) if d.index < len(entries) else "(no event: your run stops here)"
        line = f"{'>' if who == 'yours' else ' '} {d.index + 1:>3}  {who + ':':<11}{text}"
        lines.append(progress.paint(line, progress.FAILING, color) if who == "yours" else line)
    lines += ["", progress.paint(finding(outcome), progress.FAILING, color)]
    return "\n".join(lines)
