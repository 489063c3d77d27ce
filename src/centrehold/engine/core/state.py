"""Structure-of-arrays world state shared by every kernel.

One layout serves the classroom grids of Epstein's models and the 18-governorate
world: each region is its own torus, all regions' cells live in one flat array
(`occupant`) with `cell_offset[r]` marking where region r starts, and every agent
is a row across the per-agent arrays. Numba kernels take these arrays directly;
keeping them flat and typed is what lets the hot loops run without Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Agent states. Force agents use QUIET (on the streets) and IN_BASE (withdrawn).
QUIET: int = 0
ACTIVE: int = 1
JAILED: int = 2
DEAD: int = 3
IN_BASE: int = 4

# Agent kinds: 0 is a civilian; k >= 1 is a member of security force k - 1.
CIVILIAN: int = 0

EMPTY: int = -1  # occupant value of an empty cell; cell value of an agent off the lattice


@dataclass
class World:
    """The whole mutable state of one simulation, as flat typed arrays."""

    # lattice geometry, one entry per region
    width: np.ndarray  # int64[R]
    height: np.ndarray  # int64[R]
    cell_offset: np.ndarray  # int64[R + 1]; region r owns cells [cell_offset[r], cell_offset[r+1])
    occupant: np.ndarray  # int64[n_cells]; agent id or EMPTY

    # agents
    kind: np.ndarray  # int8[N]; CIVILIAN or force index + 1
    group: np.ndarray  # int8[N]; community of a civilian (0 for forces)
    region: np.ndarray  # int16[N]
    cell: np.ndarray  # int64[N]; global cell index or EMPTY when off the lattice
    hardship: np.ndarray  # float64[N]; H ~ U(0, 1)
    risk_aversion: np.ndarray  # float64[N]; R ~ U(0, 1)
    state: np.ndarray  # int8[N]; QUIET, ACTIVE, JAILED, DEAD, IN_BASE
    jail_left: np.ndarray  # int32[N]; ticks still to serve
    age: np.ndarray  # int32[N]; Model II demography
    revenge: np.ndarray  # float64[N]; extra grievance from killings nearby (iraq-2009)

    group_names: tuple[str, ...] = ("citizens",)
    region_names: tuple[str, ...] = ("world",)
    force_names: tuple[str, ...] = ("cops",)
    extra: dict = field(default_factory=dict)

    @property
    def n_agents(self) -> int:
        return int(self.kind.shape[0])

    @property
    def n_regions(self) -> int:
        return int(self.width.shape[0])

    @property
    def n_cells(self) -> int:
        return int(self.occupant.shape[0])

    def nbytes(self) -> int:
        """Bytes held by the state arrays: the engine's memory cost per agent and cell."""
        return sum(
            getattr(self, name).nbytes
            for name in (
                "width", "height", "cell_offset", "occupant", "kind", "group", "region",
                "cell", "hardship", "risk_aversion", "state", "jail_left", "age", "revenge",
            )
        )


def empty_world(
    widths: np.ndarray, heights: np.ndarray, n_agents: int, **names: tuple[str, ...]
) -> World:
    """Allocate a world with every cell empty and every agent a quiet civilian off the lattice."""
    widths = np.asarray(widths, dtype=np.int64)
    heights = np.asarray(heights, dtype=np.int64)
    offset = np.zeros(widths.shape[0] + 1, dtype=np.int64)
    np.cumsum(widths * heights, out=offset[1:])
    return World(
        width=widths,
        height=heights,
        cell_offset=offset,
        occupant=np.full(int(offset[-1]), EMPTY, dtype=np.int64),
        kind=np.zeros(n_agents, dtype=np.int8),
        group=np.zeros(n_agents, dtype=np.int8),
        region=np.zeros(n_agents, dtype=np.int16),
        cell=np.full(n_agents, EMPTY, dtype=np.int64),
        hardship=np.zeros(n_agents, dtype=np.float64),
        risk_aversion=np.zeros(n_agents, dtype=np.float64),
        state=np.zeros(n_agents, dtype=np.int8),
        jail_left=np.zeros(n_agents, dtype=np.int32),
        age=np.zeros(n_agents, dtype=np.int32),
        revenge=np.zeros(n_agents, dtype=np.float64),
        **names,
    )
