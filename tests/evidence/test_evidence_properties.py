"""Invariants of the evidence statistics and of aggregation, over generated inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from centrehold.infer.evidence import evidence_table
from centrehold.record import aggregate, events_to_frame
from centrehold.record.events import Event
from centrehold.record.observations import UNKNOWN_REGION, EvidenceInput

REGIONS = ["IQ-AN", "IQ-BG", "IQ-DI", "IQ-NI", UNKNOWN_REGION]
MONTHS = [f"2009-{m:02d}" for m in range(1, 13)]

rows = st.lists(
    st.tuples(st.sampled_from(MONTHS), st.sampled_from(REGIONS), st.integers(0, 500)),
    min_size=1, max_size=60,
)

#: The iraq-2009 scenario's facts the statistics read (`scenario_facts`).
FACTS = {"mixed": ("IQ-BG", "IQ-DI", "IQ-KI", "IQ-NI"), "withdrawal": "2009-06-30",
         "elections": ("2009-01-31", "2010-03-07")}


def table_for(data, scale: float = 1.0) -> pd.Series:
    monthly = pd.DataFrame(data, columns=["month", "region", "deaths"])
    monthly["deaths"] = monthly["deaths"] * scale
    inp = EvidenceInput(monthly, np.array([1.0, 2.0, 12.0]) * scale)
    return evidence_table(inp, start="2009-01", end="2009-12", regions=REGIONS[:-1], **FACTS)


@settings(max_examples=40, deadline=None)
@given(rows)
def test_shares_sum_to_one_and_national_months_sum_to_the_total(data):
    table = table_for(data)
    total = sum(d for _, _, d in data)
    monthly = [table[f"national_{m}"] for m in MONTHS]
    assert sum(monthly) == pytest.approx(total)
    assert table["national_mean"] == pytest.approx(total / 12)
    located = sum(d for _, r, d in data if r != UNKNOWN_REGION)
    shares = table[[f"share_{r}" for r in REGIONS[:-1]]]
    if located > 0:
        assert shares.sum() == pytest.approx(1.0)
        assert 0.0 <= table["share_mixed"] <= 1.0
    else:
        assert shares.isna().all() and math.isnan(table["share_mixed"])


@settings(max_examples=40, deadline=None)
@given(rows, st.sampled_from([2.0, 3.0, 10.0]))
def test_scaling_all_deaths_scales_levels_and_leaves_shapes(data, k):
    """Doubling every count (e.g. one agent per two people) must not change shares or ratios."""
    base, scaled = table_for(data), table_for(data, k)
    for name in ("national_mean", "national_trend"):
        assert scaled[name] == pytest.approx(k * base[name], abs=1e-9)
    # share_mass_casualty is left out: its threshold is an absolute number of deaths.
    shape = [n for n in base.index
             if (n.startswith("share_") and n != "share_mass_casualty") or n.endswith("_ratio")]
    for name in shape:
        if math.isnan(base[name]):
            assert math.isnan(scaled[name])
        else:
            assert scaled[name] == pytest.approx(base[name])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=pd.Timestamp("2008-01-01").date(),
                     max_value=pd.Timestamp("2010-12-31").date()),
            st.sampled_from(["IQ-BG", "IQ-AN", None]),
            st.integers(0, 50), st.integers(0, 50),
        ),
        min_size=1, max_size=80,
    )
)
def test_aggregation_conserves_incidents_and_deaths(items):
    events = events_to_frame([
        Event(day, day, "p", region, min(a, b), max(a, b)) for day, region, a, b in items
    ])
    table = aggregate(events)
    assert table["incidents"].sum() == len(items)
    assert table["deaths_low"].sum() == sum(min(a, b) for *_, a, b in items)
    assert table["deaths_high"].sum() == sum(max(a, b) for *_, a, b in items)
    unknown = table.loc[table["region"] == UNKNOWN_REGION, "incidents"].sum()
    assert unknown == sum(1 for _, r, *_ in items if r is None)
    assert not table.duplicated(["period", "region"]).any()
