"""Adequacy before choice: does a hypothesis's posterior predictive reproduce the record?

Model selection ranks hypotheses relative to each other; it says nothing about whether
any of them fits. A posterior of 0.95 for a model whose simulations run at a third of
the record's level is not evidence for that model, only against the others. So before
`compare` names a leader it asks of every fitted hypothesis the questions a
posterior predictive check asks (Gelman, Meng & Stern, Statistica Sinica 6, 1996):
do simulations drawn from its posterior cover the record month by month, match its
level and its 2008-to-2009 fall, and leave no summary statistic far in their tails?

A hypothesis that died out in the calibration has no posterior and is not checked:
it is listed as died out, never scored from its prior as if it had been fitted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from centrehold.infer.choice import (
    FOREST_SURE,
    forest_choice_is_clear,
    forest_leader,
    forest_summary,
)
from centrehold.infer.evidence import year_ratio
from centrehold.infer.forecast import crps_sample

#: Central predictive band used for coverage (5th to 95th percentile).
BAND = 0.90
#: Least share of the fit window's months the band must cover.
MIN_COVERAGE = 0.75
#: Largest relative gap between the predictive mean of national monthly deaths and the
#: record's, over the fit window.
MAX_LEVEL_ERROR = 0.15
#: The fit's target for the decline: largest relative gap between the predictive mean and
#: the record's ratio of the window's second-year to first-year deaths. Reported
#: (`decline_error`), not judged: one record's ratio is too noisy a number to hold a
#: model to (see `check_hypothesis`); the decline is judged by a band instead.
MAX_DECLINE_ERROR = 0.20
#: Two-sided predictive p-value below which a statistic counts as missed.
P_MISSED = 0.05


@dataclass(frozen=True)
class AdequacyRule:
    """The thresholds a hypothesis's predictive must pass (module constants by default)."""

    band: float = BAND
    min_coverage: float = MIN_COVERAGE
    # the record's decline must lie in this central band of the simulations' declines
    decline_band: float = BAND
    max_level_error: float = MAX_LEVEL_ERROR
    p_missed: float = P_MISSED


