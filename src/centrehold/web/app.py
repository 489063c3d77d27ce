"""The dashboard's web server: a JSON API described by OpenAPI, and a static page.

Everything a request names is checked before it touches the disk or the engine:
scenario names against the built-in library (never a path), knobs against the
scenario's own schema, run sizes against the server's limits, bodies against a byte
cap; files are served only from this package's `static/` folder (plus plotly's own
JavaScript from the installed plotly package, so the page works offline).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from centrehold import __version__
from centrehold.errors import UserError
from centrehold.web import knobs as K
from centrehold.web.guard import LOOPBACK_NAMES, Guard
from centrehold.web.jobs import DOWNLOADS, JobManager

STATIC_DIR = Path(__file__).resolve().parent / "static"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
SAFE_STATIC = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")


@dataclass(frozen=True)
class Limits:
    """What one server accepts; the CLI exposes each as an option."""

    max_agents: int = 200_000
    max_ticks: int = 5_000
    max_concurrent: int = 2
    max_queued: int = 4
    max_body_bytes: int = 16_384
    keep_runs: int = 50
    max_reports: int = 1  # report builds executing at once, each in a worker process
    max_report_queue: int = 2  # report builds waiting beyond those


DETAIL_CHARS = 400  # error messages are one line; nothing a client sent is echoed at length


# ----------------------------------------------------------------------------- schemas


class KnobValues(BaseModel):
    """The main parameters; leave one out to keep the scenario's value. The bounds here
    span every scenario; each scenario's own (narrower) range is the page's slider range,
    checked when a run is requested (GET /api/scenarios lists them)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    legitimacy: float | None = Field(None, ge=K.SPAN["legitimacy"][0], le=K.SPAN["legitimacy"][1])
    forces_after_withdrawal: float | None = Field(
        None, ge=K.SPAN["forces_after_withdrawal"][0], le=K.SPAN["forces_after_withdrawal"][1],
        description="iraq-2009: occupation street share kept")
    operations_after_withdrawal: float | None = Field(
        None, ge=K.SPAN["operations_after_withdrawal"][0],
        le=K.SPAN["operations_after_withdrawal"][1],
        description="iraq-2009: share of the occupation's pressure on capacity kept")
    revenge: float | None = Field(None, ge=K.SPAN["revenge"][0], le=K.SPAN["revenge"][1],
                                  description="iraq-2009")
    funding_cut: float | None = Field(None, ge=K.SPAN["funding_cut"][0],
                                      le=K.SPAN["funding_cut"][1], description="iraq-2009")
    forces: float | None = Field(None, ge=K.SPAN["forces"][0], le=K.SPAN["forces"][1],
                                 description="Epstein: cop density")
    scale: float | None = Field(None, ge=K.SPAN["scale"][0], le=K.SPAN["scale"][1],
                                description="people per agent (regional) or lattice side")


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    scenario: str = Field(..., max_length=64, examples=["iraq-2009"],
                          description="a built-in scenario name (see GET /api/scenarios)")
    hypothesis: str | None = Field(None, max_length=8, examples=["H3"])
    seed: int = Field(0, ge=0, le=2**32 - 1)
    ticks: int | None = Field(None, ge=1, le=1_000_000,
                              description="default: the scenario's own length")
    extend: bool = Field(False, description="run past the end of the scenario's calendar "
                                            "(refused otherwise)")
    knobs: KnobValues = Field(default_factory=KnobValues)

    @field_validator("scenario")
    @classmethod
    def _name_not_path(cls, v: str) -> str:
        if not NAME_RE.match(v):
            raise ValueError("scenario must be a built-in name such as 'iraq-2009', not a path "
                             "or free text")
        return v

    @field_validator("hypothesis")
    @classmethod
    def _hyp_form(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"H[0-9]{1,2}|H[A-Z]", v):
            raise ValueError("hypothesis must look like H0..H6 or HA, HM, HI, HB")
        return v


class KnobInfo(BaseModel):
    id: str
    label: str
    help: str
    min: float
    max: float
    step: float
    value: float


class HypothesisInfo(BaseModel):
    id: str
    instigator: str
    conjecture: str


class ScenarioInfo(BaseModel):
    name: str
    description: str
    model: str = ""
    ticks: int = 0
    tick_unit: str = "tick"
    agents: int = 0
    knobs: list[KnobInfo] = []
    hypotheses: list[HypothesisInfo] = []
    default_hypothesis: str | None = None
    period: int | None = Field(None, description="ticks in the calendar; more need extend")
    calendar_end: str | None = None


