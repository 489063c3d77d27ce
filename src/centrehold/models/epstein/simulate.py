"""Run an Epstein scenario from its YAML-level description to a labelled Dataset.

This is the only place where a scenario's fields become engine numbers, so the
mapping (presets, "life" terms, schedules of change) is written down once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import xarray as xr

from centrehold.engine.core.state import (
    ACTIVE,
    CIVILIAN,
    DEAD,
    IN_BASE,
    JAILED,
    QUIET,
    World,
    empty_world,
)
from centrehold.errors import UserError
from centrehold.models.epstein import kernels as K
from centrehold.models.epstein.rules import LIFE, Rules, Variant, variant_from
from centrehold.models.epstein.step import SCHEDULES, TickInputs, step

Progress = Callable[[int, int], None]


def _version() -> str:
    try:
        return version("centrehold")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0+unknown"


def rules_and_variant(scenario) -> tuple[Rules, Variant]:
    """The engine's reading of an `EpsteinScenario`."""
    model_ii = scenario.epstein_model == "II"
    jail = LIFE if scenario.max_jail_term == "life" else int(scenario.max_jail_term)
    rules = Rules(
        width=scenario.width,
        height=scenario.height,
        citizen_density=scenario.citizen_density,
        cop_density=scenario.cop_density,
        citizen_vision=scenario.citizen_vision,
        cop_vision=scenario.cop_vision,
        legitimacy=scenario.legitimacy,
        max_jail_term=jail,
        active_threshold=scenario.active_threshold,
        arrest_prob_constant=scenario.arrest_prob_constant,
        movement=scenario.movement,
        citizen_movement=scenario.citizen_movement,
        intergroup=model_ii,
        n_groups=len(scenario.groups),
        birth_prob=scenario.birth_prob,
        max_age=-1 if scenario.max_age is None else scenario.max_age,
        initial_max_age=-1 if scenario.max_age is None else scenario.max_age,
    )
    variant = variant_from(scenario.preset, **scenario.variant.model_dump())
    return rules, variant


def _keys(seed: int) -> tuple[np.random.Generator, int]:
    """A generator for building the world and a 64-bit key for the kernels' streams."""
    ss = np.random.SeedSequence(int(seed))
    build, kern = ss.spawn(2)
    return np.random.Generator(np.random.Philox(build)), int(kern.generate_state(1, np.uint64)[0])


def _cop_counts(scenario, n_cells: int, ticks: int) -> np.ndarray:
    """Cops wanted on the streets at ticks 0..ticks."""
    sched = scenario.cop_density_schedule
    dens = np.array(
        [scenario.cop_density if sched is None else sched.value(scenario.cop_density, t)
         for t in range(ticks + 1)]
    )
    return np.rint(dens * n_cells).astype(np.int64)


def build_world(scenario, seed: int, ticks: int | None = None) -> World:
    """Place citizens and cops at random on distinct cells, as the paper's runs start.

    Counts are exact (density x cells, rounded) rather than a coin per cell, which
    removes one source of variation between seeds. Citizens are numbered in the order
    of their cells, so that agents near each other sit near each other in memory (the
    synchronous kernels walk the lattice in cell order); their traits are drawn
    independently of position, so an id says nothing about an agent. Cops are numbered
    in random order, because withdrawals take the highest ids first.
    """
    ticks = scenario.ticks if ticks is None else ticks
    rng, _ = _keys(seed)
    w, h = scenario.width, scenario.height
    n_cells = w * h
    n_cit = int(round(scenario.citizen_density * n_cells))
    cops_wanted = _cop_counts(scenario, n_cells, ticks)
    n_cop_total = int(cops_wanted.max())
    n_cop_street = int(cops_wanted[0])
    model_ii = scenario.epstein_model == "II"
    spare = (n_cells + n_cit) // 2 if model_ii else 0
    n = n_cit + n_cop_total + spare
    world = empty_world(
        np.array([w]), np.array([h]), n,
        group_names=tuple(scenario.groups), region_names=("world",), force_names=("cops",),
    )
    if n_cit + n_cop_total > n_cells:
        raise UserError(
            f"{n_cit} civilians and {n_cop_total} cops do not fit on {n_cells} cells; "
            "lower citizen_density or the cop densities in cop_density_schedule"
        )
    cells = rng.permutation(n_cells)
    cells[:n_cit].sort()
    cit = np.arange(n_cit)
    cop = n_cit + rng.permutation(n_cop_total)
    spare_ids = np.arange(n_cit + n_cop_total, n)
    world.kind[cit] = CIVILIAN
    world.kind[cop] = 1
    world.hardship[cit] = rng.random(n_cit)
    world.risk_aversion[cit] = rng.random(n_cit)
    world.group[cit] = rng.permutation(np.arange(n_cit) % len(scenario.groups))
    world.cell[cit] = cells[:n_cit]
    street = cop[:n_cop_street]
    world.cell[street] = cells[n_cit: n_cit + n_cop_street]
    world.state[cop[n_cop_street:]] = IN_BASE
    world.state[spare_ids] = DEAD
    world.occupant[world.cell[cit]] = cit
    world.occupant[world.cell[street]] = street
    if model_ii and scenario.max_age is not None:
        world.age[cit] = rng.integers(0, scenario.max_age + 1, n_cit)
    return world


