"""Mentoring relationships: quality at the start, and the lifecycle of every pair.

A pair lives on its mentee's row of the workforce arrays (mentor slot, kind, hidden
quality, age, planned duration, contact hours, focus, sponsorship) and adds one to its
mentor's ``load``. Formal (programme) and informal pairs share this lifecycle: they
complete at their planned duration, end when either person leaves, or end early with a
weekly hazard that falls steeply as quality rises (low-quality pairs are the ones that
end early; Grossman & Rhodes 2002), so the harm of an early ending is that of the poor
relationship before it, not a penalty added at the ending.

Quality is built from the same parts for every pair (:func:`draw_quality`): a base, the
design's gains, deep-level similarity and the pair's fit. Only people who choose each
other see part of the fit before they start: they pick the candidate who looks best, so
self-selected pairs come out better than assigned ones by selection (docs/ODD.md 7.4).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from sim.config import RelationshipSettings, Scenario
from sim.kernels import STREAM_EARLY_ENDING, counter_uniforms
from sim.model.workforce import Workforce

FORMAL = 1
INFORMAL = 2
KIND_NAMES = {FORMAL: "formal", INFORMAL: "informal"}

# The relationship-quality model's parameters, with their sources, are the scenario's
# [relationships] section (sim.config.RelationshipSettings; docs/ODD.md 7.4). Left here:
EARLY_WINDOW_WEEKS = 26  # the "6 months" of programme.early_ending_share_6_months
MIN_QUALITY = 0.05  # floor of a drawn quality, so no pair has none at all


def similarity(workforce: Workforce, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Deep-level similarity in (0, 1] of the people in slots ``a`` and ``b``.

    ``exp(-|trait_a - trait_b|^2 / 4)``; 0.5 on average for two people drawn at random.
    """
    diff = workforce.trait[a] - workforce.trait[b]
    return np.exp(-0.25 * np.einsum("...i,...i->...", diff, diff))


def design_base_quality(
    rel: RelationshipSettings, meetings_per_month: float, voluntary: bool,
    training_hours: float,
) -> float:
    """Mean quality of a pair of average similarity and fit, before the format's factors.

    ``base_quality`` + the saturating gain of mentor training + the meeting-frequency
    effect + the voluntariness bonus (docs/ODD.md 7.4); the same parts for every kind of
    pair (an informal tie is voluntary and untrained).
    """
    training = 1.0 - np.exp(-training_hours / rel.training_scale_hours)
    base = rel.base_quality + rel.training_quality_gain * training
    base += rel.quality_per_extra_meeting_per_month * (
        meetings_per_month - rel.reference_meetings_per_month
    )
    return float(base + (rel.voluntary_bonus if voluntary else 0.0))


def draw_quality(
    rng: np.random.Generator,
    base: float,
    sim: np.ndarray,
    sd: float,
    similarity_effect: float,
    visible_fit: np.ndarray | None = None,
    visibility: float = 0.0,
) -> np.ndarray:
    """Relationship quality of new pairs: base + similarity effect + fit, clipped.

    A pair's fit is ``sd * (sqrt(v) z_seen + sqrt(1 - v) z_hidden)``: with no choice both
    parts are fresh standard normals (fit ~ N(0, sd^2)); pairs whose partners chose each
    other pass the standardised visible part they chose on as ``visible_fit`` (the best of
    the candidates they looked at, so above 0 on average).

    Args:
        rng: The caller's Generator (one or two normal draws per pair).
        base: Mean quality of a pair of average similarity and average fit.
        sim: Deep-level similarity of each pair (see :func:`similarity`; mean 0.5).
        sd: Standard deviation of the fit (``relationships.quality_sd``).
        similarity_effect: Quality per unit of similarity above 0.5
            (``relationships.similarity_effect``).
        visible_fit: Standardised visible fit of each pair as chosen, or None (assigned).
        visibility: Share ``v`` of the fit variance that is visible
            (``relationships.fit_visibility``); used with ``visible_fit``.

    Returns:
        float64 qualities in [MIN_QUALITY, 1], one per pair.

    """
    n = sim.shape[0]
    if visible_fit is None:
        fit = rng.normal(0.0, sd, n)
    else:
        hidden = rng.normal(0.0, 1.0, n)
        fit = sd * (np.sqrt(visibility) * visible_fit + np.sqrt(1.0 - visibility) * hidden)
    quality = base + similarity_effect * (sim - 0.5) + fit
    return np.clip(quality, MIN_QUALITY, 1.0)


