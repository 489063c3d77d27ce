"""The article's conjectures as instigator policies: H0 (nobody) and H1..H6.

Each policy maps (calendar, a summary of the world, its parameters) to an attack
intensity: expected attacks per tick by region and target, where targets are the
communities (0..G-1), `any` (whoever is around: crowds, markets) and `state`
(government sites, forces; the victims counted are the civilians nearby). The
policies differ on purpose in *where*, *when* and *against whom*, so that the
record can tell them apart; docs/hypotheses.md states each signature. These are
conjectures to be weighed, not claims about who did what.

The policies read only the calendar and the world's static summary (population,
shares, force posture), not the simulated violence: this keeps them exogenous, so a
hypothesis's signature is its own and not an echo of the dynamics.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from centrehold.engine.calendar import Calendar

INSTIGATORS: dict[str, str] = {
    "H0": "none",
    "H1": "governing_party",
    "H2": "sectarian_parties",
    "H3": "withdrawal_opponents",
    "H4": "contractors",
    "H5": "regional_sponsors",
    "H6": "outside_sponsors",
}
ALL_INSTIGATORS: tuple[str, ...] = tuple(v for k, v in INSTIGATORS.items() if k != "H0")


@dataclass(frozen=True)
class WorldSummary:
    """What a policy may know about the world: static, by region (R) and community (G)."""

    iso: tuple[str, ...]
    groups: tuple[str, ...]
    population: np.ndarray  # float[R]
    shares: np.ndarray  # float[G, R]
    occupation_before: np.ndarray  # float[R]: occupation personnel before the withdrawal
    occupation_over_time: np.ndarray  # float[T, R]: occupation personnel by tick
    hops_from_west: np.ndarray  # int[R]: border hops from the Syria/Jordan/Saudi-border west
    elections: tuple
    withdrawal_milestones: tuple
    abroad: tuple
    iran_tension_onset: object


Policy = Callable[[Calendar, WorldSummary, Mapping[str, float], int], np.ndarray]


def _group(summary: WorldSummary, name: str) -> int:
    return summary.groups.index(name) if name in summary.groups else 0


def _out(T: int, summary: WorldSummary) -> np.ndarray:
    return np.zeros((T, len(summary.iso), len(summary.groups) + 2))


def _norm(w: np.ndarray) -> np.ndarray:
    s = w.sum()
    return w / s if s > 0 else w


def _election_window(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int):
    until = cal.days_until(summary.elections, T)
    return np.where(until <= p.get("window_days", 60), p.get("boost", 4.0), 1.0)


def h0(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """No instigation: every death comes from the endogenous dynamics."""
    return _out(T, summary)


def h1(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """Governing party: mixed areas (Baghdad first), before elections, both main communities."""
    out = _out(T, summary)
    sh = summary.shares
    mixing = 1.0 - (sh**2).sum(axis=0)  # chance two residents differ
    shia, sunni = _group(summary, "shia_arab"), _group(summary, "sunni_arab")
    both = sh[shia] + sh[sunni]
    # only where both Arab communities live: the aim is a Shia-Sunni revenge cycle
    where = _norm(summary.population * mixing ** p.get("mixing_power", 2.0) * both)
    when = p.get("baseline", 0.2) * _election_window(cal, summary, p, T)
    for g in (shia, sunni):
        frac = np.divide(sh[g], both, out=np.zeros_like(both), where=both > 0)
        out[:, :, g] = p.get("rate", 2.0) * when[:, None] * (where * frac)[None, :]
    return out


def h2(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """Parties hit their own community: homogeneous areas, before elections, the majority."""
    out = _out(T, summary)
    sh = summary.shares
    major = sh.argmax(axis=0)
    homog = sh.max(axis=0)
    where = _norm(summary.population * homog ** p.get("homogeneity_power", 4.0))
    when = p.get("baseline", 0.2) * _election_window(cal, summary, p, T)
    for r, g in enumerate(major):
        out[:, r, g] = p.get("rate", 2.0) * when * where[r]
    return out


def h3(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """Withdrawal opponents: where the occupation forces were, right after each milestone."""
    out = _out(T, summary)
    G = len(summary.groups)
    where = _norm(summary.occupation_before)
    since = cal.days_since(summary.withdrawal_milestones, T)
    pulse = np.exp(-since / p.get("decay_days", 45.0))  # 0 before the first milestone
    when = p.get("baseline", 0.15) * (1.0 + p.get("boost", 6.0) * pulse)
    rate = p.get("rate", 2.0) * when[:, None] * where[None, :]
    st = p.get("state_share", 0.6)
    out[:, :, G + 1] = rate * st
    out[:, :, G] = rate * (1.0 - st)
    return out


def h4(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """Contractors: Baghdad, Basra, Kirkuk (oil), steady, scaled by the foreign presence."""
    out = _out(T, summary)
    G = len(summary.groups)
    w = np.zeros(len(summary.iso))
    for iso, key in (("IQ-BG", "w_baghdad"), ("IQ-BA", "w_basra"), ("IQ-KI", "w_kirkuk")):
        if iso in summary.iso:
            w[summary.iso.index(iso)] = p.get(key, 0.0)
    where = _norm(w)
    occ = summary.occupation_over_time.sum(axis=1)
    when = occ / occ.max() if occ.max() > 0 else np.zeros(T)
    out[:, :, G] = p.get("rate", 2.0) * when[:, None] * where[None, :]
    return out


def h5(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """Regional sponsors: Shia areas and Baghdad, nearer the western borders, after Iran's
    tension rises; against Shia and the state."""
    out = _out(T, summary)
    G = len(summary.groups)
    shia = _group(summary, "shia_arab")
    reach = p.get("hop_decay", 0.5) ** summary.hops_from_west
    where = _norm(summary.population * summary.shares[shia] * reach)
    since = cal.days_since([summary.iran_tension_onset], T)
    when = np.where(np.isfinite(since), p.get("tension_boost", 3.0), 1.0)
    when = when / p.get("tension_boost", 3.0)
    rate = p.get("rate", 2.0) * when[:, None] * where[None, :]
    st = p.get("state_share", 0.3)
    out[:, :, shia] = rate * (1.0 - st)
    out[:, :, G + 1] = rate * st
    return out


def h6(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """Outside sponsors diverting their publics: everywhere by population, in bursts after
    events abroad, blind to Iraq's own calendar; against anyone."""
    out = _out(T, summary)
    G = len(summary.groups)
    where = _norm(summary.population.astype(float))
    since = cal.days_since(summary.abroad, T)
    burst = since < p.get("burst_days", 21.0)
    when = p.get("baseline", 0.1) * np.where(burst, p.get("boost", 8.0), 1.0)
    out[:, :, G] = p.get("rate", 1.0) * when[:, None] * where[None, :]
    return out


POLICIES: dict[str, Policy] = {"H0": h0, "H1": h1, "H2": h2, "H3": h3, "H4": h4, "H5": h5,
                               "H6": h6}


def intensity(hypothesis: str, cal: Calendar, summary: WorldSummary,
              params: Mapping[str, float], ticks: int) -> np.ndarray:
    """Expected attacks per tick, float[T, R, G+2], for one hypothesis (per day: a weekly
    tick multiplies by its length)."""
    lam = POLICIES[hypothesis](cal, summary, params, ticks)
    return lam * cal.step_days


def funding_exposure(params: Mapping[str, float]) -> float:
    """How much of a hypothesis's attack capacity depends on sponsors' money (0..1)."""
    return float(params.get("funding_exposure", 0.0))
