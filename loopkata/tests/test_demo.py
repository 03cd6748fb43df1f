"""`loopkata demo`: notebook 05's run on a tree, its progress and stats as they come, and real figures."""
import matplotlib.image

from loopkata import cli


def test_the_demo_trains_the_reference_and_draws_its_schedules_lr_and_loss(tmp_path, capsys):
    assert cli.main(["demo", "--out", str(tmp_path / "figures"), "--epochs", "1", "--color", "never"]) == 0
    out = capsys.readouterr().out
    assert "notebook 05's run, with the reference rebuild" in out
    assert "100% of the training batches done" in out
    assert "  train: [" in out and "  valid: [" in out  # as AvgStatsCallback prints them
    for name in ("schedules.png", "recorded.png"):
        path = tmp_path / "figures" / name
        assert f"Wrote {path}" in out.replace(str(tmp_path / "figures" / name), str(path))
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        pixels = matplotlib.image.imread(path)
        assert pixels.shape[0] > 300 and pixels.shape[1] > 800 and pixels.std() > 0.05  # drawn, not blank


def test_the_demo_of_an_unfinished_loop_says_which_step_is_missing(tmp_path, capsys):
    assert cli.main(["init", str(tmp_path / "ws")]) == 0
    capsys.readouterr()
    assert cli.main(["demo", "--impl", str(tmp_path / "ws"), "--out", str(tmp_path / "figures"),
                     "--color", "never"]) == 1
    out = capsys.readouterr().out
    assert "is not written yet" in out and "`loopkata demo` needs steps 2 (loss), 4 (data), 5 (databunch)" in out
    assert not (tmp_path / "figures" / "recorded.png").exists()


def test_the_demo_refuses_a_data_file_that_is_not_there(tmp_path, capsys):
    assert cli.main(["demo", "--data", str(tmp_path / "mnist.pkl.gz")]) == 2
    assert "no such file" in capsys.readouterr().err
