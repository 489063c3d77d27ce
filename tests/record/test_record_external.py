"""A user's event file as compare's record: exact small cases, and one line for bad files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from centrehold.errors import UserError
from centrehold.record.external import external_observed, read_external
from centrehold.record.observations import UNKNOWN_REGION

GED_HEADER = "id,year,type_of_violence,country,adm_1,date_start,date_end,best,low,high\n"


def _ged(tmp_path, lines: list[str], name: str = "ged.csv"):
    path = tmp_path / name
    path.write_text(GED_HEADER + "".join(line + "\n" for line in lines))
    return path


def test_ged_events_become_monthly_deaths_sizes_and_a_daily_series(tmp_path):
    path = _ged(tmp_path, [
        "1,2008,1,Iraq,Baghdad governorate,2008-01-05,2008-01-05,10,8,12",
        "2,2008,1,Iraq,Ninawa governorate,2008-01-30,2008-02-02,8,8,8",  # four days
        "3,2008,3,Iraq,Atlantis,2008-03-01,2008-03-01,3,3,3",  # matches no governorate
        "4,2008,1,Iraq,Al Anbar governorate,2008-03-31,2008-03-31,7,5,9",  # best, not high
        "5,2008,1,Iraq,Baghdad governorate,2008-04-02,2008-04-02,50,50,50",  # outside
    ])
    obs = external_observed(read_external(path), "2008-01", "2008-03",
                            regions=["IQ-AN", "IQ-BG", "IQ-NI"])
    m = obs.monthly.set_index(["month", "region"])["deaths"]
    jan, feb, mar = (pd.Timestamp(f"2008-0{k}-01") for k in (1, 2, 3))
    assert m[(jan, "IQ-BG")] == 10 and m[(jan, "IQ-NI")] == 8  # counted where it starts
    assert m[(feb, "IQ-NI")] == 0 and m[(feb, "IQ-BG")] == 0  # a quiet month is zero
    assert m[(mar, UNKNOWN_REGION)] == 3 and m[(mar, "IQ-AN")] == 7
    assert m.sum() == 10 + 8 + 3 + 7  # April's event is outside the window
    assert len(obs.monthly) == 3 * 4  # every month x (three regions + the unknown one)
    assert sorted(obs.sizes) == [3, 7, 8, 10]
    d = obs.daily
    assert d.index[0] == jan and d.index[-1] == pd.Timestamp("2008-03-31") and len(d) == 91
    assert d["2008-01-05"] == 10
    np.testing.assert_allclose(d["2008-01-30":"2008-02-02"].to_numpy(), [2.0] * 4)
    assert d.sum() == pytest.approx(28.0)


def test_acled_fatalities_are_read_the_same_way(tmp_path):
    path = tmp_path / "acled.csv"
    path.write_text("event_id_cnty,event_date,admin1,event_type,fatalities\n"
                    "IRQ1,2009-05-03,Basrah,Explosions/Remote violence,4\n"
                    "IRQ2,12 May 2009,Diyala,Battles,0\n")
    obs = external_observed(read_external(path), "2009-05", "2009-05")
    m = obs.monthly.set_index("region")["deaths"]
    assert m["IQ-BA"] == 4 and m["IQ-DI"] == 0 and m.sum() == 4
    assert list(obs.sizes) == [4.0]  # an event with no deaths is no incident size


@pytest.mark.parametrize(
    "content,needle",
    [
        (None, "no such record file"),
        ("x,y\n1,2\n", "neither UCDP GED's nor ACLED's"),
        ("id,year,country,adm_1,best\n1,2008,Iraq,Baghdad,4\n", "by year only"),
    ],
)
def test_a_file_compare_cannot_use_is_one_clear_error(tmp_path, content, needle):
    path = tmp_path / "record.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UserError, match=needle):
        read_external(path)


def test_a_window_the_file_does_not_cover_is_refused_before_any_simulation(tmp_path):
    path = _ged(tmp_path, ["1,2008,1,Iraq,Baghdad,2008-01-05,2008-01-05,10,8,12"])
    with pytest.raises(UserError, match="no events from 2010-01 to 2010-12"):
        external_observed(read_external(path), "2010-01", "2010-12", source=str(path))


def test_compare_reads_its_record_from_the_file_and_states_no_premises(tmp_path):
    from centrehold.infer.simulated import _record_inputs

    path = _ged(tmp_path, [
        "1,2008,1,Iraq,Baghdad,2008-01-05,2008-01-05,10,8,12",
        "2,2010,1,Iraq,Basra,2010-02-07,2010-02-07,6,6,6",
    ])
    fit, test, premises = _record_inputs(str(path), None, None, ("2008-01", "2009-12"),
                                         ("2010-01", "2010-12"))
    assert fit.monthly["deaths"].sum() == 10 and fit.monthly["month"].nunique() == 24
    assert test["deaths"].sum() == 6 and test["month"].nunique() == 12
    assert premises.empty  # the premises are read from IBC's own fields only
