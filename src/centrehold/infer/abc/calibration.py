"""The calibration run: pilot, yardstick, ABC-SMC generations, resume.

Resume. The history is an SQLite file; a run stopped at any point continues from the
last stored generation (pyabc stores a generation in one transaction and resumes only
at generation boundaries, by design). The sampler's seeding (`sampler`) makes the
resumed run end where an uninterrupted run ends. The yardstick and the seed are kept in
a sidecar beside the history, so a resumed run weighs with the same distance.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc

from centrehold.errors import UserError
from centrehold.infer.abc.distance import (
    MAX_SPREADS,
    STATS_KEY,
    LevelGate,
    StatisticsDistance,
    as_stats,
)
from centrehold.infer.abc.pilot import (
    Simulator,
    reference_path,
    reference_table,
    replicate_table,
    replicates_path,
)
from centrehold.infer.abc.priors import HypothesisSpec, PriorSpec, natural_value, prior_of
from centrehold.infer.abc.results import CalibrationResult, read_result
from centrehold.infer.abc.sampler import (
    Progress,
    SeededMappingSampler,
    executor_map,
    serial_map,
)
from centrehold.infer.abc.scales import (
    diagnosticity_weights,
    group_factors,
    local_spread,
    nearest_rows,
    noise_spread,
    scales_of,
)
from centrehold.infer.abc.transition import KERNEL_SCALING, kernel_for

#: Key of the simulation seed in what a pyabc model returns (stored in the history).
SEED_KEY = "seed"


@dataclass(frozen=True)
class _ModelFn:
    """A picklable pyabc model: draws a seed from the task's stream, runs the simulator."""

    simulator: Simulator
    hypothesis: str
    names: tuple[str, ...]
    priors: Mapping[str, PriorSpec] = field(default_factory=dict)

    def __call__(self, pars: Mapping[str, float]) -> dict:
        seed = int(np.random.randint(0, 2**31 - 1))
        params = {k: natural_value(self.priors, k, v) for k, v in dict(pars).items()}
        stats = self.simulator(self.hypothesis, params, seed)
        return {STATS_KEY: as_stats(stats, self.names), SEED_KEY: seed}


def _sidecar(db_path: Path) -> Path:
    return db_path.with_suffix(".meta.json")


