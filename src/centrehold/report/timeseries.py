"""PNG figures of one run: the state counts over time and, for dated runs, monthly deaths.

Drawn on a bare matplotlib `Figure` (no pyplot), so no global figure state is
touched and the functions are safe to call from worker processes and the web.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from centrehold.errors import UserError
from centrehold.runs.single import deaths_var
from centrehold.scenario.calendar import month_shares

STATE_STYLE = {
    "quiet": ("#7f8c8d", "quiet"),
    "active": ("#c0392b", "active"),
    "jailed": ("#2c3e50", "jailed"),
    "dead": ("#8e44ad", "dead"),
}


def _total(ds: xr.Dataset, name: str, keep: tuple[str, ...] = ("tick",)) -> xr.DataArray:
    da = ds[name]
    drop = [d for d in da.dims if d not in keep]
    return da.sum(drop) if drop else da


def _x(ds: xr.Dataset) -> tuple[np.ndarray, str]:
    if "date" in ds.coords:
        return pd.to_datetime(ds["date"].values).to_numpy(), "date"
    return ds["tick"].values, "tick"


def _title(ds: xr.Dataset) -> str:
    bits = [str(ds.attrs.get("scenario", "run"))]
    if "seed" in ds.attrs:
        bits.append(f"seed {ds.attrs['seed']}")
    if "schedule" in ds.attrs:
        bits.append(str(ds.attrs["schedule"]))
    if ds.attrs.get("hypothesis"):
        bits.append(f"hypothesis {ds.attrs['hypothesis']}")
    return ", ".join(bits)


def _withdrawal(ds: xr.Dataset) -> pd.Timestamp | None:
    """The withdrawal date from the run's parameters, if the scenario has one."""
    try:
        params = json.loads(ds.attrs.get("params", "{}"))
        day = params.get("dates", {}).get("withdrawal")
        return pd.Timestamp(day) if day else None
    except (ValueError, TypeError, AttributeError):
        return None


