"""The JSON API, through FastAPI's test client, with the real engine on small runs."""

from __future__ import annotations

import json
import math
import threading
import time

import pytest

from centrehold.errors import UserError
from centrehold.infer.folder import CompareFolder, CompareSettings, write_compare_folder
from centrehold.scenario import load_scenario
from centrehold.web import knobs as K
from centrehold.web.app import Limits, create_app
from fixtures import synthetic

from .webkit import client, wait_done

EPSTEIN_SMALL = {"scenario": "epstein-1", "seed": 7, "ticks": 30, "knobs": {"scale": 20}}
IRAQ_SMALL = {"scenario": "iraq-2009", "hypothesis": "H3", "seed": 3, "ticks": 70,
              "knobs": {"scale": 10000, "revenge": 0.5, "forces_after_withdrawal": 0.2}}


def test_scenarios_list_knobs_and_hypotheses(small_app):
    with client(small_app) as c:
        body = c.get("/api/scenarios").json()
    by = {s["name"]: s for s in body}
    assert {"epstein-1", "iraq-2009"} <= set(by)
    iraq = by["iraq-2009"]
    assert [k["id"] for k in iraq["knobs"]] == ["legitimacy", "forces_after_withdrawal",
                                                "operations_after_withdrawal",
                                                "revenge", "funding_cut", "scale"]
    from centrehold.scenario import load_scenario

    assert [h["id"] for h in iraq["hypotheses"]] == list(load_scenario("iraq-2009").hypotheses)
    assert [h["id"] for h in iraq["hypotheses"]][:7] == [f"H{i}" for i in range(7)]
    assert iraq["tick_unit"] == "day" and iraq["ticks"] == 1461  # 2008-01-01..2011-12-31
    for s in body:
        for k in s["knobs"]:
            assert k["min"] <= k["value"] <= k["max"], (s["name"], k)
    assert by["epstein-1"]["hypotheses"] == []


def test_knobs_land_in_the_scenario():
    base = load_scenario("iraq-2009")
    ov = K.overrides_for(base, {"legitimacy": 0.5, "funding_cut": 0.75, "revenge": 1.25,
                                "forces_after_withdrawal": 0.35, "scale": 5000,
                                "operations_after_withdrawal": 0.8})
    scn = load_scenario("iraq-2009", ov)
    old, new = base.intergroup.legitimacy, scn.intergroup.legitimacy
    assert sum(new.values()) / len(new) == pytest.approx(0.5)
    # each community keeps its difference from the mean (nothing clipped at these values)
    diffs = {g: (new[g] - old[g]) for g in old}
    assert max(diffs.values()) - min(diffs.values()) == pytest.approx(0.0, abs=1e-12)
    assert scn.funding.cut_level == pytest.approx(0.25)
    assert scn.revenge.strength == 1.25 and scn.street_share_after_withdrawal == 0.35
    assert scn.operations.kept_after_withdrawal == 0.8
    assert scn.people_per_agent == 5000
    # agents scale inversely with people per agent
    assert K.estimate_agents(scn) == pytest.approx(K.estimate_agents(base) * 2000 / 5000, rel=0.01)


def test_epstein_run_end_to_end_and_reproducible(small_app):
    with client(small_app) as c:
        first = c.post("/api/runs", json=EPSTEIN_SMALL)
        assert first.status_code == 202 and first.json()["total"] == 30
        st = wait_done(c, first.json()["id"])
        assert st["state"] == "done" and st["done"] == st["total"] == 30, st
        res = c.get(f"/api/runs/{st['id']}/results").json()
        assert list(res["figures"]) == ["states"] and res["regional"] is False
        assert res["summary"]["agents"] == 296  # 20 x 20 x (0.70 + 0.04)
        report = c.get(f"/api/runs/{st['id']}/report")
        assert report.status_code == 200 and "Plotly.newPlot" in report.text
        again = wait_done(c, c.post("/api/runs", json=EPSTEIN_SMALL).json()["id"])
        res2 = c.get(f"/api/runs/{again['id']}/results").json()
        assert res2["summary"]["final"] == res["summary"]["final"]
        assert res2["figures"]["states"]["figure"]["data"] == \
            res["figures"]["states"]["figure"]["data"]


