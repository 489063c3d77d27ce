"""Runs started from the web: a bounded pool of worker processes, progress kept per run,
results kept as ready-to-send JSON.

Simulations run in separate processes, not just off the request thread: the engine and
the result tables hold the interpreter lock for long stretches, and a thread doing that
makes every status poll wait. A worker reports progress through the usual
`progress(done, total)` callback, forwarded over a queue to one drain thread that only
stores two integers per run. A stand-in `simulate` (tests) runs in threads instead.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import queue as queue_mod
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SimulateFn = Callable[..., Any]


@dataclass
class Job:
    id: str
    scenario: str
    hypothesis: str | None
    seed: int
    ticks: int
    overrides: dict[str, str]
    agents: int
    state: str = "queued"  # queued, running, done, error
    done: int = 0
    total: int = 0
    error: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    reports: int = 0  # progress reports received from the worker
    result: bytes | None = None  # the results as JSON, serialised once
    run_dir: Path | None = None

    def status(self) -> dict:
        return {
            "id": self.id, "scenario": self.scenario, "hypothesis": self.hypothesis,
            "seed": self.seed, "ticks": self.ticks, "agents": self.agents, "state": self.state,
            "done": self.done, "total": self.total, "error": self.error,
            "elapsed": round((self.finished or time.time()) - (self.started or self.created), 3),
        }


def run_results(ds: Any, wall: float) -> dict:
    """Summary and plotly figures (as JSON) of one finished run, for the page to draw."""
    from centrehold.report.build import TITLES, _plan
    from centrehold.report.data import compute
    from centrehold.report.geo import load_boundaries
    from centrehold.report.load import RunSet, SingleRun, split_tidy
    from centrehold.runs.single import summarize, tidy_table

    summary = summarize(ds, wall)
    core, levels = split_tidy(tidy_table(ds))
    params = json.loads(ds.attrs.get("params", "{}"))
    rs = RunSet(Path("."), [SingleRun(Path("."), core, params, summary, levels)])
    rd = compute(rs)
    boundaries = load_boundaries() if rd.regional else None
    figures = {}
    for name, _png, inter, caption in _plan(rd, boundaries):
        figures[name] = {"title": TITLES.get(name, name), "caption": caption,
                         "figure": json.loads(inter(rd).to_json())}
    return {"summary": summary, "figures": figures, "regional": rd.regional}


def _results_bytes(job_id: str, ds: Any, wall: float, run_dir: Path | None) -> bytes:
    res = run_results(ds, wall)
    if run_dir is not None:
        from centrehold.runs.single import write_run

        write_run(ds, run_dir, wall_seconds=wall)
    res.update(id=job_id, report_available=run_dir is not None)
    return json.dumps(res, default=str, allow_nan=False).encode()


def _error_line(exc: BaseException) -> str:
    from centrehold.errors import UserError

    kind = "" if isinstance(exc, UserError) else f"internal error ({type(exc).__name__}): "
    return kind + " ".join(str(exc).split())[:300]


def process_run(job_id: str, scenario: str, overrides: dict[str, str], seed: int, ticks: int,
                run_dir: Path | None, progress_queue: Any) -> tuple[str, bytes | str]:
    """Body of a run in a worker process: ("done", results JSON) or ("error", one line)."""
    try:
        from centrehold.engine import simulate
        from centrehold.scenario import load_scenario

        def progress(done: int, total: int) -> None:
            progress_queue.put((job_id, int(done), int(total)))

        scn = load_scenario(scenario, overrides)
        t0 = time.perf_counter()
        ds = simulate(scn, seed=seed, ticks=ticks, progress=progress)
        return "done", _results_bytes(job_id, ds, time.perf_counter() - t0, run_dir)
    except Exception as exc:  # reported to the page as one line; the worker keeps going
        return "error", _error_line(exc)


def _worker_init() -> None:
    """Simulations yield the CPU to the API: a status poll should never wait for a tick."""
    import os

    try:
        os.nice(10)
    except (AttributeError, OSError):  # not on this platform, or not allowed
        pass


def _warm() -> bool:
    """Import the engine in a fresh worker so the first run does not pay for it."""
    import centrehold.engine  # noqa: F401
    import centrehold.scenario  # noqa: F401

    return True


class JobManager:
    """Holds the runs of one server; thread-safe; forgets the oldest finished runs."""

    def __init__(self, simulate: SimulateFn | None, load: Callable[..., Any],
                 max_concurrent: int, max_queued: int, keep: int = 50,
                 runs_dir: Path | None = None) -> None:
        self._simulate = simulate
        self._load = load
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self.max_active = max_concurrent + max_queued
        self.keep = keep
        self.runs_dir = runs_dir
        self._stop = threading.Event()
        self._max_workers = max_concurrent
        self._pool: Executor | None = None
        self._manager: Any = None
        self._queue: Any = None

    def _ensure_pool(self) -> Executor:
        """Start the workers on first use (and again after a shutdown: test clients open and
        close the app's lifespan around every request)."""
        with self._lock:
            if self._pool is None:
                self._stop.clear()
                if self._simulate is None:  # the real engine: worker processes
                    ctx = mp.get_context("spawn")
                    self._manager = ctx.Manager()
                    self._queue = self._manager.Queue()
                    self._pool = ProcessPoolExecutor(max_workers=self._max_workers,
                                                     mp_context=ctx, initializer=_worker_init)
                    threading.Thread(target=self._drain_progress, args=(self._queue,),
                                     daemon=True, name="centrehold-progress").start()
                else:
                    self._pool = ThreadPoolExecutor(max_workers=self._max_workers,
                                                    thread_name_prefix="centrehold-run")
            return self._pool

    def warm_up(self) -> None:
        if self._simulate is None:
            pool = self._ensure_pool()
            for _ in range(self._max_workers):
                pool.submit(_warm)

    def _drain_progress(self, q: Any) -> None:
        while not self._stop.is_set():
            try:
                job_id, done, total = q.get(timeout=0.5)
            except queue_mod.Empty:
                continue
            except (EOFError, OSError):  # the manager went away: the server is stopping
                return
            job = self.get(job_id)
            if job is not None:
                job.reports += 1
            if job is not None and job.state in ("queued", "running"):
                job.state = "running"
                job.done, job.total = done, total

    def active(self) -> int:
        with self._lock:
            return sum(j.state in ("queued", "running") for j in self._jobs.values())

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def list(self) -> list[Job]:
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.created, reverse=True)

    def submit(self, scenario: str, hypothesis: str | None, seed: int, ticks: int,
               overrides: dict[str, str], agents: int) -> Job | None:
        """Queue a run, or return None when the server already has as many as it allows."""
        job = Job(uuid.uuid4().hex[:12], scenario, hypothesis, seed, ticks, overrides, agents,
                  total=ticks)
        with self._lock:
            if sum(j.state in ("queued", "running") for j in self._jobs.values()) >= \
                    self.max_active:
                return None
            self._jobs[job.id] = job
            self._forget_old()
        if self.runs_dir is not None:
            job.run_dir = self.runs_dir / job.id
        pool = self._ensure_pool()
        if self._simulate is None:
            fut = pool.submit(process_run, job.id, scenario, overrides, seed, ticks,
                              job.run_dir, self._queue)
            job.started = time.time()
            fut.add_done_callback(lambda f: self._finish(job, f))
        else:
            pool.submit(self._run_in_thread, job)
        return job

    def _finish(self, job: Job, fut: Any) -> None:
        try:
            state, payload = fut.result()
        except BaseException as exc:  # a worker died (killed, out of memory) or was cancelled
            state, payload = "error", _error_line(exc)
        if state == "done":
            job.result, job.done = payload, job.total
        else:
            job.error, job.run_dir = payload, None
        job.state, job.finished = state, time.time()

    def _forget_old(self) -> None:
        finished = sorted((j for j in self._jobs.values() if j.state in ("done", "error")),
                          key=lambda j: j.created)
        for j in finished[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[j.id]

    def _run_in_thread(self, job: Job) -> None:
        job.state, job.started = "running", time.time()

        def progress(done: int, total: int) -> None:
            job.done, job.total = int(done), int(total)

        try:
            scn = self._load(job.scenario, job.overrides)
            t0 = time.perf_counter()
            ds = self._simulate(scn, seed=job.seed, ticks=job.ticks, progress=progress)
            job.result = _results_bytes(job.id, ds, time.perf_counter() - t0, job.run_dir)
            job.done = job.total
            job.state = "done"
        except Exception as exc:  # reported to the page as one line; the server keeps going
            job.error, job.run_dir = _error_line(exc), None
            job.state = "error"
        finally:
            job.finished = time.time()

    def close(self) -> None:
        """Stop the workers; runs still executing finish, queued ones are dropped."""
        with self._lock:
            pool, manager = self._pool, self._manager
            self._pool = self._manager = self._queue = None
            self._stop.set()
        if pool is not None:
            procs = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in procs:  # a stopping server does not wait for runs to finish
                if proc.is_alive():
                    proc.terminate()
        if manager is not None:
            manager.shutdown()
        for j in self.list():
            if j.state == "queued":
                j.state, j.error = "error", "the server stopped before this run started"
