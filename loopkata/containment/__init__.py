"""Contained runs: learner code runs only in a child process that the parent can always stop and read.

Who calls it: the learner commands (`check`, `status`, `watch`, `compare`) and
the grader. It imports `loopkata.testing` (the child runs the spec) and
`loopkata.kata`, never the learner or grading code above it.

The process picture, and which module runs where:

* parent (`sandbox`): starts a child, hands it a signing key on one pipe and
  a result pipe, keeps a capped copy of its output, stops it at its wall-clock
  limit, kills its process group and anything carrying its marker, and
  verifies every result line (`channel.Reader`);
* fork server (`forkserver`), optional: a process that imported torch and
  pytest once and forks a child per run; only our code runs in it;
* child (`child`, or the fork server's forked child): applies its limits
  (memory, file size, no core dumps), then runs pytest with
  `loopkata.testing.plugin` and `reporter`, or one module of ours such as
  `loopkata.learner.traced_run`; results go back signed (`channel.Writer`).

`specrun` is the spec's use of all this: run some steps' tests on a tree and
read back one result per test.
"""
