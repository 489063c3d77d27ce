"""The whole `compare` pipeline, and the simulator it calls thousands of times.

`ScenarioSimulator` runs one hypothesis with given parameters and returns its evidence
statistics, reading the run through `centrehold.infer.simulated_record` (the record's
view of a simulated world). `run_compare` is the pipeline behind
`centrehold compare`, in named steps: read the record (`_record_inputs`,
`_observed_statistics`), calibrate on the fit window and simulate each hypothesis's
posterior predictive to the end of the test window (`_simulate`), check adequacy,
build the ACH matrix and the forecast scores (`_assess`), and write the compare folder
(`write_outputs`, through `centrehold.infer.folder`).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from centrehold.errors import UserError
from centrehold.infer.abc import (
    CalibrationResult,
    HypothesisSpec,
    PriorSpec,
    calibrate,
    calibrate_each,
    evidence_bootstrap,
    evidence_shares,
    load_reference,
    posterior_draws,
    separability,
)
from centrehold.infer.ach import ach_matrix, diagnosticity, hypothesis_scores, plot_ach
from centrehold.infer.adequacy import (
    IBC_COVERAGE,
    adequacy_table,
    check_hypothesis,
    p_value_table,
    verdict,
)
from centrehold.infer.choice import forest_tables, with_forest
from centrehold.infer.defaults import (
    DEFAULT_BUDGET,
    DEFAULT_COMPOSITION_GATE,
    DEFAULT_DECLINE_GATE,
    DEFAULT_GENERATIONS,
    DEFAULT_LEVEL_GATE,
    DEFAULT_METHOD,
    DEFAULT_PILOT,
    DEFAULT_POPULATION,
    DEFAULT_PREDICTIVE,
    METHODS,
    RECORDS,
)
from centrehold.infer.evidence import evidence_table, national_series, tail_exponent
from centrehold.infer.folder import (
    ACH_PNG,
    FIT_PNG,
    POSTERIOR_PNG,
    CompareFolder,
    CompareSettings,
    write_compare_folder,
)
from centrehold.infer.forecast import (
    national_totals,
    score_forecasts,
    summarise_scores,
)
from centrehold.infer.simulated_record import (
    evidence_input,
    evidence_input_of_run,
    month_end,
    month_start,
)
from centrehold.record.observations import EvidenceInput

if TYPE_CHECKING:
    from centrehold.models.regional.world import RegionalRun

Progress = Callable[[int, int], None]

FIT_START, FIT_END = "2008-01", "2009-12"

TEST_START, TEST_END = "2010-01", "2010-12"
# Statistics that describe the fit rather than the world: left out of the distance.
_NOT_EVIDENCE = ("tail_xmin", "tail_n")


def _prior_spec(prior: Any, where: str) -> PriorSpec:
    if prior.dist == "uniform":
        return PriorSpec("uniform", (prior.low, prior.high - prior.low))
    if prior.dist == "loguniform":
        return PriorSpec("loguniform", (prior.low, prior.high))
    raise UserError(f"{where}: prior {prior.dist} is not supported; use uniform or loguniform")


def hypotheses_from_scenario(sc: Any) -> list[HypothesisSpec]:
    """The scenario's hypotheses with their priors, as ABC reads them (in name order).

    The scenario's `calibration:` parameters (shared mechanisms such as the endogenous
    kill rate) join every hypothesis's priors under their dotted names: each hypothesis
    is weighed at its own best setting of the shared world, not at one fixed by hand.
    """
    hyps = getattr(sc, "hypotheses", None)
    if not hyps:
        raise UserError(
            f"scenario {getattr(sc, 'name', '?')} declares no hypotheses; "
            "compare needs a regional scenario with a hypotheses: section"
        )
    shared = {
        key: _prior_spec(prior, f"calibration.{key}")
        for key, prior in (getattr(sc, "calibration", None) or {}).items()
    }
    out = []
    for name in sorted(hyps):
        priors = {
            pname: _prior_spec(prior, f"hypotheses.{name}.priors.{pname}")
            for pname, prior in hyps[name].priors.items()
        }
        out.append(HypothesisSpec(name, {**priors, **shared}))
    return out


def select_hypotheses(
    hypotheses: Sequence[HypothesisSpec], names: Sequence[str] | None
) -> list[HypothesisSpec]:
    """The named hypotheses, in the scenario's order (so a subset is fitted with the same
    positions, and seeds, whatever order the user typed); all of them without names."""
    if not names:
        return list(hypotheses)
    known = [h.name for h in hypotheses]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UserError(
            f"--hypotheses {','.join(unknown)}: not in the scenario; choose from "
            f"{','.join(known)}"
        )
    if len(set(names)) < 2:
        raise UserError(
            f"--hypotheses {','.join(names)}: weighing needs at least two hypotheses; "
            f"name two or more of {','.join(known)}"
        )
    return [h for h in hypotheses if h.name in set(names)]


def shared_value(sc: Any, key: str) -> float:
    """The scenario's current value of a dotted `calibration:` parameter."""
    section, _, name = key.partition(".")
    return float(getattr(getattr(sc, section), name))


