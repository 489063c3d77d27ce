"""End to end in headless Chromium: pick iraq-2009 and a hypothesis, run, see chart and map."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from centrehold.infer.folder import CompareFolder, CompareSettings, write_compare_folder
from centrehold.web.app import create_app

from .webkit import SMALL, LiveServer

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium not installed"),
]


@pytest.fixture
def page_at(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    from centrehold.engine import simulate
    from fixtures import synthetic

    post, ach = synthetic.compare_tables()
    write_compare_folder(CompareFolder(CompareSettings("synthetic"), post, ach=ach), tmp_path)
    app = create_app(SMALL, simulate=simulate, runs_dir=tmp_path / "runs",
                     compare_dir=tmp_path)
    with LiveServer(app) as server, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        outside, problems = [], []
        page.on("request", lambda r: None if r.url.startswith(server.url)
                else outside.append(r.url))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(server.url + "/")
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        yield page, outside, problems
        browser.close()


def test_run_iraq_in_the_browser(page_at, tmp_path):
    page, outside, problems = page_at
    assert page.input_value("#scenario") == "iraq-2009"
    page.select_option("#hypothesis", "H3")
    assert "withdrawal" in page.text_content("#hypothesis-desc")
    page.fill("#ticks", "75")
    page.fill("#knob-scale", "10000")
    page.fill("#knob-revenge", "0.6")
    assert page.text_content("#out-revenge") == "0.6"
    page.click("#run-button")
    page.wait_for_selector("#status[data-state='done']", timeout=120_000)
    assert page.locator("#progress-fill").evaluate("e => e.style.width") == "100%"
    page.wait_for_selector("#chart-national_deaths .main-svg", timeout=30_000)
    page.wait_for_selector("#chart-map_deaths_per_100k .main-svg", timeout=30_000)
    # the map has one filled shape per governorate and a month slider
    assert page.locator("#chart-map_deaths_per_100k path.js-fill").count() == 18
    assert page.locator("#chart-map_deaths_per_100k .slider-container").count() == 1
    # and the record's own map beside it, for the months the record covers
    page.wait_for_selector("#chart-map_observed .main-svg", timeout=30_000)
    assert page.locator("#chart-map_observed path.js-fill").count() == 18
    assert "Iraq Body Count" in page.text_content("#charts")
    cards = page.text_content("#cards")
    assert "deaths (people)" in cards and "2008-01-01" in cards
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000
    assert outside == [], f"the page fetched from outside the server: {outside}"
    assert problems == [], problems
    keep = os.environ.get("CENTREHOLD_SCREENSHOT")
    if keep:
        Path(keep).write_bytes(shot.read_bytes())


def test_refusals_reach_the_page_and_compare_tab(page_at):
    page, _outside, _problems = page_at
    page.select_option("#scenario", "epstein-1")
    assert page.is_hidden("#hypothesis-panel")
    page.fill("#ticks", "100000")
    page.click("#run-button")
    page.wait_for_selector("#error:not([hidden])", timeout=10_000)
    assert "run too long" in page.text_content("#error")
    assert page.is_enabled("#run-button")
    page.click("#tab-compare")
    page.wait_for_selector("#cmp-posterior .main-svg", timeout=30_000)
    page.wait_for_selector("#cmp-ach .main-svg", timeout=30_000)
    assert page.is_hidden("#run-view")
    assert page.locator("#cmp-posterior .bars path").count() == 7


def test_dns_rebinding_is_refused_in_a_real_browser(tmp_path):
    """A site whose name resolves to 127.0.0.1 (as after DNS rebinding) gets nothing: not the
    page, not the API; the same server answers its own address."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from .webkit import ticking

    app = create_app(SMALL, simulate=ticking, runs_dir=tmp_path / "runs")
    rebind = ["--host-resolver-rules=MAP evil.test 127.0.0.1"]
    with LiveServer(app) as server, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS + rebind,
                                     headless=True)
        try:
            page = browser.new_page()
            evil = f"http://evil.test:{server.port}"
            resp = page.goto(evil + "/")
            assert resp is not None and resp.status == 421
            assert "not served here" in page.content()
            assert page.locator("#run-button").count() == 0
            # the attacker's script, running in its own origin, tries the API
            tried = page.evaluate("""async () => {
                const post = await fetch('/api/runs', {method: 'POST',
                    headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({scenario: 'epstein-1', ticks: 5})});
                const list = await fetch('/api/runs');
                return [post.status, list.status, await list.text()];
            }""")
            assert tried[0] == 421 and tried[1] == 421 and "epstein" not in tried[2]
            assert app.state.jobs.list() == []  # nothing was started
            ok = page.goto(server.url + "/")
            assert ok is not None and ok.status == 200
            page.wait_for_selector("body[data-ready='1']", timeout=30_000)
            assert page.input_value("#scenario") == "iraq-2009"
        finally:
            browser.close()


