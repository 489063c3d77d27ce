"""Static PNG figures (matplotlib) for papers and for readers without a browser."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from centrehold.report import style  # noqa: E402
from centrehold.report.data import ReportData, band, needs_log_scale  # noqa: E402
from centrehold.report.geo import BOUNDARY_SOURCE, polygons  # noqa: E402
from centrehold.report.tiles import GOVERNORATES, N_ROWS, short_label  # noqa: E402


def _time_label(rd: ReportData, monthly: bool = False) -> str:
    if rd.dated:
        return "month" if monthly else "date"
    return "tick"


def _source(fig, text: str) -> None:
    lines = [w for line in text.split("\n") for w in textwrap.wrap(line, 150)]
    fig.text(0.01, 0.005, "\n".join(lines), fontsize=7, color="#444444", ha="left",
             va="bottom")
    for ax in fig.axes:
        if "deaths" in ax.get_ylabel() or ax.get_ylabel() == "agents":
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        if ax.get_xlabel() in ("date", "month"):
            loc = mdates.AutoDateLocator()
            ax.xaxis.set_major_locator(loc)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))


def _save(fig, path: Path, source: str, bottom: float) -> None:
    """Every figure ends the same way: its source line under the axes, then a PNG.

    `bottom` is the share of the height kept free for the source text, which grows
    with the number of lines the figure's citation needs.
    """
    _source(fig, source)
    fig.tight_layout(rect=(0, bottom, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)

def _sim_source(rd: ReportData) -> str:
    runs = f"{rd.n_runs} run{'s' if rd.n_runs != 1 else ''}"
    return f"Simulated: centrehold, scenario {rd.scenario}, {runs}"


def _lines_with_band(ax, frame, colour: str, label: str) -> None:
    if frame.shape[1] > 1:
        b = band(frame)
        ax.fill_between(b.index, b["low"], b["high"], color=colour, alpha=0.25,
                        label=f"{label}: 5-95% of runs")
        ax.plot(b.index, b["median"], color=colour, lw=2, label=f"{label}: median")
    else:
        ax.plot(frame.index, frame.iloc[:, 0], color=colour, lw=2, label=label)


def national_deaths(rd: ReportData, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(9, 4.2))
    _lines_with_band(ax, rd.national, style.SIM_COLOUR, "simulated")
    src = _sim_source(rd)
    if rd.observed is not None:
        o = rd.observed.monthly
        ranged = bool((o["low"] != o["high"]).any())
        if ranged:
            ax.fill_between(o.index, o["low"], o["high"], color=style.OBS_COLOUR, alpha=0.35,
                            label="observed (IBC min-max)")
        ax.plot(o.index, o["high"], color=style.OBS_COLOUR, lw=1.5, ls="--",
                label="observed (IBC max)" if ranged else "observed")
        src += "\n" + rd.observed.source
    per = "month" if rd.dated else "tick"
    log = needs_log_scale(rd)
    if log:
        ax.set_yscale("symlog", linthresh=10)
    ax.set_ylabel(f"civilian deaths per {per} (people{', log scale' if log else ''})")
    ax.set_xlabel(_time_label(rd, monthly=True))
    ax.set_title("National deaths per month" if rd.dated else "Deaths per tick")
    if rd.people_per_agent != 1:
        ax.text(0.99, 0.98, f"1 agent = {rd.people_per_agent:g} people", transform=ax.transAxes,
                ha="right", va="top", fontsize=8)
    ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    _save(fig, path, src, bottom=0.07)
    return path


def region_map(rd: ReportData, path: Path, boundaries: dict | None) -> Path:
    """Deaths per 100,000 over the whole run, by governorate."""
    total = rd.rate.sum(axis=0)
    vmax = float(total.max()) if len(total) and total.max() > 0 else 1.0
    cmap = plt.get_cmap(style.SEQUENTIAL)
    norm = plt.Normalize(0, vmax)
    fig, ax = plt.subplots(figsize=(6.5, 6.5))
    if boundaries is not None:
        for f in boundaries["features"]:
            iso = f["properties"]["iso_3166_2"]
            val = total.get(iso, np.nan)
            colour = cmap(norm(val)) if np.isfinite(val) else "#dddddd"
            ax.add_collection(PolyCollection(polygons(f), facecolors=[colour],
                                             edgecolors="white", linewidths=0.6))
            lat = np.mean([p[1] for p in polygons(f)[0]])
            lon = np.mean([p[0] for p in polygons(f)[0]])
            ax.text(lon, lat, short_label(iso), ha="center", va="center", fontsize=7,
                    color="white" if np.isfinite(val) and norm(val) < 0.5 else "black")
        ax.autoscale_view()
        ax.set_aspect(1 / np.cos(np.radians(33)))
        ax.set_xlabel("longitude (°E)")
        ax.set_ylabel("latitude (°N)")
        geo_src = BOUNDARY_SOURCE
    else:
        for iso, (name, c, r) in GOVERNORATES.items():
            val = total.get(iso, np.nan)
            colour = cmap(norm(val)) if np.isfinite(val) else "#dddddd"
            ax.add_patch(Rectangle((c, N_ROWS - 1 - r), 0.95, 0.95, facecolor=colour))
            ax.text(c + 0.475, N_ROWS - 1 - r + 0.55, name, ha="center", fontsize=7,
                    color="white" if np.isfinite(val) and norm(val) < 0.5 else "black")
            ax.text(c + 0.475, N_ROWS - 1 - r + 0.25, f"{val:.1f}" if np.isfinite(val) else "-",
                    ha="center", fontsize=8,
                    color="white" if np.isfinite(val) and norm(val) < 0.5 else "black")
        ax.set_xlim(-0.1, 4.1)
        ax.set_ylim(-0.1, N_ROWS + 0.1)
        ax.set_aspect("equal")
        ax.axis("off")
        geo_src = "Tile map: one square per governorate, placed by rough geography"
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, shrink=0.7, label="deaths per 100,000 inhabitants")
    first, last = rd.rate.index.min(), rd.rate.index.max()
    ax.set_title(f"Simulated deaths per 100,000, {first:%b %Y} to {last:%b %Y}")
    _save(fig, path, _sim_source(rd) + "\n" + geo_src, bottom=0.06)
    return path


def by_group(rd: ReportData, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(9, 4.2))
    g = rd.by_group
    ax.stackplot(g.index, g.T.to_numpy(), labels=[str(c) for c in g.columns],
                 colors=style.OKABE_ITO[: g.shape[1]], alpha=0.9)
    per = "month" if rd.dated else "tick"
    ax.set_ylabel(f"deaths per {per} (people, mean of runs)")
    ax.set_xlabel(_time_label(rd, monthly=True))
    ax.set_title("Deaths by victim group")
    ax.legend(fontsize=8, loc="upper left", title="victim group")
    ax.grid(alpha=0.3)
    _save(fig, path, _sim_source(rd), bottom=0.05)
    return path


def index_plot(rd: ReportData, frame, path: Path, title: str, ylabel: str, note: str,
               extra: dict | None = None, main_label: str = "simulated") -> Path:
    """An index in [0, 1] over time: the main series (band over runs) plus thin extra lines."""
    fig, ax = plt.subplots(figsize=(9, 3.6))
    _lines_with_band(ax, frame, style.SIM_COLOUR, main_label)
    for k, (label, series) in enumerate((extra or {}).items()):
        ax.plot(series.index, series.values, lw=1.2, ls="--",
                color=style.OKABE_ITO[k % len(style.OKABE_ITO)], label=label)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel(ylabel)
    ax.set_xlabel(_time_label(rd))
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    _save(fig, path, _sim_source(rd) + "\n" + note, bottom=0.08)
    return path


def states(rd: ReportData, path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(9, 4.2))
    for st, frame in rd.states.items():
        if st == "dead" and not frame.to_numpy().any():
            continue
        _lines_with_band(ax, frame, style.STATE_COLOURS.get(st, "#333333"), st)
    ax.set_ylabel("agents")
    ax.set_xlabel(_time_label(rd))
    ax.set_title("Agents by state")
    ax.legend(fontsize=8, ncol=2)
    ax.grid(alpha=0.3)
    _save(fig, path, _sim_source(rd), bottom=0.05)
    return path


def posterior(rd: ReportData, path: Path) -> Path:
    p = rd.posterior
    fig, ax = plt.subplots(figsize=(7, 3.8))
    x = np.arange(len(p))
    # ABC over every hypothesis; the verdict's weighings among the adequate ones (ABC's
    # evidence at their own tolerance, the forest's votes) when the folder has them
    bars = [(col, label, colour) for col, label, colour in POSTERIOR_BARS if col in p.columns]
    width = 0.8 / len(bars)
    for k, (col, label, colour) in enumerate(bars):
        shift = (k - (len(bars) - 1) / 2) * width
        values = p[col].fillna(0.0).to_numpy(float)
        ax.bar(x + shift, values, width=width, color=colour, label=label)
        for xi, v, raw in zip(x, values, p[col], strict=True):
            if raw == raw:  # not NaN: an inadequate hypothesis has no weight among them
                ax.text(xi + shift, v + 0.01, f"{v:.2f}", ha="center", fontsize=6)
    ax.set_xticks(x, p["hypothesis"])
    ax.set_ylim(0, 1.08)
    ax.set_ylabel("probability or vote share")
    ax.set_xlabel("hypothesis")
    ax.set_title("Weight of each hypothesis: ABC posterior and forest votes")
    if len(bars) > 1:
        ax.legend(fontsize=8)
    _save(fig, path, "Simulated: centrehold compare (posterior.csv); a hypothesis that died "
                     "out shows 0", bottom=0.05)
    return path


#: The posterior figure's bars: column, label, colour (shown when the folder has them).
POSTERIOR_BARS = (
    ("probability", "ABC, all hypotheses", style.SIM_COLOUR),
    ("probability_adequate", "ABC, among the adequate ones", "#2a7f3f"),
    ("forest_votes_adequate", "forest votes, among the adequate ones", "#7b3294"),
)


def ach(rd: ReportData, path: Path) -> Path:
    m = rd.ach
    fig, ax = plt.subplots(figsize=(1.2 + 0.9 * m.shape[1], 1.4 + 0.45 * m.shape[0]))
    lim = max(float(np.nanmax(np.abs(m.to_numpy(dtype=float)))), 2.0) if m.size else 2.0
    im = ax.imshow(m.to_numpy(dtype=float), cmap=style.DIVERGING, vmin=-lim, vmax=lim,
                   aspect="auto")
    ax.set_xticks(range(m.shape[1]), [str(c) for c in m.columns])
    ax.set_yticks(range(m.shape[0]), [str(i) for i in m.index])
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            lab = rd.ach_labels.iat[i, j] if rd.ach_labels is not None else ""
            ax.text(j, i, f"{lab}\n{m.iat[i, j]:.2f}" if lab else f"{m.iat[i, j]:.2f}",
                    ha="center", va="center", fontsize=7)
    ax.set_xlabel("hypothesis")
    ax.set_title("ACH matrix: consistency of each evidence item")
    fig.colorbar(im, ax=ax, label="consistency (negative = inconsistent)")
    _save(fig, path, "Simulated: centrehold compare (ach.csv)", bottom=0.04)
    return path
