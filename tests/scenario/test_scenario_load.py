"""The scenario loader: finding, reading, overriding, and one-line errors for every bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from scenario_toy_schemas import GOOD_TOY

from centrehold.errors import UserError
from centrehold.scenario import load
from centrehold.scenario.load import (
    find_scenario,
    list_scenarios,
    load_scenario,
    parse_overrides,
    parse_value,
)


def error_of(call, *args, **kwargs) -> str:
    """Run a call that must fail with UserError and check the message is one clean line."""
    with pytest.raises(UserError) as info:
        call(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message, message
    assert "validation error" not in message.lower(), message
    assert "errors.pydantic.dev" not in message, message
    assert "Traceback" not in message
    return message


# --------------------------------------------------------------------------- good input


def test_good_file_loads_with_its_values(toy_file: Path) -> None:
    scn = load_scenario(str(toy_file))
    assert type(scn).__name__ == "ToyCivil"
    assert (scn.name, scn.ticks, scn.width, scn.legitimacy) == ("toy-1", 200, 20, 0.82)
    assert scn.variant.neighbourhood == "moore"
    assert scn.variant.jailed_leave_lattice is True  # default filled in


def test_overrides_are_coerced_by_the_schema(toy_file: Path) -> None:
    scn = load_scenario(
        str(toy_file),
        {
            "legitimacy": "0.7",
            "width": "33",
            "max_jail_term": "life",
            "variant.neighbourhood": "von_neumann",
            "variant.jailed_leave_lattice": "false",
        },
    )
    assert scn.legitimacy == 0.7 and isinstance(scn.legitimacy, float)
    assert scn.width == 33 and isinstance(scn.width, int)
    assert scn.max_jail_term == "life"
    assert scn.variant.neighbourhood == "von_neumann"
    assert scn.variant.jailed_leave_lattice is False
    # the integer branch of a union field takes an integer text
    assert load_scenario(str(toy_file), {"max_jail_term": "15"}).max_jail_term == 15


def test_override_does_not_leak_into_the_next_load(toy_file: Path) -> None:
    src = load.read_scenario(str(toy_file))
    changed = load.validate_source(src, {"legitimacy": "0.5"})
    again = load.validate_source(src)
    assert changed.legitimacy == 0.5 and again.legitimacy == 0.82


def test_override_of_a_nested_field_absent_from_the_file(write) -> None:
    path = write("name: t\nmodel: toy\n")
    scn = load_scenario(str(path), {"variant.neighbourhood": "moore"})
    assert scn.variant.neighbourhood == "moore" and scn.width == 40


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.7", 0.7), ("12", 12), ("true", True), ("False", False), ("life", "life"),
     ("no", "no"), ("on", "on"), ("2009-06-30", "2009-06-30"), ("null", None),
     ("[1, 2]", [1, 2]), ("", ""), ("H3", "H3"), ("a: b: c", "a: b: c"),
     ("none", "none"), ("None", "None"), ("~", None)],
)
def test_parse_value_reads_yaml_but_keeps_words_and_dates(text: str, expected) -> None:
    assert parse_value(text) == expected
    assert type(parse_value(text)) is type(expected)


def test_parse_overrides_splits_on_the_first_equals_and_last_wins() -> None:
    got = parse_overrides(["a=1", "b.c=x=y", "a=2"])
    assert got == {"a": "2", "b.c": "x=y"}


# --------------------------------------------------------------------------- bad input


def test_unknown_field_in_file_suggests_the_closest(write) -> None:
    path = write(GOOD_TOY.replace("legitimacy: 0.82", "legitmacy: 0.82"))
    msg = error_of(load_scenario, str(path))
    assert "s.yaml" in msg and "'legitmacy'" in msg and "did you mean 'legitimacy'" in msg


def test_unknown_field_with_nothing_close_lists_the_known_ones(write) -> None:
    path = write(GOOD_TOY + "zzzzqqq: 3\n")
    msg = error_of(load_scenario, str(path))
    assert "unknown field 'zzzzqqq'" in msg and "citizen_density" in msg


def test_unknown_nested_field_suggests_within_its_group(toy_file: Path) -> None:
    msg = error_of(load_scenario, str(toy_file), {"variant.neighbourhod": "moore"})
    assert "--set variant.neighbourhod=moore" in msg
    assert "did you mean 'neighbourhood'" in msg


def test_unknown_override_names_the_option(toy_file: Path) -> None:
    msg = error_of(load_scenario, str(toy_file), {"legitmacy": "0.7"})
    assert msg.startswith("--set legitmacy=0.7")
    assert "did you mean 'legitimacy'" in msg


def test_densities_summing_over_one_are_refused(toy_file: Path) -> None:
    msg = error_of(load_scenario, str(toy_file), {"cop_density": "0.5"})
    assert "citizen_density + cop_density = 1.2 exceeds 1" in msg
    assert "lower one of them" in msg and "toy.yaml" in msg


def test_negative_vision_is_refused(write) -> None:
    path = write(GOOD_TOY.replace("citizen_vision: 7", "citizen_vision: -1"))
    msg = error_of(load_scenario, str(path))
    assert "field 'citizen_vision'" in msg and "-1" in msg and ">= 0" in msg


def test_negative_jail_term_is_refused_and_names_the_field(toy_file: Path) -> None:
    msg = error_of(load_scenario, str(toy_file), {"max_jail_term": "-5"})
    assert "field 'max_jail_term'" in msg and ">= 0" in msg
    assert "int" not in msg.split("field 'max_jail_term'")[0]  # no union tag in the path


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [("width", "wide", "whole number"), ("legitimacy", "high", "a number"),
     ("variant.jailed_leave_lattice", "maybe", "true or false"),
     ("variant.neighbourhood", "hex", "'lattice', 'moore' or 'von_neumann'")],
)
def test_wrong_types_say_what_is_expected(toy_file: Path, key: str, value: str, words: str):
    msg = error_of(load_scenario, str(toy_file), {key: value})
    assert f"field '{key}'" in msg and repr(value) in msg and words in msg


def test_wrong_type_in_the_file_names_the_file(write) -> None:
    path = write(GOOD_TOY.replace("width: 20", "width: [1, 2]"))
    msg = error_of(load_scenario, str(path))
    assert msg.startswith("s.yaml") or "s.yaml" in msg
    assert "field 'width'" in msg and "whole number" in msg


def test_several_problems_are_counted(write) -> None:
    bad = GOOD_TOY.replace("width: 20", "width: -1").replace("height: 20", "height: x")
    msg = error_of(load_scenario, str(write(bad)))
    assert "(and 1 more problem)" in msg


def test_unknown_scenario_lists_the_known_ones(tmp_path: Path, monkeypatch) -> None:
    lib = tmp_path / "library"
    (lib / "epstein-2").mkdir(parents=True)
    (lib / "epstein-1.yaml").write_text("name: epstein-1\nmodel: epstein\n")
    (lib / "epstein-2" / "scenario.yaml").write_text("name: epstein-2\nmodel: epstein\n")
    monkeypatch.setattr(load, "LIBRARY_DIR", lib)
    msg = error_of(find_scenario, "epstein-3")
    assert "unknown scenario 'epstein-3'" in msg
    assert "epstein-1, epstein-2" in msg and "did you mean" in msg
    assert find_scenario("epstein-2") == lib / "epstein-2" / "scenario.yaml"
    assert find_scenario("epstein-1") == lib / "epstein-1.yaml"


def test_missing_file_is_named(tmp_path: Path) -> None:
    msg = error_of(load_scenario, str(tmp_path / "nope.yaml"))
    assert "nope.yaml" in msg and "not found" in msg


def test_folder_without_scenario_yaml(tmp_path: Path) -> None:
    msg = error_of(load_scenario, str(tmp_path))
    assert "no scenario.yaml" in msg


def test_yaml_syntax_error_gives_the_line(write) -> None:
    path = write("name: t\nmodel: toy\nwidth: [1, 2\nheight: 3\n")
    msg = error_of(load_scenario, str(path))
    assert "YAML syntax error" in msg and "s.yaml" in msg
    line = int(msg.split("line ")[1].split(",")[0])
    assert line in (3, 4)  # the unclosed bracket opens on line 3, the parser trips on line 4


def test_tab_indentation_is_a_syntax_error_with_line(write) -> None:
    path = write("name: t\nmodel: toy\nvariant:\n\tneighbourhood: moore\n")
    msg = error_of(load_scenario, str(path))
    assert "line 4" in msg


@pytest.mark.parametrize(
    ("text", "words"),
    [("- a\n- b\n", "expected a mapping"), ("", "expected a mapping"),
     ("name: t\nwidth: 3\n", "no 'model:' field"),
     ("name: t\nmodel: epstien\n", "did you mean 'epstein'")],
)
def test_file_level_mistakes(write, text: str, words: str) -> None:
    assert words in error_of(load_scenario, str(write(text)))


def test_model_cannot_be_overridden(toy_file: Path) -> None:
    assert "cannot be overridden" in error_of(load_scenario, str(toy_file), {"model": "x"})


def test_set_without_equals_is_refused() -> None:
    msg = error_of(parse_overrides, ["legitimacy0.7"])
    assert "--set 'legitimacy0.7'" in msg and "key=value" in msg


def test_dotted_key_into_a_single_value_is_refused(toy_file: Path) -> None:
    msg = error_of(load_scenario, str(toy_file), {"width.x": "3"})
    assert "'width' is a single value" in msg


def test_missing_required_field(write) -> None:
    msg = error_of(load_scenario, str(write("model: toy\n")))
    assert "field 'name'" in msg and "missing" in msg


# --------------------------------------------------------------------------- CSV tables


REGIONAL = """\
name: reg
description: two regions
model: toyregional
regions: !csv regions.csv
"""


def test_csv_table_is_read_next_to_the_file(write, tmp_path: Path) -> None:
    (tmp_path / "regions.csv").write_text("code,population,share\nIQ-BG,100,0.5\nIQ-BA,50,\n")
    with pytest.raises(UserError):  # blank share -> None -> not a number
        load_scenario(str(write(REGIONAL)))
    (tmp_path / "regions.csv").write_text("code,population,share\nIQ-BG,100,0.5\nIQ-BA,50,0.25\n")
    scn = load_scenario(str(write(REGIONAL)))
    assert [r.code for r in scn.regions] == ["IQ-BG", "IQ-BA"]
    assert scn.regions[1].population == 50 and scn.regions[1].share == 0.25


def test_csv_error_names_the_csv_line_and_column(write, tmp_path: Path) -> None:
    (tmp_path / "regions.csv").write_text(
        "code,population,share\nIQ-BG,100,0.5\nIQ-BA,50,lots\n"
    )
    msg = error_of(load_scenario, str(write(REGIONAL)))
    assert msg.startswith("regions.csv line 3") and "field 'share'" in msg and "'lots'" in msg


def test_csv_unknown_column_suggests(write, tmp_path: Path) -> None:
    (tmp_path / "regions.csv").write_text("code,populaton,share\nIQ-BG,100,0.5\n")
    msg = error_of(load_scenario, str(write(REGIONAL)))
    assert "regions.csv line 2" in msg and "did you mean 'population'" in msg


def test_missing_csv_names_the_yaml_line(write) -> None:
    msg = error_of(load_scenario, str(write(REGIONAL)))
    assert "s.yaml line 4" in msg and "regions.csv" in msg and "not found" in msg


def test_csv_override_by_index(write, tmp_path: Path) -> None:
    (tmp_path / "regions.csv").write_text("code,population,share\nIQ-BG,100,0.5\nIQ-BA,50,0.2\n")
    scn = load_scenario(str(write(REGIONAL)), {"regions.1.share": "0.3", "hypothesis": "H2"})
    assert scn.regions[1].share == 0.3 and scn.hypothesis == "H2"
    msg = error_of(load_scenario, str(write(REGIONAL)), {"regions.5.share": "0.3"})
    assert "list of 2 items" in msg
    msg = error_of(load_scenario, str(write(REGIONAL)), {"hypothesis": "H7"})
    assert "--set hypothesis=H7" in msg and "'H3'" in msg


# --------------------------------------------------------------------------- listing


def test_list_scenarios_reads_first_description_lines(tmp_path: Path, monkeypatch) -> None:
    lib = tmp_path / "library"
    (lib / "b-folder").mkdir(parents=True)
    (lib / "a.yaml").write_text("name: a\nmodel: epstein\ndescription: |\n  First.\n  More.\n")
    (lib / "b-folder" / "scenario.yaml").write_text("name: b\nmodel: regional\n")
    (lib / "c.yaml").write_text("name: [oops\n")
    (lib / "notes.txt").write_text("not a scenario")
    monkeypatch.setattr(load, "LIBRARY_DIR", lib)
    rows = list_scenarios()
    assert [r[0] for r in rows] == ["a", "b-folder", "c"]
    assert rows[0][1] == "First." and rows[1][1] == ""
    assert "unreadable" in rows[2][1]


# --------------------------------------------------------------------------- robustness


KEYS = ["width", "height", "citizen_density", "cop_density", "citizen_vision", "legitimacy",
        "max_jail_term", "variant.neighbourhood", "variant.jailed_leave_lattice", "ticks",
        "name", "variant", "variant.x", "widht", "width.x", "a.b.c"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sets=st.dictionaries(st.sampled_from(KEYS), st.text(max_size=12), max_size=4))
def test_no_pydantic_error_ever_escapes(toy_file: Path, sets: dict[str, str]) -> None:
    try:
        load_scenario(str(toy_file), sets)
    except UserError as exc:
        assert "\n" not in str(exc) and str(exc)
    except ValidationError as exc:  # pragma: no cover - the failure this test exists for
        pytest.fail(f"raw ValidationError escaped: {exc}")


def test_default_scenario_moves_to_iraq_once_it_can_run(tmp_path: Path, monkeypatch) -> None:
    lib = tmp_path / "library"
    lib.mkdir()
    monkeypatch.setattr(load, "LIBRARY_DIR", lib)
    assert load._default_scenario() == "epstein-1"
    (lib / "iraq-2009").mkdir()
    (lib / "iraq-2009" / "scenario.yaml").write_text("name: iraq-2009\nmodel: regional\n")
    monkeypatch.setattr(load, "_has_regional_engine", lambda: False)  # engine not there yet
    assert load._default_scenario() == "epstein-1"
    monkeypatch.setattr(load, "_has_regional_engine", lambda: True)
    assert load._default_scenario() == "iraq-2009"



def test_the_regional_engine_is_found_where_it_lives() -> None:
    """The check reads a file path; a move of the regional model must move the check too,
    or the default scenario silently falls back to epstein-1."""
    assert load._has_regional_engine()
    assert load.DEFAULT_SCENARIO == "iraq-2009"

def test_a_json_file_loads_like_yaml(tmp_path: Path, toy_models) -> None:
    (tmp_path / "scenario.json").write_text('{"name": "j", "model": "toy", "width": 12}')
    assert load_scenario(str(tmp_path / "scenario.json")).width == 12
    assert load_scenario(str(tmp_path)).width == 12  # a run folder holding scenario.json


def test_a_field_of_two_types_offers_both_fixes(toy_file: Path) -> None:
    msg = error_of(load_scenario, str(toy_file), {"max_jail_term": "forever"})
    assert "field 'max_jail_term'" in msg
    assert "give a whole number or use one of 'life'" in msg
    assert "more problem" not in msg  # one field, one problem


def test_reading_a_scenario_does_not_load_the_engine() -> None:
    import subprocess
    import sys

    code = ("import sys, centrehold.scenario as s; s.list_scenarios(); "
            "print('centrehold.engine' in sys.modules, 'numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_field_given_twice_is_refused_with_both_lines(write) -> None:
    path = write(GOOD_TOY + "legitimacy: 0.5\n")
    msg = error_of(load_scenario, str(path))
    assert "field 'legitimacy' is given twice (first on line 12)" in msg
    assert "s.yaml line 16" in msg
    nested = write("name: t\nmodel: toy\nvariant:\n  neighbourhood: moore\n"
                   "  neighbourhood: lattice\n")
    assert "field 'neighbourhood' is given twice" in error_of(load_scenario, str(nested))
