"""Mesa's own `epstein_civil_violence` example, run headless, as centrehold's peer.

centrehold's `mesa` preset claims to follow the rule variants of Mesa 3.3's example
(von Neumann vision, Python's `round` on C/A, jailed citizens keeping their cell,
one shuffled activation order for cops and citizens together). The only way to
check that claim, and the speed ratio DESIGN section 6 asks for, is to run the
example itself: this module imports it from the installed Mesa (it is never
copied) and records what it does tick by tick.

Used by `benchmarks/bench_engine.py` (speed) and `tests/peer/` (the peer as an
oracle). Run it directly for a quick look:

    .venv/bin/python benchmarks/mesa_peer.py --width 40 --height 40 --ticks 200 --seed 1
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# The example's constructor defaults (Mesa 3.3.x). Written down here so that the
# benchmark and the peer test can state the parameters they compare at, and so
# that `mesa_defaults()` can check them against the installed example.
MESA_EXAMPLE_DEFAULTS: dict[str, Any] = {
    "width": 40,
    "height": 40,
    "citizen_density": 0.7,
    "cop_density": 0.074,
    "citizen_vision": 7,
    "cop_vision": 7,
    "legitimacy": 0.8,
    "max_jail_term": 1000,
    "active_threshold": 0.1,
    "arrest_prob_constant": 2.3,
    "movement": True,
}

Progress = Callable[[int, int], None]


class MesaUnavailable(RuntimeError):
    """Mesa or its example cannot be imported here (not installed, or a different layout)."""


def load_example() -> tuple[type, Any, type, type]:
    """Import Mesa's example classes: (model class, CitizenState, Citizen, Cop).

    Raises MesaUnavailable with the reason when the example is not importable, so
    that callers (the peer test, the benchmark) can skip it with a clear message.
    """
    try:
        from mesa.examples.advanced.epstein_civil_violence.agents import (
            Citizen,
            CitizenState,
            Cop,
        )
        from mesa.examples.advanced.epstein_civil_violence.model import (
            EpsteinCivilViolence,
        )
    except Exception as exc:  # ImportError, or a missing optional dependency of mesa
        raise MesaUnavailable(
            f"Mesa's epstein_civil_violence example is not importable ({exc!r}); "
            "install the test extras: pip install -e '.[test]'"
        ) from exc
    return EpsteinCivilViolence, CitizenState, Citizen, Cop


def mesa_version() -> str:
    """The installed Mesa version, or 'absent'."""
    try:
        import mesa
    except Exception:
        return "absent"
    return str(getattr(mesa, "__version__", "unknown"))


def mesa_defaults() -> dict[str, Any]:
    """The example's constructor defaults as read from the installed code.

    Compared with MESA_EXAMPLE_DEFAULTS by the peer test: if a future Mesa changes
    a default, the comparison's parameters must be revisited, not silently drift.
    """
    import inspect

    model_cls, _, _, _ = load_example()
    sig = inspect.signature(model_cls.__init__)
    return {
        name: p.default
        for name, p in sig.parameters.items()
        if name in MESA_EXAMPLE_DEFAULTS and p.default is not inspect.Parameter.empty
    }


@dataclass
class MesaRun:
    """Per-tick citizen counts of one Mesa run, plus what it cost.

    Index 0 of each count array is the state after construction (everyone quiet);
    index t is the state after t calls of `model.step()`.
    """

    width: int
    height: int
    seed: int
    ticks: int
    params: dict[str, Any]
    n_citizens: int
    n_cops: int
    quiet: np.ndarray
    active: np.ndarray
    jailed: np.ndarray
    setup_seconds: float
    wall_seconds: float  # stepping only, construction excluded
    step_seconds: np.ndarray  # float64[ticks]: wall seconds of each model.step()
    step_cpu_seconds: np.ndarray  # float64[ticks]: CPU seconds of each model.step()
    mesa_version: str = field(default_factory=mesa_version)

    @property
    def n_agents(self) -> int:
        return self.n_citizens + self.n_cops

    @property
    def agent_steps_per_second(self) -> float:
        """Agents (citizens and cops) times ticks over stepping wall seconds."""
        return self.n_agents * self.ticks / self.wall_seconds if self.wall_seconds > 0 else 0.0

    def to_frame(self):
        """The counts as a labelled pandas table indexed by tick."""
        import pandas as pd

        return pd.DataFrame(
            {"quiet": self.quiet, "active": self.active, "jailed": self.jailed},
            index=pd.RangeIndex(self.ticks + 1, name="tick"),
        )

    def summary(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "seed": self.seed,
            "ticks": self.ticks,
            "citizens": self.n_citizens,
            "cops": self.n_cops,
            "setup_seconds": round(self.setup_seconds, 4),
            "wall_seconds": round(self.wall_seconds, 4),
            "agent_steps_per_second": round(self.agent_steps_per_second, 1),
            "mean_active_share": float(self.active[1:].mean() / max(self.n_citizens, 1)),
            "peak_active": int(self.active.max()),
            "mesa_version": self.mesa_version,
        }


def run_mesa(
    width: int = 40,
    height: int = 40,
    ticks: int = 100,
    seed: int = 0,
    progress: Progress | None = None,
    **params: Any,
) -> MesaRun:
    """Run Mesa's example unchanged for `ticks` steps and count citizens by state.

    `params` are the example's own keyword names (legitimacy, cop_density, ...);
    anything not given keeps the example's default. The model's data collector is
    left as the example builds it, because it is part of what a Mesa user runs and
    so part of the speed we compare against.
    """
    model_cls, citizen_state, citizen_cls, cop_cls = load_example()
    unknown = set(params) - set(MESA_EXAMPLE_DEFAULTS)
    if unknown:
        raise ValueError(
            f"unknown Mesa example parameter(s) {sorted(unknown)}; "
            f"use one of {sorted(MESA_EXAMPLE_DEFAULTS)}"
        )
    # max_iters only flips model.running; we step a fixed number of times regardless.
    t0 = time.perf_counter()
    model = model_cls(
        width=width, height=height, seed=seed, max_iters=max(ticks, 1) + 1, **params
    )
    setup = time.perf_counter() - t0

    n_citizens = len(model.agents_by_type[citizen_cls])
    n_cops = len(model.agents_by_type[cop_cls]) if cop_cls in model.agents_by_type else 0
    quiet = np.zeros(ticks + 1, dtype=np.int64)
    active = np.zeros(ticks + 1, dtype=np.int64)
    jailed = np.zeros(ticks + 1, dtype=np.int64)

    def record(t: int) -> None:
        # the example keeps its counts as attributes named after the enum members
        quiet[t] = getattr(model, citizen_state.QUIET.name)
        active[t] = getattr(model, citizen_state.ACTIVE.name)
        jailed[t] = getattr(model, citizen_state.ARRESTED.name)

    record(0)
    every = max(1, ticks // 200)
    step_seconds = np.zeros(ticks, dtype=np.float64)
    step_cpu = np.zeros(ticks, dtype=np.float64)
    t0 = time.perf_counter()
    for t in range(1, ticks + 1):
        ts, cs = time.perf_counter(), time.process_time()
        model.step()
        step_seconds[t - 1] = time.perf_counter() - ts
        step_cpu[t - 1] = time.process_time() - cs
        record(t)
        if progress is not None and (t % every == 0 or t == ticks):
            progress(t, ticks)
    wall = time.perf_counter() - t0

    merged = dict(MESA_EXAMPLE_DEFAULTS)
    merged.update(params)
    merged.update(width=width, height=height)
    return MesaRun(
        width=width,
        height=height,
        seed=seed,
        ticks=ticks,
        params=merged,
        n_citizens=n_citizens,
        n_cops=n_cops,
        quiet=quiet,
        active=active,
        jailed=jailed,
        setup_seconds=setup,
        wall_seconds=wall,
        step_seconds=step_seconds,
        step_cpu_seconds=step_cpu,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--width", type=int, default=40)
    parser.add_argument("--height", type=int, default=40)
    parser.add_argument("--ticks", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE",
        help="an example parameter, e.g. --set legitimacy=0.82",
    )
    args = parser.parse_args(argv)
    params: dict[str, Any] = {}
    for item in args.set:
        key, _, value = item.partition("=")
        params[key] = json.loads(value) if value not in ("True", "False") else value == "True"
    run = run_mesa(args.width, args.height, args.ticks, args.seed, **params)
    print(json.dumps(run.summary()))


if __name__ == "__main__":
    main()
