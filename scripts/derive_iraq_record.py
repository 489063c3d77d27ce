"""Regenerate centrehold's bundled iraq-2009 record tables from the raw sources.

Reads /work/shared/data (or --data DIR): the governorate-coded IBC file, the IBC
incident export (to check the two agree row for row, and for each incident's weapon
class, joined on IBC's code), governorates.csv and
governorate_composition.csv, and writes small derived tables into
src/centrehold/record/bundled/. The raw files are never copied. Run:

    .venv/bin/python scripts/derive_iraq_record.py [--data DIR] [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from centrehold.record.aggregate import aggregate
from centrehold.record.names import RegionMap, assign_regions
from centrehold.record.observations import UNKNOWN_REGION
from centrehold.record.premises import daily_table
from centrehold.record.readers import read_ibc_province, read_ibc_targets
from centrehold.record.sizes import SIZE_CLASSES, size_class
from centrehold.record.targets import TARGET_CLASSES, target_classes
from centrehold.record.weapons import EXPLOSIVE_CLASS

START, END = "2008-01", "2010-12"
ROOT = Path(__file__).resolve().parents[1]


def alias_table(governorates: pd.DataFrame) -> pd.DataFrame:
    """Every spelling listed in governorates.csv, one alias per row (names only)."""
    rows = []
    for gov in governorates.itertuples(index=False):
        spellings = [
            ("iso_3166_2", gov.iso_3166_2),
            ("name", gov.name),
            ("name_ocha", gov.name_ocha),
            ("name_ar", gov.name_ar),
            ("name_in_ibc_beger", gov.name_in_ibc_beger),
        ]
        spellings += [("alt_names", a.strip()) for a in str(gov.alt_names).split(";")]
        seen = set()
        for column, alias in spellings:
            if alias and alias not in seen:
                seen.add(alias)
                rows.append(
                    {"alias": alias, "region": gov.iso_3166_2, "name": gov.name, "column": column}
                )
    return pd.DataFrame(rows)


def classes_table(composition: pd.DataFrame) -> pd.DataFrame:
    """2009 composition class by governorate: the first words of the hand-assigned label."""
    rows = composition[composition["reference_year"].astype(str) == "2009"]
    out = pd.DataFrame(
        {
            "region": rows["iso_3166_2"],
            "name": rows["name"],
            "class": rows["model_class_hand_assigned"].str.split(" \\(").str[0].str.strip(),
            "label": rows["model_class_hand_assigned"],
        }
    )
    return out.sort_values("region").reset_index(drop=True)


def read_ibc(data: Path):
    """Both IBC files (the governorate-coded one and the export, checked to list the same
    incidents), each incident with its weapon class joined from the export on IBC's code;
    with each file's read report."""
    events, report = read_ibc_province(data / "ibc/IBC_event_province-coded_excl-wikileaks.csv")
    raw, raw_report = read_ibc_targets(data / "ibc/ibc-incidents-2012-3-6_excl-wikileaks.csv")
    if raw["source_id"].tolist() != events["source_id"].tolist():
        print(
            "warning: raw and governorate-coded IBC files list different incidents", file=sys.stderr
        )
    weapons = raw.drop_duplicates("source_id").set_index("source_id")["type"]
    events["type"] = events["source_id"].map(weapons)
    return events, report, raw, raw_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--out", type=Path, default=ROOT / "src/centrehold/record/bundled")
    args = parser.parse_args(argv)
    data, out = args.data, args.out
    out.mkdir(parents=True, exist_ok=True)

    governorates = pd.read_csv(data / "governorates.csv", dtype=str, keep_default_na=False)
    aliases = alias_table(governorates)
    aliases.to_csv(out / "iraq_region_aliases.csv", index=False)
    region_map = RegionMap.from_table(aliases, source="governorates.csv")
    composition = pd.read_csv(
        data / "governorate_composition.csv", dtype=str, keep_default_na=False
    )
    classes_table(composition).to_csv(out / "iraq_governorate_classes.csv", index=False)

    events, report, raw, raw_report = read_ibc(data)
    # the target class, from the export's Target text (Location, Weapons when silent)
    classes = target_classes(raw["target"], raw["place"], raw["weapons"])
    classes.index = raw["source_id"]
    classes = classes[~classes.index.duplicated()]
    events["target_class"] = events["source_id"].map(classes["target_class"]).fillna("unknown")
    events["community"] = events["source_id"].map(classes["community"]).fillna("")
    events = assign_regions(events, region_map, report)
    if report.unmatched:
        print(f"unmatched province names: {report.unmatched}", file=sys.stderr)
        return 1
    for line, reason in report.malformed:
        print(f"left out line {line}: {reason}", file=sys.stderr)

    lo, hi = pd.Timestamp(START), pd.Timestamp(END) + pd.offsets.MonthEnd(0)
    window = events[(events["start"] >= lo) & (events["start"] <= hi)].copy()

    # Governorate x month panel, complete (zeros written), UNKNOWN for unplaced deaths.
    table = aggregate(window)
    months = pd.date_range(START, END, freq="MS")
    regions = sorted(region_map.regions) + [UNKNOWN_REGION]
    full = pd.MultiIndex.from_product([months, regions], names=["period", "region"])
    panel = (
        table.set_index(["period", "region"])[["incidents", "deaths_low", "deaths_high"]]
        .reindex(full, fill_value=0)
        .reset_index()
        .rename(columns={"period": "month"})
    )
    bombs = aggregate(window[window["type"] == EXPLOSIVE_CLASS])
    bombs = (
        bombs.set_index(["period", "region"])[["incidents", "deaths_low", "deaths_high"]]
        .reindex(full, fill_value=0)
        .add_prefix("explosive_")
        .reset_index(drop=True)
    )
    panel = pd.concat([panel, bombs], axis=1)
    panel["month"] = panel["month"].dt.strftime("%Y-%m")
    counts = ["incidents", "deaths_low", "deaths_high"]
    for column in counts + [f"explosive_{c}" for c in counts]:
        panel[column] = panel[column].astype("int64")
    panel.to_csv(out / "iraq_ibc_governorate_month.csv", index=False)

    # Incident sizes: how many incidents had each (min, max) pair, by month.
    window["month"] = window["start"].dt.strftime("%Y-%m")
    sizes = (
        window.groupby(["month", "deaths_low", "deaths_high"])
        .size()
        .rename("incidents")
        .reset_index()
    )
    for column in ("deaths_low", "deaths_high"):
        sizes[column] = sizes[column].astype("int64")
    sizes.to_csv(out / "iraq_ibc_incident_sizes.csv", index=False)

    # Target classes: incidents and deaths by month, governorate, class and (for
    # religious targets) the community the text names; rows with incidents only.
    placed = window.assign(region=window["region"].fillna(UNKNOWN_REGION))
    targets = (
        placed.groupby(["month", "region", "target_class", "community"])
        .agg(
            incidents=("source_id", "size"),
            deaths_low=("deaths_low", "sum"),
            deaths_high=("deaths_high", "sum"),
        )
        .reset_index()
    )
    for column in ("incidents", "deaths_low", "deaths_high"):
        targets[column] = targets[column].astype("int64")
    assert set(targets["target_class"]) <= set(TARGET_CLASSES)
    targets.to_csv(out / "iraq_ibc_target_classes.csv", index=False)

    # Daily national series (multi-day incidents spread evenly over their days), for
    # the event studies and the premises; the last day is the last incident's end.
    daily = daily_table(window, first=START + "-01")
    daily.index = daily.index.strftime("%Y-%m-%d")
    daily.to_csv(out / "iraq_ibc_daily.csv", float_format="%.6g")

    # Size classes by month, on both bounds.
    rows = []
    for month, group in window.groupby("month"):
        by_low = pd.Series(size_class(group["deaths_low"].to_numpy())).value_counts()
        by_high = pd.Series(size_class(group["deaths_high"].to_numpy())).value_counts()
        for label in SIZE_CLASSES:
            rows.append(
                {
                    "month": month,
                    "size_class": label,
                    "incidents_by_min": int(by_low.get(label, 0)),
                    "incidents_by_max": int(by_high.get(label, 0)),
                }
            )
    pd.DataFrame(rows).to_csv(out / "iraq_ibc_size_classes.csv", index=False)

    national = panel.groupby("month")[["deaths_low", "deaths_high"]].sum()
    print(
        f"events read: {report.rows_read}, left out: {len(report.malformed)}, "
        f"in {START}..{END}: {len(window)} "
        f"({int(window['deaths_low'].sum())}-{int(window['deaths_high'].sum())} deaths)"
    )
    print(
        "2009 national monthly maxima:",
        national.loc["2009-01":"2009-12", "deaths_high"].astype(int).tolist(),
    )
    print(f"raw export read: {raw_report.rows_read} rows, left out {len(raw_report.malformed)}")
    print(
        "share of 2008-2010 deaths (max) in explosive incidents:",
        round(panel["explosive_deaths_high"].sum() / panel["deaths_high"].sum(), 3),
    )
    shares = targets.groupby("target_class")["deaths_high"].sum() / targets["deaths_high"].sum()
    print("share of 2008-2010 deaths (max) by target class:", shares.round(3).to_dict())
    assert targets["deaths_high"].sum() == panel["deaths_high"].sum()
    assert abs(daily["deaths_high"].sum() - panel["deaths_high"].sum()) < 0.01
    assert np.all(panel[["incidents", "deaths_low", "deaths_high"]].to_numpy() >= 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
