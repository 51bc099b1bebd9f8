"""``mentorsim sweep``: runs, resumes, analyses; foreign directories refused on one line."""

import json

from sim.cli import main
from sim.experiment.designs import load_sweep
from tests.experiment.sweeps import assert_store_sound, sweep_file, write_sweep
from tests.paths import MENTORING


def test_missing_base_and_cli_exit_code(tmp_path, capsys):
    path = write_sweep(tmp_path, 'base = "nowhere.toml"\n')
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nowhere.toml" in err and "no such file" in err
    assert not (tmp_path / "out").exists()


def test_cli_sweep_runs_and_analyses(tmp_path, capsys):
    sweep_path = write_sweep(tmp_path, f"""
        base = "{MENTORING}"
        replications = 2
        [set]
        "organisation.headcount" = 100
        horizon_weeks = 20
        "programme.duration_weeks" = 8
        [factors.programme]
        mentees_per_mentor = [1, 2]
        """)
    out = tmp_path / "out"
    assert main(["sweep", str(sweep_path), "--out", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "4 of 4 runs done, 0 failed" in text
    assert (out / "analysis/points.csv").exists() and (out / "analysis/main_effects.png").exists()


def test_cli_force_new_starts_afresh_when_the_sweep_file_changed(tmp_path, capsys):
    path = sweep_file(tmp_path, levels=(1,), replications=2)
    out = tmp_path / "out"
    command = ["sweep", str(path), "--out", str(out), "--quiet", "--no-analysis"]
    assert main(command) == 0
    capsys.readouterr()
    path = sweep_file(tmp_path, levels=(1, 2), replications=2)  # the sweep file changed
    before = sorted(p.name for p in out.rglob("*"))
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "different sweep" in err and "--force-new" in err
    assert sorted(p.name for p in out.rglob("*")) == before  # refused: nothing touched
    assert main([*command, "--force-new"]) == 0
    assert "4 of 4 runs done, 0 failed, 0 resumed from disk" in capsys.readouterr().out
    assert json.loads((out / "sweep.json").read_text())["fingerprint"] \
        == load_sweep(path).fingerprint()
    assert_store_sound(out, 4)
    assert main(command) == 0  # now the same sweep: resumed, nothing to run
    assert "4 of 4 runs done, 0 failed, 4 resumed from disk" in capsys.readouterr().out
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine/thesis.tex").write_text("precious")
    assert main(["sweep", str(path), "--out", str(tmp_path / "mine"), "--quiet",
                 "--no-analysis", "--force-new"]) == 2
    assert "not a sweep results directory" in capsys.readouterr().err
    assert (tmp_path / "mine/thesis.tex").read_text() == "precious"


def test_cli_sweep_interrupted_keeps_finished_runs(tmp_path, capsys, monkeypatch):
    import sim.experiment.runner as runner

    real = runner.run_one
    made = []

    def interrupted(*args):
        if len(made) == 1:
            raise KeyboardInterrupt
        made.append(1)
        return real(*args)

    monkeypatch.setattr(runner, "run_one", interrupted)
    out = tmp_path / "out"
    path = sweep_file(tmp_path, levels=(1, 2), replications=1)
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 130
    assert "run the same command again to resume" in capsys.readouterr().err
    assert not (out / "manifest.json").exists() and len(list((out / "runs").iterdir())) == 1