def test_worker_processes_match_threads_bit_for_bit(small_app, tmp_path):
    """The served app runs the engine in worker processes; same seed, same result as a
    run in the server's own threads, and progress crosses the process boundary."""
    with client(small_app) as c:
        ref_id = wait_done(c, c.post("/api/runs", json=EPSTEIN_SMALL).json()["id"])["id"]
        ref = c.get(f"/api/runs/{ref_id}/results").json()
    app = create_app(Limits(max_concurrent=1, max_queued=1), runs_dir=tmp_path / "p")
    with client(app) as c:
        run_id = c.post("/api/runs", json=EPSTEIN_SMALL).json()["id"]
        st = wait_done(c, run_id, timeout=300)  # starting a worker process is slow when busy
        assert st["state"] == "done", st
        res = c.get(f"/api/runs/{run_id}/results").json()
        assert (tmp_path / "p" / run_id / "ticks.parquet").is_file()
        job = app.state.jobs.get(run_id)
        deadline = time.time() + 60
        while job.reports == 0 and time.time() < deadline:  # reports may trail the result
            time.sleep(0.05)
        assert job.reports > 0
    assert res["summary"]["final"] == ref["summary"]["final"]
    assert res["figures"]["states"]["figure"]["data"] == ref["figures"]["states"]["figure"]["data"]


def test_iraq_run_gives_map_and_record(small_app):
    with client(small_app) as c:
        st = wait_done(c, c.post("/api/runs", json=IRAQ_SMALL).json()["id"])
        assert st["state"] == "done", st
        res = c.get(f"/api/runs/{st['id']}/results").json()
        assert {"national_deaths", "map_deaths_per_100k", "deaths_by_group", "segregation",
                "centre_holds"} <= set(res["figures"])
        fig = res["figures"]["map_deaths_per_100k"]["figure"]
        shapes = [t for t in fig["data"] if t.get("fill") == "toself"]
        assert len(shapes) == 18
        assert len(fig["frames"]) == 3  # 70 days from 2008-01-01: January to March
        names = [t.get("name", "") for t in res["figures"]["national_deaths"]["figure"]["data"]]
        assert any(n.startswith("observed") for n in names)
        assert res["summary"]["start_date"] == "2008-01-01"


def test_events_stream_progress_then_end(small_app):
    with client(small_app) as c:
        run_id = c.post("/api/runs", json=EPSTEIN_SMALL).json()["id"]
        with c.stream("GET", f"/api/runs/{run_id}/events") as resp:
            assert resp.headers["content-type"].startswith("text/event-stream")
            text = "".join(resp.iter_text())
    events = [blk for blk in text.strip().split("\n\n") if blk]
    kinds = [blk.split("\n")[0].removeprefix("event: ") for blk in events]
    assert kinds[-1] == "end" and set(kinds[:-1]) == {"progress"}
    data = [json.loads(blk.split("\n")[1].removeprefix("data: ")) for blk in events]
    done = [d["done"] for d in data]
    assert done == sorted(done) and data[-1]["state"] == "done" and done[-1] == 30


@pytest.mark.parametrize("body, status, words", [
    ({"scenario": "../../etc/passwd"}, 422, "not a path"),
    ({"scenario": "/work/shared/x.yaml"}, 422, "not a path"),
    ({"scenario": "atlantis"}, 404, "choose one of"),
    ({"scenario": "epstein-1", "hypothesis": "H1"}, 422, "has no hypotheses"),
    ({"scenario": "iraq-2009", "hypothesis": "H9"}, 422, "choose one of"),
    ({"scenario": "epstein-1", "knobs": {"revenge": 1.0}}, 422, "does not apply"),
    ({"scenario": "epstein-1", "knobs": {"legitimacy": 2.0}}, 422, "less than or equal"),
    ({"scenario": "epstein-1", "colour": "red"}, 422, "Extra inputs"),
    ({"scenario": "iraq-2009", "ticks": 10, "knobs": {"scale": 200}}, 422, "run too large"),
    ({"scenario": "epstein-1", "ticks": 100000}, 422, "run too long"),
])
def test_bad_requests_are_refused_clearly(small_app, body, status, words):
    with client(small_app) as c:
        r = c.post("/api/runs", json=body)
    assert r.status_code == status
    assert words in json.dumps(r.json())