def band(draws: np.ndarray, level: float = BAND) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper edges of the central `level` predictive band, per column."""
    lo = (1.0 - level) / 2.0
    return np.quantile(draws, lo, axis=0), np.quantile(draws, 1.0 - lo, axis=0)


def coverage(draws: np.ndarray, observed: np.ndarray, level: float = BAND) -> float:
    """Share of the observed values inside the predictive band (draws: sims x months)."""
    if draws.size == 0 or observed.size == 0:
        return float("nan")
    lo, hi = band(draws, level)
    return float(np.mean((observed >= lo) & (observed <= hi)))


def predictive_p(draws: np.ndarray, observed: float) -> float:
    """Two-sided posterior predictive p-value of one statistic, ties split evenly.

    2 min(P(T >= t_obs), P(T <= t_obs)) with half the ties on each side, capped at 1; NaN
    if the statistic is undefined in the record or in every draw.
    """
    x = np.asarray(draws, dtype=float)
    x = x[np.isfinite(x)]
    if x.size == 0 or not np.isfinite(observed):
        return float("nan")
    below = np.mean(x < observed) + 0.5 * np.mean(x == observed)
    return float(min(1.0, 2.0 * min(below, 1.0 - below)))


def decline_ratio(series: np.ndarray) -> float | np.ndarray:
    """`centrehold.infer.evidence.year_ratio` of each row (of the one series if 1-D)."""
    s = np.asarray(series, dtype=float)
    if s.ndim == 1:
        return year_ratio(s)
    return np.array([year_ratio(row) for row in s])


def decline_check(fit_draws: np.ndarray, observed: np.ndarray, decline_band: float
                  ) -> dict[str, float | bool]:
    """The record's second-year/first-year ratio against the ratios of the predictive
    simulations, each over its own run: their mean, the gap to the record's (`error`, the
    target), the central `decline_band` of them and whether the record's lies inside
    (true when there is nothing to judge it by)."""
    obs_decline = float(decline_ratio(observed))
    all_ratios = (np.asarray(decline_ratio(fit_draws), dtype=float) if fit_draws.size
                  else np.zeros(0))
    pred_decline = float(np.nanmean(all_ratios)) if fit_draws.size else np.nan
    error = (abs(pred_decline - obs_decline) / obs_decline
             if np.isfinite(obs_decline) and obs_decline > 0 else float("nan"))
    ratios = all_ratios[np.isfinite(all_ratios)]
    if ratios.size and np.isfinite(obs_decline):
        lo_d, hi_d = band(ratios[:, None], decline_band)
        inside = bool(lo_d[0] <= obs_decline <= hi_d[0])
    else:
        lo_d = hi_d = np.array([np.nan])
        inside = True  # nothing to judge it by
    return {"predicted": pred_decline, "record": obs_decline, "error": error,
            "low": float(lo_d[0]), "high": float(hi_d[0]), "inside": inside}


def check_hypothesis(
    fit_draws: np.ndarray,
    fit_observed: np.ndarray,
    stat_draws: pd.DataFrame,
    stat_observed: pd.Series,
    test_draws: np.ndarray | None = None,
    test_observed: np.ndarray | None = None,
    rule: AdequacyRule | None = None,
) -> dict[str, object]:
    """All checks of one hypothesis: coverage, level, decline, CRPS against a constant,
    and the per-statistic predictive p-values; `adequate` if the fit window passes.

    fit_draws: national monthly deaths over the fit window, one row per predictive
    simulation; stat_draws: the evidence statistics of the same simulations. The test
    window (if given) is reported, never used to judge adequacy: it is scored once.

    The decline is judged as a posterior predictive check: the record's 2009/2008 ratio
    must lie in the central `decline_band` of the ratios the predictive simulations
    give, each taken over its own run. Why not the gap between the predictive mean and
    the record's ratio (the target, still reported as `decline_error`): one record's
    ratio is a noisy number. The iraq-2009 null at fixed parameters missed a 20% gap on
    17% of forty records it wrote itself (23% failed some check): a rule the true model
    fails that often calls hypotheses inadequate by the record's luck, and which ones
    it called so changed with the seed.
    """
    rule = rule or AdequacyRule()
    obs = np.asarray(fit_observed, dtype=float)
    cover = coverage(fit_draws, obs, rule.band)
    pred_mean = float(fit_draws.mean()) if fit_draws.size else float("nan")
    obs_mean = float(obs.mean())
    level_error = abs(pred_mean - obs_mean) / obs_mean if obs_mean > 0 else float("nan")
    dec = decline_check(fit_draws, obs, rule.decline_band)
    crps = float(np.mean([crps_sample(fit_draws[:, j], obs[j]) for j in range(obs.size)]))
    crps_constant = float(np.mean(np.abs(obs - obs_mean)))
    pvals = {
        name: predictive_p(stat_draws[name].to_numpy(dtype=float), float(stat_observed[name]))
        for name in stat_observed.index if name in stat_draws.columns
    }
    p = pd.Series(pvals, dtype=float)
    missed = sorted(p[p < rule.p_missed].index, key=lambda n: p[n])
    reasons = []
    if not cover >= rule.min_coverage:
        reasons.append(f"{BAND:.0%} band covers {cover:.0%} of fit months")
    if not level_error <= rule.max_level_error:
        reasons.append(f"level off by {level_error:.0%}")
    if not dec["inside"]:
        reasons.append(f"record's second-year/first-year ratio {dec['record']:.2f} outside "
                       f"the predictive's {rule.decline_band:.0%} band "
                       f"{dec['low']:.2f}-{dec['high']:.2f}")
    out: dict[str, object] = {
        "adequate": not reasons,
        "coverage_fit": cover,
        "predictive_mean": pred_mean,
        "record_mean": obs_mean,
        "level_error": level_error,
        "decline_predicted": dec["predicted"],
        "decline_record": dec["record"],
        "decline_error": dec["error"],
        "decline_low": dec["low"],
        "decline_high": dec["high"],
        "crps_fit": crps,
        "crps_fit_constant": crps_constant,
        "statistics_missed": len(missed),
        "statistics_checked": int(p.notna().sum()),
        "worst_statistics": ", ".join(missed[:5]),
        "why_inadequate": "; ".join(reasons),
        "p_values": p,
    }
    if test_draws is not None and test_observed is not None and test_draws.size:
        out["coverage_test"] = coverage(test_draws, np.asarray(test_observed, float), rule.band)
    else:
        out["coverage_test"] = float("nan")
    return out


def adequacy_table(
    checks: Mapping[str, Mapping[str, object]], died_out: Sequence[str] = ()
) -> pd.DataFrame:
    """One row per hypothesis: the checks' numbers, `adequate` True/False, and a status
    (`adequate`, `inadequate`, `died out`)."""
    rows = []
    for name, c in checks.items():
        row = {k: v for k, v in c.items() if k != "p_values"}
        row["hypothesis"] = name
        row["status"] = "adequate" if c["adequate"] else "inadequate"
        rows.append(row)
    for name in died_out:
        rows.append({"hypothesis": name, "adequate": False, "status": "died out"})
    cols = ["hypothesis", "status", "adequate", "coverage_fit", "coverage_test",
            "predictive_mean", "record_mean", "level_error", "decline_predicted",
            "decline_record", "decline_error", "decline_low", "decline_high", "crps_fit",
            "crps_fit_constant", "statistics_missed", "statistics_checked",
            "worst_statistics", "why_inadequate"]
    return pd.DataFrame(rows).reindex(columns=cols).sort_values("hypothesis", ignore_index=True)


def p_value_table(checks: Mapping[str, Mapping[str, object]]) -> pd.DataFrame:
    """Tidy predictive p-values: hypothesis, statistic, p_value."""
    frames = [
        pd.DataFrame({"hypothesis": name, "statistic": c["p_values"].index,
                      "p_value": c["p_values"].to_numpy()})
        for name, c in checks.items()
    ]
    if not frames:
        return pd.DataFrame(columns=["hypothesis", "statistic", "p_value"])
    return pd.concat(frames, ignore_index=True)


def leading(posterior: pd.DataFrame) -> str | None:
    """The most probable hypothesis among the adequate ones, or None if none is adequate."""
    ok = posterior[posterior["adequate"].fillna(False).astype(bool)]
    if ok.empty:
        return None
    col = "probability_adequate" if "probability_adequate" in ok.columns else "probability"
    return str(ok.sort_values(col, ascending=False, kind="stable").iloc[0]["hypothesis"])


#: Share of the evidence's redraws (`evidence_bootstrap`) in which the leader must stay
#: first for the verdict to call its lead clear.
LEAD_SURE = 0.9


def lead_is_clear(posterior: pd.DataFrame, lead: str) -> bool:
    """Whether the leader stays first on (at least LEAD_SURE of) the redraws of the
    evidence; True when the weighing carries no redraws (a joint run)."""
    if "leads" not in posterior.columns:
        return True
    share = posterior.set_index("hypothesis")["leads"].get(lead)
    return bool(share is not None and share == share and share >= LEAD_SURE)


def named_leader(posterior: pd.DataFrame) -> str | None:
    """The hypothesis the verdict names, or None when no weighing is sure of one.

    The forest's choice among the adequate ones when it is clear
    (`choice.forest_choice_is_clear`); else the evidence's leader when it stays first on
    LEAD_SURE of the redraws; else none. Naming the larger of a few near-equal weights
    would name whichever the seed favoured: on the real record five seeds named three
    different hypotheses that way (docs/compare.md)."""
    abc_lead = leading(posterior)
    if abc_lead is None:
        return None
    forest = forest_leader(posterior)
    if forest is not None and forest_choice_is_clear(posterior):
        return forest
    return abc_lead if lead_is_clear(posterior, abc_lead) else None


def _adequate_range(posterior: pd.DataFrame) -> str:
    """How the adequate ones fit, as ranges, when the verdict names none of them."""
    ok = posterior[posterior["adequate"].fillna(False).astype(bool)]
    cov, mean = ok["coverage_fit"], ok["predictive_mean"]
    return (f"Their {BAND:.0%} predictive bands cover {cov.min():.0%}-{cov.max():.0%} of "
            f"the fit months; their means are {mean.min():.0f}-{mean.max():.0f} deaths a "
            f"month against the record's {ok['record_mean'].iloc[0]:.0f}. ")


#: What the bundled record counts, for the verdict's limits.
IBC_COVERAGE = ("the record counts civilian deaths that were reported (IBC), not combatants "
                "or unreported deaths")


def _evidence_ranking(posterior: pd.DataFrame, lead: str) -> str:
    """ABC-SMC's ranking among the adequate ones, in one sentence."""
    row = posterior.set_index("hypothesis").loc[lead]
    others = posterior[(posterior["adequate"].fillna(False).astype(bool))
                       & (posterior["hypothesis"] != lead)]
    col = "probability_adequate" if "probability_adequate" in posterior.columns else "probability"
    what = "weight among the adequate ones" if col == "probability_adequate" else "posterior"
    rivals = ", ".join(f"{r.hypothesis} {getattr(r, col):.2f}" for r in others.itertuples())
    spread = ""
    if "probability_adequate_low" in posterior.columns:
        spread = (f", 90% of redraws {row['probability_adequate_low']:.2f}-"
                  f"{row['probability_adequate_high']:.2f}")
    who = "By ABC-SMC's evidence, among them" if "forest_votes" in posterior.columns else (
        "Among them")
    ranking = (f"{who} {lead} is the most probable" if lead_is_clear(posterior, lead) else
               f"{who} none leads clearly: {lead} has the largest weight but stays "
               f"first on only {row['leads']:.0%} of redraws of the same simulations")
    return (f"{ranking} ({what} {row[col]:.2f}{spread}"
            f"{'; adequate rivals: ' + rivals if rivals else ''}). ")


