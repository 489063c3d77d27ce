"""Invariants checked on every tick of random small runs (property-based)."""

from __future__ import annotations

import numpy as np
from engine_testkit import make_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from centrehold.engine import TickInputs, build_world, rules_and_variant, step
from centrehold.engine.core.state import ACTIVE, DEAD, EMPTY, IN_BASE, JAILED, QUIET
from centrehold.models.epstein.simulate import _keys


def _check_lattice(world) -> None:
    on = np.flatnonzero(world.cell >= 0)
    cells = world.cell[on]
    # at most one agent per cell, and occupant and cell agree both ways
    assert np.unique(cells).size == cells.size
    assert np.array_equal(world.occupant[cells], on)
    assert np.count_nonzero(world.occupant >= 0) == on.size
    occupied = np.flatnonzero(world.occupant >= 0)
    assert np.array_equal(world.cell[world.occupant[occupied]], occupied)
    # the dead and forces in their bases are off the lattice
    assert np.all(world.cell[(world.state == DEAD) | (world.state == IN_BASE)] == EMPTY)


@st.composite
def small_runs(draw):
    model = draw(st.sampled_from(["I", "II"]))
    size = draw(st.integers(7, 14))
    vision = draw(st.integers(1, 3))
    cit = draw(st.floats(0.2, 0.8))
    cop = draw(st.floats(0.0, min(0.15, 0.95 - cit)))
    changes = dict(
        width=size, height=size + draw(st.integers(0, 3)), citizen_density=cit,
        cop_density=cop, citizen_vision=vision, cop_vision=draw(st.integers(1, 3)),
        legitimacy=draw(st.floats(0.3, 0.95)), max_jail_term=draw(st.integers(0, 6)),
        preset=draw(st.sampled_from(["epstein", "netlogo", "mesa"])),
    )
    base = "epstein-1" if model == "I" else "epstein-2"
    return base, changes, draw(st.sampled_from(["sequential", "synchronous"])), draw(
        st.integers(0, 2**31)
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_runs())
def test_invariants_every_tick(run):
    base, changes, schedule, seed = run
    scenario = make_scenario(base, **changes)
    rules, variant = rules_and_variant(scenario)
    world = build_world(scenario, seed, 12)
    _, key = _keys(seed)
    groups = len(scenario.groups)
    inputs = TickInputs(legitimacy=np.full((groups, 1), scenario.legitimacy),
                        effectiveness=np.ones(1))
    civ = world.kind == 0
    alive_civ = civ & (world.state != DEAD)
    start_total = np.bincount(world.group[alive_civ], minlength=groups)
    dead_total = np.zeros(groups, dtype=np.int64)
    _check_lattice(world)
    for tick in range(1, 13):
        before_state = world.state.copy()
        before_left = world.jail_left.copy()
        before_cell = world.cell.copy()
        res = step(world, inputs, rules, variant, schedule, key, tick)
        _check_lattice(world)
        jailed = (world.kind == 0) & (world.state == JAILED)
        if variant.jail == "leave":
            assert np.all(world.cell[jailed] == EMPTY)
        else:
            assert np.all(world.cell[jailed] >= 0)
        # nobody acts while jailed: one still serving only counts down, in place
        # (Model II's old age may still end a term: the dead are checked above)
        serving = (before_state == JAILED) & (before_left > 0) & (world.state != DEAD)
        if base == "epstein-2":  # a slot freed by a death may hold a newborn by the tick's end
            serving &= world.age != 0
        bad = serving & (world.state != JAILED)
        assert not bad.any(), (run, tick, np.flatnonzero(bad), world.age[bad])
        assert np.all(world.state[serving] == JAILED)
        assert np.all(world.jail_left[serving] == before_left[serving] - 1)
        assert np.all(world.cell[serving] == before_cell[serving])
        # forces never change kind into civilians, and only civilians are jailed
        assert np.all(world.state[world.kind >= 1] != JAILED)
        # conservation: Model I keeps every citizen; Model II balances births and deaths
        civ = world.kind == 0
        dead_total += res.killings[:, 0] + res.old_age[:, 0]
        counts = np.zeros(groups, dtype=np.int64)
        for s in (QUIET, ACTIVE, JAILED):
            counts += np.bincount(world.group[civ & (world.state == s)], minlength=groups)
        if base == "epstein-1":
            assert np.array_equal(counts, start_total)
            assert res.killings.sum() == 0
        else:
            start_total = start_total + res.births[:, 0]
            assert np.array_equal(counts + dead_total, start_total)
            assert res.kill_cells.size == res.killings.sum()
