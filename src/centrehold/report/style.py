"""Colours readable for colour-blind viewers: Okabe-Ito for categories, cividis for rates."""

from __future__ import annotations

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000"]
STATE_COLOURS = {"quiet": "#56B4E9", "active": "#D55E00", "jailed": "#009E73", "dead": "#000000"}
SEQUENTIAL = "cividis"
DIVERGING = "PuOr"  # orange-purple: safe for red-green colour blindness
SIM_COLOUR = "#0072B2"
OBS_COLOUR = "#E69F00"
