"""Where the kata's content lives: the checkout this package was installed from."""
from __future__ import annotations

from pathlib import Path

KATA_ROOT = Path(__file__).resolve().parent.parent


class KataNotFound(Exception):
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


def is_kata_tree(path: Path) -> bool:
    """A kata tree is any folder holding a lesson9/ package folder."""
    return (path / "lesson9").is_dir()
