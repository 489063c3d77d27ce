"""Exact small cases computed by hand: the rule pieces and one arrest."""

from __future__ import annotations

import math

import numpy as np
import pytest

from centrehold.engine import PRESETS, Rules, TickInputs, step, variant_from
from centrehold.engine.core import kernels as C
from centrehold.engine.core.state import ACTIVE, EMPTY, JAILED, QUIET, empty_world
from centrehold.models.epstein import kernels as K
from centrehold.models.epstein import synchronous as S
from centrehold.models.epstein.rules import K_EPSTEIN, row_segments, vision_offsets

ROUNDINGS = {"floor": 0, "round": 1, "none": 2}


@pytest.mark.parametrize(
    ("cops", "actives", "floor", "rnd", "none"),
    [
        (0, 1, 0, 0, 0.0),
        (1, 1, 1, 1, 1.0),
        (1, 2, 0, 0, 0.5),  # half rounds to even: 0
        (3, 2, 1, 2, 1.5),  # half rounds to even: 2
        (5, 2, 2, 2, 2.5),  # half rounds to even: 2
        (7, 2, 3, 4, 3.5),
        (2, 3, 0, 1, 2 / 3),
        (9, 4, 2, 2, 2.25),
    ],
)
def test_arrest_probability_by_rounding(cops, actives, floor, rnd, none):
    k = K_EPSTEIN
    for name, ratio in (("floor", floor), ("round", rnd), ("none", none)):
        p = C.arrest_probability(cops, actives, k, ROUNDINGS[name])
        assert p == pytest.approx(1.0 - math.exp(-k * ratio), abs=1e-15), name


def test_one_cop_one_active_gives_nine_tenths():
    assert C.arrest_probability(1, 1, K_EPSTEIN, 0) == pytest.approx(0.9, abs=1e-6)


def test_round_matches_python_round_as_mesa_uses_it():
    for c in range(0, 30):
        for a in range(1, 12):
            assert C.ratio_term(c, a, 1) == round(c / a), (c, a)


@pytest.mark.parametrize(
    ("h", "legit", "r", "p", "t", "active"),
    [
        (0.9, 0.82, 0.05, 0.9, 0.1, True),  # G = 0.162, N = 0.045, G - N = 0.117 > 0.1
        (0.9, 0.82, 0.10, 0.9, 0.1, False),  # N = 0.09: 0.072
        (0.9, 0.82, 0.90, 0.0, 0.1, True),  # no risk: 0.162 > 0.1
        (0.5, 0.82, 0.00, 0.0, 0.1, False),  # G = 0.09
        (1.0, 0.00, 0.50, 0.9, 0.5, True),  # 1 - 0.45 = 0.55 > 0.5
        (1.0, 0.00, 1.00, 0.5, 0.5, False),  # exactly at the threshold stays quiet
    ],
)
def test_rule_a_decision(h, legit, r, p, t, active):
    assert C.decides_active(h, legit, 0.0, r, p, t) is active


def _seen(shape: str, radius: int, x: int, y: int, size: int = 5) -> set[tuple[int, int]]:
    """Cells the kernel counts when every other cell, one at a time, holds a cop."""
    segs = row_segments(vision_offsets(shape, radius))
    lut = K.tag_table(1)[0]
    seen = set()
    for cy in range(size):
        for cx in range(size):
            tag = np.zeros(size * size, dtype=np.int8)
            tag[cy * size + cx] = K.T_FORCE
            cops, _, _ = K.count_vision(tag, 0, size, size, x, y, segs, lut)
            if cops:
                seen.add((cx, cy))
    return seen


