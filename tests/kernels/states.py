"""Small random states for the kernel tests: pairs, mentors with several mentees, gaps."""

import numpy as np


def random_state(seed: int, n: int = 12, k: int = 5):
    """The learning kernel's arguments for ``n`` employees and ``k`` competencies."""
    rng = np.random.default_rng(seed)
    skills = rng.random((n, k))
    active = rng.random(n) > 0.15
    pid = rng.integers(1, 10_000, n).astype(np.int64)
    aptitude = np.exp(rng.normal(0, 0.3, n))
    tenure = rng.integers(0, 300, n).astype(np.int32)
    mentor = np.full(n, -1, dtype=np.int32)
    quality = np.zeros(n)
    hours = np.zeros(n)
    focus = np.full(n, -1, dtype=np.int16)
    # random pairs, including mentors with several mentees and mentors who are mentees
    for e in rng.choice(n, size=n // 2, replace=False):
        m = int(rng.integers(n))
        if m != e and active[e] and active[m]:
            mentor[e] = m
            quality[e] = rng.uniform(0.1, 1.0)
            hours[e] = rng.uniform(0.1, 2.0)
            if rng.random() < 0.3:
                focus[e] = rng.integers(k)
    usage = rng.uniform(0.2, 1.0, k)
    required = rng.uniform(0.3, 0.95, k)
    weights = rng.random(k)
    weights /= weights.sum()
    kind = np.where(mentor >= 0, rng.integers(1, 3, n), 0).astype(np.int8)
    return skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, usage, \
        required, weights


def bookkeeping_state(seed: int, n: int = 40) -> dict:
    """The flows', outcomes' and weekly sums' arguments for ``n`` slots, by name."""
    rng = np.random.default_rng(seed)
    state = random_state(seed, n=n)
    skills, active, pid, aptitude, tenure, mentor, kind, quality, hours, focus, *_ = state
    load = np.bincount(mentor[mentor >= 0], minlength=n).astype(np.int16)
    return dict(
        active=active, pid=pid, mentor=mentor, quality=quality, contact_hours=hours,
        load=load, pair_kind=np.where(mentor >= 0, rng.integers(1, 3, n), 0).astype(np.int8),
        commitment=rng.normal(0, 0.3, n) * (rng.random(n) < 0.7),
        tenure=tenure, performance=rng.uniform(0.6, 1.0, n), gap=rng.uniform(0, 0.2, n),
        level=rng.integers(0, 11, n).astype(np.int8), promotions=np.zeros(n, np.int16),
        sponsored=rng.random(n) < 0.3, age=rng.uniform(20, 66, n),
        ever_mentored=rng.random(n) < 0.4, ever_formal=rng.random(n) < 0.2,
        under=rng.random(n) < 0.3,
        group=rng.integers(0, 3, n).astype(np.int8),
        psychosocial=rng.choice([1.0, 0.7, 0.5, 0.35], n),
    )
