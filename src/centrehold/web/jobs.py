"""Runs started from the web: a bounded thread pool, progress kept per run, results as JSON.

Simulations run off the request thread so the API stays responsive; the engine reports
progress through the usual `progress(done, total)` callback, which here only stores two
integers that the status endpoint and the event stream read.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
    result: dict | None = None
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


class JobManager:
    """Holds the runs of one server; thread-safe; forgets the oldest finished runs."""

    def __init__(self, simulate: SimulateFn, load: Callable[..., Any], max_concurrent: int,
                 max_queued: int, keep: int = 50, runs_dir: Path | None = None) -> None:
        self._simulate = simulate
        self._load = load
        self._pool = ThreadPoolExecutor(max_workers=max_concurrent,
                                        thread_name_prefix="centrehold-run")
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self.max_active = max_concurrent + max_queued
        self.keep = keep
        self.runs_dir = runs_dir

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
        self._pool.submit(self._run, job)
        return job

    def _forget_old(self) -> None:
        finished = sorted((j for j in self._jobs.values() if j.state in ("done", "error")),
                          key=lambda j: j.created)
        for j in finished[: max(0, len(self._jobs) - self.keep)]:
            del self._jobs[j.id]

    def _run(self, job: Job) -> None:
        job.state, job.started = "running", time.time()

        def progress(done: int, total: int) -> None:
            job.done, job.total = int(done), int(total)

        try:
            scn = self._load(job.scenario, job.overrides)
            t0 = time.perf_counter()
            ds = self._simulate(scn, seed=job.seed, ticks=job.ticks, progress=progress)
            wall = time.perf_counter() - t0
            job.result = run_results(ds, wall)
            if self.runs_dir is not None:
                from centrehold.runs.single import write_run

                job.run_dir = self.runs_dir / job.id
                write_run(ds, job.run_dir, wall_seconds=wall)
            job.done = job.total
            job.state = "done"
        except Exception as exc:  # reported to the page as one line; the server keeps going
            from centrehold.errors import UserError

            kind = "" if isinstance(exc, UserError) else f"internal error ({type(exc).__name__}): "
            job.error = kind + " ".join(str(exc).split())[:300]
            job.state = "error"
        finally:
            job.finished = time.time()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
