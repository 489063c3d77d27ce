"""Model I and II's sequential schedule: agents act one at a time in a fresh random order,
each seeing the world as the agents before it left it (Epstein, NetLogo and Mesa).

This is the reference schedule; `synchronous.py` is the parallel one over the same rules.
"""

from __future__ import annotations

from numba import njit

from centrehold.engine.core.kernels import arrest_probability, decides_active
from centrehold.engine.core.rng import (
    SLOT_ARREST,
    SLOT_MOVE,
    SLOT_PLACE,
    SLOT_SUCCESS,
    below,
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
    I_MOVE_FIRST,
    I_ROUND,
    IN_BASE,
    JAILED,
    QUIET,
    T_CIV,
    _jail,
    _kill,
    _move_to,
    _permute,
    build_tags_serial,
    count_vision,
    demography,
    empty_in_region,
    empty_near,
    nth_active,
    pick_nearest,
    tag_of,
)


@njit(cache=True)
def tick_sequential(
    key, tick, order, tag,
    width, height, cell_offset, occupant,
    kind, group, region, cell, hardship, risk_aversion, state, jail_left, age, revenge,
    legitimacy, effectiveness, cit_off, cop_off, walk_off, adj_off, cit_segs, cop_segs, ip, fp,
    lut, arrests, killings, kill_cells, births, old_age, counters, free_stack,
):
    """One tick, agents in random order, each acting on the world as it then is.

    Why one long loop: split into a civilian's and a force agent's turn (the same draws,
    the same results bit for bit over both models and every variant), Model I at 100 x 100
    ran 1.8 times slower with the turns inlined, 2.3 times as plain calls and 1.5 times
    as calls compiled without reference counting; with only the force agent's turn a
    call, 1.12 times. Each call or inlined body takes a reference to every array it is
    passed, and a turn reads about thirty (measured side by side, 2026-12-02; the
    regional `_sweep` found the same).
    """
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
