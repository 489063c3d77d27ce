"""Data flows one way: no layer imports a layer downstream of it (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "centrehold"

# what each layer must never import, lazily or not
DOWNSTREAM = {
    "scenario": {"record", "engine", "models", "actors", "runs", "infer", "report", "web", "cli"},
    "record": {"scenario", "engine", "models", "actors", "runs", "infer", "report", "web", "cli"},
    "actors": {"engine", "models", "runs", "infer", "report", "web", "cli"},
    # `engine` is the core and the public entry point that picks a model, so it may
    # name `models`; its core may not (test_the_core_knows_no_model)
    "engine": {"runs", "infer", "report", "web", "cli"},
    "models": {"runs", "infer", "report", "web", "cli"},
    "runs": {"infer", "report", "web", "cli"},
    "infer": {"report", "web", "cli"},
    "report": {"web", "cli"},
}


def imported_layers(path: Path) -> set[str]:
    """The centrehold packages a module imports, at the top or inside a function."""
    layers = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "centrehold" and len(parts) > 1:
                layers.add(parts[1])
    return layers


def test_the_check_sees_lazy_imports(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from centrehold import engine\n"
                      "    import centrehold.infer.evidence\n")
    assert imported_layers(module) == {"engine", "infer"}


@pytest.mark.parametrize("layer", sorted(DOWNSTREAM))
def test_no_layer_imports_downstream(layer):
    bad = {
        str(path.relative_to(SRC)): sorted(imported_layers(path) & DOWNSTREAM[layer])
        for path in sorted((SRC / layer).rglob("*.py"))
    }
    assert not {k: v for k, v in bad.items() if v}, f"{layer} imports downstream layers"


def imported_modules(path: Path) -> set[str]:
    """Every centrehold module a file names in an import, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
    return {n for n in names if n.startswith("centrehold.")}


@pytest.mark.parametrize("folder, banned", [
    ("engine/core", "centrehold.models"),  # models build on the core, never the reverse
    ("models/regional", "centrehold.models.epstein"),  # the two models share only the core
])
def test_the_core_and_the_models_keep_apart(folder, banned):
    files = sorted((SRC / folder).rglob("*.py"))
    bad = {str(path.relative_to(SRC)): sorted(m for m in imported_modules(path)
                                              if m.startswith(banned))
           for path in files}
    assert files and not {k: v for k, v in bad.items() if v}, f"{folder} imports {banned}"


def test_a_model_module_imports_before_the_engine_package():
    """The models import the core, inside `centrehold.engine`; the package must not import
    them back at once, or a model module imported first would meet itself half-built."""
    import subprocess
    import sys

    for module in ("centrehold.models.epstein.step", "centrehold.models.epstein.simulate",
                   "centrehold.models.regional.world"):
        code = f"import {module}; from centrehold.engine import simulate, step, World; print('ok')"
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert out.stdout.strip() == "ok", out.stderr
