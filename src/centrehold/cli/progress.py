"""One progress bar for every long command: drawn on stderr when it is a terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def with_progress(
    work: Callable[..., T], err: Any, label: str, unit: str, quiet: bool = False,
    transient: bool = False,
) -> T:
    """Call `work(progress=...)` under a rich bar labelled `label` counting `unit`, or
    `work()` plainly when `quiet` or stderr is not a terminal (logs and pipes stay clean)."""
    if quiet or not err.is_terminal:
        return work()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn(unit), TimeElapsedColumn(), console=err,
                  transient=transient) as bar:
        task = bar.add_task(label, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return work(progress=progress)
