"""`centrehold compare`: bad input gives one line and exit code 2, never a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from centrehold.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(
    "args,needle",
    [
        (["no-such-scenario"], "no-such-scenario"),
        (["epstein-1"], "regional"),
        (["--budget", "0"], "--budget"),
        (["--population", "1"], "--population"),
        (["--tick", "month"], "--tick"),
        (["--set", "nonsense"], "key=value"),
        (["--workers", "0"], "--workers"),
    ],
)
def test_bad_input_is_one_line(tmp_path, args, needle):
    res = runner.invoke(app, ["compare", *args, "--out", str(tmp_path / "o"), "--quiet"])
    assert res.exit_code == 2, res.output
    text = res.output.strip()
    assert "Traceback" not in text
    assert len(text.splitlines()) == 1, text
    assert needle in text


def test_resume_without_a_history_is_one_line(tmp_path):
    res = runner.invoke(app, ["compare", "--resume", "--out", str(tmp_path / "empty"), "--quiet"])
    assert res.exit_code == 2, res.output
    assert "resume" in res.output and len(res.output.strip().splitlines()) == 1
