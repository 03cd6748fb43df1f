"""The proof tooling: loading and checking the bug zoo and the notebook's differences, planting a bug or a
difference, judging their grades, and grading one of each end to end."""
import textwrap
from pathlib import Path

import pytest

from loopkata.containment.specrun import TestResult
from loopkata.grading.grader import Grader
from loopkata.grading.points import load_points
from loopkata.grading.scores import StepGrade, SubmissionGrade
from loopkata.kata import paths
from loopkata.kata.steps import BY_ID, MODULE_STEPS
from loopkata.kata import pages as kata_pages
from loopkata.maintainer.proof import __main__ as proof_main
from loopkata.maintainer.proof import data, verdicts
from loopkata.maintainer.proof import pages as proof_pages

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
    with pytest.raises(data.ZooError) as info:
        data.parse_zoo(textwrap.dedent(text), reference)
    return str(info.value).splitlines()


def test_a_good_entry_becomes_a_bug(reference):
    bug, = data.parse_zoo(GOOD_ENTRY, reference)
    assert (bug.id, bug.step, bug.pitfall, bug.find, bug.replace) == (
        "nll-sum", BY_ID["loss"], "Sum instead of mean", ".mean()", ".sum()")


def test_the_pitfall_may_be_left_out(reference):
    bug, = data.parse_zoo(GOOD_ENTRY.replace('pitfall = "Sum instead of mean"\n', ""), reference)
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
    assert proof_pages.pitfalls(PAGE) == ["Sum instead of mean", "`accuracy` as a float"]
    assert proof_pages.pitfalls("# A page without pitfalls\n") == []


def test_coverage_names_unplanted_pitfalls_and_unknown_ones(reference):
    bugs = data.parse_zoo(GOOD_ENTRY + GOOD_ENTRY.replace("nll-sum", "nll-total").replace(
        "Sum instead of mean", "Total instead of mean"), reference)
    assert proof_pages.coverage_problems(bugs, {"loss": PAGE}) == [
        "loss: pitfall '`accuracy` as a float' has no bug in the zoo",
        "nll-total: pitfall 'Total instead of mean' is not on spec/02_loss.md",
    ]


def test_the_zoo_loads_and_plants_every_pitfall_of_every_page():
    bugs = data.load_zoo()
    pages = {s.id: (paths.kata_root() / s.page).read_text() for s in MODULE_STEPS}
    assert proof_pages.coverage_problems(bugs, pages) == []
    assert {b.step.id for b in bugs} == set(pages)


def test_apply_bug_patches_a_copy_and_leaves_the_reference_alone(reference, tmp_path):
    bug, = data.parse_zoo(GOOD_ENTRY, reference)
    tree = verdicts.apply_bug(bug, reference, tmp_path / "bug")
    assert (tree / "lesson9" / "loss.py").read_text() == LOSS.replace(".mean()", ".sum()")
    assert (reference / "lesson9" / "loss.py").read_text() == LOSS


def test_alternatives_with_no_trees_is_nothing_to_grade(monkeypatch, capsys):
    monkeypatch.setattr(proof_main, "PROOF_DIR", data.PROOF_DIR / "no-such-folder")
    assert proof_main.main(["alternatives"]) == 0
    assert "nothing to grade" in capsys.readouterr().out


@pytest.mark.timeout(300)
def test_a_planted_bug_costs_its_own_step_only(tmp_path, fork_server):
    bug = next(b for b in data.load_zoo() if b.id == "loss-nll-sum")
    tree = verdicts.apply_bug(bug, paths.reference_tree(), tmp_path / "bug")
    grader = Grader(load_points(), tmp_path / "grading", jobs=2, steps=[BY_ID["loss"], BY_ID["modules"]],
                    fork_server=fork_server)
    grade, = grader.grade([(bug.id, tree)])
    own, problems = verdicts.bug_verdict(bug, grade)
    assert problems == []
    assert 0 < own < grade.steps[0].max_score
    assert grade.steps[1].score == grade.steps[1].max_score


# --- the notebook's differences ----------------------------------------------------------------

DIFFERENCE = """
[[difference]]
id = "nll-sum"
step = "loss"
differs = "Mean, not sum"
says = "the notebook sums over the batch"
costs = ["test_nll_matches_torch"]
find = '.mean()'
replace = '.sum()'
"""
# two edits, the second finding what the first wrote
TWO_EDITS = """
[[difference]]
id = "nll-sum-of-rows"
step = "loss"
differs = "Mean, not sum"
says = "the notebook sums over the rows"
costs = []

[[difference.edit]]
find = '.mean()'
replace = '.sum()'

[[difference.edit]]
find = '.sum()'
replace = '.sum(0)'
"""


