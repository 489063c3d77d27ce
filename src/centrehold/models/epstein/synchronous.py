"""Model I and II's synchronous schedule: every civilian decides on one snapshot.

Cops and actives are counted from row prefix sums (or, for a von Neumann vision, a
rotated summed-area table), then competing arrests and moves are resolved by a seeded
random priority. Parallel loops only write to their own agent's slots and every
contested choice is settled in a fixed serial order, so the result does not depend on
the thread count. The per-agent rules are those of `sequential.py`.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from centrehold.engine.core.kernels import _wrap, arrest_probability, decides_active
from centrehold.engine.core.rng import (
    SLOT_ARREST,
    SLOT_MOVE,
    SLOT_PLACE,
    SLOT_PRIORITY,
    SLOT_SUCCESS,
    below,
    hash4,
    hash_agent,
    hash_slot,
    tick_key,
    uniform,
)
from centrehold.models.epstein.kernels import (
    ACTIVE,
    DEAD,
    EMPTY,
    F_BIRTH,
    F_K,
    F_THRESH,
    I_ARREST,
    I_CIT_MOVE,
    I_COP_TAKES,
    I_INTERGROUP,
    I_JAIL_CAP,
    I_JAIL_KEEP,
    I_MAX_AGE,
    I_MOVE,
    I_ROUND,
    JAILED,
    QUIET,
    T_CIV,
    T_EMPTY,
    T_FORCE,
    _empty_exact,
    _jail,
    _kill,
    _lane_below,
    _move_to,
    _permute,
    build_tags,
    count_vision,
    demography,
    empty_in_region,
    nth_active,
    pick_nearest,
    tag_of,
)


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
