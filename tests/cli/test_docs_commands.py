"""Every `centrehold run` example in the README and the docs parses and validates as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from centrehold.cli.main import app
from centrehold.scenario.load import library_scenarios

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["README.md", "docs/cli.md", "docs/scenarios.md"]


def examples() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        text = (ROOT / page).read_text(encoding="utf-8")
        for block in re.findall(r"```(?:sh|bash)?\n(.*?)```", text, flags=re.S):
            for line in block.splitlines():
                line = line.strip().removeprefix("$ ")
                if line.startswith("centrehold run"):
                    found.append((page, line.split(" #")[0].split(" |")[0].strip()))
    return found


EXAMPLES = examples()


def test_the_pages_have_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize(("page", "line"), EXAMPLES, ids=[line for _, line in EXAMPLES])
def test_example_runs(page: str, line: str, fake_engine, tmp_path: Path) -> None:
    args = shlex.split(line)[1:]
    target = args[1] if len(args) > 1 and not args[1].startswith("-") else None
    if target is not None and target not in library_scenarios():
        pytest.skip(f"{target} is the reader's own file")
    cleaned, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("--out", "--ticks"):
            skip = True
            continue
        cleaned.append(a)
    result = CliRunner().invoke(app, [*cleaned, "--ticks", "2", "--out", str(tmp_path / "r")])
    if "legitmacy" in line:  # the deliberate mistake the README shows
        assert result.exit_code == 2 and "did you mean 'legitimacy'" in result.stderr
    else:
        assert result.exit_code == 0, f"{page}: {line}: {result.stderr}"


@pytest.mark.parametrize("page", ["README.md", "docs/cli.md", "docs/scenarios.md",
                                  "docs/architecture.md", "docs/ODD.md"])
def test_relative_links_and_images_exist(page: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)\)", text)
    local = [t for t in targets if "://" not in t]
    missing = [t for t in local if not ((ROOT / page).parent / t).exists()]
    assert missing == []
