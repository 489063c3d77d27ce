"""Numba kernels of the regional (iraq-2009) mechanisms over the shared `World` arrays.

The regional world needs more per tick than rules A, C, M: forces that enter and
leave the streets, killings whose victims and cells are recorded, revenge that
spreads around a killing and decays, instigated attacks placed around a point, and
displacement between regions. Each kernel does one of these over the flat
structure-of-arrays state so that a mechanism can be switched off by not calling
it, and so the hot loops never touch Python objects.

Random numbers come from a counter-based hash keyed by (key, tick, stage) with a
running counter: the same seed gives the same numbers whatever the thread count.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from centrehold.engine.state import ACTIVE, DEAD, EMPTY, IN_BASE, JAILED, QUIET

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0

# stages: distinct streams within one tick
STAGE_FORCES = 1
STAGE_AGENTS = 2
STAGE_ATTACKS = 3
STAGE_REVENGE = 4
STAGE_DISPLACE = 5
STAGE_INIT = 6


@njit(cache=True, inline="always")
def _mix(x: np.uint64) -> np.uint64:
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@njit(cache=True)
def stream(key: int, tick: int, stage: int) -> np.ndarray:
    """A two-word stream state: [base, counter]; independent per (key, tick, stage)."""
    s = np.empty(2, dtype=np.uint64)
    s[0] = _mix(_mix(_mix(np.uint64(key) + _GOLD) ^ np.uint64(tick + 1)) ^ np.uint64(stage))
    s[1] = np.uint64(0)
    return s


@njit(cache=True, inline="always")
def u01(s: np.ndarray) -> float:
    s[1] += np.uint64(1)
    return float(_mix(s[0] + s[1] * _GOLD) >> _S11) * _INV53


@njit(cache=True, inline="always")
def randint(s: np.ndarray, n: int) -> int:
    """Uniform integer in 0..n-1 (n >= 1)."""
    r = int(u01(s) * n)
    return r if r < n else n - 1


@njit(cache=True)
def poisson(s: np.ndarray, mean: float) -> int:
    """Poisson draw by inversion (means here are small: a few incidents at most)."""
    if mean <= 0.0:
        return 0
    u = u01(s)
    k = 0
    p = np.exp(-mean)
    c = p
    while u > c and k < 1000:
        k += 1
        p *= mean / k
        c += p
    return k


@njit(cache=True)
def pareto_int(s: np.ndarray, alpha: float, cap: float) -> int:
    """Deaths in one incident: floor of a Pareto(x_min=1) with density exponent alpha."""
    x = (1.0 - u01(s)) ** (-1.0 / (alpha - 1.0))
    return int(min(np.floor(x), cap))


@njit(cache=True, inline="always")
def _wrap(v: int, n: int) -> int:
    # offsets never exceed one lattice width (side >= 2 * vision + 1), so no modulo
    if v < 0:
        return v + n
    if v >= n:
        return v - n
    return v


@njit(cache=True, inline="always")
def _cell_at(width, height, offset, r, x, y):
    return offset[r] + _wrap(y, height[r]) * width[r] + _wrap(x, width[r])


@njit(cache=True)
def random_empty_cell(width, height, offset, occupant, r, s, tries):
    """A random empty cell of region r by rejection; EMPTY when `tries` probes all fail."""
    n = offset[r + 1] - offset[r]
    for _ in range(tries):
        c = offset[r] + randint(s, n)
        if occupant[c] == EMPTY:
            return c
    return EMPTY


@njit(cache=True)
def set_forces(width, height, offset, occupant, cell, state, block_start, block_end,
               target, key, tick):
    """Put exactly target[k, r] members of force block (k, r) on the streets.

    Members are a contiguous block; the first `target` of it are on the streets and
    the rest in base, so a falling target removes the same agents it last added.
    """
    s = stream(key, tick, STAGE_FORCES)
    K, R = target.shape
    for k in range(K):
        for r in range(R):
            a0 = block_start[k, r]
            a1 = block_end[k, r]
            want = min(target[k, r], a1 - a0)
            for j in range(a0, a1):
                on = cell[j] != EMPTY
                if j - a0 < want:
                    if not on:
                        c = random_empty_cell(width, height, offset, occupant, r, s, 200)
                        if c != EMPTY:
                            occupant[c] = j
                            cell[j] = c
                            state[j] = QUIET
                else:
                    if on:
                        occupant[cell[j]] = EMPTY
                        cell[j] = EMPTY
                    state[j] = IN_BASE


@njit(cache=True)
def decay_revenge(revenge, factor):
    for i in range(revenge.shape[0]):
        if revenge[i] != 0.0:
            revenge[i] *= factor
            if revenge[i] < 1e-6:
                revenge[i] = 0.0


@njit(cache=True)
def _sweep(order, lo, hi, s, kbase, cap, ibase, inc_cap,
           width, height, offset, occupant, kind, group, region, cell, hardship,
                risk_aversion, state, jail_left, revenge,
                legitimacy, effectiveness, force_vision, vision, deterrence, threshold, arrest_k,
                incident_mean, size_alpha, size_max, people_per_agent, intergroup, arrests_on,
                jail_max, kill_victim, arrests_out, inc_region, inc_group, inc_cell,
                inc_toll, arrest_tries=1):
    """Rules M, A, killing and C for the agents order[lo:hi], in that order.

    Victims go to kill_victim[kbase:kbase + cap] and incidents to inc_*[ibase:ibase +
    inc_cap]; returns how many of each.
    """
    n_kill = 0
    n_inc = 0
    for oi in range(lo, hi):
        a = order[oi]
        st = state[a]
        if st == DEAD or st == IN_BASE:
            continue
        r = region[a]
        if st == JAILED:
            jail_left[a] -= 1
            if jail_left[a] < 0:
                c = random_empty_cell(width, height, offset, occupant, r, s, 200)
                if c != EMPTY:
                    occupant[c] = a
                    cell[a] = c
                    state[a] = QUIET
                    jail_left[a] = 0
            continue
        c0 = cell[a]
        if c0 == EMPTY:
            continue
        w = width[r]
        v = vision if kind[a] == 0 else force_vision[kind[a] - 1]
        # rule M: one random probe within vision
        x0 = (c0 - offset[r]) % w
        y0 = (c0 - offset[r]) // w
        dx = randint(s, 2 * v + 1) - v
        dy = randint(s, 2 * v + 1) - v
        c1 = _cell_at(width, height, offset, r, x0 + dx, y0 + dy)
        if occupant[c1] == EMPTY:
            occupant[c0] = EMPTY
            occupant[c1] = a
            cell[a] = c1
            c0 = c1
            x0 = (c0 - offset[r]) % w
            y0 = (c0 - offset[r]) // w
        if kind[a] == 0:
            g = group[a]
            grievance = hardship[a] * (1.0 - legitimacy[g, r]) + revenge[a]
            if grievance <= threshold:
                # net risk is never negative, so G <= T means quiet whatever is in view
                state[a] = QUIET
                continue
            cops = 0
            actives = 1
            other = False
            best = -1
            best_d = 1 << 30
            vv = max(v, deterrence)
            for yy in range(-vv, vv + 1):
                for xx in range(-vv, vv + 1):
                    if xx == 0 and yy == 0:
                        continue
                    cc = _cell_at(width, height, offset, r, x0 + xx, y0 + yy)
                    b = occupant[cc]
                    if b == EMPTY:
                        continue
                    if kind[b] != 0:
                        # forces deter from farther than a civilian's own sight
                        if state[b] == QUIET and abs(xx) <= deterrence and abs(yy) <= deterrence:
                            cops += 1
                    elif abs(xx) <= v and abs(yy) <= v:
                        if state[b] == ACTIVE:
                            actives += 1
                        if group[b] != g:
                            other = True
                            d = xx * xx + yy * yy
                            if d < best_d:
                                best_d = d
                                best = b
            p = 1.0 - np.exp(-arrest_k * np.floor(cops / actives)) if arrests_on else 0.0
            net = grievance - risk_aversion[a] * p
            if net > threshold and (other or not intergroup):
                state[a] = ACTIVE
                if intergroup and best >= 0:
                    # an active agent stands for people_per_agent people: its incidents this
                    # tick are Poisson with a mean that scales with them, and each incident
                    # kills a heavy-tailed number of persons; the victim agent dies with the
                    # share of an agent those persons make
                    k_inc = poisson(s, incident_mean[r])
                    for _ in range(k_inc):
                        if n_inc >= inc_cap or n_kill >= cap or state[best] == DEAD:
                            break
                        toll = pareto_int(s, size_alpha, size_max)
                        vc = cell[best]
                        inc_region[ibase + n_inc] = r
                        inc_group[ibase + n_inc] = group[best]
                        inc_cell[ibase + n_inc] = vc
                        inc_toll[ibase + n_inc] = toll
                        n_inc += 1
                        if u01(s) < toll / people_per_agent:
                            state[best] = DEAD
                            kill_victim[kbase + n_kill] = best
                            n_kill += 1
                            occupant[vc] = EMPTY
                            # the killer takes the victim's cell (Model II); the victim's
                            # cell stays in `cell` until the caller clears it
                            occupant[cell[a]] = EMPTY
                            occupant[vc] = a
                            cell[a] = vc
            else:
                state[a] = QUIET
        elif arrests_on:
            # rule C: arrest one random active within vision, once per day the tick spans
            # (a week-long tick gives a patrol seven chances, as seven daily ticks would)
            for _try in range(arrest_tries):
                chosen = -1
                seen = 0
                for yy in range(-v, v + 1):
                    for xx in range(-v, v + 1):
                        cc = _cell_at(width, height, offset, r, x0 + xx, y0 + yy)
                        b = occupant[cc]
                        if b != EMPTY and kind[b] == 0 and state[b] == ACTIVE:
                            seen += 1
                            if randint(s, seen) == 0:
                                chosen = b
                if chosen < 0:
                    break
                if u01(s) < effectiveness[kind[a] - 1]:
                    state[chosen] = JAILED
                    jail_left[chosen] = randint(s, jail_max + 1)
                    occupant[cell[chosen]] = EMPTY
                    cell[chosen] = EMPTY
                    arrests_out[group[chosen], region[chosen]] += 1
    return n_kill, n_inc


@njit(cache=True)
def agents_pass(width, height, offset, occupant, kind, group, region, cell, hardship,
                risk_aversion, state, jail_left, revenge,
                legitimacy, effectiveness, force_vision, vision, deterrence, threshold, arrest_k,
                incident_mean, size_alpha, size_max, people_per_agent, intergroup, arrests_on,
                jail_max, key, tick, kill_victim, arrests_out, inc_region, inc_group, inc_cell,
                inc_toll, arrest_tries=1):
    """One sequential sweep, in a random order, of rules M, A, killing (civilians) and C (forces).

    Returns (agents killed, incidents): victims' ids go to `kill_victim` (their cells
    stay in `cell` until the caller clears them); each sectarian incident's region,
    victim group, cell and toll in persons go to the `inc_*` arrays.
    """
    s = stream(key, tick, STAGE_AGENTS)
    n = kind.shape[0]
    order = np.arange(n)
    for i in range(n - 1, 0, -1):
        j = randint(s, i + 1)
        order[i], order[j] = order[j], order[i]
    return _sweep(order, 0, n, s, 0, kill_victim.shape[0], 0, inc_toll.shape[0],
                  width, height, offset, occupant, kind, group, region, cell, hardship,
                risk_aversion, state, jail_left, revenge,
                legitimacy, effectiveness, force_vision, vision, deterrence, threshold, arrest_k,
                incident_mean, size_alpha, size_max, people_per_agent, intergroup, arrests_on,
                jail_max, kill_victim, arrests_out, inc_region, inc_group, inc_cell,
                inc_toll, arrest_tries)


@njit(cache=True)
def _bump(width, height, offset, occupant, kind, group, revenge, r, c, g, radius, amount,
          reach, s):
    """Add `amount` to the revenge of group g's civilians within `radius` of cell c, each
    reached with probability `reach` (1: all of them)."""
    w = width[r]
    x0 = (c - offset[r]) % w
    y0 = (c - offset[r]) // w
    for yy in range(-radius, radius + 1):
        for xx in range(-radius, radius + 1):
            b = occupant[_cell_at(width, height, offset, r, x0 + xx, y0 + yy)]
            if b != EMPTY and kind[b] == 0 and group[b] == g:
                if reach >= 1.0 or u01(s) < reach:
                    revenge[b] += amount


@njit(cache=True)
def _member_cell(width, height, offset, occupant, kind, group, state, r, g, s, tries):
    """Cell of a random on-lattice civilian of group g in region r (g < 0: anyone).

    Random probes first (cheap where the group is common); if they all miss, a scan
    from a random start, so a rare minority is found whenever it is there at all.
    """
    n = offset[r + 1] - offset[r]
    for _ in range(tries):
        c = offset[r] + randint(s, n)
        b = occupant[c]
        if b != EMPTY and kind[b] == 0 and (g < 0 or group[b] == g):
            return c
    start = randint(s, n)
    for j in range(n):
        c = offset[r] + (start + j) % n
        b = occupant[c]
        if b != EMPTY and kind[b] == 0 and (g < 0 or group[b] == g):
            return c
    return EMPTY


@njit(cache=True)
def apply_revenge(width, height, offset, occupant, kind, group, state, revenge,
                  ev_region, ev_cell, ev_group, ev_persons, n_ev,
                  adj_start, adj_list, strength, saturation, radius, spill, key, tick,
                  reach=1.0):
    """Raise the grievance of the victims' community around each killing, and next door.

    The increment saturates with the toll (in persons), so one agent killed at a coarse
    scale and a bombing of the same toll at a fine scale weigh alike. Each member within
    `radius` is reached with probability `reach`, so that a killing stirs the same
    number of people whatever a cell holds (the engine sets reach = 1000 /
    people_per_agent, capped at 1).
    """
    s = stream(key, tick, STAGE_REVENGE)
    for e in range(n_ev):
        if ev_persons[e] <= 0:
            continue
        amount = strength * (1.0 - np.exp(-ev_persons[e] / saturation))
        r = ev_region[e]
        g = ev_group[e]
        if ev_cell[e] != EMPTY:
            _bump(width, height, offset, occupant, kind, group, revenge, r, ev_cell[e], g,
                  radius, amount, reach, s)
        for q in range(adj_start[r], adj_start[r + 1]):
            if u01(s) < spill:
                r2 = adj_list[q]
                c2 = _member_cell(width, height, offset, occupant, kind, group, state, r2, g,
                                  s, 50)
                if c2 != EMPTY:
                    _bump(width, height, offset, occupant, kind, group, revenge, r2, c2, g,
                          radius, amount, reach, s)


@njit(cache=True)
def place_attacks(width, height, offset, occupant, kind, group, cell, state,
                  at_region, at_target, at_size, n_groups, radius, people_per_agent,
                  key, tick, at_cell, at_group_deaths, kill_victim, n_kill0):
    """Place each attack at a point, kill agents around it, split its toll by victim group.

    Targets 0..G-1 aim at a community (the point is one of its members; only its
    members die); G ('any') and G+1 ('state') strike whoever is around the point.
    Returns the new number of victims in `kill_victim`.
    """
    s = stream(key, tick, STAGE_ATTACKS)
    n_kill = n_kill0
    cap = kill_victim.shape[0]
    cand = np.empty((2 * radius + 1) ** 2, dtype=np.int64)
    weights = np.zeros(n_groups, dtype=np.int64)
    for e in range(at_region.shape[0]):
        r = at_region[e]
        tg = at_target[e]
        g = tg if tg < n_groups else -1
        c = _member_cell(width, height, offset, occupant, kind, group, state, r, g, s, 200)
        if c == EMPTY and g >= 0:
            c = _member_cell(width, height, offset, occupant, kind, group, state, r, -1, s, 200)
        at_cell[e] = c
        size = at_size[e]
        if c == EMPTY:
            continue
        # civilians around the point who may die
        w = width[r]
        x0 = (c - offset[r]) % w
        y0 = (c - offset[r]) // w
        m = 0
        weights[:] = 0
        for yy in range(-radius, radius + 1):
            for xx in range(-radius, radius + 1):
                b = occupant[_cell_at(width, height, offset, r, x0 + xx, y0 + yy)]
                if b != EMPTY and kind[b] == 0 and (g < 0 or group[b] == g):
                    cand[m] = b
                    m += 1
                    weights[group[b]] += 1
        # toll by victim group: the persons killed share the groups of those around
        if m == 0:
            continue
        for _ in range(size):
            at_group_deaths[e, group[cand[randint(s, m)]]] += 1
        # agents killed: toll / people_per_agent, the remainder by chance
        whole = size // people_per_agent
        frac = (size - whole * people_per_agent) / people_per_agent
        n_die = whole + (1 if u01(s) < frac else 0)
        for j in range(min(n_die, m)):
            if n_kill >= cap:
                break
            pick = j + randint(s, m - j)
            cand[j], cand[pick] = cand[pick], cand[j]
            b = cand[j]
            state[b] = DEAD
            occupant[cell[b]] = EMPTY
            kill_victim[n_kill] = b
            n_kill += 1
    return n_kill


@njit(cache=True)
def displace(width, height, offset, occupant, kind, group, region, cell, state, revenge,
             share, adj_start, adj_list, threat, probability, minority_below, key, tick,
             moved):
    """Threatened members of a local minority move to the neighbouring region where
    their community is the largest share, if that share is higher than at home."""
    s = stream(key, tick, STAGE_DISPLACE)
    for a in range(kind.shape[0]):
        if kind[a] != 0 or cell[a] == EMPTY or revenge[a] <= threat:
            continue
        if state[a] != QUIET and state[a] != ACTIVE:
            continue
        r = region[a]
        g = group[a]
        if share[g, r] >= minority_below:
            continue
        if u01(s) >= probability:
            continue
        best = -1
        best_share = share[g, r]
        for q in range(adj_start[r], adj_start[r + 1]):
            r2 = adj_list[q]
            if share[g, r2] > best_share:
                best_share = share[g, r2]
                best = r2
        if best < 0:
            continue
        c = random_empty_cell(width, height, offset, occupant, best, s, 100)
        if c == EMPTY:
            continue
        occupant[cell[a]] = EMPTY
        occupant[c] = a
        cell[a] = c
        region[a] = best
        moved[g, r] += 1


@njit(cache=True)
def tally(kind, group, region, state, n_groups, n_regions, n_forces, counts, streets):
    """Civilians by (region, group, state) and force agents on the streets by (force, region)."""
    counts[:] = 0
    streets[:] = 0
    for a in range(kind.shape[0]):
        k = kind[a]
        if k == 0:
            counts[region[a], group[a], state[a]] += 1
        elif state[a] == QUIET:
            streets[k - 1, region[a]] += 1


@njit(cache=True)
def clear_victim_cells(cell, kill_victim, n_kill):
    for j in range(n_kill):
        cell[kill_victim[j]] = EMPTY
