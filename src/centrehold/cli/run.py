"""`centrehold run` and `centrehold scenarios`: what a person types to get one run on disk.

Every user mistake arrives here as a `UserError` and leaves as one red line on
stderr with exit code 2; anything else is a bug in centrehold and is reported
as one line too (set CENTREHOLD_DEBUG=1 to see the traceback).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from centrehold.errors import UserError

EXIT_USER_ERROR = 2
EXIT_BUG = 1


class Schedule(StrEnum):
    sequential = "sequential"
    synchronous = "synchronous"
    parallel = "parallel"


def fail(message: str) -> typer.Exit:
    """Print a user mistake as one red line on stderr and return the exit to raise."""
    typer.secho(f"error: {' '.join(str(message).split())}", fg="red", err=True)
    return typer.Exit(EXIT_USER_ERROR)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn UserError (and stray bugs) into one line and an exit code, never a traceback."""
    try:
        yield
    except UserError as exc:
        raise fail(str(exc)) from None
    except (typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt:
        typer.secho("interrupted", fg="red", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:  # a bug, not the user's fault: one line, traceback on request
        if os.environ.get("CENTREHOLD_DEBUG"):
            raise
        first = " ".join(str(exc).split())[:300]
        typer.secho(
            f"internal error: {type(exc).__name__}: {first} "
            "(a bug in centrehold; rerun with CENTREHOLD_DEBUG=1 for the traceback)",
            fg="red", err=True,
        )
        raise typer.Exit(EXIT_BUG) from None


@contextmanager
def progress_bar(label: str, enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise (logs stay clean)."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("ticks"), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _stderr_is_terminal() -> bool:
    """Bars only for a person watching: logs, pipes and CI get clean output."""
    return sys.stderr.isatty()


def _human_summary(summary: dict[str, Any], out: Path) -> str:
    final = summary.get("final", {})
    counts = "  ".join(f"{k} {v}" for k, v in final.items())
    wall = summary.get("wall_seconds")
    head = (f"{summary.get('scenario')}  seed {summary.get('seed')}  {summary.get('schedule')}  "
            f"{summary.get('ticks')} ticks  {summary.get('agents')} agents"
            + (f"  {wall:.2f} s" if wall is not None else ""))
    lines = [head, f"at the end: {counts}"]
    if "final_by_group" in summary and len(summary["final_by_group"]) > 1:
        alive = {g: c.get("quiet", 0) + c.get("active", 0) + c.get("jailed", 0)
                 for g, c in summary["final_by_group"].items()}
        lines.append("living by group: " + "  ".join(f"{g} {n}" for g, n in alive.items()))
    if "peak_active" in summary:
        deaths = f"deaths {summary['total_deaths']}"
        if "people_per_agent" in summary:
            deaths += f" people (one agent stands for {summary['people_per_agent']})"
        when = f"tick {summary['peak_active_tick']}"
        if "peak_active_date" in summary:
            when += f" ({summary['peak_active_date']})"
        lines.append(f"peak active {summary['peak_active']} at {when}; "
                     f"arrests {summary['total_arrests']}; {deaths}")
    from centrehold.runs.single import few_actives_note

    note = few_actives_note(summary)
    if note:
        lines.append(note)
    lines.append(f"written to {out}/")
    return "\n".join(lines)


def run_command(
    scenario: str = typer.Argument(
        None, help="Built-in name (see `centrehold scenarios`), a .yaml path, or a run folder.",
        show_default="the built-in default",
    ),
    seed: int = typer.Option(0, "--seed", min=0, help="Random seed; same seed, same run."),
    ticks: int = typer.Option(
        None, "--ticks", min=1, help="Ticks to run.", show_default="the scenario's `ticks`"
    ),
    schedule: Schedule = typer.Option(
        Schedule.sequential, "--schedule", case_sensitive=False,
        help="sequential: one agent at a time (the reference); synchronous (Epstein): all at "
        "once; parallel (regional): regions side by side. Same seed, same run, any threads.",
    ),
    out: Path = typer.Option(
        None, "--out", help="Folder for the outputs (new, empty, or a previous run).",
        show_default="out/<scenario>-seed<N>",
    ),
    sets: list[str] = typer.Option(
        None, "--set", help="Override a field: --set legitimacy=0.7, dotted for nested fields.",
        metavar="KEY=VALUE",
    ),
    hypothesis: str = typer.Option(
        None, "--hypothesis", help="Hypothesis to run (e.g. H3), for scenarios that have them.",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print only the summary, as one JSON object on stdout."
    ),
    report: bool = typer.Option(
        False, "--report", help="Also write report.html (offline HTML with plots and map)."
    ),
) -> None:
    """Run one scenario and write its outputs (table, parameters, summary, figures) to a folder."""
    from centrehold.report.timeseries import write_run_figures
    from centrehold.runs import single
    from centrehold.scenario import DEFAULT_SCENARIO
    from centrehold.scenario.load import has_field, parse_overrides, read_scenario, validate_source

    with user_errors():
        name = scenario or DEFAULT_SCENARIO
        overrides = parse_overrides(sets)
        source = read_scenario(name)
        if hypothesis is not None:
            if not has_field(source.schema, "hypothesis"):
                raise UserError(
                    f"scenario '{name}' has no hypotheses; drop --hypothesis "
                    "(it applies to scenarios such as iraq-2009)"
                )
            if overrides.get("hypothesis", hypothesis) != hypothesis:
                raise UserError(
                    f"--hypothesis {hypothesis} and --set hypothesis={overrides['hypothesis']} "
                    "disagree; give only one"
                )
            overrides["hypothesis"] = hypothesis
        model = validate_source(source, overrides)
        out_dir = out if out is not None else Path("out") / f"{model.name}-seed{seed}"
        single.check_out_dir(out_dir)
        show_bar = _stderr_is_terminal()
        with progress_bar(f"{model.name}", show_bar) as progress:
            ds, wall = single.simulate_timed(model, seed, ticks, schedule.value, progress)
        summary = single.write_run(ds, out_dir, wall_seconds=wall)
        write_run_figures(ds, out_dir)  # after the data: a failing figure loses nothing
        if report:
            # after the run folder is complete, so a failing report loses nothing computed
            from centrehold.report import build_report

            summary["report"] = str(build_report(out_dir).html)
        if as_json:
            typer.echo(json.dumps(summary))
        else:
            typer.echo(_human_summary(summary, out_dir))


def scenarios_command() -> None:
    """List the built-in scenarios, one line each."""
    from centrehold.scenario import DEFAULT_SCENARIO, list_scenarios

    with user_errors():
        rows = list_scenarios()
        if not rows:
            raise UserError("no built-in scenarios found; reinstall centrehold (pip install -e .)")
        width = max(len(name) for name, _ in rows)
        for name, text in rows:
            mark = " (default)" if name == DEFAULT_SCENARIO else ""
            typer.echo(f"{name.ljust(width)}  {text}{mark}")


def register(app: typer.Typer) -> None:
    """Add `run` and `scenarios` to the centrehold app."""
    app.command("run")(run_command)
    app.command("scenarios")(scenarios_command)
