"""Plug-in mechanisms: the tutorial's curfew as written, the checks around a plug-in, and
the two ways of finding one (a file named in the scenario, an installed entry point)."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import re
import sys
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest

from centrehold.errors import UserError
from centrehold.models.regional.plugins import Mechanism, TickInputs, apply_plugins, load_mechanisms
from centrehold.scenario import load_scenario
from centrehold.scenario import plugins as plugin_lookup

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
TUTORIAL = EXAMPLES / "curfew.yaml"
SHORT = {"calendar.end": "2009-12-31"}  # the curfew's year, and smaller arrays


def tick_inputs_for_test(sc, seed: int = 0) -> TickInputs:
    """Inputs of the shapes the engine builds, filled with distinct random values so that
    any element a plug-in should not touch but does shows up as a difference."""
    rng = np.random.default_rng(seed)
    T, G, R, K = sc.ticks, len(sc.groups), len(sc.regions), len(sc.forces)
    step = 1 if sc.calendar.tick == "day" else 7
    return TickInputs(
        dates=np.datetime64(sc.calendar.start, "D") + np.arange(T) * step,
        step_days=step,
        regions=tuple(r.iso for r in sc.regions),
        groups=tuple(sc.groups),
        forces=tuple(f.name for f in sc.forces),
        people_per_agent=sc.people_per_agent,
        legitimacy=rng.uniform(0.5, 1.0, (T, G, R)),
        arrest_k=rng.uniform(1.0, 3.0, (T, R)),
        incident_mean=rng.uniform(0.0, 1e-3, (T, R)),
        street_targets=rng.integers(0, 1000, (T, K, R), dtype=np.int64),
        attack_rate=rng.uniform(0.0, 1.0, (T, R, G + 2)),
        insurgent_rate=rng.uniform(0.0, 1.0, (T, R, G + 2)),
    )


def _copy(inputs: TickInputs) -> TickInputs:
    return replace(inputs, **{f.name: np.array(getattr(inputs, f.name), copy=True)
                              for f in fields(inputs) if isinstance(getattr(inputs, f.name),
                                                                    np.ndarray)})


def _curfew_ticks(inputs: TickInputs, start: dt.date, end: dt.date) -> np.ndarray:
    """Ticks with at least one day in start..end, counted day by day."""
    days = [d.astype(dt.date) for d in inputs.dates]
    step = dt.timedelta(days=inputs.step_days - 1)
    return np.array([d <= end and d + step >= start for d in days])


@pytest.mark.parametrize("tick", ["day", "week"])
def test_the_tutorial_curfew_changes_its_governorates_and_dates_and_nothing_else(tick) -> None:
    sc = load_scenario(str(TUTORIAL), {**SHORT, "calendar.tick": tick})
    assert sc.name == "iraq-2009-curfew" and len(sc.regions) == 18  # the base came in
    before = tick_inputs_for_test(sc)
    after = _copy(before)
    apply_plugins(sc, after)

    ticks = _curfew_ticks(before, dt.date(2009, 7, 1), dt.date(2009, 9, 30))
    regions = np.isin(before.regions, ["IQ-BG", "IQ-DI"])
    iraqi = np.array([f == "iraqi" for f in before.forces])
    assert ticks.sum() == (92 if tick == "day" else 14)
    hit = ticks[:, None] & regions[None, :]
    np.testing.assert_array_equal(after.arrest_k[hit], 2.0 * before.arrest_k[hit])
    np.testing.assert_array_equal(after.arrest_k[~hit], before.arrest_k[~hit])
    moved = hit[:, None, :] & iraqi[None, :, None]
    np.testing.assert_array_equal(after.street_targets[moved],
                                  np.rint(1.5 * before.street_targets[moved]))
    np.testing.assert_array_equal(after.street_targets[~moved], before.street_targets[~moved])
    assert (after.street_targets[moved] > before.street_targets[moved]).mean() > 0.9
    for name in ("legitimacy", "incident_mean", "attack_rate", "insurgent_rate", "dates"):
        np.testing.assert_array_equal(getattr(after, name), getattr(before, name))


def test_set_reaches_a_plugins_parameters_and_the_run_records_them() -> None:
    sc = load_scenario(str(TUTORIAL), {**SHORT, "plugins.curfew.params.factor": "3",
                                       "plugins.curfew.params.regions": "[IQ-BA]"})
    [(mechanism, params)] = load_mechanisms(sc)
    assert mechanism.name == "curfew" and params.factor == 3.0 and params.regions == ["IQ-BA"]
    recorded = sc.model_dump(mode="json")
    assert recorded["mechanisms"]["curfew"] is True
    assert recorded["plugins"]["curfew"]["params"]["streets"] == 1.5  # defaults recorded too
    assert Path(recorded["plugins"]["curfew"]["source"].rpartition(":")[0]).is_absolute()
    assert isinstance(mechanism, Mechanism)


def test_a_run_record_is_a_scenario_that_applies_the_same_plugins(tmp_path, monkeypatch) -> None:
    sc = load_scenario(str(TUTORIAL), {**SHORT, "plugins.curfew.params.factor": "3"})
    (tmp_path / "scenario.json").write_text(json.dumps(sc.model_dump(mode="json")))
    monkeypatch.chdir(tmp_path)  # the recorded file path, not the working folder, finds it
    again = load_scenario(str(tmp_path / "scenario.json"))
    assert again.plugins == sc.plugins and again.mechanisms == sc.mechanisms
    base = tick_inputs_for_test(sc)
    one, two = _copy(base), _copy(base)
    apply_plugins(sc, one)
    apply_plugins(again, two)
    assert not np.array_equal(one.arrest_k, base.arrest_k)
    np.testing.assert_array_equal(one.arrest_k, two.arrest_k)
    np.testing.assert_array_equal(one.street_targets, two.street_targets)


@pytest.mark.parametrize(
    ("overrides", "words"),
    [({"plugins.curfew.params.factor": "-1"},
      "field 'plugins.curfew.params.factor': got -1, must be > 0"),
     ({"plugins.curfew.params.regions": "[IQ-XX]"}, "unknown region 'IQ-XX'"),
     ({"plugins.curfew.params.forces": "[police]"}, "unknown force 'police'"),
     ({"plugins.curfew.params.colour": "red"}, "unknown field 'colour'"),
     ({"plugins.curfew.params.start": "2012-01-01", "plugins.curfew.params.end": "2012-02-01"},
      "outside the calendar"),
     ({"mechanisms.curfw": "true"}, "no mechanism or plug-in named 'curfw'; did you mean 'curfew'"),
     ({"mechanisms.revnge": "false"}, "did you mean 'revenge'"),
     ({"mechanisms.curfew": "maybe"}, "write true or false"),
     ({"plugins.curfew.source": "missing.py:CURFEW"}, "plug-in file 'missing.py' not found"),
     ({"plugins.curfew.source": "curfew.py:CURFU"}, "curfew.py has no 'CURFU'; did you mean"),
     ({"plugins.curfew.source": "curfew.py"}, "write it as file.py:NAME"),
     ({"plugins.curfew.source": "no_such_package.mechanisms:CURFEW"}, "no module"),
     ({"plugins.curfew.source": "json:dumps"}, "not a Mechanism"),
     ({"plugins.curfew.source": ""}, "no plug-in named 'curfew' is installed"),
     ({"plugins.revenge.source": "curfew.py:CURFEW"}, "the name of a built-in mechanism"),
     ({"plugins.lockdown.source": "curfew.py:CURFEW"}, "plugins.lockdown': the plug-in has no "
                                                       "switch; add `lockdown: true`")],
)
def test_a_wrong_plugin_gets_one_line_naming_the_field(overrides, words) -> None:
    with pytest.raises(UserError) as info:
        load_scenario(str(TUTORIAL), overrides)
    message = str(info.value)
    assert words in message and "\n" not in message, message
    assert "curfew.yaml" in message


def test_a_plugin_switched_off_is_never_imported(tmp_path) -> None:
    (tmp_path / "boom.py").write_text("raise RuntimeError('imported')\n")
    path = tmp_path / "s.yaml"
    path.write_text("extends: iraq-2009\nplugins: {boom: {source: boom.py:BOOM, "
                    "params: {anything: [1, 2]}}}\nmechanisms: {boom: false}\n")
    sc = load_scenario(str(path))
    assert load_mechanisms(sc) == [] and sc.plugins["boom"].params == {"anything": [1, 2]}
    assert not [m for m in sys.modules.values()
                if getattr(m, "__file__", None) == str(tmp_path / "boom.py")]
    with pytest.raises(UserError, match=r"boom.py failed to import: RuntimeError: imported "
                                        r"\(boom.py line 1\); fix the plug-in's code"):
        load_scenario(str(path), {"mechanisms.boom": "true"})


BAD = '''
import numpy as np
from pydantic import BaseModel
from centrehold.models.regional.plugins import Mechanism

class Nothing(BaseModel):
    pass

def _shape(x, p): x.arrest_k = x.arrest_k[:-1]
def _dtype(x, p): x.street_targets = x.street_targets.astype(np.float64)
def _nan(x, p): x.incident_mean[3, 4] = np.nan
def _negative(x, p): x.attack_rate[5, 2, 4] = -0.5
def _legitimacy(x, p): x.legitimacy[0, 0, 0] = 1.5
def _regions(x, p): x.regions = x.regions[::-1]
def _raises(x, p): x.arrest_k[0, 0] = 1 / 0
def _fortran(x, p): x.arrest_k = np.asfortranarray(x.arrest_k) * 1.0

SHAPE, DTYPE, NAN, NEGATIVE, LEGITIMACY, REGIONS, RAISES, FORTRAN = (
    Mechanism(n, Nothing, f) for n, f in [("shape", _shape), ("dtype", _dtype), ("nan", _nan),
    ("negative", _negative), ("legitimacy", _legitimacy), ("regions", _regions),
    ("raises", _raises), ("fortran", _fortran)])
'''


@pytest.mark.parametrize(
    ("name", "words"),
    [("SHAPE", "plug-in 'bad' made arrest_k float64 [91, 18], not float64 [92, 18]"),
     ("DTYPE", "made street_targets float64 [92, 4, 18], not int64"),
     ("NAN", "set incident_mean to nan at tick 3 (2008-01-04), region IQ-BG; keep it finite "
             "and 0 or more"),
     ("NEGATIVE", "set attack_rate to -0.5 at tick 5 (2008-01-06), region IQ-BA, target any"),
     ("LEGITIMACY", "set legitimacy to 1.5 at tick 0 (2008-01-01), group shia_arab, region "
                    "IQ-AN; keep it between 0 and 1"),
     ("REGIONS", "plug-in 'bad' changed regions"),
     ("RAISES", "plug-in 'bad' failed: ZeroDivisionError: division by zero (bad.py line 15)")],
)
def test_a_plugin_that_breaks_the_inputs_is_named(tmp_path, name, words) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: iraq-2009\nplugins: {{bad: {{source: bad.py:{name}}}}}\n"
                    "mechanisms: {bad: true}\nticks: 92\n")
    sc = load_scenario(str(path))
    with pytest.raises(UserError) as info:
        apply_plugins(sc, tick_inputs_for_test(sc))
    assert words in str(info.value) and "\n" not in str(info.value), str(info.value)


def test_arrays_come_back_c_ordered(tmp_path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    path = tmp_path / "s.yaml"
    path.write_text("extends: iraq-2009\nplugins: {bad: {source: bad.py:FORTRAN}}\n"
                    "mechanisms: {bad: true}\nticks: 92\n")
    sc = load_scenario(str(path))
    inputs = tick_inputs_for_test(sc)
    expected = inputs.arrest_k.copy()
    apply_plugins(sc, inputs)
    assert inputs.arrest_k.flags.c_contiguous
    np.testing.assert_array_equal(inputs.arrest_k, expected)


def test_plugins_apply_in_the_order_of_their_switches(tmp_path) -> None:
    """Two curfews from one file under two names: the second multiplies what the first left."""
    path = tmp_path / "s.yaml"
    common = "{regions: [IQ-BG], start: 2008-01-10, end: 2008-01-20"
    path.write_text(
        f"extends: iraq-2009\nticks: 60\n"
        f"plugins:\n  first: {{source: {EXAMPLES / 'curfew.py'}:CURFEW, "
        f"params: {common}, factor: 2.0, streets: 1.0}}}}\n"
        f"  second: {{source: {EXAMPLES / 'curfew.py'}:CURFEW, "
        f"params: {common}, factor: 3.0, streets: 2.0}}}}\n"
        "mechanisms: {second: true, first: true}\n")
    sc = load_scenario(str(path))
    assert [p.factor for _, p in load_mechanisms(sc)] == [3.0, 2.0]
    before = tick_inputs_for_test(sc)
    after = _copy(before)
    apply_plugins(sc, after)
    bg = before.regions.index("IQ-BG")
    np.testing.assert_array_equal(after.arrest_k[9:20, bg], 6.0 * before.arrest_k[9:20, bg])
    k = before.forces.index("iraqi")
    np.testing.assert_array_equal(after.street_targets[9:20, k, bg],
                                  2 * before.street_targets[9:20, k, bg])


def test_an_installed_plugin_is_found_by_its_entry_point(tmp_path, monkeypatch,
                                                        request) -> None:
    package = tmp_path / "curfew_package"
    package.mkdir()
    (package / "__init__.py").write_text((EXAMPLES / "curfew.py").read_text())
    (tmp_path / "broken_package.py").write_text("raise ImportError('not this one')\n")
    (tmp_path / "calm_package.py").write_text(
        "from pydantic import BaseModel\nfrom centrehold.models.regional.plugins import Mechanism\n"
        "class Calm(BaseModel):\n    factor: float = 0.5\n"
        "def calm(x, p): x.incident_mean *= p.factor\n"
        "CALM = Mechanism('calm', Calm, calm)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    group = "centrehold.mechanisms"
    installed = [importlib.metadata.EntryPoint("curfew", "curfew_package:CURFEW", group),
                 importlib.metadata.EntryPoint("broken", "broken_package:X", group),
                 importlib.metadata.EntryPoint("calm", "calm_package:CALM", group)]

    def entry_points(**selection):
        return [ep for ep in installed if ep.group == selection.get("group", ep.group)]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)
    plugin_lookup.entry_points.cache_clear()  # read once per process; here, read the fake
    request.addfinalizer(plugin_lookup.entry_points.cache_clear)
    path = tmp_path / "s.yaml"
    path.write_text("extends: iraq-2009\ncalendar: {end: 2009-12-31}\n"
                    "plugins: {curfew: {params: {regions: [IQ-NI], start: 2009-03-01, "
                    "end: 2009-03-31}}}\nmechanisms: {curfew: true, broken: false}\n")
    sc = load_scenario(str(path))  # `broken` is off: its module is never imported
    assert "broken_package" not in sys.modules
    assert sc.plugins["curfew"].source == ""  # the entry point, named by the switch
    [(mechanism, params)] = load_mechanisms(sc)
    assert mechanism.name == "curfew" and params.regions == ["IQ-NI"]
    before = tick_inputs_for_test(sc)
    after = _copy(before)
    apply_plugins(sc, after)
    changed = np.argwhere(after.arrest_k != before.arrest_k)
    ni = before.regions.index("IQ-NI")
    assert set(changed[:, 1]) == {ni}
    assert [str(before.dates[t]) for t in sorted(set(changed[:, 0]))][::30] == [
        "2009-03-01", "2009-03-31"]
    # a switch alone is enough when the plug-in's parameters all have defaults; here they
    # do not, and the error names the missing one
    path.write_text("extends: iraq-2009\nmechanisms: {curfew: true}\n")
    with pytest.raises(UserError, match=r"field 'plugins.curfew.params.regions': required"):
        load_scenario(str(path))
    # with defaults for all, the switch alone is enough, and the run records them
    path.write_text("extends: iraq-2009\nmechanisms: {calm: true}\n")
    calm = load_scenario(str(path))
    assert calm.model_dump()["plugins"] == {"calm": {"source": "", "params": {"factor": 0.5}}}
    inputs = tick_inputs_for_test(calm)
    expected = inputs.incident_mean * 0.5
    apply_plugins(calm, inputs)
    np.testing.assert_array_equal(inputs.incident_mean, expected)
    path.write_text("extends: iraq-2009\nmechanisms: {broken: true}\n")
    with pytest.raises(UserError, match="broken_package:X failed to import: ImportError"):
        load_scenario(str(path))


def test_builtin_switches_are_unchanged() -> None:
    sc = load_scenario("iraq-2009", {"mechanisms.revenge": "false"})
    assert sc.mechanisms.revenge is False and sc.mechanisms.model_extra == {}
    assert sc.plugins == {} and load_mechanisms(sc) == []
    inputs = tick_inputs_for_test(load_scenario(str(TUTORIAL), SHORT))
    before = _copy(inputs)
    apply_plugins(sc, inputs)  # nothing switched on: nothing changes
    np.testing.assert_array_equal(inputs.arrest_k, before.arrest_k)


def _fenced(text: str) -> list[str]:
    return [m.group(2) for m in re.finditer(r"```(\w+)\n(.*?)```", text, flags=re.S)]


def test_the_tutorial_shows_the_example_files_as_they_are() -> None:
    page = (ROOT / "docs" / "plugins.md").read_text()
    blocks = _fenced(page)
    for name in ("curfew.py", "curfew.yaml"):
        assert f"docs/examples/{name}" in page
        assert (EXAMPLES / name).read_text() in blocks, f"docs/plugins.md's copy of {name} differs"


def test_the_engine_side_of_the_contract_is_checked_before_any_plugin() -> None:
    """A wiring mistake in the engine is named as the engine's, not blamed on a plug-in."""
    sc = load_scenario(str(TUTORIAL), SHORT)
    good = tick_inputs_for_test(sc)
    cases = [(replace(good, dates=good.dates.astype("datetime64[ns]")), TypeError,
              "dates is datetime64[ns], not datetime64[D]"),
             (replace(good, arrest_k=good.arrest_k.astype(np.float32)), TypeError,
              "arrest_k is float32"),
             (replace(good, attack_rate=good.attack_rate[:, :, :-1]), TypeError,
              "attack_rate is float64 [731, 18, 5], not float64 [731, 18, 6]"),
             (replace(good, legitimacy=good.legitimacy + 1.0), ValueError,
              "legitimacy is 1.")]
    for inputs, kind, words in cases:
        with pytest.raises(kind, match=re.escape(words)):
            apply_plugins(sc, _copy(inputs))


