"""The peer as oracle: centrehold's `mesa` preset against Mesa 3.3's own example.

Two implementations of the same rules, written independently, should produce the same
statistics of the same stochastic process; they cannot produce the same trajectories,
since their random streams differ. So the comparison is between distributions over
seeds, at parameters where Model I is busy enough to measure (run I-2: cops 0.04,
J_max 30, legitimacy 0.82, on Mesa's 40x40 torus with vision 7 and k 2.3).

Agent numbers are matched. Mesa flips a coin per cell, so its cop count varies
between seeds (64 +- 8 at 40x40), and activity depends strongly on it (seeds with
56-61 cops gave mean active shares of 1.3-1.9%, seeds with 67-76 cops 0.8-1.1%).
centrehold places exact numbers. So the Mesa seeds are the first ones (from 1 up)
whose placement gives the expected 64 cops and 1120 +- 12 citizens, and each is
paired with centrehold runs given exactly the same numbers of citizens and cops.

Each run gives one value of each statistic (ticks BURN+1..TICKS): the mean share of
citizens active, and outbursts started per 100 ticks. Agreement means Welch's
two-sample t-test, Mesa's runs against centrehold's, gives p >= ALPHA for both. With
the per-run spread seen here (about 10% of the mean for the share, 25% for the
outburst rate) and 4 Mesa runs, that criterion detects a difference of about a third
in the share; the last test shows it rejects a rule that differs from Mesa's in one
named option (floor instead of round), which moves the share by about half.

Budget: Mesa runs ~25,000 agent-steps/s on an idle machine; 4 seeds x 250 ticks x
~1,190 agents is about 50 s, most of this file's run time.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

# Run I-2 at Mesa's constant k = 2.3; Mesa's keyword names are centrehold's field names.
PEER_PARAMS: dict[str, object] = {
    "width": 40,
    "height": 40,
    "citizen_density": 0.7,
    "cop_density": 0.04,
    "citizen_vision": 7,
    "cop_vision": 7,
    "legitimacy": 0.82,
    "max_jail_term": 30,
    "active_threshold": 0.1,
    "arrest_prob_constant": 2.3,
    "movement": True,
}
TICKS = 250
BURN = 25  # the first ticks carry the start from an all-quiet lattice: dropped
# The first seeds >= 1 whose coin-per-cell placement gives 64 cops and 1120 +- 12 citizens.
MESA_SEEDS = (25, 100, 102, 117)
EXPECTED_COPS = 64
OUR_SEEDS_PER_MESA_RUN = 3
ALPHA = 0.01
# An outburst starts when actives reach HIGH after having fallen to LOW or below since
# the previous one (hysteresis, so one ragged outburst is not counted twice).
HIGH_SHARE = 0.02  # 2% of citizens: about 22 actives at 40x40
LOW_SHARE = 0.005  # 0.5%: about 6 actives

Run = tuple[np.ndarray, int, int]  # (actives per tick 0..TICKS, citizens, cops)


def outburst_starts(active: np.ndarray, citizens: int) -> np.ndarray:
    """Ticks at which an outburst starts (see HIGH_SHARE and LOW_SHARE)."""
    high = HIGH_SHARE * citizens
    low = LOW_SHARE * citizens
    starts = []
    armed = True
    for t, a in enumerate(np.asarray(active)):
        if armed and a >= high:
            starts.append(t)
            armed = False
        elif a <= low:
            armed = True
    return np.array(starts, dtype=np.int64)


def run_stats(active: np.ndarray, citizens: int) -> tuple[float, float]:
    """(mean share of citizens active, outbursts started per 100 ticks) after the burn-in."""
    window = np.asarray(active, dtype=np.float64)[BURN + 1:]
    starts = outburst_starts(active, citizens)
    n_starts = int(np.count_nonzero(starts > BURN))
    return float(window.mean() / citizens), 100.0 * n_starts / window.shape[0]


def table(runs: list[Run]) -> dict[str, np.ndarray]:
    values = np.array([run_stats(a, n) for a, n, _ in runs])
    return {"share": values[:, 0], "outbursts": values[:, 1]}


def agree(x: np.ndarray, y: np.ndarray) -> tuple[bool, float]:
    """Welch's t-test of equal means; (agrees at ALPHA, p-value)."""
    p = float(stats.ttest_ind(x, y, equal_var=False).pvalue)
    return p >= ALPHA, p


