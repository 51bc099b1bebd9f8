"""A pyabc sampler whose result depends on the seed only, not on the number of workers.

pyabc's multi-core samplers reseed every worker from the operating system and accept
particles in the order they finish, so two calibrations with the same seed differ.
:class:`SeededSampler` evaluates candidates in batches instead: candidate ``i`` of the
``call``-th sampling draws everything (its proposal, its run's seed) from
``SeedSequence([seed, call, i])``, and candidates are accepted in index order, so the
first ``n`` accepted are the same on one process or many. The workers are spawned
processes (numba's threads do not survive a fork), reused over the generations.

Imported only by :func:`sim.experiment.calibrate.run_calibration` (it needs pyabc).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import random
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

import numpy as np
from pyabc.sampler import Sampler

from sim.experiment import lifetime
from sim.experiment.limits import check_workers


def particle_seed(seed: int, call: int, index: int) -> int:
    """The 32-bit seed of candidate ``index`` of the ``call``-th sampling."""
    return int(np.random.SeedSequence([seed, call, index]).generate_state(1)[0])


_WORKER_FN: tuple[int, Any] | None = None


def _worker_start() -> None:
    """In each worker process: one numba thread (the processes are the parallelism)."""
    from sim.kernels import set_threads

    set_threads(1)


def _seeded(fn: Callable[[], Any], seed: int) -> Any:
    np.random.seed(seed)
    random.seed(seed)
    return fn()


def _simulate_chunk(token: int, payload: bytes, seeds: list[int]) -> list[Any]:
    """Run pyabc's ``simulate_one`` once per seed (unpickled once per sampling)."""
    global _WORKER_FN
    if _WORKER_FN is None or _WORKER_FN[0] != token:
        import cloudpickle

        _WORKER_FN = (token, cloudpickle.loads(payload))
    return [_seeded(_WORKER_FN[1], seed) for seed in seeds]


def _call(run: Callable[[dict[str, float], int], dict[str, float]],
          parameters: dict[str, float], seed: int) -> dict[str, float]:
    return run(parameters, seed)


class SeededSampler(Sampler):
    """Seeded batches over a pool of spawned processes (see the module docstring).

    Args:
        seed: The calibration's seed.
        workers: Processes (1 = in this process).
        batch: Candidates per round (default 4 per worker); the last round of a
            generation may evaluate up to ``batch - 1`` candidates that are not used.

    """

    def __init__(self, seed: int, workers: int = 1, batch: int | None = None) -> None:
        super().__init__()
        self.seed = int(seed)
        self.workers = max(1, int(workers))
        if self.workers > 1:
            check_workers(self.workers)
        self.batch = batch or 4 * self.workers
        self.calls = 0
        self.pool: Executor | None = None

    def executor(self) -> Executor | None:
        """The worker pool (made on first use; None with one worker)."""
        if self.workers > 1 and self.pool is None:
            self.pool = ProcessPoolExecutor(  # workers die with this process
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=lifetime.init_worker,
                initargs=(os.getpid(), lifetime.by_name(_worker_start)))
        return self.pool

    def close(self) -> None:
        """Shut the worker pool down."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None

    def _evaluate(self, simulate_one: Callable, payload: bytes | None, seeds: list[int]
                  ) -> list[Any]:
        pool = self.executor()
        if pool is None or payload is None:
            return [_seeded(simulate_one, seed) for seed in seeds]
        size = math.ceil(len(seeds) / self.workers)
        futures = [pool.submit(_simulate_chunk, self.calls, payload, seeds[i:i + size])
                   for i in range(0, len(seeds), size)]
        return [particle for future in futures for particle in future.result()]

    def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf,  # noqa: ARG002
                                all_accepted=False, ana_vars=None):  # noqa: ARG002
        """Evaluate candidates in seeded batches until ``n`` are accepted (pyabc's hook)."""
        self.calls += 1
        payload = None
        if self.executor() is not None:
            import cloudpickle

            payload = cloudpickle.dumps(simulate_one)
        sample = self._create_empty_sample()
        index = accepted = evaluations = 0
        while accepted < n and evaluations < max_eval:
            seeds = [particle_seed(self.seed, self.calls, i)
                     for i in range(index, index + self.batch)]
            index += self.batch
            for particle in self._evaluate(simulate_one, payload, seeds):
                sample.append(particle)
                evaluations += 1
                accepted += bool(particle.accepted)
                if accepted >= n or evaluations >= max_eval:
                    break
        self.nr_evaluations_ = evaluations
        if sample.n_accepted < n:
            sample.ok = False
        return sample

    def predict(self, run: Callable[[dict[str, float], int], dict[str, float]],
                draws: Sequence[dict[str, float]], seeds: Sequence[int]
                ) -> list[dict[str, float]]:
        """``run(draw, seed)`` for each pair, on the workers, in order."""
        pool = self.executor()
        if pool is None:
            return [run(d, s) for d, s in zip(draws, seeds, strict=True)]
        chunk = max(1, len(draws) // (4 * self.workers))
        return list(pool.map(_call, [run] * len(draws), draws, seeds, chunksize=chunk))
