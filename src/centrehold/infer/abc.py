"""ABC-SMC model selection over rival hypotheses, with pyabc and its SQLite history.

The weighing is likelihood-free: each hypothesis is a simulator with a prior over
its parameters, the record is reduced to evidence statistics, and pyabc's ABC-SMC
keeps the (hypothesis, parameters) pairs whose simulated statistics land close to
the observed ones. The distance is Euclidean on statistics divided by their spread
under the prior predictive (a pilot run), so that no statistic wins by its units.

Reproducibility. pyabc's own samplers draw fresh entropy in each worker, so their
results change from run to run. Here sampling goes through `SeededMappingSampler`:
generation ``t`` is cut into ``n`` tasks (one per particle to accept), task ``i``
seeds NumPy from ``SeedSequence([seed, t, i, round])`` and simulates until it accepts
one particle (or reaches its share of the budget, and is retried in the next round),
and results are gathered in task order. Every simulation is therefore a
pure function of (root seed, generation, task, attempt), whatever the number of
workers and whichever worker ran it; the seed each accepted simulation used is
stored with it in the history (summary statistic ``seed``). The price is static
scheduling: a generation waits for its slowest task. A run through pyabc's own
multicore sampler (``sampler="multicore"``) uses dynamic scheduling and is not
bit-reproducible; only each simulation given its seed is.

Resume. The history is an SQLite file; a run stopped at any point continues from
the last complete generation (pyabc stores a generation in one transaction and
resumes only at generation boundaries, by design). Because the tasks of a
generation are seeded by (seed, t, i, round), a resumed run redoes the interrupted
generation exactly and ends where an uninterrupted run ends.

Budget. Each round of a generation's tasks may spend only its share of the budget
left; particles still missing are retried in further rounds while the budget
lasts. A generation that cannot finish within it is not stored, and the run ends
at the last complete generation.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import random
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cloudpickle
import numpy as np
import pandas as pd
import pyabc
from pyabc.sampler.base import Sampler

from centrehold.errors import UserError

Progress = Callable[[int, int], None]
# simulate(hypothesis name, parameters, seed) -> statistics (a labelled Series)
Simulator = Callable[[str, Mapping[str, float], int], pd.Series]

_SUPPORTED_PRIORS = {"uniform", "norm", "lognorm", "expon", "gamma", "beta", "loguniform"}
_SEED_KEY = "seed"
_STATS_KEY = "stats"
# A statistic that is undefined in a simulation but defined in the record (or the
# reverse) counts as this many spreads away: far, but not infinitely so. A statistic
# further away than this counts as this far too: one the model cannot reach at all (a
# governorate where the record has deaths and the model's world has no one to kill
# them) would otherwise set every particle's distance alike and stall the thresholds.
_NAN_PENALTY = 5.0
MAX_SPREADS = _NAN_PENALTY


def _bounded(z: np.ndarray, both_nan: np.ndarray) -> np.ndarray:
    """Standardised gaps with undefined ones at the penalty and each capped at MAX_SPREADS."""
    z = np.where(np.isnan(z), _NAN_PENALTY, np.clip(z, -MAX_SPREADS, MAX_SPREADS))
    return np.where(both_nan, 0.0, z)


@dataclass(frozen=True)
class PriorSpec:
    """A scipy.stats distribution by name with its positional arguments.

    Kept as data (not a frozen scipy object) so a scenario file can state it and a
    history can record it.
    """

    dist: str
    args: tuple[float, ...]

    def rv(self) -> pyabc.RV:
        """The prior on the scale ABC explores: log10 for a loguniform prior.

        A loguniform prior is uniform in log10, and there its particles are perturbed
        too. On the natural scale a parameter of order 1e-5 (a kill rate) beside one
        of order 1 (an attack rate) gives pyabc's kernel a covariance so ill-conditioned
        that the small one's direction is treated as singular, every perturbed particle
        gets density 0, and the weights become NaN. `to_natural` maps a value back.
        """
        if self.dist not in _SUPPORTED_PRIORS:
            raise UserError(
                f"unknown prior distribution {self.dist!r}; use one of "
                f"{', '.join(sorted(_SUPPORTED_PRIORS))}"
            )
        if self.dist == "loguniform":
            lo, hi = (math.log10(a) for a in self.args)
            return pyabc.RV("uniform", lo, hi - lo)
        return pyabc.RV(self.dist, *self.args)

    def to_natural(self, value: float) -> float:
        """From the scale ABC explores to the parameter's own."""
        return float(10.0**value) if self.dist == "loguniform" else float(value)

    def to_explored(self, value: float) -> float:
        """From the parameter's own scale to the one ABC explores."""
        return math.log10(value) if self.dist == "loguniform" else float(value)


