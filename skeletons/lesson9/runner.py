"""Step 7: callbacks that see everything, and the Runner that calls them (notebook 04).

Spec: spec/07_runner.md
"""


def camel2snake(name: str) -> str:
    """Return 'TrainEvalCallback' as 'train_eval_callback'."""
    raise NotImplementedError("camel2snake: step 7 (runner), see spec/07_runner.md")


def listify(o) -> list:
    """None -> [], a list -> itself, a str -> [o], other iterables -> list(o), else [o]."""
    raise NotImplementedError("listify: step 7 (runner), see spec/07_runner.md")


class Callback:
    """A callback reads whatever it does not have from its runner."""

    _order = 0

    def set_runner(self, run) -> None:
        raise NotImplementedError("Callback.set_runner: step 7 (runner), see spec/07_runner.md")

    def __getattr__(self, k: str):
        """Read an attribute the callback does not have from the runner."""
        raise NotImplementedError("Callback.__getattr__: step 7 (runner), see spec/07_runner.md")

    @property
    def name(self) -> str:
        """The class name without 'Callback', in snake case."""
        raise NotImplementedError("Callback.name: step 7 (runner), see spec/07_runner.md")


class TrainEvalCallback(Callback):
    """Switches train/eval mode and counts iterations and (fractional) epochs."""

    def begin_fit(self) -> None:
        raise NotImplementedError("TrainEvalCallback.begin_fit: step 7 (runner), see spec/07_runner.md")

    def after_batch(self) -> None:
        raise NotImplementedError("TrainEvalCallback.after_batch: step 7 (runner), see spec/07_runner.md")

    def begin_epoch(self) -> None:
        raise NotImplementedError("TrainEvalCallback.begin_epoch: step 7 (runner), see spec/07_runner.md")

    def begin_validate(self) -> None:
        raise NotImplementedError("TrainEvalCallback.begin_validate: step 7 (runner), see spec/07_runner.md")


class Runner:
    """The training loop: fit, all_batches, one_batch, and run('event') for the callbacks."""

    def __init__(self, cbs=None, cb_funcs=None):
        raise NotImplementedError("Runner.__init__: step 7 (runner), see spec/07_runner.md")

    @property
    def opt(self):
        raise NotImplementedError("Runner.opt: step 7 (runner), see spec/07_runner.md")

    @property
    def model(self):
        raise NotImplementedError("Runner.model: step 7 (runner), see spec/07_runner.md")

    @property
    def loss_func(self):
        raise NotImplementedError("Runner.loss_func: step 7 (runner), see spec/07_runner.md")

    @property
    def data(self):
        raise NotImplementedError("Runner.data: step 7 (runner), see spec/07_runner.md")

    def one_batch(self, xb, yb) -> None:
        """Forward, loss, and in training backward, step and zero_grad, with events between."""
        raise NotImplementedError("Runner.one_batch: step 7 (runner), see spec/07_runner.md")

    def all_batches(self, dl) -> None:
        """Run one_batch and 'after_batch' on every batch of `dl` until run.stop is set."""
        raise NotImplementedError("Runner.all_batches: step 7 (runner), see spec/07_runner.md")

    def fit(self, epochs: int, learn) -> None:
        """Train `learn` for `epochs`, validating after each; after_fit runs whatever happens."""
        raise NotImplementedError("Runner.fit: step 7 (runner), see spec/07_runner.md")

    def __call__(self, cb_name: str) -> bool:
        """Call `cb_name` on every callback that has it, by _order; True if any returned True."""
        raise NotImplementedError("Runner.__call__: step 7 (runner), see spec/07_runner.md")
