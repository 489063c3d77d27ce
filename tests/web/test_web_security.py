"""The dashboard is safe by default: who may talk to it, what it accepts, what it keeps."""

from __future__ import annotations

import json
import os
import time

import pytest

from centrehold.web import knobs as K
from centrehold.web.app import Limits, create_app
from centrehold.web.guard import allowed_hosts, host_name
from centrehold.web.jobs import Job, JobManager

from .webkit import client, slow_report, ticking, wait_done

ROOMY = Limits(max_agents=10_000_000, max_ticks=100_000, max_concurrent=1, max_queued=50)


@pytest.fixture
def standin_app(tmp_path):
    """The real scenario library; a stand-in engine that only ticks (no result to build)."""
    return create_app(ROOMY, simulate=ticking, runs_dir=tmp_path / "runs")


# ----------------------------------------------------------------------------- who may talk


@pytest.mark.parametrize("host, ok", [
    ("127.0.0.1", True), ("127.0.0.1:8000", True), ("localhost:8000", True),
    ("[::1]:8000", True), ("LOCALHOST.", True),
    ("evil.test", False), ("evil.test:8000", False), ("127.0.0.1.evil.test", False),
    ("", False), ("x" * 5000, False),
])
def test_host_header_allowlist(standin_app, host, ok):
    with client(standin_app) as c:
        r = c.get("/api/scenarios", headers={"host": host})
    if ok:
        assert r.status_code == 200
    else:
        assert r.status_code == 421, r.text[:200]
        assert "not served here" in r.json()["detail"] and len(r.text) < 500


def test_host_allowlist_adds_the_bound_address_and_extra_names():
    hosts = allowed_hosts("10.1.2.3", ["dash.example.org"])
    assert {"127.0.0.1", "localhost", "::1", "10.1.2.3", "dash.example.org"} <= hosts
    assert "evil.test" not in hosts
    app = create_app(ROOMY, simulate=ticking, hosts=hosts)
    with client(app, base_url="http://10.1.2.3:8000") as c:
        assert c.get("/api/scenarios").status_code == 200
        assert c.get("/api/scenarios", headers={"host": "evil.test"}).status_code == 421
    assert host_name("[fe80::1]:80") == "fe80::1" and host_name("Example.org.:80") == "example.org"


def test_token_is_required_and_accepted_three_ways():
    app = create_app(ROOMY, simulate=ticking, token="s3cret-token")
    with client(app) as c:
        r = c.get("/api/scenarios")
        assert r.status_code == 401 and "token" in r.json()["detail"]
        assert c.get("/", headers={"authorization": "Bearer wrong"}).status_code == 401
        assert c.get("/api/scenarios", headers={"authorization": "Bearer s3cret-token"}) \
            .status_code == 200
        assert c.get("/api/scenarios", headers={"x-centrehold-token": "s3cret-token"}) \
            .status_code == 200
        page = c.get("/?token=s3cret-token")
        assert page.status_code == 200
        cookie = page.headers["set-cookie"]
        assert cookie.startswith("centrehold_token=s3cret-token") and "HttpOnly" in cookie
        # the cookie alone now carries the page's own requests
        assert c.get("/static/app.js").status_code == 200
        c.cookies.clear()
        assert c.get("/static/app.js").status_code == 401


def test_serve_needs_a_token_beyond_loopback():
    from centrehold.cli.serve import access

    hosts, token, url = access("127.0.0.1", 8000, None, [])
    assert token is None and url == "http://127.0.0.1:8000/"
    hosts, token, url = access("0.0.0.0", 8080, None, ["dash.lan"])
    assert token and len(token) >= 24 and url.endswith(f"/?token={token}")
    assert "dash.lan" in hosts
    _, token2, _ = access("0.0.0.0", 8080, None, [])
    assert token2 != token  # generated afresh each time
    _, given, url = access("192.168.1.5", 8000, "mine-mine-mine", [])
    assert given == "mine-mine-mine" and url == "http://192.168.1.5:8000/?token=mine-mine-mine"


# ----------------------------------------------------------------------------- what it accepts


