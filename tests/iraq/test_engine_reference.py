"""The keyed-draw tick against the engine before it, in distribution: every statistic
`compare` uses, at compare's scale, over 24 seeds and two hypotheses.

The reference was written by the engine at commit cb2bf81 (scripts/engine_reference.py),
which gave agents one turn a tick; the new tick does so with `calendar.agents_daily:
false`, and that is what is compared here.
Trajectories differ (the draws are made differently); the statistics' means must agree
within sampling error. Four standard errors per statistic keeps a false alarm over the
~130 comparisons below one in a hundred runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = Path(__file__).parent / "data" / "engine_reference.csv"


def _now() -> pd.DataFrame:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from engine_reference import statistics, summarise
    finally:
        sys.path.pop(0)
    # the previous engine gave agents one turn a tick, its stocks rebuilt on their wear
    # timescale, its instigators were not worn down, its insurgency struck only where
    # Sunni Arabs live and its Basra episode ran to 2008-04-15: compare like with like.
    # (Its months took whole weeks by start date; the statistics now spread a week over
    # its days, which moves the quarters by less than sampling error here.)
    # (Its incident sizes were a governorate's killing summed over a tick; the
    # statistics now read the engine's incident log, so the reference's sizing is used.)
    # Its hardship term had a summer peak (0.1), since turned off in iraq-2009.
    # Every civilian took rule M every turn (test_movers.py holds today's default, only
    # those who might act moving, to that).
    df = statistics(seeds=range(200, 224), incident_log=False, extra={
        "calendar.agents_daily": "false", "intergroup.movers": "everyone",
        "mechanisms.instigator_capacity": "false",
        "insurgency.rebuild_days": "150", "militias.rebuild_days": "150",
        "insurgency.reach_share": "0.0", "insurgency.footprint_share": "0.0",
        "hardship.summer_amplitude": "0.1",
        "intra_community.episodes": (
            "[{start: 2008-03-25, end: 2008-04-15, regions: [IQ-BA], group: shia_arab},"
            " {start: 2008-03-25, end: 2008-05-11, regions: [IQ-BG], group: shia_arab}]")})
    return summarise(df)


def test_statistics_match_the_previous_engine_in_distribution():
    ref = pd.read_csv(REFERENCE)
    now = _now()
    both = ref.merge(now, on=["hypothesis", "statistic"], suffixes=("_ref", "_now"))
    assert len(both) == len(ref), "a statistic of the reference is missing"
    se = np.sqrt(both["std_ref"] ** 2 / both["count_ref"] + both["std_now"] ** 2
                 / both["count_now"])
    z = (both["mean_now"] - both["mean_ref"]) / se.where(se > 0)
    z = z.fillna(0.0)
    worst = both.assign(z=z).reindex(z.abs().sort_values(ascending=False).index).head(5)
    assert (z.abs() < 4).all(), worst[["hypothesis", "statistic", "mean_ref", "mean_now", "z"]]
    # and no drift in one direction across the board
    assert abs(z.mean()) < 1.0, z.describe()
