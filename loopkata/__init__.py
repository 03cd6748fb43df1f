"""loopkata: rebuild the training loop of fast.ai's 2019 lesson 9, one tested step at a time.

The package's rooms, top to bottom (ARCHITECTURE.md has the map); each
imports only the rooms below it:

* `cli`: the `loopkata` command line;
* `maintainer`: skeletons, the proof of the spec, mutation testing, benchmarks;
* `learner`: the learner's commands; `grading`: the grader and its outputs;
* `containment`: contained runs (parent, fork server, child, signed channel);
* `testing`: the pytest plugin and the helpers spec tests import;
* `kata`: the steps, where the content lives, MNIST.
"""

__version__ = "0.1.0"