def test_oversize_bodies_are_refused(small_app):
    big = json.dumps({"scenario": "epstein-1", "pad": "x" * 50_000}).encode()
    with client(small_app) as c:
        r = c.post("/api/runs", content=big, headers={"content-type": "application/json"})
        assert r.status_code == 413 and "too large" in r.json()["detail"]

        def chunks():  # no Content-Length: the cap must hold on the stream too
            for i in range(0, len(big), 4096):
                yield big[i:i + 4096]

        r = c.post("/api/runs", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413 and "too large" in r.json()["detail"]


@pytest.mark.parametrize("path", [
    "/static/%2e%2e/app.py", "/static/..%2f..%2fpyproject.toml", "/static/%2e%2e%2fjobs.py",
    "/static//etc/passwd", "/static/vendor/..%2f..%2fapp.py", "/static/a\\..\\app.py",
])
def test_static_traversal_refused(small_app, path):
    with client(small_app) as c:
        r = c.get(path)
    assert 400 <= r.status_code < 500
    assert "static folder" in r.json()["detail"]
    assert "create_app" not in r.text and "[project]" not in r.text


def test_static_serves_page_and_local_plotly(small_app):
    with client(small_app) as c:
        page = c.get("/")
        assert page.status_code == 200 and 'src="/static/vendor/plotly.min.js"' in page.text
        assert "http://" not in page.text and "https://" not in page.text  # works offline
        js = c.get("/static/vendor/plotly.min.js")
        assert js.status_code == 200 and len(js.content) > 1_000_000
        assert c.get("/static/app.js").status_code == 200
        assert c.get("/static/missing.js").status_code == 404


def test_unknown_and_unfinished_runs(small_app):
    gate = threading.Event()

    def slow(scn, seed, ticks, progress=None):
        gate.wait(30)
        raise UserError("stand-in engine stopped on purpose; nothing to fix")

    app = create_app(Limits(max_concurrent=1, max_queued=0), simulate=slow)
    with client(app) as c:
        r = c.get("/api/runs/nope")
        assert r.status_code == 404 and "POST /api/runs" in r.json()["detail"]
        run_id = c.post("/api/runs", json={"scenario": "epstein-1"}).json()["id"]
        r = c.get(f"/api/runs/{run_id}/results")
        assert r.status_code == 409 and "wait for it to finish" in r.json()["detail"]
        r = c.post("/api/runs", json={"scenario": "epstein-1"})
        assert r.status_code == 429 and "too many runs" in r.json()["detail"]
        gate.set()
        st = wait_done(c, run_id)
        assert st["state"] == "error" and st["error"].startswith("stand-in engine stopped")
        assert c.get(f"/api/runs/{run_id}/results").json()["detail"] == st["error"]


def test_compare_results(tmp_path):
    with client(create_app()) as c:
        r = c.get("/api/compare")
        assert r.status_code == 404 and "--compare-dir" in r.json()["detail"]
    post, ach = synthetic.compare_tables()
    write_compare_folder(CompareFolder(CompareSettings("synthetic"), post, ach=ach), tmp_path)
    with client(create_app(compare_dir=tmp_path)) as c:
        body = c.get("/api/compare").json()
    assert set(body["figures"]) == {"posterior", "ach"}
    assert sum(p["probability"] for p in body["posterior"]) == pytest.approx(1.0)
    assert body["ach"]["columns"] == [f"H{i}" for i in range(7)]


def test_openapi_describes_the_api(small_app):
    with client(small_app) as c:
        spec = c.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/scenarios", "/api/scenarios/{name}", "/api/runs", "/api/runs/{run_id}",
            "/api/runs/{run_id}/events", "/api/runs/{run_id}/results", "/api/compare"} <= paths
    assert "RunRequest" in spec["components"]["schemas"]


def test_serve_cli_refuses_a_missing_compare_folder(tmp_path):
    from typer.testing import CliRunner

    from centrehold.cli.main import app

    r = CliRunner().invoke(app, ["serve", "--compare-dir", str(tmp_path / "none")])
    assert r.exit_code == 2 and "no such folder" in r.output and "Traceback" not in r.output


def test_epstein_knobs_and_lengths():
    base = load_scenario("epstein-1")
    ov = K.overrides_for(base, {"legitimacy": 0.7, "forces": 0.06, "scale": 30})
    assert ov == {"legitimacy": "0.7", "cop_density": "0.06", "width": "30", "height": "30"}
    scn = load_scenario("epstein-1", ov)
    assert K.estimate_agents(scn) == int(30 * 30 * (0.70 + 0.06))
    assert K.default_ticks(scn) == base.ticks
    week = load_scenario("iraq-2009", {"calendar.tick": "week"})
    assert K.default_ticks(week) == math.ceil(1461 / 7)  # the scenario counts part weeks


def test_run_figures_are_the_reports_own_plan(tmp_path):
    """The dashboard draws the report's public figure plan: same figures, titles, captions."""
    from centrehold.report import figure_plan, load_runs
    from centrehold.report.data import compute
    from centrehold.report.geo import load_boundaries
    from centrehold.runs.single import write_run
    from centrehold.web.jobs import run_results

    ds = synthetic.regional_dataset(ticks=30, seed=4)
    res = run_results(ds, 0.5)
    write_run(ds, tmp_path / "run")
    rd = compute(load_runs(tmp_path / "run"))
    plan = {fig.name: fig for fig in figure_plan(rd, load_boundaries())}
    assert set(res["figures"]) - {"map_observed"} == set(plan) - {"states"}
    for name, shown in res["figures"].items():
        if name in plan:
            assert (shown["title"], shown["caption"]) == (plan[name].title, plan[name].caption)
