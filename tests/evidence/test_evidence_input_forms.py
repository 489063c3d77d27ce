"""An input already in validated form skips the pandas steps: it must end where they do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.record.observations import EXPLOSIVE, EvidenceInput, _canonical


def _canonical_frame(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2008-01-01", periods=5, freq="MS").to_numpy("datetime64[us]")
    regions = ["IQ-AN", "IQ-BA", "IQ-BG"]
    deaths = rng.gamma(2.0, 30.0, len(months) * len(regions))
    return pd.DataFrame({
        "month": np.repeat(months, len(regions)),
        "region": pd.array(regions * len(months), dtype=pd.StringDtype(na_value=np.nan)),
        "deaths": deaths,
        EXPLOSIVE: deaths * rng.random(deaths.size),
    })


def test_a_canonical_frame_gives_what_the_full_validation_gives():
    frame = _canonical_frame()
    assert _canonical(frame)
    fast = EvidenceInput(frame, np.array([1.0, 5.0]))
    # the same rows shuffled, months as strings and regions as objects: the full path
    slow_in = frame.sample(frac=1.0, random_state=3).astype({"region": object})
    slow_in["month"] = slow_in["month"].dt.strftime("%Y-%m")
    assert not _canonical(slow_in)
    slow = EvidenceInput(slow_in, [1.0, 5.0])
    pd.testing.assert_frame_equal(fast.monthly, slow.monthly, check_exact=True)
    np.testing.assert_array_equal(fast.sizes, slow.sizes)


@pytest.mark.parametrize("change", ["unsorted", "duplicate", "mid_month", "int_deaths"])
def test_frames_not_in_canonical_form_are_recognised(change):
    frame = _canonical_frame()
    if change == "unsorted":
        frame = frame.iloc[[1, 0] + list(range(2, len(frame)))]
    elif change == "duplicate":
        frame.loc[1, "region"] = frame.loc[0, "region"]
    elif change == "mid_month":
        frame.loc[4, "month"] = frame.loc[4, "month"] + pd.Timedelta(days=3)
    else:
        frame["deaths"] = frame["deaths"].round().astype(np.int64)
    assert not _canonical(frame)
    # and validation still sums duplicates, moves dates to month starts, sorts
    out = EvidenceInput(frame, []).monthly
    assert out["deaths"].sum() == pytest.approx(float(frame["deaths"].sum()))
    assert not out.duplicated(["month", "region"]).any()


@pytest.mark.parametrize("column, value, message", [
    ("deaths", -1.0, "negative or missing deaths"),
    ("deaths", np.nan, "negative or missing deaths"),
    (EXPLOSIVE, 1e9, "explosive deaths"),
])
def test_a_canonical_frame_still_has_its_values_checked(column, value, message):
    frame = _canonical_frame()
    frame.loc[2, column] = value
    assert _canonical(frame)
    with pytest.raises(UserError, match=message):
        EvidenceInput(frame, [])