def sponsorship_chance(
    workforce: Workforce, mentors: np.ndarray, per_level: float
) -> np.ndarray:
    """Chance that each of ``mentors`` sponsors their new mentee: ``min(1, level x per_level)``.

    Sponsorship comes with the mentor's standing (career level), not with the mentee's
    group (``relationships.sponsorship_per_level``; docs/ODD.md 7.6).
    """
    return np.minimum(workforce.level[mentors].astype(np.float64) * per_level, 1.0)


def psychosocial_share(
    workforce: Workforce,
    rel: RelationshipSettings,
    mentees: np.ndarray,
    mentors: np.ndarray,
    training_hours: float = 0.0,
    format_share: float = 1.0,
    same_group_support: np.ndarray | None = None,
) -> np.ndarray:
    """Share of the commitment (psychosocial) effect each new pair delivers.

    A pair across group lines delivers ``relationships.cross_group_psychosocial`` of it
    (Thomas 1990); a trained mentor recovers ``cross_group_training_recovery`` of the
    shortfall at saturating training (the saturation curve of the training quality gain);
    the format scales it (``format_share``: e-mentoring's lesser psychosocial support).

    Args:
        workforce: The arrays.
        rel: The relationship settings.
        mentees: Slots of the new pairs' mentees.
        mentors: Their mentors.
        training_hours: Mentor training hours of these pairs' mentors.
        format_share: The format's share (1 in person).
        same_group_support: bool per pair: someone of the mentee's own group supports the
            mentee too (a mentoring network's member), so the pair is not short of it.

    Returns:
        float64 shares in [0, 1], one per pair.

    """
    cross = workforce.group[mentees] != workforce.group[mentors]
    if same_group_support is not None:
        cross &= ~same_group_support
    trained = 1.0 - np.exp(-training_hours / rel.training_scale_hours)
    shortfall = (1.0 - rel.cross_group_psychosocial) * (
        1.0 - rel.cross_group_training_recovery * trained
    )
    return format_share * np.where(cross, 1.0 - shortfall, 1.0)


