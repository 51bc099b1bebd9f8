"""Threading layers and wait policies for the parallel kernels (issue 5, target 6).

Times the learning kernel (no pairs) at several sizes, parallel and serial twin side by
side, once per threading configuration, each in a fresh process (the layer and OpenMP's
wait policy are fixed when a process first runs a parallel kernel). With ``--busy`` a
spinning process holds one core meanwhile, as another job on a shared machine would.
This is what chose OpenMP with ``OMP_WAIT_POLICY=passive`` as the default and the
serial/parallel threshold, both in ``sim/kernels/threads.py``.

Usage: python benchmarks/threading_layers.py [--k 32] [--busy]
Prints one line per configuration: median µs per call, parallel and serial.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, statistics, sys, time
import numba
import numpy as np
sys.path.insert(0, "benchmarks")
from kernel_throughput import make_state
from sim.kernels import SERIAL, LearningRates, configure_threading
from sim.kernels import learning as kernels

configure_threading()  # the policy, unless this child's environment overrides it

rates = LearningRates(0.015, 2.0, 16.0, 0.015, 0.03, 0.0147, 0.3)
k = int(sys.argv[1])
figures = {}
for n in (1_000, 100_000, 1_000_000):
    state = make_state(n, k, 0.1)
    perf, gap = np.empty(n), np.empty(n)
    no_pairs, no_delta = np.full(n, -1, np.int64), np.zeros((1, k))

    def call(kernel):
        return lambda: kernel(
            state["skills"], state["active"], state["pid"], state["aptitude"],
            state["tenure_weeks"], state["contact_hours"], no_pairs, no_delta,
            state["usage"], state["required"], state["weights"], 0.015, 1.0 / 37.5,
            rates.novice_curve, 0.0147, 0.3, np.uint64(7), np.int64(3), perf, gap)

    runs = {"parallel": call(kernels._learn_week),
            "serial": call(SERIAL[kernels._learn_week])}
    times = {name: [] for name in runs}
    for run in runs.values():
        run()
    for _ in range(21 if n < 1_000_000 else 7):
        for name, run in runs.items():  # alternated, as a model's week alternates work
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    figures[n] = {name: statistics.median(t) * 1e6 for name, t in times.items()}
print(json.dumps({"layer": numba.threading_layer(), "figures": figures}))
"""

CONFIGURATIONS = {
    "omp, passive (default)": {},
    "omp, active wait (spinning)": {"OMP_WAIT_POLICY": "ACTIVE"},
    "workqueue": {"NUMBA_THREADING_LAYER": "workqueue"},
}


def run_child(k: int, extra_env: dict) -> dict:
    env = dict(os.environ)
    env.pop("NUMBA_THREADING_LAYER", None)
    env.pop("OMP_WAIT_POLICY", None)
    env.update(extra_env)
    proc = subprocess.run([sys.executable, "-c", CHILD, str(k)], capture_output=True,
                          text=True, cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)})
    if proc.returncode != 0:
        raise SystemExit(proc.stderr.strip()[-800:])
    return json.loads(proc.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--k", type=int, default=32)
    parser.add_argument("--busy", action="store_true", help="hold one core with a spinner")
    args = parser.parse_args()
    spinner = None
    if args.busy:
        spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        for name, extra in CONFIGURATIONS.items():
            found = run_child(args.k, extra)
            cells = ", ".join(
                f"N={int(n):,}: {f['parallel']:.0f} / {f['serial']:.0f} µs"
                for n, f in found["figures"].items()
            )
            print(f"{name} [{found['layer']}]{' busy core' if args.busy else ''}, K={args.k}, "
                  f"parallel / serial: {cells}", flush=True)
    finally:
        if spinner is not None:
            spinner.kill()


if __name__ == "__main__":
    main()
