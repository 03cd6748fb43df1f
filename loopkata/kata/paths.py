"""Where the kata's content lives (the checkout this package was installed from), and what a tree is."""
from __future__ import annotations

import sys
from pathlib import Path

from loopkata.kata.errors import UsageError
from loopkata.kata.files import Files, read_files

KATA_ROOT = Path(__file__).resolve().parents[2]
PROOF_DIR = "proof"  # tests/proof: the spec's own test data (bug zoo, rebuilds), never part of a run


class KataNotFound(UsageError):
    """The kata content (solutions/, skeletons/, tests/, spec/) is not beside this package."""


def kata_root() -> Path:
    """The folder holding solutions/, skeletons/, spec/ and tests/."""
    if not (KATA_ROOT / "solutions" / "lesson9").is_dir():
        raise KataNotFound(
            f"no kata content beside the loopkata package in {KATA_ROOT}; "
            "install loopkata from a checkout with `pip install -e .`"
        )
    return KATA_ROOT


def reference_tree() -> Path:
    return kata_root() / "solutions"


def skeleton_tree() -> Path:
    return kata_root() / "skeletons"


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
