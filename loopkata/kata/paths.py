"""Where the kata's content lives, and what a tree is.

The content (spec pages, spec tests, skeletons) is found in one of two places:
the checkout this package was installed from (`pip install -e .`), which also
holds the reference in solutions/; or, in a student release, a copy inside
the package (`loopkata/kata/release/`, written by `loopkata release`), which
holds no reference.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from loopkata.kata.errors import UsageError
from loopkata.kata.files import Files, read_files

KATA_ROOT = Path(__file__).resolve().parents[2]
RELEASE_ROOT = Path(__file__).resolve().parent / "release"  # a student release's copy of the content
RELEASE_MANIFEST = "release.json"
HINTS_FILE = "spec/hints.toml"  # the steps' hints, as data only `loopkata hint` serves (not a page)
PROOF_DIR = "proof"  # tests/proof: the spec's own test data (bug zoo, rebuilds), never part of a run


class KataNotFound(UsageError):
    """The kata content (skeletons/, tests/, spec/) is neither beside this package nor inside it."""


class NoReference(UsageError):
    """A student release: the reference rebuild is not part of it."""


def in_release() -> bool:
    """Whether this install is a student release (content inside the package, no reference)."""
    return not (KATA_ROOT / "solutions" / "lesson9").is_dir() and (RELEASE_ROOT / RELEASE_MANIFEST).is_file()


def release_manifest() -> dict:
    """A student release's release.json (what it was made with: hints, points...); {} elsewhere or unreadable."""
    try:
        data = json.loads((RELEASE_ROOT / RELEASE_MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def kata_root() -> Path:
    """The folder holding skeletons/, spec/ and tests/ (and, in a checkout, solutions/)."""
    if (KATA_ROOT / "solutions" / "lesson9").is_dir():
        return KATA_ROOT
    if in_release():
        return RELEASE_ROOT
    raise KataNotFound(
        f"no kata content beside the loopkata package in {KATA_ROOT}, nor inside it; "
        "install loopkata from a checkout with `pip install -e .`, or from a student release"
    )


def reference_tree() -> Path:
    """solutions/, the reference rebuild; NoReference in a student release."""
    root = kata_root()
    if in_release():
        raise NoReference("this release of the kata has no reference rebuild: it is homework. "
                          "Your own tests are the spec: `loopkata check`")
    return root / "solutions"


def skeleton_tree() -> Path:
    return kata_root() / "skeletons"


def hints_file() -> Path:
    """spec/hints.toml of the kata (in a release, present only when it was made with hints)."""
    return kata_root() / HINTS_FILE


def spec_files() -> Files:
    """The spec as it runs: tests/test_*.py and tests/conftest.py, without tests/proof."""
    tests = kata_root() / "tests"
    return {**read_files(tests, "**/test_*.py", skip=(PROOF_DIR,)), **read_files(tests, "conftest.py")}


def is_kata_tree(path: Path) -> bool:
    """A kata tree is any folder holding a lesson9/ package folder."""
    return (path / "lesson9").is_dir()


def tree_problem(path: Path) -> str | None:
    """Why path is not a kata tree ('no such folder', ...), or None when it is one."""
    if not path.is_dir():
        return "no such folder"
    if not is_kata_tree(path):
        return "no lesson9/ folder there"
    return None


def use_tree(tree: Path) -> None:
    """Make `import lesson9` load the tree's package, whatever was imported under that name before."""
    for name in [m for m in sys.modules if m == "lesson9" or m.startswith("lesson9.")]:
        del sys.modules[name]
    sys.path.insert(0, str(tree))
