"""The 18 governorates of Iraq and a hand-made tile layout for when no boundary file is at hand.

Tiles give every governorate the same visual weight, which suits per-capita rates (a
choropleth lets Anbar's desert dominate the eye). The grid keeps rough geography: north on
top, Anbar and Najaf to the west, Basra in the south-east, Baghdad in the middle.
"""

from __future__ import annotations

# ISO 3166-2 code -> (English name, column, row); row 0 is the northernmost.
GOVERNORATES: dict[str, tuple[str, int, int]] = {
    "IQ-DA": ("Dohuk", 1, 0),
    "IQ-AR": ("Erbil", 2, 0),
    "IQ-NI": ("Nineveh", 1, 1),
    "IQ-KI": ("Kirkuk", 2, 1),
    "IQ-SU": ("Sulaymaniyah", 3, 1),
    "IQ-AN": ("Anbar", 0, 2),
    "IQ-SD": ("Salah al-Din", 1, 2),
    "IQ-DI": ("Diyala", 2, 2),
    "IQ-KA": ("Karbala", 0, 3),
    "IQ-BG": ("Baghdad", 1, 3),
    "IQ-WA": ("Wasit", 2, 3),
    "IQ-MA": ("Maysan", 3, 3),
    "IQ-NA": ("Najaf", 0, 4),
    "IQ-BB": ("Babil", 1, 4),
    "IQ-QA": ("Qadisiyah", 2, 4),
    "IQ-BA": ("Basra", 3, 4),
    "IQ-MU": ("Muthanna", 1, 5),
    "IQ-DQ": ("Dhi Qar", 2, 5),
}

N_COLS = 1 + max(c for _, c, _ in GOVERNORATES.values())
N_ROWS = 1 + max(r for _, _, r in GOVERNORATES.values())


def tile_position(iso: str) -> tuple[int, int] | None:
    """(column, row) of a governorate's tile, or None for a region outside the layout."""
    entry = GOVERNORATES.get(iso)
    return None if entry is None else (entry[1], entry[2])


def short_label(iso: str) -> str:
    """The two letters after `IQ-`: what fits on a tile."""
    return iso.split("-", 1)[-1]
