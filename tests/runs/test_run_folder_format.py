"""The run folder's format: what is written reads back the same, and a folder of another
schema version, unfinished or missing a file is refused in one line naming the fix."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.runs import folder as rf


def _contents() -> rf.RunContents:
    ticks = pd.DataFrame({"tick": [0, 0, 1, 1], "region": ["IQ-BG", "IQ-BA"] * 2,
                          "deaths": [0, 1, 2, 3], "active": [5, 6, 7, 8]})
    regions = pd.DataFrame({"region": ["IQ-BG", "IQ-BA"], "deaths_total": [2, 4]})
    attacks = pd.DataFrame({"attack": [0], "attack_deaths": [12]})
    return rf.RunContents(ticks, {"name": "toy", "people_per_agent": 1000},
                          {"scenario": "toy", "seed": 4, "total_deaths": 6},
                          sides={"attack": attacks}, regions=regions)


def test_round_trip_reads_back_every_file(tmp_path):
    contents = _contents()
    drawn = []
    files = rf.write_run_folder(tmp_path / "run", contents,
                                {"figure.png": lambda p: (drawn.append(p), p.write_bytes(b"x"))})
    assert files == [rf.TICKS, rf.SCENARIO, rf.SUMMARY, "attack.parquet", rf.REGIONS,
                     "figure.png"]
    assert len(drawn) == 1 and (tmp_path / "run" / "figure.png").read_bytes() == b"x"
    back = rf.read_run_folder(tmp_path / "run")
    pd.testing.assert_frame_equal(back.ticks, contents.ticks)
    pd.testing.assert_frame_equal(back.regions, contents.regions)
    assert back.scenario == contents.scenario and back.summary == contents.summary
    assert back.schema_version == rf.SCHEMA_VERSION and back.files == files
    manifest = json.loads((tmp_path / "run" / rf.MANIFEST).read_text())
    assert manifest["complete"] and manifest["schema_version"] == rf.SCHEMA_VERSION
    assert not [p for p in (tmp_path / "run").iterdir() if rf.is_temporary(p.name)]


def test_a_rewrite_removes_what_the_previous_run_left(tmp_path):
    rf.write_run_folder(tmp_path, _contents())
    (tmp_path / rf.REPORT_OUTPUTS[0]).write_text("old report")
    smaller = _contents()
    smaller.regions, smaller.sides = None, {}
    rf.write_run_folder(tmp_path, smaller)
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {rf.MANIFEST, rf.TICKS, rf.SCENARIO, rf.SUMMARY}


@pytest.mark.parametrize("version", [0, rf.SCHEMA_VERSION + 1, None])
def test_another_schema_version_is_one_line(tmp_path, version):
    rf.write_run_folder(tmp_path, _contents())
    manifest = json.loads((tmp_path / rf.MANIFEST).read_text())
    if version is None:
        del manifest["schema_version"]  # a folder from before the format had versions
    else:
        manifest["schema_version"] = version
    (tmp_path / rf.MANIFEST).write_text(json.dumps(manifest))
    needle = "no schema version" if version is None else f"schema version {version}"
    with pytest.raises(UserError, match=needle) as err:
        rf.read_run_folder(tmp_path)
    assert "\n" not in str(err.value) and "rerun centrehold run" in str(err.value)


@pytest.mark.parametrize("damage", ["no manifest", "unfinished", "no summary"])
def test_a_damaged_folder_is_one_line(tmp_path, damage):
    rf.write_run_folder(tmp_path, _contents())
    if damage == "no manifest":
        (tmp_path / rf.MANIFEST).unlink()
    elif damage == "unfinished":
        manifest = json.loads((tmp_path / rf.MANIFEST).read_text())
        (tmp_path / rf.MANIFEST).write_text(json.dumps({**manifest, "complete": False}))
    else:
        (tmp_path / rf.SUMMARY).unlink()
    needle = {"no manifest": rf.MANIFEST, "unfinished": "did not finish",
              "no summary": rf.SUMMARY}[damage]
    with pytest.raises(UserError, match=needle.replace(".", r"\.")) as err:
        rf.read_run_folder(tmp_path)
    assert "\n" not in str(err.value)
    assert not rf.is_run_folder(tmp_path) or damage != "no manifest"
