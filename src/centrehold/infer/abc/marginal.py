"""How often a hypothesis's simulations land within a tolerance of the record: its ABC
evidence, read back from a one-hypothesis ABC-SMC history.

Why. Weighing hypotheses by the share of particles each keeps in a joint ABC-SMC run
lets the first generations decide which hypotheses survive; with eleven of them the
survivors, and so the verdict, changed with the seed. Fitting each hypothesis on its own
and comparing their evidence at one common tolerance keeps every hypothesis fitted (so
its adequacy can be judged) and turns the weighing into a ratio of estimates, each of
which improves with its own simulations.

The estimate. Generation ``t`` of ABC-SMC proposes parameters from a kernel density
``q_t`` (generation 0: the prior itself), truncated to the prior's support, and keeps
those whose distance is at most ``eps_t``. For any ``eps <= eps_t``,

    Z(eps) = P(distance <= eps | hypothesis)
           = mass_t / n_t * sum of prior(theta) / q_t(theta)
                            over kept particles with distance <= eps

is unbiased (given the kernels), where ``n_t`` counts every simulation of the
generation (kept or not) and
``mass_t`` is the kernel's mass inside the prior's support (pyabc redraws proposals that
fall outside it without simulating them). pyabc stores the weights normalised; the raw
ones are recomputed here by fitting the generation's kernel again on the previous
generation, as pyabc did, and the test suite checks that normalising them gives back the
stored weights. `evidence_at` pools every usable generation into one estimate
(deterministic-mixture importance sampling), steadier than the last generation alone.
The ratio of two hypotheses' ``Z`` at one tolerance is their ABC Bayes
factor at that tolerance (Didelot et al. 2011, Bayesian Analysis 6(1), 49-76).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc

#: Columns of an evidence table: one row per kept particle of each generation (followed
#: by `prior_density` and one density column `q<s>` per generation s of its hypothesis).
EVIDENCE_COLUMNS = ["hypothesis", "generation", "epsilon", "evaluations", "support_mass",
                    "distance", "contribution", "weight"]

#: Proposals drawn to measure the kernel's mass inside the prior's support.
SUPPORT_DRAWS = 4000


def _support_mass(transition: pyabc.MultivariateNormalTransition, X_prev: pd.DataFrame,
                  w_prev: np.ndarray, prior: pyabc.Distribution, seed: int) -> float:
    """Share of the fitted kernel's proposals that the prior admits (its density > 0)."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 31]))
    idx = rng.choice(len(X_prev), size=SUPPORT_DRAWS, p=w_prev / w_prev.sum())
    cov = np.atleast_2d(transition.cov)
    steps = rng.multivariate_normal(np.zeros(cov.shape[0]), cov, size=SUPPORT_DRAWS,
                                    method="eigh")
    pts = X_prev.to_numpy(float)[idx] + steps
    inside = np.count_nonzero(prior_density(prior, pts, list(X_prev.columns)) > 0)
    return float(inside) / SUPPORT_DRAWS


def prior_density(dist: pyabc.Distribution, points: np.ndarray, columns: list[str]
                  ) -> np.ndarray:
    """`dist.pdf` at every row of `points` (columns named by `columns`), in one call per
    parameter.

    Why not pyabc's `Distribution.pdf` row by row: one scipy call per parameter and row
    made reading the evidence back (4,000 support draws a generation) take half a minute
    of every `compare`. The product is taken in the same order as pyabc's, so each value
    is the same float.
    """
    points = np.asarray(points, float).reshape(-1, len(columns))
    if not columns:
        return np.ones(points.shape[0])
    if sorted(columns) != sorted(dist.keys()):
        raise ValueError(f"parameters {sorted(columns)} are not the prior's "
                         f"{sorted(dist.keys())}")
    out = None
    for j, name in enumerate(columns):
        rv = dist[name]
        try:
            part = np.asarray(rv.pdf(points[:, j]), float)
        except AttributeError:  # a discrete parameter has a mass function
            part = np.asarray(rv.pmf(points[:, j]), float)
        out = part if out is None else out * part
    return out


def _pdf(dist: pyabc.Distribution, X: pd.DataFrame) -> np.ndarray:
    return prior_density(dist, X.to_numpy(float), [str(c) for c in X.columns])


