"""Scenario schema: every section of a scenario as a frozen pydantic model.

A scenario is a TOML file validated into a frozen :class:`Scenario`. Every section is a
pydantic model with ``extra="forbid"``, so an unknown key is an error; every error is
turned into one :class:`~sim.errors.ScenarioError` line naming the file, the dotted field
and the offending value. Units live in field names (``duration_weeks``,
``meeting_hours``, ``salary_per_year``). Defaults and their sources are listed in
docs/ODD.md (from the shared research notes).
"""

from __future__ import annotations

import math
import types
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

Probability = float  # documented alias; ranges enforced with Field(ge=0, le=1)
MAX_SEED = 2**63 - 1  # seeds are 63-bit non-negative integers (numpy refuses negatives)

# Keys a scenario no longer takes, with what replaced them (the loader names them in its
# one-line error instead of a bare "unknown key").
REMOVED_KEYS: dict[str, str] = {
    "programme.targeted_multiplier": "targeting's advantage now comes from aiming contact "
    "time at the mentee's strategy-weighted gaps (docs/ODD.md 7.5); drop the key",
    "programme.early_ending_penalty": "the harm of an early ending now comes from the low "
    "quality of the pairs that end early (relationships.marginal_quality); drop the key",
    "programme.formal_quality": "formal and informal pairs share relationships.base_quality; "
    "informal pairs do better by choosing each other (relationships.fit_visibility)",
    "relationships.informal_quality": "use relationships.base_quality (one base for every "
    "pair; informal pairs gain by choosing each other)",
    "programme.quality_sd": "moved to relationships.quality_sd",
    "attitudes.mentored_quit_hazard_ratio": "the mentored hazard ratio is now an outcome; "
    "set attitudes.quit_hazard_ratio_per_sd (hazard ratio per SD of commitment)",
    "evaluation.output_value_per_salary": "replaced by evaluation.output_value_multiplier (a "
    "multiple of the fully loaded employment cost; default 1.0, see docs/ODD.md 7.9)",
    "informal.underrepresented_tie_ratio": "access now follows from structure: set the "
    "group's past_hire_share (the senior pool), informal.homophily and "
    "informal.mentor_homophily (docs/ODD.md 7.6)",
    "informal.underrepresented_sponsorship_ratio": "sponsorship now comes with the mentor's "
    "standing (relationships.sponsorship_per_level, docs/ODD.md 7.6); drop the key",
}


class StrictValues(BaseModel):
    """A model whose values keep their meaning: no booleans as numbers, no unwritable text.

    Every mentorsim input model (scenario sections, plan, sweep and targets files) derives
    from it. true/false are refused where a number is expected and numbers where true/false
    is: pydantic would read true as 1 (``--set horizon_weeks=true`` silently one week) and 1
    as true. Text must be writable and fit on a line: a lone surrogate (an undecodable byte
    of a command line) cannot be written as UTF-8, and a control character would garble a
    one-line message or a terminal; a tab or a newline is kept except in a ``name``.
    """

    @field_validator("*", mode="before")
    @classmethod
    def _values_keep_their_meaning(cls, value: Any, info: ValidationInfo) -> Any:
        annotation = cls.model_fields[info.field_name].annotation
        if _is_number(annotation) and isinstance(value, bool):
            raise ValueError("expected a number, not true or false")
        if _is_number_list(annotation) and isinstance(value, list | tuple) and any(
                isinstance(item, bool) for item in value):
            raise ValueError("expected numbers, not true or false")
        if annotation is bool and not isinstance(value, bool):
            raise ValueError("expected true or false")
        for text in (value if isinstance(value, list | tuple) else [value]):
            if isinstance(text, str):
                check_text(text, allow_lines=info.field_name != "name")
        return value


