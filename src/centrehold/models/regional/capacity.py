"""Armed actors' capacity, dated fighting episodes and the Awakening's payroll, as series.

These mechanisms read only the calendar and the force levels, never the simulated
violence, so they are computed once per run as arrays over ticks, before the agents
move: the tick loop then only draws attacks from them. Their equations are in
docs/iraq-2009.md ("Capacity").
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


def force_pressure(persons: np.ndarray, effectiveness: np.ndarray) -> np.ndarray:
    """Effectiveness-weighted force personnel in operations, by (tick, region).

    `persons` is [T, K, R] in persons (not agents), so the pressure, and every capacity
    path derived from it, is the same at every `people_per_agent`.
    """
    return np.einsum("tkr,k->tr", persons, effectiveness)


def capacity_path(
    pressure: np.ndarray, start: np.ndarray, floor_share: float, timescale_days: float,
    step_days: float, rebuild_days: float | None = None,
) -> np.ndarray:
    """Capacity K[T, R] with K[0] = start and dK/dt = (floor_share K0 - K P/P0) / timescale.

    Integrated exactly over each tick with the tick's pressure held fixed, so a weekly
    and a daily tick follow the same curve (no Euler step that depends on the tick).
    A region with no force at the start (P0 = 0) is treated as at its start pressure
    throughout: nothing there wears the capacity down or lets it grow beyond the floor.
    """
    T, R = pressure.shape
    out = np.zeros((T, R))
    if T == 0:
        return out
    p0 = pressure[0]
    rel = np.divide(pressure, p0[None, :], out=np.ones_like(pressure), where=p0[None, :] > 0)
    start = np.broadcast_to(np.asarray(start, dtype=float), (R,))
    rebuild = timescale_days if rebuild_days is None else rebuild_days
    # everything but the stock's own path, for every tick at once; the path itself in a
    # compiled loop (it runs once per simulation, thousands of times in a calibration)
    floor = floor_share * start
    level = np.divide(floor, rel, out=np.zeros((T, R)), where=rel > 0)
    worn = np.exp(-rel / timescale_days * step_days)
    rebuilt = np.exp(-rel / rebuild * step_days)
    grow_worn = floor * step_days / timescale_days
    grow_rebuilt = floor * step_days / rebuild
    _stock_path(rel, level, worn, rebuilt, grow_worn, grow_rebuilt, start.copy(), out)
    return out


@njit(cache=True)
def _stock_path(rel, level, worn, rebuilt, grow_worn, grow_rebuilt, k, out):
    """K[t] from K[t - 1], tick by tick (the arithmetic of `capacity_path`, each value
    the same float as NumPy's elementwise operations give)."""
    T, R = rel.shape
    out[0] = k
    for t in range(1, T):
        for r in range(R):
            # within a tick K moves monotonically towards the level, so whether the
            # stock is worn down or rebuilt is known at the tick's start and the step
            # stays exact
            up = level[t - 1, r] > k[r]
            if rel[t - 1, r] > 0:
                decay = rebuilt[t - 1, r] if up else worn[t - 1, r]
                k[r] = level[t - 1, r] + (k[r] - level[t - 1, r]) * decay
            else:
                k[r] = k[r] + (grow_rebuilt[r] if up else grow_worn[r])
            out[t, r] = k[r]


def insurgency_weights(
    population: np.ndarray, shares: np.ndarray, base: int, mixed_boost: float,
    reach_share: float = 0.0,
) -> np.ndarray:
    """Where the campaign operates: the base community's population, more where it lives
    beside others (targets within reach), normalised to sum to 1 over regions; and a
    `reach_share` of it spread over every region by population, so that a campaign based
    in one community can also strike where that community does not live (a car bomb
    driven into a city of another community). Without it a region with none of the base
    community never sees an insurgent attack, whatever the record says."""
    base_pop = population * shares[base]
    others = 1.0 - shares[base]
    w = base_pop * (1.0 + mixed_boost * others)
    total = w.sum()
    w = w / total if total > 0 else np.full(len(population), 1.0 / len(population))
    if reach_share <= 0.0:
        return w
    pop = np.asarray(population, dtype=float)
    return (1.0 - reach_share) * w + reach_share * pop / pop.sum()


def with_footprint(
    weights: np.ndarray, footprint: dict[str, float], isos: list[str], share: float
) -> np.ndarray:
    """Blend the community-based weights with where the campaign struck before the
    calendar starts: `share` of it placed by the footprint (normalised), the rest as
    before. Why a past footprint: a campaign's cells, routes and targets are where it
    has been operating, which the communities' shares alone do not tell (by them Baghdad
    drew a third of the bombing deaths against the record's 45%; docs/iraq-2009.md).
    The schema keeps every weight at 0 or more and their sum above 0."""
    if not footprint or share <= 0.0:
        return weights
    fp = np.array([float(footprint.get(iso, 0.0)) for iso in isos])
    return share * fp / fp.sum() + (1.0 - share) * weights


def mean_pareto_toll(alpha: float, size_max: float) -> float:
    """Mean of floor(X) capped at size_max, X Pareto with density exponent alpha, xmin 1.

    P(floor(X) >= k) = P(X >= k) = k^(1 - alpha) for k >= 1, so the mean is the sum of
    that over k = 1..size_max: exact, no sampling.
    """
    k = np.arange(1, int(math.floor(size_max)) + 1, dtype=float)
    return float(np.sum(k ** (1.0 - alpha)))


def _overlap_days(dates: np.ndarray, step_days: float, first, last) -> np.ndarray:
    """Days of each tick [d, d + step) that fall in [first, last] (whole days)."""
    days = dates.astype("datetime64[D]").astype(np.int64)
    lo = np.datetime64(first, "D").astype(np.int64)
    hi = np.datetime64(last, "D").astype(np.int64) + 1
    return np.clip(np.minimum(days + step_days, hi) - np.maximum(days, lo), 0, None)


def episode_rates(
    episodes, isos: list[str], groups: list[str], dates: np.ndarray, step_days: float,
    deaths_per_day: float,
) -> np.ndarray:
    """Expected deaths per tick by (tick, region, community) from dated episodes.

    Each tick gets the episode's daily rate times the days of the tick the episode
    covers, so a weekly and a daily tick carry the same deaths.
    """
    out = np.zeros((len(dates), len(isos), len(groups)))
    for ep in episodes:
        days = _overlap_days(dates, step_days, ep.start, ep.end)
        g = groups.index(ep.group)
        per_region = deaths_per_day * ep.weight / len(ep.regions)
        for iso in ep.regions:
            out[:, isos.index(iso), g] += per_region * days
    return out


def payroll_factor(
    transfer: dict, isos: list[str], dates: np.ndarray, step_days: float, kept: float
) -> np.ndarray:
    """[T, R] multiplier of the Awakening's personnel: 1 before a region's transfer date,
    `kept` from it on (a tick that straddles the date gets the day-weighted mean)."""
    out = np.ones((len(dates), len(isos)))
    for iso, day in transfer.items():
        after = _overlap_days(dates, step_days, day, np.datetime64("2200-01-01")) / step_days
        out[:, isos.index(iso)] = 1.0 - (1.0 - kept) * after
    return out
