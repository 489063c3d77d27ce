"""One ensemble, four executors, one result; a Dask worker that dies is survived."""

from __future__ import annotations

import os
import time
from functools import partial

import pandas as pd
import pytest
from runs_testkit import die_once

from centrehold.errors import UserError
from centrehold.runs import EnsembleSpec, get_executor, run_ensemble, run_task

TASK_FN = run_task  # the real loader and engine


def _spec() -> EnsembleSpec:
    return EnsembleSpec(
        scenario="epstein-1",
        overrides={"width": "20", "height": "20"},
        param_sets=[{"legitimacy": "0.6"}, {"legitimacy": "0.85"}],
        replicates=3,
        root_seed=2024,
        ticks=25,
        keep_series=True,
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    table = run_ensemble(_spec(), tmp_path_factory.mktemp("ref") / "run", task_fn=TASK_FN)
    # the comparison means something only if runs differ and something happens
    assert table["mean_active"].nunique() > 1 and table["total_arrests"].sum() > 0
    return table


@pytest.fixture(scope="module")
def dask_ex():
    """One LocalCluster for the module, started the way `--workers 1` starts it:
    real worker processes, one thread each. Tests scale it to two workers."""
    ex = get_executor("dask", workers=1)
    yield ex
    ex.close()


def _square(x: int) -> int:
    return x * x


def test_map_keeps_input_order_and_reports_progress():
    seen = []
    with get_executor("inprocess") as ex:
        assert ex.map(_square, range(5), progress=lambda d, t: seen.append((d, t))) == [
            0, 1, 4, 9, 16]
    assert seen == [(0, 5), (1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_local_processes_give_identical_table(reference, tmp_path):
    with get_executor("processes", workers=2) as ex:
        assert ex.map(_square, [3, 1, 2]) == [9, 1, 4]
        table = run_ensemble(_spec(), tmp_path / "run", ex, task_fn=TASK_FN)
    pd.testing.assert_frame_equal(table, reference, check_exact=True)


def test_dask_one_then_two_workers_give_identical_table(reference, dask_ex, tmp_path):
    assert dask_ex.workers == 1 and len(dask_ex.client.scheduler_info()["workers"]) == 1
    t1 = run_ensemble(_spec(), tmp_path / "one", dask_ex, task_fn=TASK_FN)
    dask_ex._cluster.scale(2)
    dask_ex.client.wait_for_workers(2, timeout=60)
    dask_ex.chunksize = 4  # uneven groups (4 + 2) must still come back in task order
    try:
        t2 = run_ensemble(_spec(), tmp_path / "two", dask_ex, task_fn=TASK_FN)
        assert dask_ex.map(_square, range(7)) == [0, 1, 4, 9, 16, 25, 36]
    finally:
        dask_ex.chunksize = None
    ran_on = dask_ex.client.run(os.getpid)
    assert len(set(ran_on.values())) == 2 and os.getpid() not in ran_on.values()
    pd.testing.assert_frame_equal(t1, reference, check_exact=True)
    pd.testing.assert_frame_equal(t2, reference, check_exact=True)


def test_dask_worker_death_is_retried_and_result_identical(reference, dask_ex, tmp_path):
    """Through a second client at the scheduler's address, as `--scheduler` connects."""
    dask_ex._cluster.scale(2)
    fn = partial(die_once, marker_dir=str(tmp_path), victim=2, inner=TASK_FN)
    with get_executor("dask", scheduler=dask_ex._cluster.scheduler_address) as ex:
        ex.client.wait_for_workers(2, timeout=60)
        ex.chunksize = 2  # the victim's whole group is lost with the worker and rerun
        table = run_ensemble(_spec(), tmp_path / "run", ex, task_fn=fn)
    assert (tmp_path / "died-2").exists()  # the worker really died once
    pd.testing.assert_frame_equal(table, reference, check_exact=True)


def test_unreachable_scheduler_is_a_quick_one_line_error():
    t0 = time.monotonic()
    with pytest.raises(UserError, match="cannot reach a Dask scheduler") as exc:
        get_executor("dask", scheduler="tcp://127.0.0.1:9")
    assert time.monotonic() - t0 < 10
    assert "\n" not in str(exc.value)


def test_bad_executor_arguments():
    with pytest.raises(UserError, match="workers"):
        get_executor("processes", workers=0)
    with pytest.raises(UserError, match="unknown executor"):
        get_executor("threads")  # type: ignore[arg-type]


def test_auto_chunksize_keeps_several_groups_per_worker():
    from centrehold.runs.executors import auto_chunksize

    assert auto_chunksize(6, 2) == 1
    assert auto_chunksize(200, 2) == 8
    assert auto_chunksize(40, 2) == 5
    assert auto_chunksize(0, 4) == 1
