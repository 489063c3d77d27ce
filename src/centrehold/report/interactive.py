"""Interactive plotly figures for the HTML report (the same content as the PNGs)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from centrehold.report import style
from centrehold.report.data import ReportData, band, needs_log_scale
from centrehold.report.geo import BOUNDARY_SOURCE, polygons
from centrehold.report.tiles import GOVERNORATES, short_label

LAYOUT = dict(template="plotly_white", margin=dict(l=60, r=20, t=50, b=60), height=380,
              font=dict(size=12))


def _x(index):
    return list(index)


def _add_band(fig: go.Figure, frame, colour: str, name: str) -> None:
    if frame.shape[1] > 1:
        b = band(frame)
        fig.add_trace(go.Scatter(x=_x(b.index), y=b["high"], line=dict(width=0),
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=_x(b.index), y=b["low"], fill="tonexty", line=dict(width=0),
                                 fillcolor=_rgba(colour, 0.25), name=f"{name}: 5-95% of runs"))
        fig.add_trace(go.Scatter(x=_x(b.index), y=b["median"], line=dict(color=colour, width=2),
                                 name=f"{name}: median"))
    else:
        fig.add_trace(go.Scatter(x=_x(frame.index), y=frame.iloc[:, 0],
                                 line=dict(color=colour, width=2), name=name))


def _rgba(hex_colour: str, alpha: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i: i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _monthly_axis(fig: go.Figure, months) -> None:
    """One tick a month (a quarter on long runs), labelled by month, for monthly series."""
    n = len(months)
    fig.update_xaxes(tickformat="%b %Y", dtick="M1" if n <= 15 else ("M3" if n <= 48 else "M12"))


def national(rd: ReportData) -> go.Figure:
    fig = go.Figure()
    _add_band(fig, rd.national, style.SIM_COLOUR, "simulated")
    if rd.observed is not None:
        o = rd.observed.monthly
        ranged = bool((o["low"] != o["high"]).any())
        fig.add_trace(go.Scatter(x=_x(o.index), y=o["high"],
                                 name="observed (IBC max)" if ranged else "observed",
                                 line=dict(color=style.OBS_COLOUR, dash="dash")))
        if ranged:
            fig.add_trace(go.Scatter(x=_x(o.index), y=o["low"], name="observed (IBC min)",
                                     line=dict(color=style.OBS_COLOUR, dash="dot")))
    per = "month" if rd.dated else "tick"
    fig.update_layout(**LAYOUT, title="National deaths per " + per,
                      xaxis_title="month" if rd.dated else "tick",
                      yaxis_title=f"civilian deaths per {per} (people)")
    if rd.dated:
        _monthly_axis(fig, rd.national.index)
    if needs_log_scale(rd):
        fig.update_yaxes(type="log", title=f"civilian deaths per {per} (people, log scale)")
    return fig


def _cividis(values, zmax: float) -> list[str]:
    return sample_colorscale("Cividis", [min(max(v / zmax, 0.0), 1.0) if np.isfinite(v) else 0.0
                                         for v in values])


def region_map(rd: ReportData, boundaries: dict | None) -> go.Figure:
    """Deaths per 100,000 by governorate and month, with a slider over months.

    Drawn on plain x/y axes (filled polygons or square tiles) rather than plotly's geo
    layer, because the geo layer fetches base-map files from a CDN and the report and the
    dashboard must work offline.
    """
    rate = rd.rate
    months = [f"{m:%Y-%m}" for m in rate.index]
    isos = [c for c in rate.columns if c in GOVERNORATES or boundaries is not None]
    zmax = float(np.nanmax(rate[isos].to_numpy())) if len(isos) else 1.0
    zmax = zmax if zmax > 0 else 1.0
    names = {i: rd.region_names.get(i, GOVERNORATES.get(i, (i,))[0]) for i in isos}
    fig = go.Figure()
    if boundaries is not None:
        feats = {f["properties"]["iso_3166_2"]: f for f in boundaries["features"]}
        isos = [i for i in isos if i in feats]
    # open on the deadliest month: the first month is often the least telling
    start = int(np.argmax(rate[isos].sum(axis=1).to_numpy())) if len(rate) else 0
    z0 = rate[isos].iloc[start].to_numpy()
    if boundaries is not None:
        for iso, colour, v in zip(isos, _cividis(z0, zmax), z0, strict=True):
            xs, ys = [], []
            for ring in polygons(feats[iso]):
                xs += [p[0] for p in ring] + [None]
                ys += [p[1] for p in ring] + [None]
            fig.add_trace(go.Scatter(x=xs, y=ys, fill="toself", fillcolor=colour, mode="lines",
                                     line=dict(color="white", width=1), hoveron="fills",
                                     name=names[iso], text=f"{names[iso]}: {v:.2f} per 100,000",
                                     hoverinfo="text", showlegend=False))
        axes = dict(xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x",
                                                          scaleratio=1 / np.cos(np.radians(33))))
        note = BOUNDARY_SOURCE
    else:
        for iso, colour, v in zip(isos, _cividis(z0, zmax), z0, strict=True):
            c, r = GOVERNORATES[iso][1], GOVERNORATES[iso][2]
            fig.add_trace(go.Scatter(x=[c, c + 0.95, c + 0.95, c, c], y=[-r, -r, -r - 0.95,
                                     -r - 0.95, -r], fill="toself", fillcolor=colour,
                                     mode="lines", line=dict(color="white", width=1),
                                     hoveron="fills", name=names[iso], hoverinfo="text",
                                     text=f"{names[iso]}: {v:.2f} per 100,000",
                                     showlegend=False))
            fig.add_annotation(x=c + 0.475, y=-r - 0.475, text=short_label(iso),
                               showarrow=False, font=dict(color="white", size=13))
        axes = dict(xaxis=dict(visible=False), yaxis=dict(visible=False, scaleanchor="x"))
        note = "tile map: one square per governorate"
    n = len(isos)
    # an invisible marker carries the colour bar for the filled shapes
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", showlegend=False,
                             hoverinfo="skip",
                             marker=dict(colorscale="Cividis", cmin=0, cmax=zmax, color=[0],
                                         showscale=True,
                                         colorbar=dict(title="deaths per<br>100,000"))))
    frames = []
    for k, m in enumerate(months):
        z = rate[isos].iloc[k].to_numpy()
        frames.append(go.Frame(name=m, traces=list(range(n)), data=[
            go.Scatter(fillcolor=c, text=f"{names[i]}: {v:.2f} per 100,000")
            for i, c, v in zip(isos, _cividis(z, zmax), z, strict=True)]))
    fig.frames = frames
    steps = [dict(method="animate", label=m,
                  args=[[m], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                  transition=dict(duration=0))]) for m in months]
    fig.update_layout(
        **{**LAYOUT, "height": 600},
        title=f"Simulated deaths per 100,000 by governorate and month<br>"
              f"<sup>{note}</sup>",
        sliders=[dict(active=start, steps=steps, currentvalue=dict(prefix="month: "),
                      pad=dict(t=20), x=0.08, len=0.92)],
        updatemenus=[dict(type="buttons", showactive=False, x=0, y=-0.02, xanchor="left",
                          buttons=[dict(label="Play", method="animate",
                                        args=[None, dict(frame=dict(duration=400, redraw=True),
                                                         fromcurrent=True)])])],
        **axes,
    )
    return fig


def by_group(rd: ReportData) -> go.Figure:
    fig = go.Figure()
    g = rd.by_group
    for k, col in enumerate(g.columns):
        fig.add_trace(go.Scatter(x=_x(g.index), y=g[col], name=str(col), stackgroup="one",
                                 line=dict(color=style.OKABE_ITO[k % len(style.OKABE_ITO)])))
    per = "month" if rd.dated else "tick"
    fig.update_layout(**LAYOUT, title="Deaths by victim group", xaxis_title=per,
                      yaxis_title=f"deaths per {per} (people, mean of runs)",
                      legend_title="victim group")
    if rd.dated:
        _monthly_axis(fig, rd.national.index)
    return fig


def index_fig(rd: ReportData, frame, title: str, ytitle: str, extra: dict | None = None,
              main_label: str = "simulated") -> go.Figure:
    fig = go.Figure()
    _add_band(fig, frame, style.SIM_COLOUR, main_label)
    for k, (label, series) in enumerate((extra or {}).items()):
        fig.add_trace(go.Scatter(x=_x(series.index), y=series.values, name=label,
                                 line=dict(color=style.OKABE_ITO[k % len(style.OKABE_ITO)],
                                           width=1.2, dash="dash")))
    fig.update_layout(**LAYOUT, title=title, xaxis_title="date" if rd.dated else "tick",
                      yaxis_title=ytitle, yaxis_range=[0, 1.02],
                      legend=dict(orientation="h", yanchor="top", y=-0.25, x=0))
    return fig


def states(rd: ReportData) -> go.Figure:
    fig = go.Figure()
    for st, frame in rd.states.items():
        if st == "dead" and not frame.to_numpy().any():
            continue
        _add_band(fig, frame, style.STATE_COLOURS.get(st, "#333333"), st)
    fig.update_layout(**LAYOUT, title="Agents by state", xaxis_title="tick",
                      yaxis_title="agents")
    return fig


def posterior(rd: ReportData) -> go.Figure:
    p = rd.posterior
    fig = go.Figure(go.Bar(x=p["hypothesis"], y=p["probability"], marker_color=style.SIM_COLOUR,
                           text=[f"{v:.2f}" for v in p["probability"]], textposition="outside",
                           name="all hypotheses"))
    if "probability_adequate" in p.columns:
        among = p["probability_adequate"]
        fig.add_trace(go.Bar(x=p["hypothesis"], y=among, marker_color="#2a7f3f",
                             name="among the adequate ones", textposition="outside",
                             text=["" if v != v else f"{v:.2f}" for v in among]))
    if "forest_votes_adequate" in p.columns:
        votes = p["forest_votes_adequate"]
        fig.add_trace(go.Bar(x=p["hypothesis"], y=votes, marker_color="#7b3294",
                             name="forest votes, among the adequate ones",
                             textposition="outside",
                             text=["" if v != v else f"{v:.2f}" for v in votes]))
    fig.update_layout(**LAYOUT, title="Weight of each hypothesis: ABC posterior and forest votes",
                      xaxis_title="hypothesis", yaxis_title="probability or vote share",
                      yaxis_range=[0, 1.05])
    return fig


def ach(rd: ReportData) -> go.Figure:
    m = rd.ach
    lim = max(float(np.nanmax(np.abs(m.to_numpy(dtype=float)))), 2.0) if m.size else 2.0
    z = m.to_numpy(dtype=float)
    if rd.ach_labels is not None:
        text = [[f"{lab} ({v:+.0f})" if lab else "" for lab, v in zip(row, zr, strict=True)]
                for row, zr in zip(rd.ach_labels.fillna("").to_numpy(), z, strict=True)]
    else:
        text = [[f"{v:.2f}" for v in zr] for zr in z]
    fig = go.Figure(go.Heatmap(z=z, x=[str(c) for c in m.columns],
                               y=[str(i) for i in m.index], colorscale="PuOr", zmin=-lim,
                               zmax=lim, text=text, texttemplate="%{text}",
                               colorbar=dict(title="consistency<br>(-2..2)")))
    fig.update_layout(**{**LAYOUT, "height": 120 + 40 * m.shape[0]},
                      title="ACH matrix: consistency of each evidence item with each hypothesis",
                      xaxis_title="hypothesis", yaxis_autorange="reversed")
    return fig
