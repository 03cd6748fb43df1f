"""The lesson's steps, in order: the one table every command and test reads."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    number: int | None  # None for the end-to-end check, which has no module of its own
    id: str
    module: str | None  # lesson9.<module>, or None for integration
    title: str
    notebooks: str

    @property
    def page(self) -> str:
        """The spec page, relative to the kata root."""
        if self.number is None:
            return f"spec/{self.id}.md"
        return f"spec/{self.number:02d}_{self.id}.md"

    @property
    def test_file(self) -> str:
        if self.number is None:
            return f"tests/test_{self.id}.py"
        return f"tests/test_{self.number:02d}_{self.id}.py"

    @property
    def module_file(self) -> str | None:
        return None if self.module is None else f"lesson9/{self.module}.py"

    @property
    def label(self) -> str:
        return self.id if self.number is None else f"step {self.number} ({self.id})"


STEPS: tuple[Step, ...] = (
    Step(1, "init", "init", "Initialisation: stats, gain, Kaiming", "02a, 02b"),
    Step(2, "loss", "loss", "Log-softmax, logsumexp, nll, accuracy", "03"),
    Step(3, "modules", "modules", "Parameters, modules and an optimiser", "03"),
    Step(4, "data", "data", "Dataset, Sampler, collate, DataLoader", "03"),
    Step(5, "databunch", "databunch", "DataBunch, Learner and a validated fit", "03, 04"),
    Step(6, "handler", "handler", "The CallbackHandler (lesson 04's first design)", "04"),
    Step(7, "runner", "runner", "Callbacks and the Runner", "04"),
    Step(8, "stats", "stats", "AvgStats and its callback", "04"),
    Step(9, "schedule", "schedule", "Annealing: schedules, Recorder, ParamScheduler", "05"),
    Step(10, "device", "device", "Moving the model and batches to a device", "06"),
    Step(None, "integration", None, "Train MNIST end to end", "03-06"),
)

BY_ID: dict[str, Step] = {step.id: step for step in STEPS}
MODULE_STEPS: tuple[Step, ...] = tuple(s for s in STEPS if s.module is not None)


def get_step(key: str) -> Step:
    """Find a step by id ('loss') or number ('2')."""
    key = key.strip()
    if key in BY_ID:
        return BY_ID[key]
    for step in STEPS:
        if key.isdigit() and step.number == int(key):
            return step
    known = ", ".join(s.id for s in STEPS)
    raise KeyError(f"unknown step {key!r}; the steps are: {known}")
