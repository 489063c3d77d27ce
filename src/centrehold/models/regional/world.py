"""The regional engine: builds a many-region world from a `RegionalScenario` and runs it.

One tick, in order: legitimacy and forces for the date; revenge decays; every agent
acts once (rules M, A, killing, C); instigated attacks strike; killings raise the
victims' communities' grievance nearby and next door; threatened minorities move;
everything is counted. Deaths are reported in persons (an agent killed counts
`people_per_agent`; an attack counts its own toll), so runs at any scale set beside
the record the same way; agent counts (`killings`, states) stay in agents.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import xarray as xr

from centrehold.actors.hypotheses import (
    ALL_INSTIGATORS,
    INSTIGATORS,
    WorldSummary,
    funding_exposure,
    intensity,
)
from centrehold.engine.core.state import ACTIVE, DEAD, JAILED, QUIET, World, empty_world
from centrehold.errors import UserError
from centrehold.models.regional import capacity as cap
from centrehold.models.regional import plugins, tick
from centrehold.scenario.calendar import Calendar, calendar_of

#: Causes of death: the endogenous killing between communities, the hypothesis's
#: instigated attacks, the insurgency's own bombing campaign, and fighting within a
#: community (dated episodes).
CAUSES = ("sectarian", "instigated", "insurgent", "intra")
#: Who made an attack or incident, as stored while the loop runs; index into CAUSES.
_SECTARIAN, _INSTIGATED, _INSURGENT, _INTRA = range(4)
# Revenge reaches the people within `revenge.radius` cells of a killing as the world is
# laid out at this scale (1:1000: 49 cells x 0.7 x 1000, about 34,000 people, a city
# district). At coarser scales the same cells hold more people, so each agent there is
# reached with probability REVENGE_REFERENCE_PPA / people_per_agent: a killing stirs the
# same number of people, each by the same amount, at every scale (docs/iraq-2009.md).
REVENGE_REFERENCE_PPA = 1000.0
WEST_BORDER = ("Syria", "Jordan", "Saudi Arabia")


@dataclass
class RegionalWorld:
    """A built world plus the static arrays the tick loop needs beside `World`."""

    world: World
    calendar: Calendar
    block_start: np.ndarray  # int64[K, R]: first agent of force k in region r
    block_end: np.ndarray  # int64[K, R]
    street_targets: np.ndarray  # int64[T, K, R]: force agents on the streets by tick
    personnel: np.ndarray  # float64[T, K, R]: personnel (persons) by tick
    street_persons: np.ndarray  # float64[T, K, R]: personnel on the streets (persons)
    adj_start: np.ndarray  # int64[R + 1]: CSR adjacency
    adj_list: np.ndarray  # int64[E]
    legitimacy: np.ndarray  # float64[T, G, R]
    summary: WorldSummary
    n_civilians: int


@functools.cache
def _version() -> str:
    # read once a process: the package metadata is parsed on every call
    try:
        from importlib.metadata import version

        return version("centrehold")
    except Exception:  # noqa: BLE001 - an uninstalled tree still runs
        return "0+unknown"


def _interp_personnel(sc, cal: Calendar, T: int, isos: list[str]) -> np.ndarray:
    """Personnel by (tick, force, region), linear between the dated rows of forces.csv."""
    names = [f.name for f in sc.forces]
    out = np.zeros((T, len(names), len(isos)))
    if not sc.force_levels:
        return out
    # plain dicts rather than a DataFrame: this runs once per simulation, and an ABC
    # calibration runs thousands of them
    series: dict[tuple[int, int], list[tuple[float, float]]] = {}
    # the dates parsed in one call, and the forces and regions found by dict: per row,
    # both cost more than the rest of building the world
    days = (np.array([str(row["date"]) for row in sc.force_levels], dtype="datetime64[D]")
            - np.datetime64(cal.start, "D")).astype(np.int64)
    # first occurrence wins, as with list.index
    force_at = {n: k for k, n in reversed(list(enumerate(names)))}
    region_at = {iso: r for r, iso in reversed(list(enumerate(isos)))}
    for row, day in zip(sc.force_levels, days, strict=True):
        key = (force_at[row["force"]], region_at[row["iso"]])
        series.setdefault(key, []).append((float(day), float(row["personnel"])))
    t_days = np.arange(T) * cal.step_days
    for (k, r), points in series.items():
        points.sort()
        days, personnel = zip(*points, strict=True)
        out[:, k, r] = np.interp(t_days, np.asarray(days), np.asarray(personnel))
    aw = sc.awakening
    if aw.force in names:
        k = names.index(aw.force)
        if sc.mechanisms.awakening:
            out[:, k, :] *= cap.payroll_factor(
                aw.transfer, isos, cal.dates(T), cal.step_days, aw.kept_after_transfer)
        else:  # the switch off: the force is not in the world at all
            out[:, k, :] = 0.0
    return out


def _street_persons(
    sc, cal: Calendar, personnel: np.ndarray, after_withdrawal: float | None = None
) -> np.ndarray:
    """Force personnel on the streets per tick (persons): personnel x street share, the
    occupation's share multiplied by `after_withdrawal` from the withdrawal on
    (`street_share_after_withdrawal` unless given)."""
    T = personnel.shape[0]
    share = np.array([f.street_share for f in sc.forces])[None, :, None] * np.ones_like(personnel)
    names = [f.name for f in sc.forces]
    if sc.mechanisms.withdrawal and "occupation" in names:
        k = names.index("occupation")
        t_w = cal.tick_of(sc.dates.withdrawal)
        if t_w < T:
            kept = after_withdrawal
            if kept is None:
                kept = sc.street_share_after_withdrawal
            share[max(t_w, 0):, k, :] *= kept
    return personnel * share * sc.force_scale


def operations_persons(sc, built: RegionalWorld) -> np.ndarray:
    """Force personnel whose operations wear the armed actors' capacity down, by (tick,
    force, region): those on the streets, but with the occupation's operations after
    the withdrawal kept by `operations.kept_after_withdrawal` rather than by its street
    share (scenario/armed.py, `OperationsParams`). The same array, not a copy of it,
    when the two shares agree, so that such a world is the one of before."""
    kept = float(sc.operations.kept_after_withdrawal)
    if kept == float(sc.street_share_after_withdrawal):
        return built.street_persons
    return _street_persons(sc, built.calendar, built.personnel, after_withdrawal=kept)


def _legitimacy(sc, cal: Calendar, T: int, isos: list[str]) -> np.ndarray:
    """Legitimacy by (tick, group, region): base values minus unmet needs (if switched on)."""
    G = len(sc.groups)
    base = np.array([sc.intergroup.legitimacy.get(g, 0.85) for g in sc.groups])
    L = np.repeat(base[None, :, None], len(isos), axis=2).repeat(T, axis=0)
    if sc.mechanisms.hardship:
        hp = sc.hardship
        need_r = np.array([hp.need_by_region.get(iso, hp.base_need) for iso in isos])
        doy = cal.day_of_year(T)
        summer = 0.5 * (1.0 + np.cos(2.0 * np.pi * (doy - 200) / 365.25))
        need = np.clip(need_r[None, :] + hp.summer_amplitude * summer[:, None], 0.0, 1.0)
        L = L - hp.sensitivity * need[:, None, :]
    assert L.shape == (T, G, len(isos))
    return np.clip(L, 0.0, 1.0)


def _hops_from_west(isos: list[str], borders: list[str], adj: list[tuple[str, str]]) -> np.ndarray:
    """Border hops from the governorates on the Syrian, Jordanian or Saudi border (BFS)."""
    R = len(isos)
    hops = np.full(R, 99, dtype=np.int64)
    frontier = [i for i, b in enumerate(borders) if any(c in b for c in WEST_BORDER)]
    for i in frontier:
        hops[i] = 0
    nbrs: dict[int, list[int]] = {i: [] for i in range(R)}
    for a, b in adj:
        nbrs[isos.index(a)].append(isos.index(b))
        nbrs[isos.index(b)].append(isos.index(a))
    while frontier:
        nxt = []
        for i in frontier:
            for j in nbrs[i]:
                if hops[j] > hops[i] + 1:
                    hops[j] = hops[i] + 1
                    nxt.append(j)
        frontier = nxt
    return hops


def build_world(sc, seed: int, ticks: int | None = None,
                street_targets: np.ndarray | None = None) -> RegionalWorld:
    """Lay out every governorate's lattice, its civilians by community and its forces.

    Communities are allocated exactly (largest remainder) so the world matches its
    inputs to within one agent; `local_segregation` groups each community into its
    own quarter of the lattice, since neighbourhoods in mixed governorates are
    themselves far from mixed.
    """
    cal = calendar_of(sc.calendar)
    T = int(ticks if ticks is not None else sc.ticks)
    isos = [r.iso for r in sc.regions]
    R, K = len(isos), len(sc.forces)
    rng = np.random.Generator(np.random.Philox(np.random.SeedSequence([seed, 20090630])))

    personnel = _interp_personnel(sc, cal, T, isos)
    street_persons = _street_persons(sc, cal, personnel)
    targets = np.rint(street_persons / sc.people_per_agent).astype(np.int64)
    if street_targets is not None:  # a plug-in changed them: blocks must hold them
        targets = np.asarray(street_targets, dtype=np.int64)
    block_size = targets.max(axis=0) if T > 0 else np.zeros((K, R), dtype=np.int64)

    pop = np.array([r.population for r in sc.regions], dtype=float)
    shares, n_civ, by_group = _civilians_by_group(sc, isos, pop)
    max_vision = max([sc.intergroup.vision, sc.intergroup.deterrence_radius,
                      sc.revenge.radius, sc.instigators.radius] + [f.vision for f in sc.forces])
    n_agents_r = n_civ + block_size.sum(axis=0)
    side = np.maximum(
        2 * max_vision + 1, np.ceil(np.sqrt(n_agents_r / sc.intergroup.density))
    ).astype(np.int64)
    world = empty_world(
        side, side, int(n_civ.sum() + block_size.sum()),
        group_names=tuple(sc.groups), region_names=tuple(isos),
        force_names=tuple(f.name for f in sc.forces),
    )
    world.extra["region_label"] = tuple(r.name for r in sc.regions)
    nc = _place_civilians(world, sc, rng, side, n_civ, by_group, shares)
    block_start, block_end = _force_blocks(world, nc, block_size)
    adj_start, adj_list = _adjacency(sc, isos)
    return RegionalWorld(
        world=world, calendar=cal, block_start=block_start, block_end=block_end,
        street_targets=targets, personnel=personnel, street_persons=street_persons,
        adj_start=adj_start, adj_list=adj_list,
        legitimacy=_legitimacy(sc, cal, T, isos),
        summary=_summary(sc, cal, T, isos, pop, shares, personnel), n_civilians=nc,
    )


def _civilians_by_group(sc, isos: list[str], pop: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Communities' shares [G, R], civilian agents per region, and agents per (group,
    region) by largest remainder, so each region's agents add up exactly."""
    G, R = len(sc.groups), len(isos)
    shares = np.array([[sc.shares_of(iso)[g] for iso in isos] for g in sc.groups])  # [G, R]
    shares = shares / shares.sum(axis=0, keepdims=True)
    n_civ = np.maximum(1, np.rint(pop / sc.people_per_agent)).astype(np.int64)
    by_group = np.zeros((G, R), dtype=np.int64)
    for r in range(R):
        exact = shares[:, r] * n_civ[r]
        base = np.floor(exact).astype(np.int64)
        rest = n_civ[r] - base.sum()
        order = np.argsort(-(exact - base), kind="stable")
        base[order[:rest]] += 1
        by_group[:, r] = base
    return shares, n_civ, by_group


