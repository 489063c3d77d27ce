"""The `centrehold` command: one typer app; each command lives in its own module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="centrehold",
    help="Agent-based models of political violence, run fast and set beside the record.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each command module exposes `register(app)`. Add one line per module here.
# --- command registrations (keep one line each) ---
from centrehold.cli import report as _report; _report.register(app)  # noqa: E402,E702,I001
from centrehold.cli import sweep as _sweep; _sweep.register(app)  # noqa: E402,E702,I001
from centrehold.cli import run as _run; _run.register(app)  # noqa: E402,E702,I001
from centrehold.cli import data as _data; _data.register(app)  # noqa: E402,E702,I001
from centrehold.cli import compare as _compare; _compare.register(app)  # noqa: E402,E702,I001
from centrehold.cli import serve as _serve; _serve.register(app)  # noqa: E402,E702,I001
from centrehold.cli import whatif as _whatif; _whatif.register(app)  # noqa: E402,E702,I001
# --- end of command registrations ---


def main() -> None:
    """Entry point: usage mistakes (a bad option, a missing value) get one line, not a box.

    typer's standalone mode draws a multi-line panel for usage errors; a person
    scripting the tool wants one line on stderr naming the problem and the fix,
    and exit code 2, like every other user mistake centrehold reports.
    """
    import sys

    try:  # typer >= 0.17 carries its own copy of click
        from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
    except ImportError:  # pragma: no cover - older typer on plain click
        from click.exceptions import ClickException, NoArgsIsHelpError, UsageError

    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError:  # the help has been printed already
        sys.exit(0)
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else "centrehold"
        message = " ".join(exc.format_message().split())
        typer.secho(f"error: {message} (see '{where} --help')", fg="red", err=True)
        sys.exit(2)
    except ClickException as exc:
        typer.secho(f"error: {' '.join(exc.format_message().split())}", fg="red", err=True)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.secho("interrupted", fg="red", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