CORNER_5x5 = {
    # agent at (0, 0) of a 5x5 torus: neighbours wrap to column 4 and row 4
    ("moore", 1): {(1, 0), (4, 0), (0, 1), (0, 4), (1, 1), (1, 4), (4, 1), (4, 4)},
    ("von_neumann", 1): {(1, 0), (4, 0), (0, 1), (0, 4)},
    ("epstein", 1): {(1, 0), (4, 0), (0, 1), (0, 4)},
    ("euclidean", 1): {(1, 0), (4, 0), (0, 1), (0, 4)},
    ("moore", 2): {(x, y) for x in range(5) for y in range(5)} - {(0, 0)},
    ("von_neumann", 2): {(1, 0), (4, 0), (0, 1), (0, 4), (2, 0), (3, 0), (0, 2), (0, 3),
                         (1, 1), (1, 4), (4, 1), (4, 4)},
    ("epstein", 2): {(1, 0), (2, 0), (4, 0), (3, 0), (0, 1), (0, 2), (0, 4), (0, 3)},
    # dx^2 + dy^2 <= 4 on radius 2: (1, 1) is in, (2, 1) is not
    ("euclidean", 2): {(1, 0), (4, 0), (0, 1), (0, 4), (2, 0), (3, 0), (0, 2), (0, 3),
                       (1, 1), (1, 4), (4, 1), (4, 4)},
}


@pytest.mark.parametrize(("shape", "radius"), sorted(CORNER_5x5))
def test_vision_sets_on_a_small_torus(shape, radius):
    assert _seen(shape, radius, 0, 0) == CORNER_5x5[(shape, radius)]
    # the same shape seen from the centre, without wrap-around, is the offsets themselves
    centre = {(2 + dx, 2 + dy) for dx, dy in vision_offsets(shape, radius)}
    assert _seen(shape, radius, 2, 2) == centre


def test_vision_sizes():
    assert len(vision_offsets("moore", 7)) == 224
    assert len(vision_offsets("von_neumann", 7)) == 112
    assert len(vision_offsets("epstein", 7)) == 28
    assert len(vision_offsets("euclidean", 7)) == 148  # lattice points in a disc of radius 7


def _one_cop_one_active(preset: str):
    """A 9x9 torus: a cop at (4, 4), one citizen at (5, 5) sure to stay active."""
    world = empty_world(np.array([9]), np.array([9]), 2)
    cop, cit = 0, 1
    world.kind[cop] = 1
    world.cell[cop] = 4 * 9 + 4
    world.cell[cit] = 5 * 9 + 5
    world.occupant[world.cell] = [cop, cit]
    world.state[cit] = ACTIVE
    world.hardship[cit] = 1.0  # grievance 1 at legitimacy 0: active whatever the risk
    rules = Rules(width=9, height=9, citizen_vision=2, cop_vision=2, legitimacy=0.0,
                  max_jail_term=5, citizen_movement=False)
    inputs = TickInputs(legitimacy=np.zeros((1, 1)), effectiveness=np.ones(1))
    return world, rules, variant_from(preset), inputs


@pytest.mark.parametrize("schedule", ["sequential", "synchronous"])
def test_cop_arrests_the_only_active_in_vision_epstein(schedule):
    world, rules, variant, inputs = _one_cop_one_active("epstein")
    res = step(world, inputs, rules, variant, schedule, key=7, tick=1)
    assert res.arrests[0, 0] == 1
    assert world.state[1] == JAILED
    assert 0 <= world.jail_left[1] <= 5
    assert world.cell[1] == EMPTY  # left the lattice
    assert world.cell[0] == 5 * 9 + 5  # the cop stepped into the arrestee's cell
    assert world.occupant[5 * 9 + 5] == 0
    assert np.count_nonzero(world.occupant >= 0) == 1


@pytest.mark.parametrize("schedule", ["sequential", "synchronous"])
def test_cop_arrests_the_only_active_in_vision_mesa(schedule):
    world, rules, variant, inputs = _one_cop_one_active("mesa")
    res = step(world, inputs, rules, variant, schedule, key=7, tick=1)
    assert res.arrests[0, 0] == 1
    assert world.state[1] == JAILED
    assert world.cell[1] == 5 * 9 + 5  # Mesa keeps the jailed agent on its cell
    assert world.occupant[5 * 9 + 5] == 1
    assert world.cell[0] != 5 * 9 + 5


