"""Numba kernels for one tick of Epstein's rules over the structure-of-arrays world.

Two schedules share the same per-agent rules:

* `tick_sequential` activates agents one at a time in a fresh random order, each
  seeing the world as the agents before it left it (Epstein, NetLogo and Mesa).
* `tick_synchronous` lets every civilian decide on one snapshot, counting cops and
  actives from row prefix sums, then resolves competing arrests and moves by a
  seeded random priority. Parallel loops only write to their own agent's slots and
  every contested choice is settled in a fixed serial order, so the result does not
  depend on the thread count.

Geometry: region r is a torus of width[r] x height[r] cells starting at
cell_offset[r]; an offset (dx, dy) wraps within the region. Vision offsets must be
shorter than the torus (2 v + 1 <= width, height), which the callers check.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from centrehold.engine.core.rng import (
    SLOT_ARREST,
    SLOT_BIRTH,
    SLOT_CHILD,
    SLOT_JAIL,
    SLOT_MOVE,
    SLOT_ORDER,
    SLOT_PLACE,
    SLOT_PRIORITY,
    SLOT_SUCCESS,
    below,
    hash4,
    hash_agent,
    hash_kt,
    hash_slot,
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


# ----------------------------------------------------------------------------- rule helpers


@njit(cache=True, inline="always")
def ratio_term(cops, actives, rounding):
    """C/A as the arrest-probability estimate uses it: floored, rounded half-even, or raw."""
    if rounding == 0:
        return float(cops // actives)
    if rounding == 1:
        q = cops // actives
        rem2 = 2 * (cops - q * actives)
        if rem2 > actives or (rem2 == actives and q % 2 == 1):
            q += 1
        return float(q)
    return cops / actives


@njit(cache=True, inline="always")
def arrest_probability(cops, actives, k, rounding):
    """P = 1 - exp(-k * C/A); `actives` already counts the agent itself."""
    return 1.0 - math.exp(-k * ratio_term(cops, actives, rounding))


@njit(cache=True, inline="always")
def decides_active(hardship, legitimacy, revenge, risk, p, threshold):
    """Rule A: active when grievance minus net risk exceeds the threshold."""
    return hardship * (1.0 - legitimacy) + revenge - risk * p > threshold


@njit(cache=True, inline="always")
def _wrap(v, n):
    if v < 0:
        return v + n
    if v >= n:
        return v - n
    return v


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


# ----------------------------------------------------------------------------- sequential


@njit(cache=True)
def tick_sequential(
    key, tick, order, tag,
    width, height, cell_offset, occupant,
    kind, group, region, cell, hardship, risk_aversion, state, jail_left, age, revenge,
    legitimacy, effectiveness, cit_off, cop_off, walk_off, adj_off, cit_segs, cop_segs, ip, fp,
    lut, arrests, killings, kill_cells, births, old_age, counters, free_stack,
):
    """One tick, agents in random order, each acting on the world as it then is."""
    lut_f = lut[lut.shape[0] - 1]
    build_tags_serial(tag, occupant, kind, group, state)
    _permute(order, key, tick)
    n = order.shape[0]
    rounding = ip[I_ROUND]
    move_mode = ip[I_MOVE]
    move_first = ip[I_MOVE_FIRST] == 1
    intergroup = ip[I_INTERGROUP] == 1
    keep = ip[I_JAIL_KEEP] == 1
    cap = ip[I_JAIL_CAP]
    nearest = ip[I_ARREST] == 1
    threshold = fp[F_THRESH]
    k = fp[F_K]
    cit_moves = move_mode != 0 and ip[I_CIT_MOVE] == 1
    cit_move_off = cit_off if move_mode == 1 else walk_off
    cop_move_off = cop_off if move_mode == 1 else walk_off
    for idx in range(n):
        a = order[idx]
        st = state[a]
        if st == DEAD or st == IN_BASE:
            continue
        r = region[a]
        base = cell_offset[r]
        w = width[r]
        h = height[r]
        if kind[a] == 0:
            if st == JAILED:
                if jail_left[a] > 0:
                    jail_left[a] -= 1
                    continue
                if cell[a] == EMPTY:
                    c = empty_in_region(r, a, SLOT_PLACE, key, tick, tag, cell_offset)
                    if c < 0:
                        continue
                    occupant[c] = a
                    cell[a] = c
                state[a] = QUIET
                tag[cell[a]] = tag_of(a, kind, group, state)
            elif cell[a] == EMPTY:
                continue
            g = group[a]
            if cit_moves and move_first:
                loc = cell[a] - base
                c = empty_near(a, tag, base, w, h, loc % w, loc // w, cit_move_off, SLOT_MOVE,
                               key, tick)
                if c >= 0:
                    _move_to(a, c, occupant, tag, cell)
            loc = cell[a] - base
            x = loc % w
            y = loc // w
            # grievance at or below the threshold means quiet whatever the risk (R P >= 0),
            # so the vision need not be scanned: the same decision, bit for bit, sooner
            act = False
            if hardship[a] * (1.0 - legitimacy[g, r]) + revenge[a] > threshold:
                cops, actives, others = count_vision(tag, base, w, h, x, y, cit_segs, lut[g])
                p = arrest_probability(cops, actives + 1, k, rounding)
                act = decides_active(hardship[a], legitimacy[g, r], revenge[a],
                                     risk_aversion[a], p, threshold)
                if intergroup and others == 0:
                    act = False
            state[a] = ACTIVE if act else QUIET
            tag[cell[a]] = T_CIV + 2 * g + (1 if act else 0)
            killed = False
            if intergroup and act:
                vc = pick_nearest(a, tag, base, w, h, x, y, cit_off, False, g, key, tick)
                if vc >= 0:
                    _kill(a, occupant[vc], occupant, tag, group, state, cell, region, killings,
                          kill_cells, counters, free_stack)
                    killed = True
            if cit_moves and not move_first and not killed:
                c = empty_near(a, tag, base, w, h, x, y, cit_move_off, SLOT_MOVE, key, tick)
                if c >= 0:
                    _move_to(a, c, occupant, tag, cell)
        else:
            if st != QUIET or cell[a] == EMPTY:
                continue
            if move_mode != 0 and move_first:
                loc = cell[a] - base
                c = empty_near(a, tag, base, w, h, loc % w, loc // w, cop_move_off, SLOT_MOVE,
                               key, tick)
                if c >= 0:
                    _move_to(a, c, occupant, tag, cell)
            loc = cell[a] - base
            x = loc % w
            y = loc // w
            tc = -1
            if nearest:
                tc = pick_nearest(a, tag, base, w, h, x, y, cop_off, True, -1, key, tick)
            else:
                _, n_act, _ = count_vision(tag, base, w, h, x, y, cop_segs, lut_f)
                if n_act > 0:
                    tc = nth_active(tag, base, w, h, x, y, cop_segs,
                                    below(key, tick, a, SLOT_ARREST, n_act))
            took = False
            if tc >= 0 and uniform(key, tick, a, SLOT_SUCCESS) < effectiveness[kind[a] - 1]:
                left = _jail(occupant[tc], key, tick, cap, keep, occupant, tag, group, state, cell,
                             region, jail_left, arrests)
                if left >= 0 and ip[I_COP_TAKES] == 1:
                    _move_to(a, left, occupant, tag, cell)
                    took = True
            if move_mode != 0 and not move_first and not took:
                c = empty_near(a, tag, base, w, h, x, y, cop_move_off, SLOT_MOVE, key, tick)
                if c >= 0:
                    _move_to(a, c, occupant, tag, cell)
    if ip[I_MAX_AGE] >= 0 or fp[F_BIRTH] > 0.0:
        demography(order, key, tick, tag, width, height, cell_offset, occupant, kind, group,
                   region, cell, hardship, risk_aversion, state, jail_left, age, revenge, adj_off,
                   ip, fp, births, old_age, counters, free_stack)


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


# ----------------------------------------------------------------------------- synchronous


@njit(cache=True, parallel=True)
def build_prefix(pref, tag, row_region, row_y, row_base, width, cell_offset):
    """Row prefix sums of the snapshot. Layer 0 packs forces on the streets (high 32 bits)
    and actives (low 32 bits) so one lookup serves both; layer 1 + g counts the free
    civilians of group g (only when there are more layers than one)."""
    n_rows = row_region.shape[0]
    n_layers = pref.shape[0]
    for i in prange(n_rows):
        r = row_region[i]
        w = width[r]
        c0 = cell_offset[r] + row_y[i] * w
        b = row_base[r] + row_y[i] * (w + 1)
        pref[0, b] = 0
        s = 0
        for x in range(w):
            t = tag[c0 + x]
            if t == T_FORCE:
                s += 1 << 32
            elif t >= T_CIV:
                s += t & 1
            pref[0, b + x + 1] = s
        for m in range(1, n_layers):
            pref[m, b] = 0
            s = 0
            gt = T_CIV + 2 * (m - 1)
            for x in range(w):
                t = tag[c0 + x]
                if t == gt or t == gt + 1:
                    s += 1
                pref[m, b + x + 1] = s


@njit(cache=True, inline="always")
def _seg_sum_rows(pref, m, rows, w, x, segs):
    """`_seg_sum` with each segment's row start already computed (they are shared by a row)."""
    s = 0
    for i in range(segs.shape[0]):
        b = rows[i]
        x0 = _wrap(x + segs[i, 1], w)
        e = x0 + segs[i, 2] - segs[i, 1] + 1
        if e <= w:
            s += pref[m, b + e] - pref[m, b + x0]
        else:
            s += pref[m, b + w] - pref[m, b + x0] + pref[m, b + e - w]
    return s


