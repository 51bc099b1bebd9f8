"""[causes] deficits and [[interventions]]: what they take and what they refuse, in one line."""

import pytest

from sim.config import load_scenario
from sim.config.schema import Deficit, Intervention
from sim.errors import ScenarioError

RESOURCES = {"cause": "resources", "share": 0.7}
TOOLS = {"kind": "tools", "start_week": 4}


def test_defaults_have_no_deficits_nor_interventions():
    scenario = load_scenario()
    assert scenario.causes.deficits == [] and scenario.interventions == []
    assert scenario.causes.verdict_share == 0.5


def test_deficits_and_interventions_load_and_round_trip(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text(
        '[[causes.deficits]]\ncause = "resources"\nshare = 0.7\ncompetency = "digital"\n'
        'group = "underrepresented"\n\n'
        '[[interventions]]\nkind = "job_aids"\nstart_week = 2\nend_week = 30\n'
        'competency = "digital"\ndeficit_closed = 0.4\nramp_weeks = 0\nfixed_cost = 100\n'
        'cost_per_employee_per_year = 50\n', encoding="utf-8")
    scenario = load_scenario(path)
    assert scenario.causes.deficits == [Deficit(cause="resources", share=0.7,
                                                competency="digital",
                                                group="underrepresented")]
    assert scenario.interventions[0] == Intervention(
        kind="job_aids", start_week=2, end_week=30, competency="digital",
        deficit_closed=0.4, ramp_weeks=0, fixed_cost=100.0, cost_per_employee_per_year=50.0)
    again = tmp_path / "again.toml"
    again.write_text(scenario.to_toml(), encoding="utf-8")
    assert load_scenario(again) == scenario


@pytest.mark.parametrize("overrides, line", [
    ({"causes.deficits": [{**RESOURCES, "competency": "digitl"}]},
     "causes.deficits.0.competency = 'digitl' is not one of the competencies"),
    ({"causes.deficits": [{**RESOURCES, "group": "women"}]},
     "causes.deficits.0.group = 'women' is not one of the groups ['majority', "
     "'underrepresented']"),
    ({"causes.deficits": [{**RESOURCES, "cause": "money"}]},
     "causes.deficits.0.cause = 'money': Input should be 'information', 'resources' or "
     "'incentives'"),
    ({"causes.deficits": [{**RESOURCES, "share": 0}]},
     "causes.deficits.0.share = 0: Input should be greater than 0"),
    ({"causes.deficits": [{"cause": "resources"}]},
     "causes.deficits.0.share: required field is missing"),
    ({"causes.verdict_share": 1.5}, "causes.verdict_share = 1.5: Input should be less than"),
    ({"interventions": [{**TOOLS, "kind": "training"}]},
     "interventions.0.kind = 'training': Input should be 'job_aids', 'tools' or 'incentives'"),
    ({"interventions": [{**TOOLS, "competency": "typing"}]},
     "interventions.0.competency = 'typing' is not one of the competencies"),
    ({"interventions": [TOOLS, {**TOOLS, "group": "staff"}]},
     "interventions.1.group = 'staff' is not one of the groups"),
    ({"interventions": [{**TOOLS, "deficit_closed": 1.2}]},
     "interventions.0.deficit_closed = 1.2: Input should be less than or equal to 1"),
    ({"interventions": [{**TOOLS, "fixed_cost": -1}]},
     "interventions.0.fixed_cost = -1: Input should be greater than or equal to 0"),
    ({"interventions": [{**TOOLS, "start_week": 156}]},
     "interventions.0.start_week = 156 is not before horizon_weeks = 156"),
    ({"interventions": [{**TOOLS, "end_week": 4}]},
     "interventions.0.end_week = 4 is not after start_week = 4"),
    ({"interventions": [{**TOOLS, "price": 3}]}, "unknown key 'interventions.0.price'"),
])
def test_bad_deficits_and_interventions_are_one_line_naming_field_and_value(overrides, line):
    with pytest.raises(ScenarioError) as error:
        load_scenario("baseline", overrides)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("baseline: ") and line in message, message
