"""One tick of the regional world, whole, in Numba: every mechanism in order, over the
shared structure-of-arrays state, with keyed random draws.

Why one compiled loop: the per-tick glue (drawing attacks, logging deaths, tallying)
cost as much as the agents themselves when it ran in Python, and a run is thousands
of ticks. `run_ticks` runs a span of ticks per call, so Python is entered only for
progress and to grow the event log.

Why keyed draws: every random number is a hash of (seed, stage, tick, who, slot)
(`centrehold.engine.core.rng`), never a running stream, so adding a draw to one mechanism
shifts no other draw, and regions can be swept on any number of threads with the
same result. The agents pass has two schedules over the same rules and draws:

* ``sequential`` (the reference): every agent once a day in one random order (the
  agents whose turn cannot change anything sit the day out, `_turn_takers`);
* ``parallel``: each region swept in its own random order, regions spread over the
  threads. Within the pass a region never reads or writes another region's cells or
  agents (moves, arrests, killings and releases stay inside the region), so this is
  the sequential rule in another order: the same distribution, bit-identical for any
  thread count.

Mechanisms, in tick order: forces to the streets, revenge decays, the agents pass
(rules M, A, sectarian killing, C, jail), attacks (the hypothesis's, the insurgency's,
intra-community episodes), revenge from every death, displacement, tally.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from centrehold.engine.core.kernels import _wrap, arrest_probability
from centrehold.engine.core.rng import hash_agent, hash_slot, mix64, tick_key
from centrehold.engine.core.state import ACTIVE, DEAD, EMPTY, IN_BASE, JAILED, QUIET

_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0
_C_STAGE = np.uint64(0x8EBC6AF09C88C6E3)

# stages: each mechanism hashes its own key, so its draws are independent of the others'
STAGE_FORCES = 1
STAGE_AGENTS = 2
STAGE_ORDER = 3
STAGE_ATTACK_COUNT = 4
STAGE_ATTACKS = 5
STAGE_REVENGE = 6
STAGE_DISPLACE = 7
STAGE_CRIME = 8

# slots within one agent's (or one attack's) draws in a tick
SLOT_DX, SLOT_DY, SLOT_INCIDENTS = 0, 1, 2
SLOT_RELEASE = 16  # 16..271: probes for a free cell on release from jail
SLOT_ARREST = 300  # per try: 300 + 3 j (whom), +1 (success), +2 (term)
SLOT_INCIDENT = 1000  # per incident: 1000 + 2 j (toll), +1 (whether the victim agent dies)

# cell tags for the scans: empty, a force member on the streets, a civilian 2 + 2 g + active
TAG_EMPTY, TAG_FORCE, TAG_CIV = 0, 1, 2

# causes, as the log stores them (index into regional.CAUSES)
SECTARIAN, INSTIGATED, INSURGENT, INTRA = 0, 1, 2, 3
RELEASE_TRIES = 200


class Lattice(NamedTuple):
    width: np.ndarray  # int64[R]
    height: np.ndarray  # int64[R]
    offset: np.ndarray  # int64[R + 1]
    occupant: np.ndarray  # int64[cells]
    tag: np.ndarray  # int8[cells], rebuilt before each agents pass
    deterrence: np.ndarray  # int16[cells]: forces within the deterrence radius, ditto


class Agents(NamedTuple):
    kind: np.ndarray  # int8[N]: 0 civilian, k + 1 force k
    group: np.ndarray  # int8[N]
    region: np.ndarray  # int16[N]
    cell: np.ndarray  # int64[N]
    hardship: np.ndarray  # float64[N]
    risk_aversion: np.ndarray  # float64[N]
    state: np.ndarray  # int8[N]
    jail_left: np.ndarray  # int32[N]
    revenge: np.ndarray  # float64[N]


class Static(NamedTuple):
    """Arrays fixed for the run."""

    block_start: np.ndarray  # int64[K, R]: first agent of force k in region r
    block_end: np.ndarray  # int64[K, R]
    adj_start: np.ndarray  # int64[R + 1]: CSR adjacency
    adj_list: np.ndarray  # int64[E]
    effectiveness: np.ndarray  # float64[K]
    force_vision: np.ndarray  # int64[K]
    region_order: np.ndarray  # int64[R]: largest first, how threads take regions


class Params(NamedTuple):
    """The scalars of every mechanism (typed once, so kernels take one record)."""

    key: np.uint64
    warmup: int  # ticks run before the first recorded one
    substeps: int  # days the agents live through in one tick (1 daily, 7 weekly)
    parallel: bool
    people_per_agent: int
    vision: int
    settled_stay: bool  # civilians who cannot turn active skip rule M
    deterrence: int
    threshold: float
    size_alpha: float  # sectarian incident tolls
    size_max: float
    intergroup: bool
    arrests: bool
    jail_ticks: int
    arrest_tries: int
    revenge: bool
    decay: float
    reach: float
    revenge_strength: float
    revenge_saturation: float
    revenge_radius: int
    revenge_spill: float
    attack_radius: int
    attack_size_min: float
    attack_size_alpha: float
    attack_size_max: float
    intra_size_alpha: float
    intra_size_max: float
    displacement: bool
    displace_threat: float
    displace_probability: float
    displace_minority_below: float
    crime: bool


class Inputs(NamedTuple):
    """Everything the loop reads by tick that the violence does not change."""

    street_targets: np.ndarray  # int64[T, K, R]
    legitimacy: np.ndarray  # float64[T, G, R]
    arrest_k: np.ndarray  # float64[T, R]
    incident_mean: np.ndarray  # float64[T, R]
    attack_rate: np.ndarray  # float64[T, R, G + 2]: the hypothesis's, already times `paid`
    insurgent_rate: np.ndarray  # float64[T, R, G + 2]
    intra_rate: np.ndarray  # float64[T, R, G]
    crime_rate: np.ndarray  # float64[T, R]: expected crimes per tick (before actives)
    crime_per_active: np.ndarray  # float64[T]


class Outputs(NamedTuple):
    states: np.ndarray  # int64[T, R, G, 4]
    arrests: np.ndarray  # int64[T, R, G]
    killings: np.ndarray  # int64[T, R, G]
    deaths: np.ndarray  # int64[T, R, G, 4]
    crime: np.ndarray  # int64[T, R]
    displaced: np.ndarray  # int64[T, R, G]
    segregation: np.ndarray  # float64[T, G]
    streets: np.ndarray  # int64[T, R, K]
    centre: np.ndarray  # float64[T, R]
    dropped: np.ndarray  # int64[3]: incidents, attacks, victims past a buffer's end


class Log(NamedTuple):
    """Every incident and attack: tick, region, target (group, G 'any', G+1 'state'),
    deaths in persons, cause. `n[0]` is how many rows are filled."""

    tick: np.ndarray
    region: np.ndarray
    target: np.ndarray
    deaths: np.ndarray
    who: np.ndarray
    n: np.ndarray


class Scratch(NamedTuple):
    order: np.ndarray  # int64[N]: the sequential activation order
    takers: np.ndarray  # bool[N]: whose turn today can change anything
    reg_start: np.ndarray  # int64[R + 1]: agents of region r in reg_agents[start:end]
    reg_agents: np.ndarray  # int64[N]
    reg_fill: np.ndarray  # int64[R]
    inc_start: np.ndarray  # int64[R + 1]: each region's slice of the incident buffers
    inc_n: np.ndarray  # int64[R]
    inc_drop: np.ndarray  # int64[R]: incidents lost to a full buffer (reported)
    inc_group: np.ndarray
    inc_cell: np.ndarray
    inc_toll: np.ndarray
    kill_start: np.ndarray  # int64[R + 1]
    kill_n: np.ndarray  # int64[R]
    kill_victim: np.ndarray
    arrests_gr: np.ndarray  # int64[G, R]
    counts: np.ndarray  # int64[R, G, 5]
    on_streets: np.ndarray  # int64[K, R]
    moved: np.ndarray  # int64[G, R]
    att_region: np.ndarray  # per-tick attack buffers
    att_target: np.ndarray
    att_size: np.ndarray
    att_who: np.ndarray
    att_cell: np.ndarray
    att_gd: np.ndarray  # int64[cap, G]: each attack's deaths by victim group
    cand: np.ndarray  # int64[(2 radius + 1)^2]
    ev_region: np.ndarray  # revenge events of a tick
    ev_cell: np.ndarray
    ev_group: np.ndarray
    ev_persons: np.ndarray
    # int8[1]: 1 until the lattice's tags and deterrence counts are first built from
    # the occupants (the first agents' pass does it); from then on every step that
    # changes the lattice keeps both up to date itself
    stale: np.ndarray


# ----------------------------------------------------------------------------- draws


@njit(cache=True, inline="always")
def stage_tick(key, stage, tick):
    """The hash shared by one mechanism's draws in one tick."""
    return tick_key(np.uint64(key) ^ (np.uint64(stage) * _C_STAGE), np.int64(tick))


