"""Grading: a submission's steps, each on its own, scored from signed per-test results.

Who calls it: `loopkata.cli` (`loopkata grade`) and the maintainer tools
(`proof`, `benchmarks`). It runs every (submission, step) pair through
`loopkata.containment` and imports `loopkata.kata`; never the learner code.

From `loopkata grade PATH` to results.json: `command` checks the call and
finds the submissions (`submissions`), `grader.Grader` reads each into memory
(`trees`) and runs its steps in contained children, `scores` turns each
step's test results into points (`points` reads points.toml), and `outputs`
writes every file asked for from the grades.
"""
