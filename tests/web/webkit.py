"""Helpers for the dashboard tests: small limits, a live server on a free port, polling."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from fastapi.testclient import TestClient

from centrehold.web.app import Limits

SMALL = Limits(max_agents=20_000, max_ticks=400, max_concurrent=1, max_queued=2)
LOCAL = "http://127.0.0.1"  # the server answers only to the names it was started under


def client(app, **kw) -> TestClient:
    """FastAPI's test client, sending a loopback Host (its default 'testserver' is refused)."""
    return TestClient(app, base_url=kw.pop("base_url", LOCAL), **kw)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn in a thread, bound to 127.0.0.1 on a free port; stopped by the fixture."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def wait_done(client, run_id: str, timeout: float = 120.0) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        st = client.get(f"/api/runs/{run_id}").json()
        if st["state"] in ("done", "error"):
            return st
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def slow_report(run_dir: str, out: str) -> int:
    """A stand-in report build for the worker pool's tests: slow, and says where it ran."""
    import os
    from pathlib import Path

    time.sleep(2.0)
    Path(out).write_text("<html>stand-in report</html>")
    return os.getpid()


def ticking(scn, seed, ticks, progress=None):
    """A stand-in engine that only reports progress, slowly, until it is stopped."""
    from centrehold.errors import UserError

    for t in range(1, ticks + 1):
        time.sleep(0.02)
        if progress is not None:
            progress(t, ticks)
    raise UserError("stand-in engine reached its end; nothing to fix")
