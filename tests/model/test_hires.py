"""Hires are counter-keyed by (week, slot): a hire present in both arms is the same person.

A programme run and its control arm (same scenario and seed, programme off) diverge in who
quits; with hiring drawn from counter-keyed streams (sim/model/workforce.py) a slot that
fills in the same week in both arms still takes the same person, with the same attributes.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.analysis.evaluation import control_scenario
from sim.config import load_scenario, with_overrides
from sim.model import MentoringModel
from sim.model.workforce import Workforce, hire_pids, same_people

SEED = 7
WEEKS = 100
ATTRIBUTES = ("pid", "aptitude", "trait", "group", "role", "age_years", "skills")


class _Record:
    """Each hire's attributes at hire, by (week, slot), and the weekly flows of one run."""

    def __init__(self) -> None:
        self.hires: dict[tuple[int, int], dict[str, np.ndarray]] = {}
        self.quits: set[tuple[int, int]] = set()
        self.vacancies = 0  # vacancy-weeks: vacant slots at hiring time, summed over weeks

    def step(self, model: MentoringModel) -> None:
        model.step()
        week = model.steps  # the week the step ran (Mesa counts the step before running it)
        wf, flows = model.workforce, model.last_flows
        self.vacancies += int(np.count_nonzero(~wf.active)) + flows.hires.shape[0]
        self.quits.update((week, int(s)) for s in flows.quits)
        for slot in flows.hires.tolist():
            self.hires[(week, slot)] = {
                "pid": wf.pid[slot].copy(), "aptitude": wf.aptitude[slot].copy(),
                "trait": wf.trait[slot].copy(), "group": wf.group[slot].copy(),
                "role": wf.role[slot].copy(), "age_years": wf.age_years[slot].copy(),
                "skills": wf.skills[slot].copy(),
            }


def _run(model: MentoringModel, weeks: int) -> _Record:
    record = _Record()
    for _ in range(weeks):
        record.step(model)
    return record


@pytest.fixture(scope="module")
def arms() -> tuple[MentoringModel, MentoringModel, _Record, _Record]:
    treated = MentoringModel("mentoring", rng=SEED)
    assert treated.scenario.programme.enabled
    control = MentoringModel(control_scenario(treated.scenario), rng=SEED)
    return treated, control, _run(treated, WEEKS), _run(control, WEEKS)


def _workforce(headcount: int, key: int = 12345, seed: int = 1, **fields: object) -> Workforce:
    overrides = {"organisation.headcount": headcount} | {
        f"workforce.{name}": value for name, value in fields.items()
    }
    scenario = with_overrides(load_scenario("mentoring"), overrides, "<test_hires>")
    return Workforce(scenario, np.random.default_rng(seed), key)


def _no_leave(slots: np.ndarray) -> None:
    del slots


def test_matched_hires_are_the_same_person(arms):
    _, _, treated, control = arms
    assert treated.quits != control.quits, "the arms must diverge for the test to mean anything"
    common = sorted(treated.hires.keys() & control.hires.keys())
    for key in common:
        for name in ATTRIBUTES:
            np.testing.assert_array_equal(
                treated.hires[key][name], control.hires[key][name], err_msg=f"{key} {name}"
            )
    share = len(common) / len(treated.hires.keys() | control.hires.keys())
    print(f"matched hires: {len(common)} of {len(treated.hires)} treated, "
          f"{len(control.hires)} control hires ({share:.1%} of all hire slots)")
    assert share >= 0.85


def test_same_people_pairs_hires_too(arms):
    treated, control, _, _ = arms
    mask = same_people(treated.workforce, control.workforce)
    expected = (treated.workforce.active & control.workforce.active
                & (treated.workforce.pid == control.workforce.pid))
    np.testing.assert_array_equal(mask, expected)
    size = treated.workforce.size
    assert np.count_nonzero(mask & (treated.workforce.pid > size)) > 100  # hires, paired
    np.testing.assert_array_equal(treated.workforce.aptitude[mask],
                                  control.workforce.aptitude[mask])
    with pytest.raises(ValueError, match="cannot be paired"):
        same_people(treated.workforce, _workforce(10))


def test_hire_pids_are_unique_and_keyed_by_week_and_slot(arms):
    treated, _, record, _ = arms
    size = treated.workforce.size
    hired = np.array([h["pid"] for h in record.hires.values()], dtype=np.int64)
    expected = np.array([hire_pids(size, w, np.array([s]))[0] for w, s in record.hires],
                        dtype=np.int64)
    np.testing.assert_array_equal(hired, expected)
    assert hired.dtype == np.int64 and np.all(hired > size)
    every_pid = np.concatenate([np.arange(1, size + 1, dtype=np.int64), hired])
    assert np.unique(every_pid).shape[0] == every_pid.shape[0]


