"""Benchmarks: how fast the commands and the reference tree are, as ratios measured in one run.

    python -m loopkata.maintainer.benchmarks [--repeat N] [--only NAME ...]

Every row is a median of N timings, set against a baseline timed in the same
run, so that the ratios compare like with like on a busy or a slow machine
(the seconds do not travel). The command rows run the `loopkata` command as a
learner or an instructor does, against `python -c "import torch"`, the floor
of any command that runs the spec; the reference rows time the reference
tree against what torch or a hand-written loop does. Grading one submission
also reports its peak memory: the proportional set size of the whole process
tree (the grader, its fork server and its children), sampled as it runs.

`commands` holds the command rows, `reference` the reference-tree rows and
`memory` the sampler; `__main__` prints the table.
"""
