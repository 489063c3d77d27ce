"""The compare folder on disk: the one module that knows its files, their columns and
its schema version.

`centrehold compare` writes it through `write_compare_folder`; the report, the
dashboard and `whatif` read it through `read_compare_folder`, which returns a typed
`CompareFolder` or stops with one line naming what is wrong (a missing file, another
schema version) and how to fix it. `settings.json` records the scenario's name, the
overrides it ran with (its scale and tick among them), every setting of the run and
the versions; `scenario.json` holds the whole scenario as it was simulated, so a
folder says what it weighed without its command line.

SCHEMA_VERSION changes whenever a file, a column or a setting changes meaning; a
reader refuses any other version rather than guess.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from centrehold import __version__
from centrehold.errors import UserError
from centrehold.infer.defaults import (
    DEFAULT_BUDGET,
    DEFAULT_GENERATIONS,
    DEFAULT_METHOD,
    DEFAULT_PILOT,
    DEFAULT_POPULATION,
    DEFAULT_PREDICTIVE,
)

SCHEMA_VERSION = 1
KIND = "centrehold.compare"

SETTINGS = "settings.json"
SCENARIO = "scenario.json"
POSTERIOR = "posterior.csv"
PARAMETERS = "parameters.parquet"
#: Each hypothesis's kept particles with their share of its evidence (`--method each`).
EVIDENCE = "evidence.parquet"
ACH = "ach.csv"
DIAGNOSTICITY = "ach_diagnosticity.csv"
FORECAST = "forecast.csv"
FORECAST_SUMMARY = "forecast_summary.csv"
TRAJECTORY = "posterior_by_generation.csv"
SEPARABILITY = "separability.csv"
#: The forest's out-of-bag confusion (`infer.choice`); folders written before it lack it.
FOREST_CONFUSION = "forest_confusion.csv"
ADEQUACY = "adequacy.csv"
P_VALUES = "predictive_p_values.csv"
PREDICTIVE_NATIONAL = "predictive_national.csv"
VERDICT = "verdict.md"
PREMISES = "premises.csv"  # only when the record's premises were read
#: Figures `compare` draws beside the tables (drawn by `infer.simulated`, not read back).
POSTERIOR_PNG = "posterior.png"
ACH_PNG = "ach.png"
FIT_PNG = "fit.png"

#: Tables written without their index, by field of `CompareFolder`.
_PLAIN = {
    "posterior": POSTERIOR, "ach": ACH, "diagnosticity": DIAGNOSTICITY, "forecast": FORECAST,
    "forecast_summary": FORECAST_SUMMARY, "adequacy": ADEQUACY, "p_values": P_VALUES,
    "predictive_national": PREDICTIVE_NATIONAL,
}
#: Tables whose index is a column of their own (generation; true hypothesis).
_INDEXED = {"trajectory": TRAJECTORY, "separability": SEPARABILITY}
#: Tables with a `month` column, written as YYYY-MM and read back as timestamps.
_MONTHLY = ("forecast", "predictive_national")
REQUIRED = (SETTINGS, SCENARIO, PARAMETERS, VERDICT, *_PLAIN.values(), *_INDEXED.values())


@dataclass
class CompareSettings:
    """Every setting a compare ran with, and what it reached (the last four)."""

    scenario: str
    overrides: dict[str, str] = field(default_factory=dict)
    people_per_agent: int = 0
    tick: str = ""
    record: str = "ibc-max"
    seed: int = 0
    budget: int = DEFAULT_BUDGET
    pilot: int = DEFAULT_PILOT
    generations: int = DEFAULT_GENERATIONS
    population: int = DEFAULT_POPULATION
    predictive: int = DEFAULT_PREDICTIVE
    method: str = DEFAULT_METHOD
    # the ABC distance's level gate (0: none, as in folders written before it existed)
    level_gate: float = 0.0
    decline_gate: float = 0.0
    composition_gate: float = 0.0
    # the hypotheses weighed, in the order they were fitted (empty: all the scenario's)
    hypotheses: tuple[str, ...] = ()
    fit_window: tuple[str, str] = ("", "")
    test_window: tuple[str, str] = ("", "")
    final_epsilon: float = math.nan
    final_acceptance: float = math.nan
    simulations: int = 0
    generations_run: int = 0
    centrehold_version: str = __version__
    schema_version: int = SCHEMA_VERSION
    kind: str = KIND

    def to_json(self) -> dict[str, Any]:
        """As settings.json holds it (windows as lists)."""
        out = asdict(self)
        out["fit_window"] = list(self.fit_window)
        out["test_window"] = list(self.test_window)
        out["hypotheses"] = list(self.hypotheses)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CompareSettings:
        known = {f.name for f in fields(cls)}
        kw = {k: v for k, v in data.items() if k in known}
        for key in ("fit_window", "test_window", "hypotheses"):
            if key in kw:
                kw[key] = tuple(str(s) for s in kw[key])
        for key in ("final_epsilon", "final_acceptance"):
            if kw.get(key) is None:
                kw[key] = math.nan
        kw["overrides"] = {str(k): str(v) for k, v in (kw.get("overrides") or {}).items()}
        kw.setdefault("method", "joint")  # folders written before the method was recorded
        return cls(**kw)


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


@dataclass
class CompareFolder:
    """Everything a compare folder holds, as tables (figures aside)."""

    settings: CompareSettings
    posterior: pd.DataFrame  # one row per hypothesis: probability, adequacy, separability
    parameters: pd.DataFrame = field(default_factory=_empty)  # `abc.PARAMETER_COLUMNS`
    scenario: dict[str, Any] = field(default_factory=dict)
    ach: pd.DataFrame = field(default_factory=_empty)  # long: item, hypothesis, score, rating
    diagnosticity: pd.DataFrame = field(default_factory=_empty)
    forecast: pd.DataFrame = field(default_factory=_empty)
    forecast_summary: pd.DataFrame = field(default_factory=_empty)
    trajectory: pd.DataFrame = field(default_factory=_empty)  # generation x hypothesis
    separability: pd.DataFrame = field(default_factory=_empty)  # truth x assigned share
    forest_confusion: pd.DataFrame = field(default_factory=_empty)  # the forest's, out of bag
    adequacy: pd.DataFrame = field(default_factory=_empty)
    p_values: pd.DataFrame = field(default_factory=_empty)
    predictive_national: pd.DataFrame = field(default_factory=_empty)
    verdict: str = ""
    premises: pd.DataFrame | None = None
    path: Path | None = None
    evidence: pd.DataFrame | None = None  # `infer.abc.EVIDENCE_COLUMNS`; each method only

    def ach_table(self, values: str = "score") -> pd.DataFrame | None:
        """The ACH matrix as evidence item x hypothesis (`score` or `rating`), or None."""
        if self.ach.empty or values not in self.ach.columns:
            return None
        wide = self.ach.pivot_table(index="item", columns="hypothesis", values=values,
                                    aggfunc="first" if values == "rating" else "mean")
        wide.index.name = "evidence"
        return wide


def _monthly(table: pd.DataFrame) -> pd.DataFrame:
    if table.empty or "month" not in table.columns:
        return table
    out = table.copy()
    out["month"] = pd.to_datetime(out["month"]).dt.strftime("%Y-%m")
    return out


def _table(folder: CompareFolder, name: str) -> pd.DataFrame:
    table = getattr(folder, name)
    return _monthly(table) if name in _MONTHLY else table


def write_compare_folder(folder: CompareFolder, out: str | Path) -> dict[str, Path]:
    """Write every table of ``folder`` to ``out``; return file paths by field name."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    if folder.premises is not None and len(folder.premises):
        files["premises"] = out / PREMISES
        folder.premises.to_csv(files["premises"], index=False)
    for name, file in _PLAIN.items():
        files[name] = out / file
        _table(folder, name).to_csv(files[name], index=False)
    for name, file in _INDEXED.items():
        files[name] = out / file
        getattr(folder, name).to_csv(files[name])
    if len(folder.forest_confusion):
        files["forest_confusion"] = out / FOREST_CONFUSION
        folder.forest_confusion.to_csv(files["forest_confusion"])
    files["parameters"] = out / PARAMETERS
    folder.parameters.to_parquet(files["parameters"], index=False)
    if folder.evidence is not None and len(folder.evidence):
        files["evidence"] = out / EVIDENCE
        folder.evidence.to_parquet(files["evidence"], index=False)
    files["verdict"] = out / VERDICT
    files["verdict"].write_text(folder.verdict + "\n")
    files["scenario"] = out / SCENARIO
    files["scenario"].write_text(json.dumps(folder.scenario, indent=2, default=str) + "\n")
    files["settings"] = out / SETTINGS
    files["settings"].write_text(
        json.dumps(folder.settings.to_json(), indent=2, default=str) + "\n")
    return files


