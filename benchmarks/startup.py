"""Start-up: wall time of `mentorsim run` on a small scenario, cold and warm (issue 16, target 5).

Three warm arms, alternating run by run so that a shared machine's load falls on each
alike: **plots** (the figures drawn by the child forked at start,
:mod:`sim.viz.drawing`, when a CPU is idle then: the runs that forked are counted),
**in-process plots** (the same command with ``fork`` hidden from :class:`FigureProcess`,
so it draws in the command's own process after the run, as before the child existed) and
**no plots** (``--no-plots``, data files only). Each is a fresh process that marks when
its data are ready, its data files written and its figures back; the figures are the
median wall time, the fastest, and the median processor time (user + system, the command
and its children). Cold: numba's cache in a fresh empty directory (NUMBA_CACHE_DIR), so
every kernel compiles; warm: the same directory again, so every kernel loads from the
cache. Also the import time of the `sim` package and `mentorsim validate`, and the load
average before and after.

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

#: A warm run that marks the figure hand-over (seconds from its start) on stderr; with
#: the argument ``inline`` first, FigureProcess finds no ``fork`` and draws in-process.
TIMED_RUN = """
import json, sys, time
start = time.perf_counter()
if sys.argv[1] == "inline":
    import multiprocessing
    multiprocessing.get_all_start_methods = lambda: ["spawn"]
from sim.viz import drawing
marks = {}
submit, wait = drawing.FigureProcess.submit, drawing.FigureProcess.wait
def timed_submit(self, *args, **kwargs):
    marks["data ready"] = time.perf_counter() - start
    marks["forked"] = float(self._process is not None)  # a CPU was idle at the start
    return submit(self, *args, **kwargs)
def timed_wait(self):
    marks["files written"] = time.perf_counter() - start
    try:
        return wait(self)
    finally:
        marks["figures back"] = time.perf_counter() - start
drawing.FigureProcess.submit, drawing.FigureProcess.wait = timed_submit, timed_wait
from sim.cli import parser
code = parser.main(sys.argv[2:])
print(json.dumps(marks), file=sys.stderr)
sys.exit(code)
"""


def timed(cmd: list[str], env: dict) -> tuple[float, float, dict[str, float]]:
    """Wall and processor seconds of ``cmd`` (children included), and its marks if any."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"{' '.join(cmd)}: exit code {done.returncode}\n{done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = done.stderr.strip().splitlines()
    marks = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), marks


def summary(runs: list[tuple[float, float, dict[str, float]]]) -> str:
    """Median and fastest wall, median processor time and median marks of some runs."""
    walls = [wall for wall, _, _ in runs]
    text = (f"{statistics.median(walls):.2f} s (fastest {min(walls):.2f}, cpu "
            f"{statistics.median(cpu for _, cpu, _ in runs):.2f} s")
    for key in runs[0][2]:
        if key == "forked":  # how many of the runs forked the child
            text += f", forked {sum(m[key] for _, _, m in runs):.0f} of {len(runs)}"
        else:
            text += f", {key} {statistics.median(m[key] for _, _, m in runs):.2f}"
    return text + ")"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--headcount", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()
    command = ["run", "scenarios/mentoring.toml", "--quiet", "--set",
               f"organisation.headcount={args.headcount}", "--set",
               f"horizon_weeks={args.weeks}"]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as out:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        command += ["--out", os.path.join(out, "r")]
        cold, _, _ = timed([sys.executable, "-m", "sim.cli", *command], env)
        arms = {"plots": ["child", *command], "in-process plots": ["inline", *command],
                "--no-plots": ["child", *command, "--no-plots"]}
        runs: dict[str, list] = {arm: [] for arm in arms}
        for _ in range(args.reps):
            for arm, argv in arms.items():
                runs[arm].append(timed([sys.executable, "-c", TIMED_RUN, *argv], env))
        imports = statistics.median(
            timed([sys.executable, "-c", "import sim"], env)[0] for _ in range(args.reps))
        validate = statistics.median(
            timed([sys.executable, "-m", "sim.cli", "validate", "scenarios/mentoring.toml"],
                  env)[0] for _ in range(args.reps))
    arms_text = "; ".join(f"{arm} {summary(r)}" for arm, r in runs.items())
    print(f"mentorsim run ({args.headcount} employees x {args.weeks} weeks): cold {cold:.1f} "
          f"s; warm: {arms_text} | import sim {imports:.2f} s | mentorsim validate "
          f"{validate:.2f} s | load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
