"""`centrehold data`: bring a real record in (import an event file, fetch UCDP GED).

Every user mistake arrives as a `UserError` and leaves as one red line on stderr with
exit code 2, never a traceback (CENTREHOLD_DEBUG=1 shows tracebacks of real bugs).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer

from centrehold.errors import UserError

EXIT_USER_ERROR = 2
EXIT_BUG = 1


class Format(StrEnum):
    ibc = "ibc"
    ibc_province = "ibc-province"
    ged = "ged"
    acled = "acled"


class Dataset(StrEnum):
    ged = "ged"


@contextmanager
def _user_errors() -> Iterator[None]:
    try:
        yield
    except UserError as exc:
        typer.secho(f"error: {' '.join(str(exc).split())}", fg="red", err=True)
        raise typer.Exit(EXIT_USER_ERROR) from None
    except (typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt:
        typer.secho("interrupted", fg="red", err=True)
        raise typer.Exit(130) from None
    except Exception as exc:
        if os.environ.get("CENTREHOLD_DEBUG"):
            raise
        first = " ".join(str(exc).split())[:300]
        typer.secho(
            f"internal error: {type(exc).__name__}: {first} "
            "(a bug in centrehold; rerun with CENTREHOLD_DEBUG=1 for the traceback)",
            fg="red",
            err=True,
        )
        raise typer.Exit(EXIT_BUG) from None


def import_command(
    path: Path = typer.Argument(..., help="Event file: IBC export, coded IBC, UCDP GED or ACLED."),
    format: Format = typer.Option(
        None, "--format", help="Layout of the file.", show_default="detected from the header"
    ),
    out: Path = typer.Option(
        None, "--out", help="Parquet file for the region x month table.",
        show_default="<file stem>.parquet in the current folder",
    ),
    aliases: Path = typer.Option(
        None, "--aliases", help="CSV alias,region[,name] mapping admin names to region codes.",
        show_default="Iraq's 18 governorates",
    ),
    country: str = typer.Option(None, "--country", help="Keep one country (GED, ACLED)."),
    encoding: str = typer.Option("utf-8", "--encoding", help="Text encoding of the file."),
    show_all: bool = typer.Option(False, "--all", help="List every malformed row and name."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Read an event file, map its admin names to regions, store region x month as Parquet."""
    from centrehold.record.aggregate import import_record, write_table
    from centrehold.record.names import load_region_map

    with _user_errors():
        region_map = load_region_map(aliases) if aliases is not None else None
        _events, table, report = import_record(
            path,
            format.value if format is not None else None,
            region_map=region_map,
            country=country,
            encoding=encoding,
        )
        target = out if out is not None else Path(f"{path.name.split('.')[0]}.parquet")
        write_table(table, report, target)
        if as_json:
            typer.echo(json.dumps({**report.to_dict(), "out": str(target), "rows": len(table)}))
            return
        for line in report.lines(max_listed=10**9 if show_all else 20):
            typer.echo(line)
        typer.echo(f"written to {target}: {len(table)} rows ({', '.join(table.columns)})")


def fetch_command(
    dataset: Dataset = typer.Argument(..., help="What to fetch (ged: UCDP GED, CC BY 4.0)."),
    version: str = typer.Option("25.1", "--version", help="GED version, e.g. 25.1."),
    url: str = typer.Option(None, "--url", help="Download from here instead.",
                            show_default="UCDP's public address for --version"),
    cache: Path = typer.Option(None, "--cache", help="Cache folder.",
                               show_default="~/.cache/centrehold/ged"),
    sha256: str = typer.Option(None, "--sha256", help="Expected SHA-256 of the file."),
) -> None:
    """Download a public event dataset once into a cache, with its SHA-256 recorded."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from centrehold.record.fetch import fetch_ged

    with _user_errors():
        console = Console(stderr=True)
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                   TransferSpeedColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(f"UCDP GED {version}", total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total or None)

            result = fetch_ged(version, url=url, cache=cache, expected_sha256=sha256,
                               progress=update)
        state = "already in the cache" if result.from_cache else f"downloaded from {result.url}"
        typer.echo(f"{result.path} ({state})")
        typer.echo(f"sha256 {result.sha256}")
        typer.echo(f"next: centrehold data import {result.path} --format ged --country <name>")


def register(app: typer.Typer) -> None:
    """Add the `data` command group (`import`, `fetch`) to the centrehold app."""
    data_app = typer.Typer(
        name="data", help="Bring in a real record: import event files, fetch UCDP GED.",
        no_args_is_help=True,
    )
    data_app.command("import")(import_command)
    data_app.command("fetch")(fetch_command)
    app.add_typer(data_app, name="data")