@njit(cache=True, inline="always")
def u01(h, slot):
    """A float in [0, 1) from one agent's (or attack's) hash and a slot."""
    return np.float64(hash_slot(h, np.int64(slot)) >> _S11) * _INV53


@njit(cache=True, inline="always")
def below(h, slot, n):
    r = np.int64(u01(h, slot) * n)
    return r if r < n else n - 1


@njit(cache=True)
def poisson(h, slot, mean):
    """Poisson by inversion on one keyed uniform; a large mean is split into parts of at
    most 8 (a sum of Poissons is Poisson), each with its own slot 64 apart."""
    if mean <= 0.0:
        return 0
    parts = int(math.ceil(mean / 8.0))
    m = mean / parts
    total = 0
    for j in range(parts):
        u = u01(h, slot + 64 * j)
        k = 0
        p = math.exp(-m)
        c = p
        while u > c and k < 200:
            k += 1
            p *= m / k
            c += p
        total += k
    return total


@njit(cache=True, inline="always")
def pareto_int(u, x_min, alpha, cap):
    """floor of a Pareto(x_min, density exponent alpha) capped, at least 1."""
    x = x_min * (1.0 - u) ** (-1.0 / (alpha - 1.0))
    v = min(math.floor(x), cap)
    return max(1, int(v))


# ----------------------------------------------------------------------------- geometry
#
# Kernels unpack the records' arrays into locals before any loop: an array read
# through a tuple inside a loop costs a reference count each time in Numba, which
# made the first version of this loop forty times slower.


@njit(cache=True, inline="always")
def _xy(c, offset, width, r):
    y = (c - offset[r]) // width[r]
    return c - offset[r] - y * width[r], y


@njit(cache=True, inline="always")
def _cell_at(offset, width, height, r, x, y):
    return offset[r] + _wrap(y, height[r]) * width[r] + _wrap(x, width[r])


@njit(cache=True, inline="always")
def _empty_cell(occ, offset, r, h, slot0, tries):
    """A random empty cell of region r by keyed rejection; EMPTY when every probe fails."""
    n = offset[r + 1] - offset[r]
    for j in range(tries):
        c = offset[r] + below(h, slot0 + j, n)
        if occ[c] == EMPTY:
            return c
    return EMPTY


@njit(cache=True, inline="always")
def _civ_tag(g, active):
    return np.int8(TAG_CIV + 2 * g + (1 if active else 0))


@njit(cache=True, inline="always")
def _deter(fc, offset, width, height, r, c, dd, add):
    """Add `add` to the force count of every cell within `dd` of cell c."""
    w = width[r]
    hr = height[r]
    y0 = (c - offset[r]) // w
    x0 = c - offset[r] - y0 * w
    for yy in range(-dd, dd + 1):
        row = offset[r] + _wrap(y0 + yy, hr) * w
        for xx in range(-dd, dd + 1):
            fc[row + _wrap(x0 + xx, w)] += add


@njit(cache=True)
def _build_deterrence(occ, fc, offset, width, height, kind, dd, r):
    """How many forces each cell of region r has within `dd`: a civilian reads its
    count in one look instead of scanning the (2 dd + 1)^2 cells around it."""
    for c in range(offset[r], offset[r + 1]):
        fc[c] = 0
    for c in range(offset[r], offset[r + 1]):
        b = occ[c]
        if b != EMPTY and kind[b] != 0:
            _deter(fc, offset, width, height, r, c, dd, 1)


@njit(cache=True)
def _build_tags(occ, tag, offset, kind, group, state, r):
    for c in range(offset[r], offset[r + 1]):
        b = occ[c]
        if b == EMPTY:
            tag[c] = TAG_EMPTY
        elif kind[b] != 0:
            tag[c] = TAG_FORCE
        else:
            tag[c] = _civ_tag(group[b], state[b] == ACTIVE)


