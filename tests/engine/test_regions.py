"""Many regions, groups and forces in one world: each region is its own torus."""

from __future__ import annotations

import numpy as np
import pytest

from centrehold.engine import Rules, TickInputs, step, variant_from
from centrehold.engine.core.state import ACTIVE, DEAD, EMPTY, JAILED, QUIET, empty_world


def _cop_and_active(active_region: int, schedule: str) -> int:
    """Region 0 (5x5) has a cop at its last cell (4, 4); an active citizen stands at
    (0, 0) of `active_region`. Returns arrests after one tick."""
    world = empty_world(np.array([5, 5]), np.array([5, 5]), 2)
    world.kind[0] = 1
    world.cell[0] = 24
    world.cell[1] = 25 * active_region
    world.region[1] = active_region
    world.occupant[world.cell] = [0, 1]
    world.state[1] = ACTIVE
    world.hardship[1] = 1.0
    rules = Rules(width=5, height=5, citizen_vision=1, cop_vision=1, legitimacy=0.0,
                  max_jail_term=3, movement=False)
    inputs = TickInputs(legitimacy=np.zeros((1, 2)), effectiveness=np.ones(1))
    res = step(world, inputs, rules, variant_from("epstein", neighbourhood="moore"), schedule,
               1, 1)
    assert res.arrests.shape == (1, 2)
    return int(res.arrests.sum())


@pytest.mark.parametrize("schedule", ["sequential", "synchronous"])
def test_vision_wraps_within_a_region_and_never_crosses_into_the_next(schedule):
    # (4, 4) and (0, 0) are Moore neighbours on the same 5x5 torus ...
    assert _cop_and_active(0, schedule) == 1
    # ... but region 1's first cell follows region 0's last only in the flat array
    assert _cop_and_active(1, schedule) == 0


@pytest.mark.parametrize("schedule", ["sequential", "synchronous"])
def test_many_regions_groups_and_forces_keep_their_invariants(schedule):
    rng = np.random.default_rng(4)
    widths, heights = np.array([10, 12, 9]), np.array([10, 8, 11])
    n_cells = int((widths * heights).sum())
    n = int(0.8 * n_cells) + 40
    world = empty_world(widths, heights, n, group_names=("a", "b", "c"),
                        region_names=("r0", "r1", "r2"), force_names=("f1", "f2"))
    cells = rng.permutation(n_cells)[: n - 40]
    placed = n - 40
    world.cell[:placed] = cells
    world.occupant[cells] = np.arange(placed)
    world.region[:placed] = np.searchsorted(world.cell_offset, cells, side="right") - 1
    world.kind[:placed] = rng.choice([0, 0, 0, 0, 0, 0, 0, 0, 1, 2], placed)
    world.group[:placed] = np.where(world.kind[:placed] == 0, rng.integers(0, 3, placed), 0)
    world.hardship[:placed] = rng.random(placed)
    world.risk_aversion[:placed] = rng.random(placed)
    world.state[placed:] = DEAD  # spare slots for Model II births
    rules = Rules(citizen_vision=2, cop_vision=3, max_jail_term=4, intergroup=True, n_groups=3,
                  birth_prob=0.05, max_age=50)
    legit = rng.uniform(0.5, 0.9, (3, 3))
    inputs = TickInputs(legitimacy=legit, effectiveness=np.array([0.9, 0.4]))
    start_region = world.region.copy()
    arrests = np.zeros((3, 3), dtype=np.int64)
    kills = 0
    for tick in range(1, 31):
        res = step(world, inputs, rules, variant_from("epstein"), schedule, 9, tick)
        arrests += res.arrests
        kills += int(res.killings.sum())
        on = np.flatnonzero(world.cell >= 0)
        lo = world.cell_offset[world.region[on]]
        hi = world.cell_offset[world.region[on] + 1]
        assert np.all((world.cell[on] >= lo) & (world.cell[on] < hi))  # nobody leaves a region
        assert np.array_equal(world.occupant[world.cell[on]], on)
        assert np.count_nonzero(world.occupant >= 0) == on.size
        forces = world.kind >= 1  # never die, so their slots are never reused
        assert np.array_equal(world.region[forces], start_region[forces])
        assert np.all(world.cell[world.state == JAILED] == EMPTY)
        assert np.all(np.isin(world.state[world.kind >= 1], [QUIET]))
    assert arrests.sum() > 0 and kills > 0