def verdict(posterior: pd.DataFrame, record_label: str, fit_window: tuple[str, str],
            coverage: str = IBC_COVERAGE) -> str:
    """One paragraph, written from the numbers, with its limits (`coverage`: what the
    record counts, in words).

    Where the posterior carries the forest's columns (`infer.choice`), the forest's
    choice among the adequate ones is the one named when it is clear: on records the
    model wrote, it names the truth far more often than ABC-SMC's evidence does
    (docs/compare.md, "Model choice by random forest"). The evidence's ranking is
    reported beside it. When neither is sure of its leader (`named_leader`) the verdict
    names none and says so.
    """
    abc_lead = leading(posterior)
    forest = forest_leader(posterior)
    lead = named_leader(posterior)
    n_ok = int(posterior["adequate"].fillna(False).astype(bool).sum())
    dead = posterior.loc[posterior["status"] == "died out", "hypothesis"].tolist()
    span = f"{fit_window[0]} to {fit_window[1]}"
    limits = (
        f"Limits: {coverage}; the model's mechanisms and inputs are assumptions stated in "
        "docs/iraq-2009.md; a posterior weighs only the explanations put to it."
    )
    if abc_lead is None:
        return (
            f"No hypothesis is adequate: none of the {len(posterior)} reproduces the "
            f"{record_label} record's national monthly deaths over {span} well enough to be "
            "weighed (see why_inadequate), so no posterior probability here is evidence "
            f"for any of them. {limits}"
        )
    text = (f"{n_ok} of {len(posterior)} hypotheses reproduce the {record_label} record "
            f"over {span}. ")
    text += forest_summary(posterior)
    text += _evidence_ranking(posterior, abc_lead)
    if lead is None:
        text += (
            ("Neither weighing names a clear leader (the forest's choice needs a posterior "
             f"probability of at least {FOREST_SURE:.1f}, the evidence's leader must stay "
             f"first on {LEAD_SURE:.0%} of redraws)" if forest is not None else
             "The weighing names no clear leader")
            + ": on these statistics the record does not tell the adequate hypotheses "
            "apart, and the verdict names none of them; the leanings above are not a "
            "verdict. " + _adequate_range(posterior)
        )
    else:
        if forest is not None and lead == forest and lead != abc_lead:
            # with no clear lead the evidence names no rival to the forest's choice, so
            # calling the two weighings at odds would overstate what it says
            text += (
                ("The two weighings disagree; " if lead_is_clear(posterior, abc_lead) else
                 "The evidence names no clear leader; ")
                + "the verdict follows the forest, which names the generating hypothesis "
                "of synthetic records more often (forest_recovery against separability in "
                "posterior.csv). "
            )
        elif forest is not None and lead != forest:
            text += (f"The forest's choice is not clear (its posterior probability is below "
                     f"{FOREST_SURE:.1f}); the verdict follows the evidence. ")
        row = posterior.set_index("hypothesis").loc[lead]
        text += (
            f"{lead}'s {BAND:.0%} predictive band covers {row['coverage_fit']:.0%} of the "
            f"fit months, its mean is {row['predictive_mean']:.0f} deaths a month against "
            f"the record's {row['record_mean']:.0f}. "
        )
    mass = float(posterior.loc[posterior["adequate"].fillna(False).astype(bool),
                               "probability"].sum())
    if mass < 0.5:
        text += (
            f"The adequate hypotheses hold only {mass:.2f} of the posterior: most of its "
            "mass sits on hypotheses whose simulations miss the record, so the "
            "probabilities say more about where the calibration stopped than about the "
            "explanations; read the adequate set, not the ranking. "
        )
    if dead:
        text += f"Died out in the calibration: {', '.join(dead)}. "
    return text + (
        "A posterior probability ranks the explanations as modelled against each other on "
        f"these statistics; it assigns no guilt. {limits}"
    )
