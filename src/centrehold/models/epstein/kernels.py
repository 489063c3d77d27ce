"""Numba kernels both schedules of Epstein's models share, over the structure-of-arrays world.

The schedules themselves are `sequential.py` (`tick_sequential`, the reference) and
`synchronous.py` (`tick_synchronous`, parallel). What they share lives here: the kernels'
parameter slots, the cell tags and the vision scans built on them, the actions (move,
jail, kill), Model II's demography and the bookkeeping `simulate` calls between ticks.
The arrest chance, rule A and the torus wrap are the core's (`centrehold.engine.core`).

Geometry: region r is a torus of width[r] x height[r] cells starting at
cell_offset[r]; an offset (dx, dy) wraps within the region. Vision offsets must be
shorter than the torus (2 v + 1 <= width, height), which the callers check.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from centrehold.engine.core.kernels import _wrap
from centrehold.engine.core.rng import (
    SLOT_BIRTH,
    SLOT_CHILD,
    SLOT_JAIL,
    SLOT_ORDER,
    below,
    hash_kt,
    tick_key,
    uniform,
)

QUIET = 0
ACTIVE = 1
JAILED = 2
DEAD = 3
IN_BASE = 4
EMPTY = -1
LIFE = 2**31 - 1

# integer parameters (ip)
I_ROUND = 0  # 0 floor, 1 round half-even, 2 none
I_ARREST = 1  # 0 random, 1 nearest
I_MOVE = 2  # 0 nobody moves, 1 anywhere in vision, 2 one-cell walk
I_JAIL_KEEP = 3  # 0 jailed leave the lattice, 1 they keep their cell
I_JAIL_CAP = 4  # largest term drawn; -1 life
I_COP_TAKES = 5  # 1: an arresting cop steps into the arrestee's cell
I_MOVE_FIRST = 6  # 1: rule M before A/C
I_INTERGROUP = 7  # 1: Model II's inter-group rule
I_MAX_AGE = 8  # -1: no ageing
I_CIT_MOVE = 9  # 0: civilians stay put (run I-1)
N_IP = 10
# float parameters (fp)
F_THRESH = 0
F_K = 1
F_BIRTH = 2
N_FP = 3

SLOT_BIRTH_CELL = 2000  # placement of a child (2000..2031)
SLOT_TIE_BASE = 4000  # tie-breaks among equally near candidates (4000..)
SLOT_WITHDRAW = 3000


# ----------------------------------------------------------------------------- cell tags
# Each cell carries a one-byte tag of what stands on it, kept in step with `occupant`
# during a tick, so that scanning a vision reads one small contiguous array instead of
# following occupant -> kind -> state. 0 empty; 1 a force agent on the streets;
# 2 occupied by someone who neither counts nor can be harmed (a jailed agent keeping
# the cell); 4 + 2 g + a: a civilian of group g, a = 1 when active.
T_EMPTY = 0
T_FORCE = 1
T_BLOCK = 2
T_CIV = 4
MAX_GROUPS = (127 - T_CIV) // 2  # tags are int8 and index a 128-entry table


@njit(cache=True, inline="always")
def tag_of(b, kind, group, state):
    if kind[b] >= 1:
        return T_FORCE if state[b] == QUIET else T_BLOCK
    s = state[b]
    if s == QUIET:
        return T_CIV + 2 * group[b]
    if s == ACTIVE:
        return T_CIV + 2 * group[b] + 1
    return T_BLOCK


@njit(cache=True, parallel=True)
def build_tags(tag, occupant, kind, group, state):
    """Recompute every cell's tag from the agents; run at the start of each tick."""
    for c in prange(occupant.shape[0]):
        o = occupant[c]
        tag[c] = T_EMPTY if o < 0 else tag_of(o, kind, group, state)


@njit(cache=True)
def build_tags_serial(tag, occupant, kind, group, state):
    """`build_tags` without threads: the sequential schedule must not wait on a thread pool."""
    for c in range(occupant.shape[0]):
        o = occupant[c]
        tag[c] = T_EMPTY if o < 0 else tag_of(o, kind, group, state)