# Diamond counts in O(1). In rotated coordinates u = x + y, t = x - y a von Neumann
# diamond |dx| + |dy| <= v is the square |du| <= v, |dt| <= v, so a summed-area table
# over (u, t) gives its count from four entries. The torus is unrolled first: each
# region is padded by v cells of its own wrapped copy, so every diamond around a cell
# of the region lies inside the padded block and no wrap is needed. Entries hold forces
# (bits 16-31) and actives (bits 0-15) and are kept modulo 2**32: a diamond's sum is
# below 2**32 (each count below 2**16, checked by the caller), so the four-entry
# difference taken modulo 2**32 is exact even though the table's entries overflow.
SAT_MASK = 0xFFFFFFFF


@njit(cache=True, inline="always")
def _sat_value(t):
    if t == T_FORCE:
        return 65536
    if t >= T_CIV:
        return t & 1
    return 0


@njit(cache=True)
def build_diamond_sat(sat, sat_base, tag, v, width, height, cell_offset):
    """The rotated summed-area table of each region's padded snapshot (see above).

    Region r's table is (N + 1) x (N + 1) with N = (w + 2v) + (h + 2v) - 1, row u + 1 and
    column t + 1 holding the packed count of padded cells with u' <= u and t' <= t, where
    t is shifted by h + 2v - 1 to start at 0.
    """
    for r in range(width.shape[0]):
        w = width[r]
        h = height[r]
        wp = w + 2 * v
        hp = h + 2 * v
        n = wp + hp - 1
        sb = sat_base[r]
        base = cell_offset[r]
        for t in range(n + 1):
            sat[sb + t] = 0
        # one pass down the rotated rows: each adds its running sum to the row above.
        # A row's cells sit on every other column between t_lo and t_hi; the columns
        # between and beyond them carry the running sum unchanged.
        for u in range(n):
            row = sb + (u + 1) * (n + 1) + 1
            prev = row - (n + 1)
            px_lo = max(0, u - hp + 1)
            px_hi = min(wp - 1, u)
            t_lo = 2 * px_lo - u + hp - 1
            for t in range(t_lo):
                sat[row + t] = sat[prev + t]
            run = 0
            for px in range(px_lo, px_hi + 1):
                tt = 2 * px - u + hp - 1
                c = base + _wrap(u - px - v, h) * w + _wrap(px - v, w)
                run += _sat_value(tag[c])
                sat[row + tt] = (np.int64(sat[prev + tt]) + run) & SAT_MASK
                if tt + 1 < n:
                    sat[row + tt + 1] = (np.int64(sat[prev + tt + 1]) + run) & SAT_MASK
            for t in range(2 * px_hi - u + hp + 1, n):
                sat[row + t] = (np.int64(sat[prev + t]) + run) & SAT_MASK