def evidence_table(
    db_path: str | Path,
    hypothesis: str,
    prior: pyabc.Distribution,
    make_transition: Callable[[], pyabc.MultivariateNormalTransition],
    seed: int = 0,
) -> pd.DataFrame:
    """Every kept particle of a one-hypothesis history, per generation, with what its
    share of the evidence needs: its prior density and its density under each
    generation's proposal (`q0`, `q1`, ...: the prior, then each fitted kernel divided
    by its mass inside the prior's support). `contribution` is its share in its own
    generation's estimate; `weight` is pyabc's stored (normalised) weight."""
    history = pyabc.History(f"sqlite:///{Path(db_path).resolve()}")
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].set_index("t")
    gens = [int(t) for t in pops.index]
    if not gens:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    parts = {t: history.get_distribution(m=0, t=t) for t in gens}
    dists = {t: history.get_weighted_distances(t=t) for t in gens}
    free = parts[gens[0]][0].shape[1] > 0  # a hypothesis with parameters
    kernels: dict[int, tuple[pyabc.MultivariateNormalTransition, float]] = {}
    for t in gens[1:]:
        if not free:
            break
        X_prev, w_prev = parts[t - 1]
        kernel = make_transition()
        kernel.fit(X_prev, np.asarray(w_prev, float))
        kernels[t] = (kernel, _support_mass(kernel, X_prev, np.asarray(w_prev, float), prior,
                                            seed * 1000 + t))
    rows = []
    for t in gens:
        X, w = parts[t]
        wd = dists[t]
        dist = wd["distance"].to_numpy(float)
        w = np.asarray(w, float)
        if free and not np.allclose(wd["w"].to_numpy(float), w):
            raise RuntimeError(f"{db_path}: distances and parameters out of order at t={t}")
        n = len(dist)
        frame = {"hypothesis": hypothesis, "generation": t,
                 "epsilon": float(pops.loc[t, "epsilon"]),
                 "evaluations": float(pops.loc[t, "samples"]),
                 "support_mass": kernels[t][1] if t in kernels else 1.0, "distance": dist,
                 "weight": w if len(w) == n else np.full(n, 1.0 / max(n, 1))}
        prior_density = _pdf(prior, X) if free else np.ones(n)
        frame["prior_density"] = prior_density
        for s in gens:
            if s == 0 or not free:
                frame[f"q{s}"] = prior_density
            else:
                kernel, mass = kernels[s]
                frame[f"q{s}"] = np.asarray(kernel.pdf(X), float).reshape(n) / mass
        frame["contribution"] = prior_density / frame[f"q{t}"] / max(frame["evaluations"], 1.0)
        rows.append(pd.DataFrame(frame))
    table = pd.concat(rows, ignore_index=True)
    qcols = [f"q{s}" for s in gens]
    return table[EVIDENCE_COLUMNS + ["prior_density"] + qcols]


def evidence_at(table: pd.DataFrame, hypothesis: str, epsilon: float,
                estimator: str = "mixture") -> float:
    """P(distance <= epsilon) under one hypothesis.

    Only generations whose own tolerance is at least `epsilon` can be used: their
    proposals kept every particle that close. `mixture` (the default) pools them as
    one sample from the mixture of their proposals, weighted by their simulations
    (the deterministic-mixture, or balance-heuristic, importance sampling estimator of
    Veach & Guibas 1995 and Owen & Zhou 2000): unbiased given the kernels, and steadier
    than any single generation because a particle that one proposal made unlikely is
    not given a huge weight if another proposal made it likely. `last` uses the last
    usable generation alone.
    """
    sub = table[table["hypothesis"] == hypothesis]
    usable = sub[sub["epsilon"] >= epsilon]
    if usable.empty:
        return float("nan")
    if estimator == "last":
        t = usable["generation"].max()
        gen = usable[usable["generation"] == t]
        return float(gen.loc[gen["distance"] <= epsilon, "contribution"].sum())
    if estimator != "mixture":
        raise ValueError(f"estimator {estimator!r} is unknown; use mixture or last")
    parts = _proposal_values(table, hypothesis, epsilon)
    total = sum(n for n, _ in parts)
    return float(sum(vals.sum() for _, vals in parts) / total) if total > 0 else 0.0


def final_epsilons(table: pd.DataFrame) -> pd.Series:
    """Each hypothesis's last tolerance."""
    last = table.sort_values("generation").groupby("hypothesis").tail(1)
    return last.set_index("hypothesis")["epsilon"].astype(float)


def complete_epsilons(table: pd.DataFrame) -> pd.Series:
    """Each hypothesis's tolerance at its last complete generation: the last that kept as
    many particles as its first (the prior's, which keeps them all), so a partial last
    generation, cut short by the budget (`sampler`), is passed over."""
    gens = table.groupby(["hypothesis", "generation"])["epsilon"].agg(["size", "first"])
    full = gens["size"] == gens.groupby(level="hypothesis")["size"].transform("first")
    last = gens.loc[full, "first"].groupby(level="hypothesis").last()
    return last.astype(float).rename("epsilon")


def fitted_epsilons(table: pd.DataFrame) -> pd.Series:
    """Each hypothesis's tolerance at its first fitted generation (the one after the
    prior's); a hypothesis whose run never got past the prior's is left out."""
    first = table[table["generation"] == 1].groupby("hypothesis")["epsilon"].first()
    return first.astype(float).rename("epsilon")


