"""The tidy table holds any contract-2 Dataset losslessly: every variable comes back from it."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from centrehold.runs.single import tidy_table

OTHER_DIMS = {"group": ["a", "b", "c"], "region": ["IQ-BG", "IQ-BA"], "cause": ["x", "y"],
              "force": ["f1", "f2", "f3"]}


@st.composite
def datasets(draw) -> xr.Dataset:
    n_ticks = draw(st.integers(1, 6))
    dims_used = draw(st.lists(st.sampled_from(sorted(OTHER_DIMS)), unique=True, max_size=3))
    sizes = {d: draw(st.integers(1, len(OTHER_DIMS[d]))) for d in dims_used}
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    data = {}
    for i in range(draw(st.integers(1, 4))):
        own = [d for d in dims_used if draw(st.booleans())]
        shape = (n_ticks, *(sizes[d] for d in own))
        values = rng.integers(0, 1000, size=shape) if i % 2 == 0 else rng.random(shape)
        data[f"v{i}"] = (("tick", *own), values)
    coords = {"tick": np.arange(n_ticks)}
    coords.update({d: OTHER_DIMS[d][: sizes[d]] for d in dims_used})
    if draw(st.booleans()):
        coords["date"] = ("tick", pd.date_range("2009-01-01", periods=n_ticks))
    return xr.Dataset(data, coords=coords)


@settings(max_examples=40, deadline=None)
@given(ds=datasets())
def test_every_variable_round_trips_through_parquet(ds: xr.Dataset) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ticks.parquet"
        tidy_table(ds).to_parquet(path, index=False)
        df = pd.read_parquet(path)
    used = {d for v in ds.data_vars.values() for d in v.dims if d != "tick"}
    assert len(df) == ds.sizes["tick"] * int(np.prod([ds.sizes[d] for d in used]))
    assert ("date" in df.columns) == ("date" in ds.coords)
    for name, da in ds.data_vars.items():
        own = list(da.dims)
        assert df.attrs["dims"][name] == own
        back = df[own + [name]].drop_duplicates(own).set_index(own)[name]
        assert len(back) == da.size  # a repeated value is the same value, not a new one
        original = da.to_series()
        np.testing.assert_array_equal(back.loc[original.index].to_numpy(), original.to_numpy())