@njit(cache=True)
def _member_cell(occ, offset, kind, group, r, g, h, slot0, tries):
    """Cell of a random on-lattice civilian of group g in region r (g < 0: anyone).

    Random probes first (cheap where the group is common); if they all miss, a scan
    from a random start, so a rare minority is found whenever it is there at all.
    """
    n = offset[r + 1] - offset[r]
    for j in range(tries):
        c = offset[r] + below(h, slot0 + j, n)
        b = occ[c]
        if b != EMPTY and kind[b] == 0 and (g < 0 or group[b] == g):
            return c
    start = below(h, slot0 + tries, n)
    for j in range(n):
        c = offset[r] + (start + j) % n
        b = occ[c]
        if b != EMPTY and kind[b] == 0 and (g < 0 or group[b] == g):
            return c
    return EMPTY


# ----------------------------------------------------------------------------- forces


@njit(cache=True)
def set_forces(lat, ag, st, targets, key, tk, dd):
    """Exactly targets[k, r] members of force block (k, r) on the streets; the first of
    the block are the ones out, so a falling target withdraws the same agents it last
    sent. The lattice's tags and deterrence counts (radius `dd`) follow each move."""
    occ, offset, tag, fc = lat.occupant, lat.offset, lat.tag, lat.deterrence
    width, height = lat.width, lat.height
    cell, state = ag.cell, ag.state
    b0, b1 = st.block_start, st.block_end
    kt = stage_tick(key, STAGE_FORCES, tk)
    K, R = targets.shape
    for k in range(K):
        for r in range(R):
            a0 = b0[k, r]
            a1 = b1[k, r]
            want = min(targets[k, r], a1 - a0)
            for j in range(a0, a1):
                on = cell[j] != EMPTY
                if j - a0 < want:
                    if not on:
                        c = _empty_cell(occ, offset, r, hash_agent(kt, j), 0, 200)
                        if c != EMPTY:
                            occ[c] = j
                            tag[c] = TAG_FORCE
                            _deter(fc, offset, width, height, r, c, dd, 1)
                            cell[j] = c
                            state[j] = QUIET
                else:
                    if on:
                        c = cell[j]
                        occ[c] = EMPTY
                        tag[c] = TAG_EMPTY
                        _deter(fc, offset, width, height, r, c, dd, -1)
                        cell[j] = EMPTY
                    state[j] = IN_BASE


# ----------------------------------------------------------------------------- agents pass


