"""Each pytest-xdist worker caches Numba's kernels in a folder of its own (tests/conftest.py)."""

import os

import pytest


def test_a_worker_caches_numba_kernels_in_its_own_folder():
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        pytest.skip("one test process: Numba's default cache is safe")
    import numba.core.config as config

    # Numba read the variable at import: had anything imported it before conftest ran,
    # two workers would share one cache again and could crash each other
    assert config.CACHE_DIR.endswith(os.path.join(".numba-cache", worker))