@pytest.mark.parametrize("raw", [
    '{"scenario": "epstein-1", "seed": NaN}',
    '{"scenario": "epstein-1", "ticks": Infinity}',
    '{"scenario": "epstein-1", "knobs": {"legitimacy": NaN}}',
    '{"scenario": "epstein-1", "knobs": {"scale": -Infinity}}',
    '{"scenario": "iraq-2009", "knobs": {"revenge": Infinity}}',
    '{"scenario": "epstein-1", "colour": NaN}',
    '{"scenario": NaN}',
])
def test_nan_and_infinity_are_refused(standin_app, raw):
    with client(standin_app) as c:
        r = c.post("/api/runs", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["detail"].startswith("invalid request:")
    if "knobs" in raw:
        assert "finite" in r.json()["detail"]


@pytest.mark.parametrize("path", [
    "/static/" + "a" * 300, "/static/" + "a" * 256 + ".js", "/static/x/" + "b" * 150,
    "/static/" + "/".join(["c" * 90] * 4),
])
def test_long_static_paths_are_refused_not_crashed(standin_app, path):
    with client(standin_app) as c:
        r = c.get(path)
    assert 400 <= r.status_code < 500 and "static folder" in r.json()["detail"]


@pytest.mark.parametrize("method, path, body", [
    ("get", "/api/runs/" + "r" * 60_000, None),
    ("get", "/api/scenarios/" + "s" * 60_000, None),
    ("post", "/api/runs", {"scenario": "epstein-1", "k" * 15_000: 1}),
    ("post", "/api/runs", {"scenario": "epstein-1" * 1500}),
    ("post", "/api/runs", {"scenario": "epstein-1", "hypothesis": "H" * 15_000}),
])
def test_error_echoes_are_short(standin_app, method, path, body):
    with client(standin_app) as c:
        r = getattr(c, method)(path, **({"json": body} if body else {}))
    assert 400 <= r.status_code < 500
    assert len(r.text) <= 500, len(r.text)


def test_ticks_stop_at_the_calendar_unless_extended(standin_app):
    period = 1461  # iraq-2009: 2008-01-01..2011-12-31, one tick a day
    with client(standin_app) as c:
        r = c.post("/api/runs", json={"scenario": "iraq-2009", "ticks": period + 1,
                                      "knobs": {"scale": 10000}})
        assert r.status_code == 422
        detail = r.json()["detail"]
        assert "past the end" in detail and "2011-12-31" in detail and '"extend"' in detail
        ok = c.post("/api/runs", json={"scenario": "iraq-2009", "ticks": period,
                                       "knobs": {"scale": 10000}})
        assert ok.status_code == 202 and ok.json()["total"] == period
        longer = c.post("/api/runs", json={"scenario": "iraq-2009", "ticks": 5000,
                                           "extend": True, "knobs": {"scale": 10000}})
        assert longer.status_code == 202 and longer.json()["total"] == 5000
        for run in (ok.json(), longer.json()):
            c.delete(f"/api/runs/{run['id']}")


def test_api_knob_ranges_equal_the_sliders(standin_app):
    with client(standin_app) as c:
        scenarios = c.get("/api/scenarios").json()
        checked = 0
        for s in scenarios:
            base = {"scenario": s["name"], "ticks": 5}
            for k in s["knobs"]:
                for v in (k["min"], k["max"]):
                    # the scale's extreme may be too large a run for the server: not a range error
                    r = c.post("/api/runs", json={**base, "knobs": {k["id"]: v}})
                    assert r.status_code in (202, 422), r.text
                    assert "outside its range" not in r.text and "less than" not in r.text
                    if r.status_code == 202:
                        c.delete(f"/api/runs/{r.json()['id']}")
                for v in (k["min"] - k["step"], k["max"] + k["step"]):
                    r = c.post("/api/runs", json={**base, "knobs": {k["id"]: v}})
                    assert r.status_code == 422, (s["name"], k["id"], v)
                    checked += 1
    assert checked >= 2 * (5 + 3 + 3)


def test_knob_ranges_have_one_source():
    from centrehold.scenario import load_scenario

    for name in ("iraq-2009", "epstein-1"):
        scn = load_scenario(name)
        assert K.out_of_range(scn, {k.id: k.max for k in K.knobs_for(scn)}) is None
        top = K.knobs_for(scn)[0]
        assert "outside its range" in K.out_of_range(scn, {top.id: top.max + 1})


# ----------------------------------------------------------------------------- what it keeps


def test_run_folders_are_pruned_to_the_retention_limit(tmp_path):
    from centrehold.engine import simulate

    runs = tmp_path / "runs"
    runs.mkdir()
    for i in range(4):  # folders left by an earlier server, oldest first
        d = runs / f"{i:012x}"
        d.mkdir()
        os.utime(d, (1_000_000 + i, 1_000_000 + i))
    (runs / "notes").mkdir()  # not a run folder: never touched
    app = create_app(Limits(keep_runs=2, max_concurrent=1, max_queued=2), simulate=simulate,
                     runs_dir=runs)
    assert sorted(p.name for p in runs.iterdir()) == ["000000000002", "000000000003", "notes"]
    with client(app) as c:
        ids = []
        for seed in range(4):
            body = {"scenario": "epstein-1", "seed": seed, "ticks": 5, "knobs": {"scale": 20}}
            ids.append(wait_done(c, c.post("/api/runs", json=body).json()["id"])["id"])
        listed = [r["id"] for r in c.get("/api/runs").json()]
    assert listed == ids[::-1][:2]
    assert sorted(p.name for p in runs.iterdir() if p.name != "notes") == sorted(ids[2:])
    assert (runs / "notes").is_dir()


def test_delete_cancels_queued_and_running_runs(standin_app, tmp_path):
    body = {"scenario": "epstein-1", "ticks": 2000}
    with client(standin_app) as c:
        running = c.post("/api/runs", json=body).json()["id"]
        queued = c.post("/api/runs", json=body).json()["id"]
        deadline = time.time() + 10
        while c.get(f"/api/runs/{running}").json()["done"] < 3 and time.time() < deadline:
            time.sleep(0.05)
        assert c.get(f"/api/runs/{queued}").json()["state"] == "queued"
        for rid in (queued, running):
            r = c.delete(f"/api/runs/{rid}")
            assert r.status_code == 200 and r.json()["state"] == "cancelled"
        # the worker is free again: a new run starts and ends on its own
        st = wait_done(c, c.post("/api/runs", json={**body, "ticks": 20}).json()["id"], 30)
        assert st["state"] == "error" and "reached its end" in st["error"]
        stopped = c.get(f"/api/runs/{running}").json()
        assert stopped["state"] == "cancelled" and stopped["done"] < 2000
        assert c.delete(f"/api/runs/{running}").status_code == 409
        assert c.delete("/api/runs/nope").status_code == 404
        with c.stream("GET", f"/api/runs/{queued}/events") as resp:
            assert "event: end" in "".join(resp.iter_text())
    assert not any((tmp_path / "runs").glob("*/ticks.parquet"))


def test_delete_stops_a_run_in_a_worker_process(tmp_path):
    app = create_app(Limits(max_concurrent=1, max_queued=1), runs_dir=tmp_path / "runs")
    # fine enough to take a few seconds: at 1:10,000 a run can end between two polls
    long_run = {"scenario": "iraq-2009", "hypothesis": "H3", "knobs": {"scale": 500}}
    with client(app) as c:
        rid = c.post("/api/runs", json=long_run).json()["id"]
        deadline = time.time() + 240  # starting a worker process is slow on a busy machine
        while c.get(f"/api/runs/{rid}").json()["state"] != "running":
            assert time.time() < deadline
            time.sleep(0.1)
        assert c.delete(f"/api/runs/{rid}").json()["state"] == "cancelled"
        small = {"scenario": "epstein-1", "ticks": 5, "knobs": {"scale": 20}}
        st = wait_done(c, c.post("/api/runs", json=small).json()["id"], timeout=120)
        assert st["state"] == "done"
        job = app.state.jobs.get(rid)
        assert job.future is None and job.result is None  # the worker gave it up
    assert not (tmp_path / "runs" / rid).exists()


# ----------------------------------------------------------------------------- reports


def test_report_builds_run_in_worker_processes_with_a_cap(tmp_path):
    jm = JobManager(None, None, 1, 1, max_reports=1, max_report_queue=1)
    jm.report_fn = slow_report
    jobs = [Job(f"{i:012x}", "epstein-1", None, 0, 5, {}, 10, state="done",
                run_dir=tmp_path / str(i)) for i in range(3)]
    try:
        first = jm.build_report(jobs[0], tmp_path / "0.html")
        assert jm.build_report(jobs[0], tmp_path / "0.html") is first  # joined, not queued
        second = jm.build_report(jobs[1], tmp_path / "1.html")
        assert second is not None
        assert jm.build_report(jobs[2], tmp_path / "2.html") is None  # over the cap
        pids = {first.result(timeout=120), second.result(timeout=120)}
        assert os.getpid() not in pids
        assert len(pids) == 2  # one build per process: its memory is returned after
        third = jm.build_report(jobs[2], tmp_path / "2.html")
        assert third is not None and third.result(timeout=120) != os.getpid()
        assert (tmp_path / "2.html").read_text().startswith("<html>")
    finally:
        jm.close()


def test_report_endpoint_builds_outside_the_api_process(small_app):
    body = {"scenario": "epstein-1", "seed": 2, "ticks": 10, "knobs": {"scale": 20}}
    with client(small_app) as c:
        rid = wait_done(c, c.post("/api/runs", json=body).json()["id"])["id"]
        r = c.get(f"/api/runs/{rid}/report")
        assert r.status_code == 200 and "Plotly.newPlot" in r.text
        built_in = small_app.state.jobs._reports[rid].result()
    assert built_in != os.getpid()


def test_openapi_lists_cancel_and_extend(standin_app):
    with client(standin_app) as c:
        spec = c.get("/openapi.json").json()
    assert "delete" in spec["paths"]["/api/runs/{run_id}"]
    assert "extend" in spec["components"]["schemas"]["RunRequest"]["properties"]
    assert json.dumps(spec["components"]["schemas"]["KnobValues"]).count("maximum") >= 6
