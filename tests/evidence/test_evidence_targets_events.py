"""Against whom and after what: target-group shares and event ratios.

The event ratio is computed from precomputed day positions so that it costs little per
simulation; the record's event study (`centrehold.record.event_study`) computes the same
contrast with dates and pandas, and serves as the peer it must agree with.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from centrehold.infer.evidence import (
    event_ratio,
    event_statistics,
    event_windows,
    evidence_table,
)
from centrehold.record.event_study import event_study
from centrehold.record.observations import TARGET_COLUMNS, EvidenceInput

#: The iraq-2009 scenario's facts the statistics read (`scenario_facts`).
FACTS = {"mixed": ("IQ-BG", "IQ-DI", "IQ-KI", "IQ-NI"), "withdrawal": "2009-06-30",
         "elections": ("2009-01-31", "2010-03-07")}


def _input(rows, daily=None) -> EvidenceInput:
    frame = pd.DataFrame(rows, columns=["month", "region", "deaths", *TARGET_COLUMNS])
    return EvidenceInput(monthly=frame, sizes=np.ones(3), daily=daily)


def test_target_shares_by_hand():
    inp = _input([("2009-01", "A", 10, 1, 2, 3, 4), ("2009-02", "B", 10, 1, 0, 1, 2)])
    stats = evidence_table(inp, start="2009-01", end="2009-02", regions=["A", "B"], **FACTS)
    assert stats["target_share_state"] == pytest.approx(2 / 14)
    assert stats["target_share_crowds"] == pytest.approx(2 / 14)
    assert stats["target_share_community"] == pytest.approx(4 / 14)
    assert stats["target_share_killings"] == pytest.approx(6 / 14)


def test_negative_target_deaths_are_refused_in_one_line():
    with pytest.raises(Exception, match="negative or missing target_state"):
        _input([("2009-01", "A", 10, -1, 2, 3, 4)])


def test_event_windows_by_hand():
    # series from day 0; one event on day 10, window 3 days, baseline one week either side
    w = event_windows(pd.Timestamp("2009-01-01"), 30, [pd.Timestamp("2009-01-11")], window=3,
                      baseline_weeks=1)
    assert len(w) == 1
    inside, near = w[0]
    assert list(inside) == [10, 11, 12]
    assert list(near) == [3, 4, 5, 17, 18, 19]
    values = np.zeros(30)
    values[[10, 11, 12]] = 6.0
    values[[3, 4, 5, 17, 18, 19]] = 2.0
    assert event_ratio(values, w) == pytest.approx(3.0)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_event_ratio_agrees_with_the_record_event_study(seed):
    rng = np.random.default_rng(seed)
    days = pd.date_range("2008-01-01", "2009-12-31", freq="D")
    daily = pd.Series(rng.poisson(15, len(days)).astype(float), index=days)
    events = sorted(pd.Timestamp("2008-01-01") + pd.Timedelta(days=int(d))
                    for d in rng.choice(np.arange(40, 680), 4, replace=False))
    stats = event_statistics(daily, {"x": events}, "2008-01", "2009-12")
    peer = event_study(daily, events, window=14, baseline_weeks=4, resamples=0)
    assert stats["event_ratio_x"] == pytest.approx(peer.ratio, rel=1e-12)


def test_events_outside_the_window_are_left_out():
    days = pd.date_range("2009-01-01", "2009-03-31", freq="D")
    daily = pd.Series(1.0, index=days)
    stats = event_statistics(daily, {"late": [pd.Timestamp("2011-01-01")]}, "2009-01", "2009-03")
    assert np.isnan(stats["event_ratio_late"])