def tag_table(n_groups: int) -> np.ndarray:
    """lut[g, tag]: what one cell adds to a vision count, packed in one integer.

    Bits 0-19 count forces on the streets, bits 20-39 actives, bits 40- civilians
    not of group g; row n_groups is for force agents, who belong to no group. Summing
    table entries keeps the scan over a vision free of branches.
    """
    lut = np.zeros((n_groups + 1, 128), dtype=np.int64)
    lut[:, T_FORCE] = 1
    for g in range(n_groups + 1):
        for h in range(n_groups):
            for act in (0, 1):
                t = T_CIV + 2 * h + act
                lut[g, t] = (act << 20) + ((1 << 40) if h != g else 0)
    return lut


# ----------------------------------------------------------------------------- vision scans


@njit(cache=True, inline="always")
def _scan(tag, lo, hi, lut):
    s = 0
    for c in range(lo, hi):
        s += lut[tag[c]]
    return s


@njit(cache=True)
def count_vision(tag, base, w, h, x, y, segs, lut):
    """(forces on the streets, actives, civilians of other groups) in the vision segments.

    `lut` is the row of `tag_table` for the looking agent's group.
    """
    s = 0
    for i in range(segs.shape[0]):
        row = base + _wrap(y + segs[i, 0], h) * w
        x0 = x + segs[i, 1]
        x1 = x + segs[i, 2] + 1
        if x0 < 0:
            s += _scan(tag, row + x0 + w, row + w, lut)
            x0 = 0
        if x1 > w:
            s += _scan(tag, row, row + x1 - w, lut)
            x1 = w
        s += _scan(tag, row + x0, row + x1, lut)
    return s & 0xFFFFF, (s >> 20) & 0xFFFFF, s >> 40


@njit(cache=True)
def nth_active(tag, base, w, h, x, y, segs, m):
    """The cell of the m-th active (0-based) in scan order of the vision segments."""
    for i in range(segs.shape[0]):
        row = base + _wrap(y + segs[i, 0], h) * w
        for xx in range(x + segs[i, 1], x + segs[i, 2] + 1):
            c = row + _wrap(xx, w)
            t = tag[c]
            if t >= T_CIV and (t & 1) == 1:
                if m == 0:
                    return c
                m -= 1
    return -1


@njit(cache=True)
def pick_nearest(a, tag, base, w, h, x, y, off, want_active, g, key, tick):
    """The cell of the nearest active (or civilian not of group g); ties at random; -1 if none.

    Offsets come sorted by distance, so scanning stops after the first distance that
    holds a candidate; among equals the m-th found replaces the choice with chance 1/m.
    """
    chosen = -1
    seen = 0
    best_d = -1
    for i in range(off.shape[0]):
        dx = off[i, 0]
        dy = off[i, 1]
        d = dx * dx + dy * dy
        if best_d >= 0 and d > best_d:
            break
        c = base + _wrap(y + dy, h) * w + _wrap(x + dx, w)
        t = tag[c]
        if t < T_CIV:
            continue
        if want_active:
            if (t & 1) == 0:
                continue
        elif ((t - T_CIV) >> 1) == g:
            continue
        seen += 1
        best_d = d
        if seen == 1 or below(key, tick, a, SLOT_TIE_BASE + seen, seen) == 0:
            chosen = c
    return chosen


@njit(cache=True, inline="always")
def _lane_below(hbits, j, n):
    """The j-th 16-bit lane of a 64-bit draw mapped exactly uniformly onto 0..n-1, or -1.

    Lemire's multiply-shift with rejection: the few lane values that would make some
    offsets likelier are rejected (-1), so every offset stays exactly equally likely.
    """
    v = np.int64((hbits >> np.uint64(16 * j)) & np.uint64(0xFFFF))
    m = v * n
    low = m & 0xFFFF
    if low < n and low < (65536 - n) % n:
        return -1
    return m >> 16


