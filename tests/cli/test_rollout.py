"""``mentorsim rollout``: the files, ids only with --pairs, one-line errors."""

import numpy as np
import pandas as pd
import pytest

from sim import cli
from sim.model import workforce as workforce_module
from sim.model.model import MentoringModel
from sim.model.relationships import FORMAL

SMALL = ["--set", "organisation.headcount=300", "--set", "horizon_weeks=60"]
FILES = {"needs_by_group.csv", "causes.csv", "recommendations.csv", "first_cohort.csv",
         "supply.csv", "rollout.md", "manifest.json"}


@pytest.fixture
def roster_ids(monkeypatch):
    """Give every slot at week 0 a distinctive roster id (a scenario with a roster)."""
    init = workforce_module.Workforce.__init__

    def with_roster(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.roster_ids = np.array([f"ZQ{slot:04d}X" for slot in range(self.size)],
                                   dtype=object)

    monkeypatch.setattr(workforce_module.Workforce, "__init__", with_roster)
    return [f"ZQ{slot:04d}X" for slot in range(300)]


def texts(directory):
    return {p.name: p.read_text(encoding="utf-8") for p in directory.iterdir()}


def test_without_pairs_no_file_holds_an_id(tmp_path, capsys, roster_ids):
    out = tmp_path / "plan"
    assert cli.main(["rollout", "mentoring", *SMALL, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "pairs: not written" in printed and "week 3" in printed
    found = texts(out)
    assert set(found) == FILES
    for name, text in found.items():
        assert "ZQ0" not in text, name
    assert "Run with --pairs" in found["rollout.md"]


def test_with_pairs_the_pairs_are_the_models_first_pairs(tmp_path, capsys, roster_ids):
    out = tmp_path / "plan"
    assert cli.main(["rollout", "mentoring", *SMALL, "--out", str(out), "--pairs",
                     "--seed", "11"]) == 0
    assert "pairs.csv (roster; personal data)" in capsys.readouterr().out
    pairs = pd.read_csv(out / "pairs.csv")
    cohort = pd.read_csv(out / "first_cohort.csv")
    assert cohort[cohort["by"] == "group"]["paired"].sum() == len(pairs)
    # roster ids, or a person id for someone hired since week 0 (no roster id)
    assert pairs["mentee"].str.fullmatch(r"ZQ\d{4}X|person-\d+").all()
    assert pairs["mentee"].str.startswith("ZQ").mean() > 0.5
    assert (pairs["mentee"] != pairs["mentor"]).all()
    assert pairs["mentor"].value_counts().max() <= 1  # mentees_per_mentor = 1
    assert np.all(np.diff(pairs["weighted_gap"].to_numpy()) <= 0)
    for name, text in texts(out).items():  # only pairs.csv names anyone
        assert ("ZQ0" in text) == (name == "pairs.csv"), name
    # the model's own first matching with the same seed
    from sim.config import load_scenario

    model = MentoringModel(load_scenario("mentoring", {"organisation.headcount": 300,
                                                       "horizon_weeks": 60}), rng=11)
    start, started = model.relationships.start, []

    def label(pid):  # staff in post at week 0 hold person ids 1 .. headcount by slot
        return roster_ids[pid - 1] if pid <= len(roster_ids) else f"person-{pid}"

    def recording(mentees, mentors, kind, *args, **kwargs):
        if kind == FORMAL and not started:
            pid = model.workforce.pid
            started.extend((label(e), label(m)) for e, m in
                           zip(pid[mentees].tolist(), pid[mentors].tolist(), strict=True))
        return start(mentees, mentors, kind, *args, **kwargs)

    model.relationships.start = recording
    while not started:
        model.step()
    assert sorted(started) == sorted(zip(pairs["mentee"], pairs["mentor"], strict=True))
    # a plan written again without --pairs leaves no pairs behind
    assert cli.main(["rollout", "mentoring", *SMALL, "--out", str(out)]) == 0
    assert not (out / "pairs.csv").exists()


def test_without_a_roster_the_ids_are_person_ids(tmp_path, capsys):
    out = tmp_path / "plan"
    assert cli.main(["rollout", "mentoring", *SMALL, "--out", str(out), "--pairs"]) == 0
    printed = capsys.readouterr().out
    assert "note: the scenario has no [roster]: the ids are the model's person ids" in printed
    assert pd.read_csv(out / "pairs.csv")["mentee"].dtype.kind == "i"


@pytest.mark.parametrize("args, fragment", [
    (["baseline"], "baseline: programme.enabled is false: nothing to roll out"),
    (["mentoring", *SMALL, "--seed", "-1"], "--seed"),
    (["mentoring", *SMALL, "--set", "programme.start_week=0",
      "--set", "programme.cadence_weeks=70"], "is after the horizon (horizon_weeks = 60)"),
    (["nope.toml"], "nope.toml: no such file"),
])
def test_bad_input_is_one_line_and_exit_2(args, fragment, capsys, tmp_path):
    assert cli.main(["rollout", *args, "--out", str(tmp_path / "plan")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err and "Traceback" not in err
    assert not (tmp_path / "plan").exists()


def test_a_foreign_out_directory_is_refused(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("keep")
    assert cli.main(["rollout", "mentoring", *SMALL, "--out", str(tmp_path)]) == 2
    assert "is not a mentorsim results directory" in capsys.readouterr().err
    assert (tmp_path / "mine.txt").read_text() == "keep"