@njit(cache=True)
def _sweep(agents, lo, hi, kt, lat, ag, st, p, legit, arrest_k, incident_mean, sc):
    """Agents agents[lo:hi] take their turns in that order: jail time, rule M (one random
    probe within vision), then rule A and sectarian killing (civilians) or C (forces).

    Each agent's draws hash its own id, so its numbers do not depend on the order.

    Why one long loop: split into kernels for jail, killing and arrests that take the
    records (the same draws, the same results bit for bit), the agents' pass ran 1.7
    times slower, and 2.3 times with those kernels inlined (every call or inlined body
    takes a reference to each array it reads from a record); the hot path reads arrays
    unpacked once, above the loop.
    """
    occ, tag, width, height, offset = lat.occupant, lat.tag, lat.width, lat.height, lat.offset
    fc = lat.deterrence
    kind, group, region, cell = ag.kind, ag.group, ag.region, ag.cell
    hardship, risk, state, jail_left, revenge = (ag.hardship, ag.risk_aversion, ag.state,
                                                 ag.jail_left, ag.revenge)
    fvision, eff = st.force_vision, st.effectiveness
    inc_start, inc_n, inc_drop = sc.inc_start, sc.inc_n, sc.inc_drop
    inc_group, inc_cell, inc_toll = sc.inc_group, sc.inc_cell, sc.inc_toll
    kill_start, kill_n, kill_victim = sc.kill_start, sc.kill_n, sc.kill_victim
    arrests_gr = sc.arrests_gr
    v_civ, dd, thr = p.vision, p.deterrence, p.threshold
    for oi in range(lo, hi):
        a = agents[oi]
        s = state[a]
        if s == DEAD or s == IN_BASE:
            continue
        r = region[a]
        h = hash_agent(kt, a)
        if s == JAILED:
            jail_left[a] -= 1
            if jail_left[a] < 0:
                c = _empty_cell(occ, offset, r, h, SLOT_RELEASE, RELEASE_TRIES)
                if c != EMPTY:
                    occ[c] = a
                    tag[c] = _civ_tag(group[a], False)
                    cell[a] = c
                    state[a] = QUIET
                    jail_left[a] = 0
            continue
        c0 = cell[a]
        if c0 == EMPTY:
            continue
        # a civilian's grievance does not depend on where it stands, so it is taken
        # once, before rule M
        grievance = 0.0
        if kind[a] == 0:
            grievance = hardship[a] * (1.0 - legit[group[a], r]) + revenge[a]
            if p.settled_stay and grievance <= thr:
                # quiet wherever it stands, so it stays where it lives: only those who
                # might act, and the forces, take rule M (docs/engine.md, "Who moves")
                if s != QUIET:
                    state[a] = QUIET
                    tag[c0] = _civ_tag(group[a], False)
                continue
        w = width[r]
        base = offset[r]
        hr = height[r]
        v = v_civ if kind[a] == 0 else fvision[kind[a] - 1]
        # one division a turn: cells are never negative offsets, so // and the
        # remainder by subtraction give the same (x, y) as % and //
        y0 = (c0 - base) // w
        x0 = c0 - base - y0 * w
        y1 = _wrap(y0 + below(h, SLOT_DY, 2 * v + 1) - v, hr)
        x1 = _wrap(x0 + below(h, SLOT_DX, 2 * v + 1) - v, w)
        c1 = base + y1 * w + x1
        if occ[c1] == EMPTY:
            occ[c0] = EMPTY
            occ[c1] = a
            tag[c1] = tag[c0]
            tag[c0] = TAG_EMPTY
            cell[a] = c1
            if kind[a] != 0:
                _deter(fc, offset, width, height, r, c0, dd, -1)
                _deter(fc, offset, width, height, r, c1, dd, 1)
            c0 = c1
            x0 = x1
            y0 = y1
        if kind[a] == 0:
            # rule A
            g = group[a]
            if grievance <= thr:
                # net risk is never negative, so G <= T means quiet whatever is in view
                if s != QUIET:
                    state[a] = QUIET
                    tag[c0] = _civ_tag(g, False)
                continue
            # forces within the deterrence radius, from the map; civilians within sight
            cops = np.int64(fc[c0])
            actives = 1
            other = False
            best = -1
            best_d = 1 << 30
            for yy in range(-v, v + 1):
                row = base + _wrap(y0 + yy, hr) * w
                for xx in range(-v, v + 1):
                    t = tag[row + _wrap(x0 + xx, w)]
                    if t < TAG_CIV or (xx == 0 and yy == 0):
                        continue
                    if (t & 1) == 1:
                        actives += 1
                    if ((t - TAG_CIV) >> 1) != g:
                        other = True
                        d = xx * xx + yy * yy
                        if d < best_d:
                            best_d = d
                            best = row + _wrap(x0 + xx, w)
            prob = arrest_probability(cops, actives, arrest_k[r], 0) if p.arrests else 0.0
            net = grievance - risk[a] * prob
            if not (net > thr and (other or not p.intergroup)):
                if s != QUIET:
                    state[a] = QUIET
                    tag[c0] = _civ_tag(g, False)
                continue
            state[a] = ACTIVE
            tag[c0] = _civ_tag(g, True)
            if not p.intergroup or best < 0:
                continue
            # an active agent stands for people_per_agent people: its incidents this tick
            # are Poisson with a mean that scales with them; each kills a heavy-tailed
            # number of persons, and the victim agent dies with the share of an agent
            # those persons make
            k_inc = poisson(h, SLOT_INCIDENTS, incident_mean[r])
            vb = occ[best]
            ibase = inc_start[r]
            kbase = kill_start[r]
            for j in range(k_inc):
                if state[vb] == DEAD:
                    break
                if inc_n[r] >= inc_start[r + 1] - ibase or kill_n[r] >= kill_start[r + 1] - kbase:
                    inc_drop[r] += 1
                    break
                toll = pareto_int(u01(h, SLOT_INCIDENT + 2 * j), 1.0, p.size_alpha, p.size_max)
                vc = cell[vb]
                i = ibase + inc_n[r]
                inc_group[i] = group[vb]
                inc_cell[i] = vc
                inc_toll[i] = toll
                inc_n[r] += 1
                if u01(h, SLOT_INCIDENT + 2 * j + 1) < toll / p.people_per_agent:
                    state[vb] = DEAD
                    kill_victim[kbase + kill_n[r]] = vb
                    kill_n[r] += 1
                    # the killer takes the victim's cell (Model II); the victim's cell
                    # stays in `cell` until the tick clears it
                    ca = cell[a]
                    occ[ca] = EMPTY
                    tag[ca] = TAG_EMPTY
                    occ[vc] = a
                    tag[vc] = _civ_tag(g, True)
                    cell[a] = vc
        elif p.arrests:
            # rule C: arrest one random active within vision, once per day the tick spans
            # (a week-long tick gives a patrol seven chances, as seven daily ticks would)
            k = kind[a] - 1
            for j in range(p.arrest_tries):
                seen = 0
                for yy in range(-v, v + 1):
                    row = base + _wrap(y0 + yy, hr) * w
                    for xx in range(-v, v + 1):
                        t = tag[row + _wrap(x0 + xx, w)]
                        if t >= TAG_CIV and (t & 1) == 1:
                            seen += 1
                if seen == 0:
                    break
                m = below(h, SLOT_ARREST + 3 * j, seen)
                chosen = EMPTY
                for yy in range(-v, v + 1):
                    row = base + _wrap(y0 + yy, hr) * w
                    for xx in range(-v, v + 1):
                        cc = row + _wrap(x0 + xx, w)
                        t = tag[cc]
                        if t >= TAG_CIV and (t & 1) == 1:
                            if m == 0:
                                chosen = cc
                            m -= 1
                if u01(h, SLOT_ARREST + 3 * j + 1) < eff[k]:
                    b = occ[chosen]
                    state[b] = JAILED
                    jail_left[b] = below(h, SLOT_ARREST + 3 * j + 2, p.jail_ticks + 1)
                    occ[chosen] = EMPTY
                    tag[chosen] = TAG_EMPTY
                    cell[b] = EMPTY
                    arrests_gr[group[b], r] += 1


@njit(cache=True, inline="always")
def _takes(kind, state, group, region, hardship, revenge, legit, threshold, settled_stay):
    """Whether one agent's turn today can change anything (`_turn_takers`)."""
    if state == DEAD or state == IN_BASE:
        return False
    if kind != 0 or state != QUIET or not settled_stay:
        return True
    return hardship * (1.0 - legit[group, region]) + revenge > threshold


@njit(cache=True)
def _turn_takers(kind, state, group, region, hardship, revenge, legit, threshold,
                 settled_stay, takers):
    """Marks in `takers` the agents whose turn today can change anything; returns
    how many.

    A quiet civilian whose grievance is at or below the threshold, where settled
    civilians stay put, does nothing on its turn whatever happens around it: its
    grievance does not change during the agents' pass (hardship, legitimacy and revenge
    move only between passes), it does not move, and it stays quiet. Leaving it out of
    the day's order changes no outcome's distribution, and on most days most of the
    population is such a civilian (docs/engine.md, "Who takes a turn"). Plain arrays,
    not the records: reading a record's array inside the loop costs a reference count
    each time, which made this pass cost as much as the turns themselves."""
    n = 0
    for a in range(kind.shape[0]):
        take = _takes(kind[a], state[a], group[a], region[a], hardship[a], revenge[a], legit,
                      threshold, settled_stay)
        takers[a] = take
        n += take
    return n


@njit(cache=True, parallel=True)
def _turn_takers_parallel(kind, state, group, region, hardship, revenge, legit, threshold,
                          settled_stay, takers):
    """`_turn_takers` on every thread (each agent's mark is its own: the same marks)."""
    for a in prange(kind.shape[0]):
        takers[a] = _takes(kind[a], state[a], group[a], region[a], hardship[a], revenge[a],
                           legit, threshold, settled_stay)


