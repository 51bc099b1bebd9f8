"""Interactive page: design a mentoring programme and watch the organisation respond.

Run it with ``mentorsim app`` (or ``solara run sim/viz/app.py``). The sidebar holds the
programme's design (on/off, eligibility, matching, format, duration, load, mentor
training) and the environment (shocks); Reset rebuilds the model from them. The page
shows performance and proficiency, the skill gap, access to mentoring by group (equity),
the mentoring network (who mentors whom, coloured by group) and the skill gaps by group
and competency. The organisation starts from the bundled ``mentoring`` scenario with 300
employees so the page stays responsive.

This module imports Solara and Mesa's visualisation; nothing else in :mod:`sim` imports
it, so ``import sim`` never needs the ``viz`` extra.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.model import MentoringModel
from sim.model.needs import gap_table
from sim.viz.network import plot_network
from sim.viz.organisation import plot_gap_heatmap, plot_run

SCENARIO = "mentoring"  # the bundled scenario, found wherever mentorsim is installed
REVERSE_COMPETENCY = "digital"  # what juniors teach seniors under reverse mentoring
TARGET_GROUP = "underrepresented"  # who is eligible under eligibility = "group"


class AppModel(MentoringModel):
    """The mentoring scenario with the app's controls as keyword arguments.

    SolaraViz rebuilds the model on Reset by calling the class with the controls' values,
    so each control is one keyword here, mapped to a scenario field.

    Args:
        headcount: Employees in the organisation.
        programme: Whether the formal programme runs.
        eligibility: Who qualifies as a mentee (``programme.eligibility``).
        matching: Matching policy (``programme.matching``).
        format: ``one_to_one``, ``group`` or ``e_mentoring``.
        duration_weeks: Planned length of a formal pair.
        mentees_per_mentor: Largest load of a mentor.
        mentor_training_hours: Training each mentor gets.
        informal: Whether informal mentoring happens alongside.
        shocks_per_year: Sudden jumps of one competency's requirement per year.
        shock_size: Size of each jump (share of the 0-1 scale).
        horizon_weeks: Weeks until the model stops.
        seed: Seed of the run (text from the page is accepted).
        scenario: The base scenario: a bundled name or a TOML file.

    """

    def __init__(
        self,
        headcount: int = 300,
        programme: bool = True,
        eligibility: str = "largest_gaps",
        matching: str = "gap_targeted",
        format: str = "one_to_one",  # noqa: A002 - the scenario's own field name
        duration_weeks: int = 52,
        mentees_per_mentor: int = 1,
        mentor_training_hours: float = 4.0,
        informal: bool = True,
        shocks_per_year: float = 0.5,
        shock_size: float = 0.1,
        horizon_weeks: int = 156,
        seed: int | str = 42,
        scenario: str | Path = SCENARIO,
    ) -> None:
        overrides: dict[str, Any] = {
            "organisation__headcount": int(headcount),
            "horizon_weeks": int(horizon_weeks),
            "programme__enabled": bool(programme),
            "programme__eligibility": eligibility,
            "programme__matching": matching,
            "programme__format": format,
            "programme__duration_weeks": min(int(duration_weeks), int(horizon_weeks)),
            "programme__mentees_per_mentor": int(mentees_per_mentor),
            "programme__mentor_training_hours": float(mentor_training_hours),
            "informal__enabled": bool(informal),
            "environment__shocks_per_year": float(shocks_per_year),
            "environment__shock_size": float(shock_size),
        }
        if matching == "reverse":
            overrides["programme__reverse_competency"] = REVERSE_COMPETENCY
        if eligibility == "group":
            overrides["programme__target_group"] = TARGET_GROUP
        super().__init__(scenario, rng=_seed(seed), **overrides)


def _seed(value: int | str) -> int:
    """A seed from the page's text box (blank or unreadable text gives 42)."""
    try:
        return abs(int(str(value).strip()))
    except ValueError:
        return 42


def _select(label: str, value: str, values: list[str]) -> dict[str, Any]:
    return {"type": "Select", "label": label, "value": value, "values": values}


def _slider(kind: str, label: str, value: float, low: float, high: float,
            step: float) -> dict[str, Any]:
    return {"type": kind, "label": label, "value": value, "min": low, "max": high, "step": step}


