"""Incident size classes, so counts of small and large incidents can be compared by month.

The classes are coarse on purpose: the record's counts of large incidents are small,
and finer classes would be mostly zeros.
"""

from __future__ import annotations

import numpy as np

#: Labels in order; an incident with d deaths falls in the last class whose lower
#: bound is <= d. Zero-death incidents get their own class rather than vanishing.
SIZE_CLASSES: tuple[str, ...] = ("0", "1", "2-4", "5-9", "10-19", "20-49", "50+")
SIZE_CLASS_LOWER: tuple[float, ...] = (0, 1, 2, 5, 10, 20, 50)


def size_class(deaths: np.ndarray) -> np.ndarray:
    """Class label of each incident size (sizes below 1 but above 0 count as "0")."""
    values = np.asarray(deaths, dtype=float)
    if np.any(values < 0) or np.any(np.isnan(values)):
        raise ValueError("incident sizes must be non-negative numbers")
    index = np.searchsorted(np.asarray(SIZE_CLASS_LOWER), values, side="right") - 1
    return np.asarray(SIZE_CLASSES, dtype=object)[index]
