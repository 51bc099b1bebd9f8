"""Start-up of ``mentorsim run``: light imports, and the figures drawn in a forked child.

The child (:class:`sim.viz.drawing.FigureProcess`) must draw exactly what the parent would
have drawn, hand back every failure, and never leave a directory that looks complete, a
stray staging directory or a live process behind.
"""

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from sim import cli
from sim.viz import drawing, run_report
from tests.paths import MENTORING, ROOT

TINY = ["--set", "organisation.headcount=30", "--set", "horizon_weeks=8",
        "--set", "programme.duration_weeks=6"]


@pytest.fixture(autouse=True)
def idle_machine(monkeypatch):
    """Every other CPU idle, whatever else runs now: the child is always forked here."""
    monkeypatch.setattr(drawing, "_others_running", lambda: 0)


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"import sys; {code}; print(*sys.modules)"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return {name.split(".")[0] for name in out.split()}


def test_the_command_line_and_the_figure_process_import_no_heavy_library():
    loaded = _modules_after("import sim, sim.cli.parser, sim.cli.run, sim.viz.drawing")
    assert not loaded & {"matplotlib", "mesa", "numba", "scipy", "pandas", "pyarrow"}


def test_the_figure_modules_do_not_import_the_model():
    loaded = _modules_after("import sim.viz.run_report")
    assert "pandas" in loaded  # what the figures need
    assert not loaded & {"mesa", "numba", "scipy", "matplotlib"}  # matplotlib when drawing


@pytest.fixture(scope="module")
def figure_data():
    """Figure data of a tiny run with a control arm (all five figures)."""
    from sim.config import load_scenario
    from sim.experiment.run import run_scenario

    scenario = load_scenario(MENTORING, {"organisation.headcount": 40, "horizon_weeks": 10,
                                         "programme.duration_weeks": 6,
                                         "programme.start_week": 0,
                                         "evaluation.control": "no_programme"})
    return run_report.RunFigureData.of(run_scenario(scenario, seed=3))


def _pixels(path):
    from PIL import Image

    return np.asarray(Image.open(path))


def test_the_child_draws_the_same_pixels_as_this_process(figure_data, tmp_path):
    here = run_report.draw_run_figures(figure_data, tmp_path / "here")
    with drawing.FigureProcess() as drawer:
        hook = drawer.submit(figure_data, tmp_path / "child")
        there = hook(None, tmp_path / "child")
    assert [p.name for p in there] == [p.name for p in here] == [
        "plot.png", "gaps.png", "programme_vs_control.png", "effect_profile.png",
        "equity.png"]
    for a, b in zip(here, there, strict=True):
        assert np.array_equal(_pixels(a), _pixels(b)), a.name
    assert multiprocessing.active_children() == []