def with_shared(sc: Any, params: Mapping[str, float]) -> tuple[Any, dict[str, float]]:
    """Apply the dotted `calibration:` parameters in ``params`` to a copy of the scenario;
    return it with the hypothesis's own parameters (the rest)."""
    shared = getattr(sc, "calibration", None) or {}
    own = {}
    for key, value in params.items():
        if key in shared:
            section, _, name = key.partition(".")
            sub = getattr(sc, section).model_copy(update={name: float(value)})
            sc = sc.model_copy(update={section: sub})
        else:
            own[key] = value
    return sc, own


def scenario_facts(sc: Any) -> dict[str, Any]:
    """What the evidence statistics read from the scenario itself (never constants): the
    withdrawal, the elections, the mixed regions, and the dated events each conjecture
    keys on."""
    dates = getattr(sc, "dates", None)
    if dates is None:
        return {}
    return {
        "withdrawal": str(dates.withdrawal),
        "elections": tuple(str(d) for d in dates.elections),
        "mixed": sc.mixed_regions(),
        "events": {
            "elections": list(dates.elections),
            "withdrawal": list(dates.withdrawal_milestones),
            "abroad": list(dates.abroad),
            "sponsors": [dates.funding_cut, dates.resistance_split, dates.iran_tension_onset],
        },
    }


#: Statistics of the national trajectory beside the `national_*` ones: the bombings'
#: share of the decline (with the total's year ratio it fixes the other killing's).
TRAJECTORY = ("explosive_year_ratio",)


def distance_groups(names) -> dict[str, str]:
    """`fit` for the national trajectory (level, trend, quarters, decline), `evidence`
    for the rest: the two weigh alike in the ABC distance (`abc.group_factors`)."""
    return {str(n): "fit" if str(n).startswith("national_") or str(n) in TRAJECTORY
            else "evidence" for n in names}


#: The statistics the distance's gates hold near the record: the national level, its
#: fall from the window's first year to its second, and the bombings' share of it.
LEVEL = "national_mean"
DECLINE = "national_year_ratio"
COMPOSITION = "explosive_fraction"


def distance_gates(names, level_gate: float, decline_gate: float = 0.0,
                   composition_gate: float = 0.0) -> dict[str, float]:
    """The widths, in noise standard deviations, of the gates holding the national level,
    its decline and its composition near the record's (a width of 0: no gate)."""
    have = set(map(str, names))
    wanted = {LEVEL: float(level_gate), DECLINE: float(decline_gate),
              COMPOSITION: float(composition_gate)}
    return {k: b for k, b in wanted.items() if b > 0 and k in have}