model_params: dict[str, Any] = {
    "seed": {"type": "InputText", "label": "Random seed", "value": "42"},
    "headcount": _slider("SliderInt", "Employees", 300, 100, 1000, 50),
    "programme": {"type": "Checkbox", "label": "Formal mentoring programme", "value": True},
    "eligibility": _select("Eligible mentees", "largest_gaps",
                           ["largest_gaps", "new_hires", "all", "group"]),
    "matching": _select("Matching policy", "gap_targeted",
                        ["gap_targeted", "random", "similarity", "mentee_choice", "peer",
                         "reverse"]),
    "format": _select("Format", "one_to_one", ["one_to_one", "group", "e_mentoring"]),
    "duration_weeks": _slider("SliderInt", "Pair duration (weeks)", 52, 4, 104, 4),
    "mentees_per_mentor": _slider("SliderInt", "Mentees per mentor", 1, 1, 8, 1),
    "mentor_training_hours": _slider("SliderFloat", "Mentor training (hours)", 4.0, 0.0,
                                     24.0, 1.0),
    "informal": {"type": "Checkbox", "label": "Informal mentoring too", "value": True},
    "shocks_per_year": _slider("SliderFloat", "Shocks per year", 0.5, 0.0, 4.0, 0.25),
    "shock_size": _slider("SliderFloat", "Shock size (0-1 scale)", 0.1, 0.0, 0.3, 0.02),
}


# Time series shown on the page: (title, {reporter: legend label}, y-axis label).
SERIES = {
    "performance": ("Performance and proficiency",
                    {"performance": "performance (net of mentoring time)",
                     "proficient_share": "proficient share"}, "share (0-1)"),
    "gap": ("Skill gap", {"skill_gap": "everyone", "gap_mentored": "ever mentored",
                          "gap_never_mentored": "never mentored"},
            "strategy-weighted skill gap (0-1)"),
    "equity": ("Access to mentoring (equity)",
               {"majority_access": "majority, any mentor",
                "underrepresented_access": "underrepresented, any mentor",
                "majority_formal_access": "majority, formal programme",
                "underrepresented_formal_access": "underrepresented, formal programme"},
               "ever mentored, share of group (0-1)"),
}


def timeseries_figure(model: MentoringModel, series: str) -> Figure:
    """One of the page's time-series panels (see :data:`SERIES`) as a figure."""
    title, columns, ylabel = SERIES[series]
    frame = model.datacollector.get_model_vars_dataframe()
    return plot_run(frame, panels=[(f"{title}, week {model.steps}", columns, ylabel)],
                    size=(6.0, 3.6))


def network_figure(model: MentoringModel) -> Figure:
    """The mentoring network of ``model`` as a figure (see :mod:`sim.viz.network`)."""
    return plot_network(model, size=(6.0, 4.6))


def gap_figure(model: MentoringModel) -> Figure:
    """Skill gaps by group and competency of ``model`` now, as a figure."""
    return plot_gap_heatmap(gap_table(model), model.environment.competencies,
                            title=f"Skill gaps by group and competency, week {model.steps}")


@solara.component
def PerformanceView(model: MentoringModel) -> None:
    """Organisation performance and the proficient share, week by week."""
    update_counter.get()
    solara.FigureMatplotlib(timeseries_figure(model, "performance"), format="png")


@solara.component
def SkillGapView(model: MentoringModel) -> None:
    """The strategy-weighted skill gap, of everyone and of the (never) mentored."""
    update_counter.get()
    solara.FigureMatplotlib(timeseries_figure(model, "gap"), format="png")


@solara.component
def EquityView(model: MentoringModel) -> None:
    """Who has had a mentor, by group: underrepresented vs majority."""
    update_counter.get()
    solara.FigureMatplotlib(timeseries_figure(model, "equity"), format="png")


@solara.component
def NetworkView(model: MentoringModel) -> None:
    """Who mentors whom now: mentor -> mentee, coloured by group."""
    update_counter.get()
    solara.FigureMatplotlib(network_figure(model), format="png")


@solara.component
def GapView(model: MentoringModel) -> None:
    """Skill gaps by group and competency now."""
    update_counter.get()
    solara.FigureMatplotlib(gap_figure(model), format="png")


components = [PerformanceView, NetworkView, SkillGapView, EquityView, (GapView, 1)]

model = AppModel()
page = SolaraViz(
    model,
    components=components,
    model_params=model_params,
    name="mentorsim: design a mentoring programme",
    play_interval=50,
)
page  # noqa: B018
