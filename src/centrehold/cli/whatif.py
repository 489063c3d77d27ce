"""`centrehold whatif`: posterior-weighted counterfactuals from a finished compare folder."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from centrehold.cli.progress import with_progress
from centrehold.cli.run import user_errors
from centrehold.errors import UserError


def _print_summary(summary, settings, console) -> None:
    """Case, difference over the period with its 90% band, relative change: under 80 columns."""
    from rich.table import Table

    from centrehold.infer.whatif import CAVEAT, PERIOD

    table = Table(title=f"What-ifs: deaths {PERIOD[0]}..{PERIOD[1]}, case minus baseline",
                  title_style="bold")
    for col, just in (("case", "left"), ("baseline", "right"), ("difference", "right"),
                      ("90% band", "right"), ("relative", "right")):
        table.add_column(col, justify=just, no_wrap=True)
    for row in summary.itertuples(index=False):
        rel = "-" if row.relative_median != row.relative_median else f"{row.relative_median:+.0%}"
        table.add_row(row.case, f"{row.baseline_median:,.0f}", f"{row.difference_median:+,.0f}",
                      f"{row.difference_low:+,.0f} .. {row.difference_high:+,.0f}", rel)
    console.print(table)
    hyps = ", ".join(f"{h} {p:.2f}" for h, p in settings["hypotheses"].items())
    console.print(f"[dim]{settings['draws']} paired draws from {hyps}; medians and "
                  "5%-95% over draws[/]")
    console.print(f"[dim]{CAVEAT}[/]")


def whatif_command(
    compare_dir: Path = typer.Argument(..., help="a finished `centrehold compare --out` folder"),
    case: list[str] = typer.Option(None, "--case",
                                   help="a counterfactual; repeat for several (see docs)"),
    scenario: str | None = typer.Option(
        None, "--scenario", help="the scenario compare weighed (default: from settings.json)"),
    draws: int = typer.Option(40, "--draws", help="posterior draws, each run twice"),
    seed: int = typer.Option(0, "--seed", help="root seed: same seed, same result"),
    workers: int = typer.Option(2, "--workers", help="local worker processes"),
    out: Path | None = typer.Option(
        None, "--out", help="output folder (default: COMPARE_DIR/whatif, read by its report)"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
) -> None:
    """Posterior-weighted counterfactuals: each draw run as fitted and with the case, same seed."""
    with user_errors():
        from rich.console import Console

        from centrehold.infer.whatif import resolve_cases, run_whatif

        if draws < 1:
            raise UserError(f"--draws {draws} must be at least 1; try --draws 40")
        if workers < 1:
            raise UserError(f"--workers {workers} must be at least 1")
        resolve_cases(case or [])
        out = out if out is not None else compare_dir / "whatif"
        console = Console()
        err = Console(stderr=True)
        t0 = time.perf_counter()
        kw = dict(scenario=scenario, draws=draws, seed=seed, workers=workers,
                  warn=lambda text: err.print(f"[yellow]warning: {text}[/]", soft_wrap=True))
        result = with_progress(
            lambda **p: run_whatif(compare_dir, case, out, **p, **kw), err, "whatif", "draws",
            quiet, transient=True)
        _print_summary(result.summary, result.settings, console)
        console.print(f"{draws} draws x {len(result.summary) + 1} runs, "
                      f"{time.perf_counter() - t0:.0f} s; outputs in {out}")


def register(app: typer.Typer) -> None:
    app.command("whatif")(whatif_command)