def _ticks_to(sc: Any, end: str) -> int:
    cal = sc.calendar
    step = 1 if cal.tick == "day" else 7
    last = month_end(end).date()
    if last > cal.end:
        raise UserError(
            f"the window ends {end} but the scenario's calendar ends {cal.end}; "
            "extend calendar.end or shorten the window"
        )
    return -(-((last - cal.start).days + 1) // step)


@dataclass(frozen=True)
class ScenarioSimulator:
    """A picklable simulator: (hypothesis, parameters, seed) -> evidence statistics.

    The base scenario is validated once; each simulation changes only the chosen
    hypothesis and its parameters (a shallow copy), so the pydantic work is not
    repeated per simulation.
    """

    scenario: Any
    start: str = FIT_START
    end: str = FIT_END
    regions: tuple[str, ...] = ()
    # The tail exponent's lower bound, fixed (from the record) for every simulation:
    # the same statistic on both sides, and no per-simulation xmin search, which
    # costs seconds to minutes on some size distributions.
    tail_xmin: float | None = None

    def dataset(
        self, hypothesis: str, params: Mapping[str, float], seed: int, end: str | None = None
    ) -> xr.Dataset:
        from centrehold.engine import regional_dataset

        return regional_dataset(self.run(hypothesis, params, seed, end))

    def run(
        self, hypothesis: str, params: Mapping[str, float], seed: int, end: str | None = None
    ) -> RegionalRun:
        """The run's outputs unlabelled: what the statistics read, without the Dataset."""
        from centrehold.engine import run_regional

        sc, own = with_shared(self.scenario, params)
        hyps = dict(sc.hypotheses)
        spec = hyps[hypothesis]
        hyps[hypothesis] = spec.model_copy(update={"params": {**spec.params, **own}})
        run = sc.model_copy(update={"hypothesis": hypothesis, "hypotheses": hyps})
        return run_regional(run, seed=int(seed), ticks=_ticks_to(sc, end or self.end))

    def statistics(self, ds: xr.Dataset) -> pd.Series:
        return self.statistics_of(evidence_input(ds, self.start, self.end))

    def statistics_of(self, inp: EvidenceInput) -> pd.Series:
        """The evidence statistics of a run's input on the fit window."""
        with warnings.catch_warnings():
            # the power-law fit warns on every small or degenerate sample; the
            # statistic then reads NaN, which the distance handles
            warnings.simplefilter("ignore")
            stats = evidence_table(
                inp, start=self.start, end=self.end, regions=list(self.regions) or None,
                monthly_values=False, tail_xmin=self.tail_xmin,
                **scenario_facts(self.scenario),
            )
        return stats.drop(labels=[s for s in _NOT_EVIDENCE if s in stats.index])

    def __call__(self, hypothesis: str, params: Mapping[str, float], seed: int) -> pd.Series:
        run = self.run(hypothesis, params, seed)
        return self.statistics_of(evidence_input_of_run(run, self.start, self.end))


@dataclass(frozen=True)
class _PredictiveTask:
    simulator: ScenarioSimulator
    test_start: str
    test_end: str

    def __call__(
        self, draw: tuple[str, dict[str, float], int]
    ) -> tuple[pd.Series, np.ndarray, pd.DataFrame]:
        """(fit-window statistics, fit-window national monthly deaths, test-window
        monthly deaths by region) of one posterior-predictive simulation."""
        hypothesis, params, seed = draw
        sim = self.simulator
        run = sim.run(hypothesis, params, seed, end=self.test_end)
        inp = evidence_input_of_run(run, sim.start, sim.end)
        stats = sim.statistics_of(inp)
        fit = national_series(inp, sim.start, sim.end)
        test = evidence_input_of_run(run, self.test_start, self.test_end).monthly
        return stats, fit.to_numpy(dtype=float), test


@dataclass
class CompareResult:
    """Every table `compare` writes, labelled."""

    calibration: CalibrationResult
    posterior: pd.DataFrame
    parameters: pd.DataFrame
    ach: pd.DataFrame
    diagnosticity: pd.DataFrame
    ach_scores: pd.DataFrame
    forecast: pd.DataFrame
    forecast_summary: pd.DataFrame
    predictive_source: dict[str, str]
    confusion: pd.DataFrame  # truth x assigned share, on the pilot's synthetic records
    recovery: pd.Series  # hypothesis -> share of its synthetic records assigned to it
    wall_seconds: float
    forest_confusion: pd.DataFrame = field(default_factory=pd.DataFrame)  # out of bag
    adequacy: pd.DataFrame = field(default_factory=pd.DataFrame)
    p_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    predictive_national: pd.DataFrame = field(default_factory=pd.DataFrame)
    verdict: str = ""
    settings: CompareSettings = field(default_factory=lambda: CompareSettings(scenario=""))
    premises: pd.DataFrame = field(default_factory=pd.DataFrame)
    scenario: dict[str, Any] = field(default_factory=dict)  # the scenario as simulated
    files: dict[str, Path] = field(default_factory=dict)


def run_compare(
    scenario: Any,
    out_dir: str | Path,
    *,
    budget: int = DEFAULT_BUDGET,
    population: int = DEFAULT_POPULATION,
    generations: int = DEFAULT_GENERATIONS,
    pilot: int = DEFAULT_PILOT,
    predictive: int = DEFAULT_PREDICTIVE,
    workers: int = 2,
    seed: int = 0,
    resume: bool = False,
    executor: Any | None = None,
    observed_fit: EvidenceInput | None = None,
    observed_test: pd.DataFrame | None = None,
    fit_window: tuple[str, str] = (FIT_START, FIT_END),
    test_window: tuple[str, str] = (TEST_START, TEST_END),
    progress: Progress | None = None,
    record: str = "ibc-max",
    overrides: Mapping[str, str] | None = None,
    method: str = DEFAULT_METHOD,
    hypotheses: Sequence[str] | None = None,
    level_gate: float = DEFAULT_LEVEL_GATE,
    decline_gate: float = DEFAULT_DECLINE_GATE,
    composition_gate: float = DEFAULT_COMPOSITION_GATE,
) -> CompareResult:
    """Weigh the scenario's hypotheses against a record and write every output to ``out_dir``.

    ``observed_fit`` / ``observed_test`` default to the iraq-2009 record (IBC) on the
    fit and test windows; tests pass synthetic records made by the model itself.
    ``overrides`` (the `--set` pairs the scenario was loaded with) are recorded in the
    folder's settings so that it can be simulated again as it was. ``hypotheses`` names
    a subset to weigh (at least two); the others are not fitted at all. ``level_gate``,
    ``decline_gate`` and ``composition_gate`` are the widths, in simulation-noise standard
    deviations, of the ABC distance's gates on the national level, its decline and the
    bombings' share of it (`abc.distance.LevelGate`; 0: none).
    """
    t0 = time.perf_counter()
    chosen = select_hypotheses(hypotheses_from_scenario(scenario), hypotheses)
    _check_settings(method, (level_gate, decline_gate, composition_gate), budget, population,
                    len(chosen))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    settings = CompareSettings(
        scenario=getattr(scenario, "name", ""), overrides=dict(overrides or {}),
        people_per_agent=int(getattr(scenario, "people_per_agent", 0)),
        tick=getattr(getattr(scenario, "calendar", None), "tick", ""), record=record,
        seed=seed, budget=budget, pilot=pilot, generations=generations,
        population=population, predictive=predictive, method=method,
        level_gate=float(level_gate), decline_gate=float(decline_gate),
        composition_gate=float(composition_gate),
        hypotheses=tuple(h.name for h in chosen) if hypotheses else (),
        fit_window=tuple(fit_window), test_window=tuple(test_window),
    )
    hypotheses = chosen
    observed_fit, observed_test, premises = _record_inputs(
        record, observed_fit, observed_test, fit_window, test_window)
    regions = tuple(r.iso for r in scenario.regions)
    obs_stats, sim = _observed_statistics(scenario, observed_fit, fit_window, regions)
    calib, draws, results = _simulate(sim, hypotheses, obs_stats, out, settings, resume,
                                      executor, workers, progress)
    return _assess(
        calib, hypotheses, _gather(draws, results, calib.dead, hypotheses), obs_stats,
        observed_fit, observed_test, regions, premises, settings, scenario, out, t0,
    )


def _check_settings(method: str, gates: tuple[float, float, float], budget: int,
                    population: int, n_hypotheses: int) -> None:
    """Refuse, in one line, settings that cannot run, before anything is simulated (a
    run per hypothesis needs two generations each within the budget)."""
    if method not in METHODS:
        raise UserError(f"method {method!r} is unknown; use {' or '.join(METHODS)}")
    for flag, value in zip(("--level-gate", "--decline-gate", "--composition-gate"), gates,
                           strict=True):
        if not (math.isfinite(value) and value >= 0):
            raise UserError(f"{flag} {value} is not a number of noise standard deviations; "
                            "give 0 (no gate) or a number such as 1")
    if budget < population:
        raise UserError(
            f"--budget {budget} is below one generation of {population} particles; "
            f"give --budget {population * 3} or more"
        )
    least = 2 * population * n_hypotheses
    if method == "each" and budget < least:
        raise UserError(
            f"--budget {budget} is below two generations of {population} particles for "
            f"each of {n_hypotheses} hypotheses; give --budget {least} or more, or a "
            "smaller --population"
        )


def _record_inputs(
    record: str,
    observed_fit: EvidenceInput | None,
    observed_test: pd.DataFrame | None,
    fit_window: tuple[str, str],
    test_window: tuple[str, str],
) -> tuple[EvidenceInput, pd.DataFrame, pd.DataFrame]:
    """The record on the fit window, its monthly deaths on the test window, and the
    article's premises read off it (none when the caller brings its own record)."""
    premises = pd.DataFrame()
    if observed_fit is None and record in RECORDS:
        from centrehold.record.premises import premises_table

        # the article's checkable premises, read off the same record (not the model)
        table = premises_table()
        premises = table[table["record"] == record].reset_index(drop=True)
    if (observed_fit is None or observed_test is None) and record not in RECORDS:
        # a user's event file (UCDP GED, ACLED): dates, places and deaths only
        from centrehold.record.external import external_observed, read_external

        events = read_external(record)
        if observed_fit is None:
            observed_fit = external_observed(events, *fit_window, source=record)
        if observed_test is None:
            observed_test = external_observed(events, *test_window, source=record).monthly
    if observed_fit is None or observed_test is None:
        from centrehold.record import iraq_observed

        bound = RECORDS[record][0]
        if observed_fit is None:
            observed_fit = iraq_observed(*fit_window, bound=bound)
        if observed_test is None:
            observed_test = iraq_observed(*test_window, bound=bound).monthly
    return observed_fit, observed_test, premises


def _observed_statistics(
    scenario: Any, observed_fit: EvidenceInput, fit_window: tuple[str, str],
    regions: tuple[str, ...],
) -> tuple[pd.Series, ScenarioSimulator]:
    """The record's evidence statistics, and a simulator that computes the same ones (the
    tail exponent's lower bound fixed at the record's)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, xmin, _ = tail_exponent(observed_fit.sizes)
        obs_stats = evidence_table(
            observed_fit, start=fit_window[0], end=fit_window[1], regions=list(regions),
            monthly_values=False, tail_xmin=xmin if np.isfinite(xmin) else None,
            **scenario_facts(scenario),
        )
    sim = ScenarioSimulator(
        scenario, fit_window[0], fit_window[1], regions,
        tail_xmin=float(xmin) if np.isfinite(xmin) else None,
    )
    obs_stats = obs_stats.drop(labels=[s for s in _NOT_EVIDENCE if s in obs_stats.index])
    return obs_stats, sim


def _simulate(
    sim: ScenarioSimulator,
    hypotheses: Sequence[HypothesisSpec],
    obs_stats: pd.Series,
    out: Path,
    st: CompareSettings,
    resume: bool,
    executor: Any | None,
    workers: int,
    progress: Progress | None,
) -> tuple[CalibrationResult, list[tuple[str, dict[str, float], int]], list]:
    """Calibrate (pilot and ABC-SMC), then simulate each surviving hypothesis's posterior
    predictive, on one pool of workers."""
    total = st.pilot + st.budget + st.predictive * len(hypotheses)

    def calib_progress(done: int, tot: int) -> None:
        if progress is not None:
            progress(min(done, st.pilot + st.budget), total)

    own = None
    if executor is None and workers > 1:
        from centrehold.runs import get_executor

        own = executor = get_executor("processes", workers)
    try:
        fit = calibrate_each if st.method == "each" else calibrate
        calib = fit(
            sim, hypotheses, obs_stats, out / "abc_history.db",
            population_size=st.population, max_generations=st.generations, budget=st.budget,
            seed=st.seed, pilot=st.pilot, executor=executor, resume=resume,
            progress=calib_progress, groups=distance_groups(obs_stats.index),
            gates=distance_gates(obs_stats.index, st.level_gate, st.decline_gate,
                                 st.composition_gate),
        )
        # posterior predictive: each hypothesis's own particles; a hypothesis that died
        # out has none and gets no predictive at all (never its prior standing in)
        draws = _predictive_draws(calib, hypotheses, st.predictive, st.seed)
        task = _PredictiveTask(sim, *st.test_window)
        results = _run_predictive(task, draws, executor, progress, st.pilot + st.budget)
    finally:
        if own is not None:
            own.close()
    return calib, draws, results


def _run_predictive(
    task: _PredictiveTask, draws: list, executor: Any | None, progress: Progress | None,
    offset: int,
) -> list:
    def pp_progress(done: int, tot: int) -> None:
        if progress is not None:
            progress(offset + done, offset + len(draws))

    if executor is not None:
        return executor.map(task, draws, progress=pp_progress)
    results = []
    for i, d in enumerate(draws):
        results.append(task(d))
        pp_progress(i + 1, len(draws))
    return results


@dataclass
class _Predictive:
    """Each surviving hypothesis's posterior-predictive runs: fit-window statistics,
    fit-window national monthly deaths, test-window monthly deaths by region."""

    alive: list[str]
    sims: dict[str, list[pd.Series]]
    fits: dict[str, list[np.ndarray]]
    tests: dict[str, list[pd.DataFrame]]

    def tables(self) -> dict[str, pd.DataFrame]:
        return {h: pd.DataFrame(v) for h, v in self.sims.items()}


def _gather(
    draws: list, results: list, dead: Sequence[str], hypotheses: Sequence[HypothesisSpec]
) -> _Predictive:
    alive = [h.name for h in hypotheses if h.name not in dead]
    pred = _Predictive(alive, {n: [] for n in alive}, {n: [] for n in alive},
                       {n: [] for n in alive})
    for (h, _, _), (stats, fit, test) in zip(draws, results, strict=True):
        pred.sims[h].append(stats)
        pred.fits[h].append(fit)
        pred.tests[h].append(test)
    return pred


def _assess(
    calib: CalibrationResult,
    hypotheses: Sequence[HypothesisSpec],
    pred: _Predictive,
    obs_stats: pd.Series,
    observed_fit: EvidenceInput,
    observed_test: pd.DataFrame,
    regions: tuple[str, ...],
    premises: pd.DataFrame,
    settings: CompareSettings,
    scenario: Any,
    out: Path,
    t0: float,
) -> CompareResult:
    """From the simulations to every table: ACH, adequacy, forecasts, posterior, verdict;
    then write them."""
    fit_window, test_window = settings.fit_window, settings.test_window
    tables = pred.tables()
    matrix = ach_matrix(tables, obs_stats) if tables else pd.DataFrame(
        columns=["item", "hypothesis", "observed", "rating"])
    scores = hypothesis_scores(matrix)
    obs_test = observed_test[observed_test["region"].isin(regions)]
    fit_hist = observed_fit.monthly[observed_fit.monthly["region"].isin(regions)]
    obs_fit_nat = national_series(observed_fit, *fit_window).to_numpy(dtype=float)
    obs_test_nat = _national_test(observed_test, test_window)
    checks = _checks(pred, tables, obs_stats, obs_fit_nat, obs_test_nat, test_window)
    adequacy = adequacy_table(checks, died_out=calib.dead)
    fc, fc_nat, fc_summary = _forecasts(pred, calib.probabilities, adequacy, obs_test,
                                        fit_hist)
    reference = load_reference(calib.db_path)
    confusion, recovery = separability(reference, calib.scales)
    source = {h.name: ("posterior" if h.name not in calib.dead else "died out")
              for h in hypotheses}
    posterior = _posterior(calib, scores, source, recovery, adequacy, settings.seed)
    # the second weighing: a forest on the same pilot (infer.choice), no new simulation
    posterior, forest = with_forest(posterior, reference, obs_stats, settings.seed)
    if settings.record in RECORDS:
        record_label, coverage = RECORDS[settings.record][1], IBC_COVERAGE
    else:
        from centrehold.record.external import coverage_note

        record_label = Path(settings.record).name
        coverage = coverage_note(record_label)
    result = CompareResult(
        calibration=calib, posterior=posterior, parameters=calib.parameters, ach=matrix,
        diagnosticity=diagnosticity(matrix), ach_scores=scores,
        forecast=pd.concat([fc.assign(level="governorate"), fc_nat.assign(level="national")],
                           ignore_index=True),
        forecast_summary=fc_summary, predictive_source=source, confusion=confusion,
        forest_confusion=forest_tables(forest, [h.name for h in hypotheses]),
        recovery=recovery, wall_seconds=time.perf_counter() - t0, adequacy=adequacy,
        p_values=p_value_table(checks),
        predictive_national=_predictive_national(pred.fits, pred.tests, fit_window,
                                                 test_window, obs_fit_nat, obs_test_nat),
        verdict=verdict(posterior, record_label, fit_window, coverage), premises=premises,
        settings=replace(settings, final_epsilon=calib.final_epsilon,
                         final_acceptance=calib.final_acceptance,
                         simulations=calib.n_simulations, generations_run=len(calib.epsilons)),
        scenario=_scenario_json(scenario),
    )
    result.files = write_outputs(result, out, [h.name for h in hypotheses])
    return result


def _checks(
    pred: _Predictive, tables: Mapping[str, pd.DataFrame], obs_stats: pd.Series,
    obs_fit_nat: np.ndarray, obs_test_nat: np.ndarray, test_window: tuple[str, str],
) -> dict[str, Any]:
    """Each surviving hypothesis's posterior-predictive checks against the record."""
    return {
        h: check_hypothesis(
            np.vstack(pred.fits[h]), obs_fit_nat, tables[h], obs_stats,
            test_draws=np.vstack([_national_test(t, test_window) for t in pred.tests[h]]),
            test_observed=obs_test_nat,
        )
        for h in pred.alive
    }


def _forecasts(
    pred: _Predictive, probs: pd.Series, adequacy: pd.DataFrame, obs_test: pd.DataFrame,
    fit_hist: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Scores of each fitted hypothesis's forecast and of the posterior-weighted mixture,
    by governorate and nationally; a hypothesis that died out is not a forecaster.

    The mixture is taken over the adequate hypotheses (over every fitted one, and
    labelled so, when none is adequate): a forecast from a world that misses the
    record's level is no forecast.
    """
    alive = pred.alive
    ens: dict[str, list[pd.DataFrame]] = {f"{h} predictive": pred.tests[h] for h in alive}
    is_adequate = adequacy.set_index("hypothesis")["adequate"].astype(bool)
    fitting = [h for h in alive if is_adequate[h]]
    label = "model average (adequate)" if fitting else "model average (all fitted)"
    pool = fitting or alive
    mass = sum(float(probs[h]) for h in pool)
    mixture, weights = [], []
    for h in pool:
        share = float(probs[h]) / mass if mass > 0 else 1.0 / len(pool)
        mixture += pred.tests[h]
        weights += [share / len(pred.tests[h])] * len(pred.tests[h])
    ens[label] = mixture
    mix_w = {label: np.asarray(weights)}
    fc = score_forecasts(obs_test, ens, fit_hist, ensemble_weights=mix_w)
    fc_nat = score_forecasts(
        national_totals(obs_test),
        {k: [national_totals(m) for m in v] for k, v in ens.items()},
        national_totals(fit_hist), ensemble_weights=mix_w,
    )
    fc_summary = pd.concat(
        [summarise_scores(fc).assign(level="governorate"),
         summarise_scores(fc_nat).assign(level="national")], ignore_index=True)
    return fc, fc_nat, fc_summary


def _posterior(
    calib: CalibrationResult, scores: pd.DataFrame, source: Mapping[str, str],
    recovery: pd.Series, adequacy: pd.DataFrame, seed: int = 0,
) -> pd.DataFrame:
    """One row per hypothesis: probability, ACH inconsistency, where its predictive came
    from, its separability and its adequacy."""
    posterior = calib.posterior_table().merge(
        scores.rename(columns={"inconsistency": "ach_inconsistency"}), on="hypothesis",
        how="left",
    )
    posterior["predictive_from"] = posterior["hypothesis"].map(source)
    posterior["separability"] = posterior["hypothesis"].map(recovery)
    posterior = posterior.merge(adequacy, on="hypothesis", how="left")
    if calib.method == "each":
        # weigh again among the adequate ones only, at their own weighing tolerance
        # (marginal.weighing_epsilon): the ones that miss the record do not set the yardstick
        posterior["final_epsilon"] = posterior["hypothesis"].map(calib.final_epsilons)
        posterior["posterior_epsilon"] = posterior["hypothesis"].map(calib.posterior_epsilons)
        ok = posterior.loc[posterior["adequate"].fillna(False).astype(bool), "hypothesis"]
        names = [str(h) for h in ok]
        shares, eps = evidence_shares(calib.evidence, names)
        posterior["probability_adequate"] = posterior["hypothesis"].map(shares)
        posterior["epsilon_adequate"] = eps
        if names:
            # the shares' Monte Carlo error: how often each would lead on a redraw
            boot = evidence_bootstrap(calib.evidence, names, eps, seed=seed)
            top = boot.fillna(0.0).to_numpy().argmax(axis=1)
            posterior["probability_adequate_low"] = posterior["hypothesis"].map(
                boot.quantile(0.05))
            posterior["probability_adequate_high"] = posterior["hypothesis"].map(
                boot.quantile(0.95))
            posterior["leads"] = posterior["hypothesis"].map(
                pd.Series(np.bincount(top, minlength=len(names)) / len(boot), index=names))
    return posterior


def _scenario_json(scenario: Any) -> dict[str, Any]:
    """The scenario as simulated, as plain JSON (what a run folder's scenario.json holds)."""
    dump = getattr(scenario, "model_dump", None)
    return dump(mode="json") if callable(dump) else {}



def _predictive_draws(
    calib: CalibrationResult, hypotheses: Sequence[HypothesisSpec], predictive: int, seed: int
) -> list[tuple[str, dict[str, float], int]]:
    """(hypothesis, parameters, seed) for each posterior-predictive simulation of each
    hypothesis that survived; seeds from one stream, so the draws are reproducible."""
    ss = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 99])
    sim_seeds = ss.generate_state(predictive * len(hypotheses), dtype=np.uint32)
    draws = []
    k = 0
    for h in hypotheses:
        for p in posterior_draws(calib, h.name, predictive, seed):
            draws.append((h.name, p, int(sim_seeds[k])))
            k += 1
    return draws


def _national_test(monthly: pd.DataFrame, window: tuple[str, str]) -> np.ndarray:
    inp = EvidenceInput(monthly=monthly, sizes=np.zeros(0))
    return national_series(inp, *window).to_numpy(dtype=float)


def _predictive_national(
    fits: Mapping[str, list[np.ndarray]],
    tests: Mapping[str, list[pd.DataFrame]],
    fit_window: tuple[str, str],
    test_window: tuple[str, str],
    obs_fit: np.ndarray,
    obs_test: np.ndarray,
) -> pd.DataFrame:
    """Tidy national monthly deaths: record and each hypothesis's predictive band
    (5%, 50%, 95%) over the fit and test windows, for the report's first figure."""
    months_fit = pd.date_range(month_start(fit_window[0]), month_start(fit_window[1]), freq="MS")
    months_test = pd.date_range(month_start(test_window[0]), month_start(test_window[1]), freq="MS")
    rows = []
    for h in fits:
        for window, months, draws in (
            ("fit", months_fit, np.vstack(fits[h])),
            ("test", months_test, np.vstack([_national_test(t, test_window) for t in tests[h]])),
        ):
            q = np.quantile(draws, [0.05, 0.5, 0.95], axis=0)
            for j, m in enumerate(months):
                rows.append({"hypothesis": h, "window": window, "month": m,
                             "low": q[0, j], "median": q[1, j], "high": q[2, j]})
    for window, months, obs in (("fit", months_fit, obs_fit), ("test", months_test, obs_test)):
        for j, m in enumerate(months):
            rows.append({"hypothesis": "record", "window": window, "month": m,
                         "low": obs[j], "median": obs[j], "high": obs[j]})
    return pd.DataFrame(rows)


def write_outputs(result: CompareResult, out: Path, order: Sequence[str]) -> dict[str, Path]:
    """The compare folder (`infer.folder`) and its three figures."""
    files = write_compare_folder(
        CompareFolder(
            settings=result.settings, posterior=result.posterior, parameters=result.parameters,
            scenario=result.scenario, ach=result.ach, diagnosticity=result.diagnosticity,
            forecast=result.forecast, forecast_summary=result.forecast_summary,
            trajectory=result.calibration.trajectory, separability=result.confusion,
            forest_confusion=result.forest_confusion,
            adequacy=result.adequacy, p_values=result.p_values,
            predictive_national=result.predictive_national, verdict=result.verdict,
            premises=result.premises, evidence=result.calibration.evidence,
        ),
        out,
    )
    files |= {"fit_png": out / FIT_PNG, "posterior_png": out / POSTERIOR_PNG,
              "ach_png": out / ACH_PNG}
    plot_fit(result.predictive_national, result.posterior, files["fit_png"])
    plot_posterior(result.calibration, files["posterior_png"])
    plot_ach(result.ach, files["ach_png"],
             [h for h in order if h in set(result.ach.get("hypothesis", []))])
    return files



def plot_fit(pn: pd.DataFrame, posterior: pd.DataFrame, path: Path) -> None:
    """The record's national monthly deaths with each fitted hypothesis's 90% band: the
    first thing to look at, since a hypothesis whose band misses the record is not
    evidence for anything."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.8), constrained_layout=True)
    if not pn.empty:
        status = posterior.set_index("hypothesis")["status"].to_dict()
        colours = plt.get_cmap("tab10")
        hyps = [h for h in pn["hypothesis"].unique() if h != "record"]
        for i, h in enumerate(hyps):
            sub = pn[pn["hypothesis"] == h].sort_values("month")
            label = f"{h} ({status.get(h, '?')})"
            ax.fill_between(sub["month"], sub["low"], sub["high"], alpha=0.18,
                            color=colours(i % 10), label=label, step="mid")
        rec = pn[pn["hypothesis"] == "record"].sort_values("month")
        ax.plot(rec["month"], rec["median"], color="black", lw=1.6, marker="o", ms=2.5,
                label="record")
        test = pn[pn["window"] == "test"]["month"]
        if len(test):
            ax.axvline(pd.Timestamp(test.min()), color="grey", ls="--", lw=1)
            ax.text(pd.Timestamp(test.min()), ax.get_ylim()[1] * 0.95, " held out",
                    fontsize=8, color="grey", va="top")
    ax.set_ylim(bottom=0)
    ax.set_ylabel("national deaths per month")
    ax.set_title("Record against each fitted hypothesis's 90% predictive band", fontsize=9)
    ax.legend(fontsize=7, ncol=4, loc="upper right")
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_posterior(calib: CalibrationResult, path: Path) -> None:
    """Bars of the final model probabilities (dead hypotheses shown at 0, marked)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    probs = calib.probabilities
    fig, ax = plt.subplots(figsize=(6.5, 3.4), constrained_layout=True)
    bars = ax.bar(list(probs.index), probs.to_numpy(), color="#4477aa")
    for bar, name in zip(bars, probs.index, strict=True):
        if name in calib.dead:
            ax.text(bar.get_x() + bar.get_width() / 2, 0.01, "died out", rotation=90,
                    ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_ylabel("posterior probability")
    ax.set_title(
        f"ABC-SMC model selection: {len(calib.epsilons)} generations, "
        f"{calib.n_simulations} simulations", fontsize=9,
    )
    fig.savefig(path, dpi=120)
    plt.close(fig)
