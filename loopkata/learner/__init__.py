"""The learner's commands: a workspace, its steps checked and watched, hints, diff and compare.

Who calls it: `loopkata.cli` (the `init`, `check`, `status`, `watch`, `hint`,
`diff` and `compare` commands). It runs the spec and the traced run through
`loopkata.containment` and imports `loopkata.kata`; never the grading code.
`traced_run` is the one module here that runs inside a contained child.
"""
