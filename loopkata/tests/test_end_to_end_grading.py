"""The grader, end to end, on a corpus of broken and hostile submissions made here.

Each submission is the reference with one module replaced; the corpus is
graded once, as a batch with two jobs, on the steps `loss` and `modules`:
whatever `loss.py` does, `modules` keeps full marks and the grader survives.
"""
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from loopkata.containment.sandbox import Limits
from loopkata.grading.grader import Grader
from loopkata.grading.outputs import step_text
from loopkata.grading.points import load_points
from loopkata.kata import paths
from loopkata.kata.steps import BY_ID

pytestmark = pytest.mark.timeout(900)

GOOD_LOSS = (paths.reference_tree() / "lesson9" / "loss.py").read_text()
STEPS = [BY_ID["loss"], BY_ID["modules"]]
FAST = (Limits(wall_seconds=20, test_seconds=2, import_seconds=1), Limits(wall_seconds=60, test_seconds=30))
SLEEP_MARK = "987654"  # a sleep this long marks the processes a submission leaves behind
DAEMON_MARK = "987655"

HOSTILE = {
    "syntax_error": "def nll(input, target:\n    return 0\n",
    "missing_file": None,
    "import_error": "import a_module_that_does_not_exist\n" + GOOD_LOSS,
    "loop_at_import": "while True:\n    pass\n",
    "loop_in_function": GOOD_LOSS + textwrap.dedent('''
        def accuracy(out, yb):
            while True:
                pass
        '''),
    "sys_exit_at_import": "import sys\nsys.exit(0)\n",
    "os_exit_in_function": GOOD_LOSS + textwrap.dedent('''
        def nll(input, target):
            import os
            os._exit(0)
        '''),
    "memory_hog": GOOD_LOSS + textwrap.dedent('''
        def log_softmax(x):
            hog = bytearray(8 * 2**30)
            return hog
        '''),
    "output_flood": GOOD_LOSS + textwrap.dedent('''
        def accuracy(out, yb):
            import os
            chunk = b"spam" * 2**18
            while True:
                os.write(1, chunk)
        '''),
    "leaves_a_process": GOOD_LOSS + textwrap.dedent(f'''
        import subprocess
        subprocess.Popen(["sleep", "{SLEEP_MARK}"], start_new_session=True)
        '''),
    "leaves_a_daemon": GOOD_LOSS + textwrap.dedent(f'''
        import os
        if os.fork() == 0:  # a daemon: its own session, a clean environment, its parent gone
            os.setsid()
            if os.fork() == 0:
                os.execve("/bin/sleep", ["sleep", "{DAEMON_MARK}"], {{}})
            os._exit(0)
        '''),
    "patches_pytest_fail": GOOD_LOSS.replace("return -input[", "return 0 * -input[") + textwrap.dedent('''
        import pytest
        import loopkata.testing
        pytest.fail = loopkata.testing.fail = lambda *args, **kwargs: None
        '''),
    "forges_results": GOOD_LOSS + textwrap.dedent('''
        import os
        for fd in range(3, 64):
            try:
                os.write(fd, b'0000 {"seq": 1, "kind": "test", "outcome": "passed"}\\n')
            except OSError:
                pass
        open("results.json", "w").write('{"score": 100}')
        '''),
}


def make_submission(root: Path, name: str, loss_py, extra=None) -> Path:
    sub = root / name
    shutil.copytree(paths.reference_tree() / "lesson9", sub / "lesson9",
                    ignore=shutil.ignore_patterns("__pycache__"))
    if loss_py is None:
        (sub / "lesson9" / "loss.py").unlink()
    else:
        (sub / "lesson9" / "loss.py").write_text(loss_py)
    for rel, text in (extra or {}).items():
        (sub / rel).write_text(text)
    return sub


def grade(tmp: Path, subs: list[Path], server, jobs: int = 2):
    grader = Grader(load_points(), tmp / "work", jobs=jobs, steps=STEPS, limits=FAST, fork_server=server)
    return {g.name: g for g in grader.grade([(s.name, s) for s in subs])}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, fork_server):
    root = tmp_path_factory.mktemp("corpus")
    subs = [make_submission(root, name, text) for name, text in HOSTILE.items()]
    subs.append(make_submission(root, "ships_a_conftest", GOOD_LOSS.replace("return nll(", "return 2 * nll("), {
        "conftest.py": f"open({str(root / 'conftest-ran')!r}, 'w').close()\n",
        "pytest.ini": "[pytest]\naddopts = -p no:loopkata\n",
        "lesson9/conftest.py": f"open({str(root / 'conftest-ran')!r}, 'w').close()\n",
    }))
    subs.append(make_submission(root, "reference", GOOD_LOSS))
    return root, grade(root / "out", subs, fork_server)


def steps_of(grade):
    return {g.step.id: g for g in grade.steps}


def test_the_reference_gets_full_marks(corpus):
    _, grades = corpus
    assert grades["reference"].score == grades["reference"].max_score > 0


@pytest.mark.parametrize("name", [n for n in [*HOSTILE, "ships_a_conftest"] if not n.startswith("leaves_a")])
def test_a_broken_loss_module_costs_the_loss_step_only(corpus, name):
    _, grades = corpus
    steps = steps_of(grades[name])
    assert steps["modules"].score == steps["modules"].max_score, step_text(steps["modules"])
    assert steps["loss"].score < steps["loss"].max_score, step_text(steps["loss"])


