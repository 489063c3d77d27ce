"""The pilot: prior-predictive simulations that set the distance's yardstick, stored
beside the history so that separability can be judged on the same draws."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from centrehold.infer.abc.distance import as_stats
from centrehold.infer.abc.priors import HypothesisSpec
from centrehold.infer.abc.sampler import Progress, serial_map
from centrehold.infer.abc.scales import PARAM_PREFIX

# simulate(hypothesis name, parameters, seed) -> statistics (a labelled Series)
Simulator = Callable[[str, Mapping[str, float], int], pd.Series]

def simulate_draw(simulator: Simulator, draw: tuple[str, dict, int]) -> pd.Series:
    """One (hypothesis, parameters, seed) draw through ``simulator``; bound with
    `functools.partial`, a picklable task for any executor."""
    hypothesis, params, seed = draw
    return simulator(hypothesis, params, seed)


def draw_from_prior(
    hypotheses: Sequence[HypothesisSpec], n: int, seed: int
) -> list[tuple[str, dict[str, float], int]]:
    """Draw (hypothesis, parameters, simulation seed) triples, hypotheses uniform."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 1]))
    out = []
    for _ in range(n):
        h = hypotheses[int(rng.integers(len(hypotheses)))]
        params = {}
        for pname, spec in h.priors.items():
            params[pname] = spec.to_natural(spec.rv().distribution.rvs(random_state=rng))
        out.append((h.name, params, int(rng.integers(0, 2**31 - 1))))
    return out


def reference_table(
    simulator: Simulator,
    hypotheses: Sequence[HypothesisSpec],
    names: Sequence[str],
    n: int,
    seed: int,
    map_: Callable[..., list] | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Prior-predictive simulations: one row each, columns ``hypothesis``, the statistics,
    and ``param.<name>`` for each parameter drawn (on ABC's scale; NaN where the row's
    hypothesis has no such parameter)."""
    draws = draw_from_prior(hypotheses, n, seed)
    fn = functools.partial(simulate_draw, simulator)
    results = (map_ or serial_map)(fn, draws, progress)
    table = pd.DataFrame(np.vstack([as_stats(s, names) for s in results]), columns=list(names))
    table.insert(0, "hypothesis", [d[0] for d in draws])
    specs = {h.name: h.priors for h in hypotheses}
    pnames = sorted({p for h in hypotheses for p in h.priors})
    for pname in pnames:
        table[f"{PARAM_PREFIX}{pname}"] = [
            specs[h][pname].to_explored(params[pname]) if pname in params else np.nan
            for h, params, _ in draws
        ]
    return table


def replicate_table(
    simulator: Simulator,
    reference: pd.DataFrame,
    hypotheses: Sequence[HypothesisSpec],
    names: Sequence[str],
    rows: Sequence[int],
    repeats: int,
    seed: int,
    map_: Callable[..., list] | None = None,
) -> pd.DataFrame:
    """The pilot rows at positions `rows` simulated again, `repeats` fresh seeds each:
    columns ``row`` (the position), ``hypothesis`` and the statistics. What differs
    within a row is simulation noise alone."""
    specs = {h.name: h.priors for h in hypotheses}
    rng = np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 2]))
    draws, index = [], []
    for i in rows:
        hyp = str(reference["hypothesis"].iloc[i])
        params = {p: spec.to_natural(float(reference[f"{PARAM_PREFIX}{p}"].iloc[i]))
                  for p, spec in specs[hyp].items()}
        for _ in range(repeats):
            draws.append((hyp, params, int(rng.integers(0, 2**31 - 1))))
            index.append(int(i))
    fn = functools.partial(simulate_draw, simulator)
    results = (map_ or serial_map)(fn, draws) if draws else []
    table = pd.DataFrame(np.vstack([as_stats(s, names) for s in results])
                         if results else np.zeros((0, len(names))), columns=list(names))
    table.insert(0, "hypothesis", [d[0] for d in draws])
    table.insert(0, "row", index)
    return table


def replicates_path(db_path: Path) -> Path:
    """Where the pilot's replicate runs are stored beside a history."""
    return db_path.with_suffix(".replicates.parquet")


def reference_path(db_path: Path) -> Path:
    """Where the pilot's table is stored beside a history."""
    return db_path.with_suffix(".reference.parquet")


def load_reference(db_path: str | Path) -> pd.DataFrame:
    """The pilot's prior-predictive table stored beside a history."""
    return pd.read_parquet(reference_path(Path(db_path).resolve()))