@njit(cache=True)
def _group_by_region(ag, sc, R, p, legit):
    """Agents who take a turn today (`_turn_takers`), by region, in id order."""
    region, takers = ag.region, sc.takers
    fill, start, out = sc.reg_fill, sc.reg_start, sc.reg_agents
    _turn_takers_parallel(ag.kind, ag.state, ag.group, region, ag.hardship, ag.revenge,
                          legit, p.threshold, p.settled_stay, takers)
    fill[:] = 0
    for a in range(region.shape[0]):
        if takers[a]:
            fill[region[a]] += 1
    start[0] = 0
    for r in range(R):
        start[r + 1] = start[r] + fill[r]
        fill[r] = start[r]
    for a in range(region.shape[0]):
        if takers[a]:
            r = region[a]
            out[fill[r]] = a
            fill[r] += 1


@njit(cache=True)
def _shuffle(order, lo, hi, h):
    """Fisher-Yates over order[lo:hi], position i's draw keyed by i."""
    for i in range(hi - 1, lo, -1):
        j = lo + below(h, i - lo, i - lo + 1)
        order[i], order[j] = order[j], order[i]


@njit(cache=True, parallel=True)
def _agents_parallel(kt, ko, lat, ag, st, p, legit, arrest_k, incident_mean, sc):
    R = lat.width.shape[0]
    rebuild = sc.stale[0] != 0
    _group_by_region(ag, sc, R, p, legit)
    for i in prange(R):
        r = st.region_order[i]
        if rebuild:
            _build_tags(lat.occupant, lat.tag, lat.offset, ag.kind, ag.group, ag.state, r)
            _build_deterrence(lat.occupant, lat.deterrence, lat.offset, lat.width,
                              lat.height, ag.kind, p.deterrence, r)
        lo = sc.reg_start[r]
        hi = sc.reg_start[r + 1]
        _shuffle(sc.reg_agents, lo, hi, hash_agent(ko, r))
        _sweep(sc.reg_agents, lo, hi, kt, lat, ag, st, p, legit, arrest_k, incident_mean, sc)
    sc.stale[0] = 0


@njit(cache=True)
def _agents_sequential(kt, ko, lat, ag, st, p, legit, arrest_k, incident_mean, sc):
    R = lat.width.shape[0]
    if sc.stale[0] != 0:
        for r in range(R):
            _build_tags(lat.occupant, lat.tag, lat.offset, ag.kind, ag.group, ag.state, r)
            _build_deterrence(lat.occupant, lat.deterrence, lat.offset, lat.width,
                              lat.height, ag.kind, p.deterrence, r)
        sc.stale[0] = 0
    # one random order over the agents whose turn can change anything
    order, takers = sc.order, sc.takers
    _turn_takers(ag.kind, ag.state, ag.group, ag.region, ag.hardship, ag.revenge, legit,
                 p.threshold, p.settled_stay, takers)
    n = 0
    for a in range(takers.shape[0]):
        if takers[a]:
            order[n] = a
            n += 1
    _shuffle(order, 0, n, hash_agent(ko, -1))
    _sweep(order, 0, n, kt, lat, ag, st, p, legit, arrest_k, incident_mean, sc)


# ----------------------------------------------------------------------------- attacks


@njit(cache=True)
def draw_attacks(rate, who, x_min, alpha, cap, key, tk, sc, n0, out):
    """Poisson attack counts by (region, target) for one actor, each with a Pareto toll;
    appended to the tick's attack buffers from n0. Returns the new count."""
    R, NT = rate.shape
    kt = stage_tick(key, STAGE_ATTACK_COUNT, tk)
    a_region, a_target, a_size, a_who = sc.att_region, sc.att_target, sc.att_size, sc.att_who
    n = n0
    limit = a_region.shape[0]
    for r in range(R):
        for tg in range(NT):
            if rate[r, tg] <= 0.0:
                continue
            h = hash_agent(kt, (who * R + r) * NT + tg)
            k = poisson(h, 0, rate[r, tg])
            for j in range(k):
                if n >= limit:
                    out.dropped[1] += 1
                    continue
                a_region[n] = r
                a_target[n] = tg
                a_size[n] = pareto_int(u01(h, 10_000 + j), x_min, alpha, cap)
                a_who[n] = who
                n += 1
    return n


@njit(cache=True)
def place_attacks(lat, ag, p, n_att, G, key, tk, sc, dropped, n_kill):
    """Each attack strikes at a point: targets 0..G-1 aim at a community (the point is
    one of its members; only its members die); G ('any') and G+1 ('state') strike
    whoever is around. Its toll is split by the groups of those around; toll /
    people_per_agent agents die, the remainder by chance. Returns the victims count."""
    occ, width, height, offset = lat.occupant, lat.width, lat.height, lat.offset
    kind, group, cell, state = ag.kind, ag.group, ag.cell, ag.state
    cand, gd, kill_victim = sc.cand, sc.att_gd, sc.kill_victim
    kt = stage_tick(key, STAGE_ATTACKS, tk)
    rad = p.attack_radius
    ppa = p.people_per_agent
    cap = kill_victim.shape[0]
    for e in range(n_att):
        h = hash_agent(kt, e)
        r = sc.att_region[e]
        tg = sc.att_target[e]
        g = tg if tg < G else -1
        gd[e, :] = 0
        c = _member_cell(occ, offset, kind, group, r, g, h, 0, 200)
        if c == EMPTY and g >= 0:
            c = _member_cell(occ, offset, kind, group, r, -1, h, 300, 200)
        sc.att_cell[e] = c
        if c == EMPTY:
            continue
        x0, y0 = _xy(c, offset, width, r)
        m = 0
        for yy in range(-rad, rad + 1):
            for xx in range(-rad, rad + 1):
                b = occ[_cell_at(offset, width, height, r, x0 + xx, y0 + yy)]
                if b != EMPTY and kind[b] == 0 and (g < 0 or group[b] == g):
                    cand[m] = b
                    m += 1
        if m == 0:
            continue
        size = sc.att_size[e]
        for j in range(size):
            gd[e, group[cand[below(h, 2000 + j, m)]]] += 1
        whole = size // ppa
        frac = (size - whole * ppa) / ppa
        n_die = whole + (1 if u01(h, 600) < frac else 0)
        for j in range(min(n_die, m)):
            if n_kill >= cap:
                dropped[2] += 1
                break
            pick = j + below(h, 700 + j, m - j)
            cand[j], cand[pick] = cand[pick], cand[j]
            b = cand[j]
            state[b] = DEAD
            occ[cell[b]] = EMPTY
            lat.tag[cell[b]] = TAG_EMPTY
            kill_victim[n_kill] = b
            n_kill += 1
    return n_kill


# ----------------------------------------------------------------------------- revenge