@njit(cache=True, inline="always")
def diamond_sum(sat, sb, n, v, px, py, hp):
    """Packed (forces << 16) + actives in the diamond of radius v around padded (px, py),
    centre included."""
    u0 = px + py
    t0 = px - py + hp - 1
    stride = n + 1
    hi_row = sb + (u0 + v + 1) * stride
    lo_row = sb + (u0 - v) * stride
    s = (np.int64(sat[hi_row + t0 + v + 1]) - np.int64(sat[lo_row + t0 + v + 1])
         - np.int64(sat[hi_row + t0 - v]) + np.int64(sat[lo_row + t0 - v]))
    return s & SAT_MASK


@njit(cache=True, parallel=True)
def _sync_jail(flag, moved, kind, state, jail_left):
    for a in prange(kind.shape[0]):
        flag[a] = 0
        moved[a] = 0
        if kind[a] == 0 and state[a] == JAILED:
            if jail_left[a] > 0:
                jail_left[a] -= 1
                flag[a] = 2  # serving: does nothing else this tick
            else:
                flag[a] = 1  # released this tick


@njit(cache=True)
def _sync_release(flag, key, tick, tag, occupant, kind, group, state, cell, region, cell_offset):
    """Released agents return in id order; each takes a random empty cell of its region."""
    for a in range(kind.shape[0]):
        if flag[a] != 1:
            continue
        if cell[a] == EMPTY:
            c = empty_in_region(region[a], a, SLOT_PLACE, key, tick, tag, cell_offset)
            if c < 0:
                flag[a] = 2
                continue
            occupant[c] = a
            cell[a] = c
        state[a] = QUIET
        tag[cell[a]] = tag_of(a, kind, group, state)


