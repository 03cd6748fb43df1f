"""Mutation testing of the spec: does each step's test file catch small bugs in its module?

`python -m loopkata.maintainer.mutation` runs mutmut 3 over the reference tree
(solutions/lesson9/) and judges every mutant by the tests of its own step
alone (a mutant of lesson9/runner.py by tests/test_07_runner.py), since the
grader grades each step with the reference for every other module. It prints
the score per step and every mutant no test kills.

mutmut copies a project into `mutants/` and names each mutant after its
module's import path, with a leading `src/` dropped. So the run happens in a
scratch folder (a temporary one unless `--workdir` is given, never the
checkout) that holds the reference as `src/lesson9/`, a copy of `tests/` and
of pyproject.toml with the mutmut settings appended; pytest runs there with
`--impl=src` and with this module loaded as a plugin (`-p loopkata.maintainer.mutation`),
whose one hook keeps only the mutated module's step tests.

`--known FILE` names a file (tests/mutation-report.md) that lists every
accepted survivor by its mutmut name; the run then fails when a mutant
survives that the file does not list, and says which listed ones now die.

Needs the `dev` extra (mutmut). Slow: minutes, not seconds; `tox -e mutation`.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from fnmatch import fnmatchcase
from pathlib import Path

from loopkata.kata.files import write_files
from loopkata.kata.paths import kata_root, spec_files
from loopkata.kata.steps import BY_ID, MODULE_STEPS
from loopkata.testing.plugin import keep_steps

MUTANT_NAME = re.compile(r"lesson9\.(\w+)\.\S+?__mutmut_\d+")
# mutmut's statuses; a mutant that hangs counts as killed (pytest-timeout ends it in a learner's run)
KILLED = ("killed", "timeout", "segfault")

MUTMUT_SETTINGS = """
[tool.mutmut]
source_paths = ["src/lesson9"]
pytest_add_cli_args = ["--impl=src", "-p", "loopkata.maintainer.mutation", "-p", "no:cacheprovider"]
pytest_add_cli_args_test_selection = [{test_files}]
# torch is not fork-safe once it has run: fork each mutant from a server that only collected the tests
process_isolation = "forkserver"
"""


# --- the pytest plugin, active in the runs mutmut starts -------------------------------------

def step_of_mutant(name: str) -> str | None:
    """The step id whose module a mutmut mutant name (`lesson9.runner.x_listify__mutmut_3`) belongs to."""
    match = MUTANT_NAME.fullmatch(name)
    if match is None or match.group(1) not in BY_ID:
        return None
    return match.group(1)


def pytest_collection_modifyitems(config, items) -> None:
    """While mutmut runs a mutant, keep only the tests of the mutated module's step."""
    step_id = step_of_mutant(os.environ.get("MUTANT_UNDER_TEST", ""))
    if step_id is not None:  # else the clean run, the stats run, or mutmut's forced-failure check: all tests
        keep_steps(config, items, {step_id})


# --- the command ------------------------------------------------------------------------------

