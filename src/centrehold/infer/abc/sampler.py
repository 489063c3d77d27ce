"""A reproducible pyabc sampler: one deterministic seed per task, over any ordered map.

pyabc's own samplers draw fresh entropy in each worker, so their results change from
run to run. Here sampling goes through `SeededMappingSampler`: generation ``t`` is cut
into ``n`` tasks (one per particle to accept), task ``i`` seeds NumPy from
``SeedSequence([seed, t, i, round])`` and simulates until it accepts one particle (or
reaches its share of the budget, and is retried in the next round), and results are
gathered in task order. Every simulation is therefore a pure function of (root seed,
generation, task, attempt), whatever the number of workers and whichever worker ran it;
the seed each accepted simulation used is stored with it in the history (summary
statistic ``seed``). The price is static scheduling: a generation waits for its slowest
task. A run through pyabc's own multicore sampler (``sampler="multicore"``) uses dynamic
scheduling and is not bit-reproducible; only each simulation given its seed is.

Because the tasks of a generation are seeded by (seed, t, i, round), a resumed run
redoes the interrupted generation exactly and ends where an uninterrupted run ends.

Budget. Each round of a generation's tasks may spend only its share of the budget
left; particles still missing are retried in further rounds while the budget lasts.
The run ends with the generation the budget runs out in, kept with the particles it
accepted (a partial generation) when they are at least `least_kept`; fewer than that
and it is not stored, and the run ends at the last complete generation. A generation
that could not accept `least_kept` particles even at the previous one's acceptance rate
is not started.

Why keep a partial generation: it is the one at the lowest tolerance, and dropping it
wasted about a fifth of `compare`'s budget (docs/compare.md, "Where a run's time
goes"). Its particles are exact draws at its tolerance: a task's accepted particle is
the first of independent proposals to land within it, whether or not other tasks ran
out of their share, so stopping a task at its share selects tasks, not particles; and
the evidence counts every simulation the generation ran (`marginal`).
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable, Sequence
from typing import Any

import cloudpickle
import numpy as np
from pyabc.sampler.base import Sampler

Progress = Callable[[int, int], None]


def _task_seed(seed: int, t: int, i: int, rnd: int = 0) -> int:
    ss = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, int(t) + 2, int(i), int(rnd)])
    return int(ss.generate_state(1, dtype=np.uint32)[0])


@functools.lru_cache(maxsize=1)
def _unpickled(payload: bytes) -> tuple[Callable, Callable]:
    """A generation's (simulate_one, create_sample), unpickled once a worker.

    Every task of a generation carries the same payload, and unpickling it (the
    scenario, the kernel, the distance) cost a worker about 13 ms a task, a tenth of a
    simulation; nothing in it changes while a task runs (every draw comes from the
    task's seed), so a worker's later tasks of the generation reuse the first's.
    """
    return cloudpickle.loads(payload)


class _RedrawnProposals(logging.Filter):
    """Drops pyabc's warning that many proposals fell outside the prior.

    Why: pyabc redraws a proposal whose prior density is zero before anything is
    simulated, so such proposals cost no simulation and change no result; in ten to
    eighteen bounded parameters a kernel wide enough to explore puts many of them
    outside the box, and the warning ("the transition might be inappropriate") then
    reached `make run`'s terminal in the middle of the progress bar, without a way for
    a user to act on it. Every other pyabc warning still shows.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Unusually many (model, parameter) samples")


def _quiet_redrawn_proposals() -> None:
    """Install `_RedrawnProposals` on pyabc's logger once in this process (tasks run in
    workers, where the proposals are drawn)."""
    log = logging.getLogger("ABC")
    if not any(isinstance(f, _RedrawnProposals) for f in log.filters):
        log.addFilter(_RedrawnProposals())


def _run_task(payload: bytes, task: tuple[int, int]) -> tuple[Any, int, bool]:
    """Simulate until one particle is accepted (or the task's cap), NumPy seeded for this task."""
    _quiet_redrawn_proposals()
    simulate_one, create_sample = _unpickled(payload)
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


def serial_map(fn: Callable, items: Sequence, progress: Progress | None = None) -> list:
    """The ordered map of one process: what runs when no executor is given."""
    out = []
    for k, item in enumerate(items):
        out.append(fn(item))
        if progress is not None:
            progress(k + 1, len(items))
    return out


class SeededMappingSampler(Sampler):
    """A pyabc sampler over any ordered ``map``, with one deterministic seed per task.

    ``map_(fn, items, progress)`` must return results in input order (the contract of
    `centrehold.runs.get_executor(...).map`). See this module's docstring for what this
    buys (bit-reproducible calibrations, exact resume) and what it costs.
    """

    def __init__(
        self,
        seed: int,
        map_: Callable[..., list] | None = None,
        on_generation: Callable[[int, int], None] | None = None,
        budget: float = np.inf,
        spent: int = 0,
        least_kept: int | None = None,
    ) -> None:
        super().__init__()
        self.seed = int(seed)
        self.map_ = map_ or serial_map
        self.on_generation = on_generation
        self.budget = budget
        self.spent = int(spent)
        self.last_rate = 1.0  # share of the last generation's simulations accepted
        # the fewest particles a generation the budget cuts short is kept with (None:
        # a quarter of the population, at least 10)
        self.least_kept = least_kept
        self.exhausted = False  # a generation ran out of budget: start no other

    def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
        # replaced below the class by `_keeps_partial(_sample_generation)`
        return self._sample_generation(n, simulate_one, t, **kwargs)

    def _sample_generation(
        self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False, ana_vars=None
    ):
        # Work comes in rounds: every particle still missing gets a task that may run
        # up to `cap` simulations; tasks that did not accept go to the next round with
        # fresh seeds (seeded by generation, particle and round, so the rounds are
        # reproducible too). A generation that would overrun what is left of the budget
        # stops there, and the run ends with it (kept partial, or not stored): without
        # this, one generation at a tiny threshold could run for hours.
        left = min(self.budget - self.spent, max_eval)
        least = min(n, self.least_kept if self.least_kept is not None else max(10, n // 4))
        if self.exhausted or (np.isfinite(left)
                              and least / max(self.last_rate, 1e-12) > left):
            # even at the last generation's acceptance rate (the next one's threshold is
            # lower, so its rate is too) it cannot keep enough: leave the budget unspent
            sample = self._create_empty_sample()
            sample.ok = False
            self.nr_evaluations_ = 0
            if self.on_generation is not None:
                self.on_generation(t, 0)
            return sample
        cap = int(max(2, left // n)) if np.isfinite(left) else 2**62
        factory = self.sample_factory
        payload = cloudpickle.dumps((simulate_one, factory))
        fn = functools.partial(_run_task, payload)
        parts: dict[int, list] = {i: [] for i in range(n)}
        pending = list(range(n))
        total = 0
        rnd = 0
        while pending and total < left:
            # a round gives each missing particle `cap` simulations, or, where that would
            # overrun the budget, what is left of it spread over as many as it reaches
            room = left - total
            run, each = pending, cap
            if cap * len(pending) > room:
                run = pending[:int(min(len(pending), room))]
                each = max(1, int(room // len(run)))
            tasks = [(_task_seed(self.seed, t, i, rnd), each) for i in run]
            results = self.map_(fn, tasks)
            missing = []
            for i, (part, evals, accepted) in zip(run, results, strict=True):
                parts[i].append(part)
                total += evals
                if not accepted:
                    missing.append(i)
            pending = missing + pending[len(run):]
            rnd += 1
        sample = self._create_empty_sample()
        for i in range(n):
            for part in parts[i]:
                sample += part
        if pending:
            # cut short by the budget: kept with what it accepted, if enough; either
            # way the run ends here
            sample.ok = n - len(pending) >= least
            self.exhausted = True
        else:
            self.last_rate = n / max(total, 1)
        self.spent += total
        self.nr_evaluations_ = total
        if self.on_generation is not None:
            self.on_generation(t, total)
        return sample


def _keeps_partial(method: Callable) -> Callable:
    """pyabc's class-creation wrapper around `sample_until_n_accepted` refuses a sample
    with fewer than n particles marked ok; set after the class is made, this one keeps
    its other check (no particle left unevaluated) and lets a partial generation
    through (this module's docstring says why)."""
    @functools.wraps(method)
    def sample_until_n_accepted(self, n, simulate_one, t, **kwargs):
        sample = method(self, n, simulate_one, t, **kwargs)
        if any(particle.preliminary for particle in sample.all_particles):
            raise AssertionError("There cannot be non-evaluated particles.")
        return sample

    return sample_until_n_accepted


SeededMappingSampler.sample_until_n_accepted = _keeps_partial(
    SeededMappingSampler._sample_generation)


def executor_map(executor: Any) -> Callable[..., list]:
    """An executor's ordered ``.map`` as a plain function."""
    def map_(fn, items, progress=None):
        return list(executor.map(fn, list(items), progress=progress))

    return map_
