"""`centrehold data import` and `centrehold data fetch` (a local HTTP server, no internet)."""

from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from centrehold.cli.main import app
from centrehold.errors import UserError
from centrehold.record import fetch_ged, ged_url, read_table

runner = CliRunner()


def test_import_writes_parquet_and_reports(tmp_path, layouts):
    path = layouts.ged(tmp_path / "ged.csv", [
        layouts.ged_row(id=1),
        layouts.ged_row(id=2, adm_1="Gotham province"),
        layouts.ged_row(id=3, date_start="bad"),
    ])
    out = tmp_path / "ged.parquet"
    result = runner.invoke(app, ["data", "import", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = result.output
    assert "rows read: 3; events kept: 2" in text
    assert "line 4: bad start date 'bad'" in text
    assert "'Gotham province': 1 events" in text
    assert "events without region (in national totals only): 1" in text
    assert "date range: 2009-01-05 to 2009-01-05" in text
    table, meta = read_table(out)
    assert meta["events"] == 2
    assert table["deaths_best"].sum() == 10.0


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["data", "import", "/no/such/file.csv"], "no such file"),
        (["data", "import", "{dir}"], "is a folder"),
        (["data", "import", "{ged}", "--out", "{dir}/x.csv"], "must end in .parquet"),
        (["data", "import", "{ged}", "--aliases", "/no/aliases.csv"], "no such alias table"),
        (["data", "import", "{ged}", "--format", "acled"], "fatalities"),
        (["data", "import", "{ged}", "--encoding", "klingon"], "unknown encoding"),
        (["data", "fetch", "ged", "--version", "25"], "not like 25.1"),
        (["data", "fetch", "ged", "--url", "ftp://x/y"], "not a download address"),
    ],
)
def test_user_mistakes_are_one_line(tmp_path, layouts, args, needle):
    ged = layouts.ged(tmp_path / "ged.csv", [layouts.ged_row()])
    args = [a.format(dir=tmp_path, ged=ged) for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and needle in lines[0]
    assert "Traceback" not in result.output


@pytest.fixture
def server(tmp_path):
    """A local HTTP server on 127.0.0.1 serving files from a folder, counting requests."""
    root = tmp_path / "www"
    root.mkdir()
    hits: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def test_fetch_downloads_checks_and_caches(tmp_path, layouts, server):
    root, base, hits = server
    payload = layouts.ged(root / "ged251-csv.csv", [layouts.ged_row()]).read_bytes() * 3000
    (root / "ged251-csv.csv").write_bytes(payload)
    digest = hashlib.sha256(payload).hexdigest()
    cache = tmp_path / "cache"
    url = f"{base}/ged251-csv.csv"
    calls: list[tuple[int, int]] = []
    first = fetch_ged(url=url, cache=cache, progress=lambda d, t: calls.append((d, t)))
    assert not first.from_cache and first.sha256 == digest
    assert first.path.read_bytes() == payload
    assert calls[-1] == (len(payload), len(payload))
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:], strict=False))
    assert (cache / "ged251-csv.csv.sha256").read_text().split()[0] == digest
    second = fetch_ged(url=url, cache=cache, expected_sha256=digest)
    assert second.from_cache and len(hits) == 1
    # A corrupted cached copy is downloaded again, not trusted.
    first.path.write_bytes(b"x" + payload[1:])
    third = fetch_ged(url=url, cache=cache)
    assert not third.from_cache and len(hits) == 2 and third.path.read_bytes() == payload
    with pytest.raises(UserError, match="not the expected"):
        fetch_ged(url=url, cache=tmp_path / "other", expected_sha256="0" * 64)
    assert not (tmp_path / "other/ged251-csv.csv").exists()
    with pytest.raises(UserError, match="could not download"):
        fetch_ged(url=f"{base}/missing.zip", cache=cache)


def test_fetch_command_prints_path_and_checksum(tmp_path, layouts, server):
    root, base, _hits = server
    payload = layouts.ged(root / "g.csv", [layouts.ged_row()]).read_bytes()
    cache = tmp_path / "cache"
    args = ["data", "fetch", "ged", "--url", f"{base}/g.csv", "--cache", str(cache)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"sha256 {hashlib.sha256(payload).hexdigest()}" in result.output
    assert "downloaded from" in result.output
    again = runner.invoke(app, args)
    assert "already in the cache" in again.output
    imported = runner.invoke(
        app, ["data", "import", str(cache / "g.csv"), "--out", str(tmp_path / "g.parquet")]
    )
    assert imported.exit_code == 0 and "events kept: 1" in imported.output


def test_ged_url_follows_ucdp_naming():
    assert ged_url("25.1") == "https://ucdp.uu.se/downloads/ged/ged251-csv.zip"
    assert Path(ged_url("24.1")).name == "ged241-csv.zip"


def test_import_of_the_real_coded_ibc_file(shared_data, tmp_path):
    path = shared_data / "ibc/IBC_event_province-coded_excl-wikileaks.csv"
    out = tmp_path / "ibc.parquet"
    result = runner.invoke(app, ["data", "import", str(path), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "read as ibc-province" in result.output
    assert "rows read: 24036; events kept: 24016" in result.output
    assert "line 6557: bad start date 'upto'" in result.output
    assert "unmatched admin names" not in result.output
    assert "date range: 2003-01-01 to 2010-12-31" in result.output
    table, meta = read_table(out)
    assert int(table["incidents"].sum()) == 24016 and meta["unlocated_events"] == 1210
