"""The compare folder's format: what is written reads back the same, and a folder of
another schema version or missing a file is refused in one line naming the fix."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.infer import folder as cf
from centrehold.infer.abc import PARAMETER_COLUMNS
from centrehold.infer.whatif import scenario_overrides


def _folder() -> cf.CompareFolder:
    """Every table filled, months as timestamps, NaNs where compare leaves them."""
    hyps = ["H0", "H1"]
    months = pd.date_range("2010-01-01", periods=3, freq="MS")
    settings = cf.CompareSettings(
        "iraq-2009", overrides={"people_per_agent": "10000", "calendar.tick": "week",
                                "intergroup.kill_rate": "4e-05"},
        people_per_agent=10000, tick="week", seed=3, budget=300, pilot=70, generations=10,
        population=60, predictive=4, method="each", level_gate=1.0, decline_gate=1.5,
        composition_gate=0.5, fit_window=("2008-01", "2009-12"),
        test_window=("2010-01", "2010-12"), final_epsilon=8.25, final_acceptance=0.5,
        simulations=184, generations_run=2,
    )
    posterior = pd.DataFrame({"hypothesis": hyps, "probability": [0.25, 0.75],
                              "alive": [True, True], "status": ["adequate", "inadequate"],
                              "why_inadequate": [np.nan, "level off by 45%"]})
    parameters = pd.DataFrame(
        [["H0", k, "rate", 0.1 * (k + 1), 0.5] for k in range(2)]
        + [["H1", 0, "", np.nan, 1.0]], columns=PARAMETER_COLUMNS)
    ach = pd.DataFrame({"item": ["a", "a"], "hypothesis": hyps, "observed": [1.0, 1.0],
                        "sim_median": [0.5, 2.0], "rating": ["C", "II"], "score": [1.0, -2.0]})
    forecast = pd.DataFrame({"forecaster": ["H0 predictive"] * 3, "month": months,
                             "region": ["IQ-BG"] * 3, "crps": [1.5, 2.0, 0.25]})
    pn = pd.DataFrame({"hypothesis": ["record"] * 3, "window": ["test"] * 3, "month": months,
                       "low": [1.0, 2.0, 3.0], "median": [1.0, 2.0, 3.0], "high": [1.0, 2.0, 3.0]})
    trajectory = pd.DataFrame({"H0": [0.5, 0.25], "H1": [0.5, 0.75]},
                              index=pd.Index([0, 1], name="generation"))
    separability = pd.DataFrame([[1.0, 0.0], [0.5, 0.5]], columns=pd.Index(hyps),
                                index=pd.Index(hyps, name="truth"))
    return cf.CompareFolder(
        settings=settings, posterior=posterior, parameters=parameters,
        scenario={"name": "iraq-2009", "people_per_agent": 10000},
        ach=ach, diagnosticity=pd.DataFrame({"item": ["a"], "diagnosticity": [3.0]}),
        forecast=forecast, forecast_summary=pd.DataFrame({"forecaster": ["H0"], "crps": [1.0]}),
        trajectory=trajectory, separability=separability,
        adequacy=posterior[["hypothesis", "status"]], p_values=pd.DataFrame(),
        predictive_national=pn, verdict="H0 is adequate.",
        premises=pd.DataFrame({"premise": ["p"], "value": [1.5]}),
        evidence=pd.DataFrame({"hypothesis": hyps, "generation": [0, 0],
                               "epsilon": [np.inf, np.inf], "distance": [2.5, 3.0],
                               "contribution": [0.5, 0.25], "q0": [1.0, 1.0]}),
    )


def test_round_trip_reads_back_every_table_and_setting(tmp_path):
    written = _folder()
    files = cf.write_compare_folder(written, tmp_path / "a")
    assert {p.name for p in files.values()} == set(cf.REQUIRED) | {cf.PREMISES, cf.EVIDENCE}
    back = cf.read_compare_folder(tmp_path / "a")
    assert back.settings == written.settings
    assert back.settings.schema_version == cf.SCHEMA_VERSION
    assert back.scenario == written.scenario and back.verdict == written.verdict
    for name in ("posterior", "parameters", "ach", "diagnosticity", "forecast",
                 "forecast_summary", "trajectory", "separability", "adequacy",
                 "predictive_national", "premises", "evidence"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(written, name),
                                      check_dtype=False, check_index_type=False, obj=name)
    assert back.p_values.empty
    # what is read writes the same bytes again
    cf.write_compare_folder(back, tmp_path / "b")
    for path in files.values():
        assert (tmp_path / "b" / path.name).read_bytes() == path.read_bytes(), path.name


def test_settings_carry_every_override_whatif_needs(tmp_path):
    cf.write_compare_folder(_folder(), tmp_path)
    settings = cf.read_settings(tmp_path)
    assert settings.people_per_agent == 10000 and settings.tick == "week"
    assert scenario_overrides(settings)["intergroup.kill_rate"] == "4e-05"
    raw = json.loads((tmp_path / cf.SETTINGS).read_text())
    for key in ("scenario", "overrides", "people_per_agent", "tick", "seed", "budget", "pilot",
                "generations", "population", "predictive", "record", "fit_window",
                "test_window", "hypotheses", "centrehold_version", "schema_version"):
        assert key in raw, key


@pytest.mark.parametrize("version", [0, cf.SCHEMA_VERSION + 1, None])
def test_another_schema_version_is_one_line(tmp_path, version):
    cf.write_compare_folder(_folder(), tmp_path)
    raw = json.loads((tmp_path / cf.SETTINGS).read_text())
    if version is None:
        del raw["schema_version"]
    else:
        raw["schema_version"] = version
    (tmp_path / cf.SETTINGS).write_text(json.dumps(raw))
    needle = "no schema version" if version is None else f"schema version {version}"
    with pytest.raises(UserError, match=needle) as err:
        cf.read_compare_folder(tmp_path)
    assert "\n" not in str(err.value) and "rerun centrehold compare" in str(err.value)


@pytest.mark.parametrize("missing", [cf.ACH, cf.PARAMETERS, cf.SCENARIO, cf.SETTINGS])
def test_a_missing_file_is_one_line_naming_it(tmp_path, missing):
    cf.write_compare_folder(_folder(), tmp_path)
    (tmp_path / missing).unlink()
    with pytest.raises(UserError, match=missing.replace(".", r"\.")) as err:
        cf.read_compare_folder(tmp_path)
    assert "\n" not in str(err.value)


def test_find_compare_folders_goes_only_as_deep_as_asked(tmp_path):
    for sub in ("a", "b/c", "d/e/f"):
        cf.write_compare_folder(_folder(), tmp_path / sub)
    assert list(cf.find_compare_folders(tmp_path, depth=1)) == [tmp_path / "a"]
    assert set(cf.find_compare_folders(tmp_path, depth=2)) == {tmp_path / "a",
                                                               tmp_path / "b" / "c"}


def test_a_folder_from_before_the_method_was_recorded_reads_as_joint(tmp_path):
    cf.write_compare_folder(_folder(), tmp_path)
    path = tmp_path / cf.SETTINGS
    data = json.loads(path.read_text())
    del data["method"]
    path.write_text(json.dumps(data))
    assert cf.read_settings(tmp_path).method == "joint"
    assert cf.read_compare_folder(tmp_path).evidence is not None


def test_a_folder_from_before_the_gates_reads_as_without_them(tmp_path):
    cf.write_compare_folder(_folder(), tmp_path)
    written = cf.read_settings(tmp_path)
    assert (written.level_gate, written.composition_gate) == (1.0, 0.5)
    path = tmp_path / cf.SETTINGS
    data = json.loads(path.read_text())
    del data["level_gate"], data["decline_gate"], data["composition_gate"]
    path.write_text(json.dumps(data))
    back = cf.read_settings(tmp_path)
    assert (back.level_gate, back.decline_gate, back.composition_gate) == (0.0, 0.0, 0.0)