#: Least spread of the perturbation kernel in each parameter, as a share of its prior's
#: width on the explored scale.
KERNEL_FLOOR = 0.01


def explored_width(spec: PriorSpec) -> float:
    """Width of a prior on the scale ABC explores (its scale for unbounded ones)."""
    if spec.dist == "loguniform":
        lo, hi = spec.args
        return math.log10(hi) - math.log10(lo)
    return float(spec.args[-1]) if spec.args else 1.0


class RidgedTransition(pyabc.MultivariateNormalTransition):
    """pyabc's multivariate normal kernel with a floor under its spread in each parameter.

    When a hypothesis is left with one particle, or with particles that coincide, the
    fitted covariance is singular: every proposal lands on the old particle, its kernel
    density is infinite or zero, and the importance weights turn NaN, which ends the
    calibration. A ridge of (KERNEL_FLOOR x prior width)^2 on the diagonal keeps the
    kernel proper and changes nothing noticeable where the particles are spread.
    """

    def __init__(self, floor_sd: Mapping[str, float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.floor_sd = dict(floor_sd)

    def fit(self, X: pd.DataFrame, w: np.ndarray) -> None:
        super().fit(X, w)
        if self.cov is None or not len(X.columns):
            return
        from scipy import stats

        ridge = np.array([self.floor_sd.get(str(c), KERNEL_FLOOR) for c in X.columns]) ** 2
        self.cov = np.atleast_2d(self.cov) + np.diag(ridge)
        self.normal = stats.multivariate_normal(cov=self.cov, allow_singular=True)


@dataclass(frozen=True)
class HypothesisSpec:
    """One rival explanation: a name and the prior over its free parameters."""

    name: str
    priors: Mapping[str, PriorSpec] = field(default_factory=dict)


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

    @property
    def final_epsilon(self) -> float:
        """The last generation's acceptance threshold (distance units)."""
        return float(self.epsilons.iloc[-1]) if len(self.epsilons) else float("nan")

    @property
    def final_acceptance(self) -> float:
        """Share of the last generation's simulations that were accepted."""
        return float(self.acceptance.iloc[-1]) if len(self.acceptance) else float("nan")

    def posterior_table(self) -> pd.DataFrame:
        """One row per hypothesis: probability, alive or not, particles in the last generation."""
        counts = self.parameters.groupby("hypothesis")["particle"].nunique()
        rows = []
        for name, p in self.probabilities.items():
            rows.append(
                {
                    "hypothesis": name,
                    "probability": float(p),
                    "alive": name not in self.dead,
                    "particles": int(counts.get(name, 0)),
                }
            )
        return pd.DataFrame(rows)


def _task_seed(seed: int, t: int, i: int, rnd: int = 0) -> int:
    ss = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, int(t) + 2, int(i), int(rnd)])
    return int(ss.generate_state(1, dtype=np.uint32)[0])


def _run_task(payload: bytes, task: tuple[int, int]) -> tuple[Any, int, bool]:
    """Simulate until one particle is accepted (or the task's cap), NumPy seeded for this task."""
    simulate_one, create_sample = cloudpickle.loads(payload)
    seed, cap = task
    np.random.seed(seed)
    random.seed(seed)
    sample = create_sample()
    n = 0
    while n < cap:
        particle = simulate_one()
        n += 1
        sample.append(particle)
        if particle.accepted:
            return sample, n, True
    return sample, n, False


