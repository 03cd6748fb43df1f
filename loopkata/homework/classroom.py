"""GitHub Classroom: the workflow a student release carries, grading each push with per-step partial credit.

It installs the release's own tool (`./tool`, with a CPU build of torch),
refuses to grade when that tool's spec is not the one released (its checksum
is written into the workflow), grades the repository with `loopkata grade
--classroom`, and hands the result to GitHub Classroom's grading reporter:
one entry per step, each worth its share of that step's points for the tests
it passes, so a step passed 9 of 12 earns 3/4 of its points.

Without the reference (a release holds none), every step runs on the
student's whole tree, as `loopkata check` does.
"""
from __future__ import annotations

import json

RUNNER = "loopkata"  # the step id the reporter reads the result of
RESULT_FILE = "classroom-result.json"
WORKFLOW_TEMPLATE = """\
# GitHub Classroom autograding, written by `loopkata release --classroom`.
name: Autograding Tests
"on":
  - push
  - workflow_dispatch
  - repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 20
    steps:
      - name: Check out the submission
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install loopkata from this release, with a CPU build of torch
        run: |
          pip install torch --index-url https://download.pytorch.org/whl/cpu
          pip install ./tool
      - name: Grade every step
        id: {runner}
        run: |
          loopkata grade . --classroom {result} --expect-spec {checksum} || true
          test -s {result} || echo '{fallback}' > {result}
          echo "result=$(base64 -w0 {result})" >> "$GITHUB_OUTPUT"
      - name: Report to GitHub Classroom
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
          {env}: "${{{{ steps.{runner}.outputs.result }}}}"
        with:
          runners: {runner}
"""


def workflow(spec_checksum: str, max_score: float) -> str:
    """The workflow's YAML for a release whose spec has this checksum and whose steps are worth max_score."""
    fallback = json.dumps({"version": 1, "status": "error", "max_score": max_score, "tests": [
        {"name": "loopkata", "status": "error", "score": 0,
         "message": "loopkata could not grade this push: see the log of this workflow"}]})
    return WORKFLOW_TEMPLATE.format(runner=RUNNER, result=RESULT_FILE, checksum=spec_checksum, fallback=fallback,
                                    env=f"{RUNNER.upper()}_RESULTS")
