"""Civilians who cannot turn active stay where they live (`intergroup.movers:
aggrieved`, the default): the same world in distribution as every civilian taking
rule M every day (`everyone`, Epstein's rule), on every statistic `compare` uses.

Why it should hold: a civilian whose grievance is at or below the threshold is quiet
wherever it stands, and in the mixed governorates every civilian already has another
community within sight, so its wandering changes no one's decision; arrests depend on
the forces and the aggrieved, who still move. Why it matters: those civilians are
about 97% of the agents, and their moves were over half of a compare simulation's
time (docs/engine.md, "Who moves").
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from centrehold.engine.core.state import empty_world
from centrehold.models.regional import tick

from .kit import records

ROOT = Path(__file__).resolve().parents[2]


def _statistics(movers: str):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from engine_reference import statistics, summarise
    finally:
        sys.path.pop(0)
    return summarise(statistics(seeds=range(300, 316), extra={"intergroup.movers": movers}))


def test_settled_civilians_staying_leaves_compares_statistics_alike():
    a, b = _statistics("aggrieved"), _statistics("everyone")
    both = a.merge(b, on=["hypothesis", "statistic"], suffixes=("_a", "_b"))
    assert len(both) == len(a) > 100
    se = np.sqrt(both["std_a"] ** 2 / both["count_a"] + both["std_b"] ** 2 / both["count_b"])
    z = ((both["mean_a"] - both["mean_b"]) / se.where(se > 0)).fillna(0.0)
    worst = both.assign(z=z).reindex(z.abs().sort_values(ascending=False).index).head(5)
    # four standard errors a statistic: a false alarm over ~130 below one run in a hundred
    assert (z.abs() < 4).all(), worst[["hypothesis", "statistic", "mean_a", "mean_b", "z"]]
    assert abs(z.mean()) < 1.0, z.describe()


def _days_on_one_lattice(settled_stay: bool, days: int = 20):
    """Thirty civilians of one community on a 12x12 torus, ten of them aggrieved
    (hardship 1 against legitimacy 0.5 and a threshold of 0.1), for `days` agents'
    passes; returns (cells before, cells after, who is aggrieved)."""
    n = 30
    w = empty_world(np.array([12]), np.array([12]), n)
    rng = np.random.default_rng(4)
    cells = rng.choice(144, size=n, replace=False)
    w.cell[:] = cells
    w.occupant[cells] = np.arange(n)
    w.group[:] = 0
    w.region[:] = 0
    aggrieved = np.arange(n) < 10
    w.hardship[:] = np.where(aggrieved, 1.0, 0.05)
    w.risk_aversion[:] = 0.5
    lat, ag, st, p, sc = records(w, np.array([0, 0], dtype=np.int64),
                                 np.zeros(0, dtype=np.int64), n_groups=1,
                                 settled_stay=settled_stay, intergroup=False, arrests=False)
    legit = np.full((1, 1), 0.5)
    before = w.cell.copy()
    for d in range(days):
        kt = np.uint64(tick.stage_tick(p.key, 1, d))
        ko = np.uint64(tick.stage_tick(p.key, 2, d))
        tick._agents_sequential(kt, ko, lat, ag, st, p, legit, np.ones(1), np.zeros(1), sc)
    return before, w.cell.copy(), aggrieved


def test_only_those_who_might_act_move():
    before, after, aggrieved = _days_on_one_lattice(settled_stay=True)
    # hardship 0.05 x (1 - 0.5) is below the threshold: never active, never moved
    assert (after[~aggrieved] == before[~aggrieved]).all()
    # the aggrieved take rule M: over twenty days nearly all of them have moved
    assert (after[aggrieved] != before[aggrieved]).sum() >= 8
    # and with Epstein's rule everyone moves
    before, after, aggrieved = _days_on_one_lattice(settled_stay=False)
    assert (after[~aggrieved] != before[~aggrieved]).sum() >= 15