@njit(cache=True, inline="always")
def _bump(occ, offset, width, height, kind, group, revenge, r, c, g, amount, rad, reach, h,
          slot0):
    """Add `amount` to the revenge of group g's civilians within `rad` of cell c, each
    reached with probability `reach` (1: all of them)."""
    x0, y0 = _xy(c, offset, width, r)
    j = slot0
    for yy in range(-rad, rad + 1):
        for xx in range(-rad, rad + 1):
            b = occ[_cell_at(offset, width, height, r, x0 + xx, y0 + yy)]
            if b != EMPTY and kind[b] == 0 and group[b] == g:
                if reach >= 1.0:
                    revenge[b] += amount
                else:
                    if u01(h, j) < reach:
                        revenge[b] += amount
                    j += 1


@njit(cache=True)
def apply_revenge(lat, ag, st, p, n_ev, sc, key, tk):
    """The victims' community grows more aggrieved around each death, and next door.

    The increment saturates with the toll in persons, so one agent killed at a coarse
    scale and a bombing of the same toll at a fine scale weigh alike.
    """
    occ, width, height, offset = lat.occupant, lat.width, lat.height, lat.offset
    kind, group, revenge = ag.kind, ag.group, ag.revenge
    adj_start, adj_list = st.adj_start, st.adj_list
    ev_region, ev_cell, ev_group, ev_persons = sc.ev_region, sc.ev_cell, sc.ev_group, \
        sc.ev_persons
    rad, reach, spill = p.revenge_radius, p.reach, p.revenge_spill
    kt = stage_tick(key, STAGE_REVENGE, tk)
    for e in range(n_ev):
        if ev_persons[e] <= 0:
            continue
        h = hash_agent(kt, e)
        amount = p.revenge_strength * (1.0 - math.exp(-ev_persons[e] / p.revenge_saturation))
        r = ev_region[e]
        g = ev_group[e]
        if ev_cell[e] != EMPTY:
            _bump(occ, offset, width, height, kind, group, revenge, r, ev_cell[e], g, amount,
                  rad, reach, h, 0)
        for q in range(adj_start[r], adj_start[r + 1]):
            hq = hash_agent(h, q)
            if u01(hq, 0) < spill:
                r2 = adj_list[q]
                c2 = _member_cell(occ, offset, kind, group, r2, g, hq, 1, 50)
                if c2 != EMPTY:
                    _bump(occ, offset, width, height, kind, group, revenge, r2, c2, g, amount,
                          rad, reach, hq, 100)


# ----------------------------------------------------------------------------- displacement


@njit(cache=True)
def displace(lat, ag, st, p, share, key, tk, moved):
    """Threatened members of a local minority move to the neighbouring region where
    their community is the largest share, if that share is higher than at home."""
    occ, offset, tag = lat.occupant, lat.offset, lat.tag
    kind, group, region, cell, state, revenge = (ag.kind, ag.group, ag.region, ag.cell,
                                                 ag.state, ag.revenge)
    adj_start, adj_list = st.adj_start, st.adj_list
    threat, prob, below_share = p.displace_threat, p.displace_probability, \
        p.displace_minority_below
    kt = stage_tick(key, STAGE_DISPLACE, tk)
    moved[:] = 0
    for a in range(kind.shape[0]):
        if kind[a] != 0 or cell[a] == EMPTY or revenge[a] <= threat:
            continue
        if state[a] != QUIET and state[a] != ACTIVE:
            continue
        r = region[a]
        g = group[a]
        if share[g, r] >= below_share:
            continue
        h = hash_agent(kt, a)
        if u01(h, 0) >= prob:
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
        c = _empty_cell(occ, offset, best, h, 1, 100)
        if c == EMPTY:
            continue
        occ[cell[a]] = EMPTY
        tag[cell[a]] = TAG_EMPTY
        occ[c] = a
        tag[c] = _civ_tag(g, state[a] == ACTIVE)
        cell[a] = c
        region[a] = best
        moved[g, r] += 1


# ----------------------------------------------------------------------------- tally


@njit(cache=True)
def tally(ag, G, R, K, counts, on_streets):
    """Civilians by (region, group, state), force agents on the streets by (force, region)."""
    kind, group, region, state = ag.kind, ag.group, ag.region, ag.state
    counts[:] = 0
    on_streets[:] = 0
    for a in range(kind.shape[0]):
        k = kind[a]
        if k == 0:
            counts[region[a], group[a], state[a]] += 1
        elif state[a] == QUIET:
            on_streets[k - 1, region[a]] += 1


@njit(cache=True, inline="always")
def _living(counts, r, g, G):
    """(living civilians of group g, of everyone) in region r."""
    n = 0.0
    tot = 0.0
    for h in range(G):
        v = float(counts[r, h, 0] + counts[r, h, 1] + counts[r, h, 2])
        tot += v
        if h == g:
            n = v
    return n, tot


@njit(cache=True)
def _dissimilarity(counts, G, R, out):
    """D_g = 1/2 sum_r |n_gr / N_g - m_gr / M_g| (m: everyone else), living civilians."""
    for g in range(G):
        Ng = 0.0
        Mg = 0.0
        for r in range(R):
            n, tot = _living(counts, r, g, G)
            Ng += n
            Mg += tot - n
        s = 0.0
        for r in range(R):
            n, tot = _living(counts, r, g, G)
            a = n / Ng if Ng > 0 else 0.0
            b = (tot - n) / Mg if Mg > 0 else 0.0
            s += abs(a - b)
        out[g] = 0.5 * s


# ----------------------------------------------------------------------------- the loop


@njit(cache=True)
def _log(lg, t, r, target, deaths, who):
    i = lg.n[0]
    lg.tick[i] = t
    lg.region[i] = r
    lg.target[i] = target
    lg.deaths[i] = deaths
    lg.who[i] = who
    lg.n[0] = i + 1


@njit(cache=True, inline="always")
def _decayed(v, factor):
    if v == 0.0:
        return v
    v *= factor
    return 0.0 if v < 1e-6 else v


@njit(cache=True)
def decay_revenge(revenge, factor):
    for i in range(revenge.shape[0]):
        revenge[i] = _decayed(revenge[i], factor)


@njit(cache=True, parallel=True)
def decay_revenge_parallel(revenge, factor):
    """`decay_revenge` on every thread (each agent's revenge is its own: the same
    values); a pass over every agent a day, which at one agent per person is a tenth
    of a day's work."""
    for i in prange(revenge.shape[0]):
        revenge[i] = _decayed(revenge[i], factor)