class Relationships:
    """All current pairs and their lifecycle.

    Args:
        scenario: The validated scenario.
        workforce: The arrays the pairs live in.

    """

    def __init__(self, scenario: Scenario, workforce: Workforce) -> None:
        self.workforce = workforce
        self.reference_quality = scenario.relationships.reference_quality
        self.quality_slope = scenario.relationships.early_ending_quality_slope
        share = scenario.programme.early_ending_share_6_months
        self._early_hazard = 1.0 - (1.0 - share) ** (1.0 / EARLY_WINDOW_WEEKS)
        self.counts: Counter[tuple[int, str]] = Counter()
        # formal pairs that ended early, by the week they started (formative evaluation)
        self.formal_early_by_start: Counter[int] = Counter()
        n_groups = len(workforce.group_names)
        self.quality_sum = {FORMAL: np.zeros(n_groups), INFORMAL: np.zeros(n_groups)}
        self.started_by_group = {FORMAL: np.zeros(n_groups), INFORMAL: np.zeros(n_groups)}

    def count(self, kind: int, event: str) -> int:
        """How many pairs of ``kind`` had ``event`` (started, completed, ended_early, ...)."""
        return self.counts[(kind, event)]

    def start(
        self,
        mentees: np.ndarray,
        mentors: np.ndarray,
        kind: int,
        quality: np.ndarray,
        duration_weeks: int,
        contact_hours: float,
        focus_competency: int = -1,
        sponsored: np.ndarray | None = None,
        psychosocial: np.ndarray | None = None,
    ) -> None:
        """Start pairs (mentees[i], mentors[i]) of one kind.

        ``sponsored`` (default none) and ``psychosocial`` (share of the commitment effect,
        default 1; see :func:`psychosocial_share`) are per pair.
        """
        wf = self.workforce
        if mentees.shape[0] == 0:
            return
        wf.mentor[mentees] = mentors
        np.add.at(wf.load, mentors, 1)
        wf.pair_kind[mentees] = kind
        wf.quality[mentees] = quality
        wf.pair_age_weeks[mentees] = 0
        wf.pair_duration_weeks[mentees] = duration_weeks
        wf.contact_hours[mentees] = contact_hours
        wf.focus_competency[mentees] = focus_competency
        wf.sponsored[mentees] = False if sponsored is None else sponsored
        wf.psychosocial[mentees] = 1.0 if psychosocial is None else psychosocial
        first = mentees[~wf.ever_mentored[mentees]]
        wf.gap_at_match[first] = wf.gap[first]
        wf.ever_mentored[mentees] = True
        if kind == FORMAL:
            wf.ever_formal[mentees] = True
        wf.early_ended[mentees] = False
        wf.rematch_due[mentees] = False
        self.counts[(kind, "started")] += mentees.shape[0]
        groups = wf.group[mentees]
        np.add.at(self.quality_sum[kind], groups, quality)
        np.add.at(self.started_by_group[kind], groups, 1.0)

    def mean_quality_by_group(self, kind: int) -> np.ndarray:
        """Mean starting quality of pairs of ``kind`` by the mentee's group (nan if none)."""
        started = self.started_by_group[kind]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(started > 0, self.quality_sum[kind] / started, np.nan)

    def end(self, mentees: np.ndarray, event: str) -> None:
        """End the pairs of ``mentees``, counting them under ``event`` by kind."""
        wf = self.workforce
        if mentees.shape[0] == 0:
            return
        by_kind = np.bincount(wf.pair_kind[mentees], minlength=INFORMAL + 1)
        self.counts[(FORMAL, event)] += int(by_kind[FORMAL])
        self.counts[(INFORMAL, event)] += int(by_kind[INFORMAL])
        np.subtract.at(wf.load, wf.mentor[mentees], 1)
        wf.mentor[mentees] = -1
        wf.pair_kind[mentees] = 0
        wf.quality[mentees] = 0.0
        wf.pair_age_weeks[mentees] = 0
        wf.pair_duration_weeks[mentees] = 0
        wf.contact_hours[mentees] = 0.0
        wf.focus_competency[mentees] = -1
        wf.sponsored[mentees] = False
        wf.psychosocial[mentees] = 1.0

    def lifecycle(self, week: int) -> None:
        """Age every pair; complete those at their duration; end some early."""
        wf = self.workforce
        mentees = np.flatnonzero(wf.mentor >= 0)
        if mentees.shape[0] == 0:
            return
        wf.pair_age_weeks[mentees] += 1
        wf.weeks_mentored[mentees] += 1
        finished = wf.pair_age_weeks[mentees] >= wf.pair_duration_weeks[mentees]
        self.end(mentees[finished], "completed")

        ongoing = mentees[~finished]
        draws = counter_uniforms(wf.key, week, wf.pid[ongoing], STREAM_EARLY_ENDING)
        early = ongoing[draws < self.early_hazard(wf.quality[ongoing])]
        if early.shape[0]:
            formal = early[wf.pair_kind[early] == FORMAL]
            self.formal_early_by_start.update((week - wf.pair_age_weeks[formal]).tolist())
            self.end(early, "ended_early")
            wf.early_ended[early] = True

    def early_hazard(self, quality: np.ndarray) -> np.ndarray:
        """Weekly early-ending hazard of pairs of ``quality``.

        ``h_ref * exp(-slope * (q - q_ref))``, capped at 1: a pair of reference quality
        ends within six months with ``programme.early_ending_share_6_months``; a poorer
        one much more often (``relationships.early_ending_quality_slope``).
        """
        shift = self.quality_slope * (quality - self.reference_quality)
        return np.minimum(self._early_hazard * np.exp(-shift), 1.0)

    def on_leave(self, leavers: np.ndarray) -> None:
        """End the pairs of employees who leave (as mentee or as mentor)."""
        wf = self.workforce
        leaving = np.zeros(wf.size, dtype=np.bool_)
        leaving[leavers] = True
        mentees = np.flatnonzero(wf.mentor >= 0)
        hit = mentees[leaving[mentees] | leaving[wf.mentor[mentees]]]
        self.end(hit, "ended_by_departure")
        wf.load[leavers] = 0

    def pairs(self, kind: int | None = None) -> int:
        """Number of current pairs (of one kind, or all)."""
        wf = self.workforce
        if kind is None:
            return int(np.count_nonzero(wf.mentor >= 0))
        return int(np.count_nonzero(wf.pair_kind == kind))
