"""The report's figures, adjusted for one run shown on the dashboard.

The report draws ensembles of runs; the page shows a single run beside the record, so a
few labels and marks change: no "mean of runs" on one run, counts from zero, the record's
minimum and maximum as one band, and a line where the record ends when the run goes on.
Figures arrive and leave as plotly JSON (dicts), so this works on what the page receives.
"""

from __future__ import annotations

import base64
from typing import Any

import numpy as np

COUNT_FIGURES = ("national_deaths", "deaths_by_group", "states")
FLAT_NOTE = (" Flat here: no community's agent count in any governorate changed during this "
             "run, so the index kept its starting value (it moves only with displacement "
             "between governorates, births and agent deaths).")


def values(v: Any) -> np.ndarray:
    """A plotly JSON array: a plain list, or {dtype, bdata} (base64 of the raw numbers)."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v.get("dtype", "f8"))
    return np.asarray([np.nan if x is None else x for x in (v or [])], dtype=float)


def _flat(fig: dict) -> bool:
    """Every series of the figure keeps one value from start to end."""
    series = [values(t.get("y")) for t in fig.get("data", [])]
    series = [y[np.isfinite(y)] for y in series if len(y)]
    return bool(series) and all(len(y) == 0 or np.ptp(y) < 1e-12 for y in series)
OBS_FILL = "rgba(230,159,0,0.3)"  # the report's observed colour (Okabe-Ito orange), light


def one_run(text: str) -> str:
    return text.replace("mean of runs", "one run")


def _relabel(fig: dict) -> None:
    layout = fig.get("layout", {})
    for axis in ("xaxis", "yaxis"):
        title = layout.get(axis, {}).get("title")
        if isinstance(title, dict) and isinstance(title.get("text"), str):
            title["text"] = one_run(title["text"])
    for trace in fig.get("data", []):
        if isinstance(trace.get("name"), str):
            trace["name"] = one_run(trace["name"])


def _from_zero(fig: dict) -> None:
    yaxis = fig.setdefault("layout", {}).setdefault("yaxis", {})
    if yaxis.get("type") != "log":
        yaxis["rangemode"] = "tozero"


def _record_band(fig: dict) -> str | None:
    """Draw the record's minimum-maximum as a band; return the record's last month shown."""
    data = fig.get("data", [])
    hi = next((t for t in data if t.get("name") in ("observed (IBC max)", "observed")), None)
    lo = next((t for t in data if t.get("name") == "observed (IBC min)"), None)
    if hi is None:
        return None
    if lo is not None:
        data.remove(lo)
        data.remove(hi)
        lo.update(showlegend=False, hoverinfo="x+y", line={"width": 0.5, "color": "#E69F00"})
        hi.update(name="observed (IBC min-max)", fill="tonexty", fillcolor=OBS_FILL,
                  line={"width": 0.5, "color": "#E69F00"})
        data.extend([lo, hi])  # "tonexty" fills down to the trace just before it
    xs = [x for x in hi.get("x", []) if x is not None]
    return max(xs) if xs else None


def _run_end(fig: dict) -> str | None:
    xs = [x for t in fig.get("data", []) if not str(t.get("name", "")).startswith("observed")
          for x in t.get("x", []) if x is not None]
    return max(xs) if xs else None


def _mark_record_end(fig: dict, last: str) -> None:
    layout = fig.setdefault("layout", {})
    layout.setdefault("shapes", []).append({
        "type": "line", "xref": "x", "yref": "paper", "x0": last, "x1": last, "y0": 0, "y1": 1,
        "line": {"color": "#555555", "width": 1, "dash": "dot"}})
    layout.setdefault("annotations", []).append({
        "x": last, "xref": "x", "y": 1, "yref": "paper", "showarrow": False, "xanchor": "left",
        "yanchor": "top", "text": f" record ends {str(last)[:7]}",
        "font": {"size": 11, "color": "#555555"}})


OBSERVED_MAP_CAPTION = (
    "Iraq Body Count: the maximum count of civilian deaths per governorate and month, per "
    "100,000 inhabitants (the scenario's populations); only deaths the record places in a "
    "governorate. The record covers {first} to {last}; months of the run outside it are not "
    "shown. Move the slider to change the month.")


def observed_rate(months: Any, params: dict) -> Any:
    """The record's deaths per 100,000 by month (rows) and governorate (columns), for the
    run's months that the record covers; None without the record or any common month."""
    try:
        from centrehold.record import iraq_panel

        panel = iraq_panel()
    except Exception:  # the record is optional here: no observed map without it
        return None
    pop = {r["iso"]: float(r["population"]) for r in params.get("regions", [])
           if r.get("iso") and r.get("population")}
    tab = panel.pivot_table(index="month", columns="region", values="deaths_high",
                            aggfunc="sum").fillna(0.0)
    tab = tab.loc[tab.index.isin(months), [c for c in tab.columns if c in pop]]
    if tab.empty:
        return None
    return tab.div([pop[c] for c in tab.columns], axis=1).mul(1e5)


def polish(figures: dict[str, dict[str, Any]]) -> str | None:
    """Adjust each figure of one run in place; return the month the record ends when the
    run goes past it (None otherwise)."""
    record_end = None
    for name, entry in figures.items():
        fig = entry["figure"]
        _relabel(fig)
        if isinstance(entry.get("caption"), str):
            entry["caption"] = one_run(entry["caption"])
        if name in COUNT_FIGURES:
            _from_zero(fig)
        if name == "segregation" and _flat(fig):
            entry["caption"] = (entry.get("caption") or "") + FLAT_NOTE
        if name == "national_deaths":
            last = _record_band(fig)
            end = _run_end(fig)
            if last is not None and end is not None and str(last) < str(end):
                _mark_record_end(fig, last)
                record_end = str(last)[:7]
    return record_end
