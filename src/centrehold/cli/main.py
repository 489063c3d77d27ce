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
from centrehold.cli import run as _run; _run.register(app)  # noqa: E402,E702,I001
from centrehold.cli import report as _report; _report.register(app)  # noqa: E402,E702,I001
from centrehold.cli import data as _data; _data.register(app)  # noqa: E402,E702,I001
from centrehold.cli import serve as _serve; _serve.register(app)  # noqa: E402,E702,I001
from centrehold.cli import sweep as _sweep; _sweep.register(app)  # noqa: E402,E702,I001
from centrehold.cli import compare as _compare; _compare.register(app)  # noqa: E402,E702,I001
# --- end of command registrations ---


def main() -> None:
    app()


if __name__ == "__main__":
    main()
