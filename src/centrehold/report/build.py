"""The self-contained HTML report and its PNG figures.

One file that opens offline: plotly's JavaScript is inlined once, the figures follow as
divs, and the boundary geometry (when present) travels inside the map's data. PNGs go to a
folder beside the HTML so that a run's own `timeseries.png` is never overwritten.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from centrehold import __version__
from centrehold.errors import UserError
from centrehold.infer.folder import CompareFolder
from centrehold.report import figures, interactive
from centrehold.report.data import ReportData, compute
from centrehold.report.fit import (
    adequacy_html,
    fit_figure,
    fit_files,
    governorate_figure,
    premises_html,
)
from centrehold.report.geo import load_boundaries
from centrehold.report.load import load_runs
from centrehold.report.whatif import whatif_sections

SEGREGATION_NOTE = ("Segregation: Theil's multigroup entropy index H of living civilians "
                    "across governorates (0 = every governorate has the national mix, "
                    "1 = each holds one group).")
CENTRE_ENGINE_NOTE = ("Centre holds (engine): F/(F+A), effectiveness-weighted force agents on "
                      "the streets F against active civilians A, by governorate; 1 = the "
                      "centre holds, below 0.5 the armed outnumber it.")
CENTRE_NOTE = ("Centre holds: share of living civilians who are quiet (neither active nor "
               "jailed); 1 = the order holds everywhere.")


TITLES = {
    "states": "Agents by state",
    "national_deaths": "National deaths",
    "map_deaths_per_100k": "Map: deaths per 100,000 by governorate",
    "deaths_by_group": "Deaths by victim group",
    "segregation": "Segregation",
    "centre_holds": "Does the centre hold?",
    "posterior": "Which hypothesis? Posterior probabilities",
    "ach": "Evidence by hypothesis (ACH)",
}


@dataclass
class Report:
    html: Path
    figures: list[Path] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)


def _section(title: str, fig: go.Figure, caption: str) -> str:
    div = fig.to_html(full_html=False, include_plotlyjs=False, config={"responsive": True})
    return (f'<section><h2>{html.escape(title)}</h2>{div}'
            f'<p class="caption">{html.escape(caption)}</p></section>')


@dataclass(frozen=True)
class PlannedFigure:
    """One figure the data support, drawn two ways with one caption: `png(rd, path)` for
    the report's folder of PNGs, `interactive(rd)` (a plotly figure) for the HTML and
    the dashboard."""

    name: str
    png: Callable[[ReportData, Path], Path]
    interactive: Callable[[ReportData], go.Figure]
    caption: str

    @property
    def title(self) -> str:
        return TITLES.get(self.name, self.name)


def figure_plan(rd: ReportData, boundaries: dict | None = None) -> list[PlannedFigure]:
    """The figures a run, ensemble or compare folder supports, in the report's order.

    The HTML report and the dashboard both draw from this one list, so they show the
    same figures under the same titles and captions. `rd` comes from
    `report.data.compute`; `boundaries` (`report.geo.load_boundaries`) draws the map
    with real borders, None with tiles.
    """
    plan: list[PlannedFigure] = []
    if rd.states:
        plan.append(PlannedFigure("states", figures.states, interactive.states,
                     "Agents quiet, active, jailed and dead at each tick."
                     + (" Band: 5-95% of all runs found, pooled." if rd.n_runs > 1 else "")))
    if not rd.regional and len(rd.national):
        plan.append(PlannedFigure("national_deaths", figures.national_deaths, interactive.national,
                     "Deaths per tick, all groups" + (", all runs pooled." if rd.n_runs > 1
                                                       else ".")))
    if rd.regional:
        obs = f" {rd.observed.source}." if rd.observed is not None else (
            " No observed record was available for this scenario.")
        plan.append(PlannedFigure("national_deaths", figures.national_deaths, interactive.national,
                     "Deaths summed over all governorates and groups, scaled from agents to "
                     f"people (1 agent = {rd.people_per_agent:g} people).{obs}"))
        if rd.rate is not None and len(rd.rate):
            plan.append(PlannedFigure("map_deaths_per_100k",
                         lambda d, p: figures.region_map(d, p, boundaries),
                         lambda d: interactive.region_map(d, boundaries),
                         "Deaths per 100,000 inhabitants (deaths / agents at the start x "
                         "100,000; the same in agents and in people). Move the slider to "
                         "change the month."))
        plan.append(PlannedFigure("deaths_by_group", figures.by_group, interactive.by_group,
                     "Deaths by the victim's group."))
        seg_extra = ({f"dissimilarity, {g} vs the rest": rd.segregation_by_group[g]
                      for g in rd.segregation_by_group.columns}
                     if rd.segregation_by_group is not None else None)
        seg_note = SEGREGATION_NOTE + (" Dashed: the engine's index of dissimilarity of each "
                                       "community against everyone else." if seg_extra else "")
        plan.append(PlannedFigure("segregation",
                     lambda d, p: figures.index_plot(d, d.segregation, p, "Segregation index",
                                                     "index (0-1)", seg_note, seg_extra,
                                                     "Theil's H"),
                     lambda d: interactive.index_fig(d, d.segregation, "Segregation index",
                                                     "index (0-1)", seg_extra, "Theil's H"),
                     seg_note))
        if rd.centre_from_engine:
            c_note, c_label, c_y = CENTRE_ENGINE_NOTE, "mean over governorates", "F/(F+A) (0-1)"
            c_extra = ({"weakest governorate": rd.centre_holds_min}
                       if rd.centre_holds_min is not None else None)
        else:
            c_note, c_label, c_y, c_extra = CENTRE_NOTE, "share quiet", "share quiet (0-1)", None
        plan.append(PlannedFigure("centre_holds",
                     lambda d, p: figures.index_plot(d, d.centre_holds, p,
                                                     "\"Centre holds\" index", c_y, c_note,
                                                     c_extra, c_label),
                     lambda d: interactive.index_fig(d, d.centre_holds, "\"Centre holds\" index",
                                                     c_y, c_extra, c_label),
                     c_note))
    if rd.posterior is not None:
        plan.append(PlannedFigure("posterior", figures.posterior, interactive.posterior,
                     "Posterior model probabilities from ABC-SMC model selection; a "
                     "hypothesis that dropped out shows 0."))
    if rd.ach is not None:
        plan.append(PlannedFigure("ach", figures.ach, interactive.ach,
                     "Consistency of each observed statistic with each hypothesis's "
                     "simulations (positive: consistent; negative: inconsistent)."))
    return plan


CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;
background:#fafafa}
header{background:#1f2d3d;color:#fff;padding:18px 32px}
header h1{margin:0;font-size:22px} header p{margin:4px 0 0;color:#cfd8e3;font-size:13px}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:12px 16px;
margin:16px 0}
h2{font-size:17px;margin:4px 0 8px} .caption{font-size:12px;color:#555}
table{border-collapse:collapse;font-size:13px} td,th{padding:3px 10px;border-bottom:1px solid #eee;
text-align:left}
footer{font-size:11px;color:#666;padding:16px 32px}
"""


