"""The regional scenario's tables and hypotheses checked at load: each mistake one line with
the file, the line (or field) and the fix; and the valid tables read as before."""

from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path

import pytest
import yaml

from centrehold.errors import UserError
from centrehold.scenario import LIBRARY_DIR, load_scenario
from centrehold.scenario.policies import INSTIGATORS, PARAMS

IRAQ = LIBRARY_DIR / "iraq-2009"


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    dst = tmp_path / "iraq"
    shutil.copytree(IRAQ, dst)
    return dst


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refusal(target: Path | str, overrides: dict | None = None) -> str:
    with pytest.raises(UserError) as info:
        load_scenario(str(target), overrides)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert ";" in message  # a fix follows the problem
    return message


# (file, text there, replacement, words the message must hold)
ISSUE_CASES = [
    ("events.csv", "date,kind", "dat,kind", ["events.csv line 1", "rename 'dat' to 'date'"]),
    ("forces.csv", "personnel", "personel",
     ["forces.csv line 1", "rename 'personel' to 'personnel'"]),
    ("adjacency.csv", "iso_a", "iso_x", ["adjacency.csv line 1", "rename 'iso_x' to 'iso_a'"]),
    ("adjacency.csv", "border_km,source", "border_km,source,notes",
     ["adjacency.csv line 2", "5 columns"]),
    ("governorates.csv", "lat,lon,source", "lat,lon,source,notes",
     ["governorates.csv line 2", "the header has"]),
    ("forces.csv", "2008-01-01,iraqi,IQ-BA", "2008-13-01,iraqi,IQ-BA",
     ["forces.csv line 3, column 'date'", "month must be in 1..12", "YYYY-MM-DD"]),
    ("scenario.yaml", "start: 2008-01-01", "start: 2008-13-45",
     ["scenario.yaml line", "'2008-13-45' is not a real date", "YYYY-MM-DD"]),
    ("events.csv", "IQ-SD,0,", "IQ-SD,-5,",
     ["events.csv line 2, column 'deaths'", "'-5'", "0 or more"]),
    ("events.csv", ",attack,", ",attak,", ["events.csv line 3, column 'kind'",
                                            "did you mean 'attack'?", "withdrawal_step"]),
    ("adjacency.csv", "IQ-AN,IQ-BB,47", "IQ-AN,IQ-BB,2009-01-01",
     ["adjacency.csv line 2, column 'border_km'", "'2009-01-01'", "length in km"]),
    ("governorates.csv", "33.1777,41.3985", "33.1777,410.3985",
     ["governorates.csv line 2 (IQ-AN), column 'lon'", "out of range", "-180 to 180"]),
    ("governorates.csv", "1521829", "-3",
     ["governorates.csv line 2 (IQ-AN), column 'population'", "1 or more"]),
    ("governorates.csv", "IQ-AN,Anbar,1521829,0.05", "IQ-AN,Anbar,1521829,0.25",
     ["governorates.csv line 2", "sum to 1.200", "make them sum to 1"]),
    ("scenario.yaml", "instigator: regional_sponsors", "instigator: regional_sponsor",
     ["field 'hypotheses.H5.instigator'", "did you mean 'regional_sponsors'?"]),
    ("scenario.yaml", "instigator: contractors", "instigator: governing_party",
     ["field 'hypotheses.H4.instigator'", "another hypothesis's instigator",
      "instigator: contractors"]),
    ("scenario.yaml", "    params: {rate: 2.0, window_days: 60, boost: 4.0, baseline: 0.2, "
     "homogeneity_power", "    params: {rate: 2.0, window_daysx: 60, boost: 4.0, baseline: 0.2, "
     "homogeneity_power", ["field 'hypotheses.H2.params.window_daysx'",
                           "did you mean 'window_days'?"]),
    ("scenario.yaml", "decay_days: {dist: uniform, low: 7, high: 120}",
     "decay_days: {dist: uniform, low: 0, high: 120}",
     ["field 'hypotheses.H3.priors.decay_days'", "above 0"]),
    ("scenario.yaml", "kurd: 0.95, other: 0.94}", "kurd: 1.95, other: 0.94}",
     ["field 'intergroup.legitimacy.kurd'", "between 0 and 1"]),
    ("scenario.yaml", "low: 5.0e-6, high: 1.5e-4}", "low: -5.0e-6, high: 1.5e-4}",
     ["field 'calibration.intergroup.kill_rate'"]),
    ("scenario.yaml", "need_by_region: {}", "need_by_region: {IQ-BX: 0.4}",
     ["field 'hardship.need_by_region.IQ-BX'", "did you mean"]),
    ("scenario.yaml", "elections: [2009-01-31,", "elections: [0,",
     ["field 'dates.elections'", "YYYY-MM-DD"]),
    ("scenario.yaml", "force_scale: 1.0", "force_scale: .nan", ["force_scale"]),
    ("forces.csv", "2008-01-01,iraqi,IQ-BA", "2008-01-01,iraqi,IQ-XX",
     ["forces.csv line 3, column 'iso'", "region code from the regions table"]),
    ("forces.csv", "2008-01-01,iraqi,IQ-BA", "2008-01-01,iraqui,IQ-BA",
     ["forces.csv line 3, column 'force'", "iraqi, occupation, kurdish"]),
    ("adjacency.csv", "IQ-AN,IQ-BB,47", "IQ-AN,IQ-ZZ,47",
     ["adjacency.csv line 2, column 'iso_b'", "'IQ-ZZ'"]),
    ("adjacency.csv", "IQ-AN,IQ-BB,47", "IQ-AN,IQ-AN,47", ["adjacency.csv line 2", "itself"]),
    ("events.csv", ",IQ-SD,0,", ",IQ-SDX,0,", ["events.csv line 2, column 'iso'"]),
]


