"""Optional dependencies: a command that needs an extra says which one, in one line."""

from __future__ import annotations

import importlib.util

from centrehold.errors import UserError


def require(extra: str, *modules: str, command: str = "this command") -> None:
    """Raise a UserError naming the extra to install when any of `modules` is missing."""
    missing = [m for m in modules if _absent(m)]
    if missing:
        raise UserError(f"{command} needs the '{extra}' extra (missing: {', '.join(missing)}); "
                        f"install it with: pip install 'centrehold[{extra}]'")


def _absent(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):  # a parent package missing, or a broken stub in sys.modules
        return True
