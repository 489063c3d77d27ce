"""CLI tests: a fake engine (so the CLI is tested on its own) and toy scenario files."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cli_fakes import civil_dataset  # noqa: E402

from centrehold.runs import single  # noqa: E402
from centrehold.scenario import load  # noqa: E402


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> list:
    """Replace the engine with one returning a fake Dataset; record each call's arguments."""
    calls: list[dict] = []

    def simulate(scenario, seed, ticks=None, schedule="sequential", progress=None):
        n = ticks if ticks is not None else scenario.ticks
        calls.append({"scenario": scenario, "seed": seed, "ticks": n, "schedule": schedule,
                      "progress": progress})
        if progress is not None:
            for done in range(1, n + 1):
                progress(done, n)
        ds = civil_dataset(n, seed=seed)
        ds.attrs.update(scenario=scenario.name, schedule=schedule,
                        params=scenario.model_dump_json())
        return ds

    monkeypatch.setattr(single, "_engine", lambda: simulate)
    return calls


@pytest.fixture
def regional_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(load.MODELS, "hyp", "cli_toy_schema:HypScenario")