def notebook_problems(text, reference):
    with pytest.raises(data.ZooError) as info:
        data.parse_notebook(textwrap.dedent(text), reference)
    return str(info.value).splitlines()


def test_a_good_entry_becomes_a_difference(reference):
    difference, = data.parse_notebook(DIFFERENCE, reference)
    assert (difference.id, difference.step, difference.differs, difference.edits, difference.costs) == (
        "nll-sum", BY_ID["loss"], "Mean, not sum", (data.Edit(".mean()", ".sum()"),), ("test_nll_matches_torch",))


def test_edits_apply_in_order_to_a_copy_of_the_reference(reference, tmp_path):
    difference, = data.parse_notebook(TWO_EDITS, reference)
    assert difference.costs == ()
    tree = verdicts.apply_edits(difference.step, difference.edits, reference, tmp_path / "notebook")
    assert (tree / "lesson9" / "loss.py").read_text() == LOSS.replace(".mean()", ".sum(0)")
    assert (reference / "lesson9" / "loss.py").read_text() == LOSS


def test_each_edit_must_find_its_text_once_after_the_edits_before_it(reference):
    problem, = notebook_problems(TWO_EDITS.replace("find = '.sum()'", "find = '.mean()'"), reference)
    assert problem == ("notebook.toml: difference 'nll-sum-of-rows': edit 2: find occurs 0 times in lesson9/loss.py "
                       "(after the edits before it), must occur exactly once")


def test_a_difference_has_find_and_replace_or_edit_tables(reference):
    both = TWO_EDITS.replace("costs = []\n", "costs = []\nfind = 'x'\nreplace = 'y'\n")
    assert notebook_problems(both, reference) == [
        "notebook.toml: difference 'nll-sum-of-rows': find and replace, or [[difference.edit]] tables, not both"]
    neither = DIFFERENCE.replace("find = '.mean()'\n", "").replace("replace = '.sum()'\n", "")
    assert notebook_problems(neither, reference) == [
        "notebook.toml: difference 'nll-sum': missing find, replace (or [[difference.edit]] tables)"]


def test_costs_are_at_most_two_test_names(reference):
    three = DIFFERENCE.replace('["test_nll_matches_torch"]', '["test_a", "test_b[case]", "nll"]')
    assert notebook_problems(three, reference) == [
        "notebook.toml: difference 'nll-sum': costs names 'nll', not a test (test_<name>, or test_<name>[<case id>])",
        "notebook.toml: difference 'nll-sum': costs names 3 tests; a difference may cost at most 2"]
    assert notebook_problems(DIFFERENCE.replace('["test_nll_matches_torch"]', '"test_a"'), reference) == [
        "notebook.toml: difference 'nll-sum': costs must be a list of test names ([] when it costs no test)"]


def test_a_steps_differences_must_apply_one_after_another(reference):
    second = DIFFERENCE.replace("nll-sum", "nll-total").replace("Mean, not sum", "Totals")
    problem, = notebook_problems(DIFFERENCE + second, reference)
    assert problem == ("notebook.toml: difference 'nll-total', after the step's differences before it: "
                       "find occurs 0 times in lesson9/loss.py, must occur exactly once")


NOTEBOOK_PAGE = """\
# Step 2: loss

## Where this spec differs from the notebook

Each bullet names the tests it costs.

- **Mean, not sum** — the notebook sums (costs `test_nll_matches_torch`).
- **Two lines** — a bullet whose text goes on
  over a second line (costs `test_a[case]` and
  `test_b`).
- **Free** — nothing depends on it (costs no test).
- **Silent** — says nothing of what it costs.

A closing paragraph (costs `test_not_a_bullet`).

## Run the tests
"""


def test_differs_bullets_and_their_costs_are_read_from_the_page():
    found = kata_pages.bullets(NOTEBOOK_PAGE, kata_pages.DIFFERS)
    assert [name for name, _ in found] == ["Mean, not sum", "Two lines", "Free", "Silent"]
    assert [proof_pages.bullet_costs(text) for _, text in found] == [
        [("test_nll_matches_torch",)], [("test_a[case]", "test_b")], [()], []]


