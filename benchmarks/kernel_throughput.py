"""Learning-kernel throughput against the machine's memory bandwidth (issue 5, target 1).

Measures, side by side in one process: read-modify-write bandwidth of a plain numba
stream over an array the size of the skill matrix (1 and all threads), then one week of
the learning kernel at N employees x K competencies with a share of them in pairs
(serial and parallel kernels, and the whole ``learn_week`` wrapper including the mentor
snapshot and reciprocal gains). The floor is the bytes the step must read and write
divided by the measured bandwidth; the figure is floor / measured time.

Usage: python benchmarks/kernel_throughput.py [--n 1000000] [--k 32] [--pairs 0.1] [--reps 7]
Prints one line of figures.
"""

import argparse
import statistics
import time

import numba
import numpy as np
from numba import njit, prange

from sim.kernels import LearningRates, configure_threading, learn_week, pair_index, set_threads
from sim.kernels import learning as kernels


@njit(cache=True)
def _stream(a):
    for i in range(a.shape[0]):
        a[i] = a[i] * 0.999999 + 1e-9


@njit(cache=True, parallel=True)
def _stream_parallel(a):
    for i in prange(a.shape[0]):
        a[i] = a[i] * 0.999999 + 1e-9


def median_time(fn, reps):
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_state(n, k, pair_share, seed=0):
    rng = np.random.default_rng(seed)
    skills = rng.random((n, k))
    n_pairs = int(n * pair_share / 2)
    order = rng.permutation(n)
    mentees, mentors = order[:n_pairs], order[n_pairs:2 * n_pairs]
    mentor = np.full(n, -1, np.int32)
    mentor[mentees] = mentors
    quality = np.zeros(n)
    quality[mentees] = rng.uniform(0.2, 0.9, n_pairs)
    hours = np.zeros(n)
    hours[mentees] = 0.46
    return dict(
        skills=skills, active=np.ones(n, bool), pid=np.arange(1, n + 1, dtype=np.int64),
        aptitude=np.exp(rng.normal(0, 0.25, n)),
        tenure_weeks=rng.integers(0, 1500, n).astype(np.int32), mentor=mentor,
        quality=quality, contact_hours=hours,
        pair_kind=np.where(mentor >= 0, 1, 0).astype(np.int8),
        focus_competency=np.full(n, -1, np.int16),
        usage=rng.uniform(0.3, 0.9, k), required=rng.uniform(0.3, 0.9, k),
        weights=np.full(k, 1.0 / k),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--k", type=int, default=32)
    parser.add_argument("--pairs", type=float, default=0.1, help="share of employees in pairs")
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    n, k = args.n, args.k
    configure_threading()  # before the first parallel region here starts numba's threads
    threads = numba.get_num_threads()

    buffer = np.random.default_rng(1).random(n * k)
    _stream(buffer[:10])
    _stream_parallel(buffer[:10])
    t_bw1 = median_time(lambda: _stream(buffer), args.reps)
    t_bw2 = median_time(lambda: _stream_parallel(buffer), args.reps)
    bw1 = 2 * buffer.nbytes / t_bw1
    bw2 = 2 * buffer.nbytes / t_bw2
    buffer = None  # free the memory before the model state is built

    state = make_state(n, k, args.pairs)
    rates = LearningRates(0.015, 2.0, 16.0, 0.015, 0.03, 0.0147, 0.3)
    per_row = (1 + 8 + 8 + 4 + 4 + 8 + 8 + 2 + 8) + 2 * 8  # inputs read + perf/gap written
    bytes_step = 2 * n * k * 8 + n * per_row
    floor_1 = bytes_step / bw1
    floor_2 = bytes_step / bw2

    # the learning kernel alone, every row on the fast path (no pairs)
    no_pairs = np.full(n, -1, np.int64)
    no_delta = np.zeros((1, k))
    perf = np.empty(n)
    gap = np.empty(n)

    def kernel():
        kernels._learn_week(
            state["skills"], state["active"], state["pid"], state["aptitude"],
            state["tenure_weeks"], state["contact_hours"], no_pairs, no_delta, state["usage"],
            state["required"], state["weights"], 0.015, 1.0 / 37.5, rates.novice_curve, 0.0147,
            0.3, np.uint64(7), np.int64(3), perf, gap,
        )

    def whole():
        learn_week(state["skills"], state["active"], state["pid"], state["aptitude"],
                   state["tenure_weeks"], state["mentor"], state["pair_kind"], state["quality"],
                   state["contact_hours"], state["focus_competency"], state["usage"],
                   state["required"], state["weights"], rates, True, 37.5, 7, 3)

    # the pair deltas alone: random access along the mentor links
    index = pair_index(state["mentor"])

    def pair_deltas():
        kernels._pair_deltas(
            state["skills"], state["pid"], state["aptitude"], state["mentor"],
            state["pair_kind"], state["quality"], state["contact_hours"],
            state["focus_competency"], index[0], index[2], index[3], state["required"],
            state["weights"], rates.mentoring, rates.reciprocal, True, rates.noise_sd,
            np.uint64(7), np.int64(3))

    # threaded figures first: once numba's thread count has been set to 1 and back, its
    # threads run markedly slower in this process (27 -> 43 ms for `whole` here), which a
    # model never does (sweeps set 1 thread per worker once and keep it)
    kernel()
    whole()
    t_parallel = median_time(kernel, args.reps)
    t_whole = median_time(whole, args.reps)
    pair_deltas()
    t_pairs = median_time(pair_deltas, args.reps)
    set_threads(1)
    t_serial = median_time(kernel, args.reps)
    set_threads(None)
    print(
        f"N={n} K={k} pairs={args.pairs:.0%} threads={threads} layer={numba.threading_layer()} "
        f"| bandwidth RMW 1 thread {bw1 / 1e9:.1f} GB/s, {threads} threads {bw2 / 1e9:.1f} GB/s "
        f"| step bytes {bytes_step / 1e6:.0f} MB, floor {floor_2 * 1e3:.1f} ms "
        f"| kernel 1 thread {t_serial * 1e3:.1f} ms ({floor_1 / t_serial:.0%} of 1-thread floor, "
        f"{t_serial / (n * k) * 1e9:.2f} ns/skill) "
        f"| kernel {threads} threads {t_parallel * 1e3:.1f} ms "
        f"({floor_2 / t_parallel:.0%} of floor) "
        f"| learn_week with {args.pairs:.0%} in pairs {t_whole * 1e3:.1f} ms "
        f"({floor_2 / t_whole:.0%} of floor) "
        f"| pair deltas {t_pairs * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
