"""The points file: points per step, weights per test, and what students see of each part on Gradescope."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from loopkata.containment.specrun import TestResult
from loopkata.kata.compat import tomllib
from loopkata.kata.errors import UsageError
from loopkata.kata.steps import STEPS

DEFAULT_POINTS = Path(__file__).parent / "points.toml"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's


class GradingError(UsageError):
    """A problem with the call itself (a bad points file, say): exit 2."""


@dataclass(frozen=True)
class Points:
    steps: dict[str, float]
    weights: dict[str, float]
    visibility: dict[str, str] = field(default_factory=dict)  # "default", a step id or a held-out folder

    def visibility_of(self, step_id: str, held_out: str | None = None) -> str:
        """A part's visibility: by its held-out folder, else by its step, else the default, else visible."""
        for key in ([held_out] if held_out else []) + [step_id, "default"]:
            if key in self.visibility:
                return self.visibility[key]
        return "visible"

    def check_held_out(self, folders: list[str], path: Path | str = "points file") -> None:
        """Every [visibility] key must be 'default', a step or one of the held-out folders given."""
        unknown = set(self.visibility) - {"default", *(s.id for s in STEPS), *folders}
        if unknown:
            raise GradingError(f"{path}: [visibility] names neither a step nor a held-out folder: "
                               f"{', '.join(sorted(unknown))}")

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
        visibility = {str(k): v for k, v in data.get("visibility", {}).items()}
    except (TypeError, ValueError, AttributeError):
        raise GradingError(f"points file {path}: [steps] and [weights] hold numbers only") from None
    wrong = sorted(k for k, v in visibility.items() if v not in VISIBILITIES)
    if wrong:
        raise GradingError(f"points file {path}: [visibility] of {', '.join(wrong)} must be one of "
                           f"{', '.join(VISIBILITIES)}")
    unknown = set(steps) - {s.id for s in STEPS}
    missing = {s.id for s in STEPS} - set(steps)
    if unknown or missing:
        raise GradingError(f"points file {path}: [steps] must list every step "
                           f"(unknown: {sorted(unknown) or 'none'}, missing: {sorted(missing) or 'none'})")
    if any(v < 0 for v in steps.values()):
        raise GradingError(f"points file {path}: points must not be negative")
    if any(v <= 0 for v in weights.values()):
        raise GradingError(f"points file {path}: weights must be positive")
    return Points(steps, weights, visibility)