def run_ours(
    counts: list[tuple[int, int]], seeds_each: int, schedule: str = "sequential", **variant: str
) -> list[Run]:
    """centrehold runs with the `mesa` preset, `seeds_each` per (citizens, cops) pair."""
    from centrehold.engine import simulate
    from centrehold.scenario import load_scenario

    cells = int(PEER_PARAMS["width"]) * int(PEER_PARAMS["height"])
    out = []
    for i, (citizens, cops) in enumerate(counts):
        overrides = {k: str(v) for k, v in PEER_PARAMS.items()}
        overrides.update(
            preset="mesa", citizen_density=repr(citizens / cells), cop_density=repr(cops / cells)
        )
        overrides.update({f"variant.{k}": v for k, v in variant.items()})
        scenario = load_scenario("epstein-1", overrides=overrides)
        for j in range(seeds_each):
            ds = simulate(scenario, seed=1000 * i + j, ticks=TICKS, schedule=schedule)
            active = ds["active"].sum("group").to_numpy()
            n = int((ds["quiet"] + ds["active"] + ds["jailed"]).sum("group")[0])
            assert n == citizens and int(ds["cops"][0]) == cops  # the pairing holds
            out.append((active, n, cops))
    return out


def counts_of(runs: list[Run]) -> list[tuple[int, int]]:
    return [(n, cops) for _, n, cops in runs]


@pytest.fixture(scope="module")
def mesa_runs(mesa_peer) -> list[Run]:
    params = {k: v for k, v in PEER_PARAMS.items() if k not in ("width", "height")}
    runs = []
    for seed in MESA_SEEDS:
        r = mesa_peer.run_mesa(PEER_PARAMS["width"], PEER_PARAMS["height"], TICKS, seed, **params)
        # the runner's own invariant: every citizen is in exactly one state at every tick
        assert np.all(r.quiet + r.active + r.jailed == r.n_citizens)
        # the seeds were chosen for their agent numbers; a change in Mesa's streams shows here
        assert r.n_cops == EXPECTED_COPS and abs(r.n_citizens - 1120) <= 12
        runs.append((r.active, r.n_citizens, r.n_cops))
    return runs


@pytest.fixture(scope="module")
def our_runs(mesa_runs) -> list[Run]:
    return run_ours(counts_of(mesa_runs), OUR_SEEDS_PER_MESA_RUN)


def test_mesa_example_defaults_are_the_documented_ones(mesa_peer):
    """The benchmark runs at these defaults; a new Mesa changing one must be noticed."""
    assert mesa_peer.mesa_defaults() == mesa_peer.MESA_EXAMPLE_DEFAULTS


def test_mesa_runner_is_reproducible_and_counts_are_consistent(mesa_peer):
    a = mesa_peer.run_mesa(15, 15, 12, seed=5, legitimacy=0.7, max_jail_term=5)
    b = mesa_peer.run_mesa(15, 15, 12, seed=5, legitimacy=0.7, max_jail_term=5)
    c = mesa_peer.run_mesa(15, 15, 12, seed=6, legitimacy=0.7, max_jail_term=5)
    assert np.array_equal(a.active, b.active) and np.array_equal(a.jailed, b.jailed)
    assert not (np.array_equal(a.active, c.active) and a.n_citizens == c.n_citizens)
    assert a.active[0] == 0 and a.jailed[0] == 0  # everyone starts quiet
    assert np.all(a.quiet + a.active + a.jailed == a.n_citizens)
    assert a.active.max() > 0  # at legitimacy 0.7 somebody rebels
    with pytest.raises(ValueError, match="unknown Mesa example parameter"):
        mesa_peer.run_mesa(15, 15, 1, seed=1, legitimcy=0.7)


