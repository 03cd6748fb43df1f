"""`loopkata gradescope OUT.zip`: a Gradescope autograder bundle that installs and runs on Gradescope's own image.

    setup.sh          run once when Gradescope builds the image (Ubuntu, python3): a virtualenv in
                      /autograder/venv, a CPU build of torch, and loopkata from the bundled kata
    run_autograder    run once per submission: grades /autograder/submission into
                      /autograder/results/results.json, and writes one saying why when it cannot
    kata/             the kata with its reference (students never see the bundle), without the
                      tooling's tests or the spec's proof data
    points.toml       the points file; held_out/<name>/: the held-out tests

Both scripts read AUTOGRADER_ROOT (default /autograder), so that a test can
stand a temporary folder in for /autograder; setup.sh also reads
LOOPKATA_TORCH (what to pip install for torch) and LOOPKATA_PIP (options for
installing loopkata).
"""
from __future__ import annotations

import importlib.metadata
import shutil
import tempfile
import zipfile
from pathlib import Path

from loopkata.grading.held_out import read_held_out
from loopkata.grading.points import DEFAULT_POINTS, load_points
from loopkata.homework import tool
from loopkata.kata import paths
from loopkata.kata.errors import UsageError
from loopkata.kata.files import write_files

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
    apt-get update -q && apt-get install -y -q python3-venv
fi
python3 -m venv "$ROOT/venv"
# a CPU build: the default torch on PyPI brings gigabytes of CUDA libraries a container cannot use
TORCH="${{LOOPKATA_TORCH-{torch}}}"
if [ -n "$TORCH" ]; then "$ROOT/venv/bin/pip" install -q $TORCH; fi
"$ROOT/venv/bin/pip" install -q ${{LOOPKATA_PIP-}} -e "$ROOT/source/kata"
"$ROOT/venv/bin/loopkata" --help > /dev/null
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission. Whatever happens, it leaves a valid results.json that says why.
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
"$ROOT/venv/bin/loopkata" grade "$ROOT/submission" --results "$RESULTS" \\
    --points "$ROOT/source/points.toml"{held_out} 2> "$ROOT/results/loopkata-errors.txt"
python3 - "$RESULTS" "$ROOT/results/loopkata-errors.txt" {max_score} <<'PYTHON'
import json, sys
results, errors, max_score = sys.argv[1], sys.argv[2], float(sys.argv[3])
try:
    with open(results) as f:
        json.load(f)
except (OSError, ValueError):  # loopkata itself failed: say so, with the end of what it said
    try:
        said = open(errors).read().strip().splitlines()[-5:]
    except OSError:
        said = []
    output = "The autograder could not grade this submission; please tell your instructor.\\n\\n" + "\\n".join(said)
    with open(results, "w") as f:
        json.dump({{"score": 0, "max_score": max_score, "output": output, "tests": []}}, f)
PYTHON
"""

README = """\
# loopkata autograder for Gradescope

Upload this zip as a programming assignment's autograder ("Zip file upload"),
on Gradescope's default base image. Students submit their `lesson9/` folder
(or a folder or zip holding it). Each submission is graded step by step, with
the reference for every other module, and gets a results.json with a part per
step{held_out}.
"""


def _torch() -> str:
    version = importlib.metadata.version("torch").split("+")[0]
    return f"torch=={version} --index-url https://download.pytorch.org/whl/cpu"


def _kata(dest: Path) -> None:
    """The kata with its reference, as the bundle installs it (editable: the content beside the package)."""
    root = paths.kata_root()
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(root / name, dest / name)
    tool.copy_package(dest)
    for tree in ("solutions", "skeletons"):
        shutil.copytree(root / tree / "lesson9", dest / tree / "lesson9",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copytree(root / "spec", dest / "spec")
    write_files(paths.spec_files(), dest / "tests")


def make_bundle(out: Path, *, points: Path | None = None, held_out: list[Path] = ()) -> Path:
    """Write the bundle at `out` (a .zip that must not exist yet); nothing is left behind if anything fails."""
    out = out.expanduser().resolve()
    if out.suffix != ".zip":
        raise UsageError(f"{out}: the bundle is a zip file; give a name ending in .zip")
    if out.exists():
        raise UsageError(f"{out} already exists: give a new file name for the bundle")
    paths.reference_tree()  # the bundle grades with the reference: made from the kata's checkout
    points_file = points or DEFAULT_POINTS
    scheme = load_points(points_file)
    tests = read_held_out(list(held_out))
    scheme.check_held_out(list(tests), points_file)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="loopkata-bundle-") as tmp:
        staging = Path(tmp) / "bundle"
        (staging / "kata").mkdir(parents=True)
        _kata(staging / "kata")
        shutil.copyfile(points_file, staging / "points.toml")
        for name, files in tests.items():
            write_files(files, staging / "held_out" / name)
        options = "".join(f' \\\n    --held-out "$ROOT/source/held_out/{name}"' for name in tests)
        (staging / "setup.sh").write_text(SETUP.format(torch=_torch()))
        (staging / "run_autograder").write_text(RUN_AUTOGRADER.format(held_out=options,
                                                                       max_score=sum(scheme.steps.values())))
        (staging / "README.md").write_text(README.format(
            held_out=", and one per step and folder of held-out tests" if tests else ""))
        partial = out.with_name(f".{out.name}.partial")
        try:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
                for path in sorted(p for p in staging.rglob("*") if p.is_file()):
                    info = zipfile.ZipInfo.from_file(path, path.relative_to(staging).as_posix())
                    if path.name in ("setup.sh", "run_autograder"):
                        info.external_attr = 0o755 << 16  # executable once unzipped
                    bundle.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
            partial.rename(out)
        finally:
            partial.unlink(missing_ok=True)
    return out
