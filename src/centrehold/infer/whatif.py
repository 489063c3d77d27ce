"""Posterior-weighted counterfactuals ("what-ifs") from a finished `compare` folder.

Each draw is one (hypothesis, parameters) pair taken from the compare posterior and
one seed. The draw is simulated twice with that same seed: once as fitted (the
baseline) and once with a case's overrides (the counterfactual). Because the two
runs share every random number up to the point where the case changes something,
their difference is the effect of the case under that draw, not noise between two
unrelated runs (common random numbers). Spread over draws then reflects the
posterior's uncertainty about the hypotheses and their parameters, plus the
model's own randomness after the paths part.

These are the model's counterfactuals under the fitted hypotheses; they say what
the model does when one switch is turned, not what would have happened in Iraq.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from centrehold.errors import UserError
from centrehold.infer.abc import posterior_draws
from centrehold.infer.folder import CompareSettings, read_compare_folder
from centrehold.infer.simulated import (
    FIT_START,
    TEST_END,
    ScenarioSimulator,
    evidence_input_of_run,
)

if TYPE_CHECKING:
    from centrehold.engine import RegionalRun

Progress = Callable[[int, int], None]

#: The months whose totals the summary and the governorate table report: from the
#: month after the occupation left the cities' streets to the end of compare's test window.
PERIOD = ("2009-07", TEST_END)

CAVEAT = (
    "Model counterfactuals under the fitted hypotheses, weighted by their posterior: "
    "what the model does when one switch is turned, not what would have happened."
)


@dataclass(frozen=True)
class Case:
    """A named counterfactual: scenario overrides (dotted keys, `--set` syntax)."""

    name: str
    description: str
    overrides: Mapping[str, str]


CASES: dict[str, Case] = {
    c.name: c
    for c in (
        Case("streets", "the occupation stays on the streets after 2009-06-30",
             {"mechanisms.withdrawal": "false"}),
        Case("no-funding-cut", "no cut in the sponsors' money to militias",
             {"mechanisms.funding": "false"}),
        Case("awakening-kept", "the Awakening kept whole on the occupation's payroll",
             {"awakening.kept_after_transfer": "1.0"}),
        Case("no-instigation", "the hypothesis's own actor does nothing",
             {"mechanisms.instigators": "false"}),
        Case("no-insurgency", "no insurgent campaign",
             {"mechanisms.insurgency": "false"}),
    )
}


def resolve_cases(names: Sequence[str]) -> list[Case]:
    """The built-in cases by name, in the order given, each once."""
    if not names:
        raise UserError(f"no --case given; pass one or more of {', '.join(CASES)}")
    out: list[Case] = []
    for name in names:
        if name not in CASES:
            raise UserError(f"unknown case {name!r}; use one of {', '.join(CASES)}")
        if CASES[name] not in out:
            out.append(CASES[name])
    return out


@dataclass
class FittedPosterior:
    """What `whatif` needs from a compare run: particles, model probabilities, settings."""

    path: Path
    parameters: pd.DataFrame  # tidy: hypothesis, particle, parameter, value, weight
    probabilities: pd.Series  # hypothesis -> probability, renormalised over those used
    settings: CompareSettings
    warning: str = ""


def read_compare(path: str | Path) -> FittedPosterior:
    """Read a compare folder; weigh only hypotheses judged adequate when compare says so.

    A hypothesis whose predictive checks failed is not an explanation of the record,
    so its counterfactuals would describe a world that does not fit; when none is
    adequate, every fitted one is used and the result's ``warning`` says so.
    """
    cf = read_compare_folder(path)
    folder, params, post, settings = cf.path or Path(path), cf.parameters, cf.posterior, cf.settings
    fitted = post[(post["probability"] > 0) & post["hypothesis"].isin(params["hypothesis"])]
    if "status" in post.columns:
        fitted = fitted[fitted["status"] != "died out"]
    warning = ""
    used = fitted
    if "status" in post.columns:
        used = fitted[fitted["status"] == "adequate"]
        if used.empty:
            used = fitted
            warning = ("no hypothesis in the compare folder is adequate; the what-ifs use "
                       "every fitted one, whose runs do not fit the record")
    if used.empty:
        raise UserError(f"{folder} holds no fitted hypothesis with particles; rerun compare "
                        "with a larger --budget")
    probs = used.set_index("hypothesis")["probability"].astype(float)
    probs = probs / probs.sum()
    return FittedPosterior(folder, params, probs, settings, warning)


def scenario_overrides(settings: CompareSettings) -> dict[str, str]:
    """The overrides compare applied to the scenario: its scale and tick, then every
    `--set` it was given."""
    out: dict[str, str] = {}
    if settings.people_per_agent:
        out["people_per_agent"] = str(int(settings.people_per_agent))
    if settings.tick:
        out["calendar.tick"] = str(settings.tick)
    return {**out, **settings.overrides}


@dataclass(frozen=True)
class Draw:
    """One posterior draw: which hypothesis, its parameters and the seed of both runs."""

    index: int
    hypothesis: str
    params: dict[str, float]
    seed: int


@dataclass(frozen=True)
class _Particles:
    """The slice of a calibration result that `posterior_draws` reads."""

    parameters: pd.DataFrame


def draw_posterior(folder: FittedPosterior, n: int, seed: int) -> list[Draw]:
    """``n`` draws: hypotheses by posterior probability, then particles by weight.

    Each draw's seed comes from one stream of the root seed, so the draws (and the
    runs they seed) do not depend on how many workers run them.
    """
    if n < 1:
        raise UserError(f"--draws {n} must be at least 1; try --draws 40")
    root = int(seed) & 0xFFFFFFFF
    rng = np.random.default_rng(np.random.SeedSequence([root, 41]))
    names = list(folder.probabilities.index)
    which = rng.choice(len(names), size=n, p=folder.probabilities.to_numpy())
    seeds = np.random.SeedSequence([root, 43]).generate_state(n, dtype=np.uint32)
    particles = _Particles(folder.parameters)
    per: dict[str, list[dict[str, float]]] = {}
    for k, name in enumerate(names):
        count = int((which == k).sum())
        per[name] = posterior_draws(particles, name, count, root + 1000 * (k + 1))  # type: ignore[arg-type]
    taken = {name: 0 for name in names}
    out = []
    for i, k in enumerate(which):
        name = names[k]
        out.append(Draw(i, name, per[name][taken[name]], int(seeds[i])))
        taken[name] += 1
    return out


def _national_and_regional(
    run: RegionalRun, months: pd.DatetimeIndex, regions: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(national deaths per month over ``months``, deaths per region over PERIOD)."""
    monthly = evidence_input_of_run(run, months[0].strftime("%Y-%m"),
                                    months[-1].strftime("%Y-%m")).monthly
    nat = monthly.groupby("month")["deaths"].sum().reindex(months, fill_value=0.0)
    period = monthly[(monthly["month"] >= pd.Timestamp(PERIOD[0]))
                     & (monthly["month"] <= pd.Timestamp(PERIOD[1]))]
    reg = period.groupby("region")["deaths"].sum().reindex(list(regions), fill_value=0.0)
    return nat.to_numpy(float), reg.to_numpy(float)


