"""`centrehold compare`: weigh a scenario's hypotheses against the record, in minutes.

Runs at a small scale by default (one agent per 10,000 people, a tick a week) so
the whole weighing (pilot, ABC-SMC, posterior predictive) fits in a few minutes on
two cores; `--scale`, `--tick` and `--budget` buy fidelity with time.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from centrehold.cli.run import user_errors
from centrehold.errors import UserError
from centrehold.extras import require

RATING_STYLE = {"CC": "bold green", "C": "green", "N": "white", "I": "yellow", "II": "bold red",
                "NA": "dim"}


def _parse_sets(values: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        if "=" not in item:
            raise UserError(
                f"--set {item!r} is not key=value; write it like --set revenge.radius=2"
            )
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _print_result(result, console) -> None:
    from rich.table import Table

    from centrehold.infer.ach import wide

    post = Table(title="Posterior over the hypotheses (ABC-SMC)")
    for col in ("hypothesis", "probability", "alive", "particles", "ACH inconsistency",
                "separability", "predictive from"):
        post.add_column(col, justify="right" if col in ("probability", "particles") else "left")
    for row in result.posterior.itertuples(index=False):
        post.add_row(row.hypothesis, f"{row.probability:.3f}", "yes" if row.alive else "died out",
                     str(row.particles), f"{row.ach_inconsistency:.0f}",
                     f"{row.separability:.2f}", row.predictive_from)
    console.print(post)

    ratings = wide(result.ach, "rating")
    diag = result.diagnosticity.set_index("item")
    mat = Table(title="Simulated ACH matrix (rating of the observed statistic; items by "
                      "diagnosticity)")
    mat.add_column("evidence item")
    for h in ratings.columns:
        mat.add_column(h, justify="center")
    mat.add_column("diagnosticity", justify="right")
    for item, row in ratings.iterrows():
        d = diag.loc[item]
        cells = [f"[{RATING_STYLE.get(r, '')}]{r}[/]" for r in row]
        label = item if d["separates"] else f"{item} [dim](separates nothing)[/]"
        mat.add_row(label, *cells, f"{d['diagnosticity']:.0f}")
    console.print(mat)

    fc = Table(title="Out-of-sample check: mean CRPS of monthly deaths by governorate "
                     "(lower is better)")
    for col in ("forecaster", "mean CRPS", "skill vs best baseline"):
        fc.add_column(col)
    for row in result.forecast_summary.itertuples(index=False):
        fc.add_row(row.forecaster, f"{row.mean_crps:.1f}", f"{row.skill_vs_best_baseline:+.2f}")
    console.print(fc)


def compare_command(
    scenario: str = typer.Argument("iraq-2009", help="built-in scenario name or YAML path"),
    budget: int = typer.Option(1200, "--budget", help="simulations in the ABC-SMC generations"),
    workers: int = typer.Option(2, "--workers", help="local worker processes"),
    out: Path = typer.Option(Path("out/compare"), "--out", help="output directory"),
    resume: bool = typer.Option(False, "--resume", help="continue the history in --out"),
    seed: int = typer.Option(0, "--seed", help="root seed: same seed, same result"),
    population: int = typer.Option(60, "--population", help="particles per generation"),
    pilot: int = typer.Option(140, "--pilot",
                              help="prior draws that set the distance's scales and weights"),
    predictive: int = typer.Option(20, "--predictive",
                                   help="posterior-predictive runs per hypothesis"),
    scale: int = typer.Option(10_000, "--scale", help="people per agent"),
    tick: str = typer.Option("week", "--tick", help="day or week"),
    sets: list[str] = typer.Option(None, "--set", help="scenario override key=value"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
    report: bool = typer.Option(False, "--report", help="also write report.html in --out"),
    scheduler: str | None = typer.Option(
        None, "--scheduler",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (same result)",
    ),
) -> None:
    """Weigh the hypotheses: posterior probabilities, ACH matrix, out-of-sample forecast."""
    with user_errors():
        require("infer", "pyabc", "cloudpickle", command="centrehold compare")
        from rich.console import Console

        from centrehold.scenario import load_scenario

        if budget < 1:
            raise UserError(f"--budget {budget} must be positive; try --budget 1200")
        if population < 2:
            raise UserError(f"--population {population} is too small; use 20 or more")
        if pilot < 2 * 7:
            raise UserError(f"--pilot {pilot} is too small to scale the distance; use 70 or more")
        if predictive < 2:
            raise UserError(f"--predictive {predictive} is too small; use 10 or more")
        if workers < 1:
            raise UserError(f"--workers {workers} must be at least 1")
        if tick not in ("day", "week"):
            raise UserError(f"--tick {tick!r} is not day or week; pass --tick week")
        overrides = {"people_per_agent": str(scale), "calendar.tick": tick, **_parse_sets(sets)}
        base = load_scenario(scenario)
        if getattr(base, "model", "") != "regional":
            raise UserError(
                f"scenario {base.name} is a {base.model} model without hypotheses; "
                "compare needs a regional scenario such as iraq-2009"
            )
        sc = load_scenario(scenario, overrides)
        console = Console()
        err = Console(stderr=True)
        t0 = time.perf_counter()
        executor = None
        if scheduler is not None:
            from centrehold.runs import get_executor

            # every simulation carries its own seed, so the cluster changes the wall
            # time and nothing else
            executor = get_executor("dask", workers=workers, scheduler=scheduler)
        kw = dict(budget=budget, population=population, pilot=pilot, predictive=predictive,
                  workers=workers, seed=seed, resume=resume, executor=executor)
        try:
            _compare(sc, out, kw, quiet, err, console, t0)
        finally:
            if executor is not None:
                executor.close()
        if report:  # after every output is written: a failing report loses nothing computed
            from centrehold.report import build_report

            console.print(f"report: {build_report(out).html}")


def _compare(sc, out, kw, quiet, err, console, t0) -> None:
    """Run with a progress bar on a terminal (plain otherwise) and print the tables."""
    from centrehold.infer.simulated import run_compare

    if quiet or not err.is_terminal:
        result = run_compare(sc, out, **kw)
    else:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        with Progress(TextColumn("[bold]compare"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("simulations"), TimeElapsedColumn(), console=err) as bar:
            task = bar.add_task("compare", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            result = run_compare(sc, out, progress=progress, **kw)
    _print_result(result, console)
    console.print(
        f"{result.calibration.n_simulations} ABC simulations, "
        f"{len(result.calibration.epsilons)} generations, "
        f"{time.perf_counter() - t0:.0f} s; outputs in {out}"
    )


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_command)
