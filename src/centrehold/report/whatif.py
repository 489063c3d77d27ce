"""The what-if section of a compare report, read from the files `whatif` writes.

A compare folder's report shows it when `centrehold whatif` wrote into the folder's
`whatif/` subfolder (its default) or into the folder itself. Every number is a
difference between paired model runs, so the section says so before any figure.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from centrehold.report.fit import PALETTE, _rgba

#: Said when the what-if's own settings do not carry its note.
CAVEAT = ("Model counterfactuals under the fitted hypotheses, not statements about what "
          "would have happened.")


def find_whatif(root: Path) -> Path | None:
    """The folder holding a what-if's tables beside or inside a compare folder, if any."""
    for folder in (Path(root) / "whatif", Path(root)):
        if (folder / "whatif_summary.csv").is_file() and (folder / "whatif_monthly.csv").is_file():
            return folder
    return None


def summary_html(summary: pd.DataFrame) -> str:
    """Case, what it changes, deaths over the period: baseline, difference, band, relative."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in (
        "case", "what changes", "baseline", "difference", "90% band", "relative"))
    rows = []
    for r in summary.to_dict("records"):
        rel = r["relative_median"]
        cells = [r["case"], r["description"], f"{r['baseline_median']:,.0f}",
                 f"{r['difference_median']:+,.0f}",
                 f"{r['difference_low']:+,.0f} .. {r['difference_high']:+,.0f}",
                 "-" if rel != rel else f"{rel:+.0%}"]
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def monthly_figure(monthly: pd.DataFrame) -> go.Figure:
    """Median difference in national deaths per month with its 90% band, one colour a case."""
    fig = go.Figure()
    for i, (case, sub) in enumerate(monthly.groupby("case", sort=False)):
        colour = PALETTE[i % len(PALETTE)]
        fig.add_trace(go.Scatter(x=sub["month"], y=sub["difference_high"], mode="lines",
                                 line_width=0, showlegend=False, legendgroup=case,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=sub["month"], y=sub["difference_low"], mode="lines",
                                 line_width=0, fill="tonexty", fillcolor=_rgba(colour, 0.2),
                                 showlegend=False, legendgroup=case, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=sub["month"], y=sub["difference_median"], mode="lines",
                                 line={"color": colour, "width": 2}, name=case,
                                 legendgroup=case))
    fig.add_hline(y=0, line_color="black", line_width=1)
    fig.update_layout(height=420, margin={"l": 60, "r": 20, "t": 30, "b": 40},
                      yaxis={"title": "deaths per month, case minus baseline"},
                      legend={"orientation": "h"})
    return fig


def governorate_figure(gov: pd.DataFrame, period: str) -> go.Figure:
    """Median difference over the period by governorate, one bar group per case."""
    fig = go.Figure()
    order = (gov.groupby("region")["baseline_median"].first()
             .sort_values(ascending=False).index)
    for i, (case, sub) in enumerate(gov.groupby("case", sort=False)):
        sub = sub.set_index("region").reindex(order)
        fig.add_trace(go.Bar(
            x=list(order), y=sub["difference_median"], name=case,
            marker_color=PALETTE[i % len(PALETTE)],
            error_y={"type": "data", "symmetric": False,
                     "array": sub["difference_high"] - sub["difference_median"],
                     "arrayminus": sub["difference_median"] - sub["difference_low"]}))
    fig.update_layout(barmode="group", height=380, margin={"l": 60, "r": 20, "t": 30, "b": 60},
                      yaxis={"title": f"deaths {period}, case minus baseline"},
                      legend={"orientation": "h"})
    return fig


def whatif_sections(root: Path) -> list[str]:
    """The report's what-if sections for a compare folder (none if no what-if was run)."""
    folder = find_whatif(root)
    if folder is None:
        return []
    summary = pd.read_csv(folder / "whatif_summary.csv")
    monthly = pd.read_csv(folder / "whatif_monthly.csv")
    draws = int(summary["draws"].iloc[0]) if len(summary) else 0
    period = str(summary["period"].iloc[0]) if len(summary) else ""
    note = CAVEAT
    if (folder / "whatif.json").is_file():
        note = json.loads((folder / "whatif.json").read_text()).get("note") or CAVEAT
    parts = [
        "<section><h2>What-ifs: model counterfactuals</h2>"
        f"<p><b>{html.escape(note)}</b></p>{summary_html(summary)}"
        f"<p class=\"caption\">{draws} posterior draws, each run as fitted and with the case "
        "on the same seed; medians and 5%-95% bands over draws of national deaths "
        f"{period}.</p></section>",
    ]
    div = monthly_figure(monthly).to_html(full_html=False, include_plotlyjs=False,
                                          config={"responsive": True})
    parts.append("<section><h2>What-ifs by month</h2>" + div + "<p class=\"caption\">"
                 "Difference in national deaths per month, case minus baseline: median and "
                 "90% band over the paired draws.</p></section>")
    gov_path = folder / "whatif_governorate.csv"
    if gov_path.is_file():
        div = governorate_figure(pd.read_csv(gov_path), period).to_html(
            full_html=False, include_plotlyjs=False, config={"responsive": True})
        parts.append("<section><h2>What-ifs by governorate</h2>" + div + "<p class=\"caption\">"
                     f"Difference in deaths {period} by governorate: median "
                     "and 5%-95% over draws.</p></section>")
    return parts