@njit(cache=True)
def empty_near(a, tag, base, w, h, x, y, off, slot, key, tick):
    """A uniformly chosen empty cell among the offsets, or -1; a few probes, then a count.

    Probing uniformly and keeping the first empty cell is uniform over the empty
    cells, and the exact count afterwards (after 32 failed probes: rare, and the
    costly path) is too, so the mixture is exact. One 64-bit draw gives four 16-bit
    probes, each mapped to 0..n-1 by multiply-shift with the few biased values
    rejected, so every offset stays exactly equally likely.
    """
    n = off.shape[0]
    if n == 0:
        return -1
    kt = tick_key(key, tick)
    for t in range(8):
        hbits = hash_kt(kt, a, slot + t)
        for j in range(4):
            i = _lane_below(hbits, j, n)
            if i < 0:
                continue
            c = base + _wrap(y + off[i, 1], h) * w + _wrap(x + off[i, 0], w)
            if tag[c] == T_EMPTY:
                return c
    return _empty_exact(a, tag, base, w, h, x, y, off, slot, key, tick)


@njit(cache=True)
def _empty_exact(a, tag, base, w, h, x, y, off, slot, key, tick):
    """`empty_near` after its probes failed: count the empty cells and draw one of them."""
    n = off.shape[0]
    free = 0
    for i in range(n):
        if tag[base + _wrap(y + off[i, 1], h) * w + _wrap(x + off[i, 0], w)] == T_EMPTY:
            free += 1
    if free == 0:
        return -1
    m = below(key, tick, a, slot + 9, free)
    for i in range(n):
        c = base + _wrap(y + off[i, 1], h) * w + _wrap(x + off[i, 0], w)
        if tag[c] == T_EMPTY:
            if m == 0:
                return c
            m -= 1
    return -1


@njit(cache=True)
def empty_in_region(r, a, slot, key, tick, tag, cell_offset, empty=T_EMPTY):
    """A uniformly chosen empty cell of region r, or -1 when the region is full.

    `tag` may be the tag array (empty = T_EMPTY) or `occupant` (empty = EMPTY).
    """
    lo = cell_offset[r]
    n = cell_offset[r + 1] - lo
    if n == 0:
        return -1
    for t in range(24):
        c = lo + below(key, tick, a, slot + t, n)
        if tag[c] == empty:
            return c
    free = 0
    for c in range(lo, lo + n):
        if tag[c] == empty:
            free += 1
    if free == 0:
        return -1
    m = below(key, tick, a, slot + 24, free)
    for c in range(lo, lo + n):
        if tag[c] == empty:
            if m == 0:
                return c
            m -= 1
    return -1


# ----------------------------------------------------------------------------- actions


@njit(cache=True, inline="always")
def _jail_term(victim, key, tick, cap):
    if cap < 0:
        return LIFE
    return below(key, tick, victim, SLOT_JAIL, cap + 1)


@njit(cache=True)
def _permute(order, key, tick):
    """A fresh uniformly random activation order (Fisher-Yates on counter-based draws)."""
    n = order.shape[0]
    for i in range(n):
        order[i] = i
    for i in range(n - 1, 0, -1):
        j = below(key, tick, i, SLOT_ORDER, i + 1)
        t = order[i]
        order[i] = order[j]
        order[j] = t


@njit(cache=True, inline="always")
def _move_to(a, c, occupant, tag, cell):
    old = cell[a]
    tag[c] = tag[old]
    tag[old] = T_EMPTY
    occupant[old] = EMPTY
    occupant[c] = a
    cell[a] = c


@njit(cache=True)
def _kill(killer, v, occupant, tag, group, state, cell, region, killings, kill_cells, counters,
          free_stack):
    vc = cell[v]
    state[v] = DEAD
    cell[v] = EMPTY
    occupant[vc] = EMPTY
    tag[vc] = T_EMPTY
    killings[group[v], region[v]] += 1
    kill_cells[counters[0]] = vc
    counters[0] += 1
    free_stack[counters[1]] = v
    counters[1] += 1
    _move_to(killer, vc, occupant, tag, cell)


@njit(cache=True)
def _jail(t, key, tick, cap, keep, occupant, tag, group, state, cell, region, jail_left,
          arrests):
    """Jail agent t; returns the cell it left (or -1 when jailed agents keep their cell)."""
    state[t] = JAILED
    jail_left[t] = _jail_term(t, key, tick, cap)
    arrests[group[t], region[t]] += 1
    c = cell[t]
    if keep:
        tag[c] = T_BLOCK
        return -1
    cell[t] = EMPTY
    occupant[c] = EMPTY
    tag[c] = T_EMPTY
    return c


