"""The effect profile: formal mentees against themselves, by weeks since their first match."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim import MentoringModel
from sim.analysis.effect_profile import (
    COLUMNS,
    MIN_PEOPLE,
    EffectProfile,
    at,
    headline_weeks,
    run_in_lockstep,
)
from sim.analysis.evaluation import control_scenario, evaluate
from sim.model.relationships import FORMAL

HORIZON = 120
CHECK_TAU = 26


def small(seed: int = 7, horizon: int = HORIZON, **overrides
          ) -> tuple[MentoringModel, MentoringModel]:
    """A programme arm of 400 people and its control arm, not yet run."""
    treated = MentoringModel("mentoring", rng=seed, organisation__headcount=400,
                             horizon_weeks=horizon, **overrides)
    return treated, MentoringModel(control_scenario(treated.scenario), rng=seed)


class Witness:
    """An independent record, with plain Python, of what the profile should count."""

    def __init__(self) -> None:
        self.first_match: dict[int, int] = {}
        self.same_at_match: set[int] = set()
        self.entered_same = 0
        self.treated_job: list[float] = []
        self.control_job: list[float] = []
        self.kept = {"treated": 0, "control": 0, "cohort": 0}

    def after(self, treated: MentoringModel, control: MentoringModel) -> None:
        week = treated.steps
        t, c = treated.workforce, control.workforce
        t_job, c_job = treated.job_performance(), control.job_performance()
        for slot in range(t.size):
            pid = int(t.pid[slot])
            same = bool(t.active[slot] and c.active[slot] and c.pid[slot] == pid)
            if t.active[slot] and t.pair_kind[slot] == FORMAL and pid not in self.first_match:
                self.first_match[pid] = week
                if same:
                    self.entered_same += 1
                    self.same_at_match.add(pid)
            if same and self.first_match.get(pid) == week - CHECK_TAU:
                self.treated_job.append(float(t_job[slot]))
                self.control_job.append(float(c_job[slot]))
        in_t = set(t.pid[t.active].tolist())
        in_c = set(c.pid[c.active].tolist())
        for pid in self.same_at_match:
            if self.first_match[pid] == week - CHECK_TAU:
                self.kept["cohort"] += 1
                self.kept["treated"] += pid in in_t
                self.kept["control"] += pid in in_c


@pytest.fixture(scope="module")
def lockstepped():
    treated, control = small()
    profile = EffectProfile.for_model(treated)
    witness = Witness()
    while treated.running:
        treated.step()
        control.step()
        profile.observe(treated, control)
        witness.after(treated, control)
    return treated, control, profile, witness


def test_n_at_match_counts_the_same_people_matched(lockstepped):
    _, _, profile, witness = lockstepped
    frame = profile.frame()
    assert list(frame.columns) == list(COLUMNS)
    assert frame.index.name == "weeks_since_match" and frame.index[0] == 0
    assert witness.entered_same > 50
    assert frame.at[0, "n"] == witness.entered_same
    assert frame.at[0, "cohort"] == witness.entered_same
    assert profile.tracked == len(witness.first_match)
    assert profile.planned_duration_weeks == 52


def test_d_at_one_tau_by_hand(lockstepped):
    _, _, profile, witness = lockstepped
    frame = profile.frame()
    t_job, c_job = np.array(witness.treated_job), np.array(witness.control_job)
    assert frame.at[CHECK_TAU, "n"] == t_job.shape[0] > MIN_PEOPLE
    diff = t_job - c_job
    assert frame.at[CHECK_TAU, "performance_difference"] == pytest.approx(diff.mean(),
                                                                           rel=1e-12)
    assert frame.at[CHECK_TAU, "performance_sd_control"] == pytest.approx(
        c_job.std(ddof=1), rel=1e-9)
    assert frame.at[CHECK_TAU, "performance_d"] == pytest.approx(
        diff.mean() / c_job.std(ddof=1), rel=1e-9)
    kept = witness.kept
    assert frame.at[CHECK_TAU, "cohort"] == kept["cohort"]
    assert frame.at[CHECK_TAU, "retained_treated"] == pytest.approx(
        kept["treated"] / kept["cohort"])
    assert frame.at[CHECK_TAU, "retention_difference"] == pytest.approx(
        (kept["treated"] - kept["control"]) / kept["cohort"])


def test_lockstep_changes_no_number(lockstepped):
    """Two models run on their own give the same series, evaluation and profile."""
    treated, control, profile, _ = lockstepped
    alone_t, alone_c = small()
    snapshots_t, snapshots_c = [], []
    for model, snapshots in ((alone_t, snapshots_t), (alone_c, snapshots_c)):
        while model.running:
            model.step()
            snapshots.append(_snapshot(model))
    pd.testing.assert_frame_equal(alone_t.timeseries(), treated.timeseries())
    pd.testing.assert_frame_equal(alone_c.timeseries(), control.timeseries())
    replayed = EffectProfile(HORIZON)
    for t, c in zip(snapshots_t, snapshots_c, strict=True):
        replayed.observe(t, c)
    pd.testing.assert_frame_equal(replayed.frame(), profile.frame(), check_exact=True)
    together = evaluate(treated, control, profile)
    apart = evaluate(alone_t, alone_c, replayed)
    assert _equal_nested(together, apart)


def _snapshot(model: MentoringModel) -> SimpleNamespace:
    wf = model.workforce
    job = model.job_performance().copy()
    return SimpleNamespace(
        steps=model.steps,
        workforce=SimpleNamespace(**{
            name: getattr(wf, name).copy() for name in (
                "pid", "active", "pair_kind", "pair_duration_weeks", "commitment", "skills")
        }),
        environment=SimpleNamespace(weights=model.environment.weights.copy()),
        job_performance=lambda: job,
    )


def _equal_nested(a: dict, b: dict) -> bool:
    for key in a.keys() | b.keys():
        x, y = a[key], b[key]
        if isinstance(x, dict):
            if not _equal_nested(x, y):
                return False
        elif not (x == y or (np.isnan(x) and np.isnan(y))):
            return False
    return True


def test_no_mentoring_no_gain_at_match():
    """Mentoring that teaches nothing (and no motivation effect) gives mentees nothing.

    Commitment still rises in the week of the match (a pair's psychosocial side) and
    on-the-job performance carries a motivation factor of commitment, so that factor is
    switched off too. What is left can only cost: meeting hours are taken from doing the
    work, so the differences are at most 0, and at τ = 0 (one week of pairing) at most
    one week's learning by doing below it; exactly 0 in a model where meetings cost no
    doing time.
    """
    frame = run_in_lockstep(*small(3, 60, **{
        "learning__mentoring_rate_per_hour": 0.0, "learning__reciprocal_rate_per_hour": 0.0,
        "attitudes__motivation_effect": 0.0,
    })).frame()
    assert frame.at[0, "n"] > MIN_PEOPLE
    assert (frame["performance_difference"] <= 0.0).all()
    assert (frame["skill_difference"] <= 0.0).all()
    assert -1e-3 < frame.at[0, "performance_difference"] <= 0.0
    assert frame.at[0, "performance_difference"] >= frame["performance_difference"].min()


def test_evaluation_reads_the_profile(lockstepped):
    treated, control, profile, _ = lockstepped
    frame = profile.frame()
    result = evaluate(treated, control, profile)
    level3 = result["level3_behaviour"]
    assert level3["effect_size_d"] == level3["performance_d_12m"] == frame.at[52, "performance_d"]
    assert level3["performance_d_6m"] == frame.at[26, "performance_d"]
    assert level3["commitment_d_12m"] == frame.at[52, "commitment_d"]
    assert level3["retention_difference_12m"] == frame.at[52, "retention_difference"]
    assert result["level2_learning"]["skill_gain_12m"] == frame.at[52, "skill_difference"]
    after = headline_weeks(52)["after_1y"]
    assert after == 104
    expected = frame.at[after, "performance_d"] if frame.at[after, "n"] >= MIN_PEOPLE \
        else np.nan
    assert level3["performance_d_after_1y"] == pytest.approx(expected, nan_ok=True)
    assert 0.0 < level3["effect_size_d"] < 3.0
    without = evaluate(treated, control)["level3_behaviour"]
    assert np.isnan(without["effect_size_d"]) and np.isnan(without["commitment_d_6m"])
    assert without["performance_d_end"] == level3["performance_d_end"]


def test_at_refuses_thin_or_unreached_tau():
    frame = pd.DataFrame({"n": [50, MIN_PEOPLE - 1], "cohort": [50, 50], "x": [1.0, 2.0]},
                         index=pd.RangeIndex(2, name="weeks_since_match"))
    assert at(frame, 0, "x") == 1.0
    assert np.isnan(at(frame, 1, "x"))
    assert at(frame, 1, "x", "cohort") == 2.0
    assert np.isnan(at(frame, 2, "x")) and np.isnan(at(frame, None, "x"))
    assert np.isnan(at(None, 0, "x"))


def _arm(week: int, pid, active, kind, job, commitment) -> SimpleNamespace:
    size = len(pid)
    wf = SimpleNamespace(
        pid=np.array(pid, np.int64), active=np.array(active, bool),
        pair_kind=np.array(kind, np.int8), pair_duration_weeks=np.full(size, 3, np.int32),
        commitment=np.array(commitment, float), skills=np.zeros((size, 1)),
    )
    jp = np.array(job, float)
    return SimpleNamespace(steps=week, workforce=wf,
                           environment=SimpleNamespace(weights=np.ones(1)),
                           job_performance=lambda: jp)


def test_a_quit_in_one_arm_ends_the_comparison_not_the_cohort():
    profile = EffectProfile(5)
    # week 1: slots 0 and 1 matched (same people in both arms); slot 2 never
    profile.observe(_arm(1, [1, 2, 3], [1, 1, 1], [1, 1, 0], [0.6, 0.8, 0.5], [0.2, 0.4, 0]),
                    _arm(1, [1, 2, 3], [1, 1, 1], [0, 0, 0], [0.5, 0.6, 0.5], [0, 0, 0]))
    # week 2: person 2 has quit in the control arm (slot refilled by person 9)
    profile.observe(_arm(2, [1, 2, 3], [1, 1, 1], [1, 1, 0], [0.7, 0.9, 0.5], [0.3, 0.5, 0]),
                    _arm(2, [1, 9, 3], [1, 1, 1], [0, 0, 0], [0.5, 0.4, 0.5], [0, 0, 0]))
    frame = profile.frame()
    assert frame["n"].tolist() == [2, 1]
    assert frame.at[0, "performance_difference"] == pytest.approx(0.15)
    assert frame.at[0, "performance_d"] == pytest.approx(0.15 / np.std([0.5, 0.6], ddof=1))
    assert frame.at[1, "performance_difference"] == pytest.approx(0.2)
    assert np.isnan(frame.at[1, "performance_d"])  # one person: no SD
    assert frame.at[0, "commitment_d"] == pytest.approx(0.3)
    assert frame["cohort"].tolist() == [2, 2]
    assert frame["retained_treated"].tolist() == [1.0, 1.0]
    assert frame["retained_control"].tolist() == [1.0, 0.5]
    with pytest.raises(ValueError, match="lockstep"):
        profile.observe(_arm(3, [1], [1], [0], [0.5], [0]), _arm(2, [1], [1], [0], [0.5], [0]))
    with pytest.raises(ValueError, match="observed after"):
        profile.observe(_arm(2, [1], [1], [0], [0.5], [0]), _arm(2, [1], [1], [0], [0.5], [0]))


def test_the_figure(lockstepped, tmp_path):
    from sim.viz.effect_profile import plot_effect_profile

    _, _, profile, _ = lockstepped
    path = tmp_path / "effect_profile.png"
    fig = plot_effect_profile(profile.frame(), 52, path, "a test")
    assert path.stat().st_size > 10_000
    top, bottom = fig.axes
    assert len(top.get_lines()) == 2 + 1 + 2  # two series, zero line, end and a year after
    assert bottom.get_xlabel() == "weeks since first formal match"
