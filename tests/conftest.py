"""Settings every test process shares.

Why a Numba cache per pytest-xdist worker: Numba writes a kernel's cache as an index
file and numbered code files, numbered in the order a process compiled the kernel's
signatures. Two workers compiling the same kernels at once in a fresh clone can leave an
index from one beside code from the other, and a process that loads them crashes
(SIGSEGV). Each worker, and every process its tests start, caches in a folder of its
own instead; `make run` and the package keep Numba's default place.
"""

from __future__ import annotations

import os
from pathlib import Path

_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER and "NUMBA_CACHE_DIR" not in os.environ:
    # set before anything imports numba: it reads the variable once, at import
    os.environ["NUMBA_CACHE_DIR"] = str(
        Path(__file__).resolve().parent.parent / ".numba-cache" / _WORKER)
