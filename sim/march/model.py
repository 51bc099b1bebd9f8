"""March (1991) "Exploration and exploitation in organizational learning", as a Mesa model.

March, J. G. (1991). Organization Science 2(1):71-87. ``n`` individuals and an
organisational code hold beliefs about an external reality of ``m`` dimensions; the code
learns from the individuals who outperform it, and individuals learn from the code. The
rules are those that reproduce the paper's figures (Christensen 2015's note on March's
original program; see ``/work/shared/research-notes.md`` section 3 and ``docs/march.md``):

* reality ``r`` in {-1, +1}^m (each +1 with probability 1/2); beliefs in {-1, 0, +1}^m,
  uniform at the start; the code starts at all zeros;
* each period, in this order:

  1. turnover: each individual leaves with probability ``p3`` and is replaced by a
     newcomer with uniform beliefs (the position keeps its socialisation rate ``p1``);
  2. turbulence: each dimension of reality flips sign with probability ``p4``;
  3. act and evaluate: an individual acts on its beliefs, a 0 belief by a fair coin;
     performance = sum(action * reality); the code's score = sum(code * reality);
     the superior group is everyone whose performance exceeds the code's score;
  4. socialisation: with probability ``p1`` (the individual's rate), on each dimension
     where the code is set (nonzero) and the belief differs, the belief moves one step
     toward the code (0 -> c, -c -> 0);
  5. interpersonal learning (Miller, Zhao & Calantone 2006), see below;
  6. code learning: on each dimension, the superior group's majority is the sign of the
     sum of its actions and ``k`` the absolute sum; the code adopts the majority with
     probability ``1 - (1 - p2)^k``.

  The superior group, its votes and the peers' beliefs are those from before step 4.

Interpersonal learning (``p5``, an extension in the spirit of Miller, Zhao & Calantone
2006, AMJ 49(4)). Each period every individual ``i`` looks at one peer ``j``: a uniformly
drawn other individual (``peer="random"``) or, on a ring in the order of ``p1``, the left
or right neighbour with probability 1/2 each (``peer="neighbours"``). If ``j``'s
performance this period is strictly higher than ``i``'s, then on each dimension where
``j``'s belief (before socialisation) is nonzero and differs from ``i``'s current belief,
``i`` adopts ``j``'s belief with probability ``p5`` (per dimension). Copying comes after
socialisation, so it wins where both act in one period. ``p5 = 0`` is March's model
exactly (no draws are made, the peer mode is irrelevant).

Knowledge is ``sum(code * reality) / m`` (the code) or ``sum(belief * reality) / m``
(an individual), in [-1, 1]. The closed-system equilibrium (``p3 = p4 = 0``) is reached
when no later period can change the state: every individual with ``p1 > 0`` agrees with
the code wherever the code is set; if ``p2 > 0``, no individual's best possible
performance (score plus number of 0 beliefs) exceeds the code's score; and if
``p5 > 0``, no peer who could outperform an individual holds a nonzero belief that
differs from the individual's.

Randomness is counter-based (see :mod:`sim.march.kernels`): a run is fixed by one 64-bit
key, drawn from the model's ``rng``. ``MarchModel(rng=s)`` and run ``r`` of
:func:`simulate` with ``march_seeds(seed, n_runs)[r] == s`` are the same run.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import mesa
import numpy as np

from sim.kernels import configure_threading
from sim.march import kernels as _k

PEER_MODES = {"random": _k.PEER_RANDOM, "neighbours": _k.PEER_NEIGHBOURS}

__all__ = [
    "PEER_MODES",
    "Individual",
    "MarchModel",
    "MarchRuns",
    "march_seeds",
    "run_replications",
    "simulate",
]


def _check_rate(name: str, value: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}") from None
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"{name} must be in [0, 1], got {value!r}")
    return value


def _check_count(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_parameters(
    n: int, m: int, p1: float | Sequence[float], p2: float, p3: float, p4: float, p5: float,
    peer: str,
) -> tuple[int, int, np.ndarray, float, float, float, float, int]:
    """Validate the model's parameters; return them normalised (p1 as an (n,) array)."""
    n = _check_count("n", n, 1)
    m = _check_count("m", m, 1)
    if np.ndim(p1) == 0:
        p1_arr = np.full(n, _check_rate("p1", p1), dtype=np.float64)
    else:
        try:
            p1_arr = np.asarray(p1, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError("p1 must be a number or a sequence of n numbers") from None
        if p1_arr.ndim != 1 or p1_arr.shape[0] != n:
            raise ValueError(f"p1 must be a number or a sequence of n = {n} rates, "
                             f"got shape {p1_arr.shape}")
        bad = ~(np.isfinite(p1_arr) & (p1_arr >= 0.0) & (p1_arr <= 1.0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(f"p1 rates must be in [0, 1], got p1[{i}] = {p1_arr[i]!r}")
        p1_arr = np.ascontiguousarray(p1_arr)
    p2, p3, p4, p5 = (_check_rate(name, v) for name, v in
                      (("p2", p2), ("p3", p3), ("p4", p4), ("p5", p5)))
    if peer not in PEER_MODES:
        raise ValueError(f"peer must be one of {sorted(PEER_MODES)}, got {peer!r}")
    if p5 > 0.0 and n < 2:
        raise ValueError("interpersonal learning (p5 > 0) needs n >= 2 individuals")
    return n, m, p1_arr, p2, p3, p4, p5, PEER_MODES[peer]


def _draw_key(rng: np.random.Generator) -> np.uint64:
    """The run's 64-bit key for the counter-based generator, drawn from ``rng``."""
    return rng.integers(0, 2**64, dtype=np.uint64)


def march_seeds(seed: int, n_runs: int) -> list[int]:
    """The seeds of ``n_runs`` independent replications under one root seed.

    Spawned from ``np.random.SeedSequence(seed)``; ``MarchModel(rng=seeds[r])`` replays
    run ``r`` of :func:`simulate` or :func:`run_replications` with the same root seed.

    Args:
        seed: Root seed (a non-negative integer).
        n_runs: Number of replications.

    Returns:
        One integer seed per replication.

    """
    n_runs = _check_count("n_runs", n_runs, 1)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    children = np.random.SeedSequence(int(seed)).spawn(n_runs)
    return [int(c.generate_state(1, np.uint64)[0]) for c in children]


class Individual(mesa.Agent):
    """A member of the organisation: a thin view onto row ``index`` of the model's arrays.

    An individual is a position: under turnover (``p3``) its occupant is replaced by a
    newcomer with fresh beliefs, and the position keeps its socialisation rate.
    """

    def __init__(self, model: MarchModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    @property
    def belief(self) -> np.ndarray:
        """Beliefs in {-1, 0, +1}, one per dimension (a read-only view)."""
        return self.model.beliefs[self.index]

    @property
    def knowledge(self) -> float:
        """sum(belief * reality) / m."""
        return float(self.model.individual_knowledge[self.index])

    @property
    def p1(self) -> float:
        """Socialisation rate."""
        return float(self.model.p1[self.index])

    @property
    def performance(self) -> int | None:
        """Performance in the last period (sum(action * reality)); None before period 1."""
        if self.model.steps == 0:
            return None
        return int(self.model.performance[self.index])


class MarchModel(mesa.Model):
    """March's (1991) mutual-learning model with turnover, turbulence and peer learning.

    One step is one period. ``running`` turns False at the closed-system equilibrium
    (only when ``p3 = p4 = 0``), after which no step changes anything.

    Args:
        n: Number of individuals.
        m: Number of dimensions of reality.
        p1: Socialisation rate: one number, or a sequence of ``n`` per-individual rates.
        p2: Code-learning rate.
        p3: Turnover: probability per period that an individual is replaced.
        p4: Turbulence: probability per period that a dimension of reality flips.
        p5: Interpersonal learning: probability per dimension of copying a better peer.
        peer: Whom an individual learns from: ``"random"`` (any other individual) or
            ``"neighbours"`` (left or right on a ring).
        rng: Seed or generator; the run is fixed by one key drawn from it.

    Attributes:
        datacollector: Collects ``code_knowledge`` and ``mean_individual_knowledge`` at
            period 0 and after every period.

    """

    def __init__(
        self,
        n: int = 50,
        m: int = 30,
        p1: float | Sequence[float] = 0.1,
        p2: float = 0.5,
        p3: float = 0.0,
        p4: float = 0.0,
        p5: float = 0.0,
        peer: str = "random",
        rng: int | np.random.Generator | None = None,
    ) -> None:
        super().__init__(rng=rng)
        (self.n, self.m, p1_arr, self.p2, self.p3, self.p4, self.p5,
         self._peer_mode) = _check_parameters(n, m, p1, p2, p3, p4, p5, peer)
        self.peer = peer
        self.key = _draw_key(self.rng)
        self._p1 = p1_arr
        self._beliefs = np.empty((self.n, self.m), dtype=np.int8)
        self._code = np.empty(self.m, dtype=np.int8)
        self._reality = np.empty(self.m, dtype=np.int8)
        self._actions = np.zeros((self.n, self.m), dtype=np.int8)
        self._perf = np.zeros(self.n, dtype=np.int64)
        self._snapshot = np.empty((self.n, self.m), dtype=np.int8)
        _k._init_state(self.key, self._beliefs, self._code, self._reality)
        for i in range(self.n):
            Individual(self, i)
        self.individuals = self.agents_by_type[Individual]
        self._update_running()
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "code_knowledge": "code_knowledge",
                "mean_individual_knowledge": "mean_individual_knowledge",
            }
        )
        self.datacollector.collect(self)

    @property
    def closed(self) -> bool:
        """True when there is neither turnover nor turbulence (p3 = p4 = 0)."""
        return self.p3 == 0.0 and self.p4 == 0.0

    def _update_running(self) -> None:
        self.running = not (self.closed and bool(_k._at_equilibrium(
            self._beliefs, self._code, self._reality, self._p1, self.p2, self.p5,
            self._peer_mode)))

    def step(self) -> None:
        """Advance one period (``self.steps`` is the period being computed)."""
        _k._step(self._beliefs, self._code, self._reality, self._p1, self.p2, self.p3,
                 self.p4, self.p5, self._peer_mode, self.key, self.steps, self._actions,
                 self._perf, self._snapshot)
        self._update_running()
        self.datacollector.collect(self)

    def run_to_equilibrium(self, max_periods: int = 10_000) -> MarchModel:
        """Step until the equilibrium or ``max_periods`` periods in all; returns self."""
        if not self.closed:
            raise ValueError("only a closed system (p3 = p4 = 0) reaches an equilibrium")
        while self.running and self.steps < max_periods:
            self.step()
        return self

    @staticmethod
    def _readonly(a: np.ndarray) -> np.ndarray:
        view = a.view()
        view.flags.writeable = False
        return view

    @property
    def beliefs(self) -> np.ndarray:
        """(n, m) beliefs in {-1, 0, +1} (read-only view)."""
        return self._readonly(self._beliefs)

    @property
    def code(self) -> np.ndarray:
        """(m,) organisational code in {-1, 0, +1} (read-only view)."""
        return self._readonly(self._code)

    @property
    def reality(self) -> np.ndarray:
        """(m,) reality in {-1, +1} (read-only view)."""
        return self._readonly(self._reality)

    @property
    def p1(self) -> np.ndarray:
        """(n,) socialisation rates (read-only view)."""
        return self._readonly(self._p1)

    @property
    def performance(self) -> np.ndarray:
        """(n,) performances in the last period (zeros before period 1; read-only view)."""
        return self._readonly(self._perf)

    @property
    def code_knowledge(self) -> float:
        """sum(code * reality) / m."""
        return float(_k._knowledge(self._code, self._reality))

    @property
    def individual_knowledge(self) -> np.ndarray:
        """(n,) each individual's sum(belief * reality) / m, in the order of ``p1``."""
        out = np.empty(self.n, dtype=np.float64)
        _k._individual_knowledge(self._beliefs, self._reality, out)
        return out

    @property
    def mean_individual_knowledge(self) -> float:
        """Mean of :attr:`individual_knowledge`."""
        return float(_k._mean_individual_knowledge(self._beliefs, self._reality))


@dataclass(frozen=True)
class MarchRuns:
    """Outcomes of many replications (one row per run).

    Attributes:
        code_knowledge: (n_runs,) code knowledge at the end.
        individual_knowledge: (n_runs,) mean individual knowledge at the end.
        periods: (n_runs,) periods run (up to the equilibrium or the horizon).
        at_equilibrium: (n_runs,) whether the run reached the closed-system equilibrium.
        code_path: (n_runs, periods + 1) code knowledge at periods 0..periods, or None.
        individual_path: (n_runs, periods + 1) mean individual knowledge, or None.
        group_path: (n_runs, periods + 1, n_groups) mean individual knowledge per group
            label of ``groups``, or None.
        seeds: The replications' seeds (see :func:`march_seeds`).

    """

    code_knowledge: np.ndarray
    individual_knowledge: np.ndarray
    periods: np.ndarray
    at_equilibrium: np.ndarray
    code_path: np.ndarray | None
    individual_path: np.ndarray | None
    group_path: np.ndarray | None
    seeds: list[int]


def simulate(
    n_runs: int,
    periods: int | None = None,
    *,
    n: int = 50,
    m: int = 30,
    p1: float | Sequence[float] = 0.1,
    p2: float = 0.5,
    p3: float = 0.0,
    p4: float = 0.0,
    p5: float = 0.0,
    peer: str = "random",
    seed: int = 0,
    record: bool = False,
    groups: Sequence[int] | None = None,
    max_periods: int = 10_000,
) -> MarchRuns:
    """Run many independent replications at once in the batch kernel.

    Args:
        n_runs: Number of replications.
        periods: Horizon in periods; None runs each replication to its equilibrium
            (only for a closed system, p3 = p4 = 0), at most ``max_periods``. A run that
            reaches the equilibrium before the horizon stops there: nothing changes after.
        n: Number of individuals.
        m: Number of dimensions.
        p1: Socialisation rate, or a sequence of ``n`` rates.
        p2: Code-learning rate.
        p3: Turnover.
        p4: Turbulence.
        p5: Interpersonal learning.
        peer: ``"random"`` or ``"neighbours"``.
        seed: Root seed; the runs' seeds are ``march_seeds(seed, n_runs)``.
        record: Keep the per-period paths (needs ``periods``).
        groups: Optional integer label (0, 1, ...) per individual; with ``record`` the
            mean knowledge of each group is kept per period (e.g. fast and slow learners).
        max_periods: Cap on periods when running to equilibrium.

    Returns:
        The replications' outcomes.

    Raises:
        ValueError: On a parameter out of range, or ``periods=None`` with turnover or
            turbulence (no equilibrium), or ``record`` without ``periods``.

    """
    n, m, p1_arr, p2, p3, p4, p5, peer_mode = _check_parameters(n, m, p1, p2, p3, p4, p5, peer)
    seeds = march_seeds(seed, n_runs)
    if periods is None:
        if p3 > 0.0 or p4 > 0.0:
            raise ValueError("with turnover or turbulence (p3, p4 > 0) there is no "
                             "equilibrium: give a number of periods")
        if record:
            raise ValueError("record=True needs a number of periods")
        horizon = _check_count("max_periods", max_periods, 0)
    else:
        horizon = _check_count("periods", periods, 0)
    if groups is None:
        group_arr = np.zeros(n, dtype=np.int64)
    else:
        group_arr = np.asarray(groups)
        if group_arr.shape != (n,) or not np.issubdtype(group_arr.dtype, np.integer) \
                or group_arr.min() < 0:
            raise ValueError(f"groups must be n = {n} non-negative integer labels")
        group_arr = group_arr.astype(np.int64)
    n_groups = int(group_arr.max()) + 1
    keys = np.array([_draw_key(np.random.default_rng(s)) for s in seeds], dtype=np.uint64)
    configure_threading()  # before numba starts the threads of the parallel batch kernel
    code, indiv, run_periods, at_eq, path_code, path_indiv, path_group = _k._run_batch(
        keys, n, m, p1_arr, p2, p3, p4, p5, peer_mode, horizon, True, record, group_arr,
        n_groups)
    if periods is None and not at_eq.all():
        warnings.warn(f"{int((~at_eq).sum())} of {n_runs} runs did not reach the equilibrium "
                      f"within {horizon} periods", RuntimeWarning, stacklevel=2)
    return MarchRuns(
        code_knowledge=code,
        individual_knowledge=indiv,
        periods=run_periods,
        at_equilibrium=at_eq,
        code_path=path_code if record else None,
        individual_path=path_indiv if record else None,
        group_path=path_group if record and groups is not None else None,
        seeds=seeds,
    )


def run_replications(
    n_runs: int,
    periods: int | None = None,
    *,
    n: int = 50,
    m: int = 30,
    p1: float | Sequence[float] = 0.1,
    p2: float = 0.5,
    p3: float = 0.0,
    p4: float = 0.0,
    p5: float = 0.0,
    peer: str = "random",
    seed: int = 0,
    max_periods: int = 10_000,
) -> np.ndarray:
    """Code knowledge of ``n_runs`` replications, at the equilibrium or after ``periods``.

    A shortcut for ``simulate(...).code_knowledge``; see :func:`simulate` for the
    arguments. The same seed gives the same numbers.

    Args:
        n_runs: Number of replications.
        periods: Horizon; None runs to the equilibrium (closed systems only).
        n: Number of individuals.
        m: Number of dimensions.
        p1: Socialisation rate, or a sequence of ``n`` rates.
        p2: Code-learning rate.
        p3: Turnover.
        p4: Turbulence.
        p5: Interpersonal learning.
        peer: ``"random"`` or ``"neighbours"``.
        seed: Root seed.
        max_periods: Cap on periods when running to equilibrium.

    Returns:
        (n_runs,) code knowledge, sum(code * reality) / m, per replication.

    """
    return simulate(n_runs, periods, n=n, m=m, p1=p1, p2=p2, p3=p3, p4=p4, p5=p5, peer=peer,
                    seed=seed, max_periods=max_periods).code_knowledge
