"""Bad scenario input gives one line naming the file and the field, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.scenario import LIBRARY_DIR, load_scenario
from centrehold.scenario.regional import RegionalScenario


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    dst = tmp_path / "iraq"
    shutil.copytree(LIBRARY_DIR / "iraq-2009", dst)
    return dst


def one_line_error(name, overrides=None) -> str:
    with pytest.raises(UserError) as e:
        load_scenario(str(name), overrides)
    msg = str(e.value)
    assert "\n" not in msg and "Traceback" not in msg
    return msg


def test_builtin_loads_as_regional_scenario():
    sc = load_scenario("iraq-2009")
    assert isinstance(sc, RegionalScenario)
    assert len(sc.regions) == 18 and sc.ticks == 1461
    assert set(sc.hypotheses) == {f"H{i}" for i in range(7)} | {"HA", "HM", "HI", "HB"}
    for h in ("H1", "H2", "H3", "H4", "H5", "H6"):
        assert sc.hypotheses[h].priors, f"{h} has no priors for the model choice"
        for name, prior in sc.hypotheses[h].priors.items():
            assert name in sc.hypotheses[h].params
            assert prior.low <= sc.hypotheses[h].params[name] <= prior.high


def test_tables_resolve_next_to_a_copied_scenario(copy: Path):
    df = pd.read_csv(copy / "governorates.csv")
    df.loc[df.iso == "IQ-BG", "population"] = 1000
    df.to_csv(copy / "governorates.csv", index=False)
    sc = load_scenario(str(copy / "scenario.yaml"))
    assert next(r for r in sc.regions if r.iso == "IQ-BG").population == 1000


def test_shares_not_summing_to_one():
    msg = one_line_error("iraq-2009", {"share_overrides.IQ-BG.shia_arab": "0.9",
                                       "share_overrides.IQ-BG.sunni_arab": "0.29",
                                       "share_overrides.IQ-BG.kurd": "0",
                                       "share_overrides.IQ-BG.other": "0.01"})
    assert "IQ-BG" in msg and "sum to 1.200" in msg and "share_overrides" in msg


def test_governorate_missing_from_the_shares(copy: Path):
    df = pd.read_csv(copy / "governorates.csv", dtype=str, keep_default_na=False)
    df.loc[df.iso == "IQ-KI", "kurd"] = ""
    df.to_csv(copy / "governorates.csv", index=False)
    msg = one_line_error(copy / "scenario.yaml")
    assert "IQ-KI" in msg and "kurd" in msg and "regions" in msg and "scenario.yaml" in msg


def test_share_column_missing(copy: Path):
    df = pd.read_csv(copy / "governorates.csv").drop(columns=["other"])
    df.to_csv(copy / "governorates.csv", index=False)
    msg = one_line_error(copy / "scenario.yaml")
    assert "other" in msg and "regions" in msg


def test_date_out_of_range():
    msg = one_line_error("iraq-2009", {"dates.withdrawal": "2014-06-30"})
    assert "dates.withdrawal" in msg and "outside the calendar" in msg


def test_unknown_hypothesis():
    msg = one_line_error("iraq-2009", {"hypothesis": "H9"})
    assert "hypothesis" in msg and "H9" in msg and "H0" in msg


def test_unknown_mechanism_switch():
    msg = one_line_error("iraq-2009", {"mechanisms.bushfire": "false"})
    assert "bushfire" in msg


def test_scale_out_of_range():
    msg = one_line_error("iraq-2009", {"people_per_agent": "0"})
    assert "people_per_agent" in msg


def test_regions_may_come_as_csv_tag_rows(copy: Path):
    text = (copy / "scenario.yaml").read_text()
    (copy / "scenario.yaml").write_text(
        text.replace("regions: governorates.csv", "regions: !csv governorates.csv"))
    tagged = load_scenario(str(copy / "scenario.yaml"))
    assert tagged.regions == load_scenario("iraq-2009").regions