def stage(workdir: Path) -> None:
    """Lay out the reference as src/lesson9 beside the spec, for mutmut to copy into mutants/."""
    root = kata_root()
    (workdir / "src").mkdir(parents=True, exist_ok=True)
    for name in ("src/lesson9", "tests"):
        shutil.rmtree(workdir / name, ignore_errors=True)
    shutil.copytree(root / "solutions" / "lesson9", workdir / "src" / "lesson9",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    write_files(spec_files(), workdir / "tests")
    test_files = ", ".join(f'"{step.test_file}"' for step in MODULE_STEPS)
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    (workdir / "pyproject.toml").write_text(pyproject + MUTMUT_SETTINGS.format(test_files=test_files),
                                            encoding="utf-8")


def run_mutmut(workdir: Path, args: list[str], log: Path | None = None) -> str:
    """`python -m mutmut ARGS` in workdir (its output going to `log` as it comes); its output."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", MPLBACKEND="Agg")
    command = [sys.executable, "-m", "mutmut", *args]
    if log is None:
        done = subprocess.run(command, cwd=workdir, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        output = done.stdout
    else:  # a long run: its progress can be followed in the log
        with log.open("w", encoding="utf-8") as out:
            done = subprocess.run(command, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
        output = log.read_text(encoding="utf-8")
    if done.returncode != 0:
        tail = "\n".join(output.replace("\r", "\n").splitlines()[-30:])
        raise SystemExit(f"mutmut {' '.join(args)} failed (exit {done.returncode}):\n{tail}")
    return output


def parse_results(text: str) -> dict[str, str]:
    """`mutmut results --all true` lines `    <name>: <status>` -> {name: status}."""
    results = {}
    for line in text.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and step_of_mutant(name) is not None:
            results[name] = status
    return results


def score_table(results: dict[str, str]) -> str:
    """One row per step: killed / total and the mutants left over, as a Markdown table."""
    by_step: dict[str, Counter] = defaultdict(Counter)
    for name, status in results.items():
        by_step[step_of_mutant(name)][status] += 1
    rows = ["| step | killed / total | score | survived | no tests | other |",
            "|---|---|---|---|---|---|"]
    totals: Counter = Counter()
    for step in MODULE_STEPS:
        counts = by_step.get(step.id, Counter())
        totals.update(counts)
        rows.append(_row(step.label, counts))
    rows.append(_row("all", totals))
    return "\n".join(rows)


def _row(label: str, counts: Counter) -> str:
    total = sum(counts.values())
    killed = sum(counts[s] for s in KILLED)
    other = total - killed - counts["survived"] - counts["no tests"]
    score = f"{100 * killed / total:.1f}%" if total else "-"
    return f"| {label} | {killed} / {total} | {score} | {counts['survived']} | {counts['no tests']} | {other} |"


def known_survivors(path: Path) -> set[str]:
    """Every mutmut mutant name written in the file (the accepted survivors)."""
    return {m.group(0) for m in MUTANT_NAME.finditer(path.read_text(encoding="utf-8"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loopkata.maintainer.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("mutants", nargs="*", metavar="NAME",
                        help="only these mutants (mutmut names, globs allowed: 'lesson9.loss.*')")
    parser.add_argument("--workdir", type=Path,
                        help="scratch folder to run in and keep (reused runs only retest what changed); "
                             "default: a temporary folder, removed afterwards")
    parser.add_argument("--known", type=Path, metavar="FILE",
                        help="fail unless every surviving mutant is named in FILE")
    parser.add_argument("--show", action="store_true", help="print the diff of every surviving mutant")
    args = parser.parse_args(argv)

    workdir = args.workdir.resolve() if args.workdir else Path(tempfile.mkdtemp(prefix="loopkata-mutation-"))
    try:
        stage(workdir)
        print(f"mutmut over solutions/lesson9 in {workdir} (each mutant judged by its step's tests)", flush=True)
        run_mutmut(workdir, ["run", *args.mutants], log=workdir / "mutmut-run.log")
        results = parse_results(run_mutmut(workdir, ["results", "--all", "true"]))
        if args.mutants:
            results = {n: s for n, s in results.items() if any(fnmatchcase(n, p) for p in args.mutants)}
        if not results:
            print("mutmut reported no mutants: nothing was tested")
            return 1
        print(score_table(results))
        left = sorted(n for n, s in results.items() if s not in KILLED)
        print(f"\n{len(left)} not killed:" if left else "\nevery mutant killed")
        for name in left:
            print(f"  {name}: {results[name]}")
            if args.show:
                diff = run_mutmut(workdir, ["show", name])
                print("\n".join("      " + line for line in diff.splitlines()
                                if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))))
        if args.known is not None:
            return check_known(set(left), known_survivors(args.known), args.known, set(results))
        return 0
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)


def check_known(left: set[str], known: set[str], path: Path, tried: set[str]) -> int:
    """0 when every survivor is listed in the report; else name the new ones."""
    new = sorted(left - known)
    now_killed = sorted((known & tried) - left)
    if now_killed:
        print(f"\nlisted in {path} but now killed (drop them from it): {', '.join(now_killed)}")
    if new:
        print(f"\nFAIL: {len(new)} surviving mutant(s) not explained in {path}: "
              "add a test that kills each, or list it there with the reason it is equivalent or irrelevant")
        for name in new:
            print(f"  {name}")
        return 1
    print(f"\nevery survivor is explained in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
