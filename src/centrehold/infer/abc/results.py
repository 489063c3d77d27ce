"""What a calibration leaves behind, read back from its history and labelled by
hypothesis and parameter; draws from it for the posterior predictive."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyabc

from centrehold.errors import UserError
from centrehold.infer.abc.priors import PriorSpec, natural_value

#: Columns of `CalibrationResult.parameters`, one row per particle and parameter.
PARAMETER_COLUMNS = ["hypothesis", "particle", "parameter", "value", "weight"]


@dataclass
class CalibrationResult:
    """What a calibration leaves behind, labelled by hypothesis and parameter."""

    probabilities: pd.Series  # final posterior model probabilities, every hypothesis (0 if dead)
    trajectory: pd.DataFrame  # generation x hypothesis probabilities
    parameters: pd.DataFrame  # tidy: hypothesis, particle, parameter, value, weight
    epsilons: pd.Series  # generation -> acceptance threshold
    n_simulations: int
    scales: pd.Series  # statistic -> spread used to standardise the distance
    db_path: Path
    observed: pd.Series
    dead: list[str]
    # generation -> accepted particles / simulations run (pyabc's `samples`)
    acceptance: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    # "joint": one ABC-SMC run over all hypotheses, probabilities from its particles;
    # "each": a run per hypothesis, probabilities from their evidence (`marginal`)
    method: str = "joint"
    evidence: pd.DataFrame = field(default_factory=pd.DataFrame)  # `marginal.EVIDENCE_COLUMNS`
    final_epsilons: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    # each: the tolerance each hypothesis's posterior is read at (`each.posterior_epsilon`)
    posterior_epsilons: pd.Series = field(default_factory=lambda: pd.Series(dtype=float))
    common_epsilon: float = float("nan")  # the tolerance `probabilities` are weighed at

    @property
    def final_epsilon(self) -> float:
        """The tolerance the probabilities rest on: the last generation's (joint), or the
        common one every hypothesis's evidence is measured at (each)."""
        if self.method == "each":
            return float(self.common_epsilon)
        return float(self.epsilons.iloc[-1]) if len(self.epsilons) else float("nan")

    @property
    def final_acceptance(self) -> float:
        """Share of the last generation's simulations that were accepted."""
        return float(self.acceptance.iloc[-1]) if len(self.acceptance) else float("nan")

    def posterior_table(self) -> pd.DataFrame:
        """One row per hypothesis: probability, alive or not, its posterior particles and
        what their weights are worth (`effective_size`)."""
        counts = self.parameters.groupby("hypothesis")["particle"].nunique()
        weights = self.parameters.groupby(["hypothesis", "particle"])["weight"].first()
        rows = []
        for name, p in self.probabilities.items():
            rows.append(
                {
                    "hypothesis": name,
                    "probability": float(p),
                    "alive": name not in self.dead,
                    "particles": int(counts.get(name, 0)),
                    "effective_particles": effective_size(
                        weights.xs(name).to_numpy(float) if name in counts.index
                        else np.zeros(0)),
                }
            )
        return pd.DataFrame(rows)


