"""The Epstein scenario schema: the library files load, bad values get one clear line."""

from __future__ import annotations

import pytest
from engine_testkit import make_scenario
from pydantic import ValidationError

from centrehold.engine import simulate
from centrehold.models.epstein.rules import LIFE
from centrehold.models.epstein.simulate import rules_and_variant


def test_library_defaults_are_the_papers_runs():
    one = make_scenario("epstein-1")
    assert (one.width, one.height, one.citizen_density, one.cop_density) == (40, 40, 0.7, 0.04)
    assert (one.citizen_vision, one.legitimacy, one.max_jail_term) == (7, 0.82, 30)
    assert one.active_threshold == 0.1 and one.arrest_prob_constant == pytest.approx(2.302585)
    two = make_scenario("epstein-2")
    assert two.epstein_model == "II" and len(two.groups) == 2
    assert (two.citizen_vision, two.max_jail_term) == (1, 15)
    assert (two.birth_prob, two.max_age) == (0.05, 200)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"citizen_density": 0.99}, ["citizen_density + cop_density", "lower"]),
        ({"cop_density": 1.5}, ["cop_density", "[0, 1]"]),
        ({"citizen_density": -0.1}, ["citizen_density", "[0, 1]"]),
        ({"citizen_vision": -1}, ["citizen_vision", "0 cells or more"]),
        ({"max_jail_term": -2}, ["max_jail_term", "life"]),
        ({"max_jail_term": "forever"}, ["max_jail_term"]),
        ({"legitimacy": 1.2}, ["legitimacy", "[0, 1]"]),
        ({"citizen_vision": 30}, ["vision 30", "larger lattice"]),
        ({"bogus": 1}, ["bogus"]),
        ({"legitimacy_schedule": {"at": 3}}, ["jump", "steps"]),
        ({"legitimacy_schedule": {"every": 3}}, ["delta"]),
        ({"groups": ["a", "b"]}, ["Model I", "one name"]),
    ],
)
def test_bad_values_name_the_field_and_the_fix(changes, words):
    with pytest.raises(ValidationError) as err:
        make_scenario("epstein-1", **changes)
    text = str(err.value)
    for w in words:
        assert w in text, (w, text)


def test_model_ii_needs_two_groups():
    with pytest.raises(ValidationError, match="two groups"):
        make_scenario("epstein-2", groups=["only"])


def test_life_terms_and_presets_reach_the_engine():
    sc = make_scenario(max_jail_term="life", preset="mesa", variant={"arrest": "nearest"})
    rules, variant = rules_and_variant(sc)
    assert rules.max_jail_term == LIFE
    assert variant.neighbourhood == "von_neumann" and variant.rounding == "round"
    assert variant.arrest == "nearest"  # the option overrides the preset


def test_schedules_of_change_drive_the_run():
    sc = make_scenario(
        legitimacy_schedule={"at": 5, "every": 2, "delta": -0.1, "until": 0.5},
        cop_density_schedule={"at": 4, "to": 0.0},
    )
    ds = simulate(sc, 1, ticks=12)
    legit = ds["legitimacy"].values
    assert legit[:5].tolist() == [0.82] * 5
    assert legit[5] == pytest.approx(0.72) and legit[7] == pytest.approx(0.62)
    assert legit[12] == pytest.approx(0.5)  # the floor holds
    cops = ds["cops"].values
    assert cops[0] == 64 and cops[3] == 64  # 0.04 of 1600 cells
    assert (cops[4:] == 0).all()


def test_withdrawn_cops_come_back_when_density_rises():
    sc = make_scenario(cop_density=0.02, cop_density_schedule={"at": 3, "every": 1,
                                                                "delta": 0.01, "until": 0.05})
    ds = simulate(sc, 2, ticks=8, schedule="synchronous")
    assert ds["cops"].values.tolist() == [32, 32, 32, 48, 64, 80, 80, 80, 80]


def test_user_mistakes_at_run_time_are_user_errors():
    from centrehold.errors import UserError

    with pytest.raises(UserError, match="schedule 'parallel' is unknown"):
        simulate(make_scenario(), 1, ticks=2, schedule="parallel")
    crowded = make_scenario(citizen_density=0.9, cop_density=0.05,
                            cop_density_schedule={"at": 2, "to": 0.5})
    with pytest.raises(UserError, match="do not fit"):
        simulate(crowded, 1, ticks=3)
