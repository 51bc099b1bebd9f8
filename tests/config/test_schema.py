"""The scenario schema (sim.config.schema): defaults and what each section refuses."""

import re
import typing

import pytest

from sim.config import RelationshipSettings, Scenario, load_scenario
from sim.config.schema import field_bounds
from sim.errors import ScenarioError
from tests.paths import ROOT


def test_defaults_are_the_baseline():
    scenario = load_scenario()
    assert scenario.organisation.headcount == 1000
    assert abs(sum(scenario.organisation.strategic_weights) - 1) < 1e-9
    assert scenario.programme.enabled is False


# The literature constants of the relationship model and a few others: each is a field
# with its default and a source or status mark.
LITERATURE_FIELDS = {
    "relationships.base_quality": 0.4,
    "relationships.quality_sd": 0.15,
    "relationships.fit_visibility": 0.5,
    "relationships.marginal_quality": 0.3,
    "relationships.early_ending_quality_slope": 6.0,
    "relationships.similarity_effect": 0.3,
    "relationships.training_quality_gain": 0.1,
    "relationships.training_scale_hours": 8.0,
    "relationships.quality_per_extra_meeting_per_month": 0.025,
    "relationships.reference_meetings_per_month": 2.0,
    "relationships.voluntary_bonus": 0.05,
    "relationships.group_attention": 0.85,
    "relationships.group_cohesion": 0.08,
    "relationships.e_mentoring_quality": 0.9,
    "relationships.mentee_choice_bonus_sd": 0.1,
    "relationships.reference_quality": 0.5,
    "relationships.sponsorship_per_level": 0.25,
    "relationships.cross_group_psychosocial": 0.7,
    "relationships.cross_group_training_recovery": 0.5,
    "informal.mentor_homophily": 0.3,
    "informal.willing_share": 0.3,
    "service.representation_hours_per_100_staff": 2.0,
    "programme.e_mentoring_prep_share": 0.5,
    "workforce.promotion_min_tenure_weeks": 104,
    "informal.candidates_per_mentee": 8,
}

# (field, a value just outside its range on each side)
OUT_OF_RANGE = [
    ("relationships.base_quality", 0.0), ("relationships.base_quality", 1.01),
    ("relationships.quality_sd", -0.01), ("relationships.quality_sd", 1.01),
    ("relationships.fit_visibility", -0.1), ("relationships.fit_visibility", 1.1),
    ("relationships.marginal_quality", -0.1), ("relationships.marginal_quality", 1.0),
    ("relationships.early_ending_quality_slope", -1),
    ("relationships.early_ending_quality_slope", 51),
    ("relationships.similarity_effect", -0.1), ("relationships.similarity_effect", 1.5),
    ("relationships.training_quality_gain", -0.01), ("relationships.training_quality_gain", 2),
    ("relationships.training_scale_hours", 0.0), ("relationships.training_scale_hours", 201),
    ("relationships.quality_per_extra_meeting_per_month", -0.01),
    ("relationships.quality_per_extra_meeting_per_month", 0.25),
    ("relationships.reference_meetings_per_month", 0),
    ("relationships.reference_meetings_per_month", 32),
    ("relationships.voluntary_bonus", -0.05), ("relationships.voluntary_bonus", 0.75),
    ("relationships.group_attention", 0.0), ("relationships.group_attention", 1.2),
    ("relationships.group_cohesion", -0.1), ("relationships.group_cohesion", 0.6),
    ("relationships.e_mentoring_quality", 0.0), ("relationships.e_mentoring_quality", 1.1),
    ("relationships.mentee_choice_bonus_sd", -1), ("relationships.mentee_choice_bonus_sd", 4),
    ("relationships.reference_quality", 0.0), ("relationships.reference_quality", 1.0),
    ("relationships.sponsorship_per_level", -0.1), ("relationships.sponsorship_per_level", 1.1),
    ("relationships.cross_group_psychosocial", -0.1),
    ("relationships.cross_group_psychosocial", 1.1),
    ("relationships.cross_group_training_recovery", -0.1),
    ("relationships.cross_group_training_recovery", 1.1),
    ("informal.mentor_homophily", -0.1), ("informal.mentor_homophily", 1.1),
    ("informal.willing_share", -0.1), ("informal.willing_share", 1.1),
    ("service.representation_hours_per_100_staff", -1),
    ("service.representation_hours_per_100_staff", 1001),
    ("programme.e_mentoring_prep_share", -0.5), ("programme.e_mentoring_prep_share", 1.5),
    ("workforce.promotion_min_tenure_weeks", -1),
    ("workforce.promotion_min_tenure_weeks", 5201),
    ("informal.candidates_per_mentee", 0), ("informal.candidates_per_mentee", 1025),
]