class _Page:
    """A page of a live server in headless Chromium, with the console watched."""

    def __init__(self, app, path: str = "/") -> None:
        self.app, self.path = app, path

    def __enter__(self):
        self.sync_api = pytest.importorskip("playwright.sync_api")
        self.server = LiveServer(app=self.app).__enter__()
        self._pw = self.sync_api.sync_playwright()
        self.pw = self._pw.__enter__()
        self.browser = self.pw.chromium.launch(executable_path=CHROMIUM, args=ARGS,
                                               headless=True)
        self.context = self.browser.new_context(viewport={"width": 1400, "height": 1000},
                                                accept_downloads=True)
        page = self.context.new_page()
        self.problems = []
        page.on("pageerror", lambda e: self.problems.append(str(e)))
        page.goto(self.server.url + self.path)
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        self.page = page
        return self

    def __exit__(self, *exc) -> None:
        self.browser.close()
        self._pw.__exit__(*exc)
        self.server.__exit__(*exc)


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def test_counts_agree_units_are_people_and_data_downloads(tmp_path):
    from centrehold.engine import simulate

    app = create_app(SMALL, simulate=simulate, runs_dir=tmp_path / "runs")
    with _Page(app) as p:
        page = p.page
        assert page.is_visible("#runs-empty")
        page.select_option("#hypothesis", "H2")
        page.fill("#ticks", "60")
        page.fill("#knob-scale", "10000")
        page.click("#run-button")
        page.wait_for_selector("#status[data-state='done']", timeout=120_000)
        page.wait_for_selector("#cards .card", timeout=30_000)
        status = page.text_content("#status")
        cards = {page.locator("#cards .card .k").nth(i).text_content():
                 page.locator("#cards .card .v").nth(i).text_content()
                 for i in range(page.locator("#cards .card").count())}
        # the status line and the card give the same count of agents and time
        agents = _number(cards["agents"])
        assert f"{agents:,} agents" in status, (status, cards)
        assert f"simulation {cards['simulation time (s)']} s" in status
        # every count in people in the regional world, none in agents
        assert {"deaths (people)", "arrests (people)", "peak active (people)"} <= set(cards)
        assert "agents × 10,000" in page.text_content("#cards")
        # the past runs list shows it, done, and marked as the one on screen
        row = page.locator("#runs-list tr")
        assert row.count() == 1 and "done" in row.text_content() and "H2" in row.text_content()
        assert "current" in (row.get_attribute("class") or "")
        # its data downloads as Parquet and CSV
        links = page.locator("#downloads a")
        names = [links.nth(i).text_content() for i in range(links.count())]
        assert {"ticks.parquet", "ticks.csv", "regions.csv"} <= set(names)
        with page.expect_download() as dl:
            page.click("#downloads a:text('ticks.csv')")
        saved = tmp_path / "ticks.csv"
        dl.value.save_as(saved)
        assert saved.read_text().splitlines()[0].startswith('"tick"') or \
            saved.read_text().startswith("tick")
        assert len(saved.read_text().splitlines()) > 1000
        assert p.problems == []


