"""Maintainer tools: the skeleton generator, the proof of the spec, mutation testing, benchmarks and the MNIST subset maker.

Who calls it: maintainers and tox (`loopkata skeletons`, `python -m
loopkata.maintainer.proof`, `... .mutation`, `... .benchmarks`, `...
.make_mnist_subset`). It may import every other part of loopkata; nothing
else imports it, except `loopkata.cli` for the `skeletons` command.
"""
