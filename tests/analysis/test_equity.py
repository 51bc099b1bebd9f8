"""sim.analysis.equity: the equity gaps by week, by arm, and their headline."""

import numpy as np
import pandas as pd
import pytest

from sim.analysis.equity import (
    MEASURES,
    NEEDED,
    QUIT_RATES,
    equity_headline,
    equity_profile,
    has_groups,
)
from sim.config import load_scenario
from sim.experiment.results import write_run_directory
from sim.experiment.run import run_scenario
from tests.paths import BASELINE, MENTORING

WEEKS = 71  # weeks 0..70: the quit window (52) slides past week 51


def hand_made(weeks: int = WEEKS, **columns) -> pd.DataFrame:
    """A time series with the equity reporters: 100 staff, 20 underrepresented."""
    base = {
        "headcount": 100.0, "underrepresented_headcount": 20.0,
        "underrepresented_quits": 1.0, "majority_quits": 2.0,
        "underrepresented_in_pair": 0.1, "majority_in_pair": 0.4,
        "underrepresented_sponsored": 0.03, "majority_sponsored": 0.06,
        "underrepresented_pair_quality": 0.5, "majority_pair_quality": 0.6,
        "underrepresented_service_hours": 0.9, "majority_service_hours": 0.1,
        "underrepresented_level": 1.2, "majority_level": 1.5,
        "informal_access_ratio": 0.8, "informal_sponsorship_ratio": 0.7,
        "performance": 0.9,
    }
    frame = pd.DataFrame({name: np.full(weeks, value) for name, value in base.items()},
                         index=pd.RangeIndex(weeks, name="week"))
    for name, values in columns.items():
        frame[name] = values
    return frame


def test_ratios_and_gaps_by_week():
    profile = equity_profile(hand_made())
    last = profile.iloc[-1]
    assert last["in_pair_ratio"] == pytest.approx(0.25)  # under / majority, not the reverse
    assert last["sponsored_ratio"] == pytest.approx(0.5)
    assert last["pair_quality_gap"] == pytest.approx(0.1)  # majority - under
    assert last["level_gap"] == pytest.approx(0.3)
    assert last["service_hours_ratio"] == pytest.approx(9.0)
    assert last["informal_access_ratio"] == 0.8 and last["informal_sponsorship_ratio"] == 0.7
    # quits per head: 1 of 20 against 2 of the 80 majority (not of all 100), a week
    assert last["underrepresented_quit_rate"] == pytest.approx(52 / 20)
    assert last["majority_quit_rate"] == pytest.approx(52 * 2 / 80)
    assert last["quit_rate_ratio"] == pytest.approx(2.0)
    assert list(profile.columns) == [*MEASURES, *QUIT_RATES]
    assert profile.index.name == "week" and len(profile) == WEEKS


def test_the_quit_rate_is_over_the_trailing_52_weeks_of_head_weeks():
    weeks = np.arange(WEEKS)
    under_quits = np.where(weeks < 52, 1.0, 0.0)  # none after a year
    under_heads = np.where(weeks < 30, 20.0, 40.0)  # the group doubles at week 30
    profile = equity_profile(hand_made(underrepresented_quits=under_quits,
                                       underrepresented_headcount=under_heads))
    # week 70: weeks 19..70; 33 quits (19..51) over 11 x 20 + 41 x 40 head-weeks
    rate = 33 / (11 * 20 + 41 * 40) * 52
    majority = 104 / (11 * 80 + 41 * 60) * 52
    assert profile.at[70, "underrepresented_quit_rate"] == pytest.approx(rate)
    assert profile.at[70, "majority_quit_rate"] == pytest.approx(majority)
    assert profile.at[70, "quit_rate_ratio"] == pytest.approx(rate / majority)
    # before the window is full it is the weeks so far, and nan before 13 of them
    assert profile.at[20, "underrepresented_quit_rate"] == pytest.approx(52 / 20)
    assert profile.loc[:11, "quit_rate_ratio"].isna().all()
    assert np.isfinite(profile.at[12, "quit_rate_ratio"])