@pytest.mark.parametrize("name, says", [
    ("syntax_error", "lesson9/loss.py has a syntax error at line 1"),
    ("missing_file", "lesson9/loss.py is missing"),
    ("import_error", "No module named 'a_module_that_does_not_exist'"),
    ("loop_at_import", "importing lesson9/loss.py did not finish within 1 s (an endless loop at import?)"),
    ("loop_in_function", "did not finish within 2 s: still running accuracy (lesson9/loss.py, line"),
    ("sys_exit_at_import", "SystemExit"),
    ("os_exit_in_function", "ended early"),
    ("memory_hog", "MemoryError"),
    ("output_flood", "File too large"),
    ("forges_results", "not written by the grader"),
    ("patches_pytest_fail", "replaced the test machinery"),
])
def test_each_failure_is_explained_in_the_steps_output(corpus, name, says):
    _, grades = corpus
    output = step_text(steps_of(grades[name])["loss"])
    assert says in output, output


def test_partial_credit_for_the_tests_that_pass(corpus):
    _, grades = corpus
    loss = steps_of(grades["loop_in_function"])["loss"]
    assert 0 < loss.score < loss.max_score
    assert loss.passed == len(loss.counted) - sum("accuracy" in t.name for t in loss.counted)


@pytest.mark.parametrize("name", ["forges_results", "patches_pytest_fail"])
def test_forged_results_earn_nothing(corpus, name):
    _, grades = corpus
    assert steps_of(grades[name])["loss"].score == 0


def test_a_submissions_conftest_and_pytest_ini_never_run(corpus):
    root, grades = corpus
    assert not (root / "conftest-ran").exists()
    loss = steps_of(grades["ships_a_conftest"])["loss"]
    assert 0 < loss.passed < len(loss.counted)  # graded by the spec, with its own plugin loaded


def test_no_process_is_left_running(corpus):
    _, grades = corpus
    for name in ("leaves_a_process", "leaves_a_daemon"):
        assert grades[name].score == grades[name].max_score
    listing = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert f"sleep {SLEEP_MARK}" not in listing
    assert f"sleep {DAEMON_MARK}" not in listing


def test_the_submission_itself_is_never_written_to(corpus):
    root, _ = corpus
    assert not (root / "forges_results" / "results.json").exists()
    assert not list((root / "reference").rglob("__pycache__"))


def test_the_same_submission_gets_the_same_grade_every_time(corpus, fork_server):
    """Graded again, alone and with one job: the same results as in the batch."""
    root, grades = corpus
    first = grades["loop_in_function"]
    second = grade(root / "again", [root / "loop_in_function"], fork_server, jobs=1)["loop_in_function"]
    assert [(g.step.id, g.score, [t.outcome for t in g.tests]) for g in first.steps] == \
           [(g.step.id, g.score, [t.outcome for t in g.tests]) for g in second.steps]


def test_a_submission_that_edits_files_on_disk_changes_no_other_grade(tmp_path, fork_server):
    """loss.py rewrites every spec file and every modules.py it finds in the grader's working folders.

    Its search stays inside this test's own folder: the grader is no sandbox
    against a submission bent on damage, and this test must never be one.
    """
    editor = GOOD_LOSS + textwrap.dedent(f'''
        from pathlib import Path
        for folder in Path.cwd().parents:
            if not str(folder).startswith({str(tmp_path)!r}):
                break
            for test in folder.glob("**/test_*.py"):
                test.write_text("def test_nothing():\\n    pass\\n")
            for module in folder.glob("**/lesson9/modules.py"):
                module.write_text("")
        ''')
    sub = make_submission(tmp_path, "editor", editor)
    other = make_submission(tmp_path, "other", GOOD_LOSS)
    grader = Grader(load_points(), tmp_path / "work", jobs=1, steps=STEPS, limits=FAST, fork_server=fork_server)
    editor_grade, other_grade = grader.grade([("editor", sub), ("other", other)])
    for grade in (editor_grade, other_grade):
        modules = steps_of(grade)["modules"]
        assert modules.score == modules.max_score and len(modules.counted) > 1, step_text(modules)


def test_a_step_graded_before_the_full_fork_server_is_up_loses_nothing(tmp_path):
    """With two jobs, loss runs from the early server, which has no torch._dynamo: a loss.py that makes an
    optimiser (the first one imports it) gets full marks all the same, and no server outlives grading."""
    optimiser = GOOD_LOSS + textwrap.dedent('''
        def accuracy(out, yb, _made=[]):
            if not _made:
                import torch
                _made.append(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1))
            return (out.argmax(dim=-1) == yb).float().mean()
        ''')
    sub = make_submission(tmp_path, "optimiser", optimiser)
    roomy = (Limits(wall_seconds=120, test_seconds=60, import_seconds=60), FAST[1])
    grader = Grader(load_points(), tmp_path / "work", jobs=2, steps=STEPS, limits=roomy)
    (graded,) = grader.grade([("optimiser", sub)])
    for step in graded.steps:
        assert step.score == step.max_score, step_text(step)
    servers = [pid for pid in Path("/proc").iterdir() if pid.name.isdigit() and _cwd(pid) == tmp_path / "work"]
    assert not servers, "a fork server of this grader is still running"


def _cwd(pid: Path) -> Path | None:
    try:
        return Path(pid / "cwd").resolve(strict=True)
    except OSError:
        return None
