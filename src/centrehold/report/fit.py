"""The compare report's opening: does any hypothesis fit the record, before who wins?

A posterior is only worth reading for hypotheses whose simulations reproduce the
record, so a compare report opens with the record's national monthly deaths against
each fitted hypothesis's predictive band, the adequacy table, and record against
simulation by governorate; the posterior and the ACH matrix follow, and the plain
verdict closes. Everything here reads the compare folder through
`centrehold.infer.folder`, never the engine.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from centrehold.infer.folder import CompareFolder, is_compare_folder, read_compare_folder

#: Okabe-Ito, readable with colour blindness.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#999999")


@dataclass
class FitFiles:
    """What a compare folder holds for the fit sections (None where a file is absent)."""

    predictive: pd.DataFrame | None
    adequacy: pd.DataFrame | None
    ach: pd.DataFrame | None
    verdict: str | None
    premises: pd.DataFrame | None = None


def fit_files(folder: CompareFolder) -> FitFiles:
    """The fit sections' tables of a compare folder already read."""
    def table(df: pd.DataFrame | None) -> pd.DataFrame | None:
        return df if df is not None and not df.empty else None

    return FitFiles(table(folder.predictive_national), table(folder.adequacy),
                    table(folder.ach), folder.verdict or None, table(folder.premises))


def read_fit_files(root: Path) -> FitFiles | None:
    """The fit files of a compare folder, or None if it is not one (a run folder)."""
    if not is_compare_folder(root):
        return None
    return fit_files(read_compare_folder(root))


def premises_html(premises: pd.DataFrame) -> str:
    """The article's checkable premises with the record's value and interval."""
    rows = []
    for r in premises.to_dict("records"):
        value = r.get("value")
        known = isinstance(value, float) and value == value
        cells = [r.get("statement", r.get("premise", "")), r.get("window", ""),
                 f"{value:.2f}" if known else "-",
                 f"{r['low']:.2f}-{r['high']:.2f}" if known else "not in the record",
                 r.get("note", "") if isinstance(r.get("note", ""), str) else ""]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("premise", "window", "value", "90% interval",
                                              "how it is read"))
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def fit_figure(pn: pd.DataFrame, adequacy: pd.DataFrame | None) -> go.Figure:
    """Record line over each hypothesis's 90% predictive band, the held-out year marked."""
    status = ({} if adequacy is None
              else adequacy.set_index("hypothesis")["status"].astype(str).to_dict())
    fig = go.Figure()
    hyps = [h for h in pn["hypothesis"].unique() if h != "record"]
    for i, h in enumerate(hyps):
        sub = pn[pn["hypothesis"] == h].sort_values("month")
        colour = PALETTE[i % len(PALETTE)]
        label = f"{h} ({status.get(h, '?')})"
        fig.add_trace(go.Scatter(x=sub["month"], y=sub["high"], mode="lines", line_width=0,
                                 showlegend=False, legendgroup=h, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=sub["month"], y=sub["low"], mode="lines", line_width=0,
                                 fill="tonexty", fillcolor=_rgba(colour, 0.2), name=label,
                                 legendgroup=h))
        fig.add_trace(go.Scatter(x=sub["month"], y=sub["median"], mode="lines",
                                 line={"color": colour, "width": 1, "dash": "dot"},
                                 showlegend=False, legendgroup=h, name=f"{h} median"))
    rec = pn[pn["hypothesis"] == "record"].sort_values("month")
    fig.add_trace(go.Scatter(x=rec["month"], y=rec["median"], mode="lines+markers",
                             line={"color": "black", "width": 2}, name="record"))
    test = pn.loc[pn["window"] == "test", "month"]
    if len(test):
        fig.add_vrect(x0=test.min(), x1=test.max(), fillcolor="#eeeeee", opacity=0.5,
                      line_width=0, annotation_text="held out", annotation_position="top left")
    fig.update_layout(height=420, margin={"l": 60, "r": 20, "t": 30, "b": 40},
                      yaxis={"title": "national deaths per month", "rangemode": "tozero"},
                      legend={"orientation": "h"})
    return fig


def governorate_figure(ach: pd.DataFrame, adequacy: pd.DataFrame | None) -> go.Figure | None:
    """Each governorate's share of deaths: the record against each fitted hypothesis's
    predictive median (from the ACH table's `share_<region>` items)."""
    if ach is None or "sim_median" not in ach.columns:
        return None
    shares = ach[ach["item"].astype(str).str.match(r"^share_[A-Z]{2}-")]
    if shares.empty:
        return None
    shares = shares.assign(region=shares["item"].str.removeprefix("share_"))
    obs = shares.groupby("region")["observed"].first().sort_values(ascending=False)
    fig = go.Figure(go.Bar(x=obs.index, y=obs.to_numpy(), name="record", marker_color="black"))
    for i, (h, sub) in enumerate(shares.groupby("hypothesis", sort=True)):
        sub = sub.set_index("region").reindex(obs.index)
        fig.add_trace(go.Bar(x=obs.index, y=sub["sim_median"], name=h,
                             marker_color=PALETTE[i % len(PALETTE)]))
    fig.update_layout(barmode="group", height=380, margin={"l": 60, "r": 20, "t": 30, "b": 60},
                      yaxis={"title": "share of located deaths, 2008-2009", "rangemode": "tozero"},
                      legend={"orientation": "h"})
    return fig


def adequacy_html(adequacy: pd.DataFrame) -> str:
    """The adequacy table as HTML, one row per hypothesis."""
    cols = [("hypothesis", "hypothesis", "{}"), ("status", "status", "{}"),
            ("coverage_fit", "90% band covers (fit)", "{:.0%}"),
            ("coverage_test", "covers (held out)", "{:.0%}"),
            ("predictive_mean", "mean/month", "{:.0f}"), ("record_mean", "record", "{:.0f}"),
            ("decline_predicted", "yr2/yr1", "{:.2f}"), ("decline_record", "record", "{:.2f}"),
            ("why_inadequate", "why not adequate", "{}")]
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label, _ in cols)
    rows = []
    for r in adequacy.to_dict("records"):
        cells = []
        for key, _, fmt in cols:
            v = r.get(key)
            text = "-" if v is None or (isinstance(v, float) and v != v) else fmt.format(v)
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"
