"""IBC's Weapons text classed as explosive or other, through the reader and the bundled panel."""

from __future__ import annotations

import pandas as pd

from centrehold.record import iraq_panel
from centrehold.record.weapons import weapon_class


def test_weapon_classes_of_typical_descriptions():
    text = pd.Series([
        "car bomb", "suicide bomber", "roadside bombs", "IED", "magnetic bomb attached to car",
        "mortar rounds", "Katyusha rockets", "hand grenades", "gunfire, roadside bomb",
        "building blown up", "gunfire", "executed, tortured", "drive-by shooting",
        "US air strike", "stabbed", "-", "", None,
    ])
    got = weapon_class(text).tolist()
    assert got[:10] == ["explosive"] * 10
    assert got[10:15] == ["other"] * 5
    # no means given: unknown, never counted as explosive
    assert got[15:] == [None, None, None]


def test_stems_match_at_word_starts_only():
    # "timed" contains "ied" and "undermined" contains "mine", but neither is a means
    assert weapon_class(pd.Series(["timed gunfire", "undermined wall"])).tolist() == [
        "other", "other"]


def test_bundled_explosive_columns_are_a_part_of_every_cell():
    panel = iraq_panel()
    for kind in ("incidents", "deaths_low", "deaths_high"):
        assert (panel[f"explosive_{kind}"] >= 0).all()
        assert (panel[f"explosive_{kind}"] <= panel[kind]).all(), kind
    # about half of 2008-2010 deaths came in explosive incidents (55.5% on the maxima,
    # from the export's Weapons field): a bound on what the join and the classing give
    share = panel["explosive_deaths_high"].sum() / panel["deaths_high"].sum()
    assert 0.5 < share < 0.6