def _section_field(dotted):
    section, name = dotted.split(".")
    return Scenario.model_fields[section].annotation.model_fields[name]


@pytest.mark.parametrize("dotted, default", sorted(LITERATURE_FIELDS.items()))
def test_literature_constants_are_fields_with_their_old_defaults(dotted, default):
    section, name = dotted.split(".")
    value = getattr(getattr(load_scenario(), section), name)
    assert value == default and type(value) is type(default)


@pytest.mark.parametrize("dotted", sorted(LITERATURE_FIELDS))
def test_each_literature_field_names_its_source_or_status(dotted):
    description = _section_field(dotted).description
    assert description and any(mark in description for mark in ("[V]", "[A]", "[W]", "[S]"))


def test_relationships_section_holds_only_documented_fields():
    names = {f"relationships.{name}" for name in RelationshipSettings.model_fields}
    assert names == {d for d in LITERATURE_FIELDS if d.startswith("relationships.")}


def _write(tmp_path, dotted, value):
    section, name = dotted.split(".")
    path = tmp_path / "bad.toml"
    path.write_text(f"[{section}]\n{name} = {value!r}\n", encoding="utf-8")
    return path


def test_every_literature_field_is_checked_on_both_sides():
    assert {field for field, _ in OUT_OF_RANGE} == set(LITERATURE_FIELDS)


@pytest.mark.parametrize("dotted, value", OUT_OF_RANGE)
def test_out_of_range_literature_field_is_one_line_naming_file_field_value(
    tmp_path, dotted, value
):
    path = _write(tmp_path, dotted, value)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {dotted} = {value!r}: "), message


@pytest.mark.parametrize("dotted, value", OUT_OF_RANGE)
def test_out_of_range_override_is_refused_too(dotted, value):
    with pytest.raises(ScenarioError, match=rf"^<defaults>: {dotted} = "):
        load_scenario(None, {dotted: value})


