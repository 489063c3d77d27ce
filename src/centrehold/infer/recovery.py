"""Recovery on synthetic records: does `compare` find the hypothesis that made a record?

ABC model choice is only trustworthy where its statistics can tell the hypotheses
apart (Robert et al., PNAS 108, 2011). The direct check is to let the model write a
record under a known hypothesis and parameters, run the whole `compare` pipeline on
it as if it were the real record, and see whether the posterior puts the most mass
on the truth and its credible intervals cover the true parameters. Used by the
tests (small budgets) and by `scripts/recovery_iraq.py` (every hypothesis, larger
budgets; results in docs/compare.md).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from centrehold.infer.abc.forest import grow_forest
from centrehold.infer.abc.pilot import reference_table, simulate_draw
from centrehold.infer.abc.sampler import serial_map
from centrehold.infer.adequacy import leading
from centrehold.infer.choice import forest_leader
from centrehold.infer.simulated import (
    FIT_END,
    FIT_START,
    TEST_END,
    TEST_START,
    CompareResult,
    ScenarioSimulator,
    evidence_input,
    run_compare,
    shared_value,
)
from centrehold.record.observations import EvidenceInput

#: The synthetic records' own seed, far from the streams compare draws from.
RECORD_SEED = 424242


def credible_interval(
    values: np.ndarray, weights: np.ndarray, level: float = 0.95
) -> tuple[float, float]:
    """Central interval of a weighted sample (one parameter's posterior particles)."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    c = np.cumsum(w / w.sum())
    tail = (1.0 - level) / 2.0
    upper = min(int(np.searchsorted(c, 1.0 - tail)), len(v) - 1)
    return float(v[int(np.searchsorted(c, tail))]), float(v[upper])


def true_parameters(scenario: Any, hypothesis: str, rate: float | None = None) -> dict[str, float]:
    """The truth: every parameter with a prior (the hypothesis's own and the shared
    `calibration:` ones), at the scenario's own value.

    ``rate`` (attacks a day) overrides the scenario's rate, to ask how strong an
    instigator must be before the record can name it.
    """
    spec = scenario.hypotheses[hypothesis]
    out = {name: float(spec.params[name]) for name in spec.priors if name in spec.params}
    if rate is not None and "rate" in out:
        out["rate"] = float(rate)
    for key in getattr(scenario, "calibration", None) or {}:
        out[key] = shared_value(scenario, key)
    return out


def synthetic_record(
    simulator: ScenarioSimulator,
    hypothesis: str,
    params: Mapping[str, float],
    seed: int = RECORD_SEED,
) -> tuple[EvidenceInput, pd.DataFrame]:
    """A record written by the model: the fit window's evidence input and the test
    window's monthly deaths, in the shapes `run_compare` takes for the real record."""
    ds = simulator.dataset(hypothesis, dict(params), seed, end=TEST_END)
    return (
        evidence_input(ds, FIT_START, FIT_END),
        evidence_input(ds, TEST_START, TEST_END).monthly,
    )


def recover(
    scenario: Any,
    hypothesis: str,
    params: Mapping[str, float],
    out_dir: str | Path,
    level: float = 0.95,
    **compare_kw: Any,
) -> tuple[dict[str, Any], CompareResult]:
    """Run `compare` on a synthetic record made under (hypothesis, params).

    Returns a summary row (posterior of every hypothesis, whether the truth got the
    most mass, each true parameter's credible interval and whether it is covered) and
    compare's full result.
    """
    sim = ScenarioSimulator(scenario, regions=tuple(r.iso for r in scenario.regions))
    fit, test = synthetic_record(sim, hypothesis, params)
    res = run_compare(scenario, out_dir, observed_fit=fit, observed_test=test, **compare_kw)
    probs = res.calibration.probabilities
    row: dict[str, Any] = {"truth": hypothesis, "recovered": bool(probs.idxmax() == hypothesis)}
    row.update({f"P({h})": round(float(p), 3) for h, p in probs.items()})
    # what the verdict names: the leader among the hypotheses that fit the record
    row["leading"] = leading(res.posterior)
    row["truth_adequate"] = bool(
        res.posterior.set_index("hypothesis")["adequate"].fillna(False).get(hypothesis, False))
    particles = res.parameters[res.parameters["hypothesis"] == hypothesis]
    covered = []
    intervals = {}
    for name, value in params.items():
        sub = particles[particles["parameter"] == name]
        if sub.empty:
            intervals[name] = (np.nan, np.nan)
            covered.append(False)
            continue
        lo, hi = credible_interval(sub["value"].to_numpy(), sub["weight"].to_numpy(), level)
        intervals[name] = (lo, hi)
        covered.append(lo <= value <= hi)
    row["covered"] = bool(all(covered)) if covered else None
    row["intervals"] = "; ".join(
        f"{k} {v:g} in [{intervals[k][0]:.3g}, {intervals[k][1]:.3g}]" for k, v in params.items()
    )
    row["separability"] = round(float(res.recovery.get(hypothesis, np.nan)), 2)
    # the forest's reading of the same record (infer.choice): its choice among the
    # adequate ones, and its share of votes for the truth over every hypothesis
    post = res.posterior.set_index("hypothesis")
    row["forest_names"] = forest_leader(res.posterior)
    if "forest_votes" in post.columns and post["forest_votes"].notna().any():
        row["forest_votes_truth"] = round(float(post["forest_votes"].get(hypothesis, np.nan)), 2)
        row["forest_top"] = str(post["forest_votes"].idxmax())
    row["simulations"] = int(res.calibration.n_simulations)
    row["generations"] = len(res.calibration.epsilons)
    row["wall_s"] = round(res.wall_seconds, 1)
    return row, res


def forest_recovery(
    scenario: Any,
    truths: Sequence[str],
    records: int,
    *,
    seed: int = 0,
    pilot: int = 280,
    rate: float | None = None,
    executor: Any | None = None,
    observed_fit: EvidenceInput | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The forest's recovery on records the model writes: ``records`` per truth, each
    at the truth's own parameters (`true_parameters`) with its own seed.

    The forest is the one `compare` grows with this ``seed`` and ``pilot`` (its pilot
    table, from the priors of every hypothesis), trained on every hypothesis: no ABC-SMC
    runs, so no adequacy screen, and each record costs one simulation instead of a
    whole `compare`. The statistics are those of `compare` on ``observed_fit`` (default:
    the real record, whose tail bound both sides share). Returns one row per record
    (truth, chosen, the choice's probability, the votes) and the confusion matrix
    (rows: truth; columns: share of its records each hypothesis was chosen for).
    """
    from centrehold.infer.simulated import (
        _observed_statistics,
        _record_inputs,
        hypotheses_from_scenario,
    )

    window = (FIT_START, FIT_END)
    fit, _, _ = _record_inputs("ibc-max", observed_fit, pd.DataFrame(), window,
                               (TEST_START, TEST_END))
    regions = tuple(r.iso for r in scenario.regions)
    obs, sim = _observed_statistics(scenario, fit, window, regions)
    hyps = hypotheses_from_scenario(scenario)
    map_ = executor.map if executor is not None else serial_map
    reference = reference_table(sim, hyps, list(obs.index), pilot, seed, map_)
    # the forest depends on the pilot alone: grown once, it reads every record
    forest = grow_forest(reference, list(obs.index), seed=seed)
    draws = [(h, true_parameters(scenario, h, rate), RECORD_SEED + k)
             for h in truths for k in range(records)]
    stats = map_(functools.partial(simulate_draw, sim), draws)
    rows = []
    for (h, _, rseed), st in zip(draws, stats, strict=True):
        choice = forest.choose(st)
        rows.append({"truth": h, "record_seed": rseed, "chosen": choice.chosen,
                     "probability": round(choice.probability, 3),
                     **{f"votes({k})": round(float(v), 3) for k, v in choice.votes.items()}})
    table = pd.DataFrame(rows)
    names = [h.name for h in hyps]
    confusion = (pd.crosstab(table["truth"], table["chosen"], normalize="index")
                 .reindex(index=list(truths), columns=names, fill_value=0.0))
    return table, confusion

