"""Rule kernels every model calls: the arrest chance, rule A's decision, the torus wrap.

Epstein's models and the regional world write their ticks differently (their own
tags, scans and schedules) but estimate the arrest chance and wrap a region's torus
with these same functions, so a change here changes both models alike.
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
