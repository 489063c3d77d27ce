"""Classing IBC's free-text Weapons field into explosive and other incidents.

The rival conjectures are about who drives the bombings, so the evidence sets the
record's explosive incidents (bombs of every kind, IEDs, suicide attacks, mortars,
rockets, grenades) apart from the rest (gunfire, executions, torture, air strikes'
unknown means). In the model the instigated attacks play the bombings' part and the
endogenous killing the rest; docs/evidence.md states that mapping and its limits.

IBC writes one description per incident, sometimes listing several means ("gunfire,
roadside bombs"). An incident counts as explosive when any of its means is: its deaths
cannot be split between the means, and a bombing is the distinctive part of such an
attack. A dash or an empty field is unknown (None): such incidents count in every
total and never as explosive.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

EXPLOSIVE_CLASS, OTHER_CLASS = "explosive", "other"

#: Word stems that mark an explosive means in IBC's Weapons text (lower case). Each
#: is matched at the start of a word, so "bomb" finds "car bomb" and "bombers" but
#: not "Bombay"-like words in the middle of another; "ied" and "vbied" stand alone.
EXPLOSIVE_STEMS: tuple[str, ...] = (
    "bomb", "ied", "vbied", "explosi", "suicide", "mortar", "rocket", "grenade",
    "mine", "blast", "blown up", "dynamit", "katyusha",
)

_PATTERN = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in EXPLOSIVE_STEMS) + r")")


def weapon_class(weapons: pd.Series) -> pd.Series:
    """"explosive", "other", or None where IBC gives no means (a dash or nothing)."""
    text = weapons.astype("string").str.strip().str.lower().fillna("")
    unknown = text.isin(["", "-", "unknown"])
    explosive = text.str.contains(_PATTERN, regex=True).fillna(False).astype(bool)
    out = pd.Series(
        np.where(explosive, EXPLOSIVE_CLASS, OTHER_CLASS), index=weapons.index, dtype=object
    )
    return out.where(~unknown, None)
