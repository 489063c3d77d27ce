"""Ensembles over hypotheses on the regional scenario: the hypothesis reaches the engine."""

from __future__ import annotations

import pytest

from centrehold.runs import EnsembleSpec, expand, run_ensemble, summarise


def test_hypotheses_are_passed_as_overrides_to_iraq_2009(tmp_path):
    from centrehold.engine import simulate
    from centrehold.scenario import load_scenario

    spec = EnsembleSpec(scenario="iraq-2009", hypotheses=["H0", "H3"], ticks=12, root_seed=1)
    table = run_ensemble(spec, tmp_path / "run")
    assert list(table["hypothesis"]) == ["H0", "H3"]
    task = expand(spec)[1]
    assert task.overrides == {"hypothesis": "H3"}
    ds = simulate(load_scenario("iraq-2009", {"hypothesis": "H3"}), seed=task.seed, ticks=12)
    assert ds.attrs["hypothesis"] == "H3"
    expected = summarise(ds)
    row = table.iloc[1]
    for key in ("total_deaths", "mean_active", "total_arrests", "final_jailed"):
        assert row[key] == pytest.approx(expected[key], rel=0, abs=0)
    assert row["total_deaths"] > 0
