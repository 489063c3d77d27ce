"""`extends:` a scenario file that changes another instead of copying it.

A variant of a world (iraq-2009 with a curfew) should not repeat the 200 lines it
leaves alone: they would drift apart from the original. The file names its base
(a built-in name or a path) and writes only what differs; the base is read first
and the file laid over it, mapping by mapping. The result is a complete scenario,
so a run records every value it used and not the `extends:` line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from centrehold.scenario import tables

KEY = "extends"
_MAX_DEPTH = 10


def merged(base: Any, over: Any) -> Any:
    """`over` laid on `base`: mappings merge key by key; a list or a value replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merged(base[key], value) if key in base else value
        return out
    return over


def rebased(node: Any, folder: Path) -> Any:
    """The base's file names made absolute, so that they still name the base's own tables
    and plug-in files once its values sit in a file in another folder."""
    if isinstance(node, dict):
        return {k: rebased(v, folder) for k, v in node.items()}
    if isinstance(node, list) and not isinstance(node, tables.TableRows):  # rows stay text
        return [rebased(v, folder) for v in node]
    if isinstance(node, str):
        target, sep, attr = node, "", ""
        if not node.endswith(".csv"):  # else a plug-in's file.py:NAME, or any other text
            target, sep, attr = node.rpartition(":")
            if not (target.endswith(".py") and attr.isidentifier()):
                return node
        if not Path(target).is_absolute() and (folder / target).is_file():
            return f"{(folder / target).resolve()}{sep}{attr}"
    return node


def base_path(name: str, folder: Path) -> str:
    """A base named by path is read relative to the extending file's folder first."""
    local = folder / name
    return str(local) if local.is_file() or local.is_dir() else name


def too_deep(chain: tuple[Path, ...]) -> bool:
    """A chain of bases longer than anyone writes on purpose is a loop."""
    return len(chain) > _MAX_DEPTH or len(set(chain)) < len(chain)
