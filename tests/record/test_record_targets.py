"""Target classes: the written rules on small made-up texts, and agreement with the
incidents labelled by hand (tests/record/fixtures/README.md) on the real IBC text."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from centrehold.record.readers import read_ibc_targets
from centrehold.record.targets import TARGET_CLASSES, classify_target, target_classes

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = "ibc/ibc-incidents-2012-3-6_excl-wikileaks.csv"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("two bodies found in a river", "executions"),
        ("body of a policeman found shot", "executions"),
        ("sahwa guard post", "awakening"),
        ("awakening council checkpoint", "awakening"),
        ("provincial council member in car", "officials"),
        ("Sheikh Hamad, clan leader", "officials"),
        ("employee of the ministry of health", "other_civilians"),
        ("ministry of justice", "officials"),
        ("army checkpoint, two civilians killed", "state_security"),
        ("clashes between police and gunmen", "state_security"),
        ("former army officer", "other_civilians"),
        ("convoy of a private security firm", "other_civilians"),
        ("Shiite pilgrims on the road", "religious"),
        ("Yazidi shepherd", "minorities"),
        ("crowd at a bus station", "markets_crowds"),
        ("wedding party", "markets_crowds"),
        ("car repair garage", "other_civilians"),
        ("farmer in his field", "other_civilians"),
        ("civilians hit by US air strike", "other_civilians"),
        ("-", "unknown"),
        ("", "unknown"),
    ],
)
def test_rules_on_made_up_texts(target: str, expected: str) -> None:
    assert classify_target(target).label == expected


def test_community_is_recorded_only_where_the_text_names_it() -> None:
    assert classify_target("Shiite worshippers").community == "shia"
    assert classify_target("worshippers at a Sunni mosque").community == "sunni"
    assert classify_target("church in the old city").community == "christian"
    assert classify_target("pilgrims in a bus").community == ""
    assert classify_target("Christian family").community == ""  # a minority, not a site


def test_location_and_weapons_decide_only_when_the_target_is_silent() -> None:
    assert classify_target("-", "near the grand mosque").label == "religious"
    assert classify_target("-", "vegetable market, east side").label == "markets_crowds"
    assert classify_target("-", "police station road").label == "state_security"
    assert classify_target("", "a village", "gunfire, executed").label == "executions"
    assert classify_target("-", "a village", "roadside bomb").label == "unknown"
    # a stated target wins over the place
    assert classify_target("police patrol", "vegetable market").label == "state_security"


def test_target_classes_keeps_the_index_and_gives_only_known_classes() -> None:
    frame = target_classes(
        pd.Series(["police patrol", "-", None], index=[7, 3, 5]),
        location=pd.Series(["x", "central market", "y"], index=[7, 3, 5]),
    )
    assert list(frame.index) == [7, 3, 5]
    assert frame["target_class"].tolist() == ["state_security", "markets_crowds", "unknown"]
    assert set(frame["target_class"]) <= set(TARGET_CLASSES)


def _agreement(labels: pd.DataFrame, shared: Path) -> tuple[float, pd.DataFrame]:
    events, _ = read_ibc_targets(shared / EXPORT)
    events = events.drop_duplicates("source_id").set_index("source_id")
    missing = sorted(set(labels["code"]) - set(events.index))
    assert not missing, f"labelled codes absent from the export: {missing[:5]}"
    rows = events.loc[labels["code"]]
    found = target_classes(rows["target"], rows["place"], rows["weapons"])
    labels = labels.assign(
        predicted=found["target_class"].to_numpy(),
        predicted_community=found["community"].to_numpy(),
    )
    return float((labels["label"] == labels["predicted"]).mean()), labels


@pytest.mark.parametrize("fixture", ["ibc_target_labels.csv", "ibc_target_labels_heldout.csv"])
def test_agreement_with_hand_labels_is_at_least_90_percent(
    shared_data: Path, fixture: str
) -> None:
    path = FIXTURES / fixture
    if not path.exists():
        pytest.skip(f"{fixture} is not in this checkout")
    labels = pd.read_csv(path, keep_default_na=False, dtype=str)
    assert set(labels["label"]) <= set(TARGET_CLASSES)
    agreement, labelled = _agreement(labels, shared_data)
    confusion = pd.crosstab(labelled["label"], labelled["predicted"])
    assert agreement >= 0.90, f"agreement {agreement:.3f}\n{confusion}"
    religious = labelled[labelled["label"] == "religious"]
    assert (religious["community"] == religious["predicted_community"]).mean() >= 0.9


def test_bundled_target_classes_sum_to_the_monthly_panel() -> None:
    from centrehold.record.iraq import iraq_panel, iraq_target_classes

    table = iraq_target_classes("2009-01", "2009-12")
    panel = iraq_panel("2009-01", "2009-12").set_index(["month", "region"])
    summed = table.groupby(["month", "region"])[["incidents", "deaths_low", "deaths_high"]].sum()
    pd.testing.assert_frame_equal(
        summed.sort_index(), panel[["incidents", "deaths_low", "deaths_high"]].sort_index()
    )
    assert set(table["target_class"]) == set(TARGET_CLASSES)
    split = iraq_target_classes("2009-01", "2009-12", by_community=True)
    religious = split[split["target_class"] == "religious"]
    assert set(religious["community"]) <= {"", "shia", "sunni", "christian"}
    assert religious["deaths_high"].sum() == table.loc[
        table["target_class"] == "religious", "deaths_high"
    ].sum()


def test_target_shares_sum_to_one_and_reject_unknown_groupings() -> None:
    from centrehold.errors import UserError
    from centrehold.record.iraq import iraq_target_shares

    shares = iraq_target_shares("2009-01", "2009-12", bound="low", by=("month", "region"))
    sums = shares.dropna(how="all").sum(axis=1)
    assert len(sums) > 100 and ((sums - 1).abs() < 1e-9).all()
    overall = iraq_target_shares("2009-01", "2009-12", by=())
    assert len(overall) == 1 and abs(float(overall.sum(axis=1).iloc[0]) - 1) < 1e-9
    with pytest.raises(UserError, match="month and/or region"):
        iraq_target_shares(by=("weekday",))


def test_read_ibc_targets_gives_the_text_beside_the_events(tmp_path: Path) -> None:
    header = ('"IBC code","Start Date","End Date","Time","Location","Target","Weapons",'
              '"Reported Minimum","Reported Maximum","Sources"')
    rows = [
        '"k1","2 Jan 2009","2 Jan 2009","","Hilla","police patrol","roadside bomb","2","3","A"',
        '"k2","bad","2 Jan 2009","","Hilla","market","car bomb","1","1","B"',
        '"k3","3 Jan 2009","","","Hilla central market","-","car bomb","4","5","C"',
    ]
    path = tmp_path / "ibc.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    events, report = read_ibc_targets(path)
    assert events["source_id"].tolist() == ["k1", "k3"]  # the bad date is left out, listed
    assert events["target"].tolist() == ["police patrol", "-"]
    assert events["weapons"].tolist() == ["roadside bomb", "car bomb"]
    assert len(report.malformed) == 1
    classes = target_classes(events["target"], events["place"], events["weapons"])
    assert classes["target_class"].tolist() == ["state_security", "markets_crowds"]
    # an export without Target: the text is empty and every class unknown
    narrow = tmp_path / "narrow.csv"
    narrow.write_text(
        '"IBC code","Start Date","End Date","Location","Reported Minimum","Reported Maximum"\n'
        '"k9","2 Jan 2009","2 Jan 2009","Hilla","1","1"\n',
        encoding="utf-8",
    )
    events, _ = read_ibc_targets(narrow)
    assert events["target"].tolist() == [""] and events["weapons"].tolist() == [""]
    assert target_classes(events["target"])["target_class"].tolist() == ["unknown"]