# ----------------------------------------------------------------------------- demography


@njit(cache=True)
def demography(
    order, key, tick, tag, width, height, cell_offset, occupant,
    kind, group, region, cell, hardship, risk_aversion, state, jail_left, age, revenge,
    adj_off, ip, fp, births, old_age, counters, free_stack,
):
    """Model II: civilians age, die past the maximum age, and clone into a free adjacent cell.

    Runs after the agents' turns in the tick's random order, in both schedules, so
    newborns neither act nor breed in the tick of their birth.
    """
    max_age = ip[I_MAX_AGE]
    pb = fp[F_BIRTH]
    n = order.shape[0]
    born = 0
    for idx in range(n):
        a = order[idx]
        if kind[a] != 0 or state[a] == DEAD or age[a] < 0:
            continue
        age[a] += 1
        if max_age >= 0 and age[a] > max_age:
            if cell[a] != EMPTY:
                occupant[cell[a]] = EMPTY
                tag[cell[a]] = T_EMPTY
                cell[a] = EMPTY
            state[a] = DEAD
            old_age[group[a], region[a]] += 1
            free_stack[counters[1]] = a
            counters[1] += 1
            continue
        if pb > 0.0 and cell[a] != EMPTY and (state[a] == QUIET or state[a] == ACTIVE):
            if uniform(key, tick, a, SLOT_BIRTH) < pb and counters[1] > 0:
                r = region[a]
                base = cell_offset[r]
                w = width[r]
                loc = cell[a] - base
                c = empty_near(a, tag, base, w, height[r], loc % w, loc // w, adj_off,
                               SLOT_BIRTH_CELL, key, tick)
                if c >= 0:
                    counters[1] -= 1
                    child = free_stack[counters[1]]
                    kind[child] = 0
                    group[child] = group[a]
                    region[child] = r
                    cell[child] = c
                    occupant[c] = child
                    hardship[child] = uniform(key, tick, a, SLOT_CHILD)
                    risk_aversion[child] = uniform(key, tick, a, SLOT_CHILD + 1)
                    state[child] = QUIET
                    tag[c] = tag_of(child, kind, group, state)
                    jail_left[child] = 0
                    age[child] = -1
                    revenge[child] = 0.0
                    births[group[a], r] += 1
                    born += 1
    if born > 0:
        for a in range(n):
            if age[a] < 0:
                age[a] = 0


# ----------------------------------------------------------------------------- bookkeeping


@njit(cache=True)
def count_states(kind, group, region, state, out):
    """out[s, g, r]: civilians in QUIET, ACTIVE, JAILED by group and region."""
    out[:] = 0
    for a in range(kind.shape[0]):
        if kind[a] == 0:
            s = state[a]
            if s <= JAILED:
                out[s, group[a], region[a]] += 1


@njit(cache=True)
def set_forces_on_streets(target, force, key, tick, occupant, kind, state, cell, region,
                          cell_offset):
    """Bring force `force` (kind = force + 1) on the streets of each region to target[r].

    Agents are withdrawn from the highest id down and return from the lowest id up;
    ids are in random order at build time, so this picks at random without a draw.
    """
    n = kind.shape[0]
    k = force + 1
    on = np.zeros(target.shape[0], dtype=np.int64)
    for a in range(n):
        if kind[a] == k and state[a] == QUIET:
            on[region[a]] += 1
    for a in range(n - 1, -1, -1):
        if kind[a] == k and state[a] == QUIET and on[region[a]] > target[region[a]]:
            occupant[cell[a]] = EMPTY
            cell[a] = EMPTY
            state[a] = IN_BASE
            on[region[a]] -= 1
    for a in range(n):
        if kind[a] == k and state[a] == IN_BASE and on[region[a]] < target[region[a]]:
            c = empty_in_region(region[a], a, SLOT_WITHDRAW, key, tick, occupant, cell_offset,
                                EMPTY)
            if c < 0:
                continue
            occupant[c] = a
            cell[a] = c
            state[a] = QUIET
            on[region[a]] += 1
