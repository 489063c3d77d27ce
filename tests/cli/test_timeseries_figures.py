"""What the single-run figures show, read back from the matplotlib objects."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from cli_fakes import civil_dataset, regional_dataset

from centrehold.report.timeseries import plot_monthly_deaths, plot_timeseries


def labels(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def test_state_panel_keeps_quiet_when_comparable(tmp_path: Path) -> None:
    ds = civil_dataset(ticks=20)
    ds["active"][:] = 300  # actives comparable to the quiet
    ds["quiet"][:] = 500 - 300 - ds["jailed"] - ds["dead"]
    fig = plot_timeseries(ds, tmp_path / "a.png")
    top, _, groups = fig.axes[0], fig.axes[1], fig.axes[2]
    assert "quiet" in labels(top) and "active" in labels(top)
    np.testing.assert_array_equal(top.lines[1].get_ydata(), ds["active"].sum("group").values)
    assert groups.get_ylabel() == "living members" and labels(groups) == ["blue", "green"]


def test_state_panel_drops_quiet_that_dwarfs_the_rest(tmp_path: Path) -> None:
    ds = civil_dataset(ticks=20)
    ds["active"][:] = 1
    ds["jailed"][:] = 1
    ds["dead"][:] = 0
    ds["quiet"][:] = 498
    fig = plot_timeseries(ds, tmp_path / "a.png")
    assert labels(fig.axes[0])[0] == "quiet not shown (996-996)"


def test_regional_figure_puts_people_on_their_own_axis(tmp_path: Path) -> None:
    ds = regional_dataset(days=40)
    fig = plot_timeseries(ds, tmp_path / "r.png")
    right = [ax for ax in fig.axes if ax.get_ylabel() == "people per tick"]
    assert len(right) == 1
    np.testing.assert_array_equal(right[0].lines[0].get_ydata(),
                                  ds["deaths"].sum(["group", "region", "cause"]).values)
    assert any(ax.get_ylabel() == "active by group" for ax in fig.axes)


def test_monthly_deaths_marks_the_withdrawal_when_in_range(tmp_path: Path) -> None:
    ds = regional_dataset(days=75)  # 17 May .. 31 July 2009
    ds.attrs["params"] = json.dumps({"dates": {"withdrawal": "2009-06-30"}})
    ax = plot_monthly_deaths(ds, tmp_path / "m.png").axes[0]
    assert len(ax.patches) == 3  # three months of bars
    assert [t.get_text() for t in ax.texts] == ["withdrawal from the cities"]
    ds.attrs["params"] = json.dumps({"dates": {"withdrawal": "2011-12-31"}})
    ax = plot_monthly_deaths(ds, tmp_path / "m2.png").axes[0]
    assert len(ax.texts) == 0  # outside the run: no marker
