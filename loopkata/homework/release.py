"""`loopkata release OUT`: a student starter, ready to push as a template repository, without the answers.

    OUT/lesson9/          the skeletons: the student's workspace
    OUT/spec/             the spec pages (never the hints: they are not a page)
    OUT/tool/             the loopkata tool, installable with `pip install ./tool`; inside it, in
                          loopkata/kata/release/, the content its commands read: the pages, the hints
                          (spec/hints.toml, unless made with --no-hints), the public spec tests, the
                          skeletons, the reference's recorded trace (data, for `compare`) and release.json
    OUT/README.md         how to install and start
    OUT/.github/workflows/classroom.yml   with --classroom (see loopkata.homework.classroom)

Never in it: solutions/, held-out tests, the bug zoo, the maintainer's
benchmarks (they time the reference against a training loop written out by
hand). Before it is moved into place, every file is checked for answer lines
(`leaks`).
"""
from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from loopkata.grading.points import load_points
from loopkata.homework import classroom, tool
from loopkata.kata import VERSION, paths
from loopkata.kata.errors import UsageError
from loopkata.kata.files import fingerprint, read_files, write_files
from loopkata.kata.regions import answer_lines
from loopkata.learner import compare
from loopkata.learner.hints import parse as parse_hints

NOT_SHIPPED = ("maintainer/benchmarks",)  # parts of the package a student release leaves out

README = """\
# Lesson 9, rebuilt: {title}

Rebuild the training loop of fast.ai's 2019 lesson 9 ("Deep Learning from the
Foundations", notebooks 02a to 05 and the CudaCallback of 06), one tested step
at a time. Your work goes in `lesson9/`; the pages in `spec/` say what each
step must do, starting with [spec/README.md](spec/README.md).

## Set up

With Python 3.10 or newer (on a machine without a GPU, `pip install torch --index-url
https://download.pytorch.org/whl/cpu` first saves gigabytes):

```sh
pip install ./tool
```

## Work

```sh
loopkata check     # the first step not passing yet, its failures explained
loopkata status    # every step at a glance
loopkata watch     # re-runs the current step each time you save
{hint_line}loopkata compare   # your loop against the reference's recorded run: where they first part
```

This is homework: it holds no reference solution (`loopkata diff` says so).
{classroom_line}"""


@dataclass
class Release:
    path: Path
    spec_checksum: str  # what `loopkata grade --expect-spec` checks


def leaks(folder: Path, answers: set[str]) -> list[str]:
    """'file:line' for every line of a file under folder that is an answer line."""
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        found += [f"{path.relative_to(folder)}:{n}" for n, line in enumerate(text.splitlines(), 1)
                  if line.strip() in answers]
    return found


def _pages() -> dict[str, bytes]:
    return read_files(paths.kata_root() / "spec", "*.md")


def _hints(dest: Path) -> None:
    """The hints file at dest/spec/hints.toml, checked first: a release never ships hints `hint` cannot read."""
    text = paths.hints_file().read_text()
    parse_hints(text, paths.HINTS_FILE)
    (dest / paths.HINTS_FILE).write_text(text)


def _content(dest: Path, hints: bool, points: Path | None, workdir: Path) -> str:
    """The content a release's tool reads, at dest (loopkata/kata/release/); returns the spec's checksum."""
    spec = paths.spec_files()
    write_files(spec, dest / "tests")
    write_files(_pages(), dest / "spec")
    if hints:
        _hints(dest)
    shutil.copytree(paths.skeleton_tree() / "lesson9", dest / "skeletons" / "lesson9",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    recorded = compare.trace(paths.reference_tree(), workdir / "trace")
    if recorded.problem or recorded.ended:
        raise UsageError(f"the reference's run for `loopkata compare` failed: {recorded.problem or recorded.ended}")
    compare.save_trace(recorded, dest / compare.TRACE_FILE)
    checksum = fingerprint(spec)
    (dest / paths.RELEASE_MANIFEST).write_text(json.dumps(
        {"loopkata": VERSION, "hints": hints, "spec_checksum": checksum,
         "points": points.name if points else "default"}, indent=1) + "\n")
    return checksum


def make_release(out: Path, *, hints: bool = True, points: Path | None = None, classroom_workflow: bool = False,
                 title: str = "a loopkata release") -> Release:
    """Write the release at `out`, which must not exist yet; nothing is left behind if anything fails."""
    out = out.expanduser().resolve()
    if out.exists():
        raise UsageError(f"{out} already exists: give a new folder for the release")
    paths.reference_tree()  # a release is made from the kata's checkout, where the reference is
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        with tempfile.TemporaryDirectory(prefix="loopkata-release-") as work:
            shutil.copytree(paths.skeleton_tree() / "lesson9", staging / "lesson9",
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            write_files(_pages(), staging / "spec")
            package = tool.copy_package(staging / "tool")
            for part in NOT_SHIPPED:
                shutil.rmtree(package / part, ignore_errors=True)
            tool.write_pyproject(staging / "tool")
            if points is not None:
                shutil.copyfile(points, package / "grading" / "points.toml")
            checksum = _content(package / "kata" / paths.RELEASE_ROOT.name, hints, points, Path(work))
        (staging / ".gitignore").write_text("__pycache__/\n.loopkata/\n*.egg-info/\nbuild/\n.venv/\n")
        if classroom_workflow:
            workflow = staging / ".github" / "workflows" / "classroom.yml"
            workflow.parent.mkdir(parents=True)
            workflow.write_text(classroom.workflow(checksum, sum(load_points(points).steps.values())))
        (staging / "README.md").write_text(README.format(
            title=title,
            hint_line="loopkata hint STEP  # the step's next hint, one at a time\n" if hints else "",
            classroom_line=("\nEvery push is graded by GitHub Classroom (`.github/workflows/classroom.yml`): "
                            "each step earns its share of points for the tests it passes.\n")
            if classroom_workflow else ""))
        found = leaks(staging, answer_lines(paths.reference_tree(), paths.skeleton_tree()))
        if found:
            raise UsageError(f"the release would give away the reference: {', '.join(found[:5])}")
        staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Release(out, checksum)
