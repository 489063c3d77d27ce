"""What an observation of political violence is: the small input every statistic reads.

The record (an event file aggregated to region x month) and a simulated world are
both reduced to an `EvidenceInput` before anything is compared, so the type belongs
to the record, and `infer` only reads it. The input is deliberately small (deaths by
month and region, and the size of every incident), because that is what both an
event file and a simulation can honestly provide. See docs/evidence.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from centrehold.errors import UserError

#: Region code for deaths whose place could not be mapped to a region. They count in
#: national totals and are left out of every share by region.
UNKNOWN_REGION = "UNKNOWN"

#: The column of `EvidenceInput.monthly` that holds deaths in explosive incidents.
EXPLOSIVE = "explosive"

#: Against whom: coarse target groups, each a column of `EvidenceInput.monthly` (deaths)
#: when given. The record's target classes (centrehold.record.targets) and the model's
#: attack targets map onto them as docs/evidence.md states:
#: state: state security, the Awakening, officials (model: attacks on `state`);
#: crowds: markets and crowds (model: attacks on `any`);
#: community: religious gatherings and minorities (model: attacks on a community);
#: killings: executions and other civilians (model: sectarian and intra-community killing).
TARGET_GROUPS: dict[str, tuple[str, ...]] = {
    "state": ("state_security", "awakening", "officials"),
    "crowds": ("markets_crowds",),
    "community": ("religious", "minorities"),
    "killings": ("executions", "other_civilians"),
}
TARGET_COLUMNS: tuple[str, ...] = tuple(f"target_{g}" for g in TARGET_GROUPS)


#: The dtypes validation gives `month` (month starts) and `region`: a producer that
#: builds its frame with them, sorted and one row per month and region, skips the
#: pandas steps of validation (`_canonical`).
MONTH_DTYPE = np.dtype("datetime64[us]")
REGION_DTYPE = pd.StringDtype(na_value=np.nan)


def _canonical(frame: pd.DataFrame) -> bool:
    """Whether `frame` is already validated form: month starts of validation's dtype, region
    strings, float values, one row per (month, region) sorted by both. Then validation
    changes nothing but the index; checked on arrays, in well under a millisecond."""
    month, region = frame["month"], frame["region"]
    if month.dtype != MONTH_DTYPE or region.dtype != REGION_DTYPE:
        return False
    if any(frame[c].dtype != np.float64 for c in frame.columns[2:]):
        return False
    m = month.to_numpy()
    if np.isnat(m).any() or not (m.astype("datetime64[M]").astype(m.dtype) == m).all():
        return False
    if len(m) < 2:
        return True
    r = region.to_numpy(dtype=object)
    later = m[1:] > m[:-1]
    same = m[1:] == m[:-1]
    return bool((later | (same & (r[1:] > r[:-1]))).all())


def _check_values(values: np.ndarray, columns: list[str]) -> None:
    """The value checks of validation, on an array of columns `columns` (deaths first)."""
    deaths = values[:, 0]
    if np.isnan(deaths).any() or (deaths < 0).any():
        raise UserError("EvidenceInput.monthly has negative or missing deaths: fix the input")
    for j, column in enumerate(columns[1:], start=1):
        v = values[:, j]
        if column == EXPLOSIVE:
            if (np.isnan(v) | (v < 0) | (v > deaths * (1 + 1e-9) + 1e-9)).any():
                raise UserError(
                    "EvidenceInput.monthly has explosive deaths that are missing, negative "
                    "or above the row's deaths: they are a part of deaths, fix the input"
                )
        elif np.isnan(v).any() or (v < 0).any():
            raise UserError(
                f"EvidenceInput.monthly has negative or missing {column}: fix the input"
            )


def _checked_sizes(sizes) -> np.ndarray:
    sizes = np.asarray(sizes, dtype=float).ravel()
    if sizes.size and (np.isnan(sizes).any() or (sizes < 0).any()):
        raise UserError("EvidenceInput.sizes has negative or missing sizes: fix the input")
    return sizes


@dataclass(frozen=True)
class EvidenceInput:
    """What the statistics need, from the record or a simulation alike.

    `monthly`: columns `month` (month-start Timestamp), `region` (ISO code, or
    `UNKNOWN_REGION` for deaths with no place), `deaths` (float); several rows for the
    same month and region are summed. `sizes`: deaths per incident, one entry per incident.

    An optional column `explosive` holds the part of `deaths` that came in explosive
    incidents (bombs, IEDs, suicide attacks, mortars). Bombings are what the rival
    conjectures are about, and they carry an instigator's signature (where, when) that
    the far more numerous shootings and executions drown in the totals; given on both
    sides, it adds the `explosive_*` statistics.
    """

    monthly: pd.DataFrame
    sizes: np.ndarray
    # national deaths per day (DatetimeIndex, every day), for the event studies
    daily: pd.Series | None = None

    def __post_init__(self) -> None:
        missing = {"month", "region", "deaths"} - set(self.monthly.columns)
        if missing:
            raise UserError(
                f"EvidenceInput.monthly lacks column(s) {sorted(missing)}: "
                "give a DataFrame with columns month, region, deaths"
            )
        columns = ["month", "region", "deaths"]
        if EXPLOSIVE in self.monthly.columns:
            columns.append(EXPLOSIVE)
        columns += [c for c in TARGET_COLUMNS if c in self.monthly.columns]
        frame = self.monthly[columns].copy()
        if _canonical(frame):
            # already what the steps below would make of it (a simulation's input, built
            # so): only the value checks, on arrays (this runs once per simulation)
            _check_values(frame[columns[2:]].to_numpy(), columns[2:])
            frame.index = pd.RangeIndex(len(frame))
            object.__setattr__(self, "monthly", frame)
            object.__setattr__(self, "sizes", _checked_sizes(self.sizes))
            return
        month = frame["month"]
        try:
            if not pd.api.types.is_datetime64_any_dtype(month):
                month = pd.to_datetime(month.astype(str), format="ISO8601")
        except (ValueError, TypeError) as exc:
            raise UserError(
                f"EvidenceInput.monthly has a month that is not a date ({exc}); "
                "write months as YYYY-MM or give Timestamps"
            ) from exc
        frame["month"] = month.dt.tz_localize(None) if month.dt.tz is not None else month
        frame["month"] = frame["month"].dt.to_period("M").dt.to_timestamp()
        frame["region"] = frame["region"].astype(str)
        for column in columns[2:]:
            frame[column] = frame[column].astype(float)
        _check_values(frame[columns[2:]].to_numpy(), columns[2:])
        frame = frame.groupby(["month", "region"], as_index=False, sort=True)[
            columns[2:]
        ].sum()
        object.__setattr__(self, "monthly", frame)
        object.__setattr__(self, "sizes", _checked_sizes(self.sizes))

    @property
    def has_targets(self) -> bool:
        """Whether deaths by target group are given (every `target_*` column)."""
        return all(c in self.monthly.columns for c in TARGET_COLUMNS)

    @property
    def has_explosive(self) -> bool:
        """Whether deaths in explosive incidents are given (the `explosive` column)."""
        return EXPLOSIVE in self.monthly.columns

    def explosive_only(self) -> EvidenceInput:
        """The same record restricted to explosive-incident deaths (no incident sizes)."""
        if not self.has_explosive:
            raise UserError(
                "this evidence input has no 'explosive' column; add deaths in explosive "
                "incidents to use the explosive_* statistics"
            )
        frame = self.monthly[["month", "region", EXPLOSIVE]].rename(columns={EXPLOSIVE: "deaths"})
        return EvidenceInput(monthly=frame, sizes=np.zeros(0))
