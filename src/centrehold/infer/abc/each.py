"""Fit each hypothesis on its own, then weigh them by their evidence at one tolerance.

Why not one joint run. In a joint ABC-SMC run over eleven hypotheses, a hypothesis that
loses its particles in an early generation is never fitted: it cannot be checked for
adequacy, and which ones survive changed with the seed. Here every hypothesis gets its
own ABC-SMC run (pyabc, one model) with an equal share of the budget (fixed in
advance, so a run's place in the list does not change its share), and the weighing
is done afterwards from each run's evidence (`marginal`): the probability that a
hypothesis's simulations land within one common tolerance of the record.

The pilot and the distance's yardstick are shared (one pilot over all hypotheses, as in
the joint run), so the tolerances are in the same units. Each hypothesis's run is seeded
by (seed, its position), stored in its own history under ``<out>/abc_each/`` and resumed
from it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyabc

from centrehold.errors import UserError
from centrehold.infer.abc.calibration import (
    SEED_KEY,
    _abcsmc,
    _Counter,
    _observed_vector,
    _run_generations,
    _sidecar,
    last_rate,
    write_sidecar,
    yardstick,
)
from centrehold.infer.abc.distance import STATS_KEY
from centrehold.infer.abc.marginal import evidence_shares, evidence_table, final_epsilons, within
from centrehold.infer.abc.pilot import Simulator
from centrehold.infer.abc.priors import HypothesisSpec, natural_value, prior_of
from centrehold.infer.abc.results import (
    PARAMETER_COLUMNS,
    CalibrationResult,
    effective_size,
    read_result,
)
from centrehold.infer.abc.sampler import Progress, SeededMappingSampler, executor_map, serial_map
from centrehold.infer.abc.transition import kernel_for


def history_path(db_path: Path, index: int, name: str) -> Path:
    """Where hypothesis `name` (at `index` in the list) keeps its own history."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    return db_path.parent / "abc_each" / f"{index:02d}-{safe}.db"


def _seed_of(seed: int, index: int) -> int:
    ss = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 5150, int(index)])
    return int(ss.generate_state(1, dtype=np.uint32)[0] & 0x7FFFFFFF)


