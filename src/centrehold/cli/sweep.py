"""`centrehold sweep`: a sensitivity design over scenario fields, run anywhere, resumable."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from centrehold.errors import UserError
from centrehold.extras import require


@contextmanager
def _progress_bar(label: str) -> Iterator:
    """A rich bar on stderr (done/total, rate, time left), fed by the progress callback."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    class _Rate(TextColumn):
        def __init__(self) -> None:
            super().__init__("")

        def render(self, task):  # type: ignore[override]
            from rich.text import Text

            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:.1f} tasks/s", style="cyan")

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
        transient=True,  # an error then stays the only line on stderr
    )
    tid = bar.add_task(label, total=None)

    def progress(done: int, total: int) -> None:
        bar.update(tid, completed=done, total=total)

    with bar:
        yield progress


def sweep(
    scenario: str = typer.Argument(..., help="Built-in scenario name or path to a YAML file."),
    param: list[str] = typer.Option(
        ..., "--param", "-p", help="NAME=LOW:HIGH; repeat for each swept field (dotted if nested)."
    ),
    method: str = typer.Option("sobol", help="grid, sobol or morris."),
    samples: int = typer.Option(
        8, help="grid: levels per parameter; sobol: base samples (power of 2); "
        "morris: trajectories."
    ),
    replicates: int = typer.Option(1, min=1, help="Runs per design point, each with its own seed."),
    workers: int = typer.Option(1, min=1, help="1: in this process; N>1: a local Dask cluster."),
    scheduler: str | None = typer.Option(
        None, help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786."
    ),
    executor: str = typer.Option(
        "auto", help="auto, inprocess, processes or dask (auto: dask if --workers > 1)."
    ),
    out: Path = typer.Option(..., "--out", "-o", help="Run directory to create (or resume)."),
    resume: bool = typer.Option(False, "--resume", help="Finish the run already in --out."),
    seed: int = typer.Option(0, min=0, help="Root seed for every task's seed and the design."),
    ticks: int | None = typer.Option(None, min=1, help="Ticks per run (default: scenario's)."),
    set_: list[str] = typer.Option(
        [], "--set", help="Fixed override key=value applied to every run; repeatable."
    ),
    output: str = typer.Option(
        "mean_active", help="Output whose sensitivity indices are computed."
    ),
    keep_series: bool = typer.Option(
        False, "--keep-series", help="Also store every run's per-tick counts (series.parquet)."
    ),
    report: bool = typer.Option(
        False, "--report", help="Also write report.html in --out (implies --keep-series)."
    ),
) -> None:
    """Sweep scenario parameters and compute sensitivity indices with confidence intervals."""
    try:
        if method in ("sobol", "morris"):
            require("infer", "SALib", command=f"centrehold sweep --method {method}")
        _sweep(scenario, param, method, samples, replicates, workers, scheduler, executor,
               out, resume, seed, ticks, set_, output, keep_series or report)
        if report:  # the sweep's files are complete: a failing report loses nothing computed
            from centrehold.report import build_report

            typer.echo(f"report: {build_report(out).html}", err=True)
    except UserError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo("interrupted; run again with --resume to finish", err=True)
        raise typer.Exit(130) from None


def _sweep(scenario, param, method, samples, replicates, workers, scheduler, executor, out,
           resume, seed, ticks, set_, output, keep_series) -> None:
    from centrehold.runs.ensemble import run_digest
    from centrehold.runs.executors import get_executor
    from centrehold.runs.sensitivity import parse_param
    from centrehold.runs.store import check_dir
    from centrehold.runs.sweep import check_params, plan_sweep, run_sweep
    from centrehold.scenario import parse_overrides

    params = [parse_param(p) for p in param]
    overrides = parse_overrides(set_)
    if executor not in ("auto", "inprocess", "processes", "dask"):
        raise UserError(f"unknown --executor {executor!r}; use auto, inprocess, processes or dask")
    params = check_params(scenario, params, overrides)
    # everything that can be refused is refused before workers start
    spec, meta, _ = plan_sweep(scenario, params, method, samples, replicates, seed, ticks,
                               overrides, output, keep_series)
    check_dir(out, run_digest(spec, meta), resume)
    kind = executor
    if kind == "auto":
        kind = "dask" if (workers > 1 or scheduler) else "inprocess"
    ex = get_executor(kind, workers=workers, scheduler=scheduler)
    t0 = time.monotonic()
    try:
        with _progress_bar(f"sweep {scenario}") as progress:
            res = run_sweep(
                scenario, params, out, method=method, samples=samples, replicates=replicates,
                root_seed=seed, ticks=ticks, overrides=overrides, output=output, executor=ex,
                resume=resume, progress=progress, validate=False, keep_series=keep_series,
            )
    finally:
        ex.close()
    show = res.indices[res.indices["index"].isin(["S1", "ST", "mu_star"])]
    for _, r in show.iterrows():
        print(f"{r['param']:>24s}  {r['index']:<8s} {r['value']:8.3f} ± {r['conf']:.3f}",
              file=sys.stdout)
    wall = time.monotonic() - t0
    typer.echo(f"{len(res.table)} runs in {wall:.1f}s ({ex.kind}, {ex.workers} worker(s)) -> "
               f"{out / 'results.parquet'}, {out / 'indices.csv'}, {out / 'indices.png'}",
               err=True)


def register(app: typer.Typer) -> None:
    app.command("sweep")(sweep)