def test_cancel_from_the_page_and_the_past_runs_list(tmp_path):
    from .webkit import ticking

    app = create_app(SMALL, simulate=ticking, runs_dir=tmp_path / "runs")
    with _Page(app) as p:
        page = p.page
        page.select_option("#scenario", "epstein-1")
        page.fill("#ticks", "400")
        page.click("#run-button")
        page.wait_for_selector("#status[data-state='running']", timeout=30_000)
        assert page.is_visible("#cancel-button") and page.is_disabled("#run-button")
        page.wait_for_selector("#runs-list tr button.cancel", timeout=10_000)
        page.click("#cancel-button")
        page.wait_for_selector("#status[data-state='cancelled']", timeout=10_000)
        assert page.text_content("#status") == "cancelled"
        assert page.is_hidden("#cancel-button") and page.is_enabled("#run-button")
        page.wait_for_selector("#runs-list td.state-cancelled", timeout=10_000)
        assert page.is_hidden("#error")
        job = app.state.jobs.list()[0]
        assert job.state == "cancelled" and job.done < 400
        # a second run, cancelled from the list instead
        page.click("#run-button")
        page.wait_for_selector("#runs-list tr button.cancel", timeout=10_000)
        page.click("#runs-list tr button.cancel")
        page.wait_for_selector("#status[data-state='cancelled']", timeout=10_000)
        assert page.locator("#runs-list td.state-cancelled").count() == 2
        # a batch of three seeds, stopped as a whole
        page.fill("#seeds", "3")
        page.click("#run-button")
        page.wait_for_selector("#status[data-state='batch']", timeout=10_000)
        page.wait_for_selector("#runs-list tr:nth-child(3) td.state-running, "
                               "#runs-list td.state-running", timeout=10_000)
        page.click("#cancel-button")
        page.wait_for_selector("#status[data-state='cancelled']", timeout=20_000)
        assert page.text_content("#status").startswith("batch stopped")
        assert all(j.state == "cancelled" for j in app.state.jobs.list())
        assert page.is_enabled("#run-button")
        assert p.problems == []


def test_record_end_band_axis_from_zero_and_the_calendar(tmp_path):
    from centrehold.engine import simulate
    from centrehold.web.app import Limits

    app = create_app(Limits(max_agents=20_000, max_ticks=5_000, max_concurrent=1,
                            max_queued=1), simulate=simulate, runs_dir=tmp_path / "runs")
    with _Page(app) as p:
        page = p.page
        assert page.get_attribute("#ticks", "max") == "1461"
        assert "2011-12-31" in page.text_content("#extend-wrap")
        page.check("#extend")
        assert page.get_attribute("#ticks", "max") is None
        page.uncheck("#extend")
        page.fill("#knob-scale", "10000")
        page.click("#run-button")  # the whole calendar: 2008 to 2011
        page.wait_for_selector("#status[data-state='done']", timeout=300_000)
        page.wait_for_selector("#chart-national_deaths .main-svg", timeout=30_000)
        assert "2010-12" in page.text_content("#cards")
        info = page.evaluate("""() => {
            const g = document.getElementById('chart-national_deaths');
            return {y0: g._fullLayout.yaxis.range[0], type: g._fullLayout.yaxis.type,
                    shapes: (g.layout.shapes || []).map((s) => s.x0),
                    notes: (g.layout.annotations || []).map((a) => a.text),
                    band: g.data.filter((t) => t.fill === 'tonexty').map((t) => t.name)};
        }""")
        assert info["type"] == "log" or info["y0"] == 0
        assert [x[:10] for x in info["shapes"]] == ["2010-12-01"]
        assert "record ends 2010-12" in info["notes"][0]
        assert info["band"] == ["observed (IBC min-max)"]
        assert "mean of runs" not in page.content()
        assert page.locator("#chart-national_deaths text.annotation-text").count() >= 1
        shot = os.environ.get("CENTREHOLD_SCREENSHOT_RECORD")
        if shot:
            page.screenshot(path=shot, full_page=True)
        assert p.problems == []


def test_the_page_works_with_a_token(tmp_path):
    from centrehold.engine import simulate

    app = create_app(SMALL, simulate=simulate, runs_dir=tmp_path / "runs", token="t" * 24)
    with _Page(app, path="/?token=" + "t" * 24) as p:
        page = p.page
        page.select_option("#scenario", "epstein-1")
        page.fill("#ticks", "20")
        page.fill("#knob-scale", "20")
        page.click("#run-button")
        page.wait_for_selector("#status[data-state='done']", timeout=60_000)
        page.wait_for_selector("#chart-states .main-svg", timeout=30_000)
        with page.expect_download() as dl:  # links carry the token's cookie too
            page.click("#downloads a:text('ticks.parquet')")
        assert dl.value.failure() is None
        other = p.browser.new_context()  # no cookie, no token: refused
        resp = other.new_page().goto(p.server.url + "/")
        assert resp.status == 401
        other.close()
        assert p.problems == []


