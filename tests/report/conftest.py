"""Fixtures for report tests: synthetic runs shaped like real run folders (made-up numbers)."""

from __future__ import annotations

import pytest

from centrehold.runs.single import tidy_table, write_run
from fixtures import synthetic


@pytest.fixture(scope="session")
def regional_ensemble(tmp_path_factory):
    """Three synthetic regional runs and compare outputs under one folder."""
    root = tmp_path_factory.mktemp("ensemble")
    # one run through the runs layer's own writer (all of the run folder's files) ...
    write_run(synthetic.regional_dataset(ticks=40, seed=0), root / "run0")
    # ... and two with its tidy table only: the report needs no more
    for i in (1, 2):
        ds = synthetic.regional_dataset(ticks=40, seed=i)
        (root / f"run{i}").mkdir()
        tidy_table(ds).to_parquet(root / f"run{i}" / "ticks.parquet", index=False)
        (root / f"run{i}" / "scenario.json").write_text(ds.attrs["params"])
    post, ach = synthetic.compare_tables()
    post.to_csv(root / "posterior.csv", index=False)
    ach.to_csv(root / "ach.csv", index=False)
    return root


@pytest.fixture(scope="session")
def epstein_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("epstein")
    write_run(synthetic.epstein_dataset(ticks=50), root)
    return root