@njit(cache=True, parallel=True)
def _sync_rule_a(flag, tag, pref, segs, row_region, row_y, row_base, width, height, cell_offset,
                 occupant, kind, group, region, cell, hardship, risk_aversion, state, revenge,
                 legitimacy, ip, fp, sat, sat_base, sat_v, ptab2):
    """Rule A for every civilian on the snapshot's prefix sums.

    The loop walks the lattice row by row, not agent by agent: neighbouring agents
    then read neighbouring prefix rows, which keeps them in cache. The result does not
    depend on the order, since every agent reads the snapshot and writes only its own
    state and its own cell's tag. With `sat_v` >= 0 the vision is the diamond of that
    radius and counts come from `build_diamond_sat`'s table instead of the row sums.
    """
    rounding = ip[I_ROUND]
    intergroup = ip[I_INTERGROUP] == 1
    n_layers = pref.shape[0]
    threshold = fp[F_THRESH]
    k = fp[F_K]
    # P for each (C, A) a vision can hold: no exp or division per agent (see `p_table`)
    small = ptab2.shape[0] > 1
    n_segs = segs.shape[0]
    for i in prange(row_region.shape[0]):
        r = row_region[i]
        w = width[r]
        h = height[r]
        y = row_y[i]
        rb = row_base[r]
        c0 = cell_offset[r] + y * w
        rows = np.empty(n_segs, dtype=np.int64)
        if sat_v < 0 or n_layers > 1:
            for j in range(n_segs):
                rows[j] = rb + _wrap(y + segs[j, 0], h) * (w + 1)
        hp = h + 2 * sat_v
        n_sat = w + 2 * sat_v + hp - 1
        sb = sat_base[r]
        for x in range(w):
            c = c0 + x
            a = occupant[c]
            if a < 0 or kind[a] != 0 or flag[a] == 2:
                continue
            st = state[a]
            if st != QUIET and st != ACTIVE:
                continue
            g = group[a]
            act = False
            # at or below the threshold, grievance alone makes the agent quiet (see above)
            if hardship[a] * (1.0 - legitimacy[g, r]) + revenge[a] > threshold:
                if sat_v >= 0:
                    # the table counts the agent's own cell: remove it (1 when active)
                    packed = diamond_sum(sat, sb, n_sat, sat_v, x + sat_v, y + sat_v, hp)
                    cops = packed >> 16
                    actives = (packed & 0xFFFF) - (tag[c] & 1) + 1
                else:
                    packed = _seg_sum_rows(pref, 0, rows, w, x, segs)
                    cops = packed >> 32
                    actives = (packed & 0xFFFFFFFF) + 1
                if small:
                    p = ptab2[cops, actives]
                else:
                    p = arrest_probability(cops, actives, k, rounding)
                act = decides_active(hardship[a], legitimacy[g, r], revenge[a],
                                     risk_aversion[a], p, threshold)
            if intergroup and act:
                others = 0
                for m in range(1, n_layers):
                    if m - 1 != g:
                        others += _seg_sum_rows(pref, m, rows, w, x, segs)
                if others == 0:
                    act = False
            state[a] = ACTIVE if act else QUIET
            tag[c] = T_CIV + 2 * g + (1 if act else 0)
            flag[a] = 3 if act else 4  # decided this tick