def _legitimacy(scenario, tick: int) -> float:
    sched = scenario.legitimacy_schedule
    return scenario.legitimacy if sched is None else sched.value(scenario.legitimacy, tick)


def simulate(
    scenario,
    seed: int,
    ticks: int | None = None,
    schedule: str = "sequential",
    progress: Progress | None = None,
) -> xr.Dataset:
    """Run a scenario and return per-tick counts by group, labelled, with the parameters.

    Tick 0 is the initial state; ticks 1..T follow. `dead` counts deaths so far
    (Model II's killings and old age); Model I has none.
    """
    if getattr(scenario, "model", None) == "regional":
        from centrehold.models.regional.world import simulate_regional

        return simulate_regional(scenario, seed, ticks, schedule, progress)
    if schedule not in SCHEDULES:
        raise UserError(f"schedule {schedule!r} is unknown; use one of: {', '.join(SCHEDULES)}")
    ticks = int(scenario.ticks if ticks is None else ticks)
    rules, variant = rules_and_variant(scenario)
    world = build_world(scenario, seed, ticks)
    _, key = _keys(seed)
    G = len(scenario.groups)
    cops_wanted = _cop_counts(scenario, world.n_cells, ticks)
    eff = np.ones(1)

    shape = (ticks + 1, G)
    out = {name: np.zeros(shape, dtype=np.int64) for name in
           ("quiet", "active", "jailed", "dead", "arrests", "killings", "births", "old_age")}
    cops = np.zeros(ticks + 1, dtype=np.int64)
    legit = np.zeros(ticks + 1)
    counts = np.zeros((3, G, 1), dtype=np.int64)

    def record(t: int) -> None:
        K.count_states(world.kind, world.group, world.region, world.state, counts)
        out["quiet"][t] = counts[QUIET, :, 0]
        out["active"][t] = counts[ACTIVE, :, 0]
        out["jailed"][t] = counts[JAILED, :, 0]
        cops[t] = int(np.count_nonzero((world.kind >= 1) & (world.state == QUIET)))

    legit[0] = _legitimacy(scenario, 0)
    record(0)
    every = max(1, -(-ticks // 200))  # ceil: at most 200 calls
    dead_so_far = np.zeros(G, dtype=np.int64)
    for t in range(1, ticks + 1):
        lt = _legitimacy(scenario, t)
        legit[t] = lt
        if cops_wanted[t] != cops_wanted[t - 1]:
            K.set_forces_on_streets(
                np.array([cops_wanted[t]]), 0, np.uint64(key), np.int64(t), world.occupant,
                world.kind, world.state, world.cell, world.region, world.cell_offset,
            )
        inputs = TickInputs(legitimacy=np.full((G, 1), lt), effectiveness=eff)
        res = step(world, inputs, rules, variant, schedule, key, t)
        out["arrests"][t] = res.arrests[:, 0]
        out["killings"][t] = res.killings[:, 0]
        out["births"][t] = res.births[:, 0]
        out["old_age"][t] = res.old_age[:, 0]
        dead_so_far += res.killings[:, 0] + res.old_age[:, 0]
        out["dead"][t] = dead_so_far
        record(t)
        if progress is not None and (t % every == 0 or t == ticks):
            progress(t, ticks)

    return _dataset(scenario, seed, schedule, rules, variant, world, out, cops, legit)


def _dataset(scenario, seed: int, schedule: str, rules, variant, world, out: dict,
             cops: np.ndarray, legit: np.ndarray) -> xr.Dataset:
    """The run's counts by tick and group, labelled, with what it ran with."""
    ticks = len(cops) - 1
    dims = ("tick", "group")
    ds = xr.Dataset(
        {name: (dims, arr) for name, arr in out.items()},
        coords={"tick": np.arange(ticks + 1), "group": list(scenario.groups)},
    )
    ds["cops"] = ("tick", cops)
    ds["legitimacy"] = ("tick", legit)
    ds["old_age"].attrs["description"] = "deaths past the maximum age this tick"
    ds["dead"].attrs["description"] = "deaths so far (killings and old age)"
    ds["killings"].attrs["description"] = "victims of inter-group killing this tick"
    ds["cops"].attrs["description"] = "cops on the streets after the tick"
    ds.attrs.update(
        scenario=scenario.name,
        seed=int(seed),
        schedule=schedule,
        params=json.dumps(scenario.model_dump(mode="json"), sort_keys=True),
        variant=json.dumps(variant.__dict__, sort_keys=True),
        centrehold_version=_version(),
        agents=int(np.count_nonzero(world.state != DEAD)) if not rules.intergroup
        else int(np.count_nonzero(world.kind >= 0) - world.extra.get("_nfree", 0)),
        bytes_per_agent=float(world.nbytes()) / max(world.n_agents, 1),
    )
    return ds