@dataclass(frozen=True)
class PairedTask:
    """A picklable task: one draw's baseline and each case's counterfactual, same seed."""

    baseline: ScenarioSimulator
    cases: tuple[tuple[str, ScenarioSimulator], ...]
    start: str = FIT_START
    end: str = TEST_END

    def months(self) -> pd.DatetimeIndex:
        return pd.date_range(pd.Timestamp(self.start), pd.Timestamp(self.end), freq="MS")

    def regions(self) -> list[str]:
        return [r.iso for r in self.baseline.scenario.regions]

    def __call__(self, draw: Draw) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """'baseline' and each case -> (national monthly deaths, period deaths by region)."""
        months, regions = self.months(), self.regions()
        out = {}
        runs = (("baseline", self.baseline), *self.cases)
        for name, sim in runs:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                run = sim.run(draw.hypothesis, draw.params, draw.seed, end=self.end)
            out[name] = _national_and_regional(run, months, regions)
        return out


def build_task(scenario: str, base_overrides: Mapping[str, str], cases: Sequence[Case],
               start: str = FIT_START, end: str = TEST_END) -> PairedTask:
    """Validate the baseline scenario and one copy per case once, before any worker starts."""
    from centrehold.scenario import load_scenario

    base = load_scenario(scenario, dict(base_overrides))
    if getattr(base, "model", "") != "regional" or not getattr(base, "hypotheses", None):
        raise UserError(f"scenario {scenario} has no hypotheses; whatif needs a regional "
                        "scenario such as iraq-2009")
    sims = tuple(
        (c.name, ScenarioSimulator(load_scenario(scenario, {**base_overrides, **c.overrides}),
                                   start, end))
        for c in cases
    )
    return PairedTask(ScenarioSimulator(base, start, end), sims, start, end)


