"""Run a workspace's steps, in a contained child, for the learner commands."""
from __future__ import annotations

import tempfile
from pathlib import Path

from loopkata.containment.sandbox import Limits
from loopkata.containment.specrun import SpecRun, run_spec
from loopkata.kata.steps import Step

LEARNER_LIMITS = Limits(wall_seconds=120, test_seconds=15)  # a hang is reported within two minutes


def run_learner_spec(workspace: Path, steps: list[Step]) -> SpecRun:
    """The spec for `steps` on the learner's own tree, in a contained child."""
    with tempfile.TemporaryDirectory(prefix="loopkata-") as tmp:
        return run_spec(workspace, list(steps), Path(tmp), LEARNER_LIMITS)
