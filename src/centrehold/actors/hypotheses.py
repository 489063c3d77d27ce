"""The conjectures as instigator policies: H0 (nobody), the article's H1..H6, the
article's own thesis (HA) and its plain mixture (HM), and the record's claimants (HI, HB).

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

from centrehold.scenario.calendar import Calendar
from centrehold.scenario.policies import INSTIGATORS

# Who each hypothesis names: owned by the scenario layer, which validates every
# hypothesis in a file without loading the engine.
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
    # the dates of HA's political events beyond those above; None where the world's
    # builder does not pass them (then HA leaves that event out)
    withdrawal: object = None
    funding_cut: object = None
    resistance_split: object = None


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

#: The six actors that HM and HA mix, and the parameters each acts with inside the
#: mixture: the scenario's defaults for H1..H6 (tests/iraq/test_new_hypotheses.py keeps
#: the two in step). `rate` and `funding_exposure` are left out: the mixture normalises
#: each actor to a unit rate and carries one funding exposure of its own.
MIXED_ACTORS: tuple[str, ...] = ("H1", "H2", "H3", "H4", "H5", "H6")
MIXTURE_DEFAULTS: dict[str, dict[str, float]] = {
    "H1": {"window_days": 60.0, "boost": 4.0, "baseline": 0.2, "mixing_power": 2.0},
    "H2": {"window_days": 60.0, "boost": 4.0, "baseline": 0.2, "homogeneity_power": 4.0},
    "H3": {"decay_days": 45.0, "boost": 6.0, "baseline": 0.15, "state_share": 0.6},
    "H4": {"w_baghdad": 0.5, "w_basra": 0.3, "w_kirkuk": 0.2},
    "H5": {"tension_boost": 3.0, "hop_decay": 0.5, "state_share": 0.3},
    "H6": {"burst_days": 21.0, "boost": 8.0, "baseline": 0.1},
}
#: u_k = exp(-1) for every k gives equal weights: the default mixture is flat.
FLAT_U = float(np.exp(-1.0))


def mixture_weights(p: Mapping[str, float]) -> np.ndarray:
    """Weights of H1..H6 from u1..u6, each uniform on (0, 1) under the prior.

    Scenario priors are uniform or loguniform only; -log U is Exp(1), and Exp(1) draws
    divided by their sum are Dirichlet(1, ..., 1): a flat prior on the six weights.
    """
    u = np.array([p.get(f"u{k}", FLAT_U) for k in range(1, len(MIXED_ACTORS) + 1)], float)
    e = -np.log(np.clip(u, 1e-300, 1.0))
    total = e.sum()
    if total <= 0:  # every u at 1: no actor preferred
        return np.full(len(MIXED_ACTORS), 1.0 / len(MIXED_ACTORS))
    return e / total


def unit_pattern(actor: str, cal: Calendar, summary: WorldSummary, T: int) -> np.ndarray:
    """One actor's attacks per day at its own defaults, scaled to a mean of one attack a
    day nationally over the run (all zeros if the actor never strikes in this world)."""
    lam = POLICIES[actor](cal, summary, {"rate": 1.0, **MIXTURE_DEFAULTS[actor]}, T)
    mean = lam.sum(axis=(1, 2)).mean() if T else 0.0
    return lam / mean if mean > 0 else lam


def hm(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """All six actors at once, each with its own signature, in proportions the record
    weighs: `rate` attacks a day nationally on average, a share w_k of them H_k's."""
    w = mixture_weights(p)
    out = _out(T, summary)
    for wk, actor in zip(w, MIXED_ACTORS, strict=True):
        if wk > 0:
            out += wk * unit_pattern(actor, cal, summary, T)
    return p.get("rate", 2.0) * out


def political_events(summary: WorldSummary) -> list:
    """The dated political events that HA lets loosen the centre's hold."""
    withdrawal = summary.withdrawal
    if withdrawal is None and summary.withdrawal_milestones:
        withdrawal = summary.withdrawal_milestones[0]
    singles = (withdrawal, summary.funding_cut, summary.resistance_split,
               summary.iran_tension_onset)
    return sorted([d for d in singles if d is not None] + list(summary.elections))


