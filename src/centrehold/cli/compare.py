"""`centrehold compare`: weigh a scenario's hypotheses against the record, in minutes.

Runs at a small scale by default (one agent per 10,000 people, a tick a week) so
the whole weighing (pilot, ABC-SMC, posterior predictive) takes about ten minutes on
two cores; `--scale`, `--tick` and `--budget` buy fidelity with time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer

from centrehold.cli.progress import with_progress
from centrehold.cli.run import user_errors
from centrehold.errors import UserError
from centrehold.extras import require
from centrehold.infer.defaults import (
    DEFAULT_BUDGET,
    DEFAULT_COMPOSITION_GATE,
    DEFAULT_DECLINE_GATE,
    DEFAULT_JOINT_POPULATION,
    DEFAULT_LEVEL_GATE,
    DEFAULT_METHOD,
    DEFAULT_PILOT,
    DEFAULT_POPULATION,
    DEFAULT_PREDICTIVE,
    METHODS,
    RECORDS,
)

RATING_STYLE = {"CC": "bold green", "C": "green", "N": "white", "I": "yellow", "II": "bold red",
                "NA": "dim"}


def _parse_sets(values: list[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        if "=" not in item:
            raise UserError(
                f"--set {item!r} is not key=value; write it like --set revenge.radius=2"
            )
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _print_result(result, console) -> None:
    """The fit first, then the weighing, then the verdict; every table fits 80 columns."""
    _print_fit(result.posterior, console)
    _print_calibration(result.posterior, result.settings, console)
    _print_ach(result, console)
    _print_forecasts(result.forecast_summary, console)
    if len(result.premises):
        _print_premises(result.premises, console)
    console.print(result.verdict, soft_wrap=False)


def _num(v: float, f: str) -> str:
    return "-" if v != v else format(v, f)  # NaN prints '-'


def _print_fit(post, console) -> None:
    """Each hypothesis's adequacy, its predictive against the record, and its weights."""
    from rich.table import Table

    among = "probability_adequate" in post.columns
    fit = Table(title="Does it fit? Posterior predictive checks, fit window", title_style="bold")
    for col, just in (("hyp", "left"), ("status", "left"), ("cover", "right"),
                      ("mean s/r", "right"), ("yr2/yr1 s/r", "right"), ("P", "right"),
                      *((("Pa", "right"),) if among else ()), ("sep", "right")):
        fit.add_column(col, justify=just, no_wrap=True)
    for row in post.itertuples(index=False):
        style = {"adequate": "green", "inadequate": "yellow", "died out": "dim"}.get(
            row.status, "")
        fit.add_row(row.hypothesis, f"[{style}]{row.status}[/]", _num(row.coverage_fit, ".0%"),
                    f"{_num(row.predictive_mean, '.0f')}/{_num(row.record_mean, '.0f')}",
                    f"{_num(row.decline_predicted, '.2f')}/{_num(row.decline_record, '.2f')}",
                    f"{row.probability:.2f}",
                    *((_num(row.probability_adequate, ".2f"),) if among else ()),
                    _num(row.separability, ".2f"))
    console.print(fit)
    console.print(
        "[dim]cover: fit months inside the 90% band; s/r: simulated/record; mean: "
        "deaths/month; yr2/yr1: second year over first; P: posterior"
        + ("; Pa: weight among the adequate ones" if among else "")
        + "; sep: recovery on synthetic records[/]"
    )


def _print_calibration(post, st, console) -> None:
    """The forest's votes, and how far the ABC-SMC runs got (tolerance, particles)."""
    if "forest_votes_adequate" in post.columns and post["forest_votes_adequate"].notna().any():
        votes = post.set_index("hypothesis")["forest_votes_adequate"].dropna()
        votes = votes.sort_values(ascending=False, kind="stable")
        console.print(
            "Forest (model choice on the pilot's simulations), votes among the adequate: "
            + ", ".join(f"{h} {v:.2f}" for h, v in votes.head(5).items())
            + f"; recovers {post['forest_recovery'].mean():.0%} of the pilot's own "
            f"simulations (sep: {post['separability'].mean():.0%})"
        )
    if st.method == "each":
        among = "probability_adequate" in post.columns
        eps_a = post["epsilon_adequate"].iloc[0] if among and len(post) else float("nan")
        eff = post["effective_particles"] if "effective_particles" in post.columns else []
        console.print(
            f"ABC: a run per hypothesis, {st.simulations} simulations; evidence at tolerance "
            f"{st.final_epsilon:.3g} (all), {eps_a:.3g} (adequate)"
            + (f"; effective particles {min(eff):.0f}-{max(eff):.0f}" if len(eff) else "")
        )
    else:
        console.print(
            f"ABC: {st.generations_run} generations, {st.simulations} simulations, "
            f"final tolerance {st.final_epsilon:.3g}, acceptance {st.final_acceptance:.1%}"
        )


