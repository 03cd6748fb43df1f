"""Print every benchmark row: its median, its baseline's median in the same run, the ratio and its goal."""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loopkata.kata.compat import available_cpus
from loopkata.maintainer.benchmarks import commands, memory, reference

Timer = Callable[[], float]


@dataclass
class Row:
    name: str
    ratio_goal: float | None  # the ratio to its baseline not to exceed
    make: Callable[[Path], tuple[Timer, Timer | None]]  # -> (the row's timer, its baseline's; None: import torch)
    seconds_goal: float | None = None  # the seconds not to exceed

    def verdict(self, seconds: float, ratio: float) -> str:
        if self.ratio_goal is None and self.seconds_goal is None:
            return "(a measure of the machine)"
        missed = (self.ratio_goal is not None and ratio > self.ratio_goal) or \
                 (self.seconds_goal is not None and seconds > self.seconds_goal)
        return "MISSED" if missed else "ok"

    def goal(self) -> str:
        goals = ([f"<= {self.ratio_goal:g}x"] if self.ratio_goal is not None else []) + \
                ([f"< {self.seconds_goal:g} s"] if self.seconds_goal is not None else [])
        return " and ".join(goals)


def _rows() -> list[Row]:
    c = commands
    return [
        Row("loopkata check loss", 2, lambda r: (c.check_one_step(r), None)),
        Row("loopkata check, a fresh workspace", 2, lambda r: (c.on_a_fresh_workspace(r, "check"), None)),
        Row("loopkata check, steps 1-9 done (remembered as they passed)", 2,
            lambda r: (c.check_with_nine_done(r, again=False), None)),
        Row("loopkata check --again, steps 1-9 done (nothing remembered)", 2,
            lambda r: (c.check_with_nine_done(r, again=True), None)),
        Row("loopkata status, a fresh workspace", 3, lambda r: (c.on_a_fresh_workspace(r, "status"), None)),
        Row("loopkata grade, one correct submission", 4, lambda r: (c.grade(r, "correct"), None), 10),
        Row("loopkata grade --jobs 1, one correct submission (one core, as on Gradescope)", None,
            lambda r: (c.grade(r, "correct-1", None, "--jobs", "1"), None), 60),
        Row("loopkata grade, Sampler.__iter__ never returns", None,
            lambda r: (c.grade(r, "sampler-hangs", c.SAMPLER_HANGS), None), 30),
        Row("loopkata grade, a module loops at import", None,
            lambda r: (c.grade(r, "loops-at-import", c.LOOPS_AT_IMPORT), None), 30),
        Row("two CPU-bound processes at once against one after the other (the best --jobs 2 does here)", None,
            lambda r: c.two_at_once(r)),
        Row("a batch of 20, --jobs 2 against --jobs 1", 0.6, lambda r: (c.batch(r, 2), c.batch(r, 1))),
        Row("reference DataLoader against torch's, bs 64 shuffled, 20,000 images", 0.3,
            lambda r: reference.dataloaders()),
        Row("16 one-epoch fits: Runner + AvgStats + Recorder + ParamScheduler against a loop by hand", 1.05,
            lambda r: reference.training_epochs()),
    ]


def median_of(timer: Timer, repeat: int) -> float:
    return statistics.median(timer() for _ in range(repeat))


def medians_taken_in_turn(timer: Timer, baseline: Timer, repeat: int) -> tuple[float, float]:
    """Both medians, timing the two in turn: a machine that slows down meanwhile slows both alike."""
    baseline()
    pairs = [(timer(), baseline()) for _ in range(repeat)]
    return statistics.median(t for t, _ in pairs), statistics.median(b for _, b in pairs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loopkata.maintainer.benchmarks",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timings per row; the median counts (default 5)")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="only the rows whose name holds TEXT (repeatable)")
    args = parser.parse_args(argv)
    rows = [r for r in _rows() if not args.only or any(text in r.name for text in args.only)]
    print(f"{platform.platform()}, Python {platform.python_version()}, {available_cpus()} CPU(s) "
          f"available, {os.cpu_count()} seen; medians of {args.repeat}")
    missed = 0
    with tempfile.TemporaryDirectory(prefix="loopkata-bench-") as tmp:
        root = Path(tmp)
        torch_seconds = median_of(commands.import_torch(root), args.repeat)
        baseline = 'baseline: python -c "import torch"'
        print(f"\n{baseline:<84} {1:6.2f}x  {torch_seconds:6.2f} s")
        for row in rows:
            timer, baseline = row.make(root)
            timer()  # once untimed: first-run costs (bytecode, file caches) are not what is measured
            if baseline is None:
                seconds, against = median_of(timer, args.repeat), torch_seconds
            else:
                seconds, against = medians_taken_in_turn(timer, baseline, args.repeat)
            ratio = seconds / against
            verdict = row.verdict(seconds, ratio)
            missed += verdict == "MISSED"
            print(f"{row.name:<84} {ratio:6.2f}x  {seconds:6.2f} s / {against:5.2f} s   goal {row.goal():<17} {verdict}",
                  flush=True)
        if not args.only or any("memory" in text for text in args.only):
            sub = commands.submission(root, "for-memory")
            for jobs in (None, 1):
                options = ["--jobs", str(jobs)] if jobs else []
                peak, _ = memory.peak_mb(commands.loopkata("grade", str(sub), *options), cwd=root)
                print(f"{'peak memory grading one submission, ' + ('--jobs 1' if jobs else 'default jobs'):<84} "
                      f"{peak:7.0f} MB (PSS of the grader's whole process tree)")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