def _serial_map(fn: Callable, items: Sequence, progress: Progress | None = None) -> list:
    out = []
    for k, item in enumerate(items):
        out.append(fn(item))
        if progress is not None:
            progress(k + 1, len(items))
    return out


class SeededMappingSampler(Sampler):
    """A pyabc sampler over any ordered ``map``, with one deterministic seed per task.

    ``map_(fn, items, progress)`` must return results in input order (the contract of
    `centrehold.runs.get_executor(...).map`). See the module docstring for what this
    buys (bit-reproducible calibrations, exact resume) and what it costs.
    """

    def __init__(
        self,
        seed: int,
        map_: Callable[..., list] | None = None,
        on_generation: Callable[[int, int], None] | None = None,
        budget: float = np.inf,
        spent: int = 0,
    ) -> None:
        super().__init__()
        self.seed = int(seed)
        self.map_ = map_ or _serial_map
        self.on_generation = on_generation
        self.budget = budget
        self.spent = int(spent)

    def sample_until_n_accepted(
        self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None
    ):
        # Work comes in rounds: every particle still missing gets a task that may run
        # up to `cap` simulations; tasks that did not accept go to the next round with
        # fresh seeds (seeded by generation, particle and round, so the rounds are
        # reproducible too). A generation that would overrun what is left of the budget
        # is not stored (sample not ok) and the run ends at the last complete
        # generation: without this, one generation at a tiny threshold could run for
        # hours.
        left = min(self.budget - self.spent, max_eval)
        cap = int(max(2, left // n)) if np.isfinite(left) else 2**62
        factory = self.sample_factory
        payload = cloudpickle.dumps((simulate_one, factory))
        fn = functools.partial(_run_task, payload)
        parts: dict[int, list] = {i: [] for i in range(n)}
        pending = list(range(n))
        total = 0
        rnd = 0
        while pending:
            tasks = [(_task_seed(self.seed, t, i, rnd), cap) for i in pending]
            results = self.map_(fn, tasks)
            missing = []
            for i, (part, evals, accepted) in zip(pending, results, strict=True):
                parts[i].append(part)
                total += evals
                if not accepted:
                    missing.append(i)
            pending = missing
            rnd += 1
            if pending and total + len(pending) > left:
                break
        sample = self._create_empty_sample()
        for i in range(n):
            for part in parts[i]:
                sample += part
        if pending:
            sample.ok = False
        self.spent += total
        self.nr_evaluations_ = total
        if self.on_generation is not None:
            self.on_generation(t, total)
        return sample


def _executor_map(executor: Any) -> Callable[..., list]:
    def map_(fn, items, progress=None):
        return list(executor.map(fn, list(items), progress=progress))

    return map_


def _as_stats(series: pd.Series, names: Sequence[str]) -> np.ndarray:
    return np.asarray(series.reindex(list(names)).to_numpy(dtype=float), dtype=float)


def standardised_distance(x: np.ndarray, x0: np.ndarray, scales: np.ndarray) -> float:
    """Euclidean distance between statistic vectors, each divided by its prior spread.

    A statistic defined on one side and undefined (NaN) on the other counts as
    `_NAN_PENALTY` spreads; one undefined on both sides counts as a match; no statistic
    counts for more than `MAX_SPREADS` spreads (a bounded loss, robust to the one
    statistic the model cannot reach).
    """
    z = (np.asarray(x, float) - np.asarray(x0, float)) / scales
    z = _bounded(z, np.isnan(x) & np.isnan(x0))
    return float(np.sqrt(np.sum(z * z)))


@dataclass(frozen=True)
class _ModelFn:
    """A picklable pyabc model: draws a seed from the task's stream, runs the simulator."""

    simulator: Simulator
    hypothesis: str
    names: tuple[str, ...]
    priors: Mapping[str, PriorSpec] = field(default_factory=dict)

    def __call__(self, pars: Mapping[str, float]) -> dict:
        seed = int(np.random.randint(0, 2**31 - 1))
        params = {k: _natural(self.priors, k, v) for k, v in dict(pars).items()}
        stats = self.simulator(self.hypothesis, params, seed)
        return {_STATS_KEY: _as_stats(stats, self.names), _SEED_KEY: seed}


def _natural(priors: Mapping[str, PriorSpec], name: str, value: float) -> float:
    spec = priors.get(name)
    return spec.to_natural(value) if spec is not None else float(value)


@dataclass(frozen=True)
class _Distance:
    scales: np.ndarray

    def __call__(self, x: dict, x0: dict) -> float:
        return standardised_distance(x[_STATS_KEY], x0[_STATS_KEY], self.scales)


def _pilot_task(simulator: Simulator, draw: tuple[str, dict, int]) -> pd.Series:
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
    fn = functools.partial(_pilot_task, simulator)
    results = (map_ or _serial_map)(fn, draws, progress)
    table = pd.DataFrame(np.vstack([_as_stats(s, names) for s in results]), columns=list(names))
    table.insert(0, "hypothesis", [d[0] for d in draws])
    specs = {h.name: h.priors for h in hypotheses}
    pnames = sorted({p for h in hypotheses for p in h.priors})
    for pname in pnames:
        table[f"{PARAM_PREFIX}{pname}"] = [
            specs[h][pname].to_explored(params[pname]) if pname in params else np.nan
            for h, params, _ in draws
        ]
    return table


def scales_of(table: pd.DataFrame, names: Sequence[str]) -> pd.Series:
    """Spread of each statistic under the prior predictive: MAD x 1.4826, else SD, else 1.

    The MAD keeps a few explosive simulations from setting the yardstick; a
    statistic constant under the prior gets scale 1 (it can separate nothing).
    """
    table = table[list(names)].to_numpy(dtype=float)
    scales = []
    for j in range(table.shape[1]):
        col = table[:, j]
        col = col[np.isfinite(col)]
        s = 0.0
        if col.size >= 2:
            s = 1.4826 * float(np.median(np.abs(col - np.median(col))))
            if s <= 0:
                s = float(np.std(col))
        scales.append(s if s > 0 and np.isfinite(s) else 1.0)
    return pd.Series(scales, index=list(names), name="scale")


#: Share of the pilot's simulations, the nearest to the record, whose spread sets the
#: distance's yardstick (at least LOCAL_MIN of them).
LOCAL_SHARE = 0.25
LOCAL_MIN = 20


def local_spread(
    reference: pd.DataFrame, names: Sequence[str], observed: np.ndarray, spread: pd.Series,
    weights: pd.Series,
) -> pd.Series:
    """Each statistic's spread among the pilot simulations nearest to the record.

    Over wide priors the prior predictive spread of the statistics that matter most is
    huge (the national level runs from tens to thousands of deaths a month): against
    it, a world at twice the record's level is less than one spread away and the
    calibration stops caring about the level once the crudest misfits are gone. The
    spread that matters is the one near the record, so the yardstick is measured on the
    quarter of the pilot closest to it (by the prior-spread distance): a two-stage
    scaling in the spirit of Fearnhead & Prangle's pilot region (JRSS B 74, 2012). A
    statistic constant there keeps its prior spread.
    """
    x = reference[list(names)].to_numpy(dtype=float)
    sc = (spread / np.sqrt(weights)).to_numpy(dtype=float)
    d = np.array([standardised_distance(row, observed, sc) for row in x])
    n = max(LOCAL_MIN, int(round(LOCAL_SHARE * len(x))))
    if len(x) <= n:
        return spread
    near = x[np.argsort(d, kind="stable")[:n]]
    out = spread.to_numpy(dtype=float).copy()
    for j in range(near.shape[1]):
        col = near[:, j][np.isfinite(near[:, j])]
        if col.size >= 2:
            s = 1.4826 * float(np.median(np.abs(col - np.median(col))))
            s = s if s > 0 else float(np.std(col))
            if s > 0:
                out[j] = s
    return pd.Series(out, index=list(names), name="scale")


def group_factors(names: Sequence[str], groups: Mapping[str, str] | None) -> np.ndarray:
    """Factor on each statistic's spread so that every group counts alike: sqrt(size of
    its group), so a group's squared distance is the mean, not the sum, of its members'.

    `compare` puts the national trajectory (level, quarters, decline) in one group and
    every other statistic in another: twelve numbers about whether the world fits
    otherwise drown among sixty about where and against whom, and a calibration then
    picks hypotheses whose worlds miss the record's level (fit before weighing).
    Statistics not named in `groups` form one group of their own.
    """
    if not groups:
        return np.ones(len(names))
    labels = [groups.get(n, "") for n in names]
    sizes = {g: labels.count(g) for g in set(labels)}
    return np.sqrt(np.array([sizes[g] for g in labels], dtype=float))


#: Least weight a statistic keeps in the distance (its spread is divided by at most
#: the square root of this): one that separates nothing on the pilot still counts a
#: little, since the pilot is small and the record may lie where the pilot did not look.
MIN_WEIGHT = 0.01


#: Prefix of the reference table's parameter columns.
PARAM_PREFIX = "param."


def diagnosticity_weights(reference: pd.DataFrame, scales: pd.Series) -> pd.Series:
    """Each statistic's share of prior-predictive variance explained by what made it.

    Model choice rests on statistics whose values differ between hypotheses, and
    parameter estimation on statistics that move with the parameters; one whose spread
    is all noise (the endogenous killing's share in a quiet governorate, say) only adds
    distance that informs nothing and drowns the few that do. The weight is the
    adjusted R squared of a least-squares fit of the (standardised) statistic on the
    pilot to indicators of the generating hypothesis and the drawn parameters (on
    ABC's scale, centred, 0 where a hypothesis lacks one); without parameter columns
    it is the between-hypothesis share of variance (eta squared, adjusted). A cheap,
    transparent cousin of the projections of Estoup et al. (Mol. Ecol. Resour. 12,
    2012) and the regression summaries of Fearnhead & Prangle (JRSS B 74, 2012) that
    keeps every named statistic in the distance. Undefined values are left out of the
    fit (that a value is undefined is counted by the distance's penalty).
    """
    labels = reference["hypothesis"].astype(str).to_numpy()
    hyps = sorted(set(labels))
    design = [(labels == h).astype(float) for h in hyps]
    for column in (c for c in reference.columns if c.startswith(PARAM_PREFIX)):
        values = reference[column].to_numpy(dtype=float)
        have = np.isfinite(values)
        if have.sum() >= 3 and np.ptp(values[have]) > 0:
            design.append(np.where(have, values - values[have].mean(), 0.0))
    x_all = np.column_stack(design)
    out = {}
    for name in scales.index:
        z = reference[name].to_numpy(dtype=float) / float(scales[name])
        ok = np.isfinite(z)
        w = _adjusted_r2(z[ok], x_all[ok]) if len(set(labels[ok])) >= 2 else 0.0
        out[name] = max(w, MIN_WEIGHT)
    return pd.Series(out, name="weight")


def _adjusted_r2(y: np.ndarray, x: np.ndarray) -> float:
    """Adjusted R squared of a least-squares fit of y on the columns of x that vary
    (the hypothesis indicators among them sum to an intercept); 0 if undetermined."""
    x = x[:, np.ptp(x, axis=0) > 0]
    n, p = x.shape
    total = float(((y - y.mean()) ** 2).sum())
    if n <= p + 1 or total <= 0:
        return 0.0
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    r2 = 1.0 - float(((y - x @ coef) ** 2).sum()) / total
    # adjusted: with p regressors even noise explains about p / n of it
    return 1.0 - (1.0 - r2) * (n - 1) / (n - p)


def _sidecar(db_path: Path) -> Path:
    return db_path.with_suffix(".meta.json")


def _reference_path(db_path: Path) -> Path:
    return db_path.with_suffix(".reference.parquet")


def separability(
    reference: pd.DataFrame, scales: pd.Series, k: int = 5
) -> tuple[pd.DataFrame, pd.Series]:
    """How well the statistics tell the hypotheses apart on synthetic records.

    Each prior-predictive simulation in ``reference`` is treated as a record whose
    generating hypothesis is known, and classified by its ``k`` nearest neighbours
    among the others (leave-one-out, the distance ABC itself uses). Returns the
    confusion matrix (rows: truth, columns: assigned share) and each hypothesis's
    recovery rate. A rate near 1/(number of hypotheses) means the statistics cannot
    separate that hypothesis, whatever a posterior says (Robert et al., PNAS 2011).
    """
    names = list(scales.index)
    x = reference[names].to_numpy(dtype=float)
    labels = reference["hypothesis"].astype(str).to_numpy()
    sc = scales.to_numpy(dtype=float)
    n = len(x)
    d = np.zeros((n, n))
    for i in range(n):
        z = _bounded((x - x[i]) / sc, np.isnan(x) & np.isnan(x[i]))
        d[i] = np.sqrt(np.sum(z * z, axis=1))
    np.fill_diagonal(d, np.inf)
    hyps = sorted(set(labels))
    assigned = []
    for i in range(n):
        nn = np.argsort(d[i], kind="stable")[: min(k, n - 1)]
        votes = pd.Series(labels[nn]).value_counts()
        top = votes[votes == votes.max()].index
        # ties go to the nearest neighbour among the tied labels
        assigned.append(next(lab for lab in labels[nn] if lab in set(top)))
    conf = pd.crosstab(pd.Series(labels, name="truth"), pd.Series(assigned, name="assigned"),
                       normalize="index").reindex(index=hyps, columns=hyps, fill_value=0.0)
    rate = pd.Series(np.diag(conf.to_numpy()), index=hyps, name="recovery_rate")
    return conf, rate


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
) -> CalibrationResult:
    """Run (or resume) ABC-SMC model selection and return labelled posteriors.

    ``groups`` (statistic -> group name) makes each group weigh as much as any other in
    the distance, however many statistics it holds (`group_factors`).
    ``budget`` caps the total number of simulations in the SMC generations (pyabc
    stops after the generation that crosses it); the pilot that sets the distance
    scales comes on top. ``executor`` is anything with an ordered
    ``.map(fn, items, progress=None)``; without one, simulations run in this process.
    """
    if not hypotheses:
        raise UserError("no hypotheses to weigh; give at least one hypothesis")
    if population_size < 2:
        raise UserError(f"population size {population_size} is too small; use at least 2")
    names = [str(n) for n in observed.index]
    obs = _as_stats(observed, names)
    if np.all(np.isnan(obs)):
        raise UserError("every observed statistic is undefined; check the record's window")
    db_path = Path(db_path).resolve()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    meta_path = _sidecar(db_path)
    map_ = _executor_map(executor) if executor is not None else _serial_map
    hyp_names = [h.name for h in hypotheses]

    total_budget = budget if budget is not None else population_size * max_generations * 3
    done = {"n": 0}

    def report(delta: int) -> None:
        done["n"] += delta
        if progress is not None:
            progress(min(done["n"], total_budget + pilot), total_budget + pilot)

    exists = db_path.exists() and meta_path.exists()
    if resume and not db_path.exists():
        raise UserError(f"no calibration history at {db_path} to resume; drop --resume")
    if resume and exists:
        meta = json.loads(meta_path.read_text())
        if meta["hypotheses"] != hyp_names or meta["statistics"] != names:
            raise UserError(
                f"the history {db_path} was made for other hypotheses or statistics; "
                "use a fresh --out or drop --resume"
            )
        seed = int(meta["seed"])
        scales = pd.Series(meta["scales"], index=names, name="scale")
        report(pilot)
    else:
        if db_path.exists():
            if resume:
                raise UserError(
                    f"{db_path} exists but has no calibration metadata; "
                    "use a fresh --out or drop --resume"
                )
            db_path.unlink()
        reference = reference_table(simulator, hypotheses, names, pilot, seed, map_)
        reference.to_parquet(_reference_path(db_path), index=False)
        # the distance's yardstick: prior-predictive spread, shrunk for the statistics
        # that separate the hypotheses or move with their parameters (a weight w
        # divides the spread by sqrt(w))
        spread = scales_of(reference, names)
        weights = diagnosticity_weights(reference, spread)
        spread = local_spread(reference, names, obs, spread, weights)
        scales = (spread / np.sqrt(weights) * group_factors(names, groups)).rename("scale")
        report(pilot)
        meta = {
            "hypotheses": hyp_names,
            "statistics": names,
            "seed": int(seed),
            "scales": [float(s) for s in scales],
            "population_size": population_size,
        }

    models = [_ModelFn(simulator, h.name, tuple(names), dict(h.priors)) for h in hypotheses]
    priors = [
        pyabc.Distribution(**{p: spec.rv() for p, spec in h.priors.items()}) for h in hypotheses
    ]

    sampler = SeededMappingSampler(seed, map_, on_generation=lambda t, n: report(n),
                                   budget=total_budget)
    logging.getLogger("ABC").setLevel(logging.WARNING)
    logging.getLogger("pyabc").setLevel(logging.WARNING)
    transitions = [
        RidgedTransition({p: KERNEL_FLOOR * explored_width(spec) for p, spec in h.priors.items()})
        for h in hypotheses
    ]
    abc = pyabc.ABCSMC(
        models,
        priors,
        _Distance(np.asarray(scales.to_numpy(), float)),
        population_size=population_size,
        transitions=transitions,
        sampler=sampler,
        # a fresh run's first generation is the prior (threshold infinite); a resumed
        # run recomputes the next threshold from the last stored generation, exactly
        # as the uninterrupted run computed it after that generation
        eps=pyabc.QuantileEpsilon(
            initial_epsilon="from_sample" if resume and exists else np.inf, alpha=0.5
        ),
    )
    x0 = {_STATS_KEY: obs, _SEED_KEY: -1}
    db_url = f"sqlite:///{db_path}"
    if resume and exists:
        abc.load(db_url, 1, observed_sum_stat=x0)
        history = abc.history
        already = history.total_nr_simulations if history.n_populations > 0 else 0
        sampler.spent = int(already)
        report(already)
        remaining_gens = max_generations - (history.max_t + 1)
        remaining_budget = total_budget - already
    else:
        abc.new(db_url, x0)
        meta_path.write_text(json.dumps(meta))
        remaining_gens = max_generations
        remaining_budget = total_budget
        history = abc.history
    if remaining_gens > 0 and remaining_budget > 0:
        with warnings.catch_warnings():
            # pyabc subtracts an infinite first threshold from the next one
            warnings.filterwarnings("ignore", "invalid value", RuntimeWarning)
            history = abc.run(
                minimum_epsilon=min_epsilon,
                max_nr_populations=remaining_gens,
                max_total_nr_simulations=total_budget,
            )
    if progress is not None:
        progress(total_budget + pilot, total_budget + pilot)
    return read_result(db_path, hyp_names, observed, scales,
                       {h.name: dict(h.priors) for h in hypotheses})


def load_reference(db_path: str | Path) -> pd.DataFrame:
    """The pilot's prior-predictive table stored beside a history."""
    return pd.read_parquet(_reference_path(Path(db_path).resolve()))


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
    priors = priors or {}
    history = pyabc.History(f"sqlite:///{db_path}")
    if history.n_populations == 0:
        raise UserError(f"the history {db_path} holds no complete generation; run without --resume")
    traj = history.get_model_probabilities()
    traj = traj.rename(columns={i: hyp_names[i] for i in range(len(hyp_names))})
    traj = traj.reindex(columns=list(hyp_names)).fillna(0.0)
    traj.index.name = "generation"
    t_last = history.max_t
    probs = traj.loc[t_last].astype(float)
    probs.name = "probability"
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
                        "value": _natural(priors.get(name, {}), str(pname),
                                          float(df[pname].iloc[k])),
                        "weight": float(w[k]),
                    }
                )
    params = pd.DataFrame(rows, columns=["hypothesis", "particle", "parameter", "value", "weight"])
    pops = history.get_all_populations()
    pops = pops[pops["t"] >= 0]
    eps = pd.Series(pops["epsilon"].to_numpy(), index=pops["t"].to_numpy(), name="epsilon")
    acceptance = pd.Series(
        pops["particles"].to_numpy(float) / np.maximum(pops["samples"].to_numpy(float), 1.0),
        index=pops["t"].to_numpy(), name="acceptance",
    )
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