def _summary_table(rd: ReportData, summary: dict) -> str:
    if rd.n_runs == 0:
        return ""
    rows = [("scenario", rd.scenario or "-"), ("runs", rd.n_runs)]
    for k in ("seed", "ticks", "agents", "total_deaths", "total_arrests", "peak_active",
              "wall_seconds"):
        if k in summary:
            rows.append((k.replace("_", " "), summary[k]))
    body = "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                   for k, v in rows)
    return f"<section><h2>Run</h2><table>{body}</table></section>"


def _fit_sections(compare: CompareFolder | None) -> tuple[list[str], list[str]]:
    """A compare folder's report opens with the fit (record against each hypothesis's
    predictive band, the adequacy table, governorates) and closes with the verdict."""
    if compare is None:
        return [], []
    ff = fit_files(compare)
    opening = []
    if ff.predictive is not None and len(ff.predictive):
        opening.append(_section(
            "Does any hypothesis fit? The record against each predictive band",
            fit_figure(ff.predictive, ff.adequacy),
            "National deaths per month: the record (black) and each fitted hypothesis's "
            "90% posterior predictive band; the shaded year was held out of the "
            "calibration. A hypothesis whose band misses the record is not evidence for "
            "anything, whatever its posterior."))
    if ff.adequacy is not None and len(ff.adequacy):
        opening.append("<section><h2>Adequacy before choice</h2>"
                       f"{adequacy_html(ff.adequacy)}<p class=\"caption\">A hypothesis is "
                       "adequate if its 90% band covers at least 75% of the fit months, its "
                       "mean is within 15% of the record's and its second-year/first-year "
                       "ratio within 20%; the held-out year is reported, never used to "
                       "judge. Died out: no posterior, so nothing was checked.</p></section>")
    gov = governorate_figure(ff.ach, ff.adequacy)
    if gov is not None:
        opening.append(_section(
            "Record against simulation by governorate", gov,
            "Each governorate's share of located deaths in the fit window: the record "
            "and each fitted hypothesis's predictive median."))
    closing = []
    if ff.premises is not None and len(ff.premises):
        closing.append("<section><h2>The article's premises against the record</h2>"
                       f"{premises_html(ff.premises)}<p class=\"caption\">Read off the "
                       "record alone, not the model: ratios are after/before a date, or the "
                       "weeks before an election against nearby weeks; intervals are 90% "
                       "moving-block bootstraps (docs/premises.md).</p></section>")
    if ff.verdict:
        closing.append("<section><h2>Verdict</h2>"
                       f"<p>{html.escape(ff.verdict)}</p></section>")
    return opening, closing