def test_an_empty_group_gives_nan_never_inf():
    frame = hand_made(underrepresented_headcount=0.0, underrepresented_quits=0.0,
                      majority_in_pair=0.0, majority_sponsored=0.0,
                      underrepresented_pair_quality=np.nan, underrepresented_level=np.nan,
                      majority_service_hours=0.0, majority_quits=0.0)
    profile = equity_profile(frame, frame)
    assert not np.isinf(profile.to_numpy()).any()
    for name in ("in_pair_ratio", "sponsored_ratio", "pair_quality_gap", "level_gap",
                 "service_hours_ratio", "quit_rate_ratio", "underrepresented_quit_rate",
                 "quit_rate_ratio_control"):
        assert profile[name].isna().all(), name
    assert (profile["majority_quit_rate"].dropna() == 0).all()
    assert not has_groups(frame)
    headline = equity_headline(profile)
    assert np.isnan(headline["in_pair_ratio_end_difference"])
    assert np.isnan(equity_headline(profile.iloc[:0])["level_gap_end"])


def test_the_control_arm_and_the_headline():
    run = hand_made()
    control = hand_made(underrepresented_in_pair=0.05, majority_level=1.4)
    profile = equity_profile(run, control)
    assert list(profile.columns[:10]) == [*MEASURES, *QUIT_RATES]
    assert profile["in_pair_ratio_control"].iloc[-1] == pytest.approx(0.125)
    headline = equity_headline(profile)
    assert set(headline) == {f"{m}_end{s}" for m in MEASURES
                             for s in ("", "_control", "_difference")}
    assert headline["in_pair_ratio_end"] == pytest.approx(0.25)
    assert headline["in_pair_ratio_end_difference"] == pytest.approx(0.125)
    assert headline["level_gap_end_difference"] == pytest.approx(0.1)  # 0.3 - 0.2
    assert headline["quit_rate_ratio_end_difference"] == pytest.approx(0.0)


def test_which_runs_have_groups_and_what_is_needed():
    assert has_groups(hand_made())
    assert not has_groups(hand_made(underrepresented_headcount=100.0))  # no majority
    assert not has_groups(hand_made().drop(columns="underrepresented_headcount"))
    with pytest.raises(ValueError, match="majority_level"):
        equity_profile(hand_made().drop(columns="majority_level"))
    assert "headcount" in NEEDED


def test_a_run_reports_its_profile_and_headline(tmp_path):
    scenario = load_scenario(MENTORING, {
        "organisation.headcount": 150, "horizon_weeks": 30, "programme.duration_weeks": 20,
        "programme.start_week": 0, "evaluation.control": "no_programme",
    })
    result = run_scenario(scenario, seed=3)
    equity = result.evaluation["equity"]
    assert "access_gap" in equity and "performance_gap_narrowed" in equity  # kept
    profile = equity_profile(result.timeseries, result.control_timeseries)
    last = profile.iloc[-1]
    for name in MEASURES:
        assert equity[f"{name}_end"] == pytest.approx(last[name], nan_ok=True)
        assert equity[f"{name}_end_control"] == pytest.approx(last[f"{name}_control"],
                                                              nan_ok=True)
    assert result.summary["equity.level_gap_end"] == pytest.approx(equity["level_gap_end"])
    out = write_run_directory(tmp_path / "r", result)
    stored = pd.read_csv(out / "equity_profile.csv", index_col="week")
    pd.testing.assert_frame_equal(stored, profile, check_index_type=False, rtol=1e-12)


#: One group, not underrepresented (every bundled scenario has an underrepresented one).
ONE_GROUP = {"workforce.groups": [{"name": "everyone", "share": 1.0, "past_hire_share": 1.0}],
             "organisation.headcount": 80, "horizon_weeks": 8}


def test_no_profile_without_an_underrepresented_group(tmp_path):
    result = run_scenario(load_scenario(BASELINE, ONE_GROUP), seed=1)
    assert not has_groups(result.timeseries)
    out = write_run_directory(tmp_path / "r", result)
    assert not (out / "equity_profile.csv").exists()
