"""Fixtures for the scenario loader's tests: toy schemas registered as models, files on disk."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from scenario_toy_schemas import GOOD_TOY  # noqa: E402

from centrehold.scenario import load  # noqa: E402


@pytest.fixture
def toy_models(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the toy schemas under `model: toy` and `model: toyregional`."""
    monkeypatch.setitem(load.MODELS, "toy", "scenario_toy_schemas:ToyCivil")
    monkeypatch.setitem(load.MODELS, "toyregional", "scenario_toy_schemas:ToyRegional")




@pytest.fixture
def toy_file(tmp_path: Path, toy_models: None) -> Path:
    path = tmp_path / "toy.yaml"
    path.write_text(GOOD_TOY)
    return path


@pytest.fixture
def write(tmp_path: Path, toy_models: None):
    """Write a scenario text to a fresh YAML file and return its path."""

    def _write(text: str, name: str = "s.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return _write


def pytest_terminal_summary(terminalreporter) -> None:  # noqa: ANN001 - pytest's reporter
    """The fuzz tests' counts: cases and outcomes per family, and the totals."""
    from scenario_fuzz import OUTCOMES

    if not OUTCOMES:
        return
    families = sorted({f for f, _ in OUTCOMES})
    kinds = ("cases", "must refuse", "must load", "loaded", "refused", "internal",
             "silent acceptance")
    terminalreporter.section("scenario fuzz")
    for fam in [*families, "total"]:
        counts = {k: (sum(v for (f, kk), v in OUTCOMES.items() if kk == k) if fam == "total"
                      else OUTCOMES[(fam, k)]) for k in kinds}
        terminalreporter.write_line(
            f"{fam:32s} " + "  ".join(f"{k.replace('internal', 'internal errors')} "
                                      f"{counts[k]}" for k in kinds))
