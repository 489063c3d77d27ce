"""Fixtures for the peer comparison: Mesa's own example beside centrehold's `mesa` preset.

`benchmarks/mesa_peer.py` is a script folder, not a package; it is loaded by path so
the test and the benchmark run Mesa through exactly the same code.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

MESA_PEER_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "mesa_peer.py"


def _load_mesa_peer() -> ModuleType:
    name = "centrehold_bench_mesa_peer"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, MESA_PEER_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def mesa_peer() -> ModuleType:
    """The peer runner, or a skip naming why Mesa's example cannot run here."""
    module = _load_mesa_peer()
    try:
        module.load_example()
    except module.MesaUnavailable as exc:
        pytest.skip(f"peer oracle unavailable: {exc}")
    return module
