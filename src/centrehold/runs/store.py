"""The run directory: a manifest, one result file per task, atomic writes, checks.

Layout::

    OUT/manifest.json            spec, its digest, package versions, seeds, status per task
    OUT/tasks/000012.parquet     task 12's labelled outputs (one row)
    OUT/tasks/000012.series.parquet   its per-tick series (only with keep_series)
    OUT/tasks/000012.done        written last: size and SHA-256 of the files above
    OUT/results.parquet          every task's row, in task order
    OUT/series.parquet           every task's series (only with keep_series)

A task counts as done only if its ``.done`` marker parses and every file it lists
has the recorded size and checksum; anything else is recomputed, never read. Every
file is written to a temporary name in its own folder, fsynced, then renamed, so a
SIGKILL leaves either the old file, the new file, or a stray temporary.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import tempfile
import time
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from centrehold.errors import UserError

MANIFEST = "manifest.json"
TASKS = "tasks"
FORMAT = "centrehold-run/1"

_VERSIONED = (
    "centrehold", "numpy", "numba", "pandas", "pyarrow", "xarray", "pydantic",
    "dask", "distributed", "SALib",
)


def package_versions() -> dict[str, str]:
    """Versions that decide whether results can be expected to match bit for bit."""
    out = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one.

    The file is fsynced before the rename; the folder is not (one fsync fewer per
    file): a rename lost to a power cut leaves a marker that no longer matches its
    data, and the checksum check sends that task back to be recomputed.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode())


def parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def row_parquet_bytes(row: dict[str, Any]) -> bytes:
    """One labelled row as Parquet, through pyarrow directly (pandas adds ~20 ms a file)."""
    table = pa.Table.from_pylist([row])
    buf = pa.BufferOutputStream()
    pq.write_table(table, buf)
    return buf.getvalue().to_pybytes()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def task_stem(index: int) -> str:
    return f"{index:06d}"


def write_task(
    out: Path, index: int, row: dict[str, Any], series: pd.DataFrame | None, info: dict[str, Any]
) -> None:
    """Data files first, the marker last: a marker vouches for files already on disk."""
    tdir = Path(out) / TASKS
    stem = task_stem(index)
    files: dict[str, dict[str, Any]] = {}
    parts = [(f"{stem}.parquet", row_parquet_bytes(row))]
    if series is not None:
        parts.append((f"{stem}.series.parquet", parquet_bytes(series)))
    for name, data in parts:
        atomic_write_bytes(tdir / name, data)
        files[name] = {"size": len(data), "sha256": _digest(data)}
    marker = {"task": index, "files": files, **info}
    atomic_write_json(tdir / f"{stem}.done", marker)


def task_done(out: Path, index: int) -> bool:
    """True only if the marker is whole and every file it lists matches size and checksum."""
    tdir = Path(out) / TASKS
    marker = tdir / f"{task_stem(index)}.done"
    try:
        info = json.loads(marker.read_text())
        files = info["files"]
        if info.get("task") != index or not files:
            return False
        for name, meta in files.items():
            p = tdir / name
            if p.stat().st_size != meta["size"]:
                return False
            if _digest(p.read_bytes()) != meta["sha256"]:
                return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def read_task(out: Path, index: int, series: bool = False) -> pa.Table:
    name = f"{task_stem(index)}.series.parquet" if series else f"{task_stem(index)}.parquet"
    return pq.read_table(Path(out) / TASKS / name)


def remove_strays(out: Path) -> None:
    """Temporaries left by a killed writer are never read; clear them so they do not pile up."""
    tdir = Path(out) / TASKS
    for p in list(tdir.glob(".*.tmp")) + list(Path(out).glob(".*.tmp")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


def read_manifest(out: Path) -> dict[str, Any] | None:
    path = Path(out) / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError as exc:
        raise UserError(
            f"{path} is not valid JSON; remove {out} or choose another --out"
        ) from exc


def check_dir(out: Path, digest: str, resume: bool) -> None:
    """Refuse to mix two runs in one folder; let a matching run be resumed. Creates nothing."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out} is a file; give a directory path")
    manifest = read_manifest(out)
    if manifest is None:
        if out.exists() and any(out.iterdir()):
            raise UserError(
                f"--out {out} is not empty and holds no centrehold run; choose another --out"
            )
        return
    if manifest.get("format") != FORMAT or manifest.get("digest") != digest:
        raise UserError(
            f"--out {out} holds another run (a different spec); "
            "use --resume with the same spec, or another --out"
        )
    if not resume:
        raise UserError(
            f"--out {out} already holds this run; pass --resume to finish it, or another --out"
        )


def prepare_dir(out: Path, digest: str, resume: bool) -> None:
    """:func:`check_dir`, then create the folders."""
    check_dir(out, digest, resume)
    try:
        (Path(out) / TASKS).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(
            f"cannot create --out {out}: {exc.strerror}; choose another folder"
        ) from None


def manifest_doc(
    spec: dict[str, Any],
    digest: str,
    tasks: Iterable[dict[str, Any]],
    done: set[int],
    meta: dict[str, Any] | None,
    started: float,
    finished: bool,
    versions: dict[str, str] | None = None,
) -> dict[str, Any]:
    rows = []
    for t in tasks:
        rows.append({**t, "status": "done" if t["task"] in done else "pending"})
    return {
        "format": FORMAT,
        "digest": digest,
        "spec": spec,
        "meta": meta or {},
        "versions": versions if versions is not None else package_versions(),
        "seed_derivation": (
            "task i: numpy.random.SeedSequence(root_seed, spawn_key=(i,))"
            ".generate_state(1, uint64)[0] >> 1"
        ),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "complete": finished,
        "n_tasks": len(rows),
        "n_done": len(done),
        "tasks": rows,
    }
