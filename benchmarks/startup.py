"""Start-up: wall time of `mentorsim run` on a small scenario, cold and warm (issue 16, target 5).

Warm is also timed with ``--no-plots`` (data files only); the figures are drawn by a
child forked at start (:mod:`sim.viz.drawing`), so "plots" minus "--no-plots" is what
drawing still adds to the wall time. Cold: numba's cache in a fresh empty directory
(NUMBA_CACHE_DIR), so every kernel compiles. Warm: the same directory again, so every
kernel loads from the cache. The timeline of a warm run marks when its data are ready,
its data files written and its figures back from the child. Each is a fresh process;
medians of several runs, with the processor time (user + system, the command and its
children) beside the warm figures and the load average before and after, since the
machine may be shared. Also the import time of the `sim` package and `mentorsim
validate`.

Usage: python benchmarks/startup.py [--reps 5] [--headcount 200] [--weeks 52]
Prints one line of figures.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall seconds and processor seconds (user + system, children included) of ``cmd``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"{' '.join(cmd)}: exit code {done.returncode}\n{done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_of(cmd: list[str], env: dict, reps: int) -> tuple[float, float, float]:
    """Median wall, fastest wall and median processor seconds over ``reps`` runs."""
    runs = [timed(cmd, env) for _ in range(reps)]
    walls = [w for w, _ in runs]
    return statistics.median(walls), min(walls), statistics.median(c for _, c in runs)


#: One warm run in a process that timestamps the figure hand-over (seconds from start):
#: the data ready (submit), the data files written (wait begins), the figures back.
TIMELINE = """
import json, sys, time
start = time.perf_counter()
from sim.viz import drawing
marks = {}
submit, wait = drawing.FigureProcess.submit, drawing.FigureProcess.wait
def timed_submit(self, *args, **kwargs):
    marks["data ready"] = time.perf_counter() - start
    return submit(self, *args, **kwargs)
def timed_wait(self):
    marks["files written"] = time.perf_counter() - start
    try:
        return wait(self)
    finally:
        marks["figures back"] = time.perf_counter() - start
drawing.FigureProcess.submit, drawing.FigureProcess.wait = timed_submit, timed_wait
from sim.cli import parser
code = parser.main(sys.argv[1:])
marks["done"] = time.perf_counter() - start
print(json.dumps(marks), file=sys.stderr)
sys.exit(code)
"""


def timeline(run: list[str], env: dict, reps: int) -> dict[str, float]:
    """Median seconds from start to each mark of :data:`TIMELINE` over ``reps`` runs."""
    marks = []
    for _ in range(reps):
        done = subprocess.run([sys.executable, "-c", TIMELINE, *run[3:]], env=env,
                              capture_output=True, text=True, check=True)
        marks.append(json.loads(done.stderr.strip().splitlines()[-1]))
    return {key: statistics.median(m[key] for m in marks) for key in marks[0]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--headcount", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    small = ["--set", f"organisation.headcount={args.headcount}",
             "--set", f"horizon_weeks={args.weeks}"]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        run = [sys.executable, "-m", "sim.cli", "run", "scenarios/mentoring.toml", "--quiet",
               "--out", os.path.join(out, "r"), *small]
        cold, _ = timed(run, env)
        warm, warm_best, warm_cpu = median_of(run, env, args.reps)
        bare, bare_best, bare_cpu = median_of([*run, "--no-plots"], env, args.reps)
        marks = timeline(run, env, args.reps)
        imports, _, _ = median_of([sys.executable, "-c", "import sim"], env, args.reps)
        validate, _, _ = median_of(
            [sys.executable, "-m", "sim.cli", "validate", "scenarios/mentoring.toml"], env,
            args.reps)
    print(f"mentorsim run ({args.headcount} employees x {args.weeks} weeks, plots and files "
          f"included): cold {cold:.1f} s, warm {warm:.2f} s (fastest {warm_best:.2f}, "
          f"cpu {warm_cpu:.2f} s); warm with --no-plots {bare:.2f} s (fastest "
          f"{bare_best:.2f}, cpu {bare_cpu:.2f} s) | in a warm run: data ready "
          f"{marks['data ready']:.2f} s, files written {marks['files written']:.2f} s, "
          f"figures back {marks['figures back']:.2f} s, done {marks['done']:.2f} s | "
          f"import sim {imports:.2f} s | "
          f"mentorsim validate {validate:.2f} s | load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