class RunStatus(BaseModel):
    id: str
    scenario: str
    hypothesis: str | None
    seed: int
    ticks: int
    agents: int
    state: Literal["queued", "running", "done", "error", "cancelled"]
    done: int
    total: int
    error: str | None
    elapsed: float
    sim_seconds: float | None = Field(None, description="the engine's own time, once done")
    created: float = Field(0.0, description="when the run was requested (Unix time)")
    settings: str = Field("", description="the scenario fields the run's knobs changed; runs "
                                          "alike but for the seed form an ensemble")


class RunResults(BaseModel):
    id: str
    summary: dict[str, Any]
    regional: bool
    figures: dict[str, dict[str, Any]]
    report_available: bool = False
    downloads: list[str] = []


class CompareResults(BaseModel):
    source: str
    posterior: list[dict[str, Any]] | None
    ach: dict[str, Any] | None
    figures: dict[str, dict[str, Any]]


class CompareFolder(BaseModel):
    name: str
    modified: str


def compare_folders(compare_dir: Path | None,
                    root: Path | None) -> dict[str, tuple[Path, str]]:
    """name -> (folder, modified) for each compare folder, newest first. Clients choose by
    name among these; a name is never opened as a path."""
    import datetime as dt

    from centrehold.infer.folder import find_compare_folders

    found: list[tuple[str, Path]] = []
    if compare_dir is not None and compare_dir.is_dir():
        found.append((compare_dir.name or str(compare_dir), compare_dir))
    if root is not None and root.is_dir():
        for folder in sorted(find_compare_folders(root, depth=2))[:50]:
            rel = folder.relative_to(root)
            found.append((f"{root.name}/{rel}" if str(rel) != "." else root.name, folder))
    out: dict[str, tuple[Path, str]] = {}
    for name, folder in sorted(found, key=lambda f: f[1].stat().st_mtime, reverse=True):
        if name not in out and all(folder != f for f, _ in out.values()):
            stamp = dt.datetime.fromtimestamp(folder.stat().st_mtime).isoformat(timespec="minutes")
            out[name] = (folder, stamp)
    return out


class Problem(BaseModel):
    detail: str


ERRORS = {401: {"model": Problem}, 404: {"model": Problem}, 413: {"model": Problem},
          421: {"model": Problem}, 429: {"model": Problem}}


# ----------------------------------------------------------------------------- the app


