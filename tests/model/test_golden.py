"""Golden numbers: the complete weekly time series and summary of three bundled scenarios.

A refactor must keep these bit-identical (exact float comparison, serial runs, fixed
seeds). A change to the model that moves them on purpose regenerates them with::

    python -m tests.model.test_golden --update

and says so in the commit and in CHANGELOG.md.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden"
from tests.paths import ROOT  # noqa: E402

# (name, scenario file, overrides): a plain organisation, a programme evaluated against
# its control arm, and a changing environment with shocks and a programme.
CASES = (
    ("baseline", "baseline", {}),
    ("mentoring_with_control", "mentoring", {"evaluation.control": "no_programme"}),
    ("digital_transformation", "digital_transformation", {}),
)


def _frame_records(frame) -> dict:
    if frame is None:
        return {}
    return {str(column): [float(v) for v in frame[column].tolist()] for column in frame.columns}


def _tables(tables) -> dict:
    return {
        name: json.loads(table.to_json(orient="split", double_precision=15))
        for name, table in tables.items()
    }


def compute(case: tuple[str, str, dict]) -> dict:
    """Everything a serial run of ``case`` reports, as plain JSON-able values."""
    from sim.config import load_scenario
    from sim.experiment.run import run_scenario

    _, scenario_name, overrides = case
    scenario = load_scenario(ROOT / "scenarios" / f"{scenario_name}.toml", overrides)
    result = run_scenario(scenario)
    return {
        "summary": {key: float(value) for key, value in sorted(result.summary.items())},
        "timeseries": _frame_records(result.timeseries),
        "control_timeseries": _frame_records(result.control_timeseries),
        "tables": _tables(result.tables),
    }


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def _differences(expected, actual, where: str = "") -> list[str]:
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                found.append(f"{where}/{key}: missing")
            elif key not in expected:
                found.append(f"{where}/{key}: new")
            else:
                found += _differences(expected[key], actual[key], f"{where}/{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: length {len(actual)} != {len(expected)}"]
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            if not _same(e, a):
                return [f"{where}[{index}]: {a!r} != golden {e!r}"]
        return []
    return [] if _same(expected, actual) else [f"{where}: {actual!r} != golden {expected!r}"]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_golden_numbers_unchanged(case):
    expected = json.loads((GOLDEN / f"{case[0]}.json").read_text())
    actual = json.loads(json.dumps(compute(case)))
    differences = _differences(expected, actual)
    assert not differences, f"{len(differences)} differences, first: " + "; ".join(
        differences[:5]
    )


def test_golden_comparison_catches_a_one_ulp_change():
    expected = json.loads((GOLDEN / "baseline.json").read_text())
    changed = json.loads(json.dumps(expected))
    values = changed["timeseries"]["performance"]
    values[-1] = math.nextafter(values[-1], math.inf)
    assert _differences(expected, changed) == [
        f"/timeseries/performance[{len(values) - 1}]: {values[-1]!r} != golden "
        f"{expected['timeseries']['performance'][-1]!r}"
    ]


def _update() -> None:
    GOLDEN.mkdir(exist_ok=True)
    for case in CASES:
        path = GOLDEN / f"{case[0]}.json"
        path.write_text(json.dumps(compute(case), indent=1, sort_keys=True) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python -m tests.model.test_golden --update")
    _update()