def test_runs_side_by_side_and_an_ensemble_over_seeds(tmp_path):
    from centrehold.engine import simulate

    app = create_app(SMALL, simulate=simulate, runs_dir=tmp_path / "runs")
    with _Page(app) as p:
        page = p.page
        page.fill("#ticks", "60")
        page.fill("#knob-scale", "10000")
        for hyp, seed in (("H1", 1), ("H1", 2), ("H3", 1)):
            page.select_option("#hypothesis", hyp)
            page.fill("#seed", str(seed))
            page.click("#run-button")
            page.wait_for_selector("#status[data-state='done']", timeout=120_000)
            page.wait_for_selector("#run-button:enabled")
        page.wait_for_function("document.querySelectorAll('#runs-list input.pick').length == 3")
        assert page.is_disabled("#overlay-button")
        for box in page.locator("#runs-list input.pick").all():
            box.check()
        page.click("#overlay-button")
        page.wait_for_selector("#chart-overlay .main-svg", timeout=30_000)
        assert page.get_attribute("#overlay", "data-groups") == "2"
        names = page.evaluate("document.getElementById('chart-overlay').data.map(t => t.name)")
        assert "H1: median of 2 seeds" in names and "H1: min-max of 2 seeds" in names
        assert "H3, seed 1" in names and "observed (IBC min-max)" in names
        ys = page.evaluate("""() => {
            const d = document.getElementById('chart-overlay').data;
            const f = (n) => d.find(t => t.name === n).y;
            return [f('H1: min'), f('H1: min-max of 2 seeds'), f('H1: median of 2 seeds')];
        }""")
        lo, hi, mid = ys
        assert all(a <= m <= b for a, m, b in zip(lo, mid, hi, strict=True))
        assert any(a < b for a, b in zip(lo, hi, strict=True))  # two seeds differ somewhere
        assert p.problems == []


def test_compare_folder_chosen_in_the_page(tmp_path):
    from fixtures import synthetic

    from .webkit import ticking

    out = tmp_path / "out"
    for name, reverse in (("compare", False), ("compare-b", True)):
        (out / name).mkdir(parents=True)
        post, ach = synthetic.compare_tables()
        if reverse:
            post["probability"] = post["probability"].iloc[::-1].to_numpy()
        folder = CompareFolder(CompareSettings("synthetic"), post, ach=ach)
        write_compare_folder(folder, out / name)
    app = create_app(SMALL, simulate=ticking, compare_root=out)
    with _Page(app) as p:
        page = p.page
        page.click("#tab-compare")
        page.wait_for_selector("#cmp-posterior .main-svg", timeout=30_000)
        options = page.locator("#compare-folder option").all_text_contents()
        assert len(options) == 2 and any(o.startswith("out/compare ") for o in options)

        def bars():
            return page.evaluate("JSON.stringify(document.getElementById('cmp-posterior')"
                                 ".data.map(t => [t.x, t.y]))")

        first, shown = bars(), page.input_value("#compare-folder")
        other = next(v for v in ("out/compare", "out/compare-b") if v != shown)
        page.select_option("#compare-folder", other)
        page.wait_for_function(f"document.querySelector('#compare-msg code').textContent "
                               f"== '{other}'", timeout=30_000)
        page.wait_for_selector("#cmp-posterior .main-svg", timeout=30_000)
        assert bars() != first
        assert p.problems == []


def test_a_batch_of_hypotheses_over_seeds_in_one_click(tmp_path):
    """Two hypotheses by two seeds: four runs through a server that holds three at a time
    (the page submits the rest as runs end), then overlaid as two ensembles."""
    from centrehold.engine import simulate

    app = create_app(SMALL, simulate=simulate, runs_dir=tmp_path / "runs")
    with _Page(app) as p:
        page = p.page
        page.fill("#ticks", "45")
        page.fill("#knob-scale", "10000")
        page.select_option("#hypothesis", "H2")
        page.check("#also-hyps input[value='H5']")
        page.fill("#seeds", "2")
        page.click("#run-button")
        page.wait_for_selector("#status[data-state='done']", timeout=300_000)
        assert page.text_content("#status") == "batch done: 4 of 4 runs finished"
        page.wait_for_selector("#chart-overlay .main-svg", timeout=30_000)
        assert page.get_attribute("#overlay", "data-groups") == "2"
        names = page.evaluate("document.getElementById('chart-overlay').data.map(t => t.name)")
        assert {"H2: median of 2 seeds", "H5: median of 2 seeds"} <= set(names)
        seeds = sorted((j.hypothesis, j.seed) for j in app.state.jobs.list())
        assert seeds == [("H2", 1), ("H2", 2), ("H5", 1), ("H5", 2)]
        assert page.locator("#runs-list input.pick:checked").count() == 4
        assert p.problems == []
