"""Handing the kata out: answer lines, the release's refusals, the classroom workflow and the Gradescope bundle.

The releases and bundles made here are checked as files; installing them into
fresh environments is in test_end_to_end_homework.py.
"""
import stat
import zipfile
from pathlib import Path

import pytest
import yaml

from loopkata import cli
from loopkata.grading.points import GradingError
from loopkata.homework import classroom, gradescope, release
from loopkata.kata import paths
from loopkata.kata.errors import UsageError
from loopkata.kata.regions import answer_lines
from loopkata.kata.steps import BY_ID
from loopkata.learner import hints

SOLUTION = '''\
import math


def gain(a):
    """Doc."""
    # BEGIN SOLUTION
    # a comment is no answer
    import math as m
    with open("x") as f:
        pass
    value = math.sqrt(2.0 / (1 + a**2))
    return True
    # END SOLUTION


def fine():
    return math.sqrt(2.0)
'''


def test_answer_lines_are_the_telling_lines_of_solution_regions(tmp_path):
    for tree, text in (("solutions", SOLUTION), ("skeletons", SOLUTION.replace("value", "# cut"))):
        (tmp_path / tree / "lesson9").mkdir(parents=True)
        (tmp_path / tree / "lesson9" / "init.py").write_text(text)
    assert answer_lines(tmp_path / "solutions", tmp_path / "skeletons") == {"value = math.sqrt(2.0 / (1 + a**2))"}


def test_leaks_name_the_file_and_line(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "page.md").write_text("fine\n    value = math.sqrt(2.0 / (1 + a**2))\n")
    (tmp_path / "data.bin").write_bytes(b"\xff\xfe\x00")
    assert release.leaks(tmp_path, {"value = math.sqrt(2.0 / (1 + a**2))"}) == ["sub/page.md:2"]


def test_the_kata_has_answer_lines_to_guard():
    lines = answer_lines(paths.reference_tree(), paths.skeleton_tree())
    assert len(lines) > 100 and "return math.sqrt(2.0 / (1 + a**2))" in lines


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """Two releases of the kata, checked for answer lines as any: made with hints (True) and without (False).
    The reference's run for `compare` is left out (it is data, and takes seconds)."""
    patch = pytest.MonkeyPatch()
    patch.setattr(release.compare, "trace", lambda tree, workdir: release.compare.Trace(entries=[{}]))
    try:
        root = tmp_path_factory.mktemp("releases")
        return {with_hints: release.make_release(root / f"hints-{with_hints}", hints=with_hints).path
                for with_hints in (True, False)}
    finally:
        patch.undo()


CONTENT = Path("tool", "loopkata", "kata", paths.RELEASE_ROOT.name)  # a release's content, inside its tool


def test_a_release_ships_the_hints_inside_its_tool_only_when_made_with_them(releases):
    assert (releases[True] / CONTENT / paths.HINTS_FILE).is_file()
    assert not (releases[False] / CONTENT / paths.HINTS_FILE).exists()
    pages = sorted(p.name for p in (paths.kata_root() / "spec").glob("*.md"))
    for made in releases.values():
        assert sorted(p.name for p in (made / "spec").iterdir()) == pages  # the student's spec/: pages only
        assert not (made / "tool" / "loopkata" / "maintainer" / "benchmarks").exists()
    assert "loopkata hint STEP" in (releases[True] / "README.md").read_text()
    assert "loopkata hint" not in (releases[False] / "README.md").read_text()


@pytest.fixture
def installed(monkeypatch):
    """Make this process read a release's content as the release's own tool does."""
    def use(made):
        monkeypatch.setattr(paths, "KATA_ROOT", made / "tool")  # no solutions/ beside the package
        monkeypatch.setattr(paths, "RELEASE_ROOT", made / CONTENT)
        assert paths.in_release()
        return made
    return use