@dataclass
class WhatifResult:
    """Every table `whatif` writes, labelled."""

    monthly: pd.DataFrame
    governorate: pd.DataFrame
    summary: pd.DataFrame
    draws: pd.DataFrame
    settings: dict[str, Any]
    files: dict[str, Path] = field(default_factory=dict)


def _band(x: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    q = np.quantile(x, [0.05, 0.5, 0.95], axis=axis)
    return q[0], q[1], q[2]


def summarise(
    task: PairedTask, cases: Sequence[Case], draws: Sequence[Draw],
    results: Sequence[Mapping[str, tuple[np.ndarray, np.ndarray]]],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(monthly, governorate, summary, per-draw) tables: medians and 5%-95% bands over draws."""
    months, regions = task.months(), task.regions()
    names = {r.iso: r.name for r in task.baseline.scenario.regions}
    in_period = np.asarray((months >= pd.Timestamp(PERIOD[0]))
                           & (months <= pd.Timestamp(PERIOD[1])))
    base_nat = np.vstack([r["baseline"][0] for r in results])
    base_reg = np.vstack([r["baseline"][1] for r in results])
    monthly, gov, summary, per_draw = [], [], [], []
    for c in cases:
        cf_nat = np.vstack([r[c.name][0] for r in results])
        cf_reg = np.vstack([r[c.name][1] for r in results])
        diff = cf_nat - base_nat
        lo, med, hi = _band(diff)
        for j, m in enumerate(months):
            monthly.append({
                "case": c.name, "month": m.strftime("%Y-%m"),
                "baseline_median": float(np.median(base_nat[:, j])),
                "counterfactual_median": float(np.median(cf_nat[:, j])),
                "difference_median": float(med[j]), "difference_low": float(lo[j]),
                "difference_high": float(hi[j]),
            })
        rdiff = cf_reg - base_reg
        lo, med, hi = _band(rdiff)
        for j, iso in enumerate(regions):
            gov.append({
                "case": c.name, "region": iso, "name": names[iso],
                "baseline_median": float(np.median(base_reg[:, j])),
                "counterfactual_median": float(np.median(cf_reg[:, j])),
                "difference_median": float(med[j]), "difference_low": float(lo[j]),
                "difference_high": float(hi[j]),
            })
        base_tot = base_nat[:, in_period].sum(axis=1)
        cf_tot = cf_nat[:, in_period].sum(axis=1)
        d = cf_tot - base_tot
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where(base_tot > 0, d / base_tot, np.nan)
        dl, dm, dh = _band(d)
        rel_ok = rel[np.isfinite(rel)]
        rl, rm, rh = _band(rel_ok) if rel_ok.size else (np.nan, np.nan, np.nan)
        summary.append({
            "case": c.name, "description": c.description,
            "period": f"{PERIOD[0]}..{PERIOD[1]}", "draws": len(draws),
            "baseline_median": float(np.median(base_tot)),
            "counterfactual_median": float(np.median(cf_tot)),
            "difference_median": float(dm), "difference_low": float(dl),
            "difference_high": float(dh), "relative_median": float(rm),
            "relative_low": float(rl), "relative_high": float(rh),
        })
        for dr, b, cf in zip(draws, base_tot, cf_tot, strict=True):
            per_draw.append({"case": c.name, "draw": dr.index, "hypothesis": dr.hypothesis,
                             "seed": dr.seed, "baseline": float(b), "counterfactual": float(cf),
                             "difference": float(cf - b)})
    return (pd.DataFrame(monthly), pd.DataFrame(gov), pd.DataFrame(summary),
            pd.DataFrame(per_draw))


def run_whatif(
    compare_dir: str | Path,
    cases: Sequence[str],
    out_dir: str | Path,
    *,
    scenario: str | None = None,
    draws: int = 40,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
    warn: Callable[[str], None] | None = None,
) -> WhatifResult:
    """Read a compare folder, run each draw's baseline and counterfactuals, write the tables.

    Everything that can be refused (folder, cases, scenario, draws) is refused before
    any simulation starts.
    """
    if workers < 1:
        raise UserError(f"--workers {workers} must be at least 1")
    chosen = resolve_cases(cases)
    folder = read_compare(compare_dir)
    if folder.warning and warn is not None:
        warn(folder.warning)
    name = scenario or folder.settings.scenario or "iraq-2009"
    overrides = scenario_overrides(folder.settings)
    task = build_task(name, overrides, chosen)
    known = set(task.baseline.scenario.hypotheses)
    unknown = [h for h in folder.probabilities.index if h not in known]
    if unknown:
        raise UserError(f"the compare folder weighs {', '.join(unknown)}, which scenario "
                        f"{name} does not declare; pass the scenario compare used with --scenario")
    sample = draw_posterior(folder, draws, seed)
    if workers > 1:
        from centrehold.runs import get_executor

        ex = get_executor("processes", workers)
        try:
            results = ex.map(task, sample, progress=progress)
        finally:
            ex.close()
    else:
        results = []
        if progress is not None:
            progress(0, len(sample))
        for i, d in enumerate(sample):
            results.append(task(d))
            if progress is not None:
                progress(i + 1, len(sample))
    monthly, gov, summary, per_draw = summarise(task, chosen, sample, results)
    settings = {
        "compare_dir": str(folder.path), "scenario": name, "scenario_overrides": overrides,
        "cases": {c.name: {"description": c.description, "overrides": dict(c.overrides)}
                  for c in chosen},
        "draws": draws, "seed": seed, "window": [task.start, task.end],
        "period": list(PERIOD), "band": [0.05, 0.95],
        "hypotheses": {h: float(p) for h, p in folder.probabilities.items()},
        "warning": folder.warning, "note": CAVEAT,
        "draw_parameters": [{"draw": d.index, "hypothesis": d.hypothesis, "seed": d.seed,
                             "params": d.params} for d in sample],
    }
    result = WhatifResult(monthly, gov, summary, per_draw, settings)
    result.files = write_outputs(result, Path(out_dir))
    return result


def write_outputs(result: WhatifResult, out: Path) -> dict[str, Path]:
    """whatif_monthly.csv, whatif_governorate.csv, whatif_summary.csv, whatif_draws.csv,
    whatif.json and whatif.png."""
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "monthly": out / "whatif_monthly.csv",
        "governorate": out / "whatif_governorate.csv",
        "summary": out / "whatif_summary.csv",
        "draws": out / "whatif_draws.csv",
        "settings": out / "whatif.json",
        "figure": out / "whatif.png",
    }
    result.monthly.to_csv(files["monthly"], index=False)
    result.governorate.to_csv(files["governorate"], index=False)
    result.summary.to_csv(files["summary"], index=False)
    result.draws.to_csv(files["draws"], index=False)
    files["settings"].write_text(json.dumps(result.settings, indent=2, default=str) + "\n")
    plot_whatif(result.monthly, files["figure"])
    return files


def plot_whatif(monthly: pd.DataFrame, path: Path) -> None:
    """One panel per case: the median difference in national deaths per month and its
    90% band over draws, a line at zero, and the withdrawal from the streets marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cases = list(dict.fromkeys(monthly["case"]))
    fig, axes = plt.subplots(len(cases), 1, figsize=(8, 2.2 * len(cases) + 0.6),
                             sharex=True, constrained_layout=True, squeeze=False)
    for ax, case in zip(axes[:, 0], cases, strict=True):
        sub = monthly[monthly["case"] == case]
        m = pd.to_datetime(sub["month"])
        ax.fill_between(m, sub["difference_low"], sub["difference_high"], color="#4477aa",
                        alpha=0.25, step="mid", label="90% band over draws")
        ax.plot(m, sub["difference_median"], color="#4477aa", lw=1.5, label="median",
                drawstyle="steps-mid")
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(pd.Timestamp("2009-06-30"), color="grey", ls="--", lw=0.8)
        ax.set_title(f"{case}: counterfactual minus baseline", fontsize=9)
        ax.set_ylabel("deaths / month", fontsize=8)
    axes[0, 0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Model counterfactuals under the fitted hypotheses (not what would have "
                 "happened)", fontsize=9)
    fig.savefig(path, dpi=120)
    plt.close(fig)
