"""A learner's progress from runs made here: each step's state, the status table and a step's failures."""
from loopkata.containment.specrun import SpecRun, TestResult
from loopkata.kata.steps import BY_ID, STEPS
from loopkata.learner import progress
from loopkata.learner.progress import FAILING, NOT_CHECKED, NOT_STARTED, PASSING, StepState


def results(step_id, *outcomes, not_started=False, message="boom"):
    return [TestResult(f"t.py::test_{step_id}_{n}", step_id, o, message, not_started) for n, o in enumerate(outcomes)]


def state_of(run, step_id):
    return progress.states(run, [BY_ID[step_id]])[0]


def test_a_step_passes_when_every_counted_test_passes():
    run = SpecRun(results("device", "passed", "skipped"), None)
    s = state_of(run, "device")
    assert (s.state, s.passed, s.total, len(s.skipped)) == (PASSING, 1, 1, 1)


def test_a_step_whose_failures_are_all_unwritten_code_is_not_started():
    assert state_of(SpecRun(results("loss", "failed", "failed", not_started=True), None), "loss").state == NOT_STARTED


def test_one_pass_among_unwritten_code_is_failing():
    run = SpecRun(results("loss", "passed") + results("loss", "failed", not_started=True), None)
    assert state_of(run, "loss").state == FAILING


def test_tests_that_never_ran_are_kept_apart_from_failures():
    s = state_of(SpecRun(results("loss", "passed", "failed", "missing"), "it was killed"), "loss")
    assert (s.state, s.passed, s.total, len(s.failures), len(s.not_run)) == (FAILING, 1, 3, 1, 1)


def test_a_step_after_a_deliberate_stop_is_not_checked():
    run = SpecRun(results("loss", "failed") + results("modules", "missing", "missing"), None, stopped="loss fails")
    assert [s.state for s in progress.states(run, [BY_ID["loss"], BY_ID["modules"]])] == [FAILING, NOT_CHECKED]


def test_first_unfinished_skips_the_passing_steps():
    states = [StepState(BY_ID["init"], PASSING, 1, 1), StepState(BY_ID["loss"], FAILING, 0, 1)]
    assert progress.first_unfinished(states).step.id == "loss"
    assert progress.first_unfinished(states[:1]) is None


def test_status_shows_every_step_its_counts_and_the_next_thing_to_do():
    states = [StepState(s, NOT_STARTED, 0, None if s.id == "device" else 4, note="still the skeleton") for s in STEPS]
    states[0] = StepState(BY_ID["init"], PASSING, 4, 4, note="unchanged since it last passed")
    text = progress.render_status(states, "ws", color=False)
    assert "   1 init" in text and "4/4 tests (unchanged since it last passed)" in text
    assert "0/? tests (still the skeleton)" in text  # a count not known yet
    assert "1/11 steps (4/40 tests)" in text
    assert text.endswith(f"Next: step 2 (loss), {progress.page(BY_ID['loss'])}: run `loopkata check loss`")


def test_check_shows_three_failures_then_names_the_rest():
    failures = [TestResult(f"t.py::test_loss_{n}", "loss", "failed", f"lesson9.loss.nll(...)\n  returned: {n}")
                for n in range(5)]
    s = StepState(BY_ID["loss"], FAILING, 2, 7, failures)
    text = progress.render_check(s, color=False)
    assert f"2 of 7 tests pass. Spec: {progress.page(BY_ID['loss'])}" in text
    assert text.count("returned: ") == 3
    assert "... and 2 more failing: test_loss_3, test_loss_4" in text


def test_check_tells_a_message_shared_by_many_tests_once():
    failures = results("loss", *["failed"] * 27, message="lesson9/loss.py has a syntax error at line 3: x")
    text = progress.render_check(StepState(BY_ID["loss"], FAILING, 0, 27, failures), color=False)
    assert "test_loss_0 and 26 more tests, the same way" in text
    assert text.count("has a syntax error") == 1


def test_check_tells_tests_that_never_ran_and_skipped_ones_with_their_reasons():
    s = StepState(BY_ID["device"], FAILING, 3, 5, [],
                  results("device", "missing", "missing", message="did not run to the end: it was killed by signal 9"),
                  results("device", "skipped", message="needs a CUDA GPU"))
    text = progress.render_check(s, color=False)
    assert "2 tests never ran (it was killed by signal 9): test_device_0, test_device_1" in text
    assert "1 test skipped, not counted: needs a CUDA GPU" in text


def test_a_remembered_pass_says_how_it_is_known():
    s = StepState(BY_ID["init"], PASSING, 39, 39, note="unchanged since it last passed")
    assert "All 39 tests pass (unchanged since it last passed)." in progress.render_check(s, color=False)


def test_paint_only_when_asked():
    assert progress.paint("x", PASSING, False) == "x"
    assert progress.paint("x", PASSING, True) == "\033[32mx\033[0m"
    assert progress.use_color(choice="never") is False and progress.use_color(choice="always") is True
