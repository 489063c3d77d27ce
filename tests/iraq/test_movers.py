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


def _copy(rec):
    return type(rec)(*[np.copy(a) for a in rec])


def test_leaving_out_those_whose_turn_cannot_change_anything_changes_nothing():
    """The day's order holds only `_turn_takers`: sweeping a random order over every
    agent, and the same order with the others left out, must give the same world."""
    from centrehold.models.regional.world import _records, build_world, drivers, tick_inputs
    from centrehold.scenario import load_scenario

    sc = load_scenario("iraq-2009", {"people_per_agent": "10000", "calendar.tick": "week",
                                     "hypothesis": "H2"})
    T = 40
    built = build_world(sc, 5, T)
    drv = drivers(sc, built, T)
    lat, ag, st, p, inp, out, lg, scr, per = _records(sc, built, drv,
                                                      tick_inputs(sc, built, drv, T), T, 5,
                                                      "sequential")
    G, R, K = len(sc.groups), lat.width.shape[0], st.block_start.shape[0]
    tick.tally(ag, G, R, K, scr.counts, scr.on_streets)
    tick.run_ticks(-p.warmup, 30, lat, ag, st, p, inp, out, lg, scr, per)
    legit = inp.legitimacy[30]
    n = tick._turn_takers(ag.kind, ag.state, ag.group, ag.region, ag.hardship, ag.revenge,
                          legit, p.threshold, p.settled_stay, scr.takers)
    # most agents sit the day out, and some of those who take a turn act
    assert 0 < n < 0.2 * ag.kind.shape[0]
    assert (ag.state == tick.ACTIVE).any()
    for day in range(5):
        everyone = np.random.default_rng(day).permutation(ag.kind.shape[0])
        takers = everyone[scr.takers[everyone]]
        kt = tick.stage_tick(p.key, tick.STAGE_AGENTS, 1000 + day)
        worlds = []
        for order in (everyone, takers):
            lat2, ag2, sc2 = _copy(lat), _copy(ag), _copy(scr)
            tick._sweep(order, 0, order.shape[0], kt, lat2, ag2, st, p, legit,
                        inp.arrest_k[30], inp.incident_mean[30], sc2)
            worlds.append((lat2, ag2, sc2))
        (la, aa, sa), (lb, ab, sb) = worlds
        for x, y in [(la, lb), (aa, ab)]:
            for u, v in zip(x, y, strict=True):
                np.testing.assert_array_equal(u, v)
        np.testing.assert_array_equal(sa.inc_n, sb.inc_n)
        np.testing.assert_array_equal(sa.arrests_gr, sb.arrests_gr)
        # and the day changed the world: a test of a no-op would pass anything
        assert (aa.cell != ag.cell).any()
