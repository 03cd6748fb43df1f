"""The points file: points per step, and weights per test."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from loopkata.containment.specrun import TestResult
from loopkata.kata.compat import tomllib
from loopkata.kata.errors import UsageError
from loopkata.kata.steps import STEPS

DEFAULT_POINTS = Path(__file__).parent / "points.toml"


class GradingError(UsageError):
    """A problem with the call itself (a bad points file, say): exit 2."""


@dataclass(frozen=True)
class Points:
    steps: dict[str, float]
    weights: dict[str, float]

    def weight(self, test: TestResult) -> float:
        """The test's weight: by "file::name[case]", else "file::name" (every case), else 1."""
        file_and_name = test.nodeid.rsplit("/", 1)[-1]  # "test_02_loss.py::test_nll..."
        return self.weights.get(file_and_name, self.weights.get(file_and_name.split("[", 1)[0], 1.0))


def load_points(path: Path | None = None) -> Points:
    path = path or DEFAULT_POINTS
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise GradingError(f"points file {path}: {e}") from None
    try:
        steps = {k: float(v) for k, v in data.get("steps", {}).items()}
        weights = {k: float(v) for k, v in data.get("weights", {}).items()}
    except (TypeError, ValueError, AttributeError):
        raise GradingError(f"points file {path}: [steps] and [weights] hold numbers only") from None
    unknown = set(steps) - {s.id for s in STEPS}
    missing = {s.id for s in STEPS} - set(steps)
    if unknown or missing:
        raise GradingError(f"points file {path}: [steps] must list every step "
                           f"(unknown: {sorted(unknown) or 'none'}, missing: {sorted(missing) or 'none'})")
    if any(v < 0 for v in steps.values()):
        raise GradingError(f"points file {path}: points must not be negative")
    if any(v <= 0 for v in weights.values()):
        raise GradingError(f"points file {path}: weights must be positive")
    return Points(steps, weights)
