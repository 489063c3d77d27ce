"""One tick for any world: the entry point extensions (many regions, groups, forces) call.

`step` turns `Rules` and `Variant` into the kernels' flat parameter arrays, keeps the
scratch arrays of the synchronous schedule in `world.extra` (so repeated ticks do not
reallocate them) and returns what happened this tick.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from centrehold.engine.core.state import DEAD, World
from centrehold.models.epstein import kernels as K
from centrehold.models.epstein.rules import Rules, Variant, jail_cap, row_segments, vision_offsets
from centrehold.models.epstein.sequential import tick_sequential
from centrehold.models.epstein.synchronous import tick_synchronous

SCHEDULES = ("sequential", "synchronous")

# Below this many agents a synchronous tick runs on one thread: the work is smaller
# than the cost of waking a thread pool (and far smaller on a busy machine). Results
# do not depend on the thread count, so this changes speed only.
PARALLEL_MIN_AGENTS = 50_000


@dataclass
class TickInputs:
    """Time-varying inputs evaluated once per tick, before the kernels run.

    Kept as small arrays so that a calendar, a hypothesis or a sweep can change
    them without the kernels knowing where they came from.
    """

    legitimacy: np.ndarray  # float64[G, R]: legitimacy group g grants in region r
    effectiveness: np.ndarray  # float64[K]: probability a force-k arrest attempt succeeds


@dataclass
class StepResult:
    """What one tick did, by group and region."""

    arrests: np.ndarray  # int64[G, R]
    killings: np.ndarray  # int64[G, R]: victims of inter-group killing
    kill_cells: np.ndarray  # int64[n]: global cell of each victim, in the order killed
    births: np.ndarray  # int64[G, R]
    old_age: np.ndarray  # int64[G, R]: deaths past the maximum age


def kernel_params(rules: Rules, variant: Variant) -> dict[str, np.ndarray]:
    """The flat arrays the kernels read, computed once per (rules, variant)."""
    ip = np.zeros(K.N_IP, dtype=np.int64)
    ip[K.I_ROUND] = ("floor", "round", "none").index(variant.rounding)
    ip[K.I_ARREST] = ("random", "nearest").index(variant.arrest)
    ip[K.I_MOVE] = 0 if not rules.movement else (1 if variant.movement == "vision" else 2)
    ip[K.I_JAIL_KEEP] = 1 if variant.jail == "keep" else 0
    ip[K.I_JAIL_CAP] = jail_cap(rules, variant)
    ip[K.I_COP_TAKES] = 1 if variant.cop_takes_cell else 0
    ip[K.I_MOVE_FIRST] = 1 if variant.move_first else 0
    ip[K.I_INTERGROUP] = 1 if rules.intergroup else 0
    ip[K.I_MAX_AGE] = rules.max_age
    ip[K.I_CIT_MOVE] = 1 if rules.citizen_movement else 0
    fp = np.zeros(K.N_FP, dtype=np.float64)
    fp[K.F_THRESH] = rules.active_threshold
    fp[K.F_K] = rules.arrest_prob_constant
    fp[K.F_BIRTH] = rules.birth_prob
    cit = vision_offsets(variant.neighbourhood, rules.citizen_vision)
    return {
        "ip": ip,
        "fp": fp,
        "cit_off": cit,
        "cop_off": vision_offsets(variant.neighbourhood, rules.cop_vision),
        "walk_off": vision_offsets(variant.neighbourhood, 1),
        "adj_off": vision_offsets("moore", 1),
        "cit_segs": _segs(cit),
        "cop_segs": _segs(vision_offsets(variant.neighbourhood, rules.cop_vision)),
    }


def _segs(off: np.ndarray) -> np.ndarray:
    return row_segments(off) if off.shape[0] else np.zeros((0, 3), dtype=np.int64)


def _check_geometry(world: World, rules: Rules) -> None:
    v = max(rules.citizen_vision, rules.cop_vision, 1)
    small = min(int(world.width.min()), int(world.height.min()))
    if 2 * v + 1 > small:
        raise ValueError(
            f"vision {v} sees round a {small}-cell torus twice; "
            f"use a vision of at most {(small - 1) // 2} or a larger lattice"
        )


def _workspace(world: World, params: dict, n_groups: int) -> dict:
    ws = world.extra.get("_ws")
    n = world.n_agents
    n_layers = 1 + (n_groups if params["ip"][K.I_INTERGROUP] else 0)
    if (ws is not None and ws["n"] == n and ws["n_cells"] == world.n_cells
            and ws["pref"].shape[0] == n_layers and ws["lut"].shape[0] == n_groups + 1):
        return ws
    heights = world.height
    rows_before = np.concatenate([[0], np.cumsum(heights)[:-1]]).astype(np.int64)
    row_region = np.repeat(np.arange(world.n_regions, dtype=np.int64), heights)
    row_y = np.concatenate([np.arange(h, dtype=np.int64) for h in heights])
    ws = {
        "n": n,
        "n_cells": world.n_cells,
        "order": np.empty(n, dtype=np.int64),
        "flag": np.zeros(n, dtype=np.int8),
        "tgt": np.full(n, -1, dtype=np.int64),
        "prio": np.zeros(n, dtype=np.uint64),
        "moved": np.zeros(n, dtype=np.int8),
        "claim_agent": np.full(world.n_cells, -1, dtype=np.int64),
        "claim_prio": np.zeros(world.n_cells, dtype=np.uint64),
        "row_base": world.cell_offset[:-1] + rows_before,
        "row_region": row_region,
        "row_y": row_y,
        "tag": np.zeros(world.n_cells, dtype=np.int8),
        "lut": K.tag_table(n_groups),
        "pref": np.zeros((n_layers, world.n_cells + int(heights.sum())), dtype=np.int64),
    }
    world.extra["_ws"] = ws
    return ws


def step(
    world: World,
    inputs,
    rules: Rules,
    variant: Variant,
    schedule: str,
    key: int,
    tick: int,
) -> StepResult:
    """Apply rules A, C, M (and Model II's killing and demography) once to every agent."""
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule {schedule!r} is unknown; use one of {SCHEDULES}")
    cache = world.extra.get("_params")
    if cache is None or cache[0] != (rules, variant):
        _check_geometry(world, rules)
        cache = ((rules, variant), kernel_params(rules, variant))
        world.extra["_params"] = cache
    params = cache[1]
    n_groups = max(len(world.group_names), int(world.group.max(initial=0)) + 1)
    if n_groups > K.MAX_GROUPS:
        raise ValueError(f"{n_groups} groups exceed the engine's {K.MAX_GROUPS}; merge some")
    R = world.n_regions
    arrests = np.zeros((n_groups, R), dtype=np.int64)
    killings = np.zeros((n_groups, R), dtype=np.int64)
    births = np.zeros((n_groups, R), dtype=np.int64)
    old_age = np.zeros((n_groups, R), dtype=np.int64)
    kill_cells = np.empty(world.n_agents if rules.intergroup else 0, dtype=np.int64)
    if "_free" not in world.extra:
        free = np.flatnonzero(world.state == DEAD).astype(np.int64)
        stack = np.empty(world.n_agents, dtype=np.int64)
        stack[: free.shape[0]] = free[::-1]
        world.extra["_free"] = stack
        world.extra["_nfree"] = int(free.shape[0])
    counters = np.array([0, world.extra["_nfree"]], dtype=np.int64)
    legit = np.ascontiguousarray(inputs.legitimacy, dtype=np.float64)
    eff = np.ascontiguousarray(inputs.effectiveness, dtype=np.float64)
    ukey = np.uint64(key & 0xFFFFFFFFFFFFFFFF)
    w = world
    common = (
        w.width, w.height, w.cell_offset, w.occupant, w.kind, w.group, w.region, w.cell,
        w.hardship, w.risk_aversion, w.state, w.jail_left, w.age, w.revenge, legit, eff,
        params["cit_off"], params["cop_off"], params["walk_off"], params["adj_off"],
    )
    ws = _workspace(world, params, n_groups)
    segs = (params["cit_segs"], params["cop_segs"], params["ip"], params["fp"], ws["lut"])
    tail = (arrests, killings, kill_cells, births, old_age, counters, world.extra["_free"])
    if schedule == "sequential":
        tick_sequential(ukey, np.int64(tick), ws["order"], ws["tag"], *common, *segs, *tail)
    elif world.n_agents < PARALLEL_MIN_AGENTS and numba.get_num_threads() > 1:
        threads = numba.get_num_threads()
        numba.set_num_threads(1)
        try:
            tick_synchronous(ukey, np.int64(tick), ws, ws["tag"], *common, *segs, *tail)
        finally:
            numba.set_num_threads(threads)
    else:
        tick_synchronous(ukey, np.int64(tick), ws, ws["tag"], *common, *segs, *tail)
    world.extra["_nfree"] = int(counters[1])
    return StepResult(arrests, killings, kill_cells[: counters[0]].copy(), births, old_age)
