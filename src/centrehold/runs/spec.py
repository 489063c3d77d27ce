"""Ensemble specifications and their expansion into tasks with derived seeds.

A task's seed must not depend on where or in what order it runs, nor on how many
tasks run beside it, so that a resumed run, a run on a cluster and a run on a
laptop agree bit for bit. Task ``i`` of a spec with root seed ``s`` gets the
child ``numpy.random.SeedSequence(s).spawn(n)[i]`` (identical to
``SeedSequence(s, spawn_key=(i,))`` for every ``n > i``), and the integer handed
to the engine is the first 64-bit word of that child's state, shifted right by
one bit so it fits a signed 64-bit integer.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator

from centrehold.errors import UserError


class EnsembleSpec(BaseModel):
    """What to run: one scenario under hypotheses x parameter sets x replicates.

    Parameter sets are override dicts in the CLI's ``--set`` form (dotted keys,
    string values) so a task can be replayed exactly with ``centrehold run --set``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    scenario: str
    hypotheses: list[str | None] = Field(default_factory=lambda: [None])
    param_sets: list[dict[str, str]] = Field(default_factory=lambda: [{}])
    overrides: dict[str, str] = Field(default_factory=dict)
    replicates: int = Field(default=1, ge=1)
    root_seed: int = Field(default=0, ge=0)
    ticks: int | None = Field(default=None, ge=1)
    schedule: str = "sequential"
    keep_series: bool = False

    @field_validator("hypotheses")
    @classmethod
    def _nonempty_hypotheses(cls, v: list[str | None]) -> list[str | None]:
        if not v:
            raise ValueError("give at least one hypothesis (or None for the scenario's own)")
        return v

    @field_validator("param_sets")
    @classmethod
    def _nonempty_sets(cls, v: list[dict[str, str]]) -> list[dict[str, str]]:
        if not v:
            raise ValueError("give at least one parameter set ({} for the scenario as written)")
        return [{str(k): str(val) for k, val in d.items()} for d in v]

    @property
    def n_tasks(self) -> int:
        return len(self.hypotheses) * len(self.param_sets) * self.replicates

    def digest(self) -> str:
        """A stable hash of everything that changes results: identifies a run directory."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Task:
    """One simulation: everything a worker needs, picklable and free of file handles."""

    index: int
    scenario: str
    overrides: dict[str, str]
    seed: int
    ticks: int | None
    schedule: str
    hypothesis: str | None
    param_set: int
    replicate: int
    keep_series: bool = False
    params: dict[str, str] = field(default_factory=dict)

    def label(self) -> dict[str, Any]:
        """The columns that identify this task in a results table."""
        out: dict[str, Any] = {
            "task": self.index,
            "hypothesis": self.hypothesis if self.hypothesis is not None else "",
            "param_set": self.param_set,
            "replicate": self.replicate,
            "seed": self.seed,
        }
        for k, v in self.params.items():
            out[k] = _maybe_number(v)
        return out


def _maybe_number(v: str) -> Any:
    try:
        return float(v)
    except ValueError:
        return v


def task_seed(root_seed: int, index: int) -> int:
    """The engine seed of task ``index``: see the module docstring for the derivation."""
    child = np.random.SeedSequence(root_seed, spawn_key=(index,))
    return int(child.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1))


def expand(spec: EnsembleSpec) -> list[Task]:
    """Tasks in a fixed order: hypothesis, then parameter set, then replicate (fastest)."""
    tasks: list[Task] = []
    i = 0
    for hyp in spec.hypotheses:
        for p, pset in enumerate(spec.param_sets):
            overrides = dict(spec.overrides)
            overrides.update(pset)
            if hyp is not None:
                if "hypothesis" in pset or "hypothesis" in spec.overrides:
                    raise UserError(
                        "the spec sets 'hypothesis' both as a hypothesis and as an override; "
                        "keep it in one place"
                    )
                overrides["hypothesis"] = hyp
            for r in range(spec.replicates):
                tasks.append(
                    Task(
                        index=i,
                        scenario=spec.scenario,
                        overrides=overrides,
                        seed=task_seed(spec.root_seed, i),
                        ticks=spec.ticks,
                        schedule=spec.schedule,
                        hypothesis=hyp,
                        param_set=p,
                        replicate=r,
                        keep_series=spec.keep_series,
                        params=dict(pset),
                    )
                )
                i += 1
    return tasks