def _print_ach(result, console) -> None:
    """The ACH matrix's twelve most diagnostic items."""
    from rich.table import Table

    from centrehold.infer.ach import wide

    ratings = wide(result.ach, "rating") if len(result.ach) else None
    if ratings is None or not len(ratings):
        return
    diag = result.diagnosticity.set_index("item")
    top = diag.sort_values("diagnosticity", ascending=False).index[:12]
    mat = Table(title="ACH: the 12 most diagnostic items (fitted hypotheses)")
    mat.add_column("item", no_wrap=True, max_width=28, overflow="ellipsis")
    for h in ratings.columns:
        mat.add_column(h, justify="center", no_wrap=True)
    for item in [i for i in top if i in ratings.index]:
        cells = [f"[{RATING_STYLE.get(r, '')}]{r}[/]" for r in ratings.loc[item]]
        mat.add_row(item, *cells)
    console.print(mat)


def _print_forecasts(summary, console) -> None:
    """The held-out year's mean CRPS, forecasters and naive baselines together."""
    from rich.table import Table

    fc = Table(title="Held-out check: mean CRPS (lower is better)")
    for col in ("forecaster", "level", "CRPS", "skill"):
        fc.add_column(col, justify="left" if col in ("forecaster", "level") else "right",
                      no_wrap=True)
    for row in summary.itertuples(index=False):
        fc.add_row(row.forecaster, row.level, f"{row.mean_crps:.1f}",
                   f"{row.skill_vs_best_baseline:+.2f}")
    console.print(fc)


def _print_premises(premises, console) -> None:
    """The article's premises as the record reads them (not the model)."""
    from rich.table import Table

    pt = Table(title="The article's premises, read off the record (not the model)")
    for col in ("premise", "window", "value", "90% interval"):
        # the window is the one column that wraps: the rest stay whole at 80 columns
        pt.add_column(col, no_wrap=col != "window",
                      justify="right" if col == "value" else "left")
    for row in premises.itertuples(index=False):
        if row.value != row.value:  # the record cannot say
            pt.add_row(str(row.premise), str(row.window), "-", "not in the record")
            continue
        pt.add_row(str(row.premise), str(row.window), f"{row.value:.2f}",
                   f"{row.low:.2f}-{row.high:.2f}")
    console.print(pt)
    console.print("[dim]ratios: after/before, or before the election / nearby weeks; "
                  "premises.csv states each premise, docs/premises.md how it is read[/]")


def _checked_options(budget: int, method: str, population: int | None, pilot: int,
                     predictive: int, workers: int, record: str, tick: str) -> int:
    """Refuse, in one line each, options that cannot run; returns the population."""
    if budget < 1:
        raise UserError(f"--budget {budget} must be positive; try --budget {DEFAULT_BUDGET}")
    if method not in METHODS:
        raise UserError(f"--method {method!r} is unknown; use {' or '.join(METHODS)}")
    if population is None:
        population = DEFAULT_POPULATION if method == "each" else DEFAULT_JOINT_POPULATION
    if population < 2:
        raise UserError(f"--population {population} is too small; use 20 or more")
    if pilot < 2 * 7:
        raise UserError(f"--pilot {pilot} is too small to scale the distance; use 70 or more")
    if predictive < 2:
        raise UserError(f"--predictive {predictive} is too small; use 10 or more")
    if workers < 1:
        raise UserError(f"--workers {workers} must be at least 1")
    if record not in RECORDS and not Path(record).is_file():
        raise UserError(
            f"--record {record!r} is not one of {', '.join(RECORDS)} nor an event file "
            "(UCDP GED or ACLED CSV); pass --record ibc-max"
        )
    if tick not in ("day", "week"):
        raise UserError(f"--tick {tick!r} is not day or week; pass --tick week")
    return population


def _regional_scenario(scenario: str, overrides: dict[str, str]) -> Any:
    """The scenario with compare's overrides, refused unless it has hypotheses to weigh."""
    from centrehold.scenario import load_scenario

    base = load_scenario(scenario)
    if getattr(base, "model", "") != "regional":
        raise UserError(
            f"scenario {base.name} is a {base.model} model without hypotheses; "
            "compare needs a regional scenario such as iraq-2009"
        )
    return load_scenario(scenario, overrides)