def test_no_arrest_when_the_active_is_out_of_vision():
    world, rules, variant, inputs = _one_cop_one_active("epstein")
    # move the citizen to (8, 8): 4 cells away on both axes, beyond vision 2
    world.occupant[world.cell[1]] = EMPTY
    world.cell[1] = 8 * 9 + 8
    world.occupant[8 * 9 + 8] = 1
    rules = Rules(width=9, height=9, citizen_vision=2, cop_vision=2, legitimacy=0.0,
                  max_jail_term=5, citizen_movement=False, movement=False)
    res = step(world, inputs, rules, variant, "sequential", key=7, tick=1)
    assert res.arrests.sum() == 0
    assert world.state[1] == ACTIVE


def test_jail_terms_cover_the_stated_range():
    # inclusive: U{0..J}; exclusive (NetLogo's `random J`): U{0..J-1}
    for jail_range, top in (("inclusive", 3), ("exclusive", 2)):
        terms = set()
        for key in range(200):
            world, rules, _, inputs = _one_cop_one_active("epstein")
            rules = Rules(**{**rules.__dict__, "max_jail_term": 3})
            step(world, inputs, rules, variant_from("epstein", jail_range=jail_range),
                 "sequential", key=key, tick=1)
            terms.add(int(world.jail_left[1]))
        assert terms == set(range(top + 1)), jail_range


def test_presets_pin_their_choices():
    assert PRESETS["mesa"].neighbourhood == "von_neumann"
    assert PRESETS["mesa"].rounding == "round"
    assert PRESETS["mesa"].jail == "keep"
    assert PRESETS["mesa"].cop_takes_cell is False
    assert PRESETS["netlogo"].neighbourhood == "euclidean"
    assert PRESETS["netlogo"].jail_range == "exclusive"
    assert PRESETS["netlogo"].move_first is True
    assert PRESETS["epstein"].rounding == "floor"
    assert PRESETS["epstein"].jail == "leave"
    assert PRESETS["epstein"].arrest == "random"


def test_a_quiet_world_stays_quiet_when_legitimacy_is_full():
    world, rules, variant, _ = _one_cop_one_active("epstein")
    world.state[1] = QUIET
    inputs = TickInputs(legitimacy=np.ones((1, 1)), effectiveness=np.ones(1))
    step(world, inputs, rules, variant, "sequential", key=1, tick=1)
    assert world.state[1] == QUIET


@pytest.mark.parametrize("shape", ["moore", "von_neumann", "epstein", "euclidean"])
def test_prefix_sum_counts_equal_direct_counts(shape):
    """The synchronous schedule's row prefix sums count exactly what a direct scan counts,
    at every cell of a small torus, edges and corners included."""
    rng = np.random.default_rng(3)
    w, h = 13, 11
    tag = rng.choice([0, 1, 2, 4, 5, 6, 7], size=w * h).astype(np.int8)
    pref = np.zeros((1, w * h + h), dtype=np.int64)
    row_region = np.zeros(h, dtype=np.int64)
    row_y = np.arange(h, dtype=np.int64)
    row_base = np.zeros(1, dtype=np.int64)
    S.build_prefix(pref, tag, row_region, row_y, row_base, np.array([w]), np.array([0, w * h]))
    lut = K.tag_table(2)[0]
    for radius in (1, 3, 5):
        segs = row_segments(vision_offsets(shape, radius))
        for y in range(h):
            rows = np.array([((y + dy) % h) * (w + 1) for dy in segs[:, 0]], dtype=np.int64)
            for x in range(w):
                packed = S._seg_sum_rows(pref, 0, rows, w, x, segs)
                cops, acts, _ = K.count_vision(tag, 0, w, h, x, y, segs, lut)
                assert (packed >> 32, packed & 0xFFFFFFFF) == (cops, acts), (radius, x, y)
