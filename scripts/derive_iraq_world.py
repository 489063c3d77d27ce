"""Regenerate the small derived tables of the built-in scenario `iraq-2009`.

The raw tables in the shared data folder are not part of the project (licences and
size); the scenario ships only these derived, cited tables, and this script is how
anyone re-derives them and sees every assumption made on the way.

Usage: python scripts/derive_iraq_world.py [--data /work/shared/data] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

GROUPS = ("shia_arab", "sunni_arab", "kurd", "other")
OUT_DEFAULT = Path(__file__).resolve().parents[1] / "src/centrehold/scenario/library/iraq-2009"
# the record's seasons before the calendar: why iraq-2009 has no summer peak (docs)
SEASONALITY_DEFAULT = Path(__file__).resolve().parents[1] / "docs/data/hardship_seasonality.csv"

COSIT = (
    "COSIT Annual Abstract of Statistics 2013, Table 2/8 A, population projection 2010 "
    "(via governorate_population.csv)"
)
SIGIR09 = "SIGIR Quarterly Report 30 Oct 2009, Table 3.2 (via governorate_composition.csv)"
SIGIR08 = (
    "SIGIR Quarterly Report 30 Oct 2008 via Musings on Iraq summary "
    "(via governorate_composition.csv)"
)

# Governorates whose 2009 composition row is missing or partial, and how it is filled.
FILLS = {
    "IQ-BA": (
        "2009 row missing; filled from the 2008 religion split (100% Shia, 0% Sunni) mapped "
        "to Shia Arab; Kurd and other assumed 0",
        {"shia_arab": 1.0, "sunni_arab": 0.0, "kurd": 0.0, "other": 0.0},
    ),
    "IQ-MA": (
        "2009 gives only Shia 95%; 2008 gives Sunni 0%; the remaining 5 points assumed 'other'",
        {"shia_arab": 0.95, "sunni_arab": 0.0, "kurd": 0.0, "other": 0.05},
    ),
}

# Personnel by force and date, nationally; spread over governorates by the weights below.
# These are round figures, not data from the shared folder: each row names where it comes from.
FORCE_LEVELS = [
    # force, date, national personnel, source
    ("iraqi", "2008-01-01", 530_000, "DoD 'Measuring Stability and Security in Iraq' 2008 "
     "reports, MoI+MoD assigned strength, rounded (approximate; check)"),
    ("iraqi", "2009-06-01", 620_000, "DoD 'Measuring Stability and Security in Iraq' 2009 "
     "reports, rounded (approximate; check)"),
    ("iraqi", "2011-12-31", 650_000, "assumed slow growth after 2009 (assumption)"),
    ("occupation", "2008-01-01", 158_000, "Brookings Iraq Index, US troops in Iraq, Jan 2008, "
     "rounded (approximate; check)"),
    ("occupation", "2009-01-01", 146_000, "Brookings Iraq Index, Jan 2009, rounded "
     "(approximate; check)"),
    ("occupation", "2009-07-01", 130_000, "Brookings Iraq Index, mid-2009, rounded "
     "(approximate; check)"),
    ("occupation", "2010-01-01", 112_000, "Brookings Iraq Index, Jan 2010, rounded "
     "(approximate; check)"),
    ("occupation", "2010-09-01", 50_000, "end of the combat mission, 2010-08-31: about 50,000 "
     "advise-and-assist troops (timeline_2006_2010.csv)"),
    ("occupation", "2011-12-18", 0, "last US troops leave Iraq, Dec 2011 (general knowledge; "
     "check)"),
    ("kurdish", "2008-01-01", 150_000, "Peshmerga strength, rough midpoint of published "
     "estimates of 100,000-200,000 (assumption)"),
    ("kurdish", "2011-12-31", 150_000, "held constant (assumption)"),
    ("awakening", "2008-01-01", 80_000, "Sons of Iraq (Awakening) on the occupation's payroll, "
     "start of 2008, rounded (approximate; check: DoD 'Measuring Stability and Security in "
     "Iraq' 2008 reports)"),
    ("awakening", "2008-07-01", 100_000, "Sons of Iraq at their 2008 peak, about 100,000, "
     "rounded (approximate; check: DoD 'Measuring Stability and Security in Iraq' 2008)"),
    ("awakening", "2009-01-01", 94_000, "Sons of Iraq at the payroll transfer, rounded "
     "(approximate; check)"),
    ("awakening", "2010-01-01", 89_000, "Sons of Iraq still enrolled early 2010, rounded "
     "(approximate; check)"),
    ("awakening", "2011-12-31", 70_000, "assumed slow decline as members move to other jobs "
     "(assumption)"),
]

# The Awakening's Baghdad contingent: about 54,000 of the Sons of Iraq were in Baghdad when
# the government took over their pay there on 2008-10-01 (approximate; check); the rest are
# spread over the governorates with Sunni Arab populations outside Kurdistan, in proportion
# to their Sunni Arab population (assumption).
AWAKENING_BAGHDAD_SHARE = 54_000 / 94_000

# Share of each force's national personnel posted in each governorate (assumptions,
# documented in docs/iraq-2009.md): Iraqi forces by population with Baghdad and the mixed
# north weighted up; occupation forces concentrated in Baghdad and the Sunni and mixed
# governorates; Kurdish forces only in the three Kurdistan Region governorates.
OCCUPATION_WEIGHT = {
    "IQ-BG": 0.34, "IQ-AN": 0.10, "IQ-NI": 0.10, "IQ-DI": 0.08, "IQ-SD": 0.08, "IQ-KI": 0.06,
    "IQ-BB": 0.05, "IQ-BA": 0.07, "IQ-WA": 0.03, "IQ-DQ": 0.02, "IQ-KA": 0.01, "IQ-NA": 0.01,
    "IQ-QA": 0.02, "IQ-MA": 0.02, "IQ-MU": 0.01,
}
IRAQI_UPWEIGHT = {"IQ-BG": 1.3, "IQ-DI": 1.3, "IQ-NI": 1.3, "IQ-KI": 1.3, "IQ-SD": 1.2,
                  "IQ-AN": 1.2}
KURDISTAN = ("IQ-AR", "IQ-DA", "IQ-SU")

# Events not in the timeline file, with the assumption behind each date.
EXTRA_EVENTS = [
    ("2009-06-01", "funding_cut", "", "Sponsors cut funding to militias (article: militias short "
     "of funds; date assumed two months before the 2009-07-28 Rafidain robbery)",
     "article; date assumed"),
    ("2009-07-15", "resistance_split", "", "One resistance group negotiates separately with the "
     "occupation authority (article; date assumed mid-2009)", "article; date assumed"),
    ("2011-12-18", "withdrawal", "", "Last US troops leave Iraq", "general knowledge; check"),
    ("2008-12-27", "abroad", "", "Gaza war begins (event abroad, for H6)",
     "general knowledge; check"),
    ("2009-06-12", "abroad", "", "Iranian presidential election and protests (event abroad, "
     "for H5/H6)", "general knowledge; check"),
    ("2010-12-17", "abroad", "", "Tunisian uprising begins (event abroad, for H6)",
     "general knowledge; check"),
    ("2011-01-25", "abroad", "", "Egyptian protests begin (event abroad, for H6)",
     "general knowledge; check"),
]

KIND_OF_CATEGORY = {
    "election": "election",
    "withdrawal / SOFA": "withdrawal_step",
    "withdrawal": "withdrawal",
    "mass-casualty bombing": "attack",
    "crime by security personnel": "crime",
    "sectarian trigger": "context",
    "state vs militia": "context",
}


def governorates(data: Path) -> pd.DataFrame:
    gov = pd.read_csv(data / "governorates.csv")
    pop = pd.read_csv(data / "governorate_population.csv")
    pop = pop[(pop.reference_year == 2010) & (pop.kind == "official projection")]
    comp = pd.read_csv(data / "governorate_composition.csv")
    c09 = comp[comp.reference_year == 2009].set_index("iso_3166_2")
    borders = pd.read_csv(data / "governorate_international_borders.csv").set_index("iso_3166_2")
    rows = []
    for g in gov.itertuples():
        iso = g.iso_3166_2
        if iso in FILLS:
            note, shares = FILLS[iso]
            share_source = f"{SIGIR09}; {SIGIR08}; {note}"
        else:
            r = c09.loc[iso]
            pct = [r.shia_pct, r.sunni_pct, r.kurd_pct, r.other_pct]
            total = float(sum(pct))
            shares = {k: float(v) / total for k, v in zip(GROUPS, pct, strict=True)}
            share_source = SIGIR09 + ("" if total == 100 else f"; rescaled from {total}%")
            if iso == "IQ-DI":
                share_source += "; the 2008 figures (52% Sunni, 58% Shia) are inconsistent, unused"
        p = pop[pop.iso_3166_2 == iso].iloc[0]
        rows.append({
            "iso": iso,
            "name": g.name,
            "population": int(p.population_total),
            **{k: round(shares[k], 4) for k in GROUPS},
            "kurdistan": int(g.kurdistan_region_2009),
            "borders": borders.neighbouring_countries.get(iso, ""),
            "lat": g.interior_point_lat,
            "lon": g.interior_point_lon,
            "source": f"population: {COSIT}; shares: {share_source}; borders and point: "
                      "governorates.csv / governorate_international_borders.csv (OCHA COD-AB)",
        })
    return pd.DataFrame(rows).sort_values("iso").reset_index(drop=True)


def adjacency(data: Path) -> pd.DataFrame:
    adj = pd.read_csv(data / "governorate_adjacency.csv")
    out = adj[["iso_a", "iso_b", "shared_border_km_approx"]].rename(
        columns={"shared_border_km_approx": "border_km"})
    out["source"] = "governorate_adjacency.csv (computed from OCHA COD-AB 2019 adm1 polygons)"
    return out


def forces(gov: pd.DataFrame) -> pd.DataFrame:
    pop = gov.set_index("iso").population
    w_iraqi = pop * pd.Series(IRAQI_UPWEIGHT).reindex(pop.index).fillna(1.0)
    w_iraqi[list(KURDISTAN)] = 0.0
    w_iraqi = w_iraqi / w_iraqi.sum()
    w_occ = pd.Series(OCCUPATION_WEIGHT).reindex(pop.index).fillna(0.0)
    w_occ = w_occ / w_occ.sum()
    w_kurd = pd.Series(0.0, index=pop.index)
    w_kurd[list(KURDISTAN)] = pop[list(KURDISTAN)] / pop[list(KURDISTAN)].sum()
    sunni = gov.set_index("iso").eval("population * sunni_arab")
    sunni[list(KURDISTAN) + ["IQ-BG"]] = 0.0
    w_awak = (1.0 - AWAKENING_BAGHDAD_SHARE) * sunni / sunni.sum()
    w_awak["IQ-BG"] = AWAKENING_BAGHDAD_SHARE
    w_awak[w_awak < 0.005] = 0.0  # no contingent where almost no Sunni Arabs live
    w_awak = w_awak / w_awak.sum()
    weights = {"iraqi": w_iraqi, "occupation": w_occ, "kurdish": w_kurd, "awakening": w_awak}
    rows = []
    for force, date, total, src in FORCE_LEVELS:
        for iso, w in weights[force].items():
            if w > 0:
                rows.append({"date": date, "force": force, "iso": iso,
                             "personnel": int(round(total * w)),
                             "source": f"{src}; spread by governorate weights (assumption, "
                                       "scripts/derive_iraq_world.py)"})
    return pd.DataFrame(rows)


def events(data: Path) -> pd.DataFrame:
    tl = pd.read_csv(data / "timeline_2006_2010.csv")
    rows = []
    for e in tl.itertuples():
        kind = KIND_OF_CATEGORY.get(e.category, "context")
        rows.append({
            "date": e.date,
            "kind": kind,
            "iso": "" if pd.isna(e.governorate_iso) else e.governorate_iso,
            "deaths": "" if pd.isna(e.deaths_best) else int(e.deaths_best),
            "event": e.event,
            "source": f"timeline_2006_2010.csv: {e.source_1}",
        })
    for date, kind, iso, text, src in EXTRA_EVENTS:
        rows.append({"date": date, "kind": kind, "iso": iso, "deaths": "", "event": text,
                     "source": src})
    out = pd.DataFrame(rows).sort_values(["date", "kind"]).reset_index(drop=True)
    return out


FOOTPRINT_YEAR = 2007
IBC_SOURCE = (
    "Iraq Body Count incident export (2012-03-06, WikiLeaks-sourced rows removed), "
    "governorates coded by Beger 2012; non-commercial, (c) IBC"
)


def footprint(data: Path, ibc: tuple) -> pd.DataFrame:
    """Where the insurgent bombing campaign struck in the year before the calendar: each
    governorate's share of the record's explosive-weapon deaths (reported maximum) of
    incidents starting in FOOTPRINT_YEAR, unplaced incidents left out. The fit window
    (2008-2009) and the test year (2010) are not read. `ibc` is what
    derive_iraq_record.read_ibc returns."""
    from derive_iraq_record import alias_table

    from centrehold.record.names import RegionMap, assign_regions
    from centrehold.record.weapons import EXPLOSIVE_CLASS

    governorates = pd.read_csv(data / "governorates.csv", dtype=str, keep_default_na=False)
    region_map = RegionMap.from_table(alias_table(governorates), source="governorates.csv")
    events, report, _, _ = ibc
    events = assign_regions(events, region_map, report)
    year = events[(events["start"].dt.year == FOOTPRINT_YEAR)
                  & (events["type"] == EXPLOSIVE_CLASS) & events["region"].notna()]
    deaths = year.groupby("region")["deaths_high"].sum()
    rows = []
    for gov in governorates.sort_values("iso_3166_2").itertuples(index=False):
        d = int(deaths.get(gov.iso_3166_2, 0))
        rows.append({"iso": gov.iso_3166_2, "explosive_deaths": d,
                     "share": round(d / deaths.sum(), 4),
                     "source": f"{IBC_SOURCE}: explosive-weapon incidents starting in "
                               f"{FOOTPRINT_YEAR}, reported maximum deaths"})
    return pd.DataFrame(rows)


SEASON_YEARS = (2004, 2007)
SUMMER = (6, 7, 8)


def month_of_year_deviation(monthly: pd.Series) -> pd.DataFrame:
    """Each calendar month's log deviation from the centred 13-month moving average of
    log deaths, by year (rows: month 1-12; columns: years): what is left of a month once
    the slow rise and fall of the war is taken out. Months within six of either end
    have no centred average and are left out."""
    log = np.log(monthly.clip(lower=1.0))
    dev = (log - log.rolling(13, center=True).mean()).dropna()
    frame = pd.DataFrame({"month": dev.index.month, "year": dev.index.year, "dev": dev.values})
    return frame.pivot(index="month", columns="year", values="dev")


def seasonality(ibc: tuple) -> pd.DataFrame:
    """Is there a summer peak in the killing before the calendar? Month-of-year log
    deviations (month_of_year_deviation) of the record's non-explosive and explosive
    deaths (reported maximum) over SEASON_YEARS, averaged over the years. The fit window
    and the test year are not read. `ibc` is what derive_iraq_record.read_ibc returns."""
    from centrehold.record.weapons import EXPLOSIVE_CLASS

    events = ibc[0]
    lo, hi = SEASON_YEARS
    # the moving average needs six months either side of the years it judges
    events = events[events["start"].dt.year.between(lo - 1, hi)]
    month = events["start"].dt.to_period("M").dt.to_timestamp()
    rows = {}
    for name, mask in (("nonexplosive", events["type"] != EXPLOSIVE_CLASS),
                       ("explosive", events["type"] == EXPLOSIVE_CLASS)):
        monthly = events.loc[mask, "deaths_high"].groupby(month[mask]).sum()
        by_year = month_of_year_deviation(monthly)
        by_year = by_year[[y for y in by_year.columns if lo <= y <= hi]]
        rows[f"{name}_log_deviation"] = by_year.mean(axis=1).round(3)
        rows[f"{name}_sd_over_years"] = by_year.std(axis=1, ddof=1).round(3)
    out = pd.DataFrame(rows).rename_axis("month").reset_index()
    out["source"] = (f"{IBC_SOURCE}: monthly deaths (reported maximum) {lo}-{hi}, log "
                     "deviation from the centred 13-month moving average")
    return out


def summer_contrast(table: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """(mean log deviation in the SUMMER months, in the others) for each kind of death
    in a `seasonality` table: the figures docs/iraq-2009.md ("Seasons") quotes."""
    summer = table["month"].isin(SUMMER)
    return {kind: (float(table.loc[summer, f"{kind}_log_deviation"].mean()),
                   float(table.loc[~summer, f"{kind}_log_deviation"].mean()))
            for kind in ("nonexplosive", "explosive")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--out", type=Path, default=OUT_DEFAULT)
    ap.add_argument("--seasonality-out", type=Path, default=SEASONALITY_DEFAULT,
                    help="where the month-of-year table goes (evidence, not a scenario input)")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    gov = governorates(a.data)
    gov.to_csv(a.out / "governorates.csv", index=False)
    adjacency(a.data).to_csv(a.out / "adjacency.csv", index=False)
    forces(gov).to_csv(a.out / "forces.csv", index=False)
    events(a.data).to_csv(a.out / "events.csv", index=False)
    from derive_iraq_record import read_ibc

    ibc = read_ibc(a.data)  # both the footprint and the seasons read it
    footprint(a.data, ibc).to_csv(a.out / "insurgency_footprint.csv", index=False)
    print(f"wrote 5 tables to {a.out}")
    a.seasonality_out.parent.mkdir(parents=True, exist_ok=True)
    seasons = seasonality(ibc)
    seasons.to_csv(a.seasonality_out, index=False)
    print(f"wrote {a.seasonality_out}")
    for kind, (summer, rest) in summer_contrast(seasons).items():
        print(f"  {kind} deaths, log deviation: June-August {summer:+.2f}, other months "
              f"{rest:+.2f}")


if __name__ == "__main__":
    main()
