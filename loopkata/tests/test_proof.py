"""The proof tooling: loading and checking the bug zoo, planting a bug, and grading one end to end."""
import textwrap

import pytest

from loopkata.grading.grader import Grader
from loopkata.grading.points import load_points
from loopkata.kata import paths
from loopkata.kata.steps import BY_ID, MODULE_STEPS
from loopkata.maintainer import proof

LOSS = "def nll(input, target):\n    return -input[range(len(target)), target].mean()\n"
GOOD_ENTRY = """
[[bug]]
id = "nll-sum"
step = "loss"
pitfall = "Sum instead of mean"
says = "nll sums over the batch"
find = '.mean()'
replace = '.sum()'
"""


@pytest.fixture
def reference(tmp_path):
    """A tiny reference tree: only lesson9/loss.py, with one nll."""
    (tmp_path / "ref" / "lesson9").mkdir(parents=True)
    (tmp_path / "ref" / "lesson9" / "loss.py").write_text(LOSS)
    return tmp_path / "ref"


def zoo_problems(text, reference):
    with pytest.raises(proof.ZooError) as info:
        proof.parse_zoo(textwrap.dedent(text), reference)
    return str(info.value).splitlines()


def test_a_good_entry_becomes_a_bug(reference):
    bug, = proof.parse_zoo(GOOD_ENTRY, reference)
    assert (bug.id, bug.step, bug.pitfall, bug.find, bug.replace) == (
        "nll-sum", BY_ID["loss"], "Sum instead of mean", ".mean()", ".sum()")


def test_the_pitfall_may_be_left_out(reference):
    bug, = proof.parse_zoo(GOOD_ENTRY.replace('pitfall = "Sum instead of mean"\n', ""), reference)
    assert bug.pitfall is None


@pytest.mark.parametrize("find, count", [("'.max()'", 0), ("'input'", 2)])
def test_find_must_occur_exactly_once(reference, find, count):
    problems = zoo_problems(GOOD_ENTRY.replace("'.mean()'", find), reference)
    assert problems == [f"zoo.toml: bug 'nll-sum': find occurs {count} times in lesson9/loss.py, "
                        "must occur exactly once"]


@pytest.mark.parametrize("step", ["lossy", "integration"])
def test_the_step_must_be_a_module_step(reference, step):
    problem, = zoo_problems(GOOD_ENTRY.replace('step = "loss"', f'step = "{step}"'), reference)
    assert problem.startswith(f"zoo.toml: bug 'nll-sum': unknown step '{step}' (one of: init, loss,")


def test_the_steps_module_must_be_in_the_reference(reference):
    problem, = zoo_problems(GOOD_ENTRY.replace('step = "loss"', 'step = "init"'), reference)
    assert problem == "zoo.toml: bug 'nll-sum': the reference has no lesson9/init.py"


def test_a_malformed_entry_is_named_with_every_problem(reference):
    problems = zoo_problems("""
        [[bug]]
        id = "no-find"
        step = "loss"
        says = 3
        colour = "red"
    """, reference)
    assert problems == ["zoo.toml: bug 'no-find': missing find, replace",
                        "zoo.toml: bug 'no-find': unknown key(s) colour",
                        "zoo.toml: bug 'no-find': says must be text"]


def test_ids_are_unique_and_kebab_case(reference):
    problems = zoo_problems(GOOD_ENTRY + GOOD_ENTRY.replace("nll-sum", "Nll_Sum") + GOOD_ENTRY, reference)
    assert problems == ["zoo.toml: bug 'Nll_Sum': id must be kebab-case (a-z, 0-9 and single hyphens)",
                        "zoo.toml: bug 'nll-sum': id used twice"]


def test_an_entry_without_an_id_is_named_by_its_number(reference):
    problem, = zoo_problems(GOOD_ENTRY + "[[bug]]\nstep = 'loss'\n", reference)
    assert problem == "zoo.toml: bug #2: missing find, id, replace, says"


def test_a_file_that_is_not_toml_is_one_error(reference):
    problem, = zoo_problems("[[bug]\n", reference)
    assert problem.startswith("zoo.toml: not valid TOML:")


PAGE = """\
# Step 2: loss

## Pitfalls the tests catch

- **Sum instead of mean** — `nll` returning the sum (caught by `test_nll_matches_torch`).
- **`accuracy` as a float** — ending in `.item()` (caught by `test_accuracy_is_a_tensor`).

## Where this spec differs from the notebook

- **Not a pitfall** — a bold name in another section.
"""


def test_pitfalls_are_the_bold_names_of_their_section():
    assert proof.pitfalls(PAGE) == ["Sum instead of mean", "`accuracy` as a float"]
    assert proof.pitfalls("# A page without pitfalls\n") == []


def test_coverage_names_unplanted_pitfalls_and_unknown_ones(reference):
    bugs = proof.parse_zoo(GOOD_ENTRY + GOOD_ENTRY.replace("nll-sum", "nll-total").replace(
        "Sum instead of mean", "Total instead of mean"), reference)
    assert proof.coverage_problems(bugs, {"loss": PAGE}) == [
        "loss: pitfall '`accuracy` as a float' has no bug in the zoo",
        "nll-total: pitfall 'Total instead of mean' is not on spec/02_loss.md",
    ]


def test_the_zoo_loads_and_plants_every_pitfall_of_every_page():
    bugs = proof.load_zoo()
    pages = {s.id: (paths.kata_root() / s.page).read_text() for s in MODULE_STEPS}
    assert proof.coverage_problems(bugs, pages) == []
    assert {b.step.id for b in bugs} == set(pages)


def test_apply_bug_patches_a_copy_and_leaves_the_reference_alone(reference, tmp_path):
    bug, = proof.parse_zoo(GOOD_ENTRY, reference)
    tree = proof.apply_bug(bug, reference, tmp_path / "bug")
    assert (tree / "lesson9" / "loss.py").read_text() == LOSS.replace(".mean()", ".sum()")
    assert (reference / "lesson9" / "loss.py").read_text() == LOSS


def test_alternatives_with_no_trees_is_nothing_to_grade(monkeypatch, capsys):
    monkeypatch.setattr(proof, "PROOF_DIR", proof.PROOF_DIR / "no-such-folder")
    assert proof.main(["alternatives"]) == 0
    assert "nothing to grade" in capsys.readouterr().out


@pytest.mark.timeout(300)
def test_a_planted_bug_costs_its_own_step_only(tmp_path, fork_server):
    bug = next(b for b in proof.load_zoo() if b.id == "loss-nll-sum")
    tree = proof.apply_bug(bug, paths.reference_tree(), tmp_path / "bug")
    grader = Grader(load_points(), tmp_path / "grading", jobs=2, steps=[BY_ID["loss"], BY_ID["modules"]],
                    fork_server=fork_server)
    grade, = grader.grade([(bug.id, tree)])
    own, problems = proof.bug_verdict(bug, grade)
    assert problems == []
    assert 0 < own < grade.steps[0].max_score
    assert grade.steps[1].score == grade.steps[1].max_score