def cohesion(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """C(t) in [0, 1]: 1 at the start, down by `drop` at each political event, each loss
    healing at `recovery_per_year` (e-folds a year; 0: never)."""
    t_days = np.arange(T) * cal.step_days
    heal = p.get("recovery_per_year", 0.0) / 365.0
    lost = np.zeros(T)
    for e in political_events(summary):
        since = t_days - (e - cal.start).days
        lost += np.where(since >= 0, p.get("drop", 0.1) * np.exp(-heal * np.maximum(since, 0)),
                         0.0)
    return np.clip(1.0 - lost, 0.0, 1.0)


def ha(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """The author's thesis, entered as a hypothesis (not a finding): the centre loses its
    hold with each political blow, and as it does every party, all six at once, reaches
    for massacre; HM's mixture times (1 + gain * (1 - C(t)))."""
    lift = 1.0 + p.get("gain", 2.0) * (1.0 - cohesion(cal, summary, p, T))
    return hm(cal, summary, p, T) * lift[:, None, None]


def _index(summary: WorldSummary, isos) -> list[int]:
    return [summary.iso.index(i) for i in isos if i in summary.iso]


#: Where the Islamic State of Iraq's campaign is placed: Baghdad and the Sunni-majority
#: and mixed north.
ISI_NORTH = ("IQ-NI", "IQ-DI", "IQ-SD", "IQ-AN", "IQ-KI")


def _bursts_per_day(cal: Calendar, T: int, every: float) -> np.ndarray:
    """Share of each tick's days that are burst days, bursts falling every `every` days
    from the calendar's start (the first one `every` days in)."""
    lo = np.arange(T) * cal.step_days
    hi = lo + cal.step_days
    n = np.floor(hi / every) - np.floor(lo / every)  # multiples of `every` in (lo, hi]
    return n / cal.step_days


def hi(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """The Islamic State of Iraq, as its claims describe its campaign: steady attacks on
    the state (ministries, checkpoints) and on Shia civilians in Baghdad and the north,
    and coordinated days of several large attacks on the state in Baghdad."""
    out = _out(T, summary)
    G = len(summary.groups)
    shia = _group(summary, "shia_arab")
    pop = summary.population.astype(float)
    north = np.zeros(len(summary.iso))
    north[_index(summary, ISI_NORTH)] = 1.0
    bg = _index(summary, ("IQ-BG",))
    w_bg = p.get("w_baghdad", 0.5) if bg else 0.0
    where = (1.0 - w_bg) * _norm(pop * north)
    where[bg] += w_bg
    st = p.get("state_share", 0.5)
    rate = p.get("rate", 2.0)
    out[:, :, G + 1] = rate * st * where[None, :]
    # the attacks on Shia go where Shia live within those places
    shia_where = _norm(where * summary.shares[shia])
    out[:, :, shia] = rate * (1.0 - st) * shia_where[None, :]
    if bg:
        every = max(p.get("burst_every_days", 60.0), 1.0)
        out[:, bg[0], G + 1] += p.get("burst_attacks", 6.0) * _bursts_per_day(cal, T, every)
    return out


def hb(cal: Calendar, summary: WorldSummary, p: Mapping[str, float], T: int) -> np.ndarray:
    """Baathists based in Syria, as the government alleged: the state, in Baghdad and in
    the governorates nearest the western borders, rising after the withdrawal."""
    out = _out(T, summary)
    G = len(summary.groups)
    reach = p.get("hop_decay", 0.5) ** summary.hops_from_west
    bg = _index(summary, ("IQ-BG",))
    rest = summary.population.astype(float) * reach
    rest[bg] = 0.0
    w_bg = p.get("w_baghdad", 0.4) if bg else 0.0
    where = (1.0 - w_bg) * _norm(rest)
    where[bg] += w_bg
    onset = summary.withdrawal
    if onset is None and summary.withdrawal_milestones:
        onset = summary.withdrawal_milestones[0]
    since = cal.days_since([onset] if onset is not None else [], T)
    ramp_days = max(p.get("ramp_days", 90.0), 1.0)
    ramp = np.where(np.isfinite(since), np.clip(since / ramp_days, 0.0, 1.0), 0.0)
    base = p.get("baseline", 0.2)
    when = base + (1.0 - base) * ramp
    out[:, :, G + 1] = p.get("rate", 2.0) * when[:, None] * where[None, :]
    return out


POLICIES: dict[str, Policy] = {"H0": h0, "H1": h1, "H2": h2, "H3": h3, "H4": h4, "H5": h5,
                               "H6": h6, "HA": ha, "HM": hm, "HI": hi, "HB": hb}


def intensity(hypothesis: str, cal: Calendar, summary: WorldSummary,
              params: Mapping[str, float], ticks: int) -> np.ndarray:
    """Expected attacks per tick, float[T, R, G+2], for one hypothesis (per day: a weekly
    tick multiplies by its length)."""
    lam = POLICIES[hypothesis](cal, summary, params, ticks)
    return lam * cal.step_days


def funding_exposure(params: Mapping[str, float]) -> float:
    """How much of a hypothesis's attack capacity depends on sponsors' money (0..1)."""
    return float(params.get("funding_exposure", 0.0))
