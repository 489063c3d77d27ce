"""Fixtures for report tests: synthetic runs shaped like real run folders (made-up numbers)."""

from __future__ import annotations

import json

import pytest

from centrehold.infer.folder import CompareFolder, CompareSettings, write_compare_folder
from centrehold.report import synthetic


@pytest.fixture(scope="session")
def regional_ensemble(tmp_path_factory):
    """Three synthetic regional runs and compare outputs under one folder."""
    from centrehold.runs.folder import RunContents, write_run_folder
    from centrehold.runs.single import summarize, tidy_table

    root = tmp_path_factory.mktemp("ensemble")
    # one run through the runs layer's own writer (all of the run folder's files) ...
    synthetic.write_run(synthetic.regional_dataset(ticks=40, seed=0), root / "run0")
    # ... and two without figures or side tables: the report needs no more, and figures
    # are slow
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
    synthetic.write_run(synthetic.epstein_dataset(ticks=50), root)
    return root
