"""The stability rule of scripts/stability.py on hand-made tables."""

from __future__ import annotations

import pandas as pd

from .scripts import load_script


def _module():
    return load_script("stability")


def _rows(probs: dict[int, dict[str, float]], status: dict[int, dict[str, str]]):
    return pd.DataFrame([{"seed": s, "hypothesis": h, "probability": p, "status": status[s][h]}
                         for s, d in probs.items() for h, p in d.items()])


def test_same_set_and_close_probabilities_are_stable():
    mod = _module()
    st = {0: {"H0": "adequate", "H1": "inadequate"}, 1: {"H0": "adequate", "H1": "inadequate"}}
    wide, stable, reason = mod.stability_table(
        _rows({0: {"H0": 0.6, "H1": 0.4}, 1: {"H0": 0.7, "H1": 0.3}}, st))
    assert stable and reason == "stable"
    assert abs(wide.loc["H0", "mean"] - 0.65) < 1e-12
    assert abs(wide.loc["H0", "max_dev"] - 0.05) < 1e-12


def test_a_moving_probability_or_adequate_set_is_unstable():
    mod = _module()
    st = {0: {"H0": "adequate", "H1": "inadequate"}, 1: {"H0": "adequate", "H1": "adequate"}}
    _, stable, reason = mod.stability_table(
        _rows({0: {"H0": 0.9, "H1": 0.1}, 1: {"H0": 0.5, "H1": 0.5}}, st))
    assert not stable
    assert "adequate set" in reason and "more than 0.1" in reason


def test_a_seed_with_no_adequate_hypothesis_is_listed_as_none():
    mod = _module()
    st = {0: {"H0": "adequate", "H1": "adequate"}, 1: {"H0": "inadequate", "H1": "inadequate"}}
    sets = mod.adequate_sets(_rows({0: {"H0": 0.5, "H1": 0.5}, 1: {"H0": 0.5, "H1": 0.5}}, st))
    assert sets.to_dict() == {0: "H0, H1", 1: "none"}


def test_the_named_leader_by_seed_reads_none_where_the_verdict_named_none():
    mod = _module()
    st = {s: {"H0": "adequate", "H1": "adequate"} for s in (0, 1, 2)}
    rows = _rows({s: {"H0": 0.5, "H1": 0.5} for s in (0, 1, 2)}, st)
    rows["named"] = [False, False, False, True, False, False]  # seed 1, H1
    assert mod.named_by_seed(rows).to_dict() == {0: "none", 1: "H1", 2: "none"}
