"""Paired counterfactuals: a case that changes nothing gives exactly zero; the direction
of `streets`; which hypotheses are drawn from a compare folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.infer.folder import CompareFolder, CompareSettings, write_compare_folder
from centrehold.infer.whatif import (
    CASES,
    Case,
    build_task,
    draw_posterior,
    read_compare,
    resolve_cases,
    scenario_overrides,
)

#: Particles near the middle of the iraq-2009 priors: the shared parameters for both
#: hypotheses, H1's own on top.
SHARED = {
    "intergroup.kill_rate": [3e-5, 5e-5, 4e-5],
    "insurgency.attacks_per_day": [6.0, 10.0, 8.0],
    "insurgency.floor_share": [0.4, 0.5, 0.6],
    "insurgency.timescale_days": [120.0, 200.0, 150.0],
    "insurgency.state_share": [0.2, 0.3, 0.4],
    "militias.floor_share": [0.3, 0.5, 0.4],
    "intra_community.deaths_per_day": [8.0, 12.0, 10.0],
}
H1_OWN = {"rate": [1.0, 2.0, 3.0], "window_days": [40.0, 60.0, 80.0], "boost": [2.0, 4.0, 6.0]}


def write_fake_compare(folder: Path, status: dict[str, str] | None = None,
                       probs: dict[str, float] | None = None) -> Path:
    """A compare folder as `compare` writes it, with three particles for H0 and for H1."""
    folder.mkdir(parents=True, exist_ok=True)
    probs = probs or {"H0": 0.4, "H1": 0.6}
    rows = []
    for hyp, own in (("H0", {}), ("H1", H1_OWN)):
        for k in range(3):
            for name, values in {**SHARED, **own}.items():
                rows.append({"hypothesis": hyp, "particle": k, "parameter": name,
                             "value": values[k], "weight": [0.2, 0.3, 0.5][k]})
    post = pd.DataFrame({"hypothesis": ["H0", "H1", "H2"],
                         "probability": [probs["H0"], probs["H1"], 0.0]})
    if status is not None:
        post["status"] = post["hypothesis"].map(status).fillna("died out")
    settings = CompareSettings("iraq-2009", people_per_agent=10000, tick="week")
    write_compare_folder(CompareFolder(settings, post, pd.DataFrame(rows)), folder)
    return folder


def test_only_adequate_hypotheses_are_drawn(tmp_path):
    folder = read_compare(write_fake_compare(
        tmp_path / "c", status={"H0": "inadequate", "H1": "adequate"}))
    assert list(folder.probabilities.index) == ["H1"] and folder.warning == ""
    draws = draw_posterior(folder, 20, seed=1)
    assert {d.hypothesis for d in draws} == {"H1"}
    assert all(d.params["rate"] in H1_OWN["rate"] for d in draws)
    assert len({d.seed for d in draws}) == 20


def test_no_adequate_hypothesis_falls_back_with_a_warning(tmp_path):
    folder = read_compare(write_fake_compare(
        tmp_path / "c", status={"H0": "inadequate", "H1": "inadequate"}))
    assert list(folder.probabilities.index) == ["H0", "H1"]
    assert folder.probabilities.sum() == pytest.approx(1.0)
    assert "adequate" in folder.warning


def test_draws_follow_the_model_probabilities(tmp_path):
    folder = read_compare(write_fake_compare(tmp_path / "c", probs={"H0": 0.1, "H1": 0.9}))
    hyps = [d.hypothesis for d in draw_posterior(folder, 400, seed=0)]
    assert 0.85 < hyps.count("H1") / 400 < 0.95
    again = draw_posterior(folder, 400, seed=0)
    assert [d.hypothesis for d in again] == hyps


def test_settings_rebuild_compare_scale(tmp_path):
    folder = read_compare(write_fake_compare(tmp_path / "c"))
    assert scenario_overrides(folder.settings) == {"people_per_agent": "10000",
                                                   "calendar.tick": "week"}


def test_unknown_case_names_the_known_ones():
    with pytest.raises(UserError, match="streets") as err:
        resolve_cases(["streets", "moon-landing"])
    assert "moon-landing" in str(err.value)
    assert [c.name for c in resolve_cases(["streets", "streets"])] == ["streets"]


def test_zero_draws_are_refused(tmp_path):
    folder = read_compare(write_fake_compare(tmp_path / "c"))
    with pytest.raises(UserError, match="--draws"):
        draw_posterior(folder, 0, seed=0)


@pytest.fixture(scope="module")
def task():
    """Baseline, a case equal to the baseline, `streets` and `no-instigation`, compare's scale."""
    same = Case("same", "nothing changed", {})
    return build_task("iraq-2009", {"people_per_agent": "10000", "calendar.tick": "week"},
                      [same, CASES["streets"], CASES["no-instigation"]])


def test_a_case_that_changes_nothing_gives_exactly_zero(tmp_path, task):
    folder = read_compare(write_fake_compare(tmp_path / "c"))
    draws = draw_posterior(folder, 6, seed=5)
    h0 = next(d for d in draws if d.hypothesis == "H0")
    h1 = next(d for d in draws if d.hypothesis == "H1")
    for d in (h0, h1):
        res = task(d)
        assert res["baseline"][0].sum() > 0
        np.testing.assert_array_equal(res["same"][0], res["baseline"][0])
        np.testing.assert_array_equal(res["same"][1], res["baseline"][1])
    # under H0 there is no instigator to silence: no-instigation is the baseline too
    res = task(h0)
    np.testing.assert_array_equal(res["no-instigation"][0], res["baseline"][0])
    # under H1 it is not (a case that changes something shows)
    res = task(h1)
    assert not np.array_equal(res["no-instigation"][0], res["baseline"][0])


def _insurgent_after(ds) -> float:
    dates = pd.to_datetime(ds["date"].values)
    after = np.asarray(dates >= pd.Timestamp("2009-07-01"))
    return float(ds["deaths"].sel(cause="insurgent").sum(["group", "region"]).values[after].sum())


def test_streets_wears_the_insurgency_down_on_average(tmp_path, task):
    """The occupation on the streets keeps pressure on the insurgency's capacity: over a
    few paired draws its deaths after the withdrawal date are no higher than in the
    baseline on average, and before that date the two runs are identical."""
    folder = read_compare(write_fake_compare(tmp_path / "c"))
    base_sim = task.baseline
    streets_sim = dict(task.cases)["streets"]
    base, cf = [], []
    for d in draw_posterior(folder, 3, seed=11):
        b = base_sim.dataset(d.hypothesis, d.params, d.seed, end=task.end)
        c = streets_sim.dataset(d.hypothesis, d.params, d.seed, end=task.end)
        before = np.asarray(pd.to_datetime(b["date"].values) < pd.Timestamp("2009-06-30"))
        np.testing.assert_array_equal(
            b["deaths"].values[before], c["deaths"].values[before])
        base.append(_insurgent_after(b))
        cf.append(_insurgent_after(c))
    assert np.mean(base) > 0
    assert np.mean(cf) <= np.mean(base)
