"""Executors: one interface, and the worker warm-up is the client's to give."""

import os
import subprocess
import sys

import pytest

from sim.errors import MentorsimError
from sim.experiment.executors import SerialExecutor, check_options, make_executor
from tests.paths import ROOT


def mark_warm() -> None:
    os.environ["MENTORSIM_TEST_WARM"] = str(os.getpid())


def warmed() -> str | None:
    return os.environ.get("MENTORSIM_TEST_WARM")


def test_the_process_pool_runs_the_given_warm_up_in_each_worker():
    with make_executor("processes", workers=1, warm_up=mark_warm) as pool:
        assert pool.workers == 1
        assert pool.submit(warmed).result() == str(pool.submit(os.getpid).result())
    with make_executor("processes", workers=1) as pool:
        assert pool.submit(warmed).result() is None


def test_the_executors_module_imports_no_client():
    code = ("import sys, sim.experiment.executors; "
            "print([m for m in sys.modules if m.startswith('sim.')])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    loaded = eval(done.stdout)  # noqa: S307 - our own list of module names
    assert "sim.experiment.runner" not in loaded and "sim.model" not in loaded


def test_serial_executor_keeps_errors_in_the_future_but_not_interrupts():
    executor = SerialExecutor()
    assert executor.submit(divmod, 7, 2).result() == (3, 1)
    assert isinstance(executor.submit(divmod, 1, 0).exception(), ZeroDivisionError)

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        executor.submit(interrupted)


@pytest.mark.parametrize("kind, workers, fragment", [
    ("threads", None, "--executor = 'threads'"), ("serial", 0, "--workers = 0")])
def test_options_are_checked(kind, workers, fragment):
    with pytest.raises(MentorsimError, match=fragment):
        check_options(kind, workers)