def test_the_tutorial_curfew_runs_through_the_engine() -> None:
    """End to end: the curfew puts half as many Iraqi agents again on the streets of
    Baghdad and Diyala in July-September 2009, and nowhere or when else."""
    from centrehold.engine import simulate

    small = {"people_per_agent": "10000", "calendar.tick": "week", "warmup_days": "0"}
    base = simulate(load_scenario("iraq-2009", small), seed=3)
    cur = simulate(load_scenario(str(TUTORIAL), small), seed=3)
    on_b = base.forces_on_streets.sel(force="iraqi")
    on_c = cur.forces_on_streets.sel(force="iraqi")
    dates = base.date.values.astype("datetime64[D]")
    during = (dates >= np.datetime64("2009-06-25")) & (dates <= np.datetime64("2009-09-30"))
    inside = np.isin(base.region.values, ["IQ-BG", "IQ-DI"])
    cut = on_c.values[np.ix_(during, inside)]
    ref = on_b.values[np.ix_(during, inside)]
    assert np.all(np.abs(cut - np.rint(1.5 * ref)) <= 1)
    assert (on_c.values[np.ix_(~during, inside)] == on_b.values[np.ix_(~during, inside)]).all()
    assert (on_c.values[:, ~inside] == on_b.values[:, ~inside]).all()
