"""Executors: one interface from a single process to a Dask cluster.

Every executor yields ``(index, result)`` pairs as tasks finish, so a caller can
persist each result at once (what makes a killed run resumable), and builds an
ordered ``map`` on top. Functions and items must be picklable; results come back
to the calling process, so a remote cluster needs no shared file system.
"""

from __future__ import annotations

import logging
import multiprocessing
import socket
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from centrehold.errors import UserError

Progress = Callable[[int, int], None]
ExecutorKind = Literal["inprocess", "processes", "dask"]


class Executor(Protocol):
    """What ensembles, sweeps and ABC need from an executor."""

    kind: str
    workers: int

    def as_completed(
        self, fn: Callable[[Any], Any], items: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]: ...

    def map(
        self, fn: Callable[[Any], Any], items: Iterable[Any], progress: Progress | None = None
    ) -> list[Any]: ...

    def close(self) -> None: ...


def _ordered_map(
    ex: Executor, fn: Callable[[Any], Any], items: Iterable[Any], progress: Progress | None
) -> list[Any]:
    seq = list(items)
    total = len(seq)
    out: list[Any] = [None] * total
    if progress is not None:
        progress(0, total)
    for done, (i, res) in enumerate(ex.as_completed(fn, seq), start=1):
        out[i] = res
        if progress is not None:
            progress(done, total)
    return out


class _Closing:
    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()  # type: ignore[attr-defined]


@dataclass
class InProcessExecutor(_Closing):
    """Runs tasks one after another in this process: the reference for every other executor."""

    kind: str = "inprocess"
    workers: int = 1

    def as_completed(
        self, fn: Callable[[Any], Any], items: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        for i, item in enumerate(items):
            yield i, fn(item)

    def map(
        self, fn: Callable[[Any], Any], items: Iterable[Any], progress: Progress | None = None
    ) -> list[Any]:
        return _ordered_map(self, fn, items, progress)

    def close(self) -> None:
        pass


@dataclass
class ProcessExecutor(_Closing):
    """Local worker processes, started by forkserver (Linux) or spawn, never fork.

    Fork would copy a parent's threads and locks (Numba's, Dask's) mid-state; the
    cost of a clean start is paid once per pool, not per task.
    """

    workers: int = 2
    kind: str = "processes"
    _pool: ProcessPoolExecutor | None = field(default=None, repr=False)

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            method = "forkserver" if sys.platform.startswith("linux") else "spawn"
            ctx = multiprocessing.get_context(method)
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx)
        return self._pool

    def as_completed(
        self, fn: Callable[[Any], Any], items: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        pool = self._get_pool()
        futures: dict[Future, int] = {pool.submit(fn, item): i for i, item in enumerate(items)}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield futures.pop(fut), fut.result()
        finally:
            for fut in pending:
                fut.cancel()

    def map(
        self, fn: Callable[[Any], Any], items: Iterable[Any], progress: Progress | None = None
    ) -> list[Any]:
        return _ordered_map(self, fn, items, progress)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def auto_chunksize(n_items: int, workers: int) -> int:
    """Items per Dask task: up to 8, keeping at least 4 Dask tasks per worker.

    Each Dask task costs the scheduler a few milliseconds; grouping short items
    amortises that, while several groups per worker keep the load balanced.
    """
    return max(1, min(8, n_items // (4 * max(1, workers))))


def _run_batch(work: tuple[Callable[[Any], Any], list[Any]]) -> list[Any]:
    fn, items = work
    return [fn(x) for x in items]


@dataclass
class DaskExecutor(_Closing):
    """A Dask cluster: a LocalCluster of ``workers`` processes, or one at ``scheduler``.

    Items are grouped into Dask tasks of ``chunksize`` (default :func:`auto_chunksize`),
    submitted impure (two identical items still run twice). A group whose worker
    dies is rescheduled by Dask itself, up to its allowed-failures limit; exceptions
    raised by ``fn`` are not retried, they are the caller's.
    """

    workers: int = 1
    scheduler: str | None = None
    connect_timeout: float = 3.0
    chunksize: int | None = None
    kind: str = "dask"
    _client: Any = field(default=None, repr=False)
    _cluster: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise UserError(
                "the dask executor needs dask.distributed; install centrehold[distributed]"
            ) from exc
        if self.scheduler is not None:
            _probe(self.scheduler, self.connect_timeout)
            try:
                self._client = Client(self.scheduler, timeout=self.connect_timeout)
            except Exception as exc:  # noqa: BLE001 - anything here means no usable scheduler
                raise UserError(
                    f"cannot reach a Dask scheduler at {self.scheduler!r} within "
                    f"{self.connect_timeout:g}s ({type(exc).__name__}); check that one runs "
                    "there (`dask scheduler`) or fix the address"
                ) from None
            self.workers = len(self._client.scheduler_info(n_workers=-1).get("workers", {}))
        else:
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,  # worker shutdown chatter would bury the progress bar
            )
            self._client = Client(self._cluster)

    @property
    def client(self) -> Any:
        return self._client

    def as_completed(
        self, fn: Callable[[Any], Any], items: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        from distributed import as_completed

        seq = list(items)
        size = self.chunksize or auto_chunksize(len(seq), self.workers)
        batches = [list(range(i, min(i + size, len(seq)))) for i in range(0, len(seq), size)]
        work = [(fn, [seq[j] for j in b]) for b in batches]
        futures = self._client.map(_run_batch, work, pure=False)
        index = {f.key: k for k, f in enumerate(futures)}
        try:
            # with_results: results come back in batches, not one round trip per task
            for fut, res in as_completed(futures, with_results=True):
                batch = batches[index[fut.key]]
                fut.release()
                yield from zip(batch, res, strict=True)
        finally:
            self._client.cancel([f for f in futures if not f.done()])

    def map(
        self, fn: Callable[[Any], Any], items: Iterable[Any], progress: Progress | None = None
    ) -> list[Any]:
        return _ordered_map(self, fn, items, progress)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def _probe(address: str, timeout: float) -> None:
    """Fail fast on a refused or unresolvable TCP address instead of waiting out Dask's retries."""
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme not in ("tcp", "tls"):
        return  # other transports (inproc, ucx, ws) are left to Dask
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or not port:
        raise UserError(
            f"scheduler address {address!r} has no host:port; write e.g. tcp://127.0.0.1:8786"
        )
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(
            f"cannot reach a Dask scheduler at {address!r} ({reason}); start one "
            "(`dask scheduler`) or fix the address"
        ) from None


def get_executor(
    kind: ExecutorKind = "inprocess", workers: int = 1, scheduler: str | None = None
) -> InProcessExecutor | ProcessExecutor | DaskExecutor:
    """Pick an executor; a ``scheduler`` address implies Dask.

    The returned object has ``.map(fn, items, progress=None) -> list`` (input order),
    ``.as_completed(fn, items)`` and ``.close()``, and is a context manager.
    """
    if workers < 1:
        raise UserError(f"workers must be at least 1, got {workers}; pass --workers 1 or more")
    if scheduler is not None:
        kind = "dask"
    if kind == "inprocess":
        return InProcessExecutor()
    if kind == "processes":
        return ProcessExecutor(workers=workers)
    if kind == "dask":
        return DaskExecutor(workers=workers, scheduler=scheduler)
    raise UserError(f"unknown executor {kind!r}; use inprocess, processes or dask")
