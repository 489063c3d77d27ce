"""`centrehold serve`: the dashboard and its JSON API on this machine."""

from __future__ import annotations

from pathlib import Path

import typer


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind; the default keeps the "
                             "server private to this machine."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    max_agents: int = typer.Option(200_000, min=1, help="Largest run accepted, in agents."),
    max_ticks: int = typer.Option(5_000, min=1, help="Longest run accepted, in ticks."),
    max_concurrent: int = typer.Option(2, min=1, help="Runs executing at once."),
    max_queued: int = typer.Option(4, min=0, help="Runs waiting beyond those executing."),
    compare_dir: Path | None = typer.Option(None, help="A `centrehold compare` output folder "
                                            "to show under 'Compare hypotheses'."),
    runs_dir: Path | None = typer.Option(None, help="Keep each run's folder here (enables "
                                         "the HTML report link)."),
) -> None:
    """Serve the dashboard: pick a scenario and a hypothesis, run it, watch the charts."""
    import uvicorn

    from centrehold.cli.run import user_errors
    from centrehold.errors import UserError
    from centrehold.web.app import Limits, create_app

    with user_errors():
        if compare_dir is not None and not compare_dir.is_dir():
            raise UserError(f"--compare-dir {compare_dir}: no such folder; pass the folder "
                            "`centrehold compare` wrote")
        if runs_dir is not None:
            runs_dir.mkdir(parents=True, exist_ok=True)
        if host not in ("127.0.0.1", "localhost", "::1"):
            typer.secho(f"warning: binding {host}: the dashboard has no login; anyone who can "
                        "reach this address can start runs", fg="yellow", err=True)
        app = create_app(Limits(max_agents=max_agents, max_ticks=max_ticks,
                                max_concurrent=max_concurrent, max_queued=max_queued),
                         compare_dir=compare_dir, runs_dir=runs_dir)
        typer.echo(f"centrehold dashboard on http://{host}:{port}/ (Ctrl-C to stop)")
        uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
