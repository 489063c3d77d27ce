"""Kernel-level cases worked out by hand: revenge, its decay, displacement, attacks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from centrehold.engine.core.state import DEAD, EMPTY, empty_world
from centrehold.models.regional import tick

from .kit import events, records


def two_regions():
    """Two 10x10 tori; region 0 holds agents 0..5 around cell (5, 5), region 1 agent 6."""
    w = empty_world(np.array([10, 10]), np.array([10, 10]), 7)
    spots = [(5, 5, 0), (6, 5, 0), (5, 6, 1), (8, 8, 0), (0, 0, 0), (9, 9, 1)]
    for a, (x, y, g) in enumerate(spots):
        c = y * 10 + x
        w.cell[a], w.occupant[c], w.group[a], w.region[a] = c, a, g, 0
    c = 100 + 3 * 10 + 3
    w.cell[6], w.occupant[c], w.group[6], w.region[6] = c, 6, 0, 1
    adj_start = np.array([0, 1, 2], dtype=np.int64)
    adj_list = np.array([1, 0], dtype=np.int64)
    return w, adj_start, adj_list


def bump(w, adj_start, adj_list, toll, spill=0.0, radius=1):
    lat, ag, st, p, sc = records(w, adj_start, adj_list, revenge_radius=radius,
                                 revenge_spill=spill)
    n = events(sc, [0], [55], [0], [float(toll)])
    tick.apply_revenge(lat, ag, st, p, n, sc, p.key, 0)


def test_revenge_raises_the_victims_community_within_the_radius_only():
    w, s, lst = two_regions()
    bump(w, s, lst, toll=10)
    amount = 0.3 * (1 - math.exp(-1.0))
    # agent 1 at (6,5): same community, one cell away -> raised
    assert w.revenge[1] == pytest.approx(amount)
    # agent 0 sits on the killing's cell (55) -> raised too
    assert w.revenge[0] == pytest.approx(amount)
    # agent 2 at (5,6): other community -> untouched; agent 3 at (8,8): out of radius 1
    assert w.revenge[2] == 0 and w.revenge[3] == 0
    # torus: agent 4 at (0,0) is 5 cells away -> untouched; no spill: region 1 untouched
    assert w.revenge[4] == 0 and w.revenge[6] == 0


def test_revenge_spills_next_door_and_decays_with_its_e_folding_time():
    w, s, lst = two_regions()
    bump(w, s, lst, toll=1000, spill=1.0)
    assert w.revenge[6] == pytest.approx(0.3 * (1 - math.exp(-100.0)))
    before = w.revenge.copy()
    for _ in range(28):
        tick.decay_revenge(w.revenge, math.exp(-1.0 / 28.0))
    assert w.revenge[6] == pytest.approx(before[6] / math.e)


def test_threatened_minority_moves_to_the_neighbour_where_it_is_stronger():
    w, s, lst = two_regions()
    w.revenge[2] = 1.0  # group 1 in region 0
    w.revenge[1] = 1.0  # group 0 in region 0 (majority): stays
    share = np.array([[0.8, 0.4], [0.2, 0.6]])  # [group, region]
    moved = np.zeros((2, 2), dtype=np.int64)
    lat, ag, st, p, _ = records(w, s, lst, displace_threat=0.1, displace_probability=1.0,
                                displace_minority_below=0.5)
    tick.displace(lat, ag, st, p, share, p.key, 0, moved)
    assert w.region[2] == 1 and 100 <= w.cell[2] < 200 and w.occupant[w.cell[2]] == 2
    assert w.occupant[5 * 10 + 6 + 9] != 2  # its old cell (5,6) was freed
    assert w.region[1] == 0
    assert moved[1, 0] == 1 and moved.sum() == 1


def test_an_attack_on_a_community_kills_only_its_members_and_records_the_toll():
    w, s, lst = two_regions()
    lat, ag, st, p, sc = records(w, s, lst, attack_radius=1, people_per_agent=1)
    sc.att_region[0], sc.att_target[0], sc.att_size[0] = 0, 1, 7
    n = tick.place_attacks(lat, ag, p, 1, 2, p.key, 0, sc, np.zeros(3, dtype=np.int64), 0)
    a_cell, gd, victims = sc.att_cell, sc.att_gd, sc.kill_victim
    # target community 1 in region 0: agents 2 and 5; toll 7 persons at 1 person per agent
    assert list(gd[0]) == [0, 7]
    assert n >= 1 and all(w.group[v] == 1 for v in victims[:n])
    assert all(w.state[v] == DEAD for v in victims[:n])
    assert w.occupant[a_cell[0]] in (EMPTY, 2, 5)
