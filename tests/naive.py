"""Slow, obvious reference versions of every kernel in sim/kernels/ (learning, matching,
flows, sums and the random streams), one function per kernel.

Plain Python loops over plain floats, written from the kernels' documented formulas; the
tests compare each kernel with its twin here, exactly or to 1e-12.
"""

from __future__ import annotations

import math

MASK = 2**64 - 1


def splitmix64(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def counter_uniform(key: int, week: int, pid: int, stream: int) -> float:
    mixed = key ^ ((week * 0xD6E8FEB86659FD93) & MASK) ^ ((stream * 0xA0761D6478BD642F) & MASK)
    h = splitmix64(mixed & MASK)
    h = splitmix64(h ^ (pid & MASK))
    return (h >> 11) / 2.0**53


def reciprocal_gains(skills, mentor, aptitude, quality, contact_hours, rate):
    """Dict mentor slot -> list of K gains, from every (mentee, mentor) pair."""
    n_k = len(skills[0])
    gains = {}
    for e, m in enumerate(mentor):
        if m < 0:
            continue
        row = gains.setdefault(int(m), [0.0] * n_k)
        for k in range(n_k):
            diff = skills[e][k] - skills[m][k]
            if diff > 0:
                row[k] += rate * aptitude[m] * contact_hours[e] * quality[e] * diff
    return gains


def learn_week(
    skills, active, pid, aptitude, tenure, mentor, pair_kind, quality, contact_hours,
    focus_competency, usage, required, weights,
    doing_rate, novice_boost, novice_weeks, mentoring_rate, reciprocal_rate, forget_rate,
    targeted, hours_per_week, noise_sd, key, week, stream, busy_hours=None,
):
    """Return (new skills, performance, gap) as lists; the input is not modified.

    ``busy_hours`` (default: ``contact_hours``) are the hours away from the work itself.
    """
    busy = contact_hours if busy_hours is None else busy_hours
    old = [list(map(float, row)) for row in skills]
    n_k = len(old[0])
    recip = reciprocal_gains(old, mentor, aptitude, quality, contact_hours, reciprocal_rate)
    new_skills = [row[:] for row in old]
    perf = [0.0] * len(old)
    gaps = [0.0] * len(old)
    for i, row in enumerate(old):
        if not active[i]:
            continue
        u = counter_uniform(key, week, int(pid[i]), stream)
        effort = max(0.0, 1.0 + noise_sd * math.sqrt(3.0) * (2.0 * u - 1.0))
        novice = 1.0 + novice_boost * math.exp(-tenure[i] / novice_weeks)
        working = 1.0 - min(busy[i] / hours_per_week, 1.0)  # meetings are not work
        m = int(mentor[i])
        weighted_gaps = [weights[k] * max(required[k] - row[k], 0.0) for k in range(n_k)]
        total_gap = sum(weighted_gaps)
        for k in range(n_k):
            s = row[k]
            value = s + doing_rate * novice * working * aptitude[i] * effort * usage[k] * (1.0 - s)
            value -= forget_rate * (1.0 - usage[k]) * s
            if m >= 0:
                aimed = targeted and pair_kind[i] == 1  # informal pairs are non-specific
                if focus_competency[i] >= 0:
                    focus = float(n_k) if k == focus_competency[i] else 0.0
                elif aimed:
                    focus = n_k * weighted_gaps[k] / total_gap if total_gap > 0 else 1.0
                else:
                    focus = 1.0
                c = mentoring_rate * aptitude[i] * effort * quality[i] * contact_hours[i]
                c = min(c * focus, 1.0)
                value += c * max(old[m][k] - s, 0.0)
            if i in recip:
                value += recip[i][k]
            value = min(max(value, 0.0), 1.0)
            new_skills[i][k] = value
            perf[i] += weights[k] * min(value / required[k], 1.0)
            gaps[i] += weights[k] * max(required[k] - value, 0.0)
    return new_skills, perf, gaps


def match_gap_targeted(skills, required, weights, mentees, mentors, capacity, candidates):
    """Greedy matching: best-scoring candidate with capacity, else next with capacity."""
    capacity = list(capacity)
    result = []
    for i, e in enumerate(mentees):
        if sum(capacity) <= 0:
            result.append(-1)
            continue
        best, best_score = None, None
        for j in candidates[i]:
            if capacity[j] <= 0:
                continue
            m = mentors[j]
            score = sum(
                weights[k] * (required[k] - skills[e][k]) * (skills[m][k] - skills[e][k])
                for k in range(len(required))
                if required[k] > skills[e][k] and skills[m][k] > skills[e][k]
            )
            if best_score is None or score > best_score:
                best, best_score = j, score
        if best is None:
            n = len(mentors)
            start = candidates[i][0] if len(candidates[i]) else 0
            best = next(
                (start + step) % n for step in range(n) if capacity[(start + step) % n] > 0
            )
        capacity[best] -= 1
        result.append(int(mentors[best]))
    return result, capacity


def match_by_scores(scores, candidates, capacity, strict=False):
    """Greedy: best-scoring candidate with capacity, else next index with capacity.

    With ``strict``, no fallback and a candidate scored -inf is never taken.
    """
    capacity = list(capacity)
    result = []
    for i, row in enumerate(candidates):
        if sum(capacity) <= 0:
            result.append(-1)
            continue
        options = [(scores[i][c], -c, j) for c, j in enumerate(row) if capacity[j] > 0
                   and not (strict and scores[i][c] == -math.inf)]
        if not options and strict:
            result.append(-1)
            continue
        if options:
            best_score = max(score for score, _, _ in options)
            best = next(j for score, _, j in options if score == best_score)
        else:
            n = len(capacity)
            best = next((row[0] + s) % n for s in range(n) if capacity[(row[0] + s) % n] > 0)
        capacity[best] -= 1
        result.append(best)
    return result, capacity


def age_and_leave(active, pid, age, tenure, commitment, retirement_age, weekly_quit,
                  first_year_multiplier, coef, key, week, group=None, group_quit_ratio=None):
    """Return (age, tenure, quits, retirements) lists after one week."""
    age, tenure = list(age), list(tenure)
    quits, retire = [False] * len(active), [False] * len(active)
    for i, on in enumerate(active):
        if not on:
            continue
        age[i] += 1.0 / 52.0
        tenure[i] += 1
        if age[i] >= retirement_age:
            retire[i] = True
        elif counter_uniform(key, week, int(pid[i]), 2) < weekly_quit * (
            1.0 if group is None else group_quit_ratio[group[i]]
        ) * (
            first_year_multiplier if tenure[i] <= 52 else 1.0
        ) * math.exp(-coef * commitment[i]):
            quits[i] = True
    return age, tenure, quits, retire


def update_outcomes(state, effect_per_quality, marginal, mentor_target,
                    rise, fade, threshold, min_tenure, max_level, chance, multiplier, key,
                    week):
    """Return (commitment, level, promotions, promoted) after one week (state: dict of lists)."""
    commitment = list(state["commitment"])
    level, promotions = list(state["level"]), list(state["promotions"])
    promoted = 0
    for i, on in enumerate(state["active"]):
        if not on:
            continue
        mentee = state["mentor"][i] >= 0
        mentor = state["load"][i] > 0
        if mentee or mentor:
            target = 0.0
            if mentee:
                target = (effect_per_quality * (state["quality"][i] - marginal)
                          * state["psychosocial"][i])
            if mentor:
                target = max(target, mentor_target)
            commitment[i] += (target - commitment[i]) * rise
        else:
            commitment[i] *= fade
        ready = (state["tenure"][i] >= min_tenure and state["performance"][i] >= threshold
                 and level[i] < max_level)
        if ready:
            p = chance * multiplier if state["sponsored"][i] else chance
            if counter_uniform(key, week, int(state["pid"][i]), 6) < p:
                level[i] += 1
                promotions[i] += 1
                promoted += 1
    return commitment, level, promotions, promoted


def weekly_sums(state, prep_hours, group_format, hours_per_week, enablers, motivation,
                threshold):
    """Return (sums dict, time share list) for one week (state: dict of lists).

    ``enablers`` is a list: the share of each slot's skill performance let through.
    """
    n = len(state["active"])
    share = [0.0] * n
    sums = dict.fromkeys(
        ["active", "performance_net", "job", "skill", "gap", "proficient", "pairs", "pairs_formal",
         "pairs_informal", "mentors", "quality", "quality_formal", "quality_informal",
         "mentored", "skill_mentored", "gap_mentored", "skill_never", "gap_never",
         "time_share", "commitment", "under", "under_mentored", "under_formal",
         "majority_mentored", "majority_formal"], 0.0)
    for e in range(n):
        m = state["mentor"][e]
        if m < 0:
            continue
        formal = state["pair_kind"][e] == 1
        share[e] += state["contact_hours"][e] / hours_per_week
        hours = state["contact_hours"][e] + (prep_hours if formal else 0.0)
        if formal and group_format:
            hours /= max(state["load"][m], 1)
        share[m] += hours / hours_per_week
        sums["pairs"] += 1
        sums["quality"] += state["quality"][e]
        key = "formal" if formal else "informal"
        sums[f"pairs_{key}"] += 1
        sums[f"quality_{key}"] += state["quality"][e]
    for i in range(n):
        if not state["active"][i]:
            continue
        skill = state["performance"][i]
        job = skill * enablers[i] * (1 + motivation * state["commitment"][i])
        sums["active"] += 1
        sums["job"] += job
        sums["performance_net"] += job * (1 - share[i])
        sums["skill"] += skill
        sums["gap"] += state["gap"][i]
        sums["time_share"] += share[i]
        sums["commitment"] += state["commitment"][i]
        sums["proficient"] += skill >= threshold
        sums["mentors"] += state["load"][i] > 0
        if state["ever_mentored"][i]:
            sums["mentored"] += 1
            sums["skill_mentored"] += skill
            sums["gap_mentored"] += state["gap"][i]
        else:
            sums["skill_never"] += skill
            sums["gap_never"] += state["gap"][i]
        side = "under" if state["under"][i] else "majority"
        if side == "under":
            sums["under"] += 1
        sums[f"{side}_mentored"] += state["ever_mentored"][i]
        sums[f"{side}_formal"] += state["ever_formal"][i]
    return sums, share


def pair_index(mentor):
    """(rows, delta_row, mentee_start, mentee_slots) by sorting, the obvious way."""
    mentees = [i for i, m in enumerate(mentor) if m >= 0]
    rows = sorted(set(mentees) | {int(mentor[i]) for i in mentees})
    position = {slot: d for d, slot in enumerate(rows)}
    delta_row = [position.get(i, -1) for i in range(len(mentor))]
    start, slots = [0], []
    for slot in rows:
        slots += [e for e in mentees if mentor[e] == slot]
        start.append(len(slots))
    return rows, delta_row, start, slots


def gap_scores(skills, required, weights, mentees, candidate_slots):
    """score[i][c] = sum_k w_k max(r_k - s_ik, 0) max(s_mk - s_ik, 0)."""
    return [
        [sum(w * max(r - skills[e][k], 0.0) * max(skills[m][k] - skills[e][k], 0.0)
             for k, (r, w) in enumerate(zip(required, weights, strict=True)))
         for m in row]
        for e, row in zip(mentees, candidate_slots, strict=True)
    ]


def beta_quantile(p, mean, sd):
    """The p quantile of the beta distribution of mean ``mean`` and sd ``sd`` (var capped at
    95% of its largest value), by bisection on scipy's incomplete beta function."""
    from scipy.special import betainc

    if sd <= 0:
        return mean
    max_var = mean * (1.0 - mean)
    var = min(sd * sd, 0.95 * max_var)
    concentration = max_var / var - 1.0
    a, b = mean * concentration, (1.0 - mean) * concentration
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if betainc(a, b, mid) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def group_sums(active, under, mentor, sponsored, quality, psychosocial, tenure, min_tenure,
               service, level):
    """Dict of the equity sums ("under_*" then "major_*"), row by row (lists)."""
    names = ["headcount", "paired", "sponsored", "pair_quality", "pair_support", "seniors",
             "service_hours", "level"]
    sums = {f"{side}_{name}": 0.0 for side in ("under", "major") for name in names}
    for i in range(len(active)):
        if not active[i]:
            continue
        side = "under" if under[i] else "major"
        paired = mentor[i] >= 0
        senior = tenure[i] >= min_tenure
        sums[f"{side}_headcount"] += 1
        sums[f"{side}_level"] += level[i]
        if sponsored[i]:
            sums[f"{side}_sponsored"] += 1
        if paired:
            sums[f"{side}_paired"] += 1
            sums[f"{side}_pair_quality"] += quality[i]
            sums[f"{side}_pair_support"] += psychosocial[i]
        if senior:
            sums[f"{side}_seniors"] += 1
            sums[f"{side}_service_hours"] += service[i]
    return sums


def informal_seekers(active, mentor, load, pid, key, week, rate):
    """Free people (employed, no mentor, no mentee) whose informal draw is below ``rate``."""
    return [i for i in range(len(active))
            if active[i] and mentor[i] < 0 and load[i] == 0
            and counter_uniform(key, week, pid[i], 5) < rate]


def free_seniors(active, mentor, tenure, performance, load, willingness, min_tenure,
                 min_performance, willing_share, cap):
    """(slots, free places) of the willing seniors with a place left."""
    slots, places = [], []
    for i in range(len(active)):
        if (active[i] and mentor[i] < 0 and tenure[i] >= min_tenure
                and performance[i] >= min_performance and willingness[i] < willing_share
                and cap - load[i] > 0):
            slots.append(i)
            places.append(cap - load[i])
    return slots, places


def service_hours(active, tenure, group, min_tenure, demand, cap, n_groups):
    """Each slot's service hours: min(demand / the group's seniors, cap) for seniors."""
    seniors = [i for i in range(len(active)) if active[i] and tenure[i] >= min_tenure]
    counts = [sum(1 for i in seniors if group[i] == g) for g in range(n_groups)]
    per = [min(demand / counts[g], cap) if counts[g] else 0.0 for g in range(n_groups)]
    hours = [0.0] * len(active)
    for i in seniors:
        hours[i] = per[group[i]]
    return hours
