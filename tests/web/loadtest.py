"""Load test of the dashboard API: 50 concurrent clients poll status and fetch results while
runs execute. Not a pytest test (speed figures live in benchmarks/results/); run it as

    .venv/bin/python tests/web/loadtest.py [--clients 50] [--seconds 60]

It starts `centrehold serve` on a free 127.0.0.1 port in a subprocess, keeps the server's
run slots busy with iraq-2009 runs, asks for the HTML report of every finished run (built
in the server's report worker, beside the runs), samples the API process's resident memory,
and writes benchmarks/results/web_loadtest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
RUN = {"scenario": "iraq-2009", "hypothesis": "H3", "ticks": 180,
       "knobs": {"scale": 10000}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def wait_up(client: httpx.AsyncClient, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if (await client.get("/api/scenarios")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.25)
    raise RuntimeError("server did not come up")


async def feeder(client, stop, known, done, errors, n_started):
    """Keep the run slots busy: submit a run whenever the server has room."""
    seed = 0
    while not stop.is_set():
        r = await client.post("/api/runs", json={**RUN, "seed": seed})
        if r.status_code == 202:
            known.append(r.json()["id"])
            n_started[0] += 1
            seed += 1
        elif r.status_code != 429:
            errors.append(("POST /api/runs", r.status_code, r.text[:200]))
        for rid in list(known):
            st = (await client.get(f"/api/runs/{rid}")).json()
            if st["state"] == "done" and rid not in done:
                done.append(rid)
            elif st["state"] == "error":
                errors.append(("run", rid, st["error"]))
        await asyncio.sleep(0.5)


async def worker(client, stop, known, done, samples, errors):
    rng = random.Random()
    while not stop.is_set():
        if done and rng.random() < 0.3:
            path = f"/api/runs/{rng.choice(done)}/results"
        elif known and rng.random() < 0.8:
            path = f"/api/runs/{rng.choice(known)}"
        else:
            path = "/api/runs"
        t0 = time.perf_counter()
        try:
            r = await client.get(path)
            ok = r.status_code == 200
        except httpx.HTTPError as exc:
            ok, r = False, exc
        dt = time.perf_counter() - t0
        kind = path.rsplit("/", 1)[-1] if path.endswith("results") else (
            "status" if path.count("/") == 3 else "list")
        samples.append((kind, dt))
        if not ok:
            errors.append((path, getattr(r, "status_code", None), str(r)[:200]))
        await asyncio.sleep(rng.uniform(0.05, 0.25))  # a polling client, not a flood


async def reporter(client, stop, done, built, busy, errors, at_once: int = 6):
    """Ask for each finished run's HTML report, up to six at a time (the case that once took
    the API process past a gigabyte), as people clicking the link would; a 429 (report
    workers busy) is asked again shortly."""
    asked: set[str] = set()
    flying: set[asyncio.Task] = set()

    async def one(rid: str) -> None:
        while not stop.is_set():
            try:
                r = await client.get(f"/api/runs/{rid}/report", timeout=300.0)
            except httpx.HTTPError as exc:
                errors.append((f"/api/runs/{rid}/report", None, repr(exc)[:200]))
                return
            if r.status_code == 200 and "Plotly" in r.text:
                built.append(rid)
                return
            if r.status_code != 429:
                errors.append((f"/api/runs/{rid}/report", r.status_code, r.text[:200]))
                return
            busy[0] += 1
            await asyncio.sleep(1.0)

    try:
        while not stop.is_set():
            for rid in list(done):
                if rid not in asked and len(flying) < at_once:
                    asked.add(rid)
                    task = asyncio.create_task(one(rid))
                    flying.add(task)
                    task.add_done_callback(flying.discard)
            await asyncio.sleep(0.5)
    finally:  # builds still in flight when the clients stop are abandoned, not failed
        for task in list(flying):
            task.cancel()
        await asyncio.gather(*flying, return_exceptions=True)


def rss_mb(pid: int) -> float | None:
    """Resident memory of one process (not its workers), in MB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def sample_memory(pid: int, stop, samples) -> None:
    while not stop.is_set():
        mb = rss_mb(pid)
        if mb is not None:
            samples.append(mb)
        await asyncio.sleep(0.5)


def pct(values, q):
    return round(float(np.percentile(values, q)) * 1000, 2) if values else None


async def main(clients: int, seconds: float, out: Path) -> dict:
    load_before = round(os.getloadavg()[0], 2)  # the machine may be shared: say how busy
    port = free_port()
    cmd = [sys.executable, "-m", "centrehold.cli.main", "serve", "--port", str(port),
           "--max-concurrent", "2", "--max-queued", "2"]
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    limits = httpx.Limits(max_connections=clients + 5, max_keepalive_connections=clients + 5)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30.0,
                                     limits=limits) as client:
            await wait_up(client)
            stop = asyncio.Event()
            known, done, samples, errors, n_started = [], [], [], [], [0]
            built, busy, memory = [], [0], []
            rss_start = rss_mb(server.pid)
            feed = asyncio.create_task(feeder(client, stop, known, done, errors, n_started))
            side = [asyncio.create_task(reporter(client, stop, done, built, busy, errors)),
                    asyncio.create_task(sample_memory(server.pid, stop, memory))]
            while not known:  # at least one run under way before the clients start
                await asyncio.sleep(0.1)
            tasks = [asyncio.create_task(worker(client, stop, known, done, samples, errors))
                     for _ in range(clients)]
            t0 = time.time()
            await asyncio.sleep(seconds)
            stop.set()
            await asyncio.gather(feed, *tasks)
            wall = time.time() - t0
            await asyncio.gather(*side)  # both end within a second of the stop
            rss_end = rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    lat = [s[1] for s in samples]
    by_kind = {}
    for kind in sorted({s[0] for s in samples}):
        v = [s[1] for s in samples if s[0] == kind]
        by_kind[kind] = {"requests": len(v), "p50_ms": pct(v, 50), "p99_ms": pct(v, 99),
                         "max_ms": pct(v, 100)}
    result = {
        "what": "dashboard API under load: concurrent clients polling run status, listing "
                "runs and fetching finished results while iraq-2009 runs execute",
        "command": f"python tests/web/loadtest.py --clients {clients} --seconds {seconds:g}",
        "clients": clients, "seconds": round(wall, 1), "runs_started": n_started[0],
        "runs_finished": len(done), "requests": len(samples),
        "requests_per_second": round(len(samples) / wall, 1), "errors": len(errors),
        "error_examples": errors[:5], "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95),
        "p99_ms": pct(lat, 99), "max_ms": pct(lat, 100), "by_endpoint": by_kind,
        "reports_built": len(built), "report_requests_told_busy": busy[0],
        "api_process_rss_mb": {"start": round(rss_start or 0, 1),
                               "max": round(max(memory), 1) if memory else None,
                               "end": round(rss_end or 0, 1), "samples": len(memory)},
        "run": RUN, "server_limits": {"max_concurrent": 2, "max_queued": 2, "max_reports": 1},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_1min_after": round(os.getloadavg()[0], 2),
                    "load_average_1min_before": load_before},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" /
                    "web_loadtest.json")
    a = ap.parse_args()
    res = asyncio.run(main(a.clients, a.seconds, a.out))
    print(json.dumps({k: res[k] for k in ("clients", "requests", "requests_per_second",
                                          "errors", "p50_ms", "p95_ms", "p99_ms", "max_ms",
                                          "runs_started", "runs_finished", "reports_built",
                                          "api_process_rss_mb")}, indent=1))
    sys.exit(1 if res["errors"] else 0)
