"""The lesson's steps, in order: the one table every command and test reads."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    number: int | None  # None for the end-to-end check, which has no module of its own
    id: str
    module: str | None  # lesson9.<module>, or None for integration
    title: str

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
        """In a sentence: 'step 2 (loss)', or 'integration'."""
        return self.id if self.number is None else f"step {self.number} ({self.id})"

    @property
    def row_label(self) -> str:
        """In a table's first column: ' 2 loss', or '   integration', so that the ids line up."""
        return f"{self.number:>2} {self.id}" if self.number is not None else f"   {self.id}"


STEPS: tuple[Step, ...] = (
    Step(1, "init", "init", "Initialisation: stats, gain, Kaiming"),
    Step(2, "loss", "loss", "Log-softmax, logsumexp, nll, accuracy"),
    Step(3, "modules", "modules", "Parameters, modules and an optimiser"),
    Step(4, "data", "data", "Dataset, Sampler, collate, DataLoader"),
    Step(5, "databunch", "databunch", "DataBunch, Learner and a validated fit"),
    Step(6, "handler", "handler", "The CallbackHandler (lesson 04's first design)"),
    Step(7, "runner", "runner", "Callbacks and the Runner"),
    Step(8, "stats", "stats", "AvgStats and its callback"),
    Step(9, "schedule", "schedule", "Annealing: schedules, Recorder, ParamScheduler"),
    Step(10, "device", "device", "Moving the model and batches to a device"),
    Step(None, "integration", None, "Train MNIST end to end"),
)

BY_ID: dict[str, Step] = {step.id: step for step in STEPS}
MODULE_STEPS: tuple[Step, ...] = tuple(s for s in STEPS if s.module is not None)


def get_step(key: str) -> Step:
    """Find a step by id ('loss') or number ('2'); KeyError, with the known ids, otherwise."""
    key = key.strip()
    if key in BY_ID:
        return BY_ID[key]
    for step in STEPS:
        if key.isdigit() and step.number == int(key):
            return step
    known = ", ".join(s.id for s in STEPS)
    raise KeyError(f"unknown step {key!r}; the steps are: {known}")