@njit(cache=True)
def _collect_incidents(t, rec, sc, deaths, lg):
    """Victims and sectarian incidents out of each region's slice, in region order; the
    incidents become revenge events. Returns (events, victims)."""
    R = sc.inc_n.shape[0]
    inc_start, inc_n, inc_group, inc_cell, inc_toll = (sc.inc_start, sc.inc_n, sc.inc_group,
                                                       sc.inc_cell, sc.inc_toll)
    kill_start, kill_n, kill_victim = sc.kill_start, sc.kill_n, sc.kill_victim
    ev_region, ev_cell, ev_group, ev_persons = sc.ev_region, sc.ev_cell, sc.ev_group, \
        sc.ev_persons
    n_kill = 0
    for r in range(R):
        for j in range(kill_n[r]):
            kill_victim[n_kill] = kill_victim[kill_start[r] + j]
            n_kill += 1
    n_ev = 0
    for r in range(R):
        for j in range(inc_n[r]):
            i = inc_start[r] + j
            g = inc_group[i]
            if rec:
                deaths[t, r, g, SECTARIAN] += inc_toll[i]
                _log(lg, t, r, g, inc_toll[i], SECTARIAN)
            ev_region[n_ev] = r
            ev_cell[n_ev] = inc_cell[i]
            ev_group[n_ev] = g
            ev_persons[n_ev] = inc_toll[i]
            n_ev += 1
    return n_ev, n_kill


@njit(cache=True)
def _collect_attacks(t, rec, n_att, n_ev, G, sc, deaths, lg):
    """Each attack's deaths by victim group into the outputs, the log and the revenge
    events. Returns the events count."""
    a_region, a_who, a_cell, gd = sc.att_region, sc.att_who, sc.att_cell, sc.att_gd
    ev_region, ev_cell, ev_group, ev_persons = sc.ev_region, sc.ev_cell, sc.ev_group, \
        sc.ev_persons
    for e in range(n_att):
        r = a_region[e]
        if rec:
            for g in range(G):
                deaths[t, r, g, a_who[e]] += gd[e, g]
            _log(lg, t, r, sc.att_target[e], sc.att_size[e], a_who[e])
        for g in range(G):
            if gd[e, g] > 0:
                ev_region[n_ev] = r
                ev_cell[n_ev] = a_cell[e]
                ev_group[n_ev] = g
                ev_persons[n_ev] = gd[e, g]
                n_ev += 1
    return n_ev


@njit(cache=True)
def _shares(counts, G, R):
    """Each community's share of the living civilians of each region, [G, R]."""
    share = np.zeros((G, R))
    for r in range(R):
        tot = 0.0
        for g in range(G):
            tot += counts[r, g, 0] + counts[r, g, 1] + counts[r, g, 2]
        for g in range(G):
            share[g, r] = (counts[r, g, 0] + counts[r, g, 1] + counts[r, g, 2]) / max(tot, 1.0)
    return share


@njit(cache=True)
def _record(t, st, p, inp, out, sc, tk):
    """States, arrests, forces, the centre's hold, crime and segregation of tick t."""
    R, G = sc.counts.shape[0], sc.counts.shape[1]
    K = st.block_start.shape[0]
    counts, on_streets, arrests_gr, eff = sc.counts, sc.on_streets, sc.arrests_gr, \
        st.effectiveness
    kc = stage_tick(p.key, STAGE_CRIME, tk)
    for r in range(R):
        act = 0
        for g in range(G):
            for s in range(4):
                out.states[t, r, g, s] = counts[r, g, s]
            out.arrests[t, r, g] = arrests_gr[g, r]
            act += counts[r, g, ACTIVE]
        force = 0.0
        for k in range(K):
            out.streets[t, r, k] = on_streets[k, r]
            force += eff[k] * on_streets[k, r]
        tot = force + act
        out.centre[t, r] = force / tot if tot > 0 else 1.0
        if p.crime:
            mean = inp.crime_per_active[t] * act + inp.crime_rate[t, r]
            if mean > 0.0:
                out.crime[t, r] = poisson(hash_agent(kc, r), 0, mean)
    _dissimilarity(counts, G, R, out.segregation[t])


@njit(cache=True)
def _victims_out(t, rec, n_kill, ag, sc, out):
    """Count the tick's victims and take them off the lattice's books."""
    victims, cell, region, group = sc.kill_victim, ag.cell, ag.region, ag.group
    if rec:
        killings = out.killings
        for j in range(n_kill):
            b = victims[j]
            killings[t, region[b], group[b]] += 1
    for j in range(n_kill):
        cell[victims[j]] = EMPTY


@njit(cache=True)
def _agents_day(t, d, lat, ag, st, p, inp, out, lg, sc, share):
    """One day of the agents: revenge decays, every agent takes its turn, their
    incidents are counted and stir revenge, threatened minorities move. A weekly tick
    runs seven of these (`substeps`), so the agents live by the day whatever the tick.

    The lattice's tags and deterrence counts are built from the occupants once (the
    first pass, `sc.stale`); after that every step that changes the lattice keeps them
    up to date: the turns as agents move, turn active or quiet, kill, arrest and leave
    jail, and, outside the turns, forces set out or withdrawn, attack victims and
    displacement. Rebuilding them after each of those cost as much as the whole pass
    at coarse scales."""
    G = inp.legitimacy.shape[1]
    R = lat.width.shape[0]
    ti = max(t, 0)  # warm-up ticks run on the first day's inputs
    tk = (t + p.warmup) * p.substeps + d  # the day's own draws
    rec = t >= 0
    if p.revenge:
        if p.parallel:
            decay_revenge_parallel(ag.revenge, p.decay)
        else:
            decay_revenge(ag.revenge, p.decay)
    sc.inc_n[:] = 0
    sc.kill_n[:] = 0
    kt = stage_tick(p.key, STAGE_AGENTS, tk)
    ko = stage_tick(p.key, STAGE_ORDER, tk)
    legit = inp.legitimacy[ti]
    if p.parallel:
        _agents_parallel(kt, ko, lat, ag, st, p, legit, inp.arrest_k[ti],
                         inp.incident_mean[ti], sc)
    else:
        _agents_sequential(kt, ko, lat, ag, st, p, legit, inp.arrest_k[ti],
                           inp.incident_mean[ti], sc)
    n_ev, n_kill = _collect_incidents(t, rec, sc, out.deaths, lg)
    _victims_out(t, rec, n_kill, ag, sc, out)
    if p.revenge and n_ev > 0:
        apply_revenge(lat, ag, st, p, n_ev, sc, p.key, tk)
    if p.displacement:
        displace(lat, ag, st, p, share, p.key, tk, sc.moved)
        if rec:
            for g in range(G):
                for r in range(R):
                    out.displaced[t, r, g] += sc.moved[g, r]


