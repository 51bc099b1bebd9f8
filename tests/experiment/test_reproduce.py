"""Re-running a stored run: the same numbers in this process, a spawn pool and on Dask."""

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from sim.cli import main
from sim.experiment.reproduce import reproduce, reproduce_timeseries
from sim.experiment.results import first_difference, read_stored_run
from tests.experiment.sweeps import SMALL
from tests.paths import MENTORING


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("reproduce") / "r"
    assert main(["run", str(MENTORING), "--out", str(out), "--quiet", "--seed", "3",
                 "--no-plots", *SMALL]) == 0
    return out


def test_reproduce_in_this_process(run_dir):
    stored = read_stored_run(run_dir)
    assert stored.seed == 3 and stored.cpu and stored.directory == run_dir
    reproduction = reproduce(stored)
    assert reproduction.reproduced and reproduction.difference is None
    assert [line.split(":")[0] for line in reproduction.changes()] == ["CPU"]


@pytest.mark.slow
def test_rerun_in_a_spawn_pool_and_on_dask_is_identical(run_dir, dask_cluster):
    stored = read_stored_run(run_dir)
    text = json.dumps(stored.scenario.model_dump(mode="json"))
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pooled = pool.submit(reproduce_timeseries, text, stored.seed).result()
    assert first_difference(stored.timeseries, pooled) is None
    _, client = dask_cluster
    on_dask = client.submit(reproduce_timeseries, text, stored.seed, pure=False).result()
    assert first_difference(stored.timeseries, on_dask) is None
