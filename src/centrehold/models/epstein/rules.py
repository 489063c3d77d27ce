"""The numbers and the named options of Epstein's civil-violence rules.

Sources disagree on several details of Models I and II (the shape of vision, how
C/A is rounded, who a cop arrests, where jailed agents go). Each disagreement is a
named option of `Variant` so that a run says which reading it used, and the presets
`epstein`, `netlogo` and `mesa` pin the three best-known readings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

NEIGHBOURHOODS = ("epstein", "euclidean", "moore", "von_neumann")
ROUNDINGS = ("floor", "round", "none")
ARRESTS = ("random", "nearest")
MOVEMENTS = ("vision", "walk")
JAILS = ("leave", "keep")
JAIL_RANGES = ("inclusive", "exclusive")

LIFE: int = 2**31 - 1  # a jail term nobody outlives; `max_jail_term = "life"` maps here
K_EPSTEIN: float = -math.log(0.1)  # 2.302585...: P = 0.9 when one cop faces one active


@dataclass(frozen=True)
class Rules:
    """The model's numbers; Model I keeps the parameter names of Mesa's example."""

    width: int = 40
    height: int = 40
    citizen_density: float = 0.7
    cop_density: float = 0.04
    citizen_vision: int = 7
    cop_vision: int = 7
    legitimacy: float = 0.82
    max_jail_term: int = 30  # LIFE for "life"
    active_threshold: float = 0.1
    arrest_prob_constant: float = K_EPSTEIN
    movement: bool = True  # Mesa's switch: False and nobody moves
    citizen_movement: bool = True  # False: civilians stay put while cops patrol (run I-1)
    # Model II
    intergroup: bool = False  # actives need, and kill, members of another group
    n_groups: int = 1
    birth_prob: float = 0.0  # chance a civilian clones into a free adjacent cell each tick
    max_age: int = -1  # civilians die past this age; -1: nobody ages out
    initial_max_age: int = -1  # initial ages U{0..initial_max_age}; -1 means all start at 0


@dataclass(frozen=True)
class Variant:
    """Which reading of the rules a run uses; every field is one disputed detail."""

    neighbourhood: str = "von_neumann"  # epstein (4 directions), euclidean, moore, von_neumann
    rounding: str = "floor"  # how C/A enters P = 1 - exp(-k C/A): floor, round (half-even), none
    arrest: str = "random"  # which active in vision a cop takes: random or nearest
    movement: str = "vision"  # vision: any empty cell in vision; walk: an empty adjacent cell
    jail: str = "leave"  # leave: jailed agents leave the lattice; keep: they hold their cell
    jail_range: str = "inclusive"  # jail term U{0..J} (inclusive) or U{0..J-1} (exclusive)
    cop_takes_cell: bool = True  # an arresting cop moves to the arrestee's cell (when it is free)
    move_first: bool = False  # rule M before rules A/C in an agent's turn (NetLogo's order)

    def __post_init__(self) -> None:
        for name, allowed in (
            ("neighbourhood", NEIGHBOURHOODS),
            ("rounding", ROUNDINGS),
            ("arrest", ARRESTS),
            ("movement", MOVEMENTS),
            ("jail", JAILS),
            ("jail_range", JAIL_RANGES),
        ):
            value = getattr(self, name)
            if value not in allowed:
                raise ValueError(f"variant {name}={value!r} is unknown; use one of {allowed}")


PRESETS: dict[str, Variant] = {
    # The paper's rules: floor(C/A), a random active arrested and the cop stepping into its
    # cell, jailed agents off the lattice, a move anywhere in vision, terms U{0..J}. Vision
    # "north, south, east and west" read as the diamond of that radius: with Moore vision
    # 7, run I-2 shows no outbursts at all (docs/engine.md), so Moore is an option only.
    "epstein": Variant(),
    # NetLogo's Rebellion: `in-radius` vision, floor, `random max-jail-term` (0..J-1),
    # jailed turtles do not block a patch, each turtle moves before it decides.
    "netlogo": Variant(neighbourhood="euclidean", jail_range="exclusive", move_first=True),
    # Mesa 3.3's epstein_civil_violence example, read line by line (docs/engine.md).
    "mesa": Variant(
        neighbourhood="von_neumann", rounding="round", jail="keep", cop_takes_cell=False
    ),
}


def variant_from(preset: str = "epstein", **changes: object) -> Variant:
    """A preset with some options changed; None values keep the preset's choice."""
    if preset not in PRESETS:
        raise ValueError(f"preset {preset!r} is unknown; use one of {tuple(PRESETS)}")
    return replace(PRESETS[preset], **{k: v for k, v in changes.items() if v is not None})


def vision_offsets(shape: str, radius: int) -> np.ndarray:
    """The (dx, dy) offsets an agent sees, centre excluded, sorted nearest first.

    Sorting by Euclidean distance lets "nearest" rules scan in order; ties keep a fixed
    order and the kernels break them at random.
    """
    if shape not in NEIGHBOURHOODS:
        raise ValueError(f"neighbourhood {shape!r} is unknown; use one of {NEIGHBOURHOODS}")
    out = []
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            if dx == 0 and dy == 0:
                continue
            if shape == "moore":
                ok = True
            elif shape == "von_neumann":
                ok = abs(dx) + abs(dy) <= radius
            elif shape == "epstein":
                ok = dx == 0 or dy == 0
            else:
                ok = dx * dx + dy * dy <= radius * radius
            if ok:
                out.append((dx * dx + dy * dy, dy, dx))
    out.sort()
    return np.array([(dx, dy) for _, dy, dx in out], dtype=np.int64).reshape(-1, 2)


def row_segments(offsets: np.ndarray) -> np.ndarray:
    """Cover the offsets with horizontal runs (dy, dx_lo, dx_hi) for prefix-sum counting."""
    rows: dict[int, list[int]] = {}
    for dx, dy in offsets:
        rows.setdefault(int(dy), []).append(int(dx))
    segs = []
    for dy in sorted(rows):
        xs = sorted(rows[dy])
        lo = prev = xs[0]
        for x in xs[1:]:
            if x != prev + 1:
                segs.append((dy, lo, prev))
                lo = x
            prev = x
        segs.append((dy, lo, prev))
    return np.array(segs, dtype=np.int64).reshape(-1, 3)


def jail_cap(rules: Rules, variant: Variant) -> int:
    """The largest term a draw can give: J, or J - 1 for the exclusive range; -1 for life."""
    if rules.max_jail_term >= LIFE:
        return -1
    if variant.jail_range == "exclusive":
        return max(rules.max_jail_term - 1, 0)
    return rules.max_jail_term
