"""What the page gets for one run: consistent counts, one-run labels, the record drawn as a
band with its end marked, counts from zero, and the run's data to download."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pandas as pd
import pytest

from centrehold.web.figures import polish, values

from .test_web_api import EPSTEIN_SMALL, IRAQ_SMALL
from .webkit import client, wait_done


def _iraq(small_app):
    with client(small_app) as c:
        st = wait_done(c, c.post("/api/runs", json=IRAQ_SMALL).json()["id"])
        res = c.get(f"/api/runs/{st['id']}/results").json()
        files = {n: c.get(f"/api/runs/{st['id']}/files/{n}") for n in res["downloads"]}
    return st, res, files


@pytest.fixture(scope="module")
def iraq_run(tmp_path_factory):
    from centrehold.engine import simulate
    from centrehold.web.app import create_app

    from .webkit import SMALL

    app = create_app(SMALL, simulate=simulate, runs_dir=tmp_path_factory.mktemp("runs"))
    return _iraq(app)


def test_status_and_summary_agree(iraq_run):
    st, res, _ = iraq_run
    assert st["agents"] == res["summary"]["agents"]  # the count, not the estimate, once done
    assert st["sim_seconds"] == res["summary"]["wall_seconds"]
    assert st["elapsed"] >= st["sim_seconds"]


def test_one_run_is_not_called_a_mean(iraq_run):
    _, res, _ = iraq_run
    assert "mean of runs" not in json.dumps(res)
    ytitle = res["figures"]["deaths_by_group"]["figure"]["layout"]["yaxis"]["title"]["text"]
    assert "one run" in ytitle


def test_counts_from_zero_and_the_record_as_a_band(iraq_run):
    _, res, _ = iraq_run
    for name in ("national_deaths", "deaths_by_group"):
        layout = res["figures"][name]["figure"]["layout"]
        assert layout["yaxis"].get("rangemode") == "tozero" or layout["yaxis"].get("type") == "log"
    data = res["figures"]["national_deaths"]["figure"]["data"]
    names = [t.get("name") for t in data]
    assert "observed (IBC min-max)" in names and "observed (IBC max)" not in names
    band = names.index("observed (IBC min-max)")
    assert data[band]["fill"] == "tonexty" and names[band - 1] == "observed (IBC min)"
    assert data[band - 1].get("showlegend") is False
    assert res["summary"]["record_end"] is None  # 70 days end long before the record does


def test_the_record_end_is_marked_when_the_run_goes_past_it():
    months = [f"{y}-{m:02d}-01" for y in (2010, 2011) for m in range(1, 13)]
    fig = {"data": [
        {"name": "simulated", "x": months, "y": [1] * 24},
        {"name": "observed (IBC max)", "x": months[:12], "y": [3] * 12},
        {"name": "observed (IBC min)", "x": months[:12], "y": [2] * 12}],
        "layout": {"yaxis": {"title": {"text": "deaths (people, mean of runs)"}}}}
    figures = {"national_deaths": {"title": "t", "caption": "mean of runs", "figure": fig}}
    assert polish(figures) == "2010-12"
    shapes = fig["layout"]["shapes"]
    assert shapes[0]["x0"] == "2010-12-01" and shapes[0]["line"]["dash"] == "dot"
    assert "record ends 2010-12" in fig["layout"]["annotations"][0]["text"]
    assert [t["name"] for t in fig["data"]] == ["simulated", "observed (IBC min)",
                                                "observed (IBC min-max)"]
    assert figures["national_deaths"]["caption"] == "one run"
    assert fig["layout"]["yaxis"]["rangemode"] == "tozero"
    # a run that ends with the record gets no mark
    fig2 = {"data": [{"name": "simulated", "x": months[:12], "y": [1] * 12},
                     {"name": "observed", "x": months[:12], "y": [2] * 12}], "layout": {}}
    assert polish({"national_deaths": {"title": "t", "figure": fig2}}) is None
    assert "shapes" not in fig2["layout"]


def test_a_flat_segregation_index_says_why(iraq_run):
    _, res, _ = iraq_run
    seg = res["figures"]["segregation"]
    ys = [values(t["y"]) for t in seg["figure"]["data"]]
    flat = all(np.ptp(y[np.isfinite(y)]) == 0 for y in ys)
    assert ("Flat here" in seg["caption"]) == flat
    still = {"segregation": {"title": "t", "caption": "c", "figure": {
        "data": [{"name": "Theil's H", "y": {"dtype": "f8", "bdata": base64.b64encode(
            np.full(5, 0.59).tobytes()).decode()}}], "layout": {}}}}
    polish(still)
    assert still["segregation"]["caption"].startswith("c Flat here")
    moving = {"segregation": {"title": "t", "caption": "c", "figure": {
        "data": [{"name": "Theil's H", "y": [0.5, 0.5, 0.51]}], "layout": {}}}}
    polish(moving)
    assert moving["segregation"]["caption"] == "c"


def test_run_data_downloads_as_parquet_and_csv(iraq_run):
    st, res, files = iraq_run
    assert {"ticks.parquet", "ticks.csv", "regions.csv", "summary.json"} <= set(res["downloads"])
    for name, r in files.items():
        assert r.status_code == 200, name
        assert f"iraq-2009-{st['id']}-{name}" in r.headers["content-disposition"]
    table = pd.read_parquet(io.BytesIO(files["ticks.parquet"].content))
    csv = pd.read_csv(io.BytesIO(files["ticks.csv"].content))
    assert len(table) == len(csv) > 0 and list(table.columns) == list(csv.columns)
    assert table["tick"].nunique() == 70  # one row set a day, 70 days
    assert json.loads(files["summary.json"].content)["agents"] == st["agents"]


def test_downloads_refused_clearly(small_app):
    with client(small_app) as c:
        rid = wait_done(c, c.post("/api/runs", json=EPSTEIN_SMALL).json()["id"])["id"]
        assert c.get(f"/api/runs/{rid}/files/regions.csv").status_code == 404  # not regional
        r = c.get(f"/api/runs/{rid}/files/passwd")
        assert r.status_code == 404 and "choose one of" in r.json()["detail"]
        r = c.get(f"/api/runs/{rid}/files/..%2f..%2fetc%2fpasswd")
        assert r.status_code == 404 and "root:" not in r.text
        assert c.get(f"/api/runs/{rid}/files/ticks.parquet").status_code == 200


def test_a_later_server_lists_the_runs_left_in_runs_dir(tmp_path):
    from centrehold.engine import simulate
    from centrehold.web.app import create_app

    from .webkit import SMALL

    runs = tmp_path / "runs"
    with client(create_app(SMALL, simulate=simulate, runs_dir=runs)) as c:
        first = [wait_done(c, c.post("/api/runs", json=body).json()["id"])
                 for body in (EPSTEIN_SMALL, IRAQ_SMALL)]
        before = {s["id"]: c.get(f"/api/runs/{s['id']}/results").json() for s in first}
        listed_before = c.get("/api/runs").json()
    (runs / "0123456789ab").mkdir()  # a damaged folder: skipped, not a crash
    (runs / "0123456789ab" / "web.json").write_text("{not json")
    (runs / "0123456789ab" / "ticks.parquet").write_text("")
    (runs / "0123456789ab" / "summary.json").write_text("{}")
    later = create_app(SMALL, simulate=simulate, runs_dir=runs)
    with client(later) as c:
        listed = c.get("/api/runs").json()
        assert [r["id"] for r in listed] == [r["id"] for r in listed_before]
        for old, new in zip(listed_before, listed, strict=True):
            for key in ("scenario", "hypothesis", "seed", "ticks", "agents", "state",
                        "settings", "sim_seconds"):
                assert old[key] == new[key], key
        for rid, res in before.items():
            again = c.get(f"/api/runs/{rid}/results").json()
            assert set(again["figures"]) == set(res["figures"])
            assert again["summary"]["agents"] == res["summary"]["agents"]
            main = "national_deaths" if res["regional"] else "states"
            assert again["figures"][main]["figure"]["data"] == \
                res["figures"][main]["figure"]["data"]
            assert c.get(f"/api/runs/{rid}/files/ticks.parquet").status_code == 200


def test_the_record_on_the_map_beside_the_simulated_one(iraq_run):
    from centrehold.record import iraq_panel
    from centrehold.scenario import load_scenario

    _, res, _ = iraq_run
    obs = res["figures"]["map_observed"]
    fig = obs["figure"]
    assert len([t for t in fig["data"] if t.get("fill") == "toself"]) == 18
    assert [f["name"] for f in fig["frames"]] == ["2008-01", "2008-02", "2008-03"]
    assert "Iraq Body Count" in obs["caption"] and "2008-01 to 2008-03" in obs["caption"]
    # a value read off the map is the record's maximum over the scenario's population
    panel = iraq_panel()
    row = panel[(panel["region"] == "IQ-BG") & (panel["month"] == "2008-02-01")]
    pop = {r.iso: r.population for r in load_scenario("iraq-2009").regions}["IQ-BG"]
    expected = float(row["deaths_high"].sum()) / pop * 1e5
    texts = [t["text"] for t in fig["frames"][1]["data"]]
    baghdad = next(t for t in texts if t.startswith("Baghdad"))
    assert baghdad == f"Baghdad: {expected:.2f} per 100,000"