@pytest.mark.parametrize(("name", "old", "new", "words"), ISSUE_CASES,
                         ids=[f"{c[0]}:{c[2][:30]}" for c in ISSUE_CASES])
def test_a_bad_table_or_value_is_one_line_with_its_place_and_fix(
    copy: Path, name: str, old: str, new: str, words: list[str]
) -> None:
    edit(copy, name, old, new)
    message = refusal(copy)
    for w in words:
        assert w in message, message


def test_every_hypothesis_is_checked_even_one_the_run_does_not_use(copy: Path) -> None:
    edit(copy, "scenario.yaml", "      window_days: {dist: uniform, low: 14, high: 120}",
         "      window_daysx: {dist: uniform, low: 14, high: 120}")
    message = refusal(copy, {"hypothesis": "H0"})
    assert "hypotheses.H1.priors.window_daysx" in message and "window_days" in message


def test_a_hypothesis_set_from_the_command_line_is_checked() -> None:
    message = refusal("iraq-2009", {"hypotheses.H3.params.decay_dayz": "30"})
    assert message.startswith("--set hypotheses.H3.params.decay_dayz=30")
    assert "did you mean 'decay_days'?" in message
    message = refusal("iraq-2009", {"hypotheses.H7.params.rate": "1"})
    assert "unknown hypothesis 'H7'" in message


def test_row_counts_and_encodings(copy: Path) -> None:
    (copy / "forces.csv").write_text("date,force,iso,personnel,source\n")
    assert "forces.csv" in refusal(copy) and "no rows" in refusal(copy)
    (copy / "forces.csv").write_bytes((IRAQ / "forces.csv").read_text().encode("utf-16"))
    assert "not UTF-8" in refusal(copy)
    (copy / "forces.csv").write_bytes(b"")
    assert "forces.csv" in refusal(copy) and "empty" in refusal(copy)
    shutil.copy(IRAQ / "forces.csv", copy / "forces.csv")
    edit(copy, "forces.csv", "2008-01-01,iraqi,IQ-AN,29859,", "2008-01-01,iraqi,IQ-AN,")
    assert "forces.csv line 2" in refusal(copy) and "4 cells" in refusal(copy)


def test_valid_changes_still_load(copy: Path) -> None:
    """Swapped columns, a BOM, CRLF line ends, an optional column dropped, blank cells
    where they are allowed: the same scenario."""
    base = load_scenario("iraq-2009")
    text = (copy / "adjacency.csv").read_text()
    rows = [line.split(",", 2) for line in text.splitlines()]
    (copy / "adjacency.csv").write_text("\n".join(f"{b},{a},{c}" for a, b, c in rows) + "\n")
    (copy / "forces.csv").write_bytes(b"\xef\xbb\xbf" + (IRAQ / "forces.csv").read_bytes()
                                      .replace(b"\n", b"\r\n"))
    edit(copy, "events.csv", "IQ-SD,0,", "IQ-SD,,")
    sc = load_scenario(str(copy))
    assert sc.regions == base.regions and sc.force_levels == base.force_levels
    assert {frozenset(p) for p in sc.adjacency} == {frozenset(p) for p in base.adjacency}


def test_tables_read_as_typed_rows() -> None:
    sc = load_scenario("iraq-2009")
    rows = (LIBRARY_DIR / "iraq-2009" / "forces.csv").read_text().strip().count("\n")
    assert len(sc.adjacency) == 40 and len(sc.force_levels) == rows
    row = sc.force_levels[0]
    assert row == {"date": "2008-01-01", "force": "iraqi", "iso": "IQ-AN", "personnel": 29859}
    anbar = next(r for r in sc.regions if r.iso == "IQ-AN")
    assert anbar.population == 1521829 and anbar.shares["sunni_arab"] == 0.95
    assert not anbar.kurdistan and anbar.borders == "Syria;Jordan;Saudi Arabia"