def test_page_problems_name_bullets_and_differences_that_do_not_match():
    def difference(id, differs, costs=()):
        return data.Difference(id, BY_ID["loss"], differs, "the notebook's way", (data.Edit("a", "b"),), costs)

    differences = [difference("mean", "Mean, not sum", ("test_nll_matches_torch",)), difference("two", "Two lines"),
                   difference("silent", "Silent"), difference("elsewhere", "Not on the page")]
    assert proof_pages.notebook_page_problems(differences, {"loss": NOTEBOOK_PAGE}) == [
        "spec/02_loss.md: differs bullet 'Two lines' names test_a[case], test_b, but two costs no test",
        "loss: differs bullet 'Free' has no difference in notebook.toml, must have exactly one",
        "spec/02_loss.md: differs bullet 'Silent' must say once what it costs: (costs `test_x`), "
        "(costs `test_x` and `test_y`) or (costs no test)",
        "elsewhere: differs 'Not on the page' is not a bullet of spec/02_loss.md",
    ]


def test_the_notebook_file_loads_and_covers_every_page():
    differences = data.load_notebook()
    pages = {s.id: (paths.kata_root() / s.page).read_text() for s in MODULE_STEPS}
    assert proof_pages.notebook_page_problems(differences, pages) == []
    assert len(differences) == sum(len(kata_pages.bullets(page, kata_pages.DIFFERS)) for page in pages.values())


def fake_grade(results):
    """A SubmissionGrade from {step id: {test name: outcome}}, every test of weight 1."""
    steps = []
    for step_id, outcomes in results.items():
        tests = [TestResult(f"tests/test_x.py::{name}", step_id, outcome) for name, outcome in outcomes.items()]
        passed = sum(outcome == "passed" for outcome in outcomes.values())
        steps.append(StepGrade(BY_ID[step_id], 1.0, passed / len(outcomes), tests))
    return SubmissionGrade("tree", Path("tree"), steps)


def test_a_difference_must_fail_exactly_its_costs(reference):
    difference, = data.parse_notebook(DIFFERENCE.replace('["test_nll_matches_torch"]', '["test_a", "test_b[x]"]'),
                                       reference)
    exact = fake_grade({"loss": {"test_a": "failed", "test_b[x]": "failed", "test_b[y]": "passed"},
                        "init": {"test_i": "passed"}})
    assert verdicts.difference_verdict(difference, exact) == (["test_a", "test_b[x]"], [])
    off = fake_grade({"loss": {"test_a": "passed", "test_b[x]": "failed", "test_c": "missing"},
                      "init": {"test_i": "failed"}})
    assert verdicts.difference_verdict(difference, off)[1] == [
        "nll-sum: does not fail test_a, which its costs name",
        "nll-sum: fails test_c, which its costs do not name",
        "step init lost points on the reference's own module: a test failed",
    ]
    unknown = fake_grade({"loss": {"test_b[x]": "failed"}})
    assert verdicts.difference_verdict(difference, unknown)[1] == [
        "nll-sum: costs names test_a, but step loss has no such test"]


def test_a_notebook_like_tree_may_fail_two_tests_per_bullet_all_named():
    grade = fake_grade({"loss": {"test_a[1]": "failed", "test_a[2]": "failed", "test_b": "failed", "test_c": "passed"}})
    step = grade.steps[0]
    assert verdicts.step_verdict("rebuild", step, 2, ("test_a", "test_b")) == []
    assert verdicts.step_verdict("rebuild", step, 1, ("test_a",)) == [
        "rebuild: step loss fails 3 tests, more than 2 (2 for each of the 1 differs bullets on spec/02_loss.md)",
        "rebuild: step loss fails test_b, which no difference of the step names: an undocumented difference, "
        "or a test that depends on a documented one",
    ]
    assert verdicts.step_verdict("together", step, 2) == []


@pytest.mark.timeout(300)
def test_a_notebook_difference_costs_exactly_its_tests(tmp_path, fork_server):
    difference = next(d for d in data.load_notebook() if d.id == "modules-dummy-module-callable")
    tree = verdicts.apply_edits(difference.step, difference.edits, paths.reference_tree(), tmp_path / "difference")
    grader = Grader(load_points(), tmp_path / "grading", jobs=2, steps=[BY_ID["modules"], BY_ID["loss"]],
                    fork_server=fork_server)
    grade, = grader.grade([(difference.id, tree)])
    failed, problems = verdicts.difference_verdict(difference, grade)
    assert problems == []
    assert failed == list(difference.costs)