class BodyLimit:
    """ASGI middleware: refuse bodies over the cap, announced or streamed, with a 413."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        too_big = JSONResponse(status_code=413, content={
            "detail": f"request body too large (limit {self.max_bytes} bytes); send less"})
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                size = self.max_bytes + 1
            if size > self.max_bytes:
                return await too_big(scope, receive, send)
            return await self.app(scope, receive, send)
        # no declared length (chunked): read up to the cap first, then replay it to the app
        chunks, seen, more = [], 0, True
        while more:
            msg = await receive()
            if msg["type"] != "http.request":
                break
            chunks.append(msg.get("body", b""))
            seen += len(chunks[-1])
            if seen > self.max_bytes:
                return await too_big(scope, receive, send)
            more = msg.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        return await self.app(scope, replay, send)


def validation_line(errors: list[dict]) -> str:
    """FastAPI's validation errors as one short line: where and what, never the input
    itself (which may be 60 KB, or NaN, which JSON cannot carry back)."""
    parts = []
    for e in errors[:3]:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
        msg = str(e.get("msg", "invalid value"))
        if e.get("type") == "finite_number":
            msg = "must be a finite number (NaN and Infinity are refused)"
        parts.append(f"{loc[:60]}: {msg[:160]}")
    more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
    return ("invalid request: " + "; ".join(parts) + more)[:DETAIL_CHARS]


def _default_library() -> tuple[Callable[[], list[tuple[str, str]]], Callable[..., Any]]:
    from centrehold.scenario import list_scenarios, load_scenario

    return list_scenarios, load_scenario


@dataclass
class Library:
    """The scenario library as a server sees it: listed once and each scenario loaded once
    (the library does not change while a server runs), and only by built-in name."""

    list_fn: Callable[[], list[tuple[str, str]]]
    load_fn: Callable[..., Any]
    cache: dict[str, Any] = field(default_factory=dict)

    def names(self) -> dict[str, str]:
        if "__names__" not in self.cache:
            self.cache["__names__"] = dict(self.list_fn())
        return self.cache["__names__"]

    def scenario(self, name: str) -> Any:
        """The scenario called `name`, or a 404 that lists the ones there are."""
        if not NAME_RE.match(name):
            raise HTTPException(404, f"no scenario named {name[:40]!r}: scenario names are "
                                     "built-in names such as 'iraq-2009', never paths")
        lib = self.names()
        if name not in lib:
            raise HTTPException(404, f"no scenario named {name!r}; choose one of: "
                                     f"{', '.join(sorted(lib))}")
        if name not in self.cache:
            try:
                self.cache[name] = self.load_fn(name, None)
            except UserError as exc:
                raise HTTPException(422, str(exc)) from None
        return self.cache[name]

    def info(self, name: str) -> ScenarioInfo:
        scn = self.scenario(name)
        hyps = K.hypotheses_for(scn)
        cal = getattr(scn, "calendar", None)
        return ScenarioInfo(
            name=name, description=self.names()[name], model=str(getattr(scn, "model", "")),
            ticks=K.default_ticks(scn), tick_unit=cal.tick if cal is not None else "tick",
            agents=K.estimate_agents(scn), knobs=[KnobInfo(**k) for k in K.knob_dicts(scn)],
            hypotheses=[HypothesisInfo(**h) for h in hyps],
            default_hypothesis=getattr(scn, "hypothesis", None) if hyps else None,
            period=K.period_ticks(scn), calendar_end=str(cal.end) if cal is not None else None)


@dataclass(frozen=True)
class Server:
    """What the routes share, kept on `app.state.server`: routes are plain module-level
    functions that read it from the request, so each can be read (and tested) alone."""

    jobs: JobManager
    library: Library
    limits: Limits
    compare_dir: Path | None
    compare_root: Path | None


def _server(request: Request) -> Server:
    return request.app.state.server


def create_app(limits: Limits | None = None, simulate: Callable[..., Any] | None = None,
               library: tuple[Callable, Callable] | None = None,
               compare_dir: Path | None = None, runs_dir: Path | None = None,
               hosts: frozenset[str] = LOOPBACK_NAMES, token: str | None = None,
               compare_root: Path | None = None) -> FastAPI:
    """Build the app. Runs go to worker processes running the engine; a `simulate`
    stand-in (tests) runs in threads instead. `library` defaults to the scenario library.
    Only requests whose Host is one of `hosts` are answered; with a `token`, only those
    that carry it. Compare folders are `compare_dir` and any found under `compare_root`."""
    limits = limits or Limits()
    list_fn, load_fn = library or _default_library()
    jobs = JobManager(simulate, load_fn, limits.max_concurrent, limits.max_queued,
                      limits.keep_runs, runs_dir, limits.max_reports, limits.max_report_queue)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        jobs.warm_up()
        yield
        jobs.close()

    app = FastAPI(title="centrehold", version=__version__, lifespan=lifespan,
                  description="Run agent-based models of political violence and see them "
                              "beside the record.")
    app.state.jobs = jobs  # the handle scripts and tests inspect runs through
    app.state.server = Server(jobs, Library(list_fn, load_fn), limits, compare_dir,
                              compare_root)
    for router in (scenario_routes, run_routes, output_routes, compare_routes, page_routes):
        app.include_router(router)
    app.add_exception_handler(HTTPException, _problem)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_middleware(BodyLimit, max_bytes=limits.max_body_bytes)
    app.add_middleware(Guard, hosts=hosts, token=token)  # outermost: checked first
    return app


async def _problem(_req: Request, exc: HTTPException) -> JSONResponse:
    return JSONResponse(status_code=exc.status_code,
                        content={"detail": str(exc.detail)[:DETAIL_CHARS]})


async def _invalid(_req: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse(status_code=422, content={"detail": validation_line(exc.errors())})


# ----------------------------------------------------------------------------- scenarios

scenario_routes = APIRouter()


@scenario_routes.get("/api/health", tags=["server"])
def health(request: Request) -> dict[str, Any]:
    """The server is up: its version and how many runs it holds (for probes and scripts)."""
    return {"status": "ok", "version": __version__, "active_runs": _server(request).jobs.active()}


@scenario_routes.get("/api/scenarios", response_model=list[ScenarioInfo], tags=["scenarios"])
def list_scenarios_api(request: Request) -> list[ScenarioInfo]:
    """Built-in scenarios with their main parameters and hypotheses."""
    lib = _server(request).library
    return [lib.info(n) for n in sorted(lib.names())]


@scenario_routes.get("/api/scenarios/{name}", response_model=ScenarioInfo, responses=ERRORS,
                     tags=["scenarios"])
def get_scenario(request: Request, name: str = PathParam(..., max_length=200)) -> ScenarioInfo:
    """One scenario's parameters (knobs with ranges and defaults) and hypotheses."""
    return _server(request).library.info(name)