def effective_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of weighted particles, (sum w)^2 / sum w^2: how many
    equally weighted particles they are worth (0 for none). A posterior predictive drawn
    from a handful of effective particles shows those few parameter sets, not the
    posterior, so `compare` reports it beside the particle count."""
    w = np.asarray(weights, float)
    total = float(w.sum())
    return total * total / float(np.sum(w * w)) if total > 0 else 0.0


def read_result(
    db_path: Path,
    hyp_names: Sequence[str],
    observed: pd.Series,
    scales: pd.Series,
    priors: Mapping[str, Mapping[str, PriorSpec]] | None = None,
) -> CalibrationResult:
    """Read posteriors from a history; hypotheses that died out get probability 0 explicitly.

    ``priors`` (hypothesis -> parameter -> PriorSpec) maps values stored on ABC's
    scale (log10 for loguniform priors) back to the parameters' own.
    """
    history = pyabc.History(f"sqlite:///{db_path}")
    if history.n_populations == 0:
        raise UserError(f"the history {db_path} holds no complete generation; run without --resume")
    traj = history.get_model_probabilities()
    traj = traj.rename(columns={i: hyp_names[i] for i in range(len(hyp_names))})
    traj = traj.reindex(columns=list(hyp_names)).fillna(0.0)
    traj.index.name = "generation"
    probs = traj.loc[history.max_t].astype(float)
    probs.name = "probability"
    params = _particles(history, hyp_names, probs, priors or {})
    eps, acceptance = _generations(history)
    dead = [n for n in hyp_names if probs[n] <= 0]
    return CalibrationResult(
        probabilities=probs,
        trajectory=traj,
        parameters=params,
        epsilons=eps,
        n_simulations=int(history.total_nr_simulations),
        scales=scales,
        db_path=Path(db_path),
        observed=observed,
        dead=dead,
        acceptance=acceptance,
    )


def _particles(
    history: pyabc.History,
    hyp_names: Sequence[str],
    probs: pd.Series,
    priors: Mapping[str, Mapping[str, PriorSpec]],
) -> pd.DataFrame:
    """The last generation's particles, tidy, on each parameter's own scale."""
    t_last = history.max_t
    rows = []
    for i, name in enumerate(hyp_names):
        if probs[name] <= 0:
            continue
        df, w = history.get_distribution(m=i, t=t_last)
        if df.shape[1] == 0 and len(df) == 0:
            # pyabc returns no rows for a model without parameters: record the
            # hypothesis as one parameter-free particle carrying its whole mass
            rows.append({"hypothesis": name, "particle": 0, "parameter": "",
                         "value": np.nan, "weight": 1.0})
            continue
        for k in range(len(df)):
            if df.shape[1] == 0:
                rows.append(
                    {"hypothesis": name, "particle": k, "parameter": "", "value": np.nan,
                     "weight": float(w[k])}
                )
            for pname in df.columns:
                rows.append(
                    {
                        "hypothesis": name,
                        "particle": k,
                        "parameter": str(pname),
                        "value": natural_value(priors.get(name, {}), str(pname),
                                               float(df[pname].iloc[k])),
                        "weight": float(w[k]),
                    }
                )
    return pd.DataFrame(rows, columns=PARAMETER_COLUMNS)


def _generations(history: pyabc.History) -> tuple[pd.Series, pd.Series]:
    """Each generation's acceptance threshold and share of simulations accepted."""
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    eps = pd.Series(pops["epsilon"].to_numpy(), index=pops["t"].to_numpy(), name="epsilon")
    acceptance = pd.Series(
        pops["particles"].to_numpy(float) / np.maximum(pops["samples"].to_numpy(float), 1.0),
        index=pops["t"].to_numpy(), name="acceptance",
    )
    return eps, acceptance


def posterior_draws(
    result: CalibrationResult, hypothesis: str, n: int, seed: int
) -> list[dict[str, float]]:
    """Draw ``n`` parameter sets from one hypothesis's weighted particles.

    A hypothesis that died out has no particles; the caller decides what stands in
    (the ACH uses its prior, and says so).
    """
    sub = result.parameters[result.parameters["hypothesis"] == hypothesis]
    if sub.empty:
        return []
    if (sub["parameter"] == "").all():  # alive, but with no free parameters
        return [{} for _ in range(n)]
    wide = sub.pivot_table(index="particle", columns="parameter", values="value", dropna=False)
    w = sub.groupby("particle")["weight"].first().reindex(wide.index).to_numpy(float)
    w = w / w.sum()
    rng = np.random.default_rng(np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 7]))
    idx = rng.choice(len(wide), size=n, p=w)
    cols = [c for c in wide.columns if c != ""]
    return [{c: float(wide.iloc[k][c]) for c in cols} for k in idx]
