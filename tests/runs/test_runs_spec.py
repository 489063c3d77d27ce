"""Seeds and task expansion: task i's seed depends only on the root seed and i."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from centrehold.errors import UserError
from centrehold.runs import EnsembleSpec, expand, task_seed


def test_seed_is_the_spawned_child_of_the_root():
    root = 12345
    children = np.random.SeedSequence(root).spawn(7)
    for i, child in enumerate(children):
        expected = int(child.generate_state(1, dtype=np.uint64)[0]) >> 1
        assert task_seed(root, i) == expected


def test_seed_does_not_depend_on_ensemble_size():
    small = expand(EnsembleSpec(scenario="x", replicates=3, root_seed=9))
    large = expand(EnsembleSpec(scenario="x", replicates=50, root_seed=9))
    assert [t.seed for t in small] == [t.seed for t in large[:3]]


def test_seeds_are_distinct_nonnegative_int64_and_depend_on_root():
    seeds = [t.seed for t in expand(EnsembleSpec(scenario="x", replicates=500, root_seed=1))]
    assert len(set(seeds)) == 500
    assert all(0 <= s < 2**63 for s in seeds)
    other = [t.seed for t in expand(EnsembleSpec(scenario="x", replicates=500, root_seed=2))]
    assert not set(seeds) & set(other)


def test_expansion_order_and_overrides():
    spec = EnsembleSpec(
        scenario="iraq-2009",
        hypotheses=["H0", "H3"],
        param_sets=[{"a": "1"}, {"a": "2", "b": "x"}],
        overrides={"width": "20"},
        replicates=2,
    )
    tasks = expand(spec)
    assert spec.n_tasks == len(tasks) == 8
    assert [t.index for t in tasks] == list(range(8))
    assert [(t.hypothesis, t.param_set, t.replicate) for t in tasks[:4]] == [
        ("H0", 0, 0), ("H0", 0, 1), ("H0", 1, 0), ("H0", 1, 1)]
    assert tasks[6].overrides == {"width": "20", "a": "2", "b": "x", "hypothesis": "H3"}
    assert tasks[6].label()["a"] == 2.0 and tasks[6].label()["b"] == "x"


def test_hypothesis_in_two_places_is_refused():
    spec = EnsembleSpec(scenario="x", hypotheses=["H1"], overrides={"hypothesis": "H2"})
    with pytest.raises(UserError, match="hypothesis"):
        expand(spec)


def test_digest_tracks_content_and_spec_rejects_unknown_fields():
    a = EnsembleSpec(scenario="x", replicates=2)
    assert a.digest() == EnsembleSpec(scenario="x", replicates=2).digest()
    assert a.digest() != EnsembleSpec(scenario="x", replicates=3).digest()
    with pytest.raises(ValidationError):
        EnsembleSpec(scenario="x", replicas=2)
    with pytest.raises(ValidationError):
        EnsembleSpec(scenario="x", replicates=0)
