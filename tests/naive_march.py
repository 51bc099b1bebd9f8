"""Slow, obvious reference versions of every kernel in sim/march/kernels.py.

Plain Python over lists of ints, written from the rules in sim/march/model.py's docstring.
The random draws are the same counter-based hash, reimplemented here with Python integers,
so the kernels and these functions can be compared exactly.
"""

from __future__ import annotations

MASK = 2**64 - 1

REALITY, BELIEF, TURNOVER, NEWCOMER, TURBULENCE, ACT, SOCIALISE, CODE, PEER, COPY = range(1, 11)
RANDOM, NEIGHBOURS = 0, 1


def splitmix64(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def uniform(key: int, t: int, stream: int, i: int, k: int) -> float:
    h = splitmix64(key ^ ((t * 0xD6E8FEB86659FD93) & MASK) ^ ((stream * 0xA0761D6478BD642F) & MASK))
    h = splitmix64(h ^ i)
    h = splitmix64(h ^ ((k * 0xE7037ED1A0B428DB) & MASK))
    return (h >> 11) / 2.0**53


def ternary(u: float) -> int:
    if u < 1 / 3:
        return -1
    if u < 2 / 3:
        return 0
    return 1


def init_state(key: int, n: int, m: int):
    """Return (beliefs, code, reality) at period 0."""
    reality = [1 if uniform(key, 0, REALITY, 0, k) < 0.5 else -1 for k in range(m)]
    code = [0] * m
    beliefs = [[ternary(uniform(key, 0, BELIEF, i, k)) for k in range(m)] for i in range(n)]
    return beliefs, code, reality


def dot(a, b) -> int:
    return sum(x * y for x, y in zip(a, b, strict=True))


def sign(x: int) -> int:
    return (x > 0) - (x < 0)


def step(beliefs, code, reality, p1, p2, p3, p4, p5, peer, key, t):
    """One period. Returns (beliefs, code, reality, actions, performances); inputs kept."""
    beliefs = [list(row) for row in beliefs]
    code = list(code)
    reality = list(reality)
    n, m = len(beliefs), len(code)

    # turnover
    for i in range(n):
        if p3 > 0 and uniform(key, t, TURNOVER, i, 0) < p3:
            beliefs[i] = [ternary(uniform(key, t, NEWCOMER, i, k)) for k in range(m)]
    # turbulence
    for k in range(m):
        if p4 > 0 and uniform(key, t, TURBULENCE, 0, k) < p4:
            reality[k] = -reality[k]
    # act and evaluate
    actions = []
    for i in range(n):
        row = []
        for k in range(m):
            if beliefs[i][k] != 0:
                row.append(beliefs[i][k])
            else:
                row.append(1 if uniform(key, t, ACT, i, k) < 0.5 else -1)
        actions.append(row)
    performance = [dot(a, reality) for a in actions]
    code_score = dot(code, reality)
    superior = [i for i in range(n) if performance[i] > code_score]
    before = [list(row) for row in beliefs]

    # socialisation: one step toward the code
    for i in range(n):
        for k in range(m):
            c, b = code[k], beliefs[i][k]
            if c != 0 and b != c and p1[i] > 0 and uniform(key, t, SOCIALISE, i, k) < p1[i]:
                beliefs[i][k] = c if b == 0 else 0

    # interpersonal learning from a better-performing peer's earlier beliefs
    if p5 > 0 and n > 1:
        for i in range(n):
            u = uniform(key, t, PEER, i, 0)
            if peer == NEIGHBOURS:
                j = (i - 1) % n if u < 0.5 else (i + 1) % n
            else:
                others = [x for x in range(n) if x != i]
                j = others[int(u * (n - 1))]
            if performance[j] > performance[i]:
                for k in range(m):
                    bj = before[j][k]
                    if bj != 0 and bj != beliefs[i][k] and uniform(key, t, COPY, i, k) < p5:
                        beliefs[i][k] = bj

    # the code learns the superior group's majority
    for k in range(m):
        votes = sum(actions[i][k] for i in superior)
        if p2 > 0 and votes != 0 and code[k] != sign(votes):
            stay = 1.0
            for _ in range(abs(votes)):
                stay *= 1.0 - p2
            if uniform(key, t, CODE, 0, k) < 1.0 - stay:
                code[k] = sign(votes)
    return beliefs, code, reality, actions, performance


def at_equilibrium(beliefs, code, reality, p1, p2, p5, peer) -> bool:
    n = len(beliefs)
    for i in range(n):
        for k in range(len(code)):
            if p1[i] > 0 and code[k] != 0 and beliefs[i][k] != code[k]:
                return False
    score = [dot(b, reality) for b in beliefs]
    zeros = [b.count(0) for b in beliefs]
    best = [score[i] + zeros[i] for i in range(n)]
    worst = [score[i] - zeros[i] for i in range(n)]
    if p2 > 0 and any(best[i] > dot(code, reality) for i in range(n)):
        return False
    if p5 > 0 and n > 1:
        for i in range(n):
            if peer == NEIGHBOURS:
                peers = {(i - 1) % n, (i + 1) % n}
            else:
                peers = set(range(n)) - {i}
            for j in peers:
                teaches = any(bj != 0 and bj != bi for bj, bi in zip(beliefs[j], beliefs[i],
                                                                       strict=True))
                if best[j] > worst[i] and teaches:
                    return False
    return True


def knowledge(vector, reality) -> float:
    return dot(vector, reality) / len(reality)


def run(key, n, m, p1, p2, p3, p4, p5, peer, max_periods, groups=None):
    """One replication, stopping at the equilibrium of a closed system.

    Returns (periods run, at equilibrium, code knowledge path, mean individual knowledge
    path, per-group mean knowledge path), the paths over the periods actually run.
    """
    groups = groups if groups is not None else [0] * n
    n_groups = max(groups) + 1
    beliefs, code, reality = init_state(key, n, m)
    code_path, indiv_path, group_path = [], [], []
    t = 0
    while True:
        scores = [dot(b, reality) for b in beliefs]
        code_path.append(knowledge(code, reality))
        indiv_path.append(sum(scores) / (n * m))
        group_path.append([
            sum(s for s, g in zip(scores, groups, strict=True) if g == label)
            / (groups.count(label) * m) if label in groups else float("nan")
            for label in range(n_groups)
        ])
        closed = p3 == 0 and p4 == 0
        if closed and at_equilibrium(beliefs, code, reality, p1, p2, p5, peer):
            return t, True, code_path, indiv_path, group_path
        if t >= max_periods:
            return t, False, code_path, indiv_path, group_path
        t += 1
        beliefs, code, reality, _, _ = step(beliefs, code, reality, p1, p2, p3, p4, p5, peer,
                                            key, t)
