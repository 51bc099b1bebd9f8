"""Slow, obvious reference versions of every kernel in sim/kernels.py.

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
    skills, active, pid, aptitude, tenure, mentor, quality, contact_hours, focus_competency,
    usage, required, weights,
    doing_rate, novice_boost, novice_weeks, mentoring_rate, reciprocal_rate, forget_rate,
    targeted, targeted_multiplier, noise_sd, key, week, stream,
):
    """Return (new skills, performance, gap) as lists; the input is not modified."""
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
        m = int(mentor[i])
        weighted_gaps = [weights[k] * max(required[k] - row[k], 0.0) for k in range(n_k)]
        total_gap = sum(weighted_gaps)
        for k in range(n_k):
            s = row[k]
            value = s + doing_rate * novice * aptitude[i] * effort * usage[k] * (1.0 - s)
            value -= forget_rate * (1.0 - usage[k]) * s
            if m >= 0:
                mult = targeted_multiplier if targeted else 1.0
                if focus_competency[i] >= 0:
                    focus = float(n_k) if k == focus_competency[i] else 0.0
                elif targeted:
                    focus = n_k * weighted_gaps[k] / total_gap if total_gap > 0 else 1.0
                else:
                    focus = 1.0
                c = mentoring_rate * aptitude[i] * effort * quality[i] * contact_hours[i] * mult
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


def match_by_scores(scores, candidates, capacity):
    """Greedy: best-scoring candidate with capacity, else next index with capacity."""
    capacity = list(capacity)
    result = []
    for i, row in enumerate(candidates):
        if sum(capacity) <= 0:
            result.append(-1)
            continue
        options = [(scores[i][c], -c, j) for c, j in enumerate(row) if capacity[j] > 0]
        if options:
            best_score = max(score for score, _, _ in options)
            best = next(j for score, _, j in options if score == best_score)
        else:
            n = len(capacity)
            best = next((row[0] + s) % n for s in range(n) if capacity[(row[0] + s) % n] > 0)
        capacity[best] -= 1
        result.append(best)
    return result, capacity