def check_text(text: str, allow_lines: bool = True) -> str:
    """Refuse text that cannot be written as UTF-8 or holds control characters.

    Args:
        text: The value.
        allow_lines: Tabs and newlines are allowed (a description), else refused too.

    Returns:
        ``text``.

    Raises:
        ValueError: A lone surrogate, or a control character (U+0000-U+001F, U+007F-U+009F)
            other than an allowed tab or newline.

    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"not valid text: character {exc.start + 1} is not UTF-8 (a byte "
                         "that is not text, e.g. from a command line in another "
                         "encoding)") from None
    allowed = "\t\n" if allow_lines else ""
    for i, char in enumerate(text):
        if (char < " " or "\x7f" <= char <= "\x9f") and char not in allowed:
            raise ValueError(f"character {i + 1} is the control character U+{ord(char):04X}; "
                             "text may not hold control characters"
                             + ("" if allow_lines else " (nor a tab or newline in a name)"))
    return text


class _Section(StrictValues):
    # inf and NaN are refused in every float field of every section and of Scenario (a
    # bound like ge=0 alone lets inf in); the sections' validators rely on finite values
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _is_number(annotation: Any) -> bool:
    """Whether a field holds a number (int or float, possibly optional)."""
    if annotation in (int, float):
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return bool(args) and all(a in (int, float) for a in args)
    return False


def _is_number_list(annotation: Any) -> bool:
    """Whether a field holds a list or tuple of numbers."""
    if get_origin(annotation) in (list, tuple):
        return any(_is_number(a) for a in get_args(annotation) if a is not Ellipsis)
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_is_number_list(a) for a in get_args(annotation))
    return False


class Group(_Section):
    """A demographic group of employees, for equity analysis."""

    name: str = Field(min_length=1)
    share: float = Field(gt=0, le=1, description="share of today's hires (and of the "
                         "workforce at week 0 when past_hire_share is not set)")
    underrepresented: bool = False
    past_hire_share: float | None = Field(
        None, ge=0, le=1, description="the group's share of hires 30 years before week 0; "
        "its share of hires rose (or fell) linearly from it to ``share``, so the staff in "
        "post at week 0 hold the group in that proportion by tenure and the senior pool "
        "follows from the hiring history [S]; None = ``share`` all along (shares must sum "
        "to 1 over the groups when set)"
    )
    quit_rate_ratio: float = Field(
        1.0, gt=0, le=5, description="the group's quit hazard relative to the scenario's "
        "annual_turnover (structural: e.g. underrepresented faculty leave more, Zambrana et "
        "al. 2015) [S]"
    )


class Role(_Section):
    """A job family: its share of the workforce and how far below the job new hires start."""

    name: str = Field(min_length=1)
    share: float = Field(gt=0, le=1)
    hire_skill_mean: float = Field(
        gt=0, lt=1, description="new hires' mean skill; lower means a longer ramp-up"
    )


class Organisation(_Section):
    """The organisation: its size, competencies and what its mission requires."""

    headcount: int = Field(1000, ge=2, le=50_000_000)
    competencies: list[str] = Field(
        default_factory=lambda: [
            "technical",
            "digital",
            "communication",
            "leadership",
            "client",
            "compliance",
        ],
        min_length=1,
        max_length=256,
    )
    strategic_weights: list[float] = Field(
        default_factory=lambda: [0.25, 0.15, 0.2, 0.1, 0.2, 0.1],
        description="importance of each competency to the mission; must sum to 1",
    )
    required_levels: list[float] = Field(
        default_factory=lambda: [0.7, 0.5, 0.6, 0.45, 0.6, 0.5],
        description="skill level the work requires in each competency, in [0, 1]",
    )
    proficiency_threshold: float = Field(
        0.9, gt=0, le=1, description="performance at which an employee counts as proficient"
    )
    salary_per_year: float = Field(60_000.0, ge=0)
    hours_per_week: float = Field(40.0, gt=0, le=80)

    @model_validator(mode="after")
    def _check_vectors(self) -> Organisation:
        k = len(self.competencies)
        if len(set(self.competencies)) != k:
            raise ValueError(f"competency names must be unique, got {self.competencies}")
        for name in ("strategic_weights", "required_levels"):
            values = getattr(self, name)
            if len(values) != k:
                raise ValueError(
                    f"{name} has {len(values)} values but there are {k} competencies"
                )
        if any(w < 0 or not math.isfinite(w) for w in self.strategic_weights):
            raise ValueError(f"strategic_weights must be >= 0, got {self.strategic_weights}")
        if abs(sum(self.strategic_weights) - 1.0) > 1e-6:
            raise ValueError(
                f"strategic_weights must sum to 1, got {sum(self.strategic_weights):.6g}"
            )
        if any(not 0 < r <= 1 for r in self.required_levels):
            raise ValueError(f"required_levels must be in (0, 1], got {self.required_levels}")
        return self


class ScheduledChange(_Section):
    """A change to what the work requires, on a given week ("week 52: digital at 0.8")."""

    week: int = Field(ge=0)
    competency: str
    required_level: float | None = Field(None, gt=0, le=1)
    strategic_weight: float | None = Field(
        None, ge=0, le=1, description="new weight; the others are rescaled to keep the sum 1"
    )


class EnvironmentSettings(_Section):
    """The winds of change: drift, random shocks and scheduled changes of requirements."""

    drift_sd_per_year: float = Field(0.03, ge=0, le=1)
    trend_per_year: float = Field(0.01, ge=-0.5, le=0.5)
    shocks_per_year: float = Field(0.5, ge=0, le=52)
    shock_size: float = Field(0.1, ge=0, le=1)
    changes: list[ScheduledChange] = Field(default_factory=list)


class WorkforceSettings(_Section):
    """Who the employees are, how they arrive and how they leave."""

    initial_skill_sd: float = Field(
        0.08, ge=0, lt=0.5, description="staff in post: spread around their settled level"
    )
    hire_skill_mean: float = Field(0.38, gt=0, lt=1)
    hire_skill_sd: float = Field(0.1, ge=0, lt=0.5)
    aptitude_sd: float = Field(0.25, ge=0, le=2, description="sigma of the lognormal aptitude")
    annual_turnover: float = Field(
        0.12, ge=0, lt=1, description="share of staff who quit in a year (US quit rates "
        "19-31% across industries [V]; 12% for a professional organisation [S])"
    )
    first_year_quit_multiplier: float = Field(
        2.0, ge=1, le=10, description="quit hazard in the first year of tenure relative to "
        "later years: first-year leavers (new-teacher attrition and onboarding studies: "
        "early tenure quits most) [S]; annual_turnover is the rate after the first year"
    )
    retirement_age_years: float = Field(65.0, gt=18, le=100)
    initial_age_mean_years: float = Field(42.0, gt=16, le=100)
    initial_age_sd_years: float = Field(10.0, ge=0, le=40)
    hire_age_mean_years: float = Field(28.0, gt=16, le=100)
    hire_age_sd_years: float = Field(5.0, ge=0, le=40)
    vacancy_fill_per_week: float = Field(
        0.25, ge=0, le=1, description="chance a vacancy is filled in a given week"
    )
    promotion_rate_per_year: float = Field(
        0.05, ge=0, le=1, description="promotion chance of a proficient employee per year"
    )
    sponsorship_multiplier: float = Field(
        2.0, ge=1, le=10, description="promotion hazard ratio with an active sponsor [S]"
    )
    promotion_min_tenure_weeks: int = Field(
        104, ge=0, le=5200, description="tenure before a proficient employee can be promoted "
        "[S]"
    )
    groups: list[Group] = Field(
        default_factory=lambda: [
            Group(name="majority", share=0.8, past_hire_share=0.9),
            Group(name="underrepresented", share=0.2, underrepresented=True,
                  past_hire_share=0.1),
        ],
        min_length=1,
    )
    roles: list[Role] = Field(
        default_factory=list,
        description="job families with their own ramp-up; empty = one role using "
        "hire_skill_mean",
    )

    @model_validator(mode="after")
    def _check_groups(self) -> WorkforceSettings:
        for label, items in (("group", self.groups), ("role", self.roles)):
            if not items:
                continue
            names = [item.name for item in items]
            if len(set(names)) != len(names):
                raise ValueError(f"{label} names must be unique, got {names}")
            total = sum(item.share for item in items)
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"{label} shares must sum to 1, got {total:.6g}")
        past = [g.past_hire_share for g in self.groups]
        if any(p is not None for p in past):
            if any(p is None for p in past):
                raise ValueError("past_hire_share must be set for every group or for none")
            if abs(sum(past) - 1.0) > 1e-6:
                raise ValueError(f"group past_hire_share must sum to 1, got {sum(past):.6g}")
        return self


class Learning(_Section):
    """How skills change: by doing, from mentors, and by forgetting."""

    doing_rate_per_week: float = Field(
        0.015, ge=0, le=1, description="experienced employee; ~ forgetting rate, so the median "
        "employee settles at the required level"
    )
    novice_boost: float = Field(2.0, ge=0, le=100, description="newcomer's extra doing rate")
    novice_weeks: float = Field(16.0, gt=0, le=520, description="how fast the boost fades")
    mentoring_rate_per_hour: float = Field(
        0.0085, ge=0, le=10, description="share of the mentor-mentee skill difference one "
        "contact hour of a pair of quality 1 closes; derived in docs/ODD.md 7.5 from the "
        "meta-analytic 12-month d ~ 0.2 (a calibration target)"
    )
    reciprocal_rate_per_hour: float = Field(
        0.017, ge=0, le=10, description="the same for a mentor learning where the mentee is "
        "ahead (reciprocal and reverse mentoring), twice the mentee's rate per hour [S]"
    )
    peer_rate_per_hour: float = Field(
        0.004, ge=0, le=10, description="group format: share of the gap to the other members' "
        "mean skill (where they are ahead) one contact hour of a pair of quality 1 closes: "
        "members of a professional learning community learn from each other (Hudson 2013 "
        "[V] for the direction); half the mentor's rate [S]"
    )
    skill_half_life_months: float = Field(11.0, gt=0, le=1200)
    weekly_noise_sd: float = Field(0.3, ge=0, le=1)


class Attitudes(_Section):
    """The attitude channel: commitment rises with mentoring and lowers the quit hazard."""

    mentee_effect_sd: float = Field(
        0.35, ge=0, le=2, description="commitment a mentee's pair of reference quality moves "
        "towards, in SD (Allen et al. 2004: attitudes d ~ 0.35; a calibration target)"
    )
    quit_hazard_ratio_per_sd: float = Field(
        0.55, gt=0, le=1, description="quit hazard ratio per SD of commitment (commitment-"
        "turnover meta-analyses, Griffeth et al. 2000 rho ~ -0.2 to -0.3) [S]; the mentored "
        "hazard ratio follows from it (about 0.8 for a pair of reference quality; bounded "
        "by the observational 0.5)"
    )
    mentor_quit_hazard_ratio: float = Field(
        0.9, gt=0, le=1, description="Ghosh & Reio 2013; sets the mentors' commitment gain"
    )
    weeks_to_effect: float = Field(
        13.0, gt=0, le=520, description="time constant of the rise while in a pair"
    )
    half_life_weeks: float = Field(
        52.0, gt=0, le=5200, description="fade of commitment after the pair ends"
    )
    e_mentoring_psychosocial: float = Field(
        0.5, ge=0, le=1, description="share of the attitude effect e-mentoring delivers"
    )
    motivation_effect: float = Field(
        0.02, ge=0, le=0.5, description="performance gain per SD of commitment"
    )


class Deficit(_Section):
    """A specific deficit: one enabler lets through only ``share`` of skill performance.

    For one competency (or all) and one group (or everyone); it multiplies the
    organisation-wide value of the enabler (``causes.resources`` ...) where it applies.
    """

    cause: Literal["information", "resources", "incentives"]
    share: float = Field(gt=0, le=1, description="share of skill-based performance let "
                         "through where the deficit applies")
    competency: str | None = Field(None, description="the competency; None = all")
    group: str | None = Field(None, description="the group (workforce.groups); None = all")


class Causes(_Section):
    """Performance enablers that are not skills (Gilbert's behaviour engineering model).

    Each is the share of skill-based performance that the environment lets through
    (1 = no deficit). Mentoring acts on skills and motives, not on these.
    """

    information: float = Field(1.0, gt=0, le=1, description="clear expectations, feedback")
    resources: float = Field(1.0, gt=0, le=1, description="tools, time, materials")
    incentives: float = Field(1.0, gt=0, le=1, description="rewards aligned with the work")
    deficits: list[Deficit] = Field(
        default_factory=list, description="specific deficits of one enabler, for one "
        "competency and/or one group, on top of the organisation-wide values above"
    )
    verdict_share: float = Field(
        0.5, ge=0, le=1, description="cause analysis says 'mentoring is the wrong answer' "
        "when the causes mentoring addresses (skills/knowledge, motives) explain less than "
        "this share of the performance gap [S]"
    )


CAUSES: tuple[str, ...] = ("information", "resources", "incentives")
"""Gilbert's environmental enablers, in the order of ``[causes]``."""

INTERVENTION_CAUSE: dict[str, str] = {
    "job_aids": "information", "tools": "resources", "incentives": "incentives",
}
"""The enabler each kind of intervention acts on."""


class Intervention(_Section):
    """A non-mentoring intervention on an enabler (HPT: the cause decides the intervention).

    ``job_aids`` act on information, ``tools`` on resources, ``incentives`` on
    incentives. From ``start_week`` it closes a growing share of the enabler's shortfall
    (1 - level), linearly over ``ramp_weeks`` to ``deficit_closed``, for the employees of
    ``group`` (or everyone) in ``competency`` (or all), until ``end_week`` (None = the
    horizon). It costs ``fixed_cost`` in its first week and
    ``cost_per_employee_per_year`` for each employee it reaches while it runs.
    """

    kind: Literal["job_aids", "tools", "incentives"]
    start_week: int = Field(0, ge=0, le=5200)
    end_week: int | None = Field(None, ge=1, le=5200, description="first week it no longer "
                                 "runs (effect and costs stop); None = to the horizon")
    competency: str | None = Field(None, description="the competency; None = all")
    group: str | None = Field(None, description="the group reached; None = everyone")
    deficit_closed: float = Field(
        0.5, ge=0, le=1, description="share of the enabler's shortfall closed at full "
        "effect [S]"
    )
    ramp_weeks: int = Field(13, ge=0, le=520, description="weeks from start to full "
                            "effect, linear; 0 = at once [S]")
    fixed_cost: float = Field(0.0, ge=0, description="money spent in its first week")
    cost_per_employee_per_year: float = Field(
        0.0, ge=0, description="money per employee reached per year while it runs"
    )


class RelationshipSettings(_Section):
    """Quality of new mentoring relationships, and the quality other effects are scaled to.

    Quality is hidden and in [0, 1]. A new pair's quality is ``base_quality`` + the
    design's gains (training, meeting frequency, voluntariness; the format's factors) +
    ``similarity_effect`` x (deep-level similarity - 0.5) + the pair's fit (sd
    ``quality_sd``), clipped (docs/ODD.md 7.4). People who choose each other (informal
    pairs) pick, among the seniors they look at, the one who seems best: the visible share
    of fit and similarity, so their pairs come out better than assigned ones. The
    literature gives the directions (named in each description); the sizes
    are modelling assumptions [S], to be swept.
    """

    base_quality: float = Field(
        0.4, gt=0, le=1, description="mean quality of a pair of average similarity before "
        "the design's and the partners' choice's effects (every kind of pair) [S]"
    )
    quality_sd: float = Field(
        0.15, ge=0, le=1, description="sd of a pair's fit: the part of quality that "
        "similarity and design do not explain [S]"
    )
    fit_visibility: float = Field(
        0.5, ge=0, le=1, description="share of a pair's fit variance that people who choose "
        "each other can see (informal pairs choose among informal.candidates_per_mentee "
        "seniors; assigned pairs cannot choose). Informal pairs do better than assigned ones "
        "(Ragins & Cotton 1999 [A]) through this choice, not a separate base [S]"
    )
    marginal_quality: float = Field(
        0.3, ge=0, lt=1, description="quality at which a pair does a mentee's commitment "
        "neither good nor harm: marginal relationships are no better than none (Ragins, "
        "Cotton & Miller 2000 [V]); below it a pair is dysfunctional and hurts (Eby et al. "
        "2000, 2004) [S]"
    )
    early_ending_quality_slope: float = Field(
        6.0, ge=0, le=50, description="log early-ending hazard per unit of quality below "
        "reference: low-quality pairs end early (Grossman & Rhodes 2002: quality predicts "
        "duration [A]); size [S]"
    )
    similarity_effect: float = Field(
        0.3, ge=0, le=1, description="quality per unit of deep-level similarity above its mean "
        "0.5 (Eby et al. 2013: rho .38-.59 with perceived support [V]); size [S]"
    )
    training_quality_gain: float = Field(
        0.1, ge=0, le=1, description="quality that mentor training adds at saturation "
        "(Allen, Eby & Lentz 2006: training raises quality [V]); size [S]"
    )
    training_scale_hours: float = Field(
        8.0, gt=0, le=200, description="training hours that give 1 - 1/e of that gain "
        "(saturating) [S]"
    )
    quality_per_extra_meeting_per_month: float = Field(
        0.025, ge=0, le=0.2, description="quality per meeting a month above "
        "reference_meetings_per_month (Eby et al. 2013: frequency rho .25 [V]); size [S]"
    )
    reference_meetings_per_month: float = Field(
        2.0, gt=0, le=31, description="meeting frequency at which the frequency effect is zero "
        "(practice guidelines: 2 a month [W])"
    )
    voluntary_bonus: float = Field(
        0.05, ge=0, le=0.5, description="quality added when taking part is voluntary "
        "(voluntariness drives quality, research notes 1) [S]"
    )
    group_attention: float = Field(
        0.85, gt=0, le=1, description="group format: share of one-to-one quality a member "
        "gets [S]"
    )
    group_cohesion: float = Field(
        0.08, ge=0, le=0.5, description="group format: quality added by peer support inside "
        "the group [S]"
    )
    e_mentoring_quality: float = Field(
        0.9, gt=0, le=1, description="e-mentoring: quality relative to meeting in person "
        "(less psychosocial depth) [S]"
    )
    mentee_choice_bonus_sd: float = Field(
        0.1, ge=0, le=3, description="mentee_choice matching: quality added, in units of "
        "programme.quality_sd (Kendall & Smith-Jentsch 2015: +0.1 SD [V])"
    )
    sponsorship_per_level: float = Field(
        0.25, ge=0, le=1, description="chance a mentor sponsors the mentee, per career level "
        "of the mentor (min(1, level x this)): sponsorship comes with the mentor's standing "
        "(Ibarra 1992; CTI 2019: few have sponsors [W]) [S]"
    )
    cross_group_psychosocial: float = Field(
        0.7, ge=0, le=1, description="share of the psychosocial (commitment) effect a pair "
        "across group lines delivers: cross-race pairs gave less psychosocial support and "
        "similar career support (Thomas 1990 [V]); size [S]"
    )
    cross_group_training_recovery: float = Field(
        0.5, ge=0, le=1, description="share of the cross-group shortfall a trained mentor "
        "recovers at saturating training (scaled by training like training_quality_gain) "
        "[S]"
    )
    reference_quality: float = Field(
        0.5, gt=0, lt=1, description="quality of an average pair: at it the early-ending "
        "hazard gives programme.early_ending_share_6_months and a mentee's commitment moves "
        "to attitudes.mentee_effect_sd [S]"
    )

    @model_validator(mode="after")
    def _check_marginal_below_reference(self) -> RelationshipSettings:
        if self.marginal_quality >= self.reference_quality:
            raise ValueError(
                f"marginal_quality = {self.marginal_quality} must be below reference_quality "
                f"= {self.reference_quality} (a pair of reference quality does some good)"
            )
        return self


class Informal(_Section):
    """Informal mentoring: ties that form by themselves, by similarity and proximity."""

    enabled: bool = Field(
        True, description="on by default, in both arms of an evaluation, so a programme is "
        "compared with the informal mentoring that happens anyway"
    )
    ties_per_year: float = Field(
        0.15, ge=0, le=5, description="chance an unpaired employee forms a tie in a year"
    )
    homophily: float = Field(
        0.5, ge=0, le=1, description="chance a would-be mentee looks only at seniors of "
        "their own group (Thomas 1990; Ibarra 1992) [S]"
    )
    mentor_homophily: float = Field(
        0.3, ge=0, le=1, description="chance a senior turns down a request from outside "
        "their own group: mentors choose protégés like themselves (Thomas 1990; Milkman et "
        "al. 2015: minorities ignored 1.4-2.2x more often [V]); size [S]"
    )
    willing_share: float = Field(
        0.3, ge=0, le=1, description="share of the seniors who take informal protégés (a "
        "lasting trait): willingness to mentor varies (Ragins & Cotton 1993 [V]); with "
        "mentees_per_mentor it sets the informal places, so whether they run short [S]"
    )
    duration_weeks: int = Field(104, ge=1)
    mentees_per_mentor: int = Field(1, ge=1, le=32)
    meetings_per_month: float = Field(1.0, gt=0, le=31)
    candidates_per_mentee: int = Field(
        8, ge=1, le=1024, description="random seniors a would-be mentee looks at; the most "
        "similar one with a free place becomes the mentor [S]"
    )


class Service(_Section):
    """Service work that takes time from one's own development ("cultural taxation").

    Committees, panels, outreach and the mentoring asked of a group's few seniors: work
    that wants a member of each group is shared among that group's seniors, so the fewer
    they are the more each carries (Padilla 1994; Zambrana et al. 2015).
    """

    representation_hours_per_100_staff: float = Field(
        2.0, ge=0, le=1000, description="weekly hours of work that asks for a member of "
        "each group, per 100 staff; shared by that group's seniors (tenure at least "
        "programme.mentor_min_tenure_weeks) and taken from their learning by doing "
        "(Padilla 1994; Zambrana et al. 2015) [S]"
    )
    max_share_of_week: float = Field(
        0.25, ge=0, le=1, description="most of a week that service can take from one person "
        "[S]"
    )


class Evaluation(_Section):
    """How a run is evaluated: control arm, money units for costs and benefits."""

    control: Literal["none", "no_programme"] = Field(
        "none", description="no_programme: also run the same seed without the programme"
    )
    employment_cost_loading: float = Field(
        0.3, ge=0, le=5, description="benefits and overheads on top of salary, as a share "
        "of salary, for the fully loaded employment cost of an hour (~30% of compensation "
        "in the US BLS Employer Costs for Employee Compensation [V]-ish; Phillips: fully "
        "loaded costs)"
    )
    output_value_multiplier: float = Field(
        1.0, ge=0, le=100, description="value of a full-time equivalent's output as a "
        "multiple of its fully loaded employment cost; 1.0 = output worth what it costs, "
        "the conservative choice (Phillips) [S]"
    )
    output_value_range: tuple[float, float] = Field(
        (1.0, 3.0), description="low and high output_value_multiplier for the ROI's "
        "range (roi_percent_low, roi_percent_high) [S]"
    )
    discount_rate_per_year: float = Field(
        0.035, ge=0, le=1, description="discount rate for costs and benefits over time "
        "(HM Treasury Green Book social time preference rate, 3.5%)"
    )
    replacement_cost_share: float = Field(
        0.21, ge=0, le=5, description="cost of a leaver as a share of salary (Boushey & "
        "Glynn 2012)"
    )
    coordination_hours_per_pair: float = Field(
        6.0, ge=0, le=1000, description="programme staff time per pair matched"
    )
    cost_per_pair: float = Field(
        0.0, ge=0, description="money per formal pair started: materials, matching "
        "administration [S]"
    )
    fixed_cost: float = Field(0.0, ge=0, description="programme set-up cost, money units, "
                              "spent at week 0")

    @model_validator(mode="after")
    def _check_range(self) -> Evaluation:
        low, high = self.output_value_range
        if not 0 <= low <= high <= 100:
            raise ValueError(f"output_value_range must be [low, high] with 0 <= low <= high "
                             f"<= 100, got {list(self.output_value_range)}")
        return self


class ProgrammeDesign(_Section):
    """A mentoring programme: needs, design, implementation (see docs/ODD.md)."""

    enabled: bool = False
    start_week: int = Field(0, ge=0)
    cadence_weeks: int = Field(4, ge=1, le=520, description="needs assessment and matching")
    eligibility: Literal["new_hires", "largest_gaps", "all", "group"] = "largest_gaps"
    target_group: str | None = Field(None, description="with eligibility = 'group'")
    new_hire_tenure_weeks: int = Field(26, ge=1)
    max_mentee_share: float = Field(0.1, ge=0, le=0.5)
    min_gap: float = Field(0.02, ge=0, le=1, description="smallest weighted gap to qualify")
    matching: Literal[
        "random", "gap_targeted", "similarity", "mentee_choice", "peer", "reverse"
    ] = "gap_targeted"
    match_within_role: bool = Field(
        False, description="mentors only from the mentee's own job family (workforce.roles): "
        "in a university, peers who share the course (Loyo 2015)"
    )
    format: Literal["one_to_one", "group", "e_mentoring", "network"] = "one_to_one"
    network_size: int = Field(
        3, ge=2, le=10, description="network format: mentors per mentee, one primary (the "
        "pair's contact and learning) and others who add sponsorship and same-group support "
        "(developmental networks, Higgins & Kram 2001; Zambrana et al. 2015) [S]"
    )
    network_hours_share: float = Field(
        0.25, ge=0, le=1, description="network format: each other member's time as a share "
        "of the primary mentor's contact hours [S]"
    )
    voluntary: bool = True
    reverse_competency: str | None = Field(None, description="with matching = 'reverse'")
    peer_min_tenure_weeks: int = Field(26, ge=0)
    rollout: Literal["all_at_once", "phased", "randomised"] = "all_at_once"
    rollout_weeks: int = Field(26, ge=1, description="phased: weeks until all are offered")
    offered_share: float = Field(
        0.5, gt=0, le=1, description="randomised: share of eligible offered; others wait-listed"
    )
    monitoring_weeks: int = Field(0, ge=0, description="0 = no monitoring of pairs")
    rematch_below_quality: float = Field(0.3, ge=0, le=1)
    management_support: float = Field(1.0, ge=0, le=1)
    support_half_life_weeks: float | None = Field(
        None, gt=0, description="management support fades with this half-life; None = lasts"
    )
    targeted: bool = Field(
        True, description="formal pairs aim their contact time at the mentee's strategy-"
        "weighted gaps (Christensen et al. 2020's ~2x is a pattern to compare with)"
    )
    candidates_per_mentee: int = Field(16, ge=1, le=1024)
    mentees_per_mentor: int = Field(1, ge=1, le=32)
    mentor_min_tenure_weeks: int = Field(104, ge=0)
    mentor_min_performance: float = Field(0.9, ge=0, le=1)
    duration_weeks: int = Field(52, ge=1)
    meetings_per_month: float = Field(2.0, gt=0, le=31)
    meeting_hours: float = Field(1.0, gt=0, le=24)
    mentor_prep_hours_per_month: float = Field(1.0, ge=0, le=100)
    e_mentoring_prep_share: float = Field(
        0.5, ge=0, le=1, description="e-mentoring: share of the preparation time a mentor "
        "spends (no travel, asynchronous exchanges) [S]"
    )
    mentor_training_hours: float = Field(4.0, ge=0, le=200)
    early_ending_share_6_months: float = Field(0.25, ge=0, lt=1)


#: scipy.stats distributions a prior may use, with the shape parameters each needs.
PRIOR_SHAPES: dict[str, tuple[str, ...]] = {
    "uniform": (), "norm": (), "lognorm": ("s",), "beta": ("a", "b"), "triang": ("c",),
}


class Prior(_Section):
    """A distribution over one numeric scenario field, in scipy.stats' names and parameters.

    ``uniform`` (loc, scale: [loc, loc + scale]), ``norm`` (loc = mean, scale = sd),
    ``lognorm`` (s = sigma of the log, scale = median, loc), ``beta`` (a, b, loc, scale),
    ``triang`` (c = mode's place in [0, 1], loc, scale). A draw outside the field's range
    is moved to its nearest end; the 1%-99% range must lie inside it.
    """

    dist: Literal["uniform", "norm", "lognorm", "beta", "triang"]
    loc: float = 0.0
    scale: float = Field(1.0, gt=0)
    s: float | None = Field(None, gt=0)
    a: float | None = Field(None, gt=0)
    b: float | None = Field(None, gt=0)
    c: float | None = Field(None, ge=0, le=1)
    source: str = Field("", description="where the distribution comes from")

    @model_validator(mode="after")
    def _check_shapes(self) -> Prior:
        needed = PRIOR_SHAPES[self.dist]
        for name in ("s", "a", "b", "c"):
            given = getattr(self, name) is not None
            if name in needed and not given:
                raise ValueError(f"a {self.dist} prior needs {name}")
            if name not in needed and given:
                raise ValueError(f"a {self.dist} prior takes no {name} (it takes "
                                 f"{', '.join(('loc', 'scale', *needed))})")
        return self

    def frozen(self):
        """The scipy.stats frozen distribution."""
        from scipy import stats

        shapes = [getattr(self, name) for name in PRIOR_SHAPES[self.dist]]
        return getattr(stats, self.dist)(*shapes, loc=self.loc, scale=self.scale)


class Uncertainty(_Section):
    """What we do not know: priors over scenario fields, drawn once per replication.

    ``include`` names bundled prior sets (``"literature"``: every parameter the research
    notes give a range for, ``sim/config/literature_priors.toml``); ``priors`` adds or
    replaces distributions by dotted field name.
    """

    include: list[Literal["literature"]] = Field(default_factory=list)
    priors: dict[str, Prior] = Field(default_factory=dict)


#: Reporters a plan's objective or a formative rule can name (each is a model reporter,
#: sim.model.reporters.REPORTERS; tests/config check it).
OBJECTIVE_METRICS = (
    "job_performance", "skill_performance", "proficient_share", "commitment",
    "mean_quality_formal", "underrepresented_access", "underrepresented_formal_access",
    "majority_access", "headcount", "output_fte",
)


class Objective(_Section):
    """What the programme is meant to achieve: a metric, a target and a date."""

    name: str = Field(min_length=1)
    metric: Literal[OBJECTIVE_METRICS]  # type: ignore[valid-type]
    target: float
    by_week: int = Field(ge=1, le=5200)
    direction: Literal["at_least", "at_most"] = "at_least"


class ProgrammePlan(_Section):
    """The planning phase: objectives, a budget in money and mentor hours (HPT planning).

    Before a run the model forecasts mentor supply against demand per cadence and whether
    the budget suffices (``sim.analysis.forecast``); a formative rule can stop the
    programme when the budget is spent.
    """

    objectives: list[Objective] = Field(default_factory=list)
    budget: float | None = Field(None, ge=0, description="money for the programme over the "
                                 "horizon (fully loaded time and costs); None = no limit")
    mentor_hours_budget: float | None = Field(None, ge=0, description="mentor hours over "
                                              "the horizon; None = no limit")


class AdaptationRule(_Section):
    """A declared rule of formative evaluation: when a condition holds, adapt the programme."""

    when: Literal["quality_below", "early_endings_above", "objective_met",
                  "objective_missed", "budget_spent"]
    threshold: float | None = Field(None, description="for quality_below (mean formal "
                                    "quality) and early_endings_above (share of pairs "
                                    "started in the interval that ended early), both in "
                                    "[0, 1]; budget_spent: the share of plan.budget spent "
                                    "(None = 1, all of it)")
    objective: str | None = Field(None, description="the plan objective's name, for "
                                  "objective_met / objective_missed")
    action: Literal["rematch", "train", "widen_eligibility", "narrow_eligibility", "stop"]
    amount: float = Field(0.0, ge=0, description="train: hours of training added; widen / "
                          "narrow: change of programme.max_mentee_share")

    @model_validator(mode="after")
    def _check_condition_fields(self) -> AdaptationRule:
        objective_rule = self.when in ("objective_met", "objective_missed")
        if self.when in ("quality_below", "early_endings_above"):
            if self.threshold is None:
                raise ValueError(f"when = {self.when!r} needs threshold (a share in [0, 1])")
            if not 0 <= self.threshold <= 1:
                raise ValueError(f"threshold = {self.threshold} must be in [0, 1] with when "
                                 f"= {self.when!r}")
        if self.when == "budget_spent" and self.threshold is not None and self.threshold < 0:
            raise ValueError(f"threshold = {self.threshold} must be at least 0 with when = "
                             "'budget_spent' (the share of plan.budget spent)")
        if objective_rule and self.objective is None:
            raise ValueError(f"when = {self.when!r} needs objective (a plan objective's name)")
        if objective_rule and self.threshold is not None:
            raise ValueError(f"threshold = {self.threshold} is not used with when = "
                             f"{self.when!r} (the objective's target is); drop it")
        if not objective_rule and self.objective is not None:
            raise ValueError(f"objective = {self.objective!r} is only used with when = "
                             "'objective_met' or 'objective_missed'")
        if self.action in ("train", "widen_eligibility", "narrow_eligibility") \
                and self.amount <= 0:
            raise ValueError(f"amount = {self.amount}: action = {self.action!r} needs an "
                             "amount above 0")
        return self


class Formative(_Section):
    """Formative evaluation: checks at set intervals that adapt the programme by rules."""

    interval_weeks: int = Field(26, ge=1, le=5200, description="weeks between checks, "
                                "counted from programme.start_week (docs/ODD.md 7.12) [S]")
    rules: list[AdaptationRule] = Field(default_factory=list)


#: The roster columns every file has (``role`` optional) besides one per competency; a
#: scenario's ``roster.columns`` maps these names (and the competencies') to the file's.
ROSTER_COLUMNS = ("id", "group", "tenure_years", "age_years", "role")


class RosterSettings(_Section):
    """The staff in post at week 0 from a roster file (CSV, Parquet or Excel .xlsx).

    The file gives each person's id, group, tenure, age, optionally role, and a rating per
    competency on the scale ``rating_min`` .. ``rating_max`` (mapped linearly onto skill
    0 .. 1); it sets the headcount and the group and role shares at week 0 (hires still
    follow the scenario's shares). Read and checked by :func:`sim.config.roster.read_roster`.
    """

    path: str = Field(min_length=1, description="the roster file; a relative path is "
                      "relative to the scenario file's directory (a bundled scenario's: "
                      "the bundled scenarios' directory)")
    rating_min: float = Field(description="the lowest rating of the file's scale (skill 0)")
    rating_max: float = Field(description="the highest rating of the file's scale (skill 1)")
    columns: dict[str, str] = Field(
        default_factory=dict, description="our column name -> the file's, where they "
        "differ: id, group, tenure_years, age_years, role and the competencies"
    )

    @model_validator(mode="after")
    def _check_scale_and_columns(self) -> RosterSettings:
        if self.rating_max <= self.rating_min:
            raise ValueError(f"rating_max = {self.rating_max} is not above rating_min = "
                             f"{self.rating_min}")
        theirs = list(self.columns.values())
        if any(not name.strip() for name in theirs):
            raise ValueError("columns: a file column name is empty")
        if len(set(theirs)) != len(theirs):
            raise ValueError(f"columns: two of our columns map to the same file column "
                             f"({theirs})")
        return self


class Scenario(_Section):
    """A whole scenario: the organisation, its environment, workforce and programme."""

    name: str = Field("baseline", min_length=1)
    description: str = ""
    horizon_weeks: int = Field(156, ge=1, le=5200)
    seed: int = Field(20260101, ge=0, le=MAX_SEED)
    organisation: Organisation = Field(default_factory=Organisation)
    environment: EnvironmentSettings = Field(default_factory=EnvironmentSettings)
    workforce: WorkforceSettings = Field(default_factory=WorkforceSettings)
    learning: Learning = Field(default_factory=Learning)
    attitudes: Attitudes = Field(default_factory=Attitudes)
    causes: Causes = Field(default_factory=Causes)
    relationships: RelationshipSettings = Field(default_factory=RelationshipSettings)
    informal: Informal = Field(default_factory=Informal)
    service: Service = Field(default_factory=Service)
    programme: ProgrammeDesign = Field(default_factory=ProgrammeDesign)
    evaluation: Evaluation = Field(default_factory=Evaluation)
    plan: ProgrammePlan = Field(default_factory=ProgrammePlan)
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    formative: Formative = Field(default_factory=Formative)
    # interventions (cause analysis) go here
    interventions: list[Intervention] = Field(default_factory=list)
    roster: RosterSettings | None = Field(
        None, description="the staff in post at week 0 from a file; None = drawn from the "
        "workforce's distributions"
    )

    @model_validator(mode="after")
    def _check_cross_fields(self) -> Scenario:
        names = set(self.organisation.competencies)
        for i, change in enumerate(self.environment.changes):
            if change.competency not in names:
                raise ValueError(
                    f"environment.changes.{i}.competency = {change.competency!r} is not one "
                    f"of the competencies {sorted(names)}"
                )
        programme = self.programme
        if programme.reverse_competency is not None and programme.reverse_competency not in names:
            raise ValueError(
                f"programme.reverse_competency = {programme.reverse_competency!r} is not one "
                f"of the competencies {sorted(names)}"
            )
        if programme.matching == "reverse" and programme.reverse_competency is None:
            raise ValueError("programme.matching = 'reverse' needs programme.reverse_competency")
        groups = [g.name for g in self.workforce.groups]
        if programme.eligibility == "group" and programme.target_group not in groups:
            raise ValueError(
                f"programme.target_group = {programme.target_group!r} is not one of the "
                f"groups {groups}"
            )
        if self.programme.enabled and self.programme.start_week >= self.horizon_weeks:
            raise ValueError(
                f"programme.start_week = {self.programme.start_week} is not before "
                f"horizon_weeks = {self.horizon_weeks}"
            )
        if programme.enabled and programme.duration_weeks > self.horizon_weeks:
            raise ValueError(
                f"programme.duration_weeks = {programme.duration_weeks} is longer than "
                f"horizon_weeks = {self.horizon_weeks}"
            )
        self._check_causes(names, groups)
        for i, objective in enumerate(self.plan.objectives):
            if objective.by_week > self.horizon_weeks:
                raise ValueError(
                    f"plan.objectives.{i}.by_week = {objective.by_week} is beyond "
                    f"horizon_weeks = {self.horizon_weeks}"
                )
        objectives = [o.name for o in self.plan.objectives]
        for i, rule in enumerate(self.formative.rules):
            if rule.objective is not None and rule.objective not in objectives:
                raise ValueError(
                    f"formative.rules.{i}.objective = {rule.objective!r} is not one of the "
                    f"plan objectives {objectives}"
                )
            if rule.when == "budget_spent" and self.plan.budget is None:
                raise ValueError(f"formative.rules.{i}.when = 'budget_spent' needs "
                                 "plan.budget")
        return self

    def _check_causes(self, competencies: set[str], groups: list[str]) -> None:
        """Deficits and interventions name known competencies and groups, and fit the horizon."""
        items = [(f"causes.deficits.{i}", d) for i, d in enumerate(self.causes.deficits)]
        items += [(f"interventions.{i}", v) for i, v in enumerate(self.interventions)]
        for where, item in items:
            if item.competency is not None and item.competency not in competencies:
                raise ValueError(f"{where}.competency = {item.competency!r} is not one of "
                                 f"the competencies {sorted(competencies)}")
            if item.group is not None and item.group not in groups:
                raise ValueError(f"{where}.group = {item.group!r} is not one of the groups "
                                 f"{groups}")
        for i, item in enumerate(self.interventions):
            if item.start_week >= self.horizon_weeks:
                raise ValueError(f"interventions.{i}.start_week = {item.start_week} is not "
                                 f"before horizon_weeks = {self.horizon_weeks}")
            if item.end_week is not None and item.end_week <= item.start_week:
                raise ValueError(f"interventions.{i}.end_week = {item.end_week} is not after "
                                 f"start_week = {item.start_week}")

    @model_validator(mode="after")
    def _check_roster_columns(self) -> Scenario:
        if self.roster is None:
            return self
        known = [*ROSTER_COLUMNS, *self.organisation.competencies]
        for ours in self.roster.columns:
            if ours not in known:
                raise ValueError(f"roster.columns.{ours}: not a roster column (expected one "
                                 f"of {known})")
        return self

    @model_validator(mode="after")
    def _check_priors(self) -> Scenario:
        for dotted, prior in self.uncertainty.priors.items():
            check_prior(dotted, prior, f"uncertainty.priors.{dotted}")
        return self

    @property
    def n_competencies(self) -> int:
        """Number of competencies K."""
        return len(self.organisation.competencies)

    def to_toml(self) -> str:
        """Render the scenario as TOML that :func:`load_scenario` reads back identically."""
        from sim.config.toml import dumps_toml

        return dumps_toml(self.model_dump(mode="json"))


def numeric_field(dotted: str) -> tuple[type, float | None, bool, float | None, bool]:
    """The type and bounds of the numeric scenario field ``dotted``.

    Returns:
        (int or float, low, low is open, high, high is open); a missing bound is None.

    Raises:
        ValueError: ``dotted`` is not a numeric field of a scenario section (a field of a
            list item, like a group's share, cannot carry a prior).

    """
    model: Any = Scenario
    parts = dotted.split(".")
    for depth, part in enumerate(parts):
        fields = getattr(model, "model_fields", None)
        if fields is None or part not in fields:
            raise ValueError(f"{'.'.join(parts[:depth + 1])!r} is not a scenario field")
        info = fields[part]
        model = info.annotation
    if not _is_number(model) or isinstance(model, type) and issubclass(model, bool):
        raise ValueError(f"{dotted!r} is not a numeric scenario field")
    kind = int if model is int else float
    return (kind, *field_bounds(info))


def field_bounds(info: Any) -> tuple[float | None, bool, float | None, bool]:
    """A pydantic field's bounds: (low, low is open, high, high is open); None if unbounded."""
    import annotated_types

    lo = hi = None
    lo_open = hi_open = False
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            lo = item.ge
        elif isinstance(item, annotated_types.Gt):
            lo, lo_open = item.gt, True
        elif isinstance(item, annotated_types.Le):
            hi = item.le
        elif isinstance(item, annotated_types.Lt):
            hi, hi_open = item.lt, True
    return lo, lo_open, hi, hi_open


def check_prior(dotted: str, prior: Prior, where: str) -> None:
    """Refuse a prior on a field that is not numeric, or whose 1%-99% range leaves its range.

    Raises:
        ValueError: One line naming ``where`` and what is wrong.

    """
    try:
        _, lo, lo_open, hi, hi_open = numeric_field(dotted)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    low, high = (float(x) for x in prior.frozen().ppf([0.01, 0.99]))
    below = lo is not None and (low < lo or (lo_open and low <= lo))
    above = hi is not None and (high > hi or (hi_open and high >= hi))
    if below or above:
        left, right = "(" if lo_open else "[", ")" if hi_open else "]"
        raise ValueError(f"{where}: the prior's 1%-99% range [{low:.4g}, {high:.4g}] leaves "
                         f"the field's range {left}{lo}, {hi}{right}")
