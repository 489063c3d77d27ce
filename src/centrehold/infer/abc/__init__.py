"""ABC-SMC model selection over rival hypotheses, with pyabc and its SQLite history.

The weighing is likelihood-free: each hypothesis is a simulator with a prior over its
parameters, the record is reduced to evidence statistics, and pyabc's ABC-SMC keeps the
(hypothesis, parameters) pairs whose simulated statistics land close to the observed
ones. The package is cut by concept, as pyabc is:

- `priors`: hypotheses and their priors, as data;
- `distance`: the standardised distance and what it can tell apart (`separability`);
- `scales`: the distance's yardstick, set from the pilot;
- `pilot`: the prior-predictive simulations the yardstick is measured on;
- `transition`: the kernel that perturbs particles between generations;
- `sampler`: a reproducible sampler, one deterministic seed per task (its docstring
  says what this buys and costs);
- `calibration`: the run itself, with resume;
- `each`: a run per hypothesis, weighed afterwards by evidence at a common tolerance;
- `marginal`: each hypothesis's ABC evidence, read back from its history;
- `results`: what a calibration leaves behind, and draws from it;
- `forest`: model choice by random forest on the pilot's simulations, the second
  weighing (imported where used: it loads scikit-learn).
"""

from centrehold.infer.abc.calibration import SEED_KEY, calibrate
from centrehold.infer.abc.distance import (
    MAX_SPREADS,
    STATS_KEY,
    StatisticsDistance,
    as_stats,
    separability,
    standardised_distance,
)
from centrehold.infer.abc.each import calibrate_each
from centrehold.infer.abc.marginal import (
    EVIDENCE_COLUMNS,
    evidence_at,
    evidence_bootstrap,
    evidence_shares,
    final_epsilons,
    fitted_epsilons,
    weighing_epsilon,
)
from centrehold.infer.abc.pilot import (
    Simulator,
    draw_from_prior,
    load_reference,
    reference_path,
    reference_table,
    replicate_table,
)
from centrehold.infer.abc.priors import HypothesisSpec, PriorSpec, natural_value
from centrehold.infer.abc.results import (
    PARAMETER_COLUMNS,
    CalibrationResult,
    posterior_draws,
    read_result,
)
from centrehold.infer.abc.sampler import Progress, SeededMappingSampler, executor_map, serial_map
from centrehold.infer.abc.scales import (
    LOCAL_MIN,
    LOCAL_SHARE,
    MIN_WEIGHT,
    NOISE_FLOOR,
    PARAM_PREFIX,
    diagnosticity_weights,
    group_factors,
    local_spread,
    nearest_rows,
    noise_spread,
    scales_of,
)
from centrehold.infer.abc.transition import KERNEL_FLOOR, RidgedTransition, explored_width

__all__ = [
    "KERNEL_FLOOR", "LOCAL_MIN", "LOCAL_SHARE", "MAX_SPREADS", "MIN_WEIGHT", "NOISE_FLOOR",
    "PARAMETER_COLUMNS",
    "PARAM_PREFIX", "SEED_KEY", "STATS_KEY", "CalibrationResult", "HypothesisSpec", "PriorSpec",
    "Progress", "RidgedTransition", "SeededMappingSampler", "Simulator", "StatisticsDistance",
    "EVIDENCE_COLUMNS", "as_stats", "calibrate", "calibrate_each", "diagnosticity_weights",
    "evidence_at", "evidence_bootstrap", "evidence_shares", "final_epsilons",
    "fitted_epsilons", "weighing_epsilon",
    "draw_from_prior", "executor_map",
    "explored_width", "group_factors", "load_reference", "local_spread", "natural_value",
    "nearest_rows", "noise_spread",
    "posterior_draws", "read_result", "reference_path", "reference_table", "replicate_table",
    "scales_of",
    "separability", "serial_map", "standardised_distance",
]
