"""Start-up: wall time of `mentorsim run` on a small scenario, cold and warm (issue 5, target 5).

Warm is also timed with ``--no-plots`` (data files only).
Cold: numba's cache in a fresh empty directory (NUMBA_CACHE_DIR), so every kernel
compiles. Warm: the same directory again, so every kernel loads from the cache. Each is
a fresh process; medians of several runs. Also the import time of the `sim` package.

Usage: python benchmarks/startup.py [--reps 3]
Prints one line of figures.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

SMALL = ["--set", "organisation.headcount=200", "--set", "horizon_weeks=52"]


def timed(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        run = [sys.executable, "-m", "sim.cli", "run", "scenarios/mentoring.toml", "--quiet",
               "--out", os.path.join(out, "r"), *SMALL]
        cold = timed(run, env)
        warm = statistics.median(timed(run, env) for _ in range(args.reps))
        no_plots = statistics.median(timed([*run, "--no-plots"], env) for _ in range(args.reps))
        imports = statistics.median(
            timed([sys.executable, "-c", "import sim"], env) for _ in range(args.reps)
        )
        validate = statistics.median(
            timed([sys.executable, "-m", "sim.cli", "validate", "scenarios/mentoring.toml"],
                  env) for _ in range(args.reps)
        )
    print(f"mentorsim run (200 employees x 52 weeks, plots and files included): "
          f"cold {cold:.1f} s, warm {warm:.1f} s; warm with --no-plots {no_plots:.1f} s | "
          f"import sim {imports:.2f} s | "
          f"mentorsim validate {validate:.2f} s")


if __name__ == "__main__":
    main()
