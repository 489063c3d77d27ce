"""Each variant option changes behaviour the way its name says (hand-built small worlds)."""

from __future__ import annotations

import numpy as np

from centrehold.engine import Rules, TickInputs, step, variant_from
from centrehold.engine.core.state import ACTIVE, JAILED, empty_world
from centrehold.models.epstein.rules import LIFE

SIZE = 11


def _world(citizens: list[tuple[int, int]], cops: list[tuple[int, int]], active: bool):
    n = len(citizens) + len(cops)
    world = empty_world(np.array([SIZE]), np.array([SIZE]), n)
    for i, (x, y) in enumerate(cops + citizens):
        world.cell[i] = y * SIZE + x
        world.occupant[y * SIZE + x] = i
    world.kind[: len(cops)] = 1
    if active:
        world.state[len(cops):] = ACTIVE
        world.hardship[len(cops):] = 1.0
    return world


def _torus_dist(c1: int, c2: int) -> tuple[int, int]:
    dx = abs(c1 % SIZE - c2 % SIZE)
    dy = abs(c1 // SIZE - c2 // SIZE)
    return min(dx, SIZE - dx), min(dy, SIZE - dy)


def _arrested(arrest: str, key: int) -> int:
    """Which of two actives (1: one cell away, 2: three cells away) the cop takes."""
    world = _world([(5, 6), (5, 8)], [(5, 5)], active=True)
    # life terms: a term of 0 would free the arrestee at its own turn in the same tick
    rules = Rules(width=SIZE, height=SIZE, citizen_vision=3, cop_vision=3, legitimacy=0.0,
                  max_jail_term=LIFE, movement=False)
    inputs = TickInputs(legitimacy=np.zeros((1, 1)), effectiveness=np.ones(1))
    # the citizens act too; grievance 1 keeps them active, and they stay put
    step(world, inputs, rules, variant_from("mesa", arrest=arrest), "sequential", key, 1)
    jailed = np.flatnonzero(world.state == JAILED)
    assert jailed.size == 1
    return int(jailed[0])


def test_nearest_arrest_takes_the_closest_active():
    assert {_arrested("nearest", key) for key in range(20)} == {1}


def test_random_arrest_takes_either_active():
    assert {_arrested("random", key) for key in range(40)} == {1, 2}


def _steps_moved(movement: str, shape: str) -> set[tuple[int, int]]:
    moves = set()
    for key in range(60):
        world = _world([(5, 5)], [], active=False)
        rules = Rules(width=SIZE, height=SIZE, citizen_vision=3, cop_vision=3, legitimacy=1.0)
        inputs = TickInputs(legitimacy=np.ones((1, 1)), effectiveness=np.ones(1))
        start = int(world.cell[0])
        variant = variant_from("epstein", movement=movement, neighbourhood=shape)
        step(world, inputs, rules, variant, "sequential", key, 1)
        moves.add(_torus_dist(start, int(world.cell[0])))
    return moves


def test_walk_moves_one_cell_and_vision_moves_anywhere_in_sight():
    walk = _steps_moved("walk", "von_neumann")
    assert walk == {(0, 1), (1, 0)}
    far = _steps_moved("vision", "von_neumann")
    assert max(dx + dy for dx, dy in far) == 3
    assert all(dx + dy <= 3 for dx, dy in far)
    moore = _steps_moved("vision", "moore")
    assert (3, 3) in moore  # the corner of the square is in sight


def test_no_movement_means_nobody_moves():
    world = _world([(2, 2), (7, 7)], [(5, 5)], active=False)
    before = world.cell.copy()
    rules = Rules(width=SIZE, height=SIZE, citizen_vision=3, cop_vision=3, movement=False)
    inputs = TickInputs(legitimacy=np.ones((1, 1)), effectiveness=np.ones(1))
    for schedule in ("sequential", "synchronous"):
        step(world, inputs, rules, variant_from("epstein"), schedule, 3, 1)
        assert np.array_equal(world.cell, before)


def test_failed_arrests_follow_effectiveness():
    """With effectiveness 0 a cop never arrests; with 1 it always does."""
    for eff, expected in ((0.0, 0), (1.0, 1)):
        world = _world([(5, 6)], [(5, 5)], active=True)
        rules = Rules(width=SIZE, height=SIZE, citizen_vision=2, cop_vision=2, legitimacy=0.0,
                      citizen_movement=False)
        inputs = TickInputs(legitimacy=np.zeros((1, 1)), effectiveness=np.array([eff]))
        res = step(world, inputs, rules, variant_from("epstein"), "synchronous", 1, 1)
        assert res.arrests.sum() == expected
