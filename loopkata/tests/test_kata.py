"""The kata as data: steps, trees, files in memory, the spec's files, and the machine's cores."""
import sys

import pytest

from loopkata.kata import compat, paths
from loopkata.kata.files import fingerprint, read_files, write_files
from loopkata.kata.regions import answer_lines
from loopkata.kata.steps import BY_ID, MODULE_STEPS, STEPS, get_step


def test_steps_are_found_by_id_or_number_and_an_unknown_one_lists_them():
    assert get_step("loss") is get_step("2") is BY_ID["loss"]
    with pytest.raises(KeyError, match="the steps are: init, loss"):
        get_step("lossy")


def test_step_names_and_places():
    loss, integration = BY_ID["loss"], BY_ID["integration"]
    assert (loss.page, loss.test_file, loss.module_file) == ("spec/02_loss.md", "tests/test_02_loss.py", "lesson9/loss.py")
    assert (loss.label, loss.row_label) == ("step 2 (loss)", " 2 loss")
    assert (integration.page, integration.module_file, integration.label) == ("spec/integration.md", None, "integration")
    assert len(MODULE_STEPS) == len(STEPS) - 1 == 10


def test_every_step_has_its_page_test_file_and_modules_in_the_checkout():
    root = paths.kata_root()
    for step in STEPS:
        assert (root / step.page).is_file() and (root / step.test_file).is_file()
        if step.module_file:
            assert (paths.reference_tree() / step.module_file).is_file()
            assert (paths.skeleton_tree() / step.module_file).is_file()


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.id)
def test_a_page_prints_no_hints_and_no_line_of_the_answer(step):
    page = (paths.kata_root() / step.page).read_text()
    assert "\n## Hints" not in page, f"{step.page}: hints live in {paths.HINTS_FILE}, served by `loopkata hint`"
    assert f"loopkata hint {step.id}" in page, f"{step.page}: its 'Run the tests' names `loopkata hint`"
    flat = " ".join(page.split())
    found = [line for line in answer_lines(paths.reference_tree(), paths.skeleton_tree()) if line in flat]
    assert not found, f"{step.page} spells out lines of the reference's solution: {found[:3]}"


def test_a_tree_is_a_folder_holding_lesson9(tmp_path):
    assert paths.tree_problem(tmp_path / "nowhere") == "no such folder"
    assert paths.tree_problem(tmp_path) == "no lesson9/ folder there"
    (tmp_path / "lesson9").mkdir()
    assert paths.tree_problem(tmp_path) is None and paths.is_kata_tree(tmp_path)


def test_the_spec_is_every_test_file_and_the_conftest_without_the_proof():
    spec = paths.spec_files()
    assert "conftest.py" in spec and "test_02_loss.py" in spec and "test_integration.py" in spec
    assert not any(name.startswith("proof/") for name in spec)


def test_files_in_memory_round_trip_and_their_fingerprint_tells_content_and_names_apart(tmp_path):
    files = {"lesson9/a.py": b"x = 1\n", "lesson9/sub/b.py": b""}
    write_files(files, tmp_path / "tree")
    assert read_files(tmp_path / "tree") == files
    assert fingerprint(files) != fingerprint({**files, "lesson9/a.py": b"x = 2\n"})
    assert fingerprint(files) != fingerprint({"lesson9/c.py": b"x = 1\n", "lesson9/sub/b.py": b""})


def test_use_tree_makes_lesson9_the_trees(tmp_path, monkeypatch):
    for name in ("one", "two"):
        (tmp_path / name / "lesson9").mkdir(parents=True)
        (tmp_path / name / "lesson9" / "__init__.py").write_text(f"WHICH = {name!r}\n")
    monkeypatch.setattr(sys, "path", list(sys.path))
    saved = {k: v for k, v in sys.modules.items() if k.split(".")[0] == "lesson9"}
    try:
        paths.use_tree(tmp_path / "one")
        import lesson9
        assert lesson9.WHICH == "one"
        paths.use_tree(tmp_path / "two")
        import lesson9
        assert lesson9.WHICH == "two"
    finally:
        for name in [m for m in sys.modules if m.split(".")[0] == "lesson9"]:
            del sys.modules[name]
        sys.modules.update(saved)


@pytest.mark.parametrize("quota, cores, expected", [(None, 4, 4), (0.5, 4, 1), (2.5, 4, 3), (8.0, 2, 2)])
def test_available_cpus_is_capped_by_a_containers_quota(monkeypatch, quota, cores, expected):
    monkeypatch.setattr(compat, "_cgroup_cpus", lambda: quota)
    monkeypatch.setattr(compat.os, "sched_getaffinity", lambda pid: set(range(cores)), raising=False)
    assert compat.available_cpus() == expected
