"""The README's five-minute tour, command by command, through the installed `centrehold`.

The commands are read from the README's tour section, so the test fails when the README
drifts from what the tool does. Each runs in a short form (few ticks, a tiny compare
budget); `serve` is started, probed and stopped. `CENTREHOLD_TOUR_BIN` may name the `bin`
folder of another environment (e.g. one built by `make run` alone) to run the tour there.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("CENTREHOLD_TOUR_BIN", Path(sys.executable).parent))
CENTREHOLD = str(BIN / "centrehold")
SHORT = {  # what each command gains to run in seconds rather than minutes
    "run": ["--ticks", "30", "--set", "people_per_agent=10000"],
    "compare": ["--budget", "66", "--population", "3", "--pilot", "14", "--predictive", "2",
                "--workers", "1", "--quiet"],
}


def tour_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## [^\n]*tour[^\n]*\n(.*?)(?=^## )", text, flags=re.S | re.M | re.I)
    assert match, "README.md has no tour section (a '## ... tour' heading)"
    return match.group(1)


def tour_steps() -> list[tuple[str, str, str | None]]:
    """(kind, text, expected error line) in README order: 'sh' commands from code blocks
    (with the error line the README shows after them, if any), inline `centrehold ...`
    commands from the prose, and 'python' snippets."""
    section = tour_section()
    steps: list[tuple[int, str, str, str | None]] = []
    for m in re.finditer(r"```(\w*)\n(.*?)```", section, flags=re.S):
        lang, body = m.group(1), m.group(2)
        if lang == "python":
            steps.append((m.start(), "python", body, None))
            continue
        lines = body.splitlines()
        for i, line in enumerate(lines):
            if line.startswith("$ centrehold "):
                after = lines[i + 1] if i + 1 < len(lines) else ""
                steps.append((m.start(), "sh", line[2:].split("  #")[0].strip(),
                              after if after.startswith("error:") else None))
    prose = re.sub(r"```.*?```", lambda m: " " * len(m.group(0)), section, flags=re.S)
    for m in re.finditer(r"`(centrehold [^`]+)`", prose):
        steps.append((m.start(), "sh", m.group(1), None))
    return [s[1:] for s in sorted(steps, key=lambda s: s[0])]


def shortened(args: list[str]) -> list[str]:
    command = args[0]
    if command == "run":
        kept, skip = [], False
        for a in args:
            if skip:
                skip = False
            elif a == "--ticks":
                skip = True
            else:
                kept.append(a)
        extra = SHORT["run"] if "epstein" not in " ".join(args) else ["--ticks", "30"]
        return kept + extra
    return args + SHORT.get(command, [])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_and_probe(args: list[str], cwd: Path) -> None:
    port = free_port()
    proc = subprocess.Popen([CENTREHOLD, *args, "--port", str(port)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while True:
            assert proc.poll() is None, f"serve ended: {proc.communicate()[1][-500:]}"
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
                break
            except httpx.TransportError:
                assert time.time() < deadline, "serve did not answer within 60 s"
                time.sleep(0.2)
        assert r.status_code == 200 and r.json()["status"] == "ok"
        page = httpx.get(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.status_code == 200 and "centrehold" in page.text
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out
    assert "Traceback" not in err


def test_the_tour_has_every_command():
    commands = [shlex.split(text)[1] for kind, text, _ in tour_steps() if kind == "sh"]
    assert {"scenarios", "run", "compare", "report", "serve"} <= set(commands), commands


def test_the_readme_tour_runs(tmp_path: Path):
    env = {**os.environ, "MPLBACKEND": "Agg", "NO_COLOR": "1"}
    done = []
    for kind, text, error in tour_steps():
        if kind == "python":
            proc = subprocess.run([str(BIN / "python"), "-c", text], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, f"README python snippet failed: {proc.stderr[-800:]}"
            continue
        args = shlex.split(text)[1:]
        if args[0] == "serve":
            serve_and_probe(args, tmp_path)
            done.append("serve")
            continue
        proc = subprocess.run([CENTREHOLD, *shortened(args)], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        where = f"README tour: `{text}`"
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, where
        if error is not None:  # the README shows this mistake and its one-line answer
            assert proc.returncode == 2, where
            assert proc.stderr.strip() == error, f"{where}: README shows {error!r}"
        else:
            assert proc.returncode == 0, f"{where}: {proc.stderr[-800:]}"
        done.append(args[0])
    assert {"scenarios", "run", "compare", "report", "serve"} <= set(done)
    assert (tmp_path / "out" / "tour" / "ticks.parquet").is_file()
    assert (tmp_path / "out" / "compare" / "report.html").is_file()
    # each folder reads back through the module that owns its format, with its settings
    from centrehold.infer.folder import read_settings
    from centrehold.runs.folder import read_run_folder

    settings = read_settings(tmp_path / "out" / "compare")
    assert (settings.people_per_agent, settings.tick) == (10000, "week")
    assert settings.overrides["calendar.tick"] == "week"
    assert settings.budget == int(SHORT["compare"][1])
    assert read_run_folder(tmp_path / "out" / "tour").scenario["name"] == "epstein-1"


@pytest.mark.parametrize("argv, extra, module", [
    (["serve", "--port", "1"], "web", "uvicorn"),
    (["serve", "--port", "1"], "web", "fastapi"),
    (["compare", "--budget", "5"], "infer", "pyabc"),
    (["compare", "--budget", "5"], "infer", "cloudpickle"),
    (["sweep", "epstein-1", "--param", "legitimacy=0.5:0.9", "--out", "s"], "infer",
     "SALib"),
])
def test_a_missing_extra_is_named_in_one_line(tmp_path: Path, argv, extra, module):
    """As if installed without the extra: the module cannot be imported."""
    code = (f"import sys; sys.modules[{module!r}] = None; "
            "from centrehold.cli.main import main; "
            f"sys.argv = ['centrehold', *{argv!r}]; main()")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2, proc.stderr[-500:]
    assert len(lines) == 1, lines
    assert f"pip install 'centrehold[{extra}]'" in lines[0] and module in lines[0]