def weighing_epsilon(table: pd.DataFrame, hypotheses: list[str]) -> float:
    """The tolerance `hypotheses` are weighed at: the loosest at which every one of them
    still counts the particles of a fitted generation, i.e. the smallest of their first
    fitted generations' tolerances (`fitted_epsilons`).

    Why. A hypothesis weighed at a tolerance looser than its own first fitted generation's
    has only its prior's draws to count (a population's worth, 40 by default), so its
    evidence is a binomial share of a few dozen; one such hypothesis was enough to make
    the shares move by 0.14 between seeds. The earlier rule, the loosest of the last
    complete generations' tolerances, was set by the slowest run and left the others on
    their prior's draws alone. Tighter than this rule, fewer particles lie within the
    tolerance and the importance weights spread more: the shares moved more, not less
    (docs/compare.md, "Weighed where every hypothesis has a fitted generation"). When no
    hypothesis has a fitted generation, the loosest complete tolerance is used.
    """
    fitted = fitted_epsilons(table).reindex(hypotheses).dropna()
    if fitted.empty:
        return float(complete_epsilons(table).reindex(hypotheses).max())
    return float(fitted.min())


def evidence_shares(table: pd.DataFrame, hypotheses: list[str],
                    epsilon: float | None = None, estimator: str = "mixture",
                    ) -> tuple[pd.Series, float]:
    """Each hypothesis's evidence at one common tolerance, normalised over `hypotheses`
    (equal prior odds), and that tolerance: by default `weighing_epsilon`'s, at which
    every one of them counts a fitted generation's particles, not its prior's alone.

    The partial last generations (cut short by the budget) sharpen each hypothesis's
    posterior (`each.pooled_posterior`) but never set the weighing's tolerance."""
    if not hypotheses:
        return pd.Series(dtype=float, name="probability"), float("nan")
    if epsilon is None:
        epsilon = weighing_epsilon(table, hypotheses)
    z = pd.Series({h: evidence_at(table, h, epsilon, estimator) for h in hypotheses},
                  dtype=float)
    z = z.fillna(0.0)
    total = float(z.sum())
    shares = z / total if total > 0 else z * np.nan
    return shares.rename("probability"), float(epsilon)


def _usable(table: pd.DataFrame, hypothesis: str, epsilon: float
            ) -> tuple[pd.DataFrame, pd.Series]:
    """The kept particles of the generations whose own tolerance is at least `epsilon`
    (each with its `position` in its generation), and each such generation's number of
    simulations."""
    sub = table[table["hypothesis"] == hypothesis]
    sub = sub.assign(position=sub.groupby("generation").cumcount())
    usable = sub[sub["epsilon"] >= epsilon]
    return usable, usable.groupby("generation")["evaluations"].first()


def within(table: pd.DataFrame, hypothesis: str, epsilon: float) -> pd.DataFrame:
    """Every kept particle of the usable generations that lies within `epsilon`, with its
    place in its generation (`position`, the order pyabc returns it in) and its
    mixture-estimator value (`value`, prior density over the simulations' mixture of
    proposals).

    Why: the same values that estimate the evidence at `epsilon` are importance weights
    of the ABC posterior at `epsilon` (`pooled_posterior`), pooled over every generation
    instead of the last one alone.
    """
    usable, runs = _usable(table, hypothesis, epsilon)
    if usable.empty:
        return usable.assign(value=np.zeros(0))
    total = float(runs.sum())
    near = usable[usable["distance"] <= epsilon]
    q_mix = sum(near[f"q{s}"].to_numpy(float) * (m / total) for s, m in runs.items())
    return near.assign(value=near["prior_density"].to_numpy(float) / q_mix)


def _proposal_values(table: pd.DataFrame, hypothesis: str, epsilon: float
                     ) -> list[tuple[int, np.ndarray]]:
    """Per usable generation: its number of simulations and the mixture estimator's
    value of each kept particle within `epsilon` (every other simulation's value is 0)."""
    _, runs = _usable(table, hypothesis, epsilon)
    if runs.empty:
        return []
    near = within(table, hypothesis, epsilon)
    return [(int(n), near.loc[near["generation"] == t, "value"].to_numpy(float))
            for t, n in runs.items()]


def evidence_bootstrap(table: pd.DataFrame, hypotheses: list[str], epsilon: float,
                       draws: int = 400, seed: int = 0) -> pd.DataFrame:
    """How much the evidence shares would move if each generation's simulations were
    drawn again: a bootstrap over each generation's simulations (kept or not), the
    kernels held fixed. Returns draws x hypotheses shares.

    Why: with a few hundred simulations a hypothesis, a share is an estimate with
    Monte Carlo error of its own; a verdict should not name a leader that a redraw of
    the same simulations would unseat.
    """
    rng = np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 77]))
    z = np.zeros((draws, len(hypotheses)))
    for j, h in enumerate(hypotheses):
        parts = _proposal_values(table, h, epsilon)
        total = sum(n for n, _ in parts)
        for n, vals in parts:
            if len(vals) == 0 or n == 0:
                continue
            # counts of each kept particle among n simulations redrawn uniformly
            counts = rng.multinomial(n, np.full(n, 1.0 / n), size=draws)[:, : len(vals)]
            z[:, j] += counts @ vals / total
    sums = z.sum(axis=1, keepdims=True)
    shares = np.divide(z, sums, out=np.full_like(z, np.nan), where=sums > 0)
    return pd.DataFrame(shares, columns=list(hypotheses))
