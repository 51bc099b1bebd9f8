import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.experiment.designs import load_sweep, replication_seeds, run_id
from tests.experiment.sweeps import tiny, write_sweep
from tests.paths import MENTORING


def test_grid_size_and_common_seeds():
    sweep = tiny(factors={"programme.duration_weeks": [4, 8, 12],
                          "programme.mentees_per_mentor": [1, 2]}, replications=3)
    runs = sweep.runs()
    assert len(sweep.points()) == 6 and len(runs) == 18
    seeds_by_point = {}
    for run in runs:
        seeds_by_point.setdefault(run.point, []).append(run.seed)
    assert all(s == sweep.seeds() for s in seeds_by_point.values())
    assert len(set(sweep.seeds())) == 3


def test_lhs_within_bounds_and_integers_rounded():
    sweep = tiny("lhs", {"programme.meetings_per_month": [0.5, 4.0],
                         "programme.mentees_per_mentor": [1, 3]}, samples=20)
    points = sweep.points()
    assert len(points) == 20
    meet = np.array([p["programme.meetings_per_month"] for p in points])
    assert ((meet >= 0.5) & (meet <= 4.0)).all()
    mentees = [p["programme.mentees_per_mentor"] for p in points]
    assert all(isinstance(m, int) and 1 <= m <= 3 for m in mentees)


@pytest.mark.parametrize("second_order, per", [(True, 2 * 3 + 2), (False, 3 + 2)])
def test_saltelli_count(second_order, per):
    factors = {"programme.meetings_per_month": [0.5, 4.0], "programme.meeting_hours": [0.5, 2],
               "learning.mentoring_rate_per_hour": [0.005, 0.03]}
    sweep = tiny("sobol", factors, samples=8, second_order=second_order)
    assert len(sweep.points()) == 8 * per


def test_ids_are_stable_and_distinct():
    a, b = tiny().runs(), tiny().runs()
    assert [r.id for r in a] == [r.id for r in b]
    assert len({r.id for r in a}) == len(a)
    assert run_id({"x": 1, "y": 2.5}, 3) == run_id({"y": 2.5, "x": 1}, 3)
    assert run_id({"x": 1}, 3) != run_id({"x": 1}, 4)
    assert len(run_id({}, 0)) == 16


def test_replication_seeds_extend():
    assert replication_seeds(5, 5)[:3] == replication_seeds(5, 3)
    assert all(0 <= s < 2**63 for s in replication_seeds(5, 10))


def test_a_sweep_is_a_plan_of_the_runner():
    sweep = tiny()
    spec = sweep.runs()[3]
    base, overrides = sweep.job(spec)
    assert overrides == spec.parameters and '"headcount": 100' in base
    assert sweep.columns == ("programme.duration_weeks", "programme.mentees_per_mentor")
    assert sweep.owner_problem({"fingerprint": sweep.fingerprint()}) is None
    assert "different sweep" in sweep.owner_problem({"fingerprint": "0" * 16})
    assert sweep.manifest()["seeds"] == sweep.seeds()


# --- sweep file errors ---------------------------------------------------------------------
BASE = f'base = "{MENTORING}"\n'


@pytest.mark.parametrize("body, expected", [
    ('[factors]\n"programme.nonsense" = [1, 2]\n', "programme.nonsense"),
    ('[factors]\n"programme.duration_weeks" = [4, -3]\n', "-3"),
    ('design = "lhs"\nsamples = 4\n[factors]\n"programme.matching" = ["a", "b"]\n',
     "numeric"),
    ('design = "sobol"\nsamples = 6\n[factors]\n"programme.meeting_hours" = [0.5, 2]\n',
     "power of 2"),
    ('replications = 0\n', "replications"),
    ('colour = "red"\n', "colour"),
    ('[factors]\n"programme.duration_weeks" = 4\n', "non-empty list"),
])
def test_sweep_file_errors_name_file_field_value(tmp_path, body, expected):
    path = write_sweep(tmp_path, BASE + body)
    with pytest.raises(ScenarioError) as info:
        load_sweep(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and expected in message


def test_base_by_bundled_name_is_the_bundled_file_and_a_local_file_wins(tmp_path):
    text = "replications = 2\nseed = 1\n[factors]\n\"programme.duration_weeks\" = [4, 8]\n"
    (tmp_path / "by_name.toml").write_text('base = "mentoring"\n' + text)
    (tmp_path / "by_path.toml").write_text(f'base = "{MENTORING}"\n' + text)
    by_name = load_sweep(tmp_path / "by_name.toml")
    assert by_name.scenario == load_sweep(tmp_path / "by_path.toml").scenario
    assert [r.id for r in by_name.runs()] == [r.id for r in load_sweep(
        tmp_path / "by_path.toml").runs()]
    (tmp_path / "mentoring").write_text(MENTORING.read_text().replace(
        'name = "mentoring"', 'name = "local copy"'))
    assert load_sweep(tmp_path / "by_name.toml").scenario.name == "local copy"
    (tmp_path / "unknown.toml").write_text('base = "no_such_scenario"\n' + text)
    with pytest.raises(ScenarioError, match="base = 'no_such_scenario'.*bundled scenario"):
        load_sweep(tmp_path / "unknown.toml")


def test_list_valued_levels_are_refused_before_anything_runs(tmp_path):
    path = tmp_path / "weights.toml"
    path.write_text('base = "mentoring"\nreplications = 2\nseed = 1\n[factors]\n'
                    '"organisation.strategic_weights" = [[0.5, 0.1, 0.1, 0.1, 0.1, 0.1], '
                    '[0.1, 0.5, 0.1, 0.1, 0.1, 0.1]]\n')
    with pytest.raises(ScenarioError, match=r"factors\.organisation\.strategic_weights: level "
                                            r"\[0\.5.*is a list or table"):
        load_sweep(path)