def plot_timeseries(ds: xr.Dataset, path: str | Path) -> Figure:
    """Agents by state, events per tick and, with several groups, a panel per group.

    The group panel is there because Model II's outcome (one group wiped out) is
    invisible in totals; for dated (regional) runs, whose populations barely move,
    it shows each group's actives instead. When the quiet dwarf the other states
    they are left out of the first panel (and said so), or nothing else would show.
    """
    x, xlabel = _x(ds)
    groups = list(ds["group"].values) if "group" in ds.dims else []
    panels = 3 if len(groups) > 1 else 2
    fig = Figure(figsize=(9, 2.6 * panels + 0.6), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(panels, 1, sharex=True)

    ax = axes[0]
    totals = {n: _total(ds, n).values for n in STATE_STYLE if n in ds}
    others = max((int(v.max()) for n, v in totals.items() if n != "quiet"), default=0)
    for name, (colour, label) in STATE_STYLE.items():
        if name not in totals or (name == "dead" and int(totals[name].max()) == 0):
            continue
        values = totals[name]
        if name == "quiet" and int(values.max()) > 5 * max(others, 1):
            ax.plot([], [], color="none",
                    label=f"quiet not shown ({int(values.min())}-{int(values.max())})")
            continue
        ax.plot(x, values, color=colour, label=label, lw=1.1)
    ax.set_ylabel("agents")
    ax.set_title(_title(ds), loc="left", fontsize=10)
    ax.legend(loc="upper right", fontsize=8, ncols=4)

    ax = axes[1]
    for name, colour in (("arrests", "#2980b9"), ("killings", "#d35400")):
        if name in ds and "tick" in ds[name].dims and int(ds[name].sum()) > 0:
            ax.plot(x, _total(ds, name).values, color=colour, label=f"{name} per tick", lw=0.9)
    ax.set_ylabel("agents per tick")
    if "deaths" in ds and "tick" in ds["deaths"].dims:
        # deaths are counted in people in scaled worlds: their own axis, their own unit
        right = ax.twinx()
        right.plot(x, _total(ds, "deaths").values, color="#8e44ad", lw=0.8, alpha=0.8,
                   label="deaths per tick (people, right)")
        right.set_ylabel("people per tick")
        right.legend(loc="upper left", fontsize=8)
    if ax.lines:
        ax.legend(loc="upper right", fontsize=8)

    if panels == 3:
        ax = axes[2]
        if "date" in ds.coords:
            per_group = _total(ds, "active", ("tick", "group"))
            ax.set_ylabel("active by group")
        else:
            per_group = sum(_total(ds, s, ("tick", "group")) for s in ("quiet", "active", "jailed")
                            if s in ds)
            ax.set_ylabel("living members")
        for g in groups:
            ax.plot(x, per_group.sel(group=g).values, label=str(g), lw=1.0)
        ax.legend(loc="upper right", fontsize=8, ncols=min(len(groups), 4))
    axes[-1].set_xlabel(xlabel)
    fig.savefig(path, format="png", dpi=110)
    return fig


def monthly_national_deaths(ds: xr.Dataset) -> pd.Series:
    """Deaths summed over every region and group, by calendar month: a tick's deaths
    are spread over the months its days fall in (`scenario.calendar.month_shares`), so
    a weekly run's months do not swing with the four or five ticks that start in them."""
    name = "deaths" if "deaths" in ds.data_vars else "killings"
    per_tick = _total(ds, name).to_numpy().astype(float)
    months, shares = month_shares(pd.to_datetime(ds["date"].values))
    return pd.Series(shares.T @ per_tick, index=months, name="deaths")


def plot_monthly_deaths(ds: xr.Dataset, path: str | Path) -> Figure:
    """National monthly deaths as bars: the series the record is compared on."""
    monthly = monthly_national_deaths(ds)
    fig = Figure(figsize=(9, 3.4), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.bar(monthly.index, monthly.values, width=25, color="#8e44ad", align="edge")
    ax.set_ylabel("deaths per month (simulated)")
    day = _withdrawal(ds)
    dates = pd.to_datetime(ds["date"].values)
    if day is not None and dates.min() <= day <= dates.max():
        ax.axvline(day, color="#333333", ls="--", lw=1)
        ax.annotate("withdrawal from the cities", (day, 1), xycoords=("data", "axes fraction"),
                    xytext=(4, -12), textcoords="offset points", fontsize=8)
    ax.set_title(_title(ds), loc="left", fontsize=10)
    ax.xaxis_date()
    fig.savefig(path, format="png", dpi=110)
    return fig


#: The PNGs `centrehold run` leaves in a run folder, beside the data `write_run` writes.
RUN_FIGURES = ("timeseries.png", "monthly_deaths.png")


def write_run_figures(ds: xr.Dataset, out_dir: str | Path) -> list[Path]:
    """Draw a run's PNGs into its folder: timeseries.png, and monthly_deaths.png for a
    dated regional run. Returns the paths written.

    The runs layer writes data only, so that a run stored by the web, a sweep or a
    script costs no drawing; the CLI calls this once the folder is complete, so a
    figure that fails loses nothing computed. Each file goes through a temporary name
    and a rename, so a reader sees the old figure or the new one, never half of one.
    """
    out = Path(out_dir)
    plots = [("timeseries.png", plot_timeseries)]
    if "region" in ds.dims and "date" in ds.coords and deaths_var(ds) is not None:
        plots.append(("monthly_deaths.png", plot_monthly_deaths))
    written = []
    for name, plot in plots:
        path = out / name
        tmp = path.with_name(f".{name}.tmp-{os.getpid()}")
        try:
            plot(ds, tmp)
            os.replace(tmp, path)
        except OSError as exc:
            raise UserError(
                f"cannot write {path}: {exc.strerror or exc}; the run's data is saved there: "
                f"free some space, then `centrehold report {out}` draws its figures"
            ) from None
        finally:
            tmp.unlink(missing_ok=True)
        written.append(path)
    return written