def build_report(run_dir: Path | str, out: Path | str | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Report:
    """Write `report.html` (or `out`) and PNG figures for a run, ensemble or compare folder."""
    rs = load_runs(run_dir)
    out_path = Path(out) if out is not None else Path(run_dir) / "report.html"
    if out_path.suffix.lower() not in (".html", ".htm"):
        raise UserError(f"{out_path}: the report is HTML; give --out a name ending in .html")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fig_dir = out_path.with_name(out_path.stem + "_figures")
    fig_dir.mkdir(exist_ok=True)
    rd = compute(rs)
    boundaries = load_boundaries() if rd.regional else None
    plan = figure_plan(rd, boundaries)
    total = 2 * len(plan) + 1
    done = 0
    pngs, sections = [], []
    for fig in plan:
        pngs.append(fig.png(rd, fig_dir / f"{fig.name}.png"))
        done += 1
        if progress:
            progress(done, total)
        sections.append(_section(fig.title, fig.interactive(rd), fig.caption))
        done += 1
        if progress:
            progress(done, total)
    opening, closing = _fit_sections(rs.compare)
    sections = opening + sections + whatif_sections(Path(run_dir)) + closing
    summary = rs.runs[0].summary if rs.runs else {}
    note = summary.get("note") or (rs.runs[0].params.get("note") if rs.runs else None)
    banner = (f'<section style="border-color:#D55E00"><b>{html.escape(str(note))}</b></section>'
              if note else "")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    params = json.dumps(rs.runs[0].params, indent=1, default=str) if rs.runs else ""
    params_block = (f"<section><h2>Parameters</h2><details><summary>scenario.json</summary>"
                    f"<pre>{html.escape(params)}</pre></details></section>" if params else "")
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>centrehold report: {html.escape(rd.scenario)}</title>
<style>{CSS}</style>
<script type="text/javascript">{get_plotlyjs()}</script>
</head><body>
<header><h1>centrehold report: {html.escape(rd.scenario or str(run_dir))}</h1>
<p>{html.escape(str(Path(run_dir)))} &middot; {rd.n_runs} run(s) &middot; written {stamp}</p>
</header><main>{banner}{_summary_table(rd, summary)}
{''.join(sections)}
{params_block}
</main><footer>centrehold {__version__}. Simulated figures are model output under the
stated hypothesis, not observations. Colours: Okabe-Ito and cividis (readable with colour
blindness).</footer></body></html>"""
    tmp = out_path.with_suffix(".tmp")
    tmp.write_text(doc, encoding="utf-8")
    tmp.replace(out_path)
    done += 1
    if progress:
        progress(done, total)
    return Report(out_path, pngs, [fig.name for fig in plan])
