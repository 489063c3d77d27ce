"""Runs started from the web: a bounded pool of worker processes, progress kept per run,
results kept as ready-to-send JSON.

Simulations run in separate processes, not just off the request thread: the engine and
the result tables hold the interpreter lock for long stretches, and a thread doing that
makes every status poll wait. A worker reports progress through the usual
`progress(done, total)` callback, forwarded over a queue to one drain thread that only
stores two integers per run. A stand-in `simulate` (tests) runs in threads instead.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing as mp
import os
import queue as queue_mod
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from centrehold.runs import folder as run_folder
from centrehold.web.figures import polish

SimulateFn = Callable[..., Any]
RUN_ID = re.compile(r"^[0-9a-f]{12}$")
# files of a run folder a client may download (ticks.csv is made from ticks.parquet on demand)
TICKS_CSV = "ticks.csv"
DOWNLOADS = {run_folder.TICKS: "application/vnd.apache.parquet", TICKS_CSV: "text/csv",
             run_folder.REGIONS: "text/csv", run_folder.SUMMARY: "application/json",
             run_folder.SCENARIO: "application/json"}
CANCEL_POLL_SECONDS = 0.1


class RunCancelled(Exception):
    """Raised from a run's progress callback once the run has been cancelled."""


@dataclass
class Job:
    id: str
    scenario: str
    hypothesis: str | None
    seed: int
    ticks: int
    overrides: dict[str, str]
    agents: int
    state: str = "queued"  # queued, running, done, error, cancelled
    done: int = 0
    total: int = 0
    error: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    reports: int = 0  # progress reports received from the worker
    result: bytes | None = None  # the results as JSON, serialised once
    run_dir: Path | None = None
    future: Any = None  # the worker pool's future, while queued or running
    sim_seconds: float | None = None  # the engine's own time, without queue and charts

    def status(self) -> dict:
        return {
            "id": self.id, "scenario": self.scenario, "hypothesis": self.hypothesis,
            "seed": self.seed, "ticks": self.ticks, "agents": self.agents, "state": self.state,
            "done": self.done, "total": self.total, "error": self.error,
            "elapsed": round((self.finished or time.time()) - (self.started or self.created), 3),
            "sim_seconds": self.sim_seconds, "created": round(self.created, 3),
            "settings": ", ".join(f"{k}={v}" for k, v in sorted(self.overrides.items())
                                  if k != "hypothesis"),
        }


def run_results(ds: Any, wall: float) -> dict:
    """Summary and plotly figures (as JSON) of one finished run, for the page to draw."""
    from centrehold.report.load import RunSet, SingleRun, split_tidy
    from centrehold.runs.single import summarize, tidy_table

    summary = summarize(ds, wall)
    core, levels = split_tidy(tidy_table(ds))
    params = json.loads(ds.attrs.get("params", "{}"))
    return _results_of(RunSet(Path("."), [SingleRun(Path("."), core, params, summary, levels)]),
                       summary)


def folder_results(run_dir: str, job_id: str) -> bytes:
    """The results JSON of a run folder an earlier server wrote, built in a worker process."""
    from centrehold.report.load import load_runs

    folder = Path(run_dir)
    rs = load_runs(folder)
    res = _results_of(rs, dict(rs.runs[0].summary))
    res.update(id=job_id, report_available=True, downloads=_downloads(folder))
    return json.dumps(res, default=str, allow_nan=False).encode()


def _downloads(run_dir: Path | None) -> list[str]:
    return sorted(n for n in DOWNLOADS if run_dir is not None and
                  (n == TICKS_CSV or (run_dir / n).is_file()))


def add_observed_map(figures: dict, rd: Any, boundaries: Any, params: dict) -> None:
    """The record on the map, beside the simulated one, where the record has the months."""
    from dataclasses import replace

    from centrehold.report import interactive
    from centrehold.web.figures import OBSERVED_MAP_CAPTION, observed_rate

    rate = observed_rate(rd.rate.index, params)
    if rate is None:
        return
    fig = json.loads(interactive.region_map(replace(rd, rate=rate), boundaries).to_json())
    fig["layout"]["title"] = {"text": "Observed deaths per 100,000 by governorate and month "
                                      "(IBC maximum)"}
    figures["map_observed"] = {
        "title": "Map: observed deaths per 100,000 (Iraq Body Count)", "figure": fig,
        "caption": OBSERVED_MAP_CAPTION.format(first=f"{rate.index.min():%Y-%m}",
                                               last=f"{rate.index.max():%Y-%m}")}