@njit(cache=True, parallel=True)
def _sync_targets(tgt, prio, flag, want, off, segs, nearest, key, tick, tag, kind, group, state,
                  cell, region, width, height, cell_offset, effectiveness, lut):
    """Each new active (want=0) picks a victim cell, each force agent (want=1) an arrest."""
    for a in prange(kind.shape[0]):
        tgt[a] = -1
        if want == 0:
            if not (kind[a] == 0 and flag[a] == 3 and state[a] == ACTIVE):
                continue
        elif kind[a] < 1 or state[a] != QUIET or cell[a] == EMPTY:
            continue
        r = region[a]
        base = cell_offset[r]
        w = width[r]
        h = height[r]
        loc = cell[a] - base
        x = loc % w
        y = loc // w
        if want == 0:
            tgt[a] = pick_nearest(a, tag, base, w, h, x, y, off, False, group[a], key, tick)
        else:
            tc = -1
            if nearest == 1:
                tc = pick_nearest(a, tag, base, w, h, x, y, off, True, -1, key, tick)
            else:
                _, n_act, _ = count_vision(tag, base, w, h, x, y, segs, lut[lut.shape[0] - 1])
                if n_act > 0:
                    tc = nth_active(tag, base, w, h, x, y, segs,
                                    below(key, tick, a, SLOT_ARREST, n_act))
            if tc >= 0 and uniform(key, tick, a, SLOT_SUCCESS) < effectiveness[kind[a] - 1]:
                tgt[a] = tc
        prio[a] = hash4(key, tick, a, SLOT_PRIORITY) | np.uint64(1)


@njit(cache=True)
def _sync_kills(tgt, prio, moved, occupant, tag, group, state, cell, region, killings,
                kill_cells, counters, free_stack):
    """Killers act in descending priority; one already killed, or whose victim is gone,
    does nothing."""
    n = tgt.shape[0]
    m = 0
    for a in range(n):
        if tgt[a] >= 0:
            m += 1
    ids = np.empty(m, dtype=np.int64)
    pr = np.empty(m, dtype=np.uint64)
    m = 0
    for a in range(n):
        if tgt[a] >= 0:
            ids[m] = a
            pr[m] = prio[a]
            m += 1
    srt = np.argsort(pr, kind="mergesort")
    for j in range(m - 1, -1, -1):
        a = ids[srt[j]]
        if state[a] != ACTIVE or cell[a] == EMPTY:
            continue
        v = occupant[tgt[a]]
        if v < 0 or state[v] == DEAD or group[v] == group[a]:
            continue
        _kill(a, v, occupant, tag, group, state, cell, region, killings, kill_cells, counters,
              free_stack)
        moved[a] = 1


@njit(cache=True)
def _sync_arrests(tgt, prio, moved, claim_agent, claim_prio, key, tick, occupant, tag, group,
                  state, cell, region, jail_left, ip, arrests):
    """One force agent per active: the highest priority claim wins, in a fixed serial order."""
    n = tgt.shape[0]
    for a in range(n):
        c = tgt[a]
        if c >= 0 and prio[a] > claim_prio[c]:
            claim_prio[c] = prio[a]
            claim_agent[c] = a
    keep = ip[I_JAIL_KEEP] == 1
    cap = ip[I_JAIL_CAP]
    for a in range(n):
        c = tgt[a]
        if c < 0 or claim_agent[c] != a or claim_prio[c] == 0:
            continue
        claim_prio[c] = 0
        left = _jail(occupant[c], key, tick, cap, keep, occupant, tag, group, state, cell, region,
                     jail_left, arrests)
        if left >= 0 and ip[I_COP_TAKES] == 1:
            _move_to(a, left, occupant, tag, cell)
            moved[a] = 1
    for a in range(n):
        c = tgt[a]
        if c >= 0:
            claim_prio[c] = 0


