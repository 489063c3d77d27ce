"""Usage mistakes caught by the option parser itself still get one line and exit code 2.

These go through the installed entry point, because the one-line handling lives in
`centrehold.cli.main.main`, not in the typer app that in-process runners call.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CENTREHOLD = str(Path(sys.executable).parent / "centrehold")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["run", "--ticks", "0"], "--ticks"),
        (["run", "--ticks", "many"], "--ticks"),
        (["run", "--schedule", "sideways"], "--schedule"),
        (["run", "--no-such-option"], "--no-such-option"),
        (["no-such-command"], "no-such-command"),
    ],
)
def test_parser_errors_are_one_line(args: list[str], needle: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [CENTREHOLD, *args], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert needle in lines[0]
    assert "--help" in lines[0]
    assert "Traceback" not in done.stderr
    assert not any(tmp_path.iterdir()), "a refused command must write nothing"


def test_bare_command_prints_help_and_succeeds(tmp_path: Path) -> None:
    done = subprocess.run([CENTREHOLD], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    assert "Usage" in done.stdout + done.stderr
