"""`centrehold serve`: the dashboard and its JSON API on this machine."""

from __future__ import annotations

from pathlib import Path

import typer


def access(host: str, port: int, token: str | None,
           allow_hosts: list[str]) -> tuple[frozenset[str], str | None, str]:
    """The Host names served, the token (generated when bound beyond loopback and none is
    given) and the address to open."""
    import socket

    from centrehold.web.guard import WILDCARD_BINDS, allowed_hosts, is_loopback, new_token

    if token is None and not is_loopback(host):
        token = new_token()
    shown = socket.gethostname() if host in WILDCARD_BINDS else host  # an address to open
    shown = f"[{shown}]" if ":" in shown else shown
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    return allowed_hosts(host, allow_hosts), token, url


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to bind; the default keeps the "
                             "server private to this machine. Beyond loopback a token is "
                             "required (generated and printed unless --token is given)."),
    port: int = typer.Option(8000, min=1, max=65535, help="TCP port."),
    token: str | None = typer.Option(None, envvar="CENTREHOLD_TOKEN",
                                     help="Access token the page and API clients must send."),
    allow_host: list[str] = typer.Option(None, "--allow-host", help="Another host name the "
                                         "server answers to (repeatable); loopback names and "
                                         "--host are always allowed."),
    max_agents: int = typer.Option(200_000, min=1, help="Largest run accepted, in agents."),
    max_ticks: int = typer.Option(5_000, min=1, help="Longest run accepted, in ticks."),
    max_concurrent: int = typer.Option(2, min=1, help="Runs executing at once."),
    max_queued: int = typer.Option(4, min=0, help="Runs waiting beyond those executing."),
    max_reports: int = typer.Option(1, min=1, help="HTML reports built at once (each in "
                                    "its own worker process)."),
    keep_runs: int = typer.Option(50, min=1, help="Runs kept (in memory and, with "
                                  "--runs-dir, on disk); the oldest go first."),
    compare_dir: Path | None = typer.Option(None, help="A `centrehold compare` output folder "
                                            "to show under 'Compare hypotheses'."),
    compare_root: Path = typer.Option(Path("out"), help="Folder searched (two levels down) "
                                      "for compare outputs the page can choose from."),
    runs_dir: Path | None = typer.Option(None, help="Keep each run's folder here (enables "
                                         "the HTML report link)."),
) -> None:
    """Serve the dashboard: pick a scenario and a hypothesis, run it, watch the charts."""
    from centrehold.cli.run import user_errors
    from centrehold.errors import UserError
    from centrehold.extras import require

    with user_errors():
        require("web", "fastapi", "uvicorn", command="centrehold serve")
        import uvicorn

        from centrehold.web.app import Limits, create_app

        if compare_dir is not None and not compare_dir.is_dir():
            raise UserError(f"--compare-dir {compare_dir}: no such folder; pass the folder "
                            "`centrehold compare` wrote")
        if token is not None and len(token) < 16:
            raise UserError("--token is too short to keep anyone out; use 16 or more "
                            "characters, or leave it out to have one generated")
        if runs_dir is not None:
            runs_dir.mkdir(parents=True, exist_ok=True)
        hosts, token, url = access(host, port, token, allow_host or [])
        app = create_app(Limits(max_agents=max_agents, max_ticks=max_ticks,
                                max_concurrent=max_concurrent, max_queued=max_queued,
                                max_reports=max_reports, keep_runs=keep_runs),
                         compare_dir=compare_dir, runs_dir=runs_dir, hosts=hosts, token=token,
                         compare_root=compare_root.resolve())
        typer.echo(f"centrehold dashboard on {url} (Ctrl-C to stop)")
        uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