def _results_of(rs: Any, summary: dict) -> dict:
    from centrehold.report.build import figure_plan
    from centrehold.report.data import compute
    from centrehold.report.geo import load_boundaries

    rd = compute(rs)
    boundaries = load_boundaries() if rd.regional else None
    figures = {}
    for fig in figure_plan(rd, boundaries):
        figures[fig.name] = {"title": fig.title, "caption": fig.caption,
                             "figure": json.loads(fig.interactive(rd).to_json())}
    if rd.regional:  # the page draws the national and group charts instead (150 KB less a run)
        figures.pop("states", None)
    if rd.regional and rd.dated and rd.rate is not None and rs.runs:
        add_observed_map(figures, rd, boundaries, rs.runs[0].params)
    summary["record_end"] = polish(figures)
    return {"summary": summary, "figures": figures, "regional": rd.regional}


def _results_bytes(job_id: str, ds: Any, wall: float,
                   run_dir: Path | None) -> tuple[bytes, dict]:
    """The results as JSON bytes, and what the run's status line needs from them."""
    res = run_results(ds, wall)
    if run_dir is not None:
        from centrehold.runs.single import write_run

        write_run(ds, run_dir, wall_seconds=wall)
    res.update(id=job_id, report_available=run_dir is not None, downloads=_downloads(run_dir))
    summary = res["summary"]  # the status line shows the same numbers as the cards
    meta = {"agents": int(summary.get("agents", 0)),
            "sim_seconds": float(summary.get("wall_seconds", round(wall, 4)))}
    return json.dumps(res, default=str, allow_nan=False).encode(), meta


def _error_line(exc: BaseException) -> str:
    from centrehold.errors import UserError

    kind = "" if isinstance(exc, UserError) else f"internal error ({type(exc).__name__}): "
    return kind + " ".join(str(exc).split())[:300]


def process_run(job_id: str, scenario: str, overrides: dict[str, str], seed: int, ticks: int,
                run_dir: Path | None, progress_queue: Any,
                cancelled: Any = None) -> tuple[str, bytes | str, dict]:
    """Body of a run in a worker process: ("done", results JSON, meta), ("error", one line,
    {}) or ("cancelled", "", {}) once the run's id appears in the shared `cancelled`
    mapping."""
    last_check = [0.0]

    def check() -> None:
        now = time.monotonic()
        if cancelled is not None and now - last_check[0] >= CANCEL_POLL_SECONDS:
            last_check[0] = now
            if job_id in cancelled:
                raise RunCancelled

    try:
        from centrehold.engine import simulate
        from centrehold.scenario import load_scenario

        def progress(done: int, total: int) -> None:
            progress_queue.put((job_id, int(done), int(total)))
            check()

        check()
        scn = load_scenario(scenario, overrides)
        t0 = time.perf_counter()
        ds = simulate(scn, seed=seed, ticks=ticks, progress=progress)
        return "done", *_results_bytes(job_id, ds, time.perf_counter() - t0, run_dir)
    except RunCancelled:
        return "cancelled", "", {}
    except Exception as exc:  # reported to the page as one line; the worker keeps going
        return "error", _error_line(exc), {}


def write_csv(parquet: str, out: str) -> int:
    """A run's tidy table as CSV, written in a worker process; returns its process id."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    tmp = Path(out).with_suffix(".csv.part")
    pacsv.write_csv(pq.read_table(parquet), tmp)
    tmp.replace(out)  # complete or absent: a reader never sees half a file
    return os.getpid()


def build_report_file(run_dir: str, out: str) -> int:
    """Body of a report build in a worker process; returns the worker's process id."""
    from centrehold.report import build_report

    build_report(Path(run_dir), Path(out))
    return os.getpid()


WEB_META = "web.json"  # what the request was, so a later server can list the run again


def write_meta(job: Job) -> None:
    if job.run_dir is None or not job.run_dir.is_dir():
        return
    meta = {k: getattr(job, k) for k in ("id", "scenario", "hypothesis", "seed", "ticks",
                                         "overrides", "agents", "created", "started",
                                         "finished", "sim_seconds")}
    (job.run_dir / WEB_META).write_text(json.dumps(meta))


def adopt_runs(runs_dir: Path) -> list[Job]:
    """Finished runs found in `runs_dir` (their results are rebuilt on first request)."""
    found = []
    for d in sorted(runs_dir.iterdir()) if runs_dir.is_dir() else []:
        if not (RUN_ID.match(d.name) and (d / WEB_META).is_file() and
                run_folder.is_run_folder(d)):
            continue
        try:
            m = json.loads((d / WEB_META).read_text())
            job = Job(d.name, str(m["scenario"]), m.get("hypothesis"), int(m["seed"]),
                      int(m["ticks"]), {str(k): str(v) for k, v in m["overrides"].items()},
                      int(m["agents"]), state="done", done=int(m["ticks"]),
                      total=int(m["ticks"]), created=float(m["created"]),
                      started=m.get("started"), finished=m.get("finished"),
                      sim_seconds=m.get("sim_seconds"), run_dir=d)
        except (ValueError, KeyError, TypeError, AttributeError):  # not ours, or damaged
            continue
        found.append(job)
    return found