@pytest.mark.parametrize("cops", range(0, 7))
@pytest.mark.parametrize("actives", range(1, 7))
def test_arrest_probability_matches_mesa_exactly(mesa_peer, cops, actives):
    """Mesa's own estimate (Python's half-to-even round of C/A) against the `round` option.

    Mesa's method reads only `neighbors` and `arrest_prob_constant`, so it is called on
    a stand-in holding `cops` Cop and `actives - 1` active Citizen objects (the citizen
    counts itself), made without a model.
    """
    from centrehold.engine.core.kernels import arrest_probability

    _, citizen_state, citizen_cls, cop_cls = mesa_peer.load_example()
    neighbours = [object.__new__(cop_cls) for _ in range(cops)]
    for _ in range(actives - 1):
        c = object.__new__(citizen_cls)
        c.state = citizen_state.ACTIVE
        neighbours.append(c)
    quiet = object.__new__(citizen_cls)
    quiet.state = citizen_state.QUIET  # quiet neighbours count for nothing
    neighbours.append(quiet)
    stand_in = SimpleNamespace(neighbors=neighbours, arrest_prob_constant=2.3)
    citizen_cls.update_estimated_arrest_probability(stand_in)
    ours = arrest_probability(np.int64(cops), np.int64(actives), 2.3, np.int64(1))
    assert ours == pytest.approx(stand_in.arrest_probability, abs=1e-15)
    if 2 * cops == actives:  # exactly one half rounds to 0 (even), so P = 0
        assert ours == 0.0
    if 2 * cops == 3 * actives:  # 1.5 rounds to 2
        assert ours == pytest.approx(1 - math.exp(-4.6))


def test_mesa_preset_matches_mesa_example(mesa_runs, our_runs):
    """Time-averaged share of actives and outburst frequency agree at ALPHA."""
    mesa = table(mesa_runs)
    ours = table(our_runs)
    # the regime compared is the busy one: both sides must actually have outbursts
    assert mesa["outbursts"].min() > 1.0 and ours["outbursts"].min() > 1.0
    for name in ("share", "outbursts"):
        ok, p = agree(mesa[name], ours[name])
        assert ok, (
            f"{name}: Mesa {mesa[name].mean():.4f} +- {mesa[name].std(ddof=1):.4f} "
            f"(n={mesa[name].size}) vs centrehold {ours[name].mean():.4f} +- "
            f"{ours[name].std(ddof=1):.4f} (n={ours[name].size}); Welch p = {p:.2g} < {ALPHA}"
        )


def test_the_comparison_rejects_a_different_reading_of_the_rules(mesa_runs):
    """Power check: one option changed from Mesa's reading must fail the same criterion.

    With floor(C/A) (Epstein's reading) a ratio between 1/2 and 1, say 2 cops facing 3
    actives, deters nobody (floor gives 0, P = 0) where Mesa's round gives 1 (P = 0.9);
    rebellion spreads more easily and the share of actives rises by about half. If the
    comparison could not tell that apart, its agreement above would prove little.
    """
    mesa = table(mesa_runs)
    other = table(run_ours(counts_of(mesa_runs), 2, rounding="floor"))
    rejected = [name for name in ("share", "outbursts") if not agree(mesa[name], other[name])[0]]
    assert rejected, (
        "Mesa's example and centrehold with floor(C/A) could not be told apart: "
        f"share {mesa['share'].mean():.4f} vs {other['share'].mean():.4f}"
    )


@pytest.mark.parametrize("radius", [1, 2, 3, 7])
def test_vision_matches_mesa_neighbourhood_exactly(mesa_peer, radius):
    """The `mesa` preset's vision is the cell set Mesa's grid returns, offset for offset."""
    import random

    from mesa.discrete_space import OrthogonalVonNeumannGrid

    from centrehold.models.epstein.rules import PRESETS, vision_offsets

    side = 2 * radius + 5  # room for the whole diamond without wrapping onto itself
    grid = OrthogonalVonNeumannGrid((side, side), capacity=1, torus=True, random=random.Random(0))
    centre = grid[(side // 2, side // 2)]
    theirs = {
        ((c.coordinate[0] - side // 2), (c.coordinate[1] - side // 2))
        for c in centre.get_neighborhood(radius=radius)
    }
    ours = {tuple(int(v) for v in off) for off in
            vision_offsets(PRESETS["mesa"].neighbourhood, radius)}
    assert ours == theirs
    assert len(ours) == 2 * radius * (radius + 1)  # the diamond, centre excluded
