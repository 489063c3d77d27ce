"""Counter-based random numbers: every draw is a pure function of (key, tick, agent, slot).

A shared generator would make results depend on which thread reached it first. A hash
of the draw's coordinates gives the same number whatever the thread count or the order
of evaluation, which is what makes the synchronous schedule bit-reproducible.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_C_AGENT = np.uint64(0xD6E8FEB86659FD93)
_C_SLOT = np.uint64(0xA0761D6478BD642F)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53

# Slots: each kind of draw has its own, so adding a draw never shifts another.
SLOT_ORDER = 0  # the random activation order
SLOT_JAIL = 1  # the term of an agent being jailed
SLOT_ARREST = 2  # which active a cop picks
SLOT_SUCCESS = 3  # whether an arrest attempt succeeds
SLOT_PRIORITY = 4  # conflict priority in the synchronous schedule
SLOT_BIRTH = 5  # whether a civilian clones this tick
SLOT_CHILD = 6  # the child's hardship/risk aversion
SLOT_TIE = 7  # tie-breaks among equally near candidates
SLOT_PLACE = 16  # placing a released or returning agent (uses 16..47)
SLOT_MOVE = 48  # movement proposals (uses 48..)


@njit(cache=True, inline="always")
def mix64(x: np.uint64) -> np.uint64:
    """splitmix64's finaliser: a bijection on 64 bits with good avalanche."""
    z = x + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def tick_key(key: np.uint64, tick: np.int64) -> np.uint64:
    """The part of a draw's hash shared by a whole tick; hot loops compute it once."""
    return mix64(key ^ mix64(np.uint64(tick)))


@njit(cache=True, inline="always")
def hash_agent(kt: np.uint64, agent: np.int64) -> np.uint64:
    """The part of a draw's hash shared by one agent's draws in a tick."""
    return mix64(kt ^ (np.uint64(agent) * _C_AGENT))


@njit(cache=True, inline="always")
def hash_slot(ha: np.uint64, slot: np.int64) -> np.uint64:
    """`hash4` given the agent's `hash_agent`: an agent drawing several slots mixes once."""
    return mix64(ha ^ (np.uint64(slot) * _C_SLOT))


@njit(cache=True, inline="always")
def hash_kt(kt: np.uint64, agent: np.int64, slot: np.int64) -> np.uint64:
    """`hash4` given the tick's `tick_key`: the same value, two mixes fewer."""
    return hash_slot(hash_agent(kt, agent), slot)


@njit(cache=True, inline="always")
def hash4(key: np.uint64, tick: np.int64, agent: np.int64, slot: np.int64) -> np.uint64:
    return hash_kt(tick_key(key, tick), agent, slot)


@njit(cache=True, inline="always")
def uniform(key: np.uint64, tick: np.int64, agent: np.int64, slot: np.int64) -> float:
    """A float in [0, 1) from the draw's coordinates."""
    return np.float64(hash4(key, tick, agent, slot) >> _S11) * _INV53


@njit(cache=True, inline="always")
def below(key: np.uint64, tick: np.int64, agent: np.int64, slot: np.int64, n: np.int64) -> np.int64:
    """An integer uniform on 0..n-1 (n >= 1)."""
    return np.int64(uniform(key, tick, agent, slot) * n)