def compare_command(
    scenario: str = typer.Argument("iraq-2009", help="built-in scenario name or YAML path"),
    budget: int = typer.Option(DEFAULT_BUDGET, "--budget",
                               help="simulations in the ABC-SMC generations"),
    workers: int = typer.Option(2, "--workers", help="local worker processes"),
    out: Path = typer.Option(Path("out/compare"), "--out", help="output directory"),
    resume: bool = typer.Option(False, "--resume", help="continue the history in --out"),
    seed: int = typer.Option(0, "--seed", help="root seed: same seed, same result"),
    population: int | None = typer.Option(
        None, "--population",
        help=f"particles per generation (default {DEFAULT_POPULATION} per hypothesis with "
             f"--method each, {DEFAULT_JOINT_POPULATION} shared with --method joint)"),
    method: str = typer.Option(
        DEFAULT_METHOD, "--method",
        help="each: fit every hypothesis on its own and weigh by evidence; joint: one "
             "ABC-SMC run over all hypotheses"),
    pilot: int = typer.Option(DEFAULT_PILOT, "--pilot",
                              help="prior draws that set the distance's scales and weights"),
    predictive: int = typer.Option(DEFAULT_PREDICTIVE, "--predictive",
                                   help="posterior-predictive runs per hypothesis"),
    level_gate: float = typer.Option(
        DEFAULT_LEVEL_GATE, "--level-gate",
        help="the national level costs nothing in the distance within this many noise "
             "SDs of the record's, then a unit per noise SD; 0 turns the gate off"),
    decline_gate: float = typer.Option(
        DEFAULT_DECLINE_GATE, "--decline-gate",
        help="the same for the ratio of the fit window's second-year deaths to its "
             "first's"),
    composition_gate: float = typer.Option(
        DEFAULT_COMPOSITION_GATE, "--composition-gate",
        help="the same for the bombings' (explosive weapons') share of the fit window's "
             "deaths; off by default: it fits the decline but costs the weighing power "
             "(docs/compare.md)"),
    scale: int = typer.Option(10_000, "--scale", help="people per agent"),
    tick: str = typer.Option("week", "--tick", help="day or week"),
    record: str = typer.Option(
        "ibc-max", "--record",
        help="the record to weigh against: ibc-max, ibc-min, or the path of an event "
             "file (UCDP GED or ACLED CSV export) covering the fit and test windows"),
    sets: list[str] = typer.Option(None, "--set", help="scenario override key=value"),
    hypotheses: str | None = typer.Option(
        None, "--hypotheses",
        help="weigh only these, comma-separated (e.g. H0,H1,HA); default: all"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
    report: bool = typer.Option(False, "--report", help="also write report.html in --out"),
    scheduler: str | None = typer.Option(
        None, "--scheduler",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (same result)",
    ),
) -> None:
    """Weigh the hypotheses: posterior probabilities, ACH matrix, out-of-sample forecast."""
    with user_errors():
        require("infer", "pyabc", "cloudpickle", command="centrehold compare")
        from rich.console import Console

        population = _checked_options(budget, method, population, pilot, predictive, workers,
                                      record, tick)
        overrides = {"people_per_agent": str(scale), "calendar.tick": tick, **_parse_sets(sets)}
        sc = _regional_scenario(scenario, overrides)
        console = Console()
        err = Console(stderr=True)
        t0 = time.perf_counter()
        executor = None
        if scheduler is not None:
            from centrehold.runs import get_executor

            # every simulation carries its own seed, so the cluster changes the wall
            # time and nothing else
            executor = get_executor("dask", workers=workers, scheduler=scheduler)
        kw = dict(budget=budget, population=population, pilot=pilot, predictive=predictive,
                  method=method, level_gate=level_gate, decline_gate=decline_gate,
                  composition_gate=composition_gate,
                  workers=workers, seed=seed, resume=resume, executor=executor,
                  record=record, overrides=overrides,
                  hypotheses=[n.strip() for n in hypotheses.split(",") if n.strip()]
                  if hypotheses else None)
        try:
            _compare(sc, out, kw, quiet, err, console, t0)
        finally:
            if executor is not None:
                executor.close()
        if report:  # after every output is written: a failing report loses nothing computed
            from centrehold.report import build_report

            console.print(f"report: {build_report(out).html}")


def _compare(sc, out, kw, quiet, err, console, t0) -> None:
    """Run with a progress bar on a terminal (plain otherwise) and print the tables."""
    from centrehold.infer.simulated import run_compare

    result = with_progress(lambda **p: run_compare(sc, out, **p, **kw), err, "compare",
                           "simulations", quiet)
    _print_result(result, console)
    console.print(
        f"{result.calibration.n_simulations} ABC simulations, "
        f"{time.perf_counter() - t0:.0f} s; outputs in {out}"
    )


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_command)
