"""Run a toy calibration in its own process, slowly, so a test can kill it part way."""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from toy import TOY_HYPOTHESES, toy_simulator  # noqa: E402

from centrehold.infer.abc import calibrate  # noqa: E402

RESUME_ARGS = dict(population_size=40, max_generations=5, seed=11, pilot=40)


def slow_simulator(hypothesis, params, seed):
    time.sleep(0.002)
    return toy_simulator(hypothesis, params, seed)


def observed():
    return toy_simulator("negbin", {"rate": 4.0, "shape": 0.7}, 2024)


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    calibrate(slow_simulator, TOY_HYPOTHESES, observed(), sys.argv[1], **RESUME_ARGS)