def _csv(path: Path, **kw: Any) -> pd.DataFrame:
    try:
        return pd.read_csv(path, **kw)
    except pd.errors.EmptyDataError:  # a table with no rows and no columns
        return pd.DataFrame()


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise UserError(f"{path} is not JSON; rerun centrehold compare --out "
                        f"{path.parent}") from None


def read_settings(path: str | Path) -> CompareSettings:
    """A compare folder's settings, after checking it is one this version can read."""
    root = Path(path)
    if not (root / SETTINGS).is_file():
        raise UserError(f"{root} has no {SETTINGS}, so it is not a compare folder of this "
                        f"centrehold; rerun centrehold compare --out {root}")
    data = _json(root / SETTINGS)
    version = data.get("schema_version") if isinstance(data, dict) else None
    if version != SCHEMA_VERSION:
        found = ("no schema version (written before they existed)" if version is None
                 else f"schema version {version}")
        raise UserError(f"{root} is a compare folder of {found}, this centrehold reads "
                        f"version {SCHEMA_VERSION}; rerun centrehold compare --out {root}")
    return CompareSettings.from_json(data)


def read_compare_folder(path: str | Path) -> CompareFolder:
    """Read a compare folder written by `write_compare_folder` (this schema version only)."""
    root = Path(path)
    if not root.is_dir():
        raise UserError(f"compare folder {root} does not exist; run centrehold compare "
                        f"--out {root} first")
    settings = read_settings(root)
    missing = [f for f in REQUIRED if not (root / f).is_file()]
    if missing:
        raise UserError(f"{root} has no {missing[0]}; the compare did not finish: rerun "
                        f"centrehold compare --out {root}")
    try:
        tables = {name: _csv(root / file) for name, file in _PLAIN.items()}
        tables |= {name: _csv(root / file, index_col=0) for name, file in _INDEXED.items()}
        parameters = pd.read_parquet(root / PARAMETERS)
        evidence = (pd.read_parquet(root / EVIDENCE) if (root / EVIDENCE).is_file()
                    else None)
        if (root / FOREST_CONFUSION).is_file():
            tables["forest_confusion"] = _csv(root / FOREST_CONFUSION, index_col=0)
    except (OSError, ValueError) as exc:  # a truncated or foreign file
        raise UserError(f"cannot read {root}'s compare tables ({type(exc).__name__}); rerun "
                        f"centrehold compare --out {root}") from None
    for name in _MONTHLY:
        if "month" in tables[name].columns:
            tables[name]["month"] = pd.to_datetime(tables[name]["month"])
    premises = _csv(root / PREMISES) if (root / PREMISES).is_file() else None
    return CompareFolder(
        settings=settings, parameters=parameters, scenario=_json(root / SCENARIO),
        verdict=(root / VERDICT).read_text(encoding="utf-8").strip(), premises=premises,
        path=root, evidence=evidence, **tables,
    )


def is_compare_folder(path: str | Path) -> bool:
    """Whether ``path`` looks like a compare folder (of any version): it has a posterior."""
    return (Path(path) / POSTERIOR).is_file()


def find_compare_folders(root: str | Path, depth: int = 2) -> Iterator[Path]:
    """Compare folders at ``root`` and up to ``depth`` levels below it, in path order."""
    root = Path(root)
    patterns = [POSTERIOR] + ["/".join(["*"] * k + [POSTERIOR]) for k in range(1, depth + 1)]
    for pattern in patterns:
        for post in sorted(root.glob(pattern)):
            yield post.parent
