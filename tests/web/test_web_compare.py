"""Compare results chosen in the page: the server finds compare folders; a client picks one
by name, never by path."""

from __future__ import annotations

import os

import pytest

from centrehold.infer.folder import CompareFolder, CompareSettings, write_compare_folder
from centrehold.web.app import create_app
from fixtures import synthetic

from .webkit import client


def _compare_folder(path, shift: float = 0.0):
    path.mkdir(parents=True)
    post, ach = synthetic.compare_tables()
    if shift:
        post["probability"] = post["probability"].iloc[::-1].to_numpy()
    write_compare_folder(CompareFolder(CompareSettings("synthetic"), post, ach=ach), path)
    return path


@pytest.fixture
def root(tmp_path):
    out = tmp_path / "out"
    old = _compare_folder(out / "compare")
    _compare_folder(out / "seeds" / "s2", shift=1.0)
    (out / "run").mkdir()  # a run folder, not a compare output: not listed
    os.utime(old, (1_000_000, 1_000_000))
    return out


def test_compare_folders_found_and_chosen_by_name(root):
    app = create_app(compare_root=root)
    with client(app) as c:
        listed = c.get("/api/compares").json()
        assert [f["name"] for f in listed] == ["out/seeds/s2", "out/compare"]  # newest first
        newest = c.get("/api/compare").json()
        assert newest["source"] == "out/seeds/s2"
        chosen = c.get("/api/compare", params={"name": "out/compare"}).json()
        assert chosen["source"] == "out/compare"
        assert chosen["posterior"] != newest["posterior"]
        for bad in ("/etc", "../out/compare", "out/run", "x" * 300):
            r = c.get("/api/compare", params={"name": bad})
            assert 400 <= r.status_code < 500 and len(r.text) < 500


def test_no_compare_folder_says_how_to_make_one(tmp_path):
    with client(create_app(compare_root=tmp_path / "nothing")) as c:
        assert c.get("/api/compares").json() == []
        r = c.get("/api/compare")
        assert r.status_code == 404 and "centrehold compare --out" in r.json()["detail"]