def _place_civilians(world, sc, rng, side: np.ndarray, n_civ: np.ndarray,
                     by_group: np.ndarray, shares: np.ndarray) -> int:
    """Civilians region by region on a random subset of cells (a community in its own
    patches or band, by the layout), then their hardship and risk aversion; returns how
    many. The draws come in this order, so a seed lays out the same world."""
    G = len(sc.groups)
    seg = sc.intergroup.local_segregation
    a = 0
    for r in range(len(n_civ)):
        n = int(n_civ[r])
        grp = np.repeat(np.arange(G, dtype=np.int8), by_group[:, r])
        if sc.intergroup.layout == "patches":
            cells = _patch_cells(rng, int(side[r]), by_group[:, r], shares[:, r], seg,
                                 sc.intergroup.patch)
        else:
            cells = _band_cells(rng, int(side[r]), grp, shares[:, r], seg)
            grp = cells[1]
            cells = cells[0]
        glob = world.cell_offset[r] + cells
        sl = slice(a, a + n)
        world.group[sl] = grp
        world.region[sl] = r
        world.cell[sl] = glob
        world.occupant[glob] = np.arange(a, a + n)
        a += n
    world.hardship[:a] = rng.random(a)
    world.risk_aversion[:a] = rng.random(a)
    world.state[:a] = QUIET
    return a