class _Counter:
    """Simulations done so far against the whole job (pilot and budget), for `progress`."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.n = 0
        self.total = total
        self.progress = progress

    def add(self, delta: int) -> None:
        self.n += delta
        if self.progress is not None:
            self.progress(min(self.n, self.total), self.total)


def _observed_vector(
    hypotheses: Sequence[HypothesisSpec], population_size: int, observed: pd.Series
) -> tuple[list[str], np.ndarray]:
    """The statistics' names and the record's values, after checking the inputs."""
    if not hypotheses:
        raise UserError("no hypotheses to weigh; give at least one hypothesis")
    if population_size < 2:
        raise UserError(f"population size {population_size} is too small; use at least 2")
    names = [str(n) for n in observed.index]
    obs = as_stats(observed, names)
    if np.all(np.isnan(obs)):
        raise UserError("every observed statistic is undefined; check the record's window")
    return names, obs


def _stored_scales(db_path: Path, hyp_names: list[str], names: list[str]
                   ) -> tuple[int, pd.Series, pd.Series]:
    """The seed, yardstick and caps a history was made with, checked against this run's
    (a history from before the caps were stored was made with MAX_SPREADS throughout)."""
    meta = json.loads(_sidecar(db_path).read_text())
    if meta["hypotheses"] != hyp_names or meta["statistics"] != names:
        raise UserError(
            f"the history {db_path} was made for other hypotheses or statistics; "
            "use a fresh --out or drop --resume"
        )
    # a history from before the kernel was widened was made with pyabc's own (factor
    # 1): continued with another kernel, its weights and evidence would mix the two
    made_with = float(meta.get("kernel_scaling", 1.0))
    if made_with != KERNEL_SCALING:
        raise UserError(
            f"the history {db_path} was made with ABC kernel factor {made_with:g}, this "
            f"version uses {KERNEL_SCALING:g}; use a fresh --out or drop --resume"
        )
    caps = meta.get("caps") or [MAX_SPREADS] * len(names)
    return (int(meta["seed"]), pd.Series(meta["scales"], index=names, name="scale"),
            pd.Series(caps, index=names, name="cap"))


def last_rate(history: pyabc.History) -> float:
    """The last stored generation's acceptance rate: what the sampler knew when it
    decided whether to start the next one, so a resumed run decides the same."""
    if history.n_populations == 0:
        return 1.0
    pops = history.get_all_populations()
    last = pops[pops["t"] == pops["t"].max()].iloc[0]
    return float(last["particles"]) / max(float(last["samples"]), 1.0)


def yardstick(
    simulator: Simulator,
    hypotheses: Sequence[HypothesisSpec],
    names: list[str],
    obs: np.ndarray,
    pilot: int,
    seed: int,
    map_: Any,
    groups: Mapping[str, str] | None,
    db_path: Path,
    resuming: bool,
    gates: Mapping[str, float] | None = None,
) -> tuple[int, pd.Series, pd.Series, dict[str, dict[str, float]]]:
    """The seed, the distance's scales, each statistic's cap in those units and the
    gates resolved in its noise (`resolve_gates`): read back from the sidecar when
    resuming, else from a fresh pilot (whose table and replicate runs are stored beside
    `db_path`). Gate widths are checked before any simulation."""
    check_gate_widths(gates)
    if resuming:
        return (*_stored_scales(db_path, [h.name for h in hypotheses], names),
                stored_gates(db_path, gates))
    reference = reference_table(simulator, hypotheses, names, pilot, seed, map_)
    reference.to_parquet(reference_path(db_path), index=False)
    # the distance's yardstick: prior-predictive spread, shrunk for the statistics
    # that separate the hypotheses or move with their parameters (a weight w
    # divides the spread by sqrt(w))
    spread = scales_of(reference, names)
    weights = diagnosticity_weights(reference, spread)
    near = local_spread(reference, names, obs, spread, weights)
    # the pilot rows nearest the record, run again with fresh seeds: each statistic's
    # simulation noise there becomes its unit (scales.noise_spread)
    rows = nearest_rows(reference, names, obs, spread / np.sqrt(weights),
                        replicate_rows(pilot))
    replicates = replicate_table(simulator, reference, hypotheses, names, rows,
                                 REPLICATE_SEEDS, seed, map_)
    replicates.to_parquet(replicates_path(db_path), index=False)
    noise = noise_spread(replicates, names, near)
    caps = (MAX_SPREADS * near / noise).rename("cap")
    return (seed, (noise / np.sqrt(weights) * group_factors(names, groups)).rename("scale"),
            caps, resolve_gates(names, obs, noise, gates))


#: Fresh seeds for each pilot row run again to measure simulation noise.
REPLICATE_SEEDS = 3


def replicate_rows(pilot: int) -> int:
    """How many of the pilot's rows nearest the record are run again: one in twenty,
    between 2 and 12 (12 rows of 3 seeds give the noise 24 degrees of freedom)."""
    return int(min(12, max(2, pilot // 20)))


def write_sidecar(db_path: Path, hyp_names: list[str], names: list[str], seed: int,
                  scales: pd.Series, population_size: int, method: str = "joint",
                  caps: pd.Series | None = None,
                  gates: Mapping[str, Mapping[str, float]] | None = None) -> None:
    """What a resumed run needs to weigh with the same yardstick."""
    meta = {"hypotheses": hyp_names, "statistics": names, "seed": int(seed),
            "scales": [float(s) for s in scales], "population_size": population_size,
            "method": method,
            "caps": [float(c) for c in caps] if caps is not None else None,
            "kernel_scaling": KERNEL_SCALING,
            "gates": {k: {f: float(x) for f, x in g.items()} for k, g in (gates or {}).items()}}
    _sidecar(db_path).write_text(json.dumps(meta))


def check_gate_widths(gates: Mapping[str, float] | None) -> None:
    """Gate widths are counts of noise standard deviations: finite and not negative."""
    for name, width in (gates or {}).items():
        if not (np.isfinite(width) and width >= 0):
            raise UserError(f"gate width {width!r} for '{name}' is not a number of noise "
                            "standard deviations; give 0 (no gate) or a number such as 1")


def resolve_gates(names: Sequence[str], obs: np.ndarray, noise: pd.Series,
                  gates: Mapping[str, float] | None) -> dict[str, dict[str, float]]:
    """Each gate's band and unit, relative to the record's value: the unit is the
    statistic's simulation noise near the record over that value (about its noise on
    the log scale), the band `width` of those units. A statistic the record leaves
    undefined or at 0, or that has no noise, gets no gate."""
    out = {}
    for name, width in (gates or {}).items():
        if width <= 0 or name not in names:
            continue
        v0 = float(obs[list(names).index(name)])
        unit = float(noise[name]) / abs(v0) if np.isfinite(v0) and v0 != 0 else np.nan
        if np.isfinite(unit) and unit > 0:
            out[name] = {"width": float(width), "band": float(width) * unit, "unit": unit}
    return out


def level_gates(names: Sequence[str], resolved: Mapping[str, Mapping[str, float]] | None
                ) -> tuple[LevelGate, ...]:
    """The distance's gates (`distance.LevelGate`) from `resolve_gates`'s table."""
    return tuple(LevelGate(list(names).index(k), float(g["band"]), float(g["unit"]))
                 for k, g in (resolved or {}).items() if k in names)


def stored_gates(db_path: Path, gates: Mapping[str, float] | None
                 ) -> dict[str, dict[str, float]]:
    """The resolved gates a history was made with, if this run asks for the same widths
    (a history from before the gates had none)."""
    made = json.loads(_sidecar(db_path).read_text()).get("gates") or {}
    asked = {k: float(v) for k, v in (gates or {}).items() if v > 0}
    had = {k: float(g["width"]) for k, g in made.items()}
    if had != asked:
        raise UserError(f"the history {db_path} was made with gate widths {had or 'none'}, "
                        f"this run asks for {asked or 'none'}; use a fresh --out or drop "
                        "--resume")
    return dict(made)


def _abcsmc(
    simulator: Simulator,
    hypotheses: Sequence[HypothesisSpec],
    names: list[str],
    scales: pd.Series,
    population_size: int,
    sampler: SeededMappingSampler,
    resuming: bool,
    caps: pd.Series | None = None,
    gates: Mapping[str, Mapping[str, float]] | None = None,
) -> pyabc.ABCSMC:
    """pyabc's ABC-SMC over the hypotheses with this package's distance, kernel and sampler."""
    models = [_ModelFn(simulator, h.name, tuple(names), dict(h.priors)) for h in hypotheses]
    priors = [prior_of(h) for h in hypotheses]
    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    # pyabc warns when a generation's raw importance weights sum to a tiny number (a
    # wide prior over a narrow kernel in ten dimensions); it normalises them, and the
    # evidence is recomputed from the raw weights (`marginal`), so the warning only
    # breaks the progress bar
    logging.getLogger("ABC.Population").setLevel(logging.ERROR)
    transitions = [kernel_for(h) for h in hypotheses]
    return pyabc.ABCSMC(
        models,
        priors,
        StatisticsDistance(np.asarray(scales.to_numpy(), float),
                           MAX_SPREADS if caps is None else np.asarray(caps.to_numpy(), float),
                           level_gates(names, gates)),
        population_size=population_size,
        transitions=transitions,
        sampler=sampler,
        # a fresh run's first generation is the prior (threshold infinite); a resumed
        # run recomputes the next threshold from the last stored generation, exactly
        # as the uninterrupted run computed it after that generation
        eps=pyabc.QuantileEpsilon(
            initial_epsilon="from_sample" if resuming else np.inf, alpha=0.5
        ),
    )


def _run_generations(
    abc: pyabc.ABCSMC, total_budget: int, min_epsilon: float, remaining_gens: int,
    remaining_budget: int,
) -> None:
    """Run what is left of the generations and of the budget (nothing when none is)."""
    if remaining_gens > 0 and remaining_budget > 0:
        with warnings.catch_warnings():
            # pyabc subtracts an infinite first threshold from the next one
            warnings.filterwarnings("ignore", "invalid value", RuntimeWarning)
            abc.run(
                minimum_epsilon=min_epsilon,
                max_nr_populations=remaining_gens,
                max_total_nr_simulations=total_budget,
            )


def calibrate(
    simulator: Simulator,
    hypotheses: Sequence[HypothesisSpec],
    observed: pd.Series,
    db_path: str | Path,
    *,
    population_size: int = 100,
    max_generations: int = 6,
    budget: int | None = None,
    seed: int = 0,
    pilot: int = 100,
    executor: Any | None = None,
    resume: bool = False,
    min_epsilon: float = 0.0,
    progress: Progress | None = None,
    groups: Mapping[str, str] | None = None,
    gates: Mapping[str, float] | None = None,
) -> CalibrationResult:
    """Run (or resume) ABC-SMC model selection and return labelled posteriors.

    ``groups`` (statistic -> group name) makes each group weigh as much as any other in
    the distance, however many statistics it holds (`group_factors`). ``gates``
    (statistic -> width in noise standard deviations) holds those statistics near the
    record's values (`distance.LevelGate`, `resolve_gates`).
    ``budget`` caps the total number of simulations in the SMC generations (pyabc
    stops after the generation that crosses it); the pilot that sets the distance
    scales comes on top. ``executor`` is anything with an ordered
    ``.map(fn, items, progress=None)``; without one, simulations run in this process.
    """
    names, obs = _observed_vector(hypotheses, population_size, observed)
    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    map_ = executor_map(executor) if executor is not None else serial_map
    hyp_names = [h.name for h in hypotheses]
    total_budget = budget if budget is not None else population_size * max_generations * 3
    counter = _Counter(total_budget + pilot, progress)

    resuming = db_path.exists() and _sidecar(db_path).exists() and resume
    if resume and not db_path.exists():
        raise UserError(f"no calibration history at {db_path} to resume; drop --resume")
    if db_path.exists() and not resuming:
        if resume:
            raise UserError(
                f"{db_path} exists but has no calibration metadata; "
                "use a fresh --out or drop --resume"
            )
        db_path.unlink()
    seed, scales, caps, resolved = yardstick(simulator, hypotheses, names, obs, pilot, seed,
                                             map_, groups, db_path, resuming, gates)
    counter.add(pilot)

    sampler = SeededMappingSampler(seed, map_, on_generation=lambda t, n: counter.add(n),
                                   budget=total_budget)
    abc = _abcsmc(simulator, hypotheses, names, scales, population_size, sampler, resuming,
                  caps, resolved)
    x0 = {STATS_KEY: obs, SEED_KEY: -1}
    db_url = f"sqlite:///{db_path}"
    if resuming:
        abc.load(db_url, 1, observed_sum_stat=x0)
        history = abc.history
        already = history.total_nr_simulations if history.n_populations > 0 else 0
        sampler.spent = int(already)
        sampler.last_rate = last_rate(history)
        counter.add(already)
        remaining_gens = max_generations - (history.max_t + 1)
        remaining_budget = total_budget - already
    else:
        abc.new(db_url, x0)
        write_sidecar(db_path, hyp_names, names, seed, scales, population_size, caps=caps,
                      gates=resolved)
        remaining_gens = max_generations
        remaining_budget = total_budget
    _run_generations(abc, total_budget, min_epsilon, remaining_gens, remaining_budget)
    if progress is not None:
        progress(total_budget + pilot, total_budget + pilot)
    return read_result(db_path, hyp_names, observed, scales,
                       {h.name: dict(h.priors) for h in hypotheses})
