"""loopkata: rebuild the training loop of fast.ai's 2019 lesson 9, one tested step at a time.

The package's rooms, top to bottom (ARCHITECTURE.md has the map); each
imports only the rooms below it:

* `cli`: the `loopkata` command line;
* `maintainer`: skeletons, the proof of the spec, mutation testing, benchmarks;
* `homework`: the student release, the Gradescope bundle, the GitHub Classroom workflow;
* `learner`: the learner's commands; `grading`: the grader and its outputs;
* `containment`: contained runs (parent, fork server, child, signed channel);
* `testing`: the pytest plugin and the helpers spec tests import;
* `kata`: the steps, where the content lives, notebooks, MNIST.

In a notebook, `from loopkata import check; check("loss")` checks a step.
"""
import importlib

from loopkata.kata import VERSION as __version__

__all__ = ["check", "__version__"]


def __getattr__(name: str):
    # `check` is loaded on first use: importing loopkata, as every contained child does, stays cheap
    if name == "check":
        return importlib.import_module("loopkata.learner.jupyter").check
    raise AttributeError(f"module 'loopkata' has no attribute {name!r}")