@njit(cache=True)
def _tick(t, lat, ag, st, p, inp, out, lg, sc):
    """One tick, every mechanism in order."""
    G = inp.legitimacy.shape[1]
    R = lat.width.shape[0]
    K = st.block_start.shape[0]
    ti = max(t, 0)  # warm-up ticks run on the first day's inputs
    tk = t + p.warmup  # and draw numbers of their own
    rec = t >= 0
    set_forces(lat, ag, st, inp.street_targets[ti], p.key, tk, p.deterrence)
    sc.arrests_gr[:] = 0
    # communities' shares as of the last tally: they change only when it runs again
    share = _shares(sc.counts, G, R)
    for d in range(p.substeps):
        _agents_day(t, d, lat, ag, st, p, inp, out, lg, sc, share)
    # attacks: the hypothesis's (recorded ticks only), the insurgency's, then episodes
    n_att = 0
    if rec:
        n_att = draw_attacks(inp.attack_rate[t], INSTIGATED, p.attack_size_min,
                             p.attack_size_alpha, p.attack_size_max, p.key, tk, sc, n_att,
                             out)
    n_att = draw_attacks(inp.insurgent_rate[ti], INSURGENT, p.attack_size_min,
                         p.attack_size_alpha, p.attack_size_max, p.key, tk, sc, n_att, out)
    if rec:
        n_att = draw_attacks(inp.intra_rate[t], INTRA, 1.0, p.intra_size_alpha,
                             p.intra_size_max, p.key, tk, sc, n_att, out)
    if n_att > 0:
        n_kill = place_attacks(lat, ag, p, n_att, G, p.key, tk, sc, out.dropped, 0)
        n_ev = _collect_attacks(t, rec, n_att, 0, G, sc, out.deaths, lg)
        if p.revenge and n_ev > 0:
            apply_revenge(lat, ag, st, p, n_ev, sc, p.key, tk)
        _victims_out(t, rec, n_kill, ag, sc, out)
    tally(ag, G, R, K, sc.counts, sc.on_streets)
    if rec:
        _record(t, st, p, inp, out, sc, tk)


@njit(cache=True)
def run_ticks(t0, t1, lat, ag, st, p, inp, out, lg, sc, per_tick_log):
    """Ticks t0..t1-1 (negative: warm-up). Returns the first tick not run: t1, or earlier
    when the event log has fewer than `per_tick_log` free rows (the caller grows it)."""
    for t in range(t0, t1):
        if lg.tick.shape[0] - lg.n[0] < per_tick_log:
            return t
        _tick(t, lat, ag, st, p, inp, out, lg, sc)
    return t1


def params(**values) -> Params:
    """A `Params` record with every field given; the engine builds it from a scenario
    (`regional._records`), tests and extensions from keywords."""
    missing = sorted(set(Params._fields) - set(values))
    if missing:
        raise TypeError(f"Params needs {', '.join(missing)}")
    return Params(**values)


def lattice_of(world) -> Lattice:
    """The lattice record over a `World`'s arrays (shared, not copied)."""
    return Lattice(world.width, world.height, world.cell_offset, world.occupant,
                   np.zeros(world.n_cells, dtype=np.int8),
                   np.zeros(world.n_cells, dtype=np.int16))


def agents_of(world) -> Agents:
    """The agents record over a `World`'s arrays (shared, not copied)."""
    return Agents(world.kind, world.group, world.region, world.cell, world.hardship,
                  world.risk_aversion, world.state, world.jail_left, world.revenge)


def scratch(n_agents: int, sizes: np.ndarray, G: int, K: int, attack_radius: int,
            attack_cap: int = 8192) -> Scratch:
    """Work arrays for a world of `n_agents` with `sizes[r]` agents in region r.

    Each region gets its own slice of the incident and victim buffers (so regions can
    be swept side by side): ample at coarse scales, where a tick's incidents can reach
    the region's agents, and a 64th of them at scales fine enough (over a million
    agents) that an active agent's incidents per tick are far below one.
    """
    sizes = np.asarray(sizes, dtype=np.int64)
    R = sizes.shape[0]
    per = np.maximum(512, sizes if n_agents <= 1_000_000 else sizes // 64)
    inc_start = np.zeros(R + 1, dtype=np.int64)
    np.cumsum(per, out=inc_start[1:])
    n_inc = int(inc_start[-1])
    n_ev = n_inc + attack_cap * G

    def z(*shape: int, dtype: type = np.int64) -> np.ndarray:
        return np.zeros(shape, dtype=dtype)

    return Scratch(
        order=z(n_agents), takers=z(n_agents, dtype=np.bool_), reg_start=z(R + 1),
        reg_agents=z(n_agents), reg_fill=z(R),
        inc_start=inc_start, inc_n=z(R), inc_drop=z(R), inc_group=z(n_inc),
        inc_cell=z(n_inc), inc_toll=z(n_inc), kill_start=inc_start.copy(), kill_n=z(R),
        kill_victim=z(n_inc + attack_cap * 64), arrests_gr=z(G, R), counts=z(R, G, 5),
        on_streets=z(K, R), moved=z(G, R), att_region=z(attack_cap),
        att_target=z(attack_cap), att_size=z(attack_cap), att_who=z(attack_cap),
        att_cell=z(attack_cap), att_gd=z(attack_cap, G),
        cand=z((2 * attack_radius + 1) ** 2), ev_region=z(n_ev), ev_cell=z(n_ev),
        ev_group=z(n_ev), ev_persons=z(n_ev, dtype=np.float64),
        stale=np.ones(1, dtype=np.int8),
    )


def region_order(sizes: np.ndarray) -> np.ndarray:
    """Regions largest first: threads that take the next region as they finish then
    end together."""
    return np.argsort(-np.asarray(sizes), kind="stable").astype(np.int64)


def stage_key(seed: int) -> np.uint64:
    """The run's 64-bit key from its seed."""
    state = np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)[0]
    return np.uint64(mix64(np.uint64(state)))