@njit(cache=True, parallel=True)
def build_empty_pad(epad, tag, pad, pad_base, width, height, cell_offset):
    """A byte per cell, 1 when empty, on each region's torus padded by `pad` cells of its
    own wrapped copy. Probing it needs no wrap: a vision offset is one fixed stride."""
    for r in range(width.shape[0]):
        w = width[r]
        h = height[r]
        pw = w + 2 * pad
        base = cell_offset[r]
        pb = pad_base[r]
        for py in prange(h + 2 * pad):
            row = base + _wrap(py - pad, h) * w
            o = pb + py * pw
            for px in range(pw):
                epad[o + px] = 1 if tag[row + _wrap(px - pad, w)] == T_EMPTY else 0


@njit(cache=True, inline="always")
def _empty_probe(ha, epad, pc, lin, k, r, n, slot):
    """Up to 32 uniform probes of the padded snapshot (the draws of `empty_near`, from
    the agent's `hash_agent`); the index of the first empty offset found, or -1."""
    for t in range(8):
        hbits = hash_slot(ha, slot + t)
        for j in range(4):
            i = _lane_below(hbits, j, n)
            if i < 0:
                continue
            if epad[pc + lin[k, r, i]] != 0:
                return i
    return -1


@njit(cache=True, parallel=True)
def _sync_move_targets(tgt, prio, moved, key, tick, tag, occupant, kind, state, cell, region,
                       row_region, row_y, width, height, cell_offset, cit_off, cop_off, walk_off,
                       ip, epad, pad, pad_base):
    """Every mover proposes an empty cell; walked row by row for locality, as rule A.

    The probes read `epad` (see `build_empty_pad`) and make exactly the draws and the
    choices of `empty_near` on the same snapshot, which the rare exact fallback still uses.
    """
    move_mode = ip[I_MOVE]
    for a in prange(kind.shape[0]):
        tgt[a] = -1
    if move_mode == 0:
        return
    cit_m = cit_off if move_mode == 1 else walk_off
    cop_m = cop_off if move_mode == 1 else walk_off
    cit_moves = ip[I_CIT_MOVE] == 1
    kt = tick_key(key, tick)
    n_reg = width.shape[0]
    # lin[k, r, j]: offset j of kind k (0 civilians, 1 forces) as a stride in region r's
    # padded block. No array is sliced or rebound per agent (that costs a reference count).
    n_off = np.array([cit_m.shape[0], cop_m.shape[0]])
    lin = np.zeros((2, n_reg, max(n_off[0], n_off[1], 1)), dtype=np.int64)
    for r in range(n_reg):
        pw = width[r] + 2 * pad
        for j in range(n_off[0]):
            lin[0, r, j] = cit_m[j, 1] * pw + cit_m[j, 0]
        for j in range(n_off[1]):
            lin[1, r, j] = cop_m[j, 1] * pw + cop_m[j, 0]
    for i in prange(row_region.shape[0]):
        r = row_region[i]
        w = width[r]
        h = height[r]
        y = row_y[i]
        base = cell_offset[r]
        c0 = base + y * w
        pc0 = pad_base[r] + (y + pad) * (w + 2 * pad) + pad
        for x in range(w):
            a = occupant[c0 + x]
            if a < 0 or moved[a] == 1:
                continue
            k = 0
            if kind[a] == 0:
                if not cit_moves or (state[a] != QUIET and state[a] != ACTIVE):
                    continue
            else:
                if state[a] != QUIET:
                    continue
                k = 1
            n = n_off[k]
            c = -1
            ha = hash_agent(kt, a)
            if n > 0:
                j = _empty_probe(ha, epad, pc0 + x, lin, k, r, n, SLOT_MOVE)
                if j >= 0:
                    if k == 0:
                        dx, dy = cit_m[j, 0], cit_m[j, 1]
                    else:
                        dx, dy = cop_m[j, 0], cop_m[j, 1]
                    c = base + _wrap(y + dy, h) * w + _wrap(x + dx, w)
                elif k == 0:
                    c = _empty_exact(a, tag, base, w, h, x, y, cit_m, SLOT_MOVE, key, tick)
                else:
                    c = _empty_exact(a, tag, base, w, h, x, y, cop_m, SLOT_MOVE, key, tick)
            tgt[a] = c
            prio[a] = hash_slot(ha, SLOT_PRIORITY + 1) | np.uint64(1)