@pytest.mark.parametrize("dotted", sorted(LITERATURE_FIELDS))
def test_literature_fields_refuse_wrong_types_and_unknown_neighbours(tmp_path, dotted):
    path = tmp_path / "bad.toml"
    section, name = dotted.split(".")
    path.write_text(f"[{section}]\n{name} = 'lots'\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=rf"^{path}: {dotted} = 'lots': "):
        load_scenario(path)
    path.write_text(f"[{section}]\n{name}s = 1\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=rf"unknown key '{dotted}s'"):
        load_scenario(path)


def test_a_literature_field_can_be_set_within_range(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text("[relationships]\nsimilarity_effect = 0.6\nreference_quality = 0.4\n")
    scenario = load_scenario(path)
    assert scenario.relationships.similarity_effect == 0.6
    assert scenario.relationships.reference_quality == 0.4
    assert "[relationships]" in scenario.to_toml()  # so it is in every manifest
    assert scenario.model_dump(mode="json")["relationships"]["similarity_effect"] == 0.6


# --- docs/ODD.md section 8 is in step with the schema ---------------------------------------
def _odd_parameter_rows():
    """(dotted name, default text, range text) for every field named in ODD section 8."""
    text = (ROOT / "docs/ODD.md").read_text(encoding="utf-8")
    table = text[text.index("## 8. Parameters"):text.index("## 9. ")]
    rows = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        names = [n.strip(" `") for n in cells[0].split(",")]
        section = names[0].rpartition(".")[0]
        dotted = [names[0]] + [f"{section}.{n}" if section else n for n in names[1:]]
        defaults = [d.strip() for d in cells[1].split(",")]
        ranges = re.split(r"(?<=[\])]),\s*", cells[2].removesuffix(" each"))
        ranges = ranges * len(dotted) if len(ranges) == 1 else ranges
        assert len(defaults) == len(dotted) == len(ranges), line
        rows.extend(zip(dotted, defaults, ranges, strict=True))
    return rows


def _schema_field(dotted):
    """The schema field of a dotted name; a list of sections (``interventions.x``) is
    looked into as its item (``list[Intervention]``)."""
    model, *path, name = [Scenario, *dotted.split(".")]
    for part in path:
        annotation = model.model_fields[part].annotation
        model = typing.get_args(annotation)[0] if typing.get_origin(annotation) is list \
            else annotation
    return model.model_fields[name]


def test_odd_lists_every_literature_field():
    named = {dotted for dotted, _, _ in _odd_parameter_rows()}
    assert set(LITERATURE_FIELDS) <= named


@pytest.mark.parametrize("dotted, default, bounds", _odd_parameter_rows(),
                         ids=lambda v: v if isinstance(v, str) and "." in v else "")
def test_odd_defaults_and_ranges_match_the_schema(dotted, default, bounds):
    info = _schema_field(dotted)
    assert float(default.split()[0]) == info.default, f"{dotted}: ODD says {default}"
    match = re.fullmatch(r"([\[(])(\S+), (\S+)([\])])", bounds.replace("−", "-"))
    assert match, f"{dotted}: range {bounds!r}"
    lo, lo_open, hi, hi_open = field_bounds(info)
    assert (match[1] == "(", float(match[2])) == (lo_open, lo), f"{dotted}: {bounds}"
    if match[3] != "horizon":
        assert (match[4] == ")", float(match[3])) == (hi_open, hi), f"{dotted}: {bounds}"


@pytest.mark.parametrize("field, value, fragment", [
    ("horizon_weeks", True, "horizon_weeks = True: expected a number, not true or false"),
    ("organisation.salary_per_year", False, "salary_per_year = False: expected a number"),
    ("programme.meetings_per_month", True, "meetings_per_month = True: expected a number"),
    ("organisation.strategic_weights", [True, 0.2, 0.2, 0.2, 0.2, 0.2],
     "expected numbers, not true or false"),
    ("programme.enabled", 1, "programme.enabled = 1: expected true or false"),
])
def test_booleans_and_numbers_do_not_stand_in_for_each_other(field, value, fragment):
    with pytest.raises(ScenarioError, match=re.escape(fragment)):
        load_scenario("mentoring", {field: value})


def test_numbers_and_booleans_of_the_right_kind_still_pass():
    scenario = load_scenario("mentoring", {"horizon_weeks": 52, "programme.enabled": False,
                                           "organisation.salary_per_year": 50000})
    assert scenario.horizon_weeks == 52 and scenario.programme.enabled is False
    assert scenario.organisation.salary_per_year == 50000.0


def test_booleans_are_refused_through_the_python_api_too():
    from sim import MentoringModel

    with pytest.raises(ScenarioError, match="horizon_weeks = True"):
        MentoringModel("baseline", horizon_weeks=True)


@pytest.mark.parametrize("key, hint", [
    ("programme.targeted_multiplier", "aiming contact time"),
    ("programme.early_ending_penalty", "marginal_quality"),
    ("relationships.informal_quality", "relationships.base_quality"),
    ("attitudes.mentored_quit_hazard_ratio", "quit_hazard_ratio_per_sd"),
])
def test_removed_keys_say_what_replaced_them_in_one_line(key, hint):
    with pytest.raises(ScenarioError) as error:
        load_scenario("mentoring", {key: 0.5})
    message = str(error.value)
    assert "\n" not in message and key in message and hint in message
    assert "no longer a scenario key" in message


def test_marginal_quality_must_be_below_reference():
    with pytest.raises(ScenarioError, match="marginal_quality = 0.6 must be below"):
        load_scenario("mentoring", {"relationships.marginal_quality": 0.6})