def test_hire_rate_per_vacancy_week_matches_fill_rate(arms):
    _, _, treated, control = arms
    fill = 0.25
    assert load_scenario("mentoring").workforce.vacancy_fill_per_week == fill
    for record in (treated, control):
        rate = len(record.hires) / record.vacancies
        se = np.sqrt(fill * (1 - fill) / record.vacancies)
        assert abs(rate - fill) < 4 * se, (rate, se)
    wf = _workforce(50_000)
    hires = vacancies = 0
    for week in range(30):
        flows = wf.flow(week, 0.0, _no_leave)
        vacancies += int(np.count_nonzero(~wf.active)) + flows.hires.shape[0]
        hires += flows.hires.shape[0]
    se = np.sqrt(fill * (1 - fill) / vacancies)
    assert vacancies > 5_000 and abs(hires / vacancies - fill) < 4 * se


def test_same_seed_same_hires(arms):
    _, _, treated, _ = arms
    again = _run(MentoringModel("mentoring", rng=SEED), 40)
    first = {key: value for key, value in treated.hires.items() if key[0] <= 40}
    assert first.keys() == again.hires.keys() and first
    for key, attributes in first.items():
        for name in ATTRIBUTES:
            np.testing.assert_array_equal(attributes[name], again.hires[key][name])


class _NoGenerator:
    def __getattr__(self, name: str) -> None:
        raise AssertionError(f"hiring used the sequential Generator ({name})")


def test_hiring_does_not_use_the_sequential_generator():
    wf = _workforce(5_000)
    wf.rng = _NoGenerator()
    hires = sum(wf.flow(week, 0.0, _no_leave).hires.shape[0] for week in range(20))
    assert hires > 50


def test_a_hire_does_not_depend_on_the_other_vacancies():
    a, b = (_workforce(2_000, vacancy_fill_per_week=1.0) for _ in range(2))
    a.active[[3, 10]] = False
    b.active[[3, 500, 1_500]] = False
    hires_a = a.flow(5, 0.0, _no_leave).hires
    hires_b = b.flow(5, 0.0, _no_leave).hires
    assert 3 in hires_a and 3 in hires_b
    for name in ATTRIBUTES:
        np.testing.assert_array_equal(getattr(a, name)[3], getattr(b, name)[3], err_msg=name)
    assert a.pid[3] == hire_pids(2_000, 5, np.array([3]))[0]
    assert a.hire_week[3] == 5


def test_hires_attributes_have_their_distributions():
    n = 100_000
    wf = _workforce(n, vacancy_fill_per_week=1.0)
    wf.active[: n // 2] = False
    slots = wf.flow(0, 0.0, _no_leave).hires
    assert slots.shape[0] >= n // 2
    spec = wf.scenario.workforce
    m = slots.shape[0]
    tol = 5 / np.sqrt(m)  # ~5 SE for a unit-sd quantity
    assert abs(np.log(wf.aptitude[slots]).mean()) < tol * spec.aptitude_sd
    assert abs(np.log(wf.aptitude[slots]).std() - spec.aptitude_sd) < tol * spec.aptitude_sd
    for d in range(wf.trait.shape[1]):
        assert abs(wf.trait[slots, d].mean()) < tol and abs(wf.trait[slots, d].std() - 1) < tol
    assert abs(np.corrcoef(wf.trait[slots, 0], wf.trait[slots, 1])[0, 1]) < tol
    age = wf.age_years[slots]
    assert abs(age.mean() - spec.hire_age_mean_years) < tol * spec.hire_age_sd_years
    assert abs(age.std() - spec.hire_age_sd_years) < 2 * tol * spec.hire_age_sd_years
    shares = np.bincount(wf.group[slots], minlength=len(wf.group_names)) / m
    np.testing.assert_allclose(shares, wf.group_shares, atol=tol)
    skills = wf.skills[slots]
    assert np.all((skills > 0) & (skills < 1))
    np.testing.assert_allclose(skills.mean(axis=0), spec.hire_skill_mean, atol=tol * 0.1)
    np.testing.assert_allclose(skills.std(axis=0), spec.hire_skill_sd, atol=2 * tol * 0.1)
    corr = np.corrcoef(skills.T)[np.triu_indices(skills.shape[1], 1)]
    assert np.all(np.abs(corr) < tol)