# ----------------------------------------------------------------------------- runs

run_routes = APIRouter()


def _run_overrides(req: RunRequest, lib: Library) -> tuple[Any, dict[str, Any]]:
    """The scenario a run request asks for, with its knobs and hypothesis applied, and
    those overrides; every knob and hypothesis checked against the scenario first."""
    scn = lib.scenario(req.scenario)
    allowed = {k.id for k in K.knobs_for(scn)}
    moved = {k: v for k, v in req.knobs.model_dump().items() if v is not None}
    wrong = sorted(set(moved) - allowed)
    if wrong:
        raise HTTPException(422, f"knob {wrong[0]!r} does not apply to {req.scenario}; it "
                                 f"takes: {', '.join(sorted(allowed))}")
    hyps = [h["id"] for h in K.hypotheses_for(scn)]
    if req.hypothesis and not hyps:
        raise HTTPException(422, f"scenario {req.scenario} has no hypotheses; leave "
                                 "hypothesis empty")
    if req.hypothesis and req.hypothesis not in hyps:
        raise HTTPException(422, f"no hypothesis {req.hypothesis} in {req.scenario}; choose "
                                 f"one of: {', '.join(hyps)}")
    wrong_value = K.out_of_range(scn, moved)
    if wrong_value:
        raise HTTPException(422, wrong_value)
    overrides = K.overrides_for(scn, moved)
    if req.hypothesis:
        overrides["hypothesis"] = req.hypothesis
    try:
        return lib.load_fn(req.scenario, overrides), overrides
    except UserError as exc:
        raise HTTPException(422, str(exc)) from None


def _run_size(req: RunRequest, scn: Any, limits: Limits) -> tuple[int, int]:
    """(ticks, agents) of a requested run, refused when past its calendar (unless asked
    for) or beyond this server's limits."""
    ticks = req.ticks or K.default_ticks(scn)
    period = K.period_ticks(scn)
    if period is not None and ticks > period and not req.extend:
        cal = scn.calendar
        raise HTTPException(422, f"ticks {ticks} runs past the end of {req.scenario}'s "
                                 f"calendar ({period} {cal.tick}s, {cal.start} to {cal.end})"
                                 f"; ask for at most {period}, or send \"extend\": true "
                                 "to run past it on purpose")
    if ticks > limits.max_ticks:
        raise HTTPException(422, f"run too long: {ticks} ticks (this server's limit is "
                                 f"{limits.max_ticks}); ask for fewer ticks")
    agents = K.estimate_agents(scn)
    if agents > limits.max_agents:
        raise HTTPException(422, f"run too large: about {agents} agents (this server's "
                                 f"limit is {limits.max_agents}); raise the scale's people "
                                 "per agent or shrink the lattice")
    return ticks, agents


@run_routes.post("/api/runs", response_model=RunStatus, status_code=202,
                 responses={**ERRORS, 422: {"model": Problem}}, tags=["runs"])
def start_run(request: Request, req: RunRequest) -> RunStatus:
    """Start a run; it executes in the background. Poll its status or open its events."""
    srv = _server(request)
    scn, overrides = _run_overrides(req, srv.library)
    ticks, agents = _run_size(req, scn, srv.limits)
    job = srv.jobs.submit(req.scenario, req.hypothesis, req.seed, ticks, overrides, agents)
    if job is None:
        raise HTTPException(429, f"too many runs in progress ({srv.jobs.max_active}); wait "
                                 "for one to finish")
    return RunStatus(**job.status())


@run_routes.get("/api/runs", response_model=list[RunStatus], tags=["runs"])
def list_runs(request: Request) -> list[RunStatus]:
    """Recent runs of this server, newest first."""
    return [RunStatus(**j.status()) for j in _server(request).jobs.list()]


def _job_or_404(request: Request, run_id: str):
    job = _server(request).jobs.get(run_id)
    if job is None:
        raise HTTPException(404, f"no run {run_id[:40]!r} on this server; start one with "
                                 "POST /api/runs")
    return job


@run_routes.get("/api/runs/{run_id}", response_model=RunStatus, responses=ERRORS,
                tags=["runs"])
