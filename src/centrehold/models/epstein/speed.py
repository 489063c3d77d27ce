"""A quick speed measurement of Model I at Mesa's example parameters.

The benchmark suite compares against Mesa; this module only times the engine, so
that a change to a kernel can be checked in a minute:

    python -m centrehold.models.epstein.speed 1000 synchronous 5
"""

from __future__ import annotations

import resource
import sys
import time

import numba
import numpy as np

from centrehold.models.epstein.simulate import _keys, build_world, rules_and_variant
from centrehold.models.epstein.step import TickInputs, step
from centrehold.scenario.epstein import EpsteinScenario


def mesa_parameters(size: int, preset: str = "mesa") -> EpsteinScenario:
    """Mesa's example defaults on a size x size torus."""
    return EpsteinScenario(
        name=f"speed-{size}", width=size, height=size, citizen_density=0.7, cop_density=0.074,
        citizen_vision=7, cop_vision=7, legitimacy=0.8, max_jail_term=1000,
        active_threshold=0.1, arrest_prob_constant=2.3, preset=preset,
    )


def measure(size: int, schedule: str, ticks: int, preset: str = "mesa", seed: int = 1) -> dict:
    """Agent-steps per wall second and per CPU second, after one warm-up tick."""
    scenario = mesa_parameters(size, preset)
    rules, variant = rules_and_variant(scenario)
    world = build_world(scenario, seed, ticks + 1)
    _, key = _keys(seed)
    inputs = TickInputs(np.full((1, 1), scenario.legitimacy), np.ones(1))
    step(world, inputs, rules, variant, schedule, key, 1)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for t in range(2, ticks + 2):
        step(world, inputs, rules, variant, schedule, key, t)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    ws = world.extra.get("_ws", {})
    work = sum(v.nbytes for v in ws.values() if isinstance(v, np.ndarray))
    n = world.n_agents
    return {
        "size": size, "schedule": schedule, "preset": preset, "agents": n, "ticks": ticks,
        "threads": numba.get_num_threads(), "wall_seconds": wall,
        "agent_steps_per_s": n * ticks / wall, "agent_steps_per_cpu_s": n * ticks / cpu,
        "state_bytes_per_agent": world.nbytes() / n, "workspace_bytes_per_agent": work / n,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    size, schedule, ticks = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    print(measure(size, schedule, ticks, *(sys.argv[4:5] or ["mesa"])))