def _force_blocks(world, first: int, block_size: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """One block of agents per (force, region) after the civilians, all in base until
    `set_forces` sends them out; returns the blocks' [start, end) ids."""
    K, R = block_size.shape
    block_start = np.zeros((K, R), dtype=np.int64)
    block_end = np.zeros((K, R), dtype=np.int64)
    a = first
    for k in range(K):
        for r in range(R):
            block_start[k, r] = a
            a += int(block_size[k, r])
            block_end[k, r] = a
            world.kind[block_start[k, r]:a] = k + 1
            world.region[block_start[k, r]:a] = r
            world.state[block_start[k, r]:a] = 4  # IN_BASE until set_forces places them
    return block_start, block_end


def _adjacency(sc, isos: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The governorates' land borders as CSR (start offsets, neighbours in order)."""
    nb: list[list[int]] = [[] for _ in isos]
    for x, y in sc.adjacency:
        nb[isos.index(x)].append(isos.index(y))
        nb[isos.index(y)].append(isos.index(x))
    adj_start = np.zeros(len(isos) + 1, dtype=np.int64)
    adj_start[1:] = np.cumsum([len(v) for v in nb])
    adj_list = np.array([j for v in nb for j in sorted(v)], dtype=np.int64)
    return adj_start, adj_list


def _summary(sc, cal, T: int, isos: list[str], pop: np.ndarray, shares: np.ndarray,
             personnel: np.ndarray) -> WorldSummary:
    """What hypotheses' placement rules read about the world (population, shares, the
    occupation's presence before and over time, the calendar's dates)."""
    R = len(isos)
    names = [f.name for f in sc.forces]
    k_occ = names.index("occupation") if "occupation" in names else None
    occ_t = personnel[:, k_occ, :] if k_occ is not None else np.zeros((T, R))
    t_w = min(max(cal.tick_of(sc.dates.withdrawal), 0), max(T - 1, 0))
    return WorldSummary(
        iso=tuple(isos), groups=tuple(sc.groups), population=pop, shares=shares,
        occupation_before=occ_t[max(t_w - 1, 0)] if T else np.zeros(R),
        occupation_over_time=occ_t,
        hops_from_west=_hops_from_west(isos, [r.borders for r in sc.regions], sc.adjacency),
        elections=tuple(sc.dates.elections),
        withdrawal_milestones=tuple(sc.dates.withdrawal_milestones),
        abroad=tuple(sc.dates.abroad), iran_tension_onset=sc.dates.iran_tension_onset,
        withdrawal=sc.dates.withdrawal, funding_cut=sc.dates.funding_cut,
        resistance_split=sc.dates.resistance_split,
    )


def _band_cells(rng, side, grp, shares, seg):
    """Cells for a region's civilians, each community in its own band of columns."""
    n = grp.shape[0]
    cum = np.concatenate([[0.0], np.cumsum(shares)])
    pos = cum[grp] + rng.random(n) * shares[grp]
    key = seg * pos + (1.0 - seg) * rng.random(n)
    grp = grp[np.argsort(key, kind="stable")]
    cells = np.sort(rng.choice(side * side, size=n, replace=False))
    col, row = cells % side, cells // side
    return cells[np.lexsort((row, col))], grp


def _patch_cells(rng, side, counts, shares, seg, patch):
    """Cells for a region's civilians (sorted by community): square patches of `patch`
    cells a side are dealt to communities in proportion to their shares; a share `seg`
    of each community lives in its own patches, the rest anywhere.

    Patches have the same size in cells at every scale, so the share of people living
    next to another community, and with it the contact that drives Model II, does not
    depend on `people_per_agent` (bands would give coarse worlds more border per head).
    """
    tiles_side = -(-side // patch)
    n_tiles = tiles_side * tiles_side
    exact = shares * n_tiles
    per = np.floor(exact).astype(np.int64)
    order = np.argsort(-(exact - per), kind="stable")
    per[order[: n_tiles - per.sum()]] += 1
    tile_group = rng.permutation(np.repeat(np.arange(shares.shape[0]), per))
    idx = np.arange(side * side)
    tile = (idx // side // patch) * tiles_side + (idx % side) // patch
    cell_group = tile_group[tile]
    taken = np.zeros(side * side, dtype=bool)
    out = []
    rest = []
    for g, n_g in enumerate(counts):
        own = rng.permutation(np.flatnonzero(cell_group == g))
        m = min(int(round(seg * n_g)), own.shape[0])
        taken[own[:m]] = True
        out.append(own[:m])
        rest.append(n_g - m)
    free = rng.permutation(np.flatnonzero(~taken))
    pos = 0
    for g, k in enumerate(rest):
        out[g] = np.concatenate([out[g], free[pos:pos + k]])
        pos += k
    return np.concatenate(out).astype(np.int64)


def dissimilarity(counts_gr: np.ndarray) -> np.ndarray:
    """Index of dissimilarity of each community against everyone else, across regions.

    D_g = 1/2 sum_r |n_gr / N_g - m_gr / M_g| with m the rest of the population: the
    share of a community that would have to move for it to be spread like the rest.
    """
    n = counts_gr.astype(float)
    tot_r = n.sum(axis=0)
    rest = tot_r[None, :] - n
    Ng = n.sum(axis=1, keepdims=True)
    Mg = rest.sum(axis=1, keepdims=True)
    a = np.divide(n, Ng, out=np.zeros_like(n), where=Ng > 0)
    b = np.divide(rest, Mg, out=np.zeros_like(rest), where=Mg > 0)
    return 0.5 * np.abs(a - b).sum(axis=1)


def revenge_reach(people_per_agent: int) -> float:
    """Probability that a killing's revenge reaches a given agent within its radius.

    Fixed cells hold more people in a coarse world; reaching every agent there would
    stir ten times the people at 1:10,000 as at 1:1000 and the feedback runs away.
    Reaching each with probability 1000 / people_per_agent stirs the same number of
    people, each by the same amount, at every scale from 1:1000 up.
    """
    return min(1.0, REVENGE_REFERENCE_PPA / float(people_per_agent))


@dataclass
class Drivers:
    """Everything the tick loop reads that does not depend on the simulated violence,
    by tick: computed once, before the agents move."""

    lam: np.ndarray  # float[T, R, G + 2]: the hypothesis's expected attacks per tick
    paid: np.ndarray  # float[T]: share of the hypothesis's attacks still paid for
    insurgent: np.ndarray  # float[T, R, G + 2]: the insurgency's expected attacks per tick
    intra: np.ndarray  # float[T, R, G]: expected intra-community incidents per tick
    incident_mean: np.ndarray  # float[T, R]: sectarian incidents per active agent per tick
    funding: np.ndarray  # float[T]


def drivers(sc, built: RegionalWorld, T: int) -> Drivers:
    """The exogenous series of a run: instigation, insurgency, militias, episodes, funding."""
    cal = built.calendar
    R, G = built.world.n_regions, len(sc.groups)
    hyp = sc.hypothesis
    hspec = sc.hypotheses.get(hyp)
    hparams = dict(hspec.params) if hspec else {}
    mech_on = sc.mechanisms
    lam = np.zeros((T, R, G + 2))
    if mech_on.instigators and hyp != "H0":
        lam = intensity(hyp, cal, built.summary, hparams, T)
    funding = np.ones(T)
    if mech_on.funding:
        funding[max(cal.tick_of(sc.dates.funding_cut), 0):] = sc.funding.cut_level
    paid = 1.0 - funding_exposure(hparams) * (1.0 - funding)
    dep = sc.funding.militia_dependence
    step = float(cal.step_days)
    base_mean = (sc.intergroup.kill_rate * sc.people_per_agent * step
                 * (1.0 - dep * (1.0 - funding)))
    effectiveness = np.array([f.effectiveness for f in sc.forces])
    pressure = cap.force_pressure(operations_persons(sc, built), effectiveness)
    militia = np.ones((T, R))
    if mech_on.militia_capacity:
        mp = sc.militias
        militia = cap.capacity_path(pressure, np.ones(R), mp.floor_share, mp.timescale_days,
                                    step, mp.rebuild_days)
    if mech_on.instigator_capacity and mech_on.instigators and hyp != "H0":
        # every actor that bombs needs cells, men and safe houses, which the forces on
        # the streets wear down as they wear down the insurgency's: the same relative
        # path (floor, timescale, rebuild), region by region
        ip = sc.insurgency
        worn = cap.capacity_path(pressure, np.ones(R), ip.floor_share, ip.timescale_days,
                                 step, ip.rebuild_days)
        lam = lam * worn[:, :, None]
    insurgent = np.zeros((T, R, G + 2))
    if mech_on.insurgency:
        ip = sc.insurgency
        where = cap.insurgency_weights(built.summary.population, built.summary.shares,
                                       list(sc.groups).index(ip.base_group), ip.mixed_boost,
                                       ip.reach_share)
        where = cap.with_footprint(where, ip.footprint, list(built.world.region_names),
                                   ip.footprint_share)
        per_day = cap.capacity_path(pressure, ip.attacks_per_day * where, ip.floor_share,
                                    ip.timescale_days, step, ip.rebuild_days)
        # a community share goes to the largest community other than the base one
        shares = built.summary.shares.copy()
        shares[list(sc.groups).index(ip.base_group)] = -1.0
        other = shares.argmax(axis=0)
        # shares set by a calibration are not re-validated: above 1 together, scale them
        total = max(1.0, ip.state_share + ip.community_share)
        state, community = ip.state_share / total, ip.community_share / total
        insurgent[:, :, G] = per_day * step * (1.0 - state - community)
        insurgent[:, :, G + 1] = per_day * step * state
        insurgent[:, np.arange(R), other] += per_day * step * community
    intra = np.zeros((T, R, G))
    if mech_on.intra_community:
        ic = sc.intra_community
        deaths = cap.episode_rates(ic.episodes, list(built.world.region_names), list(sc.groups),
                                   cal.dates(T), step, ic.deaths_per_day)
        intra = deaths / cap.mean_pareto_toll(ic.size_alpha, ic.size_max)
    return Drivers(lam=lam, paid=paid, insurgent=insurgent, intra=intra,
                   incident_mean=base_mean[:, None] * militia, funding=funding)


SCHEDULES = ("sequential", "parallel")


def tick_inputs(sc, built: RegionalWorld, drv: Drivers, T: int) -> plugins.TickInputs:
    """The per-tick inputs a plug-in may change (docs/plugins.md), after every switched-on
    plug-in has changed them."""
    cal = built.calendar
    w = built.world
    R = w.n_regions
    ppa = int(sc.people_per_agent)
    ig = sc.intergroup
    ticks_in = plugins.TickInputs(
        dates=np.asarray(cal.dates(T)).astype("datetime64[D]"), step_days=int(cal.step_days),
        regions=tuple(w.region_names), groups=tuple(sc.groups),
        forces=tuple(f.name for f in sc.forces), people_per_agent=ppa,
        legitimacy=np.array(built.legitimacy[:T], dtype=np.float64),
        arrest_k=np.full((T, R), float(ig.arrest_k)),
        incident_mean=np.array(drv.incident_mean, dtype=np.float64),
        street_targets=np.array(built.street_targets[:T], dtype=np.int64),
        attack_rate=np.array(drv.lam * drv.paid[:, None, None], dtype=np.float64),
        insurgent_rate=np.array(drv.insurgent, dtype=np.float64),
    )
    plugins.apply_plugins(sc, ticks_in)
    return ticks_in


def _records(sc, built: RegionalWorld, drv: Drivers, ticks_in: plugins.TickInputs, T: int,
             seed: int, schedule: str):
    """The typed records the compiled loop takes: state, run constants, inputs, outputs,
    event log and scratch, all allocated once."""
    w = built.world
    cal = built.calendar
    R, G, K = w.n_regions, len(sc.groups), len(sc.forces)
    N = w.n_agents
    ppa = int(sc.people_per_agent)
    mech_on = sc.mechanisms
    lat, ag = tick.lattice_of(w), tick.agents_of(w)
    # agents take a turn a day whatever the tick (a weekly tick runs seven daily turns),
    # unless the scenario asks for one turn a tick, the faster approximation
    substeps = int(cal.step_days) if sc.calendar.agents_daily else 1
    turn_days = cal.step_days / substeps
    sizes = np.bincount(w.region.astype(np.int64), minlength=R)
    st = tick.Static(
        built.block_start, built.block_end, built.adj_start, built.adj_list,
        np.array([f.effectiveness for f in sc.forces], dtype=np.float64),
        np.array([f.vision for f in sc.forces], dtype=np.int64),
        tick.region_order(sizes),
    )
    ig, rv, ins, ic, dp = (sc.intergroup, sc.revenge, sc.instigators, sc.intra_community,
                           sc.displacement)
    p = tick.Params(
        key=tick.stage_key(seed), warmup=-(-int(sc.warmup_days) // cal.step_days),
        substeps=substeps,
        parallel=schedule == "parallel", people_per_agent=ppa, vision=ig.vision,
        settled_stay=ig.movers == "aggrieved",
        deterrence=ig.deterrence_radius, threshold=float(ig.threshold),
        size_alpha=float(ig.size_alpha), size_max=float(ig.size_max),
        intergroup=bool(mech_on.intergroup), arrests=bool(mech_on.arrests),
        # jail terms and arrest chances are per day, whatever a tick spans
        jail_ticks=max(0, int(round(sc.arrests.jail_max / turn_days))),
        arrest_tries=max(1, int(round(turn_days))),
        revenge=bool(mech_on.revenge), decay=math.exp(-turn_days / rv.decay_days),
        reach=revenge_reach(ppa), revenge_strength=float(rv.strength),
        revenge_saturation=float(rv.saturation), revenge_radius=int(rv.radius),
        revenge_spill=float(rv.spill), attack_radius=int(ins.radius),
        attack_size_min=float(ins.size_min), attack_size_alpha=float(ins.size_alpha),
        attack_size_max=float(ins.size_max), intra_size_alpha=float(ic.size_alpha),
        intra_size_max=float(ic.size_max), displacement=bool(mech_on.displacement),
        displace_threat=float(dp.threat), displace_probability=float(dp.probability),
        displace_minority_below=float(dp.minority_below), crime=bool(mech_on.funding),
    )
    unpaid = 1.0 - drv.funding[:T]
    cut = mech_on.funding & (unpaid > 0)
    fs = sc.funding
    crime_per_active = np.where(cut, fs.crime_rate * ppa * fs.militia_dependence * unpaid, 0.0)
    lost = (drv.lam * (1.0 - drv.paid)[:, None, None]).sum(axis=2) * fs.crime_per_lost_attack
    inp = tick.Inputs(
        street_targets=ticks_in.street_targets, legitimacy=ticks_in.legitimacy,
        arrest_k=ticks_in.arrest_k, incident_mean=ticks_in.incident_mean / substeps,
        attack_rate=ticks_in.attack_rate, insurgent_rate=ticks_in.insurgent_rate,
        intra_rate=np.ascontiguousarray(drv.intra, dtype=np.float64),
        crime_rate=np.where(cut[:, None], lost, 0.0),
        crime_per_active=crime_per_active,
    )
    out = tick.Outputs(
        states=np.zeros((T, R, G, 4), dtype=np.int64),
        arrests=np.zeros((T, R, G), dtype=np.int64),
        killings=np.zeros((T, R, G), dtype=np.int64),
        deaths=np.zeros((T, R, G, len(CAUSES)), dtype=np.int64),
        crime=np.zeros((T, R), dtype=np.int64),
        displaced=np.zeros((T, R, G), dtype=np.int64),
        segregation=np.zeros((T, G)),
        streets=np.zeros((T, R, K), dtype=np.int64),
        centre=np.zeros((T, R)),
        dropped=np.zeros(3, dtype=np.int64),
    )
    sc_ = tick.scratch(N, sizes, G, K, int(ins.radius))
    per_tick = substeps * int(sc_.inc_start[-1]) + sc_.att_region.shape[0]
    lg = _new_log(max(1 << 15, 4 * per_tick))
    return lat, ag, st, p, inp, out, lg, sc_, per_tick


def _new_log(n: int) -> tick.Log:
    return tick.Log(*(np.zeros(n, dtype=np.int64) for _ in range(5)),
                    np.zeros(1, dtype=np.int64))


def _grown(lg: tick.Log, need: int) -> tick.Log:
    n = int(lg.n[0])
    big = _new_log(max(2 * lg.tick.shape[0], n + 2 * need))
    for src, dst in zip(lg[:5], big[:5], strict=True):
        dst[:n] = src[:n]
    big.n[0] = n
    return big


@dataclass(frozen=True)
class RegionalRun:
    """A regional run's outputs as the loop left them, before they are labelled.

    `compare` reads its thousands of simulations from this directly: building the
    labelled Dataset (`regional_dataset`) costs about a tenth of a simulation at
    1:10,000, and the evidence needs only deaths by cause and the incident log.
    """

    scenario: object
    seed: int
    schedule: str
    built: RegionalWorld
    ticks: int
    outputs: tick.Outputs
    funding: np.ndarray  # float[T]
    log: dict[str, np.ndarray]  # tick, region, target, deaths, who: one row per incident

    @property
    def dates(self) -> np.ndarray:
        """First day of each recorded tick (datetime64[ns])."""
        return self.built.calendar.dates(self.ticks)

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(self.built.world.region_names)

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self.scenario.groups)

    @property
    def causes(self) -> tuple[str, ...]:
        """The last axis of `outputs.deaths`."""
        return CAUSES

    @property
    def attacks(self) -> np.ndarray:
        """Which log rows are attacks (by an instigator or the insurgency); the rest are
        killing incidents between or within communities."""
        who = self.log["who"]
        return (who == _INSTIGATED) | (who == _INSURGENT)


def simulate_regional(
    scenario,
    seed: int,
    ticks: int | None = None,
    schedule: str = "sequential",
    progress: Callable[[int, int], None] | None = None,
) -> xr.Dataset:
    """Run a regional scenario; returns the labelled Dataset (tick x region x group)
    (`run_regional`, then `regional_dataset`)."""
    return regional_dataset(run_regional(scenario, seed, ticks, schedule, progress))


def run_regional(
    scenario,
    seed: int,
    ticks: int | None = None,
    schedule: str = "sequential",
    progress: Callable[[int, int], None] | None = None,
) -> RegionalRun:
    """Run a regional scenario; returns its outputs unlabelled (`RegionalRun`).

    With `warmup_days`, the world first runs that many days on its first day's inputs
    (forces, legitimacy, the insurgency's and militias' starting capacity; no dated
    instigation or episode) and records nothing, so that the first recorded tick finds
    agents, grievances and jails in a state the model itself produced.

    `schedule`: ``sequential`` (the reference: one random order over all agents) or
    ``parallel`` (regions swept side by side, each in its own random order); both give
    the same result for any thread count (`centrehold.models.regional.tick`).
    """
    if schedule not in SCHEDULES:
        raise UserError(
            f"schedule '{schedule}' is not available for regional scenarios; "
            f"use one of: {', '.join(SCHEDULES)}"
        )
    sc = scenario
    T = int(ticks if ticks is not None else sc.ticks)
    if T < 1:
        raise UserError(f"ticks={T}: a run needs at least one tick; give ticks >= 1")
    built = build_world(sc, seed, T)
    drv = drivers(sc, built, T)
    ticks_in = tick_inputs(sc, built, drv, T)
    if (ticks_in.street_targets.max(axis=0) > built.block_end - built.block_start).any():
        # a plug-in sent more force agents out than the blocks hold: lay the world out
        # again (same seed, same civilians) with blocks that fit
        built = build_world(sc, seed, T, street_targets=ticks_in.street_targets)
    lat, ag, st, p, inp, out, lg, scr, per_tick = _records(sc, built, drv, ticks_in, T, seed,
                                                           schedule)
    w = built.world
    tick.tally(ag, len(sc.groups), w.n_regions, len(sc.forces), scr.counts, scr.on_streets)
    W = int(p.warmup)
    total = T + W
    # one compiled call without progress; with it, at most 50 (a call costs about a
    # millisecond of argument checking, as much as a few ticks at coarse scales)
    span = total if progress is None else max(1, -(-total // 50))
    t = -W
    while t < T:
        stop = min(T, t + span)
        t = int(tick.run_ticks(t, stop, lat, ag, st, p, inp, out, lg, scr, per_tick))
        if t < stop:
            lg = _grown(lg, per_tick)
        elif progress is not None:
            progress(t + W, total)
    out.dropped[0] = int(scr.inc_drop.sum())
    n = int(lg.n[0])
    log = {name: getattr(lg, name)[:n] for name in ("tick", "region", "target", "deaths", "who")}
    return RegionalRun(scenario=sc, seed=int(seed), schedule=schedule, built=built, ticks=T,
                       outputs=out, funding=drv.funding[:T], log=log)


def regional_dataset(run: RegionalRun) -> xr.Dataset:
    """A run's outputs labelled: the Dataset every writer, report and reader uses."""
    ds = _dataset(run.scenario, run.seed, run.schedule, run.built, run.ticks, run.outputs,
                  run.funding, run.log, run.scenario.hypothesis)
    if run.outputs.dropped.any():
        ds.attrs["dropped"] = json.dumps(dict(zip(("incidents", "attacks", "victims"),
                                                  run.outputs.dropped.tolist(), strict=True)))
    return ds


def _dataset(sc, seed, schedule, built, T, out: tick.Outputs, funding, log, hyp) -> xr.Dataset:
    w = built.world
    isos = list(w.region_names)
    groups = list(sc.groups)
    dims3 = ("tick", "region", "group")

    states = out.states
    who = log["who"]
    is_att = (who == _INSTIGATED) | (who == _INSURGENT)
    all_tick, all_region, all_target, all_deaths = (
        log["tick"], log["region"], log["target"], log["deaths"])
    a_tick, a_region, a_target = all_tick[is_att], all_region[is_att], all_target[is_att]
    i_tick, i_region, i_group = all_tick[~is_att], all_region[~is_att], all_target[~is_att]
    iso_arr = np.array(isos, dtype=object)
    group_arr = np.array(groups, dtype=object)
    targets = groups + ["any", "state"]
    instigator = INSTIGATORS[hyp]
    by_who = np.array(["", instigator, "insurgency", ""], dtype=object)
    ds = xr.Dataset(
        {
            "quiet": (dims3, states[..., QUIET]),
            "active": (dims3, states[..., ACTIVE]),
            "jailed": (dims3, states[..., JAILED]),
            "dead": (dims3, states[..., DEAD]),
            "arrests": (dims3, out.arrests),
            "killings": (dims3, out.killings),
            "deaths": (("tick", "region", "group", "cause"), out.deaths),
            "crime": (("tick", "region"), out.crime),
            "displaced": (dims3, out.displaced),
            "segregation": (("tick", "group"), out.segregation),
            "forces_on_streets": (("tick", "region", "force"), out.streets),
            "centre_holds": (("tick", "region"), out.centre),
            "funding": (("tick",), funding[:T]),
            "attack_tick": (("attack",), a_tick),
            "attack_region": (("attack",), iso_arr[a_region]),
            "attack_target": (("attack",), np.array(targets, dtype=object)[a_target]),
            "attack_deaths": (("attack",), all_deaths[is_att]),
            "attack_instigator": (("attack",), by_who[who[is_att]]),
            "incident_tick": (("incident",), i_tick),
            "incident_region": (("incident",), iso_arr[i_region]),
            "incident_group": (("incident",), group_arr[i_group]),
            "incident_deaths": (("incident",), all_deaths[~is_att]),
            "incident_cause": (("incident",), np.array(CAUSES, dtype=object)[who[~is_att]]),
        },
        coords={
            "tick": np.arange(T),
            "date": ("tick", built.calendar.dates(T)),
            "region": isos,
            "region_name": ("region", list(w.extra["region_label"])),
            "group": groups,
            "cause": list(CAUSES),
            "force": list(w.force_names),
            "attack": np.arange(a_tick.shape[0]),
            "incident": np.arange(i_tick.shape[0]),
        },
        attrs={
            "scenario": sc.name,
            "seed": int(seed),
            "schedule": schedule,
            "params": json.dumps(sc.model_dump(mode="json")),
            "centrehold_version": _version(),
            "model": "regional",
            "hypothesis": hyp,
            "instigator": instigator,
            "instigators": json.dumps(list(ALL_INSTIGATORS)),
            "people_per_agent": int(sc.people_per_agent),
            "agents": int(w.n_agents),
            "civilians": int(built.n_civilians),
            "units": "states, arrests, killings, displaced, forces_on_streets: agents; "
                     "deaths, attack_deaths, incident_deaths: persons; crime: incidents",
        },
    )
    ds["deaths"].attrs["description"] = "deaths in persons by victim community and cause"
    ds["centre_holds"].attrs["description"] = (
        "F/(F+A): effectiveness-weighted force agents on the streets F against active "
        "civilians A in the region; 1 = the centre holds, below 0.5 the armed outnumber it"
    )
    ds["segregation"].attrs["description"] = "dissimilarity index across regions, vs the rest"
    return ds