def test_without_plots_there_is_no_child_and_no_hook(figure_data, tmp_path):
    with drawing.FigureProcess(enabled=False) as drawer:
        assert multiprocessing.active_children() == []
        assert drawer.submit(figure_data, tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def test_an_error_while_drawing_is_raised_in_the_parent(figure_data, tmp_path, monkeypatch):
    def broken(data, directory, names=None):
        raise ValueError(f"no figure for {data.name}")

    monkeypatch.setattr(run_report, "draw_run_figures", broken)
    with drawing.FigureProcess() as drawer:
        drawer.submit(figure_data, tmp_path)
        with pytest.raises(ValueError, match="no figure for mentoring") as caught:
            drawer.wait()
    assert "in the child process" in caught.value.__notes__[0]
    assert "broken" in caught.value.__notes__[0]  # the child's traceback


def test_an_error_that_does_not_pickle_arrives_by_name(figure_data, tmp_path, monkeypatch):
    class Odd(Exception):
        def __init__(self, a, b):
            super().__init__(f"{a}/{b}")

    def broken(data, directory, names=None):
        raise Odd(1, 2)

    monkeypatch.setattr(run_report, "draw_run_figures", broken)
    with drawing.FigureProcess() as drawer:
        drawer.submit(figure_data, tmp_path)
        with pytest.raises(RuntimeError, match="Odd: 1/2"):
            drawer.wait()


def test_a_child_killed_while_drawing_fails_the_run_and_leaves_nothing(tmp_path, monkeypatch):
    def killed(data, directory, names=None):
        os.kill(os.getpid(), signal.SIGKILL)

    monkeypatch.setattr(run_report, "draw_run_figures", killed)
    with pytest.raises(drawing.FigureProcessError, match="exit code -9"):
        cli.main(["run", str(MENTORING), "--out", str(tmp_path / "r"), "--quiet", *TINY])
    assert list(tmp_path.iterdir()) == []
    assert multiprocessing.active_children() == []


def test_a_fault_in_the_parent_stops_the_child_before_the_staging_is_removed(
        tmp_path, monkeypatch):
    """The child, still drawing when the parent fails, must not recreate the staging dir."""
    import shutil

    import sim.experiment.results

    real_draw, real_rmtree = run_report.draw_run_figures, shutil.rmtree

    def slow(data, directory, names=None):
        time.sleep(0.5)  # the parent fails meanwhile
        return real_draw(data, directory, names)  # would make the removed directory again

    def crash(path, frame):
        raise OSError("I/O error")

    def slow_rmtree(path, *args, **kwargs):  # the staging directory removed, then a pause
        real_rmtree(path, *args, **kwargs)
        time.sleep(1.0)

    monkeypatch.setattr(run_report, "draw_run_figures", slow)
    monkeypatch.setattr(sim.experiment.results, "write_parquet", crash)
    monkeypatch.setattr(shutil, "rmtree", slow_rmtree)
    with pytest.raises(OSError, match="I/O error"):
        cli.main(["run", str(MENTORING), "--out", str(tmp_path / "r"), "--quiet", *TINY])
    time.sleep(0.5)  # long after the child would have drawn
    assert list(tmp_path.iterdir()) == []
    assert multiprocessing.active_children() == []


def test_a_user_error_reports_one_line_and_leaves_no_child(tmp_path, capsys):
    code = cli.main(["run", str(MENTORING), "--out", str(tmp_path / "r"), "--quiet",
                     "--set", "organisation.headcount=-5"])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "headcount" in err
    assert multiprocessing.active_children() == []
    assert list(tmp_path.iterdir()) == []


_KILL_PARENT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from sim import cli
    from sim.viz import drawing, run_report

    drawing._others_running = lambda: 0  # the child forked whatever else runs now

    def stuck(data, directory, names=None):
        Path(sys.argv[1]).write_text(str(os.getpid()))
        time.sleep(60)

    run_report.draw_run_figures = stuck
    cli.main(["run", "mentoring", "--out", sys.argv[2], "--quiet", *sys.argv[3:]])
""")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie is dead (its parent reaps it)
        return stat.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_child_dies_with_a_killed_parent(tmp_path):
    pid_file, out = tmp_path / "child.pid", tmp_path / "r"
    parent = subprocess.Popen([sys.executable, "-c", _KILL_PARENT, str(pid_file), str(out),
                               *TINY], cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert parent.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        child = int(pid_file.read_text())
        assert child != parent.pid and _alive(child)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child)
        assert not out.exists()  # no manifest, no directory: nothing looks complete
    finally:
        parent.kill()
        parent.wait()


def test_the_figures_are_shared_by_cost_between_two_processes():
    assert drawing.share(["plot.png", "gaps.png", "equity.png"]) == (
        ["equity.png"], ["plot.png", "gaps.png"])
    everything = ["plot.png", "gaps.png", "programme_vs_control.png", "effect_profile.png",
                  "equity.png"]
    mine, theirs = drawing.share(everything)
    assert mine == ["programme_vs_control.png", "effect_profile.png"]
    assert theirs == ["equity.png", "plot.png", "gaps.png"]
    assert drawing.share(["plot.png"]) == (["plot.png"], [])


def test_a_split_drawing_names_the_files_in_order_and_reaps_its_helper(figure_data,
                                                                        tmp_path):
    with drawing.FigureProcess() as drawer:
        drawer.submit(figure_data, tmp_path, ["equity.png", "plot.png"])
        assert [p.name for p in drawer.wait()] == ["plot.png", "equity.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["equity.png", "plot.png"]


def test_a_full_disk_while_drawing_is_one_line_and_leaves_nothing(tmp_path, monkeypatch,
                                                                   capsys):
    import errno

    def full(data, directory, names=None):
        raise OSError(errno.ENOSPC, "No space left on device", f"{directory}/plot.png")

    monkeypatch.setattr(run_report, "draw_run_figures", full)
    code = cli.main(["run", str(MENTORING), "--out", str(tmp_path / "r"), "--quiet", *TINY])
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "plot.png" in err and "No space left on device" in err
    assert list(tmp_path.iterdir()) == []


def test_a_child_that_cannot_import_matplotlib_fails_the_run_when_figures_are_due(
        figure_data, tmp_path, monkeypatch):
    def missing():
        raise ImportError("No module named 'matplotlib'")

    monkeypatch.setattr(drawing, "_warm_up", missing)
    with drawing.FigureProcess() as drawer:
        drawer.submit(figure_data, tmp_path)
        with pytest.raises(ImportError, match="matplotlib"):
            drawer.wait()
    assert list(tmp_path.iterdir()) == []


_STOP_PARENT = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from sim.cli import parser
    from sim.viz import drawing, run_report

    drawing._others_running = lambda: 0  # the child forked whatever else runs now

    def stuck(data, directory, names=None):
        Path(sys.argv[1]).write_text(str(os.getpid()))
        time.sleep(60)

    run_report.draw_run_figures = stuck
    sys.exit(parser.main(["run", "mentoring", "--out", sys.argv[2], "--quiet",
                          *sys.argv[3:]]))
""")


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_while_drawing_stops_both_and_leaves_nothing(tmp_path, signum, code):
    pid_file, out = tmp_path / "child.pid", tmp_path / "r"
    parent = subprocess.Popen([sys.executable, "-c", _STOP_PARENT, str(pid_file), str(out),
                               *TINY], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists() or not pid_file.read_text():
            assert parent.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        child = int(pid_file.read_text())
        assert child != parent.pid
        parent.send_signal(signum)
        _, err = parent.communicate(timeout=30)
        assert parent.returncode == code
        assert "Traceback" not in err
        assert not _alive(child)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["child.pid"]
    finally:
        parent.kill()
        parent.wait()


_EXIT_PREPARED = textwrap.dedent("""
    import atexit, gc, sys
    from sim import cli
    code = cli.main(["run", "mentoring", "--quiet", "--no-plots", "--out", sys.argv[1],
                     *sys.argv[2:]])
    before = gc.get_freeze_count()
    atexit._run_exitfuncs()  # what the interpreter runs first when it exits
    print(code, before, gc.get_freeze_count() > 0)
""")


def test_a_run_leaves_the_collector_frozen_for_the_exit(tmp_path):
    """The interpreter's last collections skip the objects (a fast exit), only at exit."""
    out = subprocess.run([sys.executable, "-c", _EXIT_PREPARED, str(tmp_path / "r"), *TINY],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.split()[-3:] == ["0", "0", "True"]
    assert (tmp_path / "r" / "manifest.json").is_file()


def test_on_one_cpu_the_figures_are_drawn_in_this_process(figure_data, tmp_path,
                                                          monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    with drawing.FigureProcess() as drawer:
        assert multiprocessing.active_children() == []
        hook = drawer.submit(figure_data, tmp_path)
        assert multiprocessing.active_children() == []
        written = hook(None, tmp_path)
    assert [p.name for p in written] == run_report.figure_names(figure_data)
    assert all(p.stat().st_size > 10_000 for p in written)


def test_the_child_draws_at_a_lower_priority(figure_data, tmp_path, monkeypatch):
    def report_niceness(data, directory, names=None):
        (tmp_path / f"nice.{os.getpid()}").write_text(str(os.nice(0)))
        return []

    monkeypatch.setattr(run_report, "draw_run_figures", report_niceness)
    with drawing.FigureProcess() as drawer:
        drawer.submit(figure_data, tmp_path / "figures")
        drawer.wait()
    seen = {int(p.read_text()) for p in tmp_path.glob("nice.*")}
    assert seen == {min(19, os.nice(0) + drawing.NICENESS)}  # the child and its helper
    assert len(list(tmp_path.glob("nice.*"))) == 2


def test_with_every_other_cpu_busy_the_figures_are_drawn_in_this_process(
        figure_data, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(drawing, "_others_running", lambda: 1)  # one job on the other CPU
    with drawing.FigureProcess() as drawer:
        assert multiprocessing.active_children() == []
        written = drawer.submit(figure_data, tmp_path)(None, tmp_path)
    assert [p.name for p in written] == run_report.figure_names(figure_data)
    monkeypatch.setattr(drawing, "_others_running", lambda: 0)
    with drawing.FigureProcess() as drawer:
        assert len(multiprocessing.active_children()) == 1


def test_the_count_of_other_running_tasks_comes_from_the_kernel():
    others = drawing._others_running()
    if not Path("/proc/loadavg").exists():
        assert others is None
    else:
        assert 0 <= others < 10_000
