"""The regional tick builds the lattice's tags and deterrence counts from the occupants
once; every step that changes the lattice afterwards (the turns, forces set out or
withdrawn, attack victims, displacement) must keep both exact.

Checked directly: a world is run through the tick's own steps, and after every step
the maintained arrays are compared with arrays rebuilt from the occupants.
"""

from __future__ import annotations

import numpy as np
import pytest

from centrehold.models.regional import tick
from centrehold.models.regional.world import _records, build_world, drivers, tick_inputs
from centrehold.scenario import load_scenario


def _rebuilt(lat, ag, p):
    tags = lat.tag.copy()
    fc = lat.deterrence.copy()
    for r in range(lat.width.shape[0]):
        tick._build_tags(lat.occupant, tags, lat.offset, ag.kind, ag.group, ag.state, r)
        tick._build_deterrence(lat.occupant, fc, lat.offset, lat.width, lat.height, ag.kind,
                               p.deterrence, r)
    return tags, fc


@pytest.mark.parametrize("movers", ["aggrieved", "everyone"])
@pytest.mark.parametrize("schedule", ["sequential", "parallel"])
def test_turns_keep_tags_and_deterrence_exact(schedule, movers):
    sc = load_scenario("iraq-2009", {"people_per_agent": "10000", "calendar.tick": "week",
                                     "hypothesis": "H2", "warmup_days": "0",
                                     "intergroup.movers": movers,
                                     # displace often, so that rebuilds are needed
                                     "displacement.threat": "0.0",
                                     "displacement.probability": "0.2"})
    T = 12
    built = build_world(sc, 3, T)
    drv = drivers(sc, built, T)
    lat, ag, st, p, inp, out, lg, sc_, _ = _records(sc, built, drv, tick_inputs(sc, built, drv,
                                                                                T), T, 3,
                                                     schedule)
    G = inp.legitimacy.shape[1]
    R = lat.width.shape[0]
    K = st.block_start.shape[0]
    tick.tally(ag, G, R, K, sc_.counts, sc_.on_streets)
    checked = changed = killed = 0

    def check():
        nonlocal checked
        tags, fc = _rebuilt(lat, ag, p)
        np.testing.assert_array_equal(lat.tag, tags)
        np.testing.assert_array_equal(lat.deterrence, fc)
        checked += 1

    for t in range(T):
        tick.set_forces(lat, ag, st, inp.street_targets[t], p.key, t, p.deterrence)
        if not sc_.stale[0]:  # built by the first pass, kept up to date since
            check()
        share = tick._shares(sc_.counts, G, R)
        for d in range(p.substeps):
            before = lat.tag.copy()
            tick._agents_day(t, d, lat, ag, st, p, inp, out, lg, sc_, share)
            changed += int((lat.tag != before).sum())
            assert not sc_.stale[0]
            check()
        n_att = tick.draw_attacks(inp.insurgent_rate[t], 2, p.attack_size_min,
                                  p.attack_size_alpha, p.attack_size_max, p.key, t, sc_, 0,
                                  out)
        n_kill = tick.place_attacks(lat, ag, p, n_att, G, p.key, t, sc_, out.dropped, 0)
        tick._victims_out(t, True, n_kill, ag, sc_, out)
        killed += n_kill
        check()
        tick.tally(ag, G, R, K, sc_.counts, sc_.on_streets)
    # the check saw days, and agents moved, changed state, were displaced and killed
    assert checked >= T * p.substeps
    assert changed > 0
    assert out.displaced.sum() > 0
    assert killed > 0
