"""The run folder on disk: the one module that knows its files and its schema version.

`centrehold run` (through `runs.single.write_run`) and the dashboard write it with
`write_run_folder`; the report and the dashboard read it with `read_run_folder`, which
returns a typed `RunFolder` or stops with one line naming what is wrong (not a run
folder, an unfinished run, another schema version, a missing file) and how to fix it.

Files: `ticks.parquet` (the tidy per-tick table, each variable's own dims in its
metadata), `scenario.json` (the scenario as simulated: every setting the run used),
`summary.json` (the run in a few numbers, with seed, schedule and version),
`regions.csv` (regional worlds), `<dims>.parquet` for variables not along `tick`, any
figures the writer is given, and `manifest.json`, written first (incomplete) and last
(complete) so that a killed run never looks finished.

Every file goes to a temporary name first and is renamed into place. (pandas is
imported only where a table is read, so the dashboard can name these files cheaply.) SCHEMA_VERSION
changes whenever a file or a column changes meaning; a reader refuses any other version.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from centrehold import __version__
from centrehold.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

SCHEMA_VERSION = 1
RUN_KIND = "centrehold.single-run"

MANIFEST = "manifest.json"
TICKS = "ticks.parquet"
SCENARIO = "scenario.json"
SUMMARY = "summary.json"
REGIONS = "regions.csv"
REQUIRED = (TICKS, SCENARIO, SUMMARY)
#: What `centrehold report` derives from a run folder: part of the run, stale once it is rerun.
# What the report layer derives from a run folder (`centrehold report`, and the PNGs
# `centrehold run` draws): part of the run, stale once it is rerun.
REPORT_OUTPUTS = ("report.html", "report_figures", "timeseries.png", "monthly_deaths.png")


# --------------------------------------------------------------------------- atomic files


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary sibling and rename, so readers see the old file or the new one."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_json(path: Path, obj: Any) -> None:
    """JSON with NumPy scalars, arrays and dates made plain, written atomically."""
    text = json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    import pandas as pd

    if isinstance(obj, (np.datetime64, pd.Timestamp)):
        return str(pd.Timestamp(obj).date())
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def is_temporary(name: str) -> bool:
    """A writer's temporary file (left by a killed run): ours to remove or replace."""
    return name.startswith(".") and ".tmp-" in name


# --------------------------------------------------------------------------- manifest


def read_manifest(out: Path) -> dict | None:
    """The folder's manifest if it is a run folder's (any version, finished or not)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("kind") == RUN_KIND else None


def is_run_folder(path: str | Path) -> bool:
    """Whether ``path`` holds a run folder (of any version; reading it checks the rest)."""
    return read_manifest(Path(path)) is not None and (Path(path) / TICKS).is_file()


# --------------------------------------------------------------------------- writing


@dataclass
class RunContents:
    """What a run folder holds, as tables and JSON (figures aside)."""

    ticks: pd.DataFrame  # one row per tick x other dims; attrs["dims"]: each variable's own
    scenario: Any  # the scenario as simulated (JSON)
    summary: dict[str, Any]
    sides: dict[str, pd.DataFrame] = field(default_factory=dict)  # `<dims>` -> table
    regions: pd.DataFrame | None = None

    def files(self, figures: Mapping[str, Any] = ()) -> list[str]:
        """Every file the folder will hold besides the manifest, in the order listed."""
        names = [TICKS, SCENARIO, SUMMARY, *(f"{name}.parquet" for name in self.sides)]
        return names + ([REGIONS] if self.regions is not None else []) + list(figures)


def write_run_folder(
    out: Path,
    contents: RunContents,
    figures: Mapping[str, Callable[[Path], None]] | None = None,
) -> list[str]:
    """Write ``contents`` (and each figure, drawn to its file name) to ``out``.

    The manifest goes first, marked incomplete, and last, marked complete. What a
    previous run left there goes (its files this run does not write, and its report,
    which would now describe the wrong run). Returns the files written.
    """
    figures = dict(figures or {})
    files = contents.files(figures)
    out.mkdir(parents=True, exist_ok=True)
    previous = read_manifest(out) or {}
    manifest = {"kind": RUN_KIND, "schema_version": SCHEMA_VERSION, "complete": False,
                "files": files, "centrehold_version": __version__}
    write_json(out / MANIFEST, manifest)
    for stale in set(previous.get("files", [])) - set(files):
        (out / stale).unlink(missing_ok=True)
    if previous:
        for name in REPORT_OUTPUTS:
            derived = out / name
            if derived.is_dir():
                shutil.rmtree(derived, ignore_errors=True)
            else:
                derived.unlink(missing_ok=True)
    atomic_write(out / TICKS, lambda tmp: contents.ticks.to_parquet(tmp, index=False))
    for name, table in contents.sides.items():
        atomic_write(out / f"{name}.parquet", lambda tmp, t=table: t.to_parquet(tmp, index=False))
    write_json(out / SCENARIO, contents.scenario)
    if contents.regions is not None:
        atomic_write(out / REGIONS, lambda tmp: contents.regions.to_csv(tmp, index=False))
    for name, draw in figures.items():
        atomic_write(out / name, draw)
    write_json(out / SUMMARY, contents.summary)
    manifest["complete"] = True
    write_json(out / MANIFEST, manifest)
    return files


# --------------------------------------------------------------------------- reading


@dataclass
class RunFolder:
    """A run folder as read back."""

    path: Path
    ticks: pd.DataFrame
    scenario: dict[str, Any]
    summary: dict[str, Any]
    regions: pd.DataFrame | None = None
    schema_version: int = SCHEMA_VERSION
    files: list[str] = field(default_factory=list)


def check_run_folder(path: str | Path) -> dict:
    """The manifest of a finished run folder of this schema version; else a one-line error."""
    root = Path(path)
    if not root.is_dir():
        raise UserError(f"{root}: no such run directory; pass the folder `centrehold run` wrote")
    manifest = read_manifest(root)
    if manifest is None:
        raise UserError(f"{root} has no {MANIFEST} of a centrehold run; rerun centrehold run "
                        f"--out {root}")
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        found = ("no schema version (written before they existed)" if version is None
                 else f"schema version {version}")
        raise UserError(f"{root} is a run folder of {found}, this centrehold reads version "
                        f"{SCHEMA_VERSION}; rerun centrehold run --out {root}")
    if not manifest.get("complete"):
        raise UserError(f"{root} holds a run that did not finish; rerun centrehold run "
                        f"--out {root}")
    missing = [f for f in REQUIRED if not (root / f).is_file()]
    if missing:
        raise UserError(f"{root} has no {missing[0]}; rerun centrehold run --out {root}")
    return manifest


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise UserError(f"{path}: not valid JSON ({exc}); rerun to rewrite it") from None


def read_run_folder(path: str | Path) -> RunFolder:
    """Read a finished run folder (this schema version only)."""
    import pandas as pd

    root = Path(path)
    manifest = check_run_folder(root)
    try:
        ticks = pd.read_parquet(root / TICKS)
        regions = pd.read_csv(root / REGIONS) if (root / REGIONS).is_file() else None
    except (OSError, ValueError) as exc:
        raise UserError(f"{root / TICKS}: cannot read it ({exc}); rerun") from None
    scenario = _json(root / SCENARIO)
    if isinstance(scenario, dict) and isinstance(scenario.get("params"), dict):
        scenario = scenario["params"]
    return RunFolder(root, ticks, scenario if isinstance(scenario, dict) else {},
                     _json(root / SUMMARY), regions, int(manifest["schema_version"]),
                     list(manifest.get("files", [])))
