"""Property-based fuzzing of the built-in scenarios through the loader, and a sample through
the installed CLI.

Each case copies a built-in scenario, changes one file (see scenario_fuzz.py) and loads
it. Whatever the change, the loader either loads the scenario or raises `UserError` with
at most three lines naming the file and the fix; never another exception. Where the
change breaks a documented rule the loader must refuse it, and where it keeps every rule
it must load. The counts of cases and outcomes are printed at the end of the session.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_fuzz import (
    LOAD,
    REFUSE,
    Case,
    bytes_case,
    cell_case,
    judge,
    load_case,
    materialise,
    structure_case,
    yaml_case,
)

# derandomized: the same cases on every run, so CI is deterministic
FUZZ = settings(derandomize=True, database=None, deadline=None, print_blob=False,
                suppress_health_check=list(HealthCheck))
_serial = itertools.count()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def check(case: Case, workdir: Path, family: str) -> None:
    problems = load_case(case, workdir / f"case{next(_serial)}", family)
    assert not problems, f"{case.scenario}: {case.what} (expected: {case.expect}): {problems}"


@settings(FUZZ, max_examples=420)
@given(case=cell_case())
def test_fuzz_table_cells(case: Case, workdir: Path) -> None:
    check(case, workdir, "table cells")


@settings(FUZZ, max_examples=190)
@given(case=structure_case())
def test_fuzz_table_headers_columns_and_rows(case: Case, workdir: Path) -> None:
    check(case, workdir, "headers, columns, rows")


@settings(FUZZ, max_examples=150)
@given(case=bytes_case())
def test_fuzz_encodings_truncation_and_bytes(case: Case, workdir: Path) -> None:
    check(case, workdir, "encodings, truncation, bytes")


@settings(FUZZ, max_examples=240)
@given(case=yaml_case())
def test_fuzz_yaml_values_keys_and_dates(case: Case, workdir: Path) -> None:
    check(case, workdir, "YAML values, keys, dates")


def _cli() -> Path:
    exe = Path(sys.executable).with_name("centrehold")
    return exe if exe.is_file() else Path("centrehold")


@pytest.mark.skipif(not _cli().is_file(), reason="the centrehold command is not installed")
@settings(FUZZ, max_examples=16)
@given(case=st.one_of(cell_case(safe=True), structure_case(), bytes_case(small=True))
       .filter(lambda c: c.expect != LOAD))  # a run takes seconds; the loader test does those
def test_fuzz_sample_through_the_cli(case: Case, workdir: Path) -> None:
    """`centrehold run` on a mutant: exit 0, or exit 2 with a short message; no traceback."""
    n = next(_serial)
    target = materialise(case, workdir / f"cli{n}")
    args = [str(_cli()), "run", str(target), "--ticks", "2", "--json",
            "--out", str(workdir / f"cli{n}-out")]
    if target.is_dir():  # regional: a coarse scale keeps any loaded world small and quick
        args += ["--set", "people_per_agent=10000"]
    env = {k: v for k, v in os.environ.items() if k != "CENTREHOLD_DEBUG"}
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, env=env)
    err = proc.stderr.strip()
    assert proc.returncode in (0, 2), f"{case.what}: exit {proc.returncode}: {err[-2000:]}"
    assert "Traceback" not in err and "internal error" not in err, f"{case.what}: {err}"
    if proc.returncode == 0:
        outcome, message = "loaded", ""
    else:
        outcome, message = "refused", err.removeprefix("error: ")
    problems = judge(case, outcome, message, "through the CLI")
    assert not problems, f"{case.scenario}: {case.what} (expected: {case.expect}): {problems}"
    if case.expect == REFUSE:
        assert proc.returncode == 2
