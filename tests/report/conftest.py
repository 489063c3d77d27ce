"""Fixtures for report tests: synthetic runs shaped like real run folders (made-up numbers)."""

from __future__ import annotations

import json

import pytest

from centrehold.infer.folder import CompareFolder, CompareSettings, write_compare_folder
from centrehold.runs.folder import RunContents, write_run_folder
from centrehold.runs.single import summarize, tidy_table, write_run
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
        contents = RunContents(tidy_table(ds), json.loads(ds.attrs["params"]), summarize(ds))
        write_run_folder(root / f"run{i}", contents)
    post, ach = synthetic.compare_tables()
    write_compare_folder(CompareFolder(CompareSettings("synthetic"), post, ach=ach), root)
    return root


@pytest.fixture(scope="session")
def epstein_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("epstein")
    write_run(synthetic.epstein_dataset(ticks=50), root)
    return root
