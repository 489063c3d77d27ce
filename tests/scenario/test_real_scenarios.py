"""The built-in scenario files through the loader and the real schemas."""

from __future__ import annotations

import pytest
import yaml

from centrehold.errors import UserError
from centrehold.scenario import DEFAULT_SCENARIO, list_scenarios, load_scenario
from centrehold.scenario.load import library_scenarios


def test_every_built_in_scenario_loads_and_matches_its_file() -> None:
    files = library_scenarios()
    assert {"epstein-1", "epstein-2"} <= set(files)
    for name, path in files.items():
        scn = load_scenario(name)
        raw = yaml.safe_load(path.read_text())
        assert scn.name == name == raw["name"]  # the library name is the scenario's name
        assert scn.model == raw["model"] and scn.ticks == raw.get("ticks", scn.ticks)
    assert DEFAULT_SCENARIO in files
    assert [n for n, _ in list_scenarios()] == sorted(files)


def test_epstein_1_is_the_papers_run_2() -> None:
    scn = load_scenario("epstein-1")
    assert (scn.width, scn.height, scn.citizen_density, scn.cop_density) == (40, 40, 0.7, 0.04)
    assert (scn.citizen_vision, scn.max_jail_term, scn.legitimacy) == (7, 30, 0.82)
    assert abs(scn.arrest_prob_constant - 2.302585) < 1e-6


def test_overrides_on_the_real_schema() -> None:
    scn = load_scenario("epstein-1", {"legitimacy": "0.7", "max_jail_term": "life",
                                      "preset": "mesa", "variant.rounding": "none"})
    assert scn.legitimacy == 0.7 and scn.max_jail_term == "life"
    assert scn.preset == "mesa" and scn.variant.rounding == "none"


@pytest.mark.parametrize(
    ("overrides", "words"),
    [({"legitmacy": "0.7"}, "did you mean 'legitimacy'"),
     ({"citizen_density": "0.97"}, "exceeds 1"),
     ({"citizen_vision": "-1"}, "citizen_vision"),
     ({"max_jail_term": "-2"}, "max_jail_term"),
     ({"width": "4x"}, "whole number"),
     ({"preset": "ascape"}, "'epstein', 'netlogo' or 'mesa'"),
     ({"legitimacy_schedule.at": "5"}, "set exactly one of the two")],
)
def test_issue_bad_inputs_on_the_real_schema(overrides: dict, words: str) -> None:
    with pytest.raises(UserError) as info:
        load_scenario("epstein-1", overrides)
    message = str(info.value)
    assert words in message and "\n" not in message
    assert "epstein-1" in message  # names the file


def test_iraq_2009_hypotheses_and_bad_values() -> None:
    if "iraq-2009" not in library_scenarios():
        pytest.skip("iraq-2009 not in this build")
    assert load_scenario("iraq-2009", {"hypothesis": "H5"}).hypothesis == "H5"
    for overrides, words in (({"hypothesis": "H9"}, "H9"),
                             ({"mechanisms.revnge": "false"}, "did you mean 'revenge'"),
                             ({"people_per_agent": "0"}, "people_per_agent")):
        with pytest.raises(UserError, match=words):
            load_scenario("iraq-2009", overrides)


def test_calibration_names_numeric_scenario_parameters(tmp_path) -> None:
    """A shared prior must name a real numeric parameter, once; the error says which."""
    from centrehold.scenario.load import LIBRARY_DIR

    src = LIBRARY_DIR / "iraq-2009" / "scenario.yaml"
    doc = yaml.safe_load(src.read_text())
    assert "intergroup.kill_rate" in doc["calibration"]
    for key, words in (("intergroup.kill_rat", "not a numeric scenario parameter"),
                       ("mechanisms.revenge", "not a numeric scenario parameter"),
                       ("nonsense", "not a numeric scenario parameter")):
        bad = dict(doc, calibration={key: {"dist": "uniform", "low": 0.0, "high": 1.0}})
        path = tmp_path / "scenario.yaml"
        path.write_text(yaml.safe_dump(bad))
        with pytest.raises(UserError, match=words) as info:
            load_scenario(str(path))
        assert "\n" not in str(info.value)
    # a hypothesis's own parameter may share a shared one's last name (H3's decay_days
    # beside revenge.decay_days, HI's state_share beside insurgency.state_share): ABC
    # names the shared one by its dotted key, so the two never meet
    shared = dict(doc, calibration={"revenge.decay_days": {"dist": "uniform", "low": 7,
                                                           "high": 60}})
    assert "decay_days" in shared["hypotheses"]["H3"]["priors"]
    path.write_text(yaml.safe_dump(shared))
    assert "revenge.decay_days" in load_scenario(str(path)).calibration


def test_shared_parameters_reach_the_world_and_the_priors() -> None:
    from centrehold.infer.simulated import hypotheses_from_scenario, with_shared

    sc = load_scenario("iraq-2009")
    for h in hypotheses_from_scenario(sc):
        assert "intergroup.kill_rate" in h.priors
    changed, own = with_shared(sc, {"intergroup.kill_rate": 1e-5, "rate": 3.0})
    assert changed.intergroup.kill_rate == 1e-5 and own == {"rate": 3.0}
    # the base scenario is untouched: every simulation starts from the same world
    assert sc.intergroup.kill_rate == 7e-5
