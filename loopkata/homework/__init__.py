"""Handing the kata out as homework: a student release, a Gradescope bundle, a GitHub Classroom workflow.

Who calls it: `loopkata.cli` (`loopkata release`, `loopkata gradescope`),
run by an instructor in the kata's checkout. It imports the grading and
learner rooms (points, the reference's recorded trace) and everything below
them. Each command builds what it writes in a temporary folder beside its
target and moves it into place only when it is complete: a failed call
leaves nothing half-written.
"""