def test_hint_in_a_release_made_with_hints_serves_them(releases, installed, capsys):
    made = installed(releases[True])
    assert hints.hints_of(BY_ID["loss"]) and cli.main(["hint", "loss", "--impl", str(made)]) == 0
    assert capsys.readouterr().out.startswith("Hint 1 of")


def test_hint_in_a_release_made_without_hints_says_so_in_one_line(releases, installed, capsys):
    made = installed(releases[False])
    assert cli.main(["hint", "loss", "--impl", str(made)]) == 2
    err = capsys.readouterr().err
    assert "this release of the kata was made without hints" in err and len(err.strip().splitlines()) == 1


def test_a_release_never_overwrites_and_a_failed_one_leaves_nothing(tmp_path, monkeypatch):
    (tmp_path / "taken").mkdir()
    with pytest.raises(UsageError, match="already exists"):
        release.make_release(tmp_path / "taken")
    monkeypatch.setattr(release.compare, "trace", lambda tree, workdir: release.compare.Trace(entries=[{}]))
    monkeypatch.setattr(release, "answer_lines", lambda *_: {'pytestmark = pytest.mark.step("loss")'})
    with pytest.raises(UsageError, match="would give away the reference: .*test_02_loss.py:"):
        release.make_release(tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_release_is_made_from_the_checkout(monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "in_release", lambda: True)
    with pytest.raises(paths.NoReference, match="no reference"):
        release.make_release(tmp_path / "out")


def test_the_classroom_workflow_grades_with_the_released_spec_and_reports_per_step():
    flow = yaml.safe_load(classroom.workflow("abc123", 100.0))
    steps = flow["jobs"]["run-autograding-tests"]["steps"]
    install, grade, report = steps[2]["run"], steps[3], steps[4]
    assert "pip install ./tool" in install and "download.pytorch.org/whl/cpu" in install
    assert grade["id"] == classroom.RUNNER
    assert f"loopkata grade . --classroom {classroom.RESULT_FILE} --expect-spec abc123" in grade["run"]
    assert report["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert report["with"]["runners"] == classroom.RUNNER
    assert report["env"] == {"LOOPKATA_RESULTS": "${{ steps.loopkata.outputs.result }}"}
    assert flow["permissions"]["checks"] == "write"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    return gradescope.make_bundle(tmp_path_factory.mktemp("bundle") / "autograder.zip")


def test_the_bundle_holds_what_gradescope_runs_and_the_kata(bundle):
    with zipfile.ZipFile(bundle) as z:
        names = set(z.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in z.infolist()}
        setup = z.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", "points.toml", "README.md", "kata/pyproject.toml",
            "kata/solutions/lesson9/runner.py", "kata/tests/test_07_runner.py", "kata/tests/conftest.py",
            "kata/spec/07_runner.md", "kata/loopkata/cli.py"} <= names
    assert not any(n.startswith(("kata/loopkata/tests/", "kata/tests/proof/")) or "__pycache__" in n for n in names)
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    assert "download.pytorch.org/whl/cpu" in setup and 'AUTOGRADER_ROOT:-/autograder' in setup


@pytest.mark.parametrize("name, says", [("autograder.tar", "a name ending in .zip"), ("autograder.zip", "already exists")])
def test_a_bundle_needs_a_new_zip(bundle, name, says):
    with pytest.raises(UsageError, match=says):
        gradescope.make_bundle(bundle.with_name(name))


def test_a_bundle_checks_its_points_and_held_out_tests_first(tmp_path):
    (tmp_path / "points.toml").write_text("[steps]\ninit = 6\n")
    with pytest.raises(GradingError, match="must list every step"):
        gradescope.make_bundle(tmp_path / "a.zip", points=tmp_path / "points.toml")
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "test_more.py").write_text("def test_x(:\n")
    with pytest.raises(GradingError, match="test_more.py has a syntax error at line 1"):
        gradescope.make_bundle(tmp_path / "b.zip", held_out=[tmp_path / "extra"])
    assert not list(tmp_path.glob("*.zip*")) and not list(tmp_path.glob(".*.zip*"))