def test_csv_tags_give_the_same_tables_and_name_their_lines(copy: Path) -> None:
    for field, name in (("regions", "governorates.csv"), ("adjacency", "adjacency.csv"),
                        ("force_levels", "forces.csv")):
        edit(copy, "scenario.yaml", f"{field}: {name}", f"{field}: !csv {name}")
    sc = load_scenario(str(copy))
    base = load_scenario("iraq-2009")
    assert (sc.regions, sc.adjacency, sc.force_levels) == (
        base.regions, base.adjacency, base.force_levels)
    edit(copy, "forces.csv", "2008-01-01,iraqi,IQ-BA,40358", "2008-01-01,iraqi,IQ-BA,many")
    message = refusal(copy)
    assert "forces.csv line 3" in message and "column 'personnel'" in message


def test_rows_written_in_the_yaml_name_their_field(tmp_path: Path) -> None:
    doc = yaml.safe_load((IRAQ / "scenario.yaml").read_text())
    doc["force_levels"] = [{"date": "2008-01-01", "force": "iraqi", "iso": "IQ-BG",
                            "personnel": -4}]
    for name in ("governorates.csv", "adjacency.csv"):
        shutil.copy(IRAQ / name, tmp_path / name)
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(doc))
    message = refusal(tmp_path)
    assert "field 'force_levels.0.personnel'" in message and "0 or more" in message


def test_a_run_folders_scenario_json_loads_again(tmp_path: Path) -> None:
    sc = load_scenario("iraq-2009")
    (tmp_path / "scenario.json").write_text(sc.model_dump_json())
    again = load_scenario(str(tmp_path))
    assert again.model_dump() == sc.model_dump()


def test_epstein_values_without_a_rule_of_their_own(tmp_path: Path) -> None:
    text = (LIBRARY_DIR / "epstein-1.yaml").read_text()
    for old, new, words in (
        ("legitimacy: 0.82", "legitimacy: .nan", "legitimacy"),
        ("active_threshold: 0.1", "active_threshold: .inf", "active_threshold"),
        ("legitimacy: 0.82", "legitimacy: 0.82\nlegitimacy_schedule: {at: 5, to: 1.5}",
         "legitimacy_schedule.to"),
    ):
        path = tmp_path / "e.yaml"
        path.write_text(text.replace(old, new, 1))
        message = refusal(path)
        assert words in message and "e.yaml" in message


def test_the_hypotheses_parameters_are_those_the_policies_read() -> None:
    """scenario/policies.py lists what actors/hypotheses.py reads, without importing it
    (loading a scenario must not load the engine): the two must agree."""
    from centrehold.actors import hypotheses as actors

    assert INSTIGATORS == actors.INSTIGATORS
    # every module-level function a policy may call (HA calls HM, HM the six actors)
    helpers = {name: fn for name, fn in vars(actors).items()
               if inspect.isfunction(fn) and fn.__module__ == actors.__name__}

    def reads(fn, seen=()) -> set[str]:
        src = inspect.getsource(fn)
        names = set(re.findall(r"\bp\.get\(\"(\w+)\"", src))
        if re.search(r"\bp\.get\(f\"u\{k\}\"", src):  # the mixture's u1..u6
            names |= {f"u{k}" for k in range(1, len(actors.MIXED_ACTORS) + 1)}
        if re.search(r"\bp\.get\([a-z]", src):  # names held in a variable: its literals
            names |= set(re.findall(r"\"([a-z][a-z_]*)\"", src))
        for call in re.findall(r"\b(\w+)\(", src):
            if call in helpers and call not in seen:
                names |= reads(helpers[call], (*seen, call))
        return names

    for h, policy in actors.POLICIES.items():
        assert reads(policy) | ({"funding_exposure"} if h != "H0" else set()) == set(PARAMS[h])
    assert "funding_exposure" in inspect.getsource(actors.funding_exposure)


def test_a_library_file_with_an_impossible_date_does_not_hide_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from centrehold.scenario import load

    lib = tmp_path / "library"
    lib.mkdir()
    (lib / "a.yaml").write_text("name: a\nmodel: epstein\ndescription: fine\n")
    (lib / "b.yaml").write_text("name: b\nmodel: epstein\nwhen: 2008-13-45\n")
    monkeypatch.setattr(load, "LIBRARY_DIR", lib)
    listed = dict(load.list_scenarios())
    assert listed["a"] == "fine" and "unreadable" in listed["b"]
    message = refusal(lib / "b.yaml")
    assert "line 3" in message and "'2008-13-45' is not a real date" in message


@pytest.mark.parametrize("groups", ["[shia_arab, shia_arab, kurd, other]", "[]",
                                    "[iso, sunni_arab, kurd, other]"])
def test_groups_are_distinct_share_columns(groups: str) -> None:
    assert "field 'groups" in refusal("iraq-2009", {"groups": groups})


def test_a_tagged_table_with_no_rows_is_refused_like_a_named_one(copy: Path) -> None:
    edit(copy, "scenario.yaml", "force_levels: forces.csv", "force_levels: !csv forces.csv")
    (copy / "forces.csv").write_text("date,force,iso,personnel,source\n")
    message = refusal(copy)
    assert "forces.csv" in message and "no rows" in message
