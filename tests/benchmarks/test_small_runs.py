"""benchmarks/small_runs.py: its sizes and arithmetic, and a tiny run of its parts.

The benchmark is re-run by hand on a quiet machine; these tests keep it runnable as the
runners change under it (a renamed function it times, a changed runner API) and check
that its figures agree with each other. They never assert on time.
"""

import importlib.util
import re
import subprocess
import sys

import pytest

from tests.paths import ROOT

SCRIPT = ROOT / "benchmarks" / "small_runs.py"


def _module():
    spec = importlib.util.spec_from_file_location("small_runs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("runs", "sizes"), [
    (200, (50, 200)), (201, (50, 202)), (40, (10, 40)), (9, (2, 10)), (4, (0, 4)),
    (1, (0, 2)), (0, (0, 2)),
])
def test_sweep_sizes_are_even_and_the_smaller_a_quarter(runs, sizes):
    assert _module().sweep_sizes(runs) == sizes


def test_steady_rate_cancels_start_up():
    module = _module()
    # 3 s of start-up in both calls, 0.1 s a run: the difference is the run's cost
    small, large = {"wall": 3 + 10 * 0.1}, {"wall": 3 + 40 * 0.1}
    assert module.steady(small, large, 10, 40) == pytest.approx(0.1)
    assert module.rate(40, 4.0) == "10.0" and module.rate(1, 0.0) == "n/a"


def test_timers_add_up_cpu_by_label_and_restore():
    module = _module()

    class Host:
        @staticmethod
        def busy(n):
            return sum(i * i for i in range(n))

    original = Host.busy
    timers = module.Timers()
    timers.wrap(Host, "busy", "work")
    assert Host.busy(200_000) == original(200_000)
    once = timers.seconds["work"]
    Host.busy(200_000)
    assert 0 < once < timers.seconds["work"]
    timers.restore()
    assert Host.busy is original


@pytest.mark.slow
def test_tiny_run_of_parts_1_2_4_5_prints_consistent_figures():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--runs", "8", "--headcount", "60", "--weeks", "60",
         "--workers", "1", "--parts", "1", "2", "4", "5", "--executors", "serial"],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    assert "one model a run (evaluation.control = 'none': no control arm)" in out
    assert re.search(r"load average at start [\d.]+ [\d.]+ [\d.]+", out)
    assert re.search(r"load average at end [\d.]+ [\d.]+ [\d.]+", out)
    # part 1: runs/s and ms a run are one figure seen twice
    found = re.search(r"1\. model alone, serial \(8 runs\): ([\d.]+) runs/s; ([\d.]+) ms a run",
                      out)
    assert found, out
    per_second, ms = float(found[1]), float(found[2])
    assert per_second * ms == pytest.approx(1000, rel=0.02)
    # part 2: both sizes ran (8 and 2 runs), a steady rate came out
    assert re.search(r"2\. sweep serial \(1 process\): [\d.]+ runs/s over the whole call "
                     r"\(8 runs in [\d.]+ s\), steady [\d.]+ runs/s \(8 - 2 runs\)", out), out
    # part 4: one generation of 4 particles, all evaluated once
    assert re.search(r"4\. calibration SeededSampler \(1 worker\), \d+ priors, one model an "
                     r"evaluation, 1 generation of 4 particles, first: [\d.]+ evaluations/s "
                     r"\(4 in", out), out
    assert "second: " in out
    # part 5: the pieces add up to no more than the total; the model's weeks are a share
    split = re.search(r"5\. one run in a warm process, CPU medians of 3 \(ms\): (.*); total "
                      r"([\d.]+) ms CPU", out)
    assert split, out
    pieces = dict(re.findall(r"([a-z_:,() .]+?) (-?[\d.]+)(?:, |$)", split[1]))
    assert {"model weeks", "summary", "parent: run file", "pickled and unpickled"} <= {
        k.strip() for k in pieces}
    weeks = float(next(v for k, v in pieces.items() if k.strip() == "model weeks"))
    assert 0 < weeks < float(split[2])
    assert re.search(r"5\. a fresh pool worker \(wall\): started and warmed in [\d.]+ s, "
                     r"first run \d+ ms", out), out
    assert "own time under cProfile" in out