@njit(cache=True)
def _resolve(tgt, prio, claim_agent, claim_prio):
    """Serial, fixed-order claims: each contested cell goes to the highest priority."""
    for a in range(tgt.shape[0]):
        c = tgt[a]
        if c >= 0 and prio[a] > claim_prio[c]:
            claim_prio[c] = prio[a]
            claim_agent[c] = a


@njit(cache=True, parallel=True)
def _sync_apply_moves(tgt, claim_agent, claim_prio, occupant, tag, cell):
    """Winners move; every cell is written by one agent only, so the loop is race-free."""
    n = tgt.shape[0]
    for a in prange(n):
        c = tgt[a]
        if c >= 0 and claim_agent[c] == a:
            old = cell[a]
            tag[c] = tag[old]
            tag[old] = T_EMPTY
            occupant[old] = EMPTY
            occupant[c] = a
            cell[a] = c
    for a in prange(n):
        c = tgt[a]
        if c >= 0:
            claim_prio[c] = 0


@njit(cache=True, parallel=True)
def _clear(moved):
    for a in prange(moved.shape[0]):
        moved[a] = 0


def _empty_pad_arrays(ws, width, height, *offsets):
    """The padded emptiness array, kept in the workspace; its pad is the longest offset."""
    pad = max([int(np.abs(o).max()) for o in offsets if o.shape[0]] + [1])
    if ws.get("epad_pad") != pad:
        sizes = (width + 2 * pad) * (height + 2 * pad)
        ws["pad_base"] = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        ws["epad"] = np.zeros(int(sizes.sum()), dtype=np.uint8)
        ws["epad_pad"] = pad
    return ws["epad"], np.int64(pad), ws["pad_base"]


@njit(cache=True)
def p_table(n_seen, k, rounding):
    """P[C, A] = `arrest_probability(C, A)` for every count a vision of n_seen cells can
    hold (A counts the agent itself), computed by the same expression, so equal to it."""
    out = np.zeros((n_seen + 2, n_seen + 2))
    for c in range(n_seen + 1):
        for a in range(1, n_seen + 2):
            out[c, a] = arrest_probability(c, a, k, rounding)
    return out


P_TABLE_MAX_CELLS = 256  # larger visions compute P per agent (the table would not fit a cache)


def _p_table_cached(ws, segs, ip, fp):
    n_seen = int((segs[:, 2] - segs[:, 1] + 1).sum()) if segs.shape[0] else 0
    key = (n_seen, float(fp[F_K]), int(ip[I_ROUND]))
    if ws.get("p_table_key") != key:
        ws["p_table"] = (p_table(n_seen, fp[F_K], ip[I_ROUND]) if n_seen <= P_TABLE_MAX_CELLS
                         else np.zeros((1, 1)))
        ws["p_table_key"] = key
    return ws["p_table"]


def _diamond_radius(ws, off):
    """v when `off` is exactly the von Neumann diamond of radius v (centre excluded) and
    its counts fit the table's 16-bit fields; -1 otherwise (the row sums are used)."""
    cached = ws.get("diamond")
    if cached is not None and cached[0] is off:
        return cached[1]
    v = -1
    if off.shape[0]:
        r = int(np.abs(off).max())
        want = {(dx, dy) for dx in range(-r, r + 1) for dy in range(-r, r + 1)
                if 0 < abs(dx) + abs(dy) <= r}
        got = {(int(dx), int(dy)) for dx, dy in off}
        if got == want and len(got) == off.shape[0] and 2 * r * (r + 1) + 1 < 65536:
            v = r
    ws["diamond"] = (off, v)
    return v


