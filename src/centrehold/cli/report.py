"""`centrehold report RUN_DIR`: the self-contained HTML report and PNG figures of a run."""

from __future__ import annotations

from pathlib import Path

import typer


def report(
    run_dir: Path = typer.Argument(..., help="A run, ensemble or compare output folder."),
    out: Path | None = typer.Option(None, "--out", help="HTML file to write "
                                    "(default: RUN_DIR/report.html)."),
) -> None:
    """Write an HTML report (works offline) and PNG figures for a finished run."""
    from rich.console import Console
    from rich.progress import Progress

    from centrehold.cli.run import user_errors
    from centrehold.report import build_report

    with user_errors():
        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("report", total=None)
            rep = build_report(run_dir, out,
                               progress=lambda d, t: bar.update(task, completed=d, total=t))
    typer.echo(str(rep.html))
    for p in rep.figures:
        typer.echo(str(p))


def register(app: typer.Typer) -> None:
    app.command("report")(report)
