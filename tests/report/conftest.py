"""Fixtures for report tests: synthetic runs shaped like contract 5 (numbers without meaning)."""

from __future__ import annotations

import pytest

from centrehold.report import synthetic


@pytest.fixture(scope="session")
def regional_ensemble(tmp_path_factory):
    """Three synthetic regional runs and compare outputs under one folder."""
    root = tmp_path_factory.mktemp("ensemble")
    for i in range(3):
        synthetic.write_run(synthetic.regional_dataset(ticks=40, seed=i), root / f"run{i}")
    post, ach = synthetic.compare_tables()
    post.to_csv(root / "posterior.csv", index=False)
    ach.to_csv(root / "ach.csv", index=False)
    return root


@pytest.fixture(scope="session")
def epstein_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("epstein")
    synthetic.write_run(synthetic.epstein_dataset(ticks=50), root)
    return root
