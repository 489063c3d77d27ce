"""End to end in headless Chromium: pick iraq-2009 and a hypothesis, run, see chart and map."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
    from centrehold.report import synthetic

    post, ach = synthetic.compare_tables()
    post.to_csv(tmp_path / "posterior.csv", index=False)
    ach.to_csv(tmp_path / "ach.csv", index=False)
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
