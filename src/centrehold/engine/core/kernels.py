"""Rule kernels of the core: the arrest chance, rule A's inequality, the torus wrap.

Both models estimate the arrest chance with `arrest_probability` and wrap a region's
torus with `_wrap`, so a change here changes both alike. `decides_active` is rule A as
Epstein states it; Epstein's ticks call it, and the regional tick writes the same
inequality inline with its own grievance terms. Tags, scans and schedules stay with
each model: they differ between the two.
"""
from __future__ import annotations

import math

from numba import njit


@njit(cache=True, inline="always")
def ratio_term(cops, actives, rounding):
    """C/A as the arrest-probability estimate uses it: floored, rounded half-even, or raw."""
    if rounding == 0:
        return float(cops // actives)
    if rounding == 1:
        q = cops // actives
        rem2 = 2 * (cops - q * actives)
        if rem2 > actives or (rem2 == actives and q % 2 == 1):
            q += 1
        return float(q)
    return cops / actives


@njit(cache=True, inline="always")
def arrest_probability(cops, actives, k, rounding):
    """P = 1 - exp(-k * C/A); `actives` already counts the agent itself."""
    return 1.0 - math.exp(-k * ratio_term(cops, actives, rounding))


@njit(cache=True, inline="always")
def decides_active(hardship, legitimacy, revenge, risk, p, threshold):
    """Rule A: active when grievance minus net risk exceeds the threshold."""
    return hardship * (1.0 - legitimacy) + revenge - risk * p > threshold


@njit(cache=True, inline="always")
def _wrap(v, n):
    if v < 0:
        return v + n
    if v >= n:
        return v - n
    return v
