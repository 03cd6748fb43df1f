"""Notebook workspaces: export cells into modules, bad notebooks told per step, messages told in cells.

The notebooks are built here with nbformat, as Jupyter writes them.
"""
import json
import shutil

import nbformat
import pytest

import loopkata
from loopkata.grading.grader import Grader
from loopkata.grading.points import load_points
from loopkata.kata import notebooks, paths
from loopkata.kata.steps import BY_ID
from loopkata.learner import checking, progress
from loopkata.learner.workspace import WorkspaceError, find_workspace, init_workspace

REFERENCE = paths.reference_tree() / "lesson9"
NLL = "def nll(input, target):\n    return -input[range(target.shape[0]), target].mean()\n"


def notebook(path, *cells):
    """Write a notebook of cells given as ("md", text) or ("code", text)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
                for kind, text in cells]
    nbformat.write(nb, path)
    return path


def test_export_cells_in_every_spelling_go_in_order_to_the_numbered_steps_module(tmp_path):
    notebook(tmp_path / "02_my_loss.ipynb", ("md", "# Loss"), ("code", "#export\nimport torch"),
             ("code", "x = 1  # not exported"), ("code", "# export\ndef a():\n    return 1"),
             ("code", "#| export\ndef b():\n    return 2"))
    exported = notebooks.export(tmp_path)
    module = exported.files["lesson9/loss.py"].decode()
    assert module.index("import torch") < module.index("def a") < module.index("def b")
    assert "x = 1" not in module and exported.problems == []
    assert [(b.cell, b.opening) for b in exported.blocks["loss"]] == [(2, "import torch"), (4, "def a():"),
                                                                    (5, "def b():")]


def test_default_exp_names_the_module(tmp_path):
    notebook(tmp_path / "scratch.ipynb", ("code", "#| default_exp lesson9.loss"), ("code", "#| export\nX = 1"))
    assert "X = 1" in notebooks.export(tmp_path).files["lesson9/loss.py"].decode()


@pytest.mark.parametrize("make, says", [
    (lambda d: (d / "02_loss.ipynb").write_text("{not json"), "02_loss.ipynb is not a notebook Jupyter can open"),
    (lambda d: notebook(d / "02_loss.ipynb", ("code", "def nll(): pass")), "02_loss.ipynb has no export cells"),
    (lambda d: (notebook(d / "02_loss.ipynb", ("code", "#| export\nA = 1")),
                notebook(d / "02b_more.ipynb", ("code", "#| default_exp loss\n"), ("code", "#| export\nB = 2"))),
     "both 02_loss.ipynb and 02b_more.ipynb export into lesson9/loss.py"),
])
def test_a_notebook_that_cannot_be_used_makes_its_module_say_why(tmp_path, make, says):
    make(tmp_path)
    exported = notebooks.export(tmp_path)
    assert any(says in p for p in exported.problems), exported.problems
    module = exported.files["lesson9/loss.py"].decode()
    assert module.startswith("raise ImportError(") and says in module


def test_a_notebook_without_a_step_is_named(tmp_path):
    notebook(tmp_path / "scratch.ipynb", ("code", "#| export\nX = 1"))
    assert notebooks.export(tmp_path).problems == [
        "scratch.ipynb exports into no step's module: add a cell `#| default_exp loss` (the step's module) or "
        "start its name with the step's number"]


def test_places_in_a_made_module_are_told_as_cells(tmp_path):
    notebook(tmp_path / "02_loss.ipynb", ("md", "intro"), ("code", "#| export\nimport torch"),
             ("code", "#| export\n" + NLL))
    exported = notebooks.export(tmp_path)
    line = exported.files["lesson9/loss.py"].decode().splitlines().index("    return -input[range(target.shape[0]), "
                                                                          "target].mean()") + 1
    assert exported.relocate(f"lesson9/loss.py has a syntax error at line {line}: x") == \
        "02_loss.ipynb, cell 3 (def nll(input, target):), line 3 has a syntax error: x"
    assert exported.relocate(f"/tmp/run/tree/lesson9/loss.py:{line}: in nll") == \
        "02_loss.ipynb, cell 3 (def nll(input, target):), line 3: in nll"
    assert exported.relocate("tests/test_02_loss.py:12") == "tests/test_02_loss.py:12"


def test_init_makes_a_notebook_per_step_with_its_page_and_its_skeleton(tmp_path):
    ws = init_workspace(tmp_path / "nbs", as_notebooks=True)
    made = sorted(p.name for p in ws.glob("*.ipynb"))
    assert made == [notebooks.notebook_name(s) for s in notebooks.MODULE_STEPS]
    nb = nbformat.read(ws / "02_loss.ipynb", as_version=4)
    nbformat.validate(nb)
    text = [c.source for c in nb.cells]
    assert text[0].startswith("# Step 2:") and not any(t.startswith("## Run the tests") for t in text)
    assert "#| default_exp loss" in text and text[-1] == 'from loopkata import check\ncheck("loss")'
    assert any(t.startswith("#| export\ndef nll(") for t in text)
    with pytest.raises(WorkspaceError, match="already exists"):
        init_workspace(ws, as_notebooks=True)
    assert find_workspace(ws) == ws


def test_status_knows_untouched_notebooks_are_not_started_without_running_them(tmp_path, monkeypatch):
    ws = init_workspace(tmp_path / "nbs", as_notebooks=True)
    monkeypatch.setattr(checking, "_run", lambda *a, **k: pytest.fail("nothing should run"))
    memory = checking.Memory(ws)
    spec = paths.spec_files()
    memory.counts = {s.id: {"spec": checking._spec_key(s, spec), "tests": 1} for s in notebooks.MODULE_STEPS}
    memory.counts["integration"] = {"spec": checking._spec_key(BY_ID["integration"], spec), "tests": 1}
    memory.save()
    states = checking.check(ws, [BY_ID["loss"], BY_ID["integration"]], failures=False).states
    assert [s.state for s in states] == [progress.NOT_STARTED, progress.NOT_STARTED]


def put_reference(ws, step_id):
    """Replace the step's export cells with the reference's module, in one export cell."""
    path = ws / notebooks.notebook_name(BY_ID[step_id])
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if not c.source.startswith("#| export")]
    nb.cells.insert(-1, nbformat.v4.new_code_cell("#| export\n" + (REFERENCE / f"{step_id}.py").read_text()))
    nbformat.write(nb, path)


def test_check_runs_the_saved_notebooks_and_tells_failures_in_their_cells(tmp_path, capsys):
    ws = init_workspace(tmp_path / "nbs", as_notebooks=True)
    put_reference(ws, "loss")
    loopkata.check("loss", workspace=ws)
    assert "All" in capsys.readouterr().out
    path = ws / "02_loss.ipynb"
    nb = nbformat.read(path, as_version=4)
    broken = next(i for i, c in enumerate(nb.cells) if c.source.startswith("#| export"))
    nb.cells[broken].source += "\ndef oops(:\n"
    nbformat.write(nb, path)
    loopkata.check(2, workspace=ws)
    out = capsys.readouterr().out
    assert f"02_loss.ipynb, cell {broken + 1}" in out and "has a syntax error" in out
    assert "lesson9/loss.py" not in out and "(your notebooks as saved in" in out


def test_check_from_a_notebook_says_what_is_wrong_in_one_line(tmp_path, capsys):
    loopkata.check("lossy", workspace=tmp_path)
    assert capsys.readouterr().out.startswith("loopkata: unknown step 'lossy'")
    loopkata.check("loss", workspace=tmp_path)
    assert "no workspace here" in capsys.readouterr().out


def test_a_submission_of_notebooks_is_graded_and_told_in_its_cells(tmp_path, fork_server):
    upload = tmp_path / "alice"
    upload.mkdir()
    notebook(upload / "02_loss.ipynb", ("code", "#| export\nimport torch"),
             ("code", "#| export\n" + (REFERENCE / "loss.py").read_text().replace(").float().mean()", ").sum()")))
    (upload / "notes.txt").write_text("the rest is in my other notebooks")
    grader = Grader(load_points(), tmp_path / "work", steps=[BY_ID["loss"]], fork_server=fork_server)
    grade, = grader.grade([("alice", upload)])
    loss, = grade.steps
    assert 0 < loss.score < loss.max_score
    assert "graded from its notebooks" in grade.note
    failing = " ".join(t.message for t in loss.failing)
    assert "lesson9/loss.py" not in failing


def test_a_notebook_workspace_is_found_and_a_folder_without_one_is_not(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(WorkspaceError, match="no lesson9/ folder there, nor notebooks"):
        find_workspace(tmp_path, str(tmp_path / "empty"))
    (tmp_path / "nbs").mkdir()
    (tmp_path / "nbs" / "01_init.ipynb").write_text(json.dumps({"cells": []}))
    assert find_workspace(tmp_path / "nbs") == (tmp_path / "nbs").resolve()
    shutil.rmtree(tmp_path / "nbs")