def _sat_arrays(ws, width, height, v):
    """The rotated summed-area tables of every region, kept in the workspace."""
    if ws.get("sat_v") != v:
        n = (width + 2 * v) + (height + 2 * v) - 1
        sizes = (n + 1) * (n + 1)
        ws["sat_base"] = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        ws["sat"] = np.zeros(int(sizes.sum()), dtype=np.uint32)
        ws["sat_v"] = v
    return ws["sat"], ws["sat_base"]


def tick_synchronous(
    key, tick, ws, tag,
    width, height, cell_offset, occupant,
    kind, group, region, cell, hardship, risk_aversion, state, jail_left, age, revenge,
    legitimacy, effectiveness, cit_off, cop_off, walk_off, adj_off, cit_segs, cop_segs, ip, fp,
    lut, arrests, killings, kill_cells, births, old_age, counters, free_stack,
):
    """One tick with every civilian deciding on the same snapshot (see module docstring)."""
    flag, tgt, prio, moved = ws["flag"], ws["tgt"], ws["prio"], ws["moved"]
    claim_agent, claim_prio, pref = ws["claim_agent"], ws["claim_prio"], ws["pref"]
    build_tags(tag, occupant, kind, group, state)
    _sync_jail(flag, moved, kind, state, jail_left)
    _sync_release(flag, key, tick, tag, occupant, kind, group, state, cell, region, cell_offset)
    sat_v = _diamond_radius(ws, cit_off)
    if sat_v >= 0:
        sat, sat_base = _sat_arrays(ws, width, height, sat_v)
        build_diamond_sat(sat, sat_base, tag, sat_v, width, height, cell_offset)
    else:
        sat, sat_base = np.zeros(0, dtype=np.uint32), cell_offset
    if sat_v < 0 or pref.shape[0] > 1:
        build_prefix(pref, tag, ws["row_region"], ws["row_y"], ws["row_base"], width,
                     cell_offset)
    _sync_rule_a(flag, tag, pref, cit_segs, ws["row_region"], ws["row_y"], ws["row_base"], width,
                 height, cell_offset, occupant, kind, group, region, cell, hardship,
                 risk_aversion, state, revenge, legitimacy, ip, fp, sat, sat_base,
                 np.int64(sat_v), _p_table_cached(ws, cit_segs, ip, fp))
    if ip[I_INTERGROUP] == 1:
        _sync_targets(tgt, prio, flag, 0, cit_off, cit_segs, 1, key, tick, tag, kind, group,
                      state, cell, region, width, height, cell_offset, effectiveness, lut)
        _sync_kills(tgt, prio, moved, occupant, tag, group, state, cell, region, killings,
                    kill_cells, counters, free_stack)
    _sync_targets(tgt, prio, flag, 1, cop_off, cop_segs, ip[I_ARREST], key, tick, tag, kind,
                  group, state, cell, region, width, height, cell_offset, effectiveness, lut)
    _sync_arrests(tgt, prio, moved, claim_agent, claim_prio, key, tick, occupant, tag, group,
                  state, cell, region, jail_left, ip, arrests)
    epad, pad, pad_base = _empty_pad_arrays(ws, width, height, cit_off, cop_off, walk_off)
    if ip[I_MOVE] != 0:
        build_empty_pad(epad, tag, pad, pad_base, width, height, cell_offset)
    _sync_move_targets(tgt, prio, moved, key, tick, tag, occupant, kind, state, cell, region,
                       ws["row_region"], ws["row_y"], width, height, cell_offset, cit_off,
                       cop_off, walk_off, ip, epad, pad, pad_base)
    _resolve(tgt, prio, claim_agent, claim_prio)
    _sync_apply_moves(tgt, claim_agent, claim_prio, occupant, tag, cell)
    if ip[I_MAX_AGE] >= 0 or fp[F_BIRTH] > 0.0:
        order = ws["order"]
        _permute(order, key, tick)
        demography(order, key, tick, tag, width, height, cell_offset, occupant, kind, group,
                   region, cell, hardship, risk_aversion, state, jail_left, age, revenge, adj_off,
                   ip, fp, births, old_age, counters, free_stack)


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