def run_status(request: Request, run_id: str = PathParam(..., max_length=64)) -> RunStatus:
    """Progress of a run: ticks done of total, and its state."""
    return RunStatus(**_job_or_404(request, run_id).status())


@run_routes.delete("/api/runs/{run_id}", response_model=RunStatus,
                   responses={**ERRORS, 409: {"model": Problem}}, tags=["runs"])
def cancel_run(request: Request, run_id: str = PathParam(..., max_length=64)) -> RunStatus:
    """Cancel a queued or running run: it stops at its next progress report and keeps
    no folder."""
    job = _job_or_404(request, run_id)
    if not _server(request).jobs.cancel(job):
        raise HTTPException(409, f"run {run_id} is {job.state}; only a queued or running "
                                 "run can be cancelled")
    return RunStatus(**job.status())


@run_routes.get("/api/runs/{run_id}/events", responses={**ERRORS, 200: {
    "content": {"text/event-stream": {}},
    "description": "server-sent events: `progress` while running, then `end`"}},
    tags=["runs"])
async def run_events(request: Request,
                     run_id: str = PathParam(..., max_length=64)) -> StreamingResponse:
    """Progress as server-sent events, ending when the run is done or failed."""
    job = _job_or_404(request, run_id)

    async def stream():
        last = None
        while True:
            st = job.status()
            key = (st["state"], st["done"], st["total"])
            if key != last:
                yield f"event: progress\ndata: {json.dumps(st)}\n\n"
                last = key
            if st["state"] in ("done", "error", "cancelled"):
                yield f"event: end\ndata: {json.dumps(st)}\n\n"
                return
            await asyncio.sleep(0.2)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache"})


# ----------------------------------------------------------------------------- a run's outputs

output_routes = APIRouter()


@output_routes.get("/api/runs/{run_id}/results", response_class=Response,
                   responses={**ERRORS, 409: {"model": Problem},
                              200: {"model": RunResults, "content": {"application/json": {}}}},
                   tags=["runs"])
async def run_results(request: Request, run_id: str = PathParam(..., max_length=64)) -> Response:
    """Summary and figures (plotly JSON) of a finished run."""
    job = _job_or_404(request, run_id)
    if job.state == "done" and job.result is None and job.run_dir is not None:
        # a run an earlier server left in --runs-dir: its figures are rebuilt once
        fut = _server(request).jobs.build_results(job)
        if fut is None:
            raise HTTPException(429, "too many files being built; try again in a minute")
        try:
            job.result = await asyncio.wrap_future(fut)
        except Exception as exc:
            raise HTTPException(500, "the run's results could not be rebuilt: "
                                     f"{' '.join(str(exc).split())[:200]}") from None
    if job.state != "done" or job.result is None:
        detail = job.error if job.state == "error" else f"run {run_id} is {job.state}; " \
            "wait for it to finish"
        raise HTTPException(409, detail)
    # serialised once when the run ended: polling clients cost a memory copy, no more
    return Response(content=job.result, media_type="application/json")


@output_routes.get("/api/runs/{run_id}/report",
                   responses={**ERRORS, 409: {"model": Problem},
                              200: {"content": {"text/html": {}}}}, tags=["runs"])
async def run_report(request: Request,
                     run_id: str = PathParam(..., max_length=64)) -> FileResponse:
    """The run's self-contained HTML report, built on first request in a worker process
    (at most --max-reports at once, a few more waiting; beyond that 429)."""
    job = _job_or_404(request, run_id)
    if job.state != "done" or job.run_dir is None:
        raise HTTPException(409, f"run {run_id} has no report: it is {job.state} or this "
                                 "server keeps no run folders (start it with --runs-dir)")
    out = job.run_dir / "report.html"
    if not out.is_file():
        fut = _server(request).jobs.build_report(job, out)
        if fut is None:
            raise HTTPException(429, "too many reports being built; try again in a "
                                     "minute")
        try:
            await asyncio.wrap_future(fut)
        except Exception as exc:
            raise HTTPException(500, "the report could not be built: "
                                     f"{' '.join(str(exc).split())[:200]}") from None
    return FileResponse(out, media_type="text/html")


@output_routes.get("/api/runs/{run_id}/files/{name}", response_class=FileResponse,
                   responses={**ERRORS, 409: {"model": Problem}, 200: {"content": {
                       t: {} for t in sorted(set(DOWNLOADS.values()))}}}, tags=["runs"])
