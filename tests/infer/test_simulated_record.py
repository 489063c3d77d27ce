"""A run read without its Dataset gives the evidence its Dataset gives, value for value.

`compare` reads its simulations from the run's own arrays (`evidence_input_of_run`)
because labelling them costs a tenth of a simulation; every report, reader and older
run folder reads the Dataset (`evidence_input`). The Dataset is the oracle.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from centrehold.engine import regional_dataset
from centrehold.infer.evidence import event_statistics
from centrehold.infer.simulated import ScenarioSimulator
from centrehold.infer.simulated_record import evidence_input, evidence_input_of_run
from centrehold.scenario import load_scenario


@pytest.fixture(scope="module")
def simulator() -> ScenarioSimulator:
    sc = load_scenario("iraq-2009", {"people_per_agent": "10000", "calendar.tick": "week",
                                     "warmup_days": "28"})
    return ScenarioSimulator(sc, regions=tuple(r.iso for r in sc.regions), tail_xmin=3.0)


@pytest.mark.parametrize("hypothesis", ["H0", "H4", "HA"])
@pytest.mark.parametrize("window", [("2008-01", "2009-12"), ("2009-03", "2009-03"),
                                    (None, None)])
def test_the_run_and_its_dataset_give_the_same_evidence(simulator, hypothesis, window):
    run = simulator.run(hypothesis, {}, seed=3, end="2010-06")
    assert run.attacks.any() and (~run.attacks).any()  # both kinds of incident to read
    from_run = evidence_input_of_run(run, *window)
    from_ds = evidence_input(regional_dataset(run), *window)
    pd.testing.assert_frame_equal(from_run.monthly, from_ds.monthly, check_exact=True)
    np.testing.assert_array_equal(from_run.sizes, from_ds.sizes)
    pd.testing.assert_series_equal(from_run.daily, from_ds.daily, check_exact=True)


def test_the_simulator_reads_the_run_as_its_dataset_would_be_read(simulator):
    stats = simulator("H2", {}, 5)
    ds = simulator.dataset("H2", {}, 5)
    pd.testing.assert_series_equal(stats, simulator.statistics(ds), check_exact=True)


def test_event_ratios_read_missing_days_as_quiet():
    # a daily series with a gap and days outside the window: read as reindexing would
    days = pd.date_range("2009-01-01", "2009-03-31", freq="D")
    rng = np.random.default_rng(0)
    daily = pd.Series(rng.poisson(20, len(days)).astype(float), index=days)
    holed = daily.drop(days[40:50])
    events = {"a": ["2009-02-10", "2009-03-05"], "b": ["2009-01-20"], "none": []}
    got = event_statistics(holed, events, "2009-01-01", "2009-03-01")
    filled = holed.reindex(days, fill_value=0.0)
    assert got == event_statistics(filled, events, "2009-01-01", "2009-03-01")
    assert np.isfinite(got["event_ratio_a"]) and np.isnan(got["event_ratio_none"])
    # the gap counts as quiet days: the ratio moves when the days come back
    assert got["event_ratio_a"] != event_statistics(daily, events, "2009-01-01",
                                                    "2009-03-01")["event_ratio_a"]
