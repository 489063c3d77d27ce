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

is unbiased, where ``n_t`` counts every simulation of the generation (kept or not) and
``mass_t`` is the kernel's mass inside the prior's support (pyabc redraws proposals that
fall outside it without simulating them). pyabc stores the weights normalised; the raw
ones are recomputed here by fitting the generation's kernel again on the previous
generation, as pyabc did, and the test suite checks that normalising them gives back the
stored weights. The ratio of two hypotheses' ``Z`` at one tolerance is their ABC Bayes
factor at that tolerance (Didelot et al. 2011, Bayesian Analysis 6(1), 49-76).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc

#: Columns of an evidence table: one row per kept particle of each generation.
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
    cols = list(X_prev.columns)
    inside = sum(prior.pdf(pyabc.Parameter(dict(zip(cols, p, strict=True)))) > 0 for p in pts)
    return float(inside) / SUPPORT_DRAWS


def evidence_table(
    db_path: str | Path,
    hypothesis: str,
    prior: pyabc.Distribution,
    make_transition: Callable[[], pyabc.MultivariateNormalTransition],
    seed: int = 0,
) -> pd.DataFrame:
    """Every kept particle of a one-hypothesis history with its share of the evidence
    (`contribution`), per generation; `weight` is pyabc's stored (normalised) weight."""
    history = pyabc.History(f"sqlite:///{Path(db_path).resolve()}")
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0].set_index("t")
    rows = []
    for t in pops.index:
        X, w = history.get_distribution(m=0, t=int(t))
        dist = history.get_weighted_distances(t=int(t))["distance"].to_numpy(float)
        n_t = float(pops.loc[t, "samples"])
        if t == 0 or X.shape[1] == 0:
            raw = np.ones(len(dist))
            mass = 1.0
        else:
            X_prev, w_prev = history.get_distribution(m=0, t=int(t) - 1)
            kernel = make_transition()
            kernel.fit(X_prev, np.asarray(w_prev, float))
            q = np.asarray(kernel.pdf(X), float)
            pr = np.array([prior.pdf(pyabc.Parameter(dict(row))) for _, row in X.iterrows()])
            raw = pr / q
            mass = _support_mass(kernel, X_prev, np.asarray(w_prev, float), prior,
                                 seed * 1000 + int(t))
        rows.append(pd.DataFrame({
            "hypothesis": hypothesis, "generation": int(t),
            "epsilon": float(pops.loc[t, "epsilon"]), "evaluations": n_t,
            "support_mass": mass, "distance": dist,
            "contribution": mass * raw / max(n_t, 1.0),
            "weight": (np.asarray(w, float) if len(w) == len(dist)
                       else np.full(len(dist), 1.0 / max(len(dist), 1))),
        }))
    if not rows:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    return pd.concat(rows, ignore_index=True)[EVIDENCE_COLUMNS]


def evidence_at(table: pd.DataFrame, hypothesis: str, epsilon: float) -> float:
    """P(distance <= epsilon) under one hypothesis, from its last generation whose own
    tolerance is at least `epsilon` (its proposals then saw every particle that close)."""
    sub = table[table["hypothesis"] == hypothesis]
    usable = sub[sub["epsilon"] >= epsilon]
    if usable.empty:
        return float("nan")
    t = usable["generation"].max()
    gen = usable[usable["generation"] == t]
    return float(gen.loc[gen["distance"] <= epsilon, "contribution"].sum())


def final_epsilons(table: pd.DataFrame) -> pd.Series:
    """Each hypothesis's last tolerance."""
    last = table.sort_values("generation").groupby("hypothesis").tail(1)
    return last.set_index("hypothesis")["epsilon"].astype(float)


def evidence_shares(table: pd.DataFrame, hypotheses: list[str],
                    epsilon: float | None = None) -> tuple[pd.Series, float]:
    """Each hypothesis's evidence at one common tolerance, normalised over `hypotheses`
    (equal prior odds), and that tolerance: by default the loosest final tolerance among
    them, which every one of them reached."""
    if not hypotheses:
        return pd.Series(dtype=float, name="probability"), float("nan")
    if epsilon is None:
        epsilon = float(final_epsilons(table).reindex(hypotheses).max())
    z = pd.Series({h: evidence_at(table, h, epsilon) for h in hypotheses}, dtype=float)
    z = z.fillna(0.0)
    total = float(z.sum())
    shares = z / total if total > 0 else z * np.nan
    return shares.rename("probability"), float(epsilon)