async def run_file(request: Request, run_id: str = PathParam(..., max_length=64),
                   name: str = PathParam(..., max_length=32)) -> FileResponse:
    """Download a finished run's data: ticks.parquet (the tidy per-tick table), the same
    as ticks.csv, regions.csv (regional worlds), summary.json or scenario.json."""
    job = _job_or_404(request, run_id)
    if name not in DOWNLOADS:
        raise HTTPException(404, f"no file {name[:32]!r} for a run; choose one of: "
                                 f"{', '.join(DOWNLOADS)}")
    if job.state != "done" or job.run_dir is None:
        raise HTTPException(409, f"run {run_id} is {job.state}; its data can be "
                                 "downloaded once it is done")
    path = job.run_dir / name
    if name == "ticks.csv" and not path.is_file():
        fut = _server(request).jobs.build_csv(job, path)
        if fut is None:
            raise HTTPException(429, "too many files being built; try again in a minute")
        await asyncio.wrap_future(fut)
    if not path.is_file():
        raise HTTPException(404, f"run {run_id} has no {name} (not a regional world?)")
    return FileResponse(path, media_type=DOWNLOADS[name],
                        filename=f"{job.scenario}-{job.id}-{name}")


# ----------------------------------------------------------------------------- compare

compare_routes = APIRouter()


@compare_routes.get("/api/compares", response_model=list[CompareFolder], tags=["compare"])
def list_compares(request: Request) -> list[CompareFolder]:
    """Compare folders this server can show, newest first: --compare-dir and any compare
    folder under --compare-root (up to two levels down)."""
    srv = _server(request)
    return [CompareFolder(name=n, modified=m)
            for n, (_p, m) in compare_folders(srv.compare_dir, srv.compare_root).items()]


@compare_routes.get("/api/compare", response_model=CompareResults, responses=ERRORS,
                    tags=["compare"])
def compare_results(request: Request, name: str | None = Query(None, max_length=200, description=(
        "one of the names GET /api/compares lists; default: the newest"))) -> CompareResults:
    """Posterior probabilities and the ACH matrix from one compare folder."""
    srv = _server(request)
    folders = compare_folders(srv.compare_dir, srv.compare_root)
    if not folders:
        raise HTTPException(404, "no compare results yet: run `centrehold compare --out "
                                 "out/compare` where the server was started, or start it "
                                 "with --compare-dir DIR")
    if name is not None and name not in folders:
        raise HTTPException(404, f"no compare folder {name[:60]!r}; choose one of: "
                                 f"{', '.join(list(folders)[:10])}")
    chosen = folders[name or next(iter(folders))][0]
    from centrehold.report import interactive
    from centrehold.report.data import compute
    from centrehold.report.load import load_runs

    try:
        rs = load_runs(chosen, max_runs=0)
    except UserError as exc:
        raise HTTPException(404, str(exc)) from None
    rd = compute(rs)
    figs = {}
    if rd.posterior is not None:
        figs["posterior"] = {"title": "Posterior probabilities",
                             "figure": json.loads(interactive.posterior(rd).to_json())}
    if rd.ach is not None:
        figs["ach"] = {"title": "Evidence by hypothesis (ACH)",
                       "figure": json.loads(interactive.ach(rd).to_json())}
    return CompareResults(
        source=name or next(iter(folders)),
        posterior=rd.posterior.to_dict("records") if rd.posterior is not None else None,
        ach=json.loads(rd.ach.to_json(orient="split")) if rd.ach is not None else None,
        figures=figs)


# ----------------------------------------------------------------------------- the page

page_routes = APIRouter()


@page_routes.get("/", include_in_schema=False)
def index() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


@page_routes.get("/static/{path:path}", include_in_schema=False)
def static(path: str) -> FileResponse:
    if len(path) > 200 or any(len(part) > 100 for part in path.split("/")):
        raise HTTPException(414, "path refused: too long for a file in the app's static "
                                 "folder")
    if path == "vendor/plotly.min.js":
        import plotly

        return FileResponse(Path(plotly.__file__).parent / "package_data" / "plotly.min.js",
                            media_type="text/javascript")
    if not SAFE_STATIC.match(path) or ".." in path.split("/"):
        raise HTTPException(400, "path refused: static paths are plain file names inside "
                                 "the app's static folder (no '..', no absolute paths)")
    try:
        target = (STATIC_DIR / path).resolve()
        found = target.is_relative_to(STATIC_DIR) and target.is_file()
    except (OSError, ValueError):  # a name the file system refuses is a missing file
        found = False
    if not found:
        raise HTTPException(404, f"no file {path[:60]!r} in the app's static folder")
    return FileResponse(target)
