"""Records for kernel-level tests of the regional tick: a small `World` plus keywords."""

from __future__ import annotations

import numpy as np

from centrehold.models.regional import tick

PARAMS = dict(
    key=np.uint64(3), warmup=0, substeps=1, parallel=False, people_per_agent=1, vision=2,
    settled_stay=False,
    deterrence=4,
    threshold=0.1, size_alpha=3.0, size_max=50.0, intergroup=True, arrests=True,
    jail_ticks=30, arrest_tries=1, revenge=True, decay=1.0, reach=1.0,
    revenge_strength=0.3, revenge_saturation=10.0, revenge_radius=1, revenge_spill=0.0,
    attack_radius=1, attack_size_min=1.0, attack_size_alpha=2.5, attack_size_max=500.0,
    intra_size_alpha=2.5, intra_size_max=100.0, displacement=True, displace_threat=0.1,
    displace_probability=1.0, displace_minority_below=0.5, crime=False,
)


def records(w, adj_start, adj_list, n_groups=2, block_start=None, block_end=None, **kw):
    """(lattice, agents, static, params, scratch) over world `w`."""
    p = tick.params(**{**PARAMS, **kw})
    bs = np.zeros((1, w.n_regions), dtype=np.int64) if block_start is None else block_start
    be = bs.copy() if block_end is None else block_end
    st = tick.Static(bs, be, adj_start, adj_list, np.ones(bs.shape[0]),
                     np.full(bs.shape[0], 4, dtype=np.int64), np.arange(w.n_regions))
    sizes = np.bincount(w.region.astype(np.int64), minlength=w.n_regions)
    sc = tick.scratch(w.n_agents, sizes, n_groups, bs.shape[0], p.attack_radius)
    return tick.lattice_of(w), tick.agents_of(w), st, p, sc


def events(sc, region, cell, group, persons):
    """Put revenge events in the scratch record; returns how many."""
    n = len(region)
    sc.ev_region[:n], sc.ev_cell[:n], sc.ev_group[:n] = region, cell, group
    sc.ev_persons[:n] = persons
    return n
