"""The evidence table on the observed iraq-2009 record (bundled tables; no raw data needed)."""

from __future__ import annotations

import pytest

from centrehold.infer.evidence import evidence_table
from centrehold.record import iraq_observed, iraq_panel, iraq_region_map

# SOURCES.md: 2009 national monthly maxima of this (War Logs excluded) copy of IBC.
SOURCES_2009_MAXIMA = [280, 336, 426, 475, 327, 490, 393, 585, 299, 404, 204, 452]

#: The iraq-2009 scenario's facts the statistics read (`scenario_facts`).
FACTS = {"mixed": ("IQ-BG", "IQ-DI", "IQ-KI", "IQ-NI"), "withdrawal": "2009-06-30",
         "elections": ("2009-01-31", "2010-03-07")}


def test_national_values_are_the_sources_maxima():
    table = evidence_table(iraq_observed("2009-01", "2009-12"),
                           regions=iraq_region_map().regions, **FACTS)
    got = [table[f"national_2009-{m:02d}"] for m in range(1, 13)]
    assert got == SOURCES_2009_MAXIMA
    assert table["national_mean"] == pytest.approx(sum(SOURCES_2009_MAXIMA) / 12)
    # withdrawal: Jul-Dec over Jan-Jun 2009, by hand from the same maxima.
    before, after = SOURCES_2009_MAXIMA[:6], SOURCES_2009_MAXIMA[6:]
    assert table["withdrawal_ratio"] == pytest.approx(sum(after) / sum(before))
    # pre-election months inside 2009: January only (the 2010 election is outside).
    others = SOURCES_2009_MAXIMA[1:]
    assert table["pre_election_ratio"] == pytest.approx(280 / (sum(others) / 11))


def test_shares_cover_located_deaths_and_mixed_share_matches_the_panel():
    regions = iraq_region_map().regions
    table = evidence_table(iraq_observed(), regions=regions, **FACTS)
    shares = table[[f"share_{r}" for r in regions]]
    assert shares.sum() == pytest.approx(1.0)
    panel = iraq_panel("2008-01", "2009-12")
    located = panel[panel["region"] != "UNKNOWN"]
    mixed = located[located["region"].isin(["IQ-BG", "IQ-DI", "IQ-KI", "IQ-NI"])]
    assert table["share_mixed"] == pytest.approx(
        mixed["deaths_high"].sum() / located["deaths_high"].sum()
    )
    assert 0.0 < table["share_mass_casualty"] < 1.0
    assert table["tail_n"] >= 50 and table["tail_xmin"] >= 1


def test_class_shares_on_the_record_agree_with_the_mixed_share():
    from centrehold.record import iraq_class_map

    table = evidence_table(iraq_observed(), classes=iraq_class_map(), **FACTS)
    classes = table[[n for n in table.index if n.startswith("share_class_")]]
    assert sorted(classes.index) == [
        "share_class_kurdish", "share_class_mixed", "share_class_other",
        "share_class_shia_arab", "share_class_sunni_arab",
    ]
    assert classes.sum() == pytest.approx(1.0)
    assert table["share_class_mixed"] == pytest.approx(table["share_mixed"])
    assert table["share_class_other"] == 0.0  # every governorate has a class