def _fit_one(
    simulator: Simulator, h: HypothesisSpec, index: int, names: list[str], obs: np.ndarray,
    scales: pd.Series, caps: pd.Series, db_path: Path, population_size: int,
    max_generations: int,
    share: int, seed: int, map_: Any, counter: _Counter, resume: bool, min_epsilon: float,
    gates: Mapping[str, Mapping[str, float]] | None = None,
) -> int:
    """One hypothesis's ABC-SMC run (or what is left of it); returns simulations spent
    (the generations stored)."""
    path = history_path(db_path, index, h.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    finished = path.with_suffix(".done.json")
    resuming = resume and path.exists()
    if resuming and finished.exists():
        # this run ended (budget or generations): running it again could start a
        # generation the uninterrupted run had declined
        spent = int(json.loads(finished.read_text())["spent"])
        counter.add(spent)
        return spent
    if path.exists() and not resuming:
        path.unlink()
    finished.unlink(missing_ok=True)
    sampler = SeededMappingSampler(_seed_of(seed, index), map_,
                                   on_generation=lambda t, n: counter.add(n), budget=share)
    abc = _abcsmc(simulator, [h], names, scales, population_size, sampler, resuming, caps,
                  gates)
    x0 = {STATS_KEY: obs, SEED_KEY: -1}
    url = f"sqlite:///{path}"
    if resuming:
        abc.load(url, 1, observed_sum_stat=x0)
        done = int(abc.history.total_nr_simulations) if abc.history.n_populations else 0
        sampler.spent = done
        sampler.last_rate = last_rate(abc.history)
        counter.add(done)
        gens = max_generations - (abc.history.max_t + 1)
    else:
        abc.new(url, x0)
        done = 0
        gens = max_generations
    _run_generations(abc, share, min_epsilon, gens, share - done)
    finished.write_text(json.dumps({"spent": int(sampler.spent)}))
    return int(sampler.spent)


def calibrate_each(
    simulator: Simulator,
    hypotheses: Sequence[HypothesisSpec],
    observed: pd.Series,
    db_path: str | Path,
    *,
    population_size: int = 40,
    max_generations: int = 10,
    budget: int = 4000,
    seed: int = 0,
    pilot: int = 100,
    executor: Any | None = None,
    resume: bool = False,
    min_epsilon: float = 0.0,
    progress: Progress | None = None,
    groups: Mapping[str, str] | None = None,
    gates: Mapping[str, float] | None = None,
) -> CalibrationResult:
    """Fit every hypothesis with its own ABC-SMC run, then weigh them by evidence.

    ``groups`` and ``gates`` shape the distance as in `calibration.calibrate`.

    `probabilities` are the evidence shares at `marginal.weighing_epsilon` (the loosest
    tolerance at which each hypothesis counts a fitted generation); `evidence` keeps
    what is needed to weigh any subset again at its own tolerance
    (`marginal.evidence_shares`), which `compare` does for the adequate ones. No
    hypothesis dies out: each has its own particles.
    """
    names, obs = _observed_vector(hypotheses, population_size, observed)
    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    map_ = executor_map(executor) if executor is not None else serial_map
    hyp_names = [h.name for h in hypotheses]
    counter = _Counter(budget + pilot, progress)
    resuming = resume and _sidecar(db_path).exists()
    if resume and not resuming:
        raise UserError(f"no calibration at {db_path.parent} to resume; drop --resume")
    seed, scales, caps, resolved = yardstick(simulator, hypotheses, names, obs, pilot, seed,
                                             map_, groups, db_path, resuming, gates)
    counter.add(pilot)
    if not resuming:
        write_sidecar(db_path, hyp_names, names, seed, scales, population_size, "each", caps,
                      resolved)

    # equal shares, fixed in advance: no hypothesis is fitted better for its place in
    # the list, and a resumed run gives each the share the uninterrupted one did
    share = budget // len(hypotheses)
    if share < 2 * population_size:
        raise UserError(f"a budget of {budget} gives each of {len(hypotheses)} hypotheses "
                        f"{share} simulations, below two generations of {population_size}; "
                        f"give at least {2 * population_size * len(hypotheses)}")
    for k, h in enumerate(hypotheses):
        _fit_one(simulator, h, k, names, obs, scales, caps, db_path, population_size,
                 max_generations, share, seed, map_, counter, resuming, min_epsilon,
                 resolved)
    if progress is not None:
        progress(budget + pilot, budget + pilot)
    return read_each(db_path, hypotheses, observed, scales, seed)


def read_each(
    db_path: Path, hypotheses: Sequence[HypothesisSpec], observed: pd.Series,
    scales: pd.Series, seed: int = 0,
) -> CalibrationResult:
    """The per-hypothesis histories, read back as one labelled result."""
    parts, tables, eps, acc, n_sims, read_at = [], [], {}, {}, 0, {}
    for k, h in enumerate(hypotheses):
        path = history_path(db_path, k, h.name)
        one = read_result(path, [h.name], observed, scales, {h.name: dict(h.priors)})
        table = evidence_table(path, h.name, prior_of(h), lambda h=h: kernel_for(h), seed)
        read_at[h.name] = posterior_epsilon(table, h.name) if len(table) else np.nan
        pooled = pooled_posterior(path, h, table, read_at[h.name])
        parts.append(one.parameters if pooled.empty else pooled)
        eps[h.name] = one.epsilons
        acc[h.name] = one.acceptance
        n_sims += one.n_simulations
        tables.append(table)
    evidence = pd.concat(tables, ignore_index=True)
    probs, common = evidence_shares(evidence, [h.name for h in hypotheses])
    finals = final_epsilons(evidence)
    # the generations' tolerances, hypothesis by hypothesis
    tolerances = pd.DataFrame(eps).rename_axis("generation")
    return CalibrationResult(
        probabilities=probs.reindex([h.name for h in hypotheses]).fillna(0.0),
        # one row: the runs have generations of their own, so only the end is common
        trajectory=probs.reindex([h.name for h in hypotheses]).fillna(0.0).to_frame().T
        .rename_axis("generation").set_axis([0]),
        parameters=pd.concat(parts, ignore_index=True),
        # the generations' tolerances, the median over hypotheses at each generation
        epsilons=tolerances.median(axis=1).rename("epsilon"),
        n_simulations=n_sims,
        scales=scales,
        db_path=db_path,
        observed=observed,
        dead=[],
        acceptance=pd.Series(
            [float(np.mean([a.iloc[-1] for a in acc.values() if len(a)]))], index=[0],
            name="acceptance"),
        evidence=evidence,
        final_epsilons=finals,
        posterior_epsilons=pd.Series(read_at, dtype=float),
        method="each",
        common_epsilon=common,
    )


def truncated_weights(values: np.ndarray) -> np.ndarray:
    """Importance weights capped at their mean times the square root of their number:
    truncated importance sampling (Ionides, Journal of Computational and Graphical
    Statistics 17(2), 295-311, 2008).

    Why: the pooled posterior's weights (prior density over the mixture of proposals)
    are unbiased but, in ten to eighteen dimensions, so uneven that on iraq-2009 one to
    three particles carried most of the weight for a fifth of the fits, and whether a
    hypothesis passed its adequacy checks then turned on which one. Capping at
    mean x sqrt(n) keeps the estimator consistent (the bias vanishes as n grows) with a
    variance that no longer blows up; weights under the cap are left as they are.
    """
    w = np.asarray(values, dtype=float)
    if w.size == 0:
        return w
    return np.minimum(w, w.mean() * np.sqrt(w.size))


#: Least effective particles a hypothesis's posterior is read with (`posterior_epsilon`).
MIN_POSTERIOR_PARTICLES = 10.0


def posterior_epsilon(table: pd.DataFrame, hypothesis: str,
                      minimum: float = MIN_POSTERIOR_PARTICLES) -> float:
    """The tolerance a hypothesis's posterior is read at: its final one, unless fewer than
    `minimum` effective particles (truncated weights, Kish) lie within it; then the
    tightest of its fitted generations' looser tolerances that holds that many, or, if
    none does, the one that holds the most.

    Why. The adequacy checks draw the predictive from this posterior. Read at a final
    tolerance that only one to five effective particles reach, the predictive shows
    those few parameter sets and its 90% band is as narrow as one world's noise: over
    five studies of iraq-2009, 8 of the 36 fits with fewer than six effective particles
    failed a check (the decline's band or the months' coverage), against 5 of about 240
    otherwise, leaving aside a seed whose yardstick was broken (docs/compare.md, "A
    typical noise, and at least ten effective particles"). Whether a hypothesis fits
    should not turn on how few particles its last generation left; a slightly looser
    tolerance with ten particles says more about it than the tightest with three. The
    prior's generation is never used: a posterior read there would be the prior. The
    evidence is not read here and does not change.
    """
    final = float(final_epsilons(table)[hypothesis])
    own = table[(table["hypothesis"] == hypothesis) & (table["generation"] >= 1)]
    candidates = sorted({float(e) for e in own["epsilon"] if e >= final} | {final})
    sizes = []
    for eps in candidates:
        values = within(table, hypothesis, eps)["value"].to_numpy(float)
        size = effective_size(truncated_weights(values))
        if size >= minimum:
            return eps
        sizes.append(size)
    return candidates[int(np.argmax(sizes))] if sizes else final


def pooled_posterior(path: Path, h: HypothesisSpec, table: pd.DataFrame,
                     epsilon: float | None = None) -> pd.DataFrame:
    """One hypothesis's ABC posterior at `epsilon` (by default its final tolerance),
    pooled over its generations.

    Why: pyabc's last generation holds `population` particles whose importance weights
    (prior over one kernel density in eight to eighteen dimensions) are so uneven that
    one to three particles carried most of the weight on iraq-2009, so a posterior
    predictive drawn from them was one or two parameter sets, and whether a hypothesis
    passed its adequacy checks changed with the seed. Every kept particle of every
    generation whose tolerance was at least the final one, and which lies within it, is
    a draw from that posterior once weighted by its prior density over the mixture of
    all those generations' proposals: the deterministic-mixture estimator that already
    measures the hypothesis's evidence (`marginal.within`). Pooling uses every
    simulation close enough and weighs none by one narrow kernel alone.

    The weights are truncated (`truncated_weights`): a prior draw that lands within the
    final tolerance can weigh a thousand times a fitted generation's particle, and a
    predictive drawn from one or two parameter sets misjudged the fit.

    Returns tidy rows (`results.PARAMETER_COLUMNS`) on each parameter's own scale, or
    an empty frame for a hypothesis without free parameters (its one particle is read
    as before).
    """
    if not (table["hypothesis"] == h.name).any():
        return pd.DataFrame(columns=PARAMETER_COLUMNS)
    eps = float(final_epsilons(table)[h.name]) if epsilon is None else float(epsilon)
    near = within(table, h.name, eps)
    near = near.assign(value=truncated_weights(near["value"].to_numpy(float)))
    history = pyabc.History(f"sqlite:///{Path(path).resolve()}")
    total = float(near["value"].sum())
    rows, k = [], 0
    for t, gen in near.groupby("generation", sort=True):
        X, _ = history.get_distribution(m=0, t=int(t))
        if X.shape[1] == 0:
            return pd.DataFrame(columns=PARAMETER_COLUMNS)
        for pos, value in zip(gen["position"].to_numpy(int), gen["value"].to_numpy(float),
                              strict=True):
            weight = value / total if total > 0 else 0.0
            rows += [{"hypothesis": h.name, "particle": k, "parameter": str(name),
                      "value": natural_value(dict(h.priors), str(name), float(x)),
                      "weight": weight} for name, x in X.iloc[pos].items()]
            k += 1
    return pd.DataFrame(rows, columns=PARAMETER_COLUMNS)
