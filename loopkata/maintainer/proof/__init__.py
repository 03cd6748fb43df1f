"""Prove the spec: it catches a zoo of plausible bugs, it passes other correct rebuilds, and
it is fair to a rebuild that follows the notebooks.

    python -m loopkata.maintainer.proof zoo [--jobs N] [--step ID ...]
    python -m loopkata.maintainer.proof alternatives [--jobs N]
    python -m loopkata.maintainer.proof notebook [--jobs N] [--step ID ...]

`zoo` reads tests/proof/zoo.toml: each `[[bug]]` is a small patch (`find` ->
`replace`) on one module of the reference. Every bug tree is graded in one
Grader batch on the ten module steps; the bug's own step must lose points and
every other step must keep full marks. Every pitfall listed on a step's spec
page must be planted by at least one bug, and every bug's `pitfall` must be one
of its page's.

`alternatives` grades every tree under tests/proof/alternatives/*/ on all the
steps, integration included: each must get full marks.

`notebook` reads tests/proof/notebook.toml: one `[[difference]]` for every
bullet of "Where this spec differs from the notebook" on every module step's
page, each a patch (one or more edits) turning the reference into what the
notebook does for that bullet, and `costs`, the (at most two) tests it must
fail, which the bullet names too. Each difference alone must fail exactly its
costs on its own step and nothing elsewhere; a step's differences all together,
and the notebook-faithful rebuild in tests/proof/notebook/, must fail at most
two tests per bullet of each step's page (the rebuild: only tests that a
difference of that step names).

All three exit 1 on any failure, with the list of what failed.

The data files are read and checked in `data`, held against the spec pages in
`pages`, turned into trees and judged in `verdicts`; `__main__` runs the three
commands.
"""