def prune_runs_dir(runs_dir: Path, keep: int) -> list[Path]:
    """Delete all but the `keep` newest run folders this server wrote (named by run id)
    and return what was deleted; other files and folders are left alone."""
    if not runs_dir.is_dir():
        return []
    ours = [d for d in runs_dir.iterdir() if d.is_dir() and RUN_ID.match(d.name)]
    ours.sort(key=lambda d: d.stat().st_mtime, reverse=True)
    for d in ours[keep:]:
        shutil.rmtree(d, ignore_errors=True)
    return ours[keep:]


def _worker_init() -> None:
    """Simulations yield the CPU to the API: a status poll should never wait for a tick."""
    import os

    try:
        os.nice(10)
    except (AttributeError, OSError):  # not on this platform, or not allowed
        pass


def _warm() -> bool:
    """Import the engine in a fresh worker so the first run does not pay for it."""
    import centrehold.scenario  # noqa: F401
    from centrehold.engine import simulate  # noqa: F401 (the package loads it on first use)

    return True


class JobManager:
    """Holds the runs of one server; thread-safe; forgets the oldest finished runs."""

    def __init__(self, simulate: SimulateFn | None, load: Callable[..., Any],
                 max_concurrent: int, max_queued: int, keep: int = 50,
                 runs_dir: Path | None = None, max_reports: int = 1,
                 max_report_queue: int = 2) -> None:
        self._simulate = simulate
        self._load = load
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self.max_active = max_concurrent + max_queued
        self.keep = keep
        self._stop = threading.Event()
        self._max_workers = max_concurrent
        self._pool: Executor | None = None
        self._manager: Any = None
        self._queue: Any = None
        self._cancelled: Any = None  # run ids cancelled, shared with the worker processes
        self.max_reports, self.max_report_queue = max_reports, max_report_queue
        self._report_pool: ProcessPoolExecutor | None = None
        self._reports: dict[str, Any] = {}
        self.report_fn: Callable[[str, str], int] = build_report_file
        if runs_dir is None:  # every run gets a folder (report, downloads) until the end
            runs_dir = Path(tempfile.mkdtemp(prefix="centrehold-runs-"))
            atexit.register(shutil.rmtree, runs_dir, ignore_errors=True)
        self.runs_dir = runs_dir
        prune_runs_dir(runs_dir, keep)
        for job in adopt_runs(runs_dir):  # runs an earlier server left: listed again
            self._jobs[job.id] = job

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
                    self._cancelled = self._manager.dict()
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
        job.run_dir = self.runs_dir / job.id
        pool = self._ensure_pool()
        if self._simulate is None:
            fut = pool.submit(process_run, job.id, scenario, overrides, seed, ticks,
                              job.run_dir, self._queue, self._cancelled)
            job.started, job.future = time.time(), fut
            fut.add_done_callback(lambda f: self._finish(job, f))
        else:
            job.future = pool.submit(self._run_in_thread, job)
        return job

    def cancel(self, job: Job) -> bool:
        """Cancel a queued or running run; False if it has already ended."""
        with self._lock:
            if job.state not in ("queued", "running"):
                return False
            job.state, job.error, job.finished = "cancelled", "cancelled on request", time.time()
            fut, flags = job.future, self._cancelled
        if fut is not None and fut.cancel():
            return True
        if flags is not None:  # already handed to a worker: it stops at its next report
            try:
                flags[job.id] = True
            except (EOFError, OSError):  # the server is stopping
                pass
        return True

    def _discard(self, job: Job) -> None:
        """What a cancelled run leaves behind goes: its folder and its flag."""
        if job.run_dir is not None:
            shutil.rmtree(job.run_dir, ignore_errors=True)
        job.run_dir, job.result, job.future = None, None, None
        if self._cancelled is not None:
            try:
                self._cancelled.pop(job.id, None)
            except (EOFError, OSError):
                pass

    def _finish(self, job: Job, fut: Any) -> None:
        if job.state == "cancelled":
            return self._discard(job)
        try:
            state, payload, meta = fut.result()
        except BaseException as exc:  # a worker died (killed, out of memory) or was cancelled
            state, payload, meta = "error", _error_line(exc), {}
        job.future = None
        if state == "cancelled":  # cancelled between the check above and the worker's
            job.state, job.finished = "cancelled", time.time()
            return self._discard(job)
        if state == "done":
            self._retain()
            job.result, job.done = payload, job.total
            job.agents, job.sim_seconds = meta["agents"], meta["sim_seconds"]
            job.finished = time.time()
            write_meta(job)
        else:
            job.error, job.run_dir = payload, None
        job.state, job.finished = state, time.time()

    def _forget_old(self) -> None:
        """Keep at most `keep` runs in memory, and their folders on disk with them."""
        finished = sorted((j for j in self._jobs.values()
                           if j.state in ("done", "error", "cancelled")),
                          key=lambda j: j.created)
        for j in finished[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[j.id]
            if j.run_dir is not None and j.state != "cancelled":
                shutil.rmtree(j.run_dir, ignore_errors=True)

    def _retain(self) -> None:
        """The retention limit on disk: also counts folders left by earlier servers."""
        prune_runs_dir(self.runs_dir, self.keep)

    def _run_in_thread(self, job: Job) -> None:
        if job.state == "cancelled":
            return
        job.state, job.started = "running", time.time()

        def progress(done: int, total: int) -> None:
            job.done, job.total = int(done), int(total)
            if job.state == "cancelled":
                raise RunCancelled

        try:
            scn = self._load(job.scenario, job.overrides)
            t0 = time.perf_counter()
            ds = self._simulate(scn, seed=job.seed, ticks=job.ticks, progress=progress)
            if job.state == "cancelled":
                raise RunCancelled
            result, meta = _results_bytes(job.id, ds, time.perf_counter() - t0, job.run_dir)
            self._retain()
            with self._lock:
                if job.state == "cancelled":
                    raise RunCancelled
                job.agents, job.sim_seconds = meta["agents"], meta["sim_seconds"]
                job.result, job.done, job.state = result, job.total, "done"
                job.finished = time.time()
            write_meta(job)
        except RunCancelled:
            self._discard(job)
        except Exception as exc:  # reported to the page as one line; the server keeps going
            if job.state != "cancelled":
                job.error, job.run_dir = _error_line(exc), None
                job.state = "error"
        finally:
            job.future = None
            if job.finished is None:
                job.finished = time.time()

    def build_report(self, job: Job, out: Path) -> Any:
        """Start (or join) the build of a run's report in a worker process; None when as
        many builds are executing and waiting as the server allows."""
        return self.build_file(job.id, self.report_fn, str(job.run_dir), str(out))

    def build_csv(self, job: Job, out: Path) -> Any:
        """Start (or join) writing a run's table as CSV in a worker process (None: busy)."""
        return self.build_file(f"{job.id}.csv", write_csv, str(job.run_dir / run_folder.TICKS),
                               str(out))

    def build_results(self, job: Job) -> Any:
        """Start (or join) rebuilding an adopted run's results in a worker process."""
        return self.build_file(f"{job.id}.results", folder_results, str(job.run_dir), job.id)

    def build_file(self, key: str, fn: Callable[..., Any], *args: str) -> Any:
        """Run `fn(*args)` in the side pool of build processes, once per key at a time."""
        with self._lock:
            fut = self._reports.get(key)
            if fut is not None and not fut.done():
                return fut
            self._reports = {k: f for k, f in self._reports.items() if not f.done()}
            if len(self._reports) >= self.max_reports + self.max_report_queue:
                return None
            for _attempt in range(2):
                if self._report_pool is None:
                    # one build per process: a report's memory goes back to the system after
                    self._report_pool = ProcessPoolExecutor(
                        max_workers=self.max_reports, mp_context=mp.get_context("spawn"),
                        initializer=_worker_init, max_tasks_per_child=1)
                try:
                    fut = self._report_pool.submit(fn, *args)
                    break
                except BrokenExecutor:  # a build process died: start afresh
                    self._report_pool = None
            self._reports[key] = fut
            return fut

    def close(self) -> None:
        """Stop the workers; runs still executing finish, queued ones are dropped."""
        with self._lock:
            pool, manager, reports = self._pool, self._manager, self._report_pool
            self._pool = self._manager = self._queue = self._cancelled = None
            self._report_pool = None
            self._stop.set()
        for executor in (reports, pool):
            if executor is None:
                continue
            procs = list((getattr(executor, "_processes", None) or {}).values())
            executor.shutdown(wait=False, cancel_futures=True)
            for proc in procs:  # a stopping server does not wait for runs or reports
                if proc.is_alive():
                    proc.terminate()
        if manager is not None:
            manager.shutdown()
        for j in self.list():
            if j.state == "queued":
                j.state, j.error = "error", "the server stopped before this run started"
