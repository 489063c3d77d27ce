"""Evidence statistics: the numbers that set a simulation beside the record.

Every statistic here is computed by the same code from the observed record and from
each simulated world, so a difference between them is a difference in the worlds,
not in the bookkeeping. The input is deliberately small (`EvidenceInput`: deaths by
month and region, and the size of every incident), because that is what both an
event file and a simulation can honestly provide.

`evidence_table` gathers them into one `pandas.Series` with stable names; `STATISTICS`
documents each name. See docs/evidence.md for the choices and their limits.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Collection, Mapping, Sequence

import numpy as np
import pandas as pd

from centrehold.errors import UserError
from centrehold.record.observations import (
    EXPLOSIVE,
    TARGET_COLUMNS,
    UNKNOWN_REGION,
    EvidenceInput,
)

#: Deaths at or above which an incident counts as mass-casualty.
MASS_CASUALTY_THRESHOLD = 10.0

#: Tail exponent near which insurgent-attack sizes cluster across wars, Iraq included
#: (Bohorquez, Gourley, Dixon, Spagat & Johnson, Nature 462, 911-914, 2009, and
#: Johnson and co-authors' earlier work): a reference value, not a target.
REFERENCE_TAIL_ALPHA = 2.5

#: Fewer incidents than this in the tail and the exponent is reported as NaN: a
#: Clauset fit on a handful of points is noise.
MIN_TAIL_INCIDENTS = 50

#: Stable names and what each measures. Month-specific and region-specific names are
#: patterns: `national_YYYY-MM` and `share_<region code>`.
STATISTICS: dict[str, str] = {
    "national_mean": "Mean national deaths per month over the window (unlocated deaths included).",
    "national_trend": (
        "Least-squares slope of national monthly deaths against month number "
        "(deaths per month, per month): is the violence rising or falling?"
    ),
    "national_YYYY-MM": "National deaths in that month (one entry per month of the window).",
    "national_YYYYQn": (
        "Mean national deaths per month in that calendar quarter (one entry per quarter of "
        "the window): the trajectory, which a mean and a linear trend cannot see."
    ),
    "share_<region>": (
        "That region's share of located deaths over the window (unlocated deaths excluded, "
        "so the shares of the listed regions sum to 1 when they cover all located deaths)."
    ),
    "withdrawal_ratio": (
        "Mean monthly national deaths in the months after the withdrawal date divided by the "
        "mean in the same number of months before it: > 1 means violence rose after it."
    ),
    "pre_election_ratio": (
        "Mean monthly national deaths in the months just before each election divided by the "
        "mean in the other months of the window: > 1 means violence peaked before elections."
    ),
    "national_year_ratio": (
        "Mean national deaths per month in the window's second year over its first (NaN "
        "for a window under two years): the decline the fit must reproduce."
    ),
    "target_share_<group>": (
        "Share of deaths with a known target that fell on that target group (state, crowds, "
        "community, killings; TARGET_GROUPS): against whom."
    ),
    "event_ratio_<kind>": (
        "Mean daily deaths in the 14 days after each event of that kind (elections, "
        "withdrawal milestones, events abroad, the sponsors' moves) over the same weekdays "
        "in the four weeks either side: did deaths rise after those dates?"
    ),
    "share_mixed": (
        "Share of located deaths that fell in governorates classed as mixed (the rest fell in "
        "homogeneous ones)."
    ),
    "share_class_<class>": (
        "Share of located deaths in regions of that class (only when `classes` is given), "
        "e.g. Shia Arab, Sunni Arab, Kurdish, mixed, other."
    ),
    "share_mass_casualty": (
        "Share of all incident deaths that came in incidents with at least the threshold "
        "number of deaths (10 by default)."
    ),
    "tail_alpha": (
        "Power-law exponent of incident sizes above tail_xmin, by Clauset, Shalizi & Newman's "
        "maximum likelihood (powerlaw package); near 2.5 in published insurgency data."
    ),
    "tail_xmin": "Lower bound of the power-law tail (chosen by the KS criterion unless fixed).",
    "tail_n": "Number of incidents at or above tail_xmin that the exponent rests on.",
    "explosive_fraction": (
        "Share of all deaths in the window that came in explosive incidents (bombs, IEDs, "
        "suicide attacks, mortars; only when the input has an `explosive` column)."
    ),
    "explosive_trend": "national_trend computed on explosive-incident deaths alone.",
    "explosive_year_ratio": (
        "national_year_ratio computed on explosive-incident deaths alone: beside the total's, "
        "it says whether the bombings or the other killing made the decline."
    ),
    "explosive_share_<region>": "share_<region> computed on explosive-incident deaths alone.",
    "explosive_withdrawal_ratio": "withdrawal_ratio computed on explosive-incident deaths alone.",
    "explosive_pre_election_ratio": (
        "pre_election_ratio computed on explosive-incident deaths alone."
    ),
    "explosive_share_mixed": "share_mixed computed on explosive-incident deaths alone.",
}

#: Days after each dated event whose deaths are set against nearby weeks.
EVENT_WINDOW_DAYS = 14
#: Weeks either side of an event's window that form its baseline.
EVENT_BASELINE_WEEKS = 4


def _month(value: str | pd.Timestamp) -> pd.Timestamp:
    if isinstance(value, pd.Timestamp) and value.day == 1 and value == value.normalize():
        return value
    try:
        return pd.Timestamp(value).to_period("M").to_timestamp()
    except (ValueError, TypeError) as exc:
        raise UserError(f"not a month: {value!r}; write it as YYYY-MM") from exc


def national_series(
    inp: EvidenceInput,
    start: str | None = None,
    end: str | None = None,
    column: str = "deaths",
) -> pd.Series:
    """Monthly national deaths over [start, end], months with no deaths as 0.

    Zero-filling matters: a quiet month is evidence, and dropping it would bias every
    mean and slope upward. The window defaults to the span of the data.
    """
    monthly = inp.monthly
    if start is None and end is None and monthly.empty:
        return pd.Series(dtype=float, name="deaths")
    lo = _month(start) if start is not None else monthly["month"].min()
    hi = _month(end) if end is not None else monthly["month"].max()
    if hi < lo:
        raise UserError(f"window ends ({hi:%Y-%m}) before it starts ({lo:%Y-%m}): swap them")
    index = pd.date_range(lo, hi, freq="MS")
    # Month offsets from `lo` by integer arithmetic: a pandas groupby per call costs
    # more than everything else here, and this runs once per simulation.
    offset = _month_numbers(monthly["month"].to_numpy()) - _month_number(lo)
    inside = (offset >= 0) & (offset < len(index))
    values = np.bincount(
        offset[inside], weights=monthly[column].to_numpy()[inside], minlength=len(index)
    )
    return pd.Series(values.astype(float), index=index, name="deaths")


def _month_numbers(months: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of an array of datetimes (any unit)."""
    return months.astype("datetime64[M]").astype(np.int64)


def _month_number(month: pd.Timestamp) -> int:
    return int(np.datetime64(month.to_datetime64(), "M").astype(np.int64))


def quarterly_means(series: pd.Series) -> dict[str, float]:
    """Mean deaths per month in each calendar quarter of a monthly series, by `YYYYQn`.

    The record's main event in 2008-2009 is a fall from about a thousand deaths a month
    to about four hundred within a year; a world that only matches the window's mean
    and slope can miss its shape entirely, so the distance sees each quarter.
    """
    if series.empty:
        return {}
    quarters = series.index.to_period("Q")
    return {f"national_{q}": float(v) for q, v in series.groupby(quarters).mean().items()}


def target_shares(inp: EvidenceInput, lo, hi) -> dict[str, float]:
    """Each target group's share of the deaths whose target is known, over the window.

    Against whom separates conjectures that agree on where and when: parties rallying
    their own community hit its gatherings, opponents of the withdrawal hit the state,
    sponsors diverting attention hit crowds.
    """
    frame = _window(inp.monthly, lo, hi)
    sums = {c: float(frame[c].to_numpy().sum()) for c in TARGET_COLUMNS}
    total = float(sum(sums.values()))
    return {f"target_share_{c.removeprefix('target_')}": (v / total if total > 0
                                                          else math.nan)
            for c, v in sums.items()}


def event_windows(
    first_day: pd.Timestamp, n_days: int, dates, window: int = EVENT_WINDOW_DAYS,
    baseline_weeks: int = EVENT_BASELINE_WEEKS,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Day positions (in a daily series starting on `first_day`) of each event's window
    and of its baseline: the same weekdays 1..`baseline_weeks` weeks either side of a
    window day, leaving out every event's window and days outside the series.

    Computed once per series layout, so a statistic over thousands of simulations costs
    only index sums; the same rule as `centrehold.record.event_study.event_study`,
    which the tests hold it to.
    """
    first = pd.Timestamp(first_day).normalize()
    starts = sorted({(pd.Timestamp(d).normalize() - first).days for d in dates})
    wins = {s: np.arange(s, s + window) for s in starts}
    taken = np.zeros(n_days, dtype=bool)
    for w in wins.values():
        inside = w[(w >= 0) & (w < n_days)]
        taken[inside] = True
    shifts = np.array([7 * k for k in range(1, baseline_weeks + 1)])
    shifts = np.concatenate([-shifts, shifts])
    out = []
    for w in wins.values():
        inside = w[(w >= 0) & (w < n_days)]
        near = np.unique((w[:, None] + shifts[None, :]).ravel())
        near = near[(near >= 0) & (near < n_days)]
        near = near[~taken[near]]
        if len(inside) and len(near):
            out.append((inside, near))
    return out


def event_ratio(values: np.ndarray, windows: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Mean over events of the window's mean daily deaths, over the mean over events of
    the baseline's: above 1, deaths rose in the days after that kind of event."""
    if not windows:
        return math.nan
    after = np.mean([values[w].mean() for w, _ in windows])
    base = np.mean([values[b].mean() for _, b in windows])
    return float(after / base) if base > 0 else math.nan


def event_statistics(
    daily: pd.Series, events: Mapping[str, Sequence[object]], lo, hi
) -> dict[str, float]:
    """`event_ratio_<kind>` for each kind of dated event inside the window [lo, hi]."""
    first = pd.Timestamp(lo).normalize() if lo is not None else daily.index.min()
    last = (pd.Timestamp(hi) + pd.offsets.MonthEnd(0)).normalize() if hi is not None \
        else daily.index.max()
    n_days = (last - first).days + 1
    values = _on_days(daily, first, n_days)
    kinds = tuple((kind, tuple(str(pd.Timestamp(d).date()) for d in dates))
                  for kind, dates in events.items())
    return {f"event_ratio_{kind}": event_ratio(values, windows)
            for kind, windows in _windows_by_kind(first, last, n_days, kinds)}


def _on_days(daily: pd.Series, first: pd.Timestamp, n_days: int) -> np.ndarray:
    """A daily series' values on the `n_days` days from `first`, days it lacks as 0
    (what reindexing it on those days gives, without building the index)."""
    values = np.zeros(n_days)
    if daily.empty:
        return values
    offset = (pd.DatetimeIndex(daily.index).to_numpy() - first.to_datetime64()) \
        / np.timedelta64(1, "D")
    at = offset.astype(np.int64)
    on = (offset == at) & (at >= 0) & (at < n_days)
    values[at[on]] = daily.to_numpy(dtype=float)[on]
    return values


@functools.lru_cache(maxsize=64)
def _windows_by_kind(
    first: pd.Timestamp, last: pd.Timestamp, n_days: int,
    kinds: tuple[tuple[str, tuple[str, ...]], ...],
) -> list[tuple[str, list]]:
    """Each kind's `event_windows` over its dates inside [first, last], computed once per
    series layout and set of dates."""
    out = []
    for kind, dates in kinds:
        inside = [pd.Timestamp(d) for d in dates if first <= pd.Timestamp(d) <= last]
        out.append((kind, event_windows(first, n_days, inside)))
    return out


def year_ratio(series) -> float:
    """Mean of months 13-24 of a monthly series over the mean of months 1-12 (NaN if the
    series is shorter than two years or its first year is empty): the decline."""
    s = np.asarray(series, dtype=float)
    if s.shape[-1] < 24:
        return math.nan
    first = s[:12].mean()
    return float(s[12:24].mean() / first) if first > 0 else math.nan


def national_mean(series: pd.Series) -> float:
    """Mean deaths per month: the overall level of violence."""
    return float(series.mean()) if len(series) else math.nan


def national_trend(series: pd.Series) -> float:
    """OLS slope of deaths on month number (0, 1, 2, ...), in deaths per month per month."""
    n = len(series)
    if n < 2:
        return math.nan
    t = np.arange(n, dtype=float)
    y = series.to_numpy(dtype=float)
    tc = t - t.mean()
    return float(np.dot(tc, y - y.mean()) / np.dot(tc, tc))


def located_deaths(
    inp: EvidenceInput,
    start: str | None = None,
    end: str | None = None,
    column: str = "deaths",
) -> dict[str, float]:
    """Deaths by region in the window, unlocated deaths left out (the base of every share).

    ``column="explosive"`` counts the deaths in explosive incidents instead.
    """
    frame = _window(inp.monthly, start, end)
    codes, inverse = np.unique(frame["region"].to_numpy(dtype=object), return_inverse=True)
    sums = np.bincount(inverse, weights=frame[column].to_numpy(), minlength=len(codes))
    return {
        str(code): float(total)
        for code, total in zip(codes, sums, strict=True)
        if code != UNKNOWN_REGION
    }


def regional_shares(
    inp: EvidenceInput | dict[str, float],
    regions: Sequence[str],
    start: str | None = None,
    end: str | None = None,
) -> pd.Series:
    """Each region's share of located deaths in the window (NaN if nothing is located).

    Unlocated deaths are left out rather than spread, because spreading them would
    impose an assumption about where the unrecorded violence happened. Accepts the
    output of `located_deaths` in place of the input, to share one pass over the data.
    """
    by_region = inp if isinstance(inp, dict) else located_deaths(inp, start, end)
    return pd.Series(_shares(by_region, regions), dtype=float)


def _shares(by_region: dict[str, float], regions: Sequence[str]) -> dict[str, float]:
    total = sum(by_region.values())
    return {f"share_{code}": by_region.get(code, 0.0) / total if total > 0 else math.nan
            for code in regions}


def withdrawal_ratio(series: pd.Series, date: str, months: int = 6) -> float:
    """Mean monthly deaths in the `months` months after `date` over the `months` before.

    "After" starts with the first month that begins after the date (July 2009 for
    2009-06-30), so the month of the change is counted as before it. Equal windows on
    both sides keep a long-run trend from masquerading as a step, as far as it can.
    NaN when either side falls outside the series or the months before hold no deaths.
    """
    if months < 1:
        raise UserError(f"withdrawal window must be at least 1 month, got {months}")
    after, before = _withdrawal_months(str(date), int(months))
    at = series.index.get_indexer(after.append(before))
    if (at < 0).any():
        return math.nan
    values = series.to_numpy(dtype=float)
    mean_before = float(values[at[months:]].mean())
    if mean_before <= 0:
        return math.nan
    return float(values[at[:months]].mean()) / mean_before


@functools.lru_cache(maxsize=64)
def _withdrawal_months(date: str, months: int) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """The month starts after and before a withdrawal date (computed once per date: the
    statistic runs once per simulation)."""
    day = pd.Timestamp(date)
    first_after = (day + pd.offsets.MonthBegin(1)).normalize()
    if day.day == 1:
        first_after = day.normalize()
    after = pd.date_range(first_after, periods=months, freq="MS")
    before = pd.date_range(end=first_after - pd.offsets.MonthBegin(1), periods=months, freq="MS")
    return after, before


def pre_election_months(
    series_index: pd.DatetimeIndex, elections: Sequence[str], months: int = 2
) -> pd.DatetimeIndex:
    """The `months` calendar months that end on or before each election day.

    For 2009-01-31 and two months: December 2008 and January 2009 (January ends on the
    election day); for 2010-03-07: January and February 2010 (March runs past it).
    Only months inside the series are returned.
    """
    chosen = _election_months(tuple(str(e) for e in elections), int(months))
    return chosen[pd.DatetimeIndex(series_index).get_indexer(chosen) >= 0]


@functools.lru_cache(maxsize=64)
def _election_months(elections: tuple[str, ...], months: int) -> pd.DatetimeIndex:
    """Every pre-election month of `pre_election_months`, sorted, before the series
    limits them (computed once per set of dates)."""
    chosen: set[pd.Timestamp] = set()
    for election in elections:
        day = pd.Timestamp(election).normalize()
        month_start = day.to_period("M").to_timestamp()
        month_end = (month_start + pd.offsets.MonthEnd(0)).normalize()
        last = month_start if month_end <= day else month_start - pd.offsets.MonthBegin(1)
        chosen.update(pd.date_range(end=last, periods=months, freq="MS"))
    return pd.DatetimeIndex(sorted(chosen))


def pre_election_ratio(
    series: pd.Series, elections: Sequence[str], months: int = 2
) -> float:
    """Mean deaths in pre-election months over the mean in all other months of the series.

    NaN when no pre-election month falls in the window, none falls outside it, or
    the other months hold no deaths.
    """
    at = series.index.get_indexer(_election_months(tuple(str(e) for e in elections),
                                                   int(months)))
    at = at[at >= 0]
    if len(at) == 0 or len(at) == len(series):
        return math.nan
    values = series.to_numpy(dtype=float)
    others = np.ones(len(values), dtype=bool)
    others[at] = False
    mean_other = float(values[others].mean())
    if mean_other <= 0:
        return math.nan
    return float(values[at].mean()) / mean_other


def mixed_share(
    inp: EvidenceInput | dict[str, float],
    mixed: Collection[str],
    start: str | None = None,
    end: str | None = None,
) -> float:
    """Share of located deaths in the regions classed as mixed (NaN if none located)."""
    by_region = inp if isinstance(inp, dict) else located_deaths(inp, start, end)
    total = sum(by_region.values())
    if total <= 0:
        return math.nan
    return sum(v for k, v in by_region.items() if k in set(mixed)) / total


def class_shares(
    inp: EvidenceInput | dict[str, float],
    classes: Mapping[str, str],
    start: str | None = None,
    end: str | None = None,
) -> pd.Series:
    """Share of located deaths in each class of region (`classes`: region code -> class).

    Finer than the mixed share: a conjecture that aims at one community's homogeneous
    areas predicts a different split across classes than one that follows contact.
    Regions missing from `classes` count under class "other". Names: `share_class_<class>`
    with the class lower-cased and spaces as underscores, in sorted order.
    """
    by_region = inp if isinstance(inp, dict) else located_deaths(inp, start, end)
    total = sum(by_region.values())
    labels = sorted(set(classes.values()) | {"other"})
    sums = dict.fromkeys(labels, 0.0)
    for code, deaths in by_region.items():
        sums[classes.get(code, "other")] += deaths
    return pd.Series(
        {
            f"share_class_{'_'.join(label.lower().split())}": (
                sums[label] / total if total > 0 else math.nan
            )
            for label in labels
        },
        dtype=float,
    )


def mass_casualty_share(sizes: np.ndarray, threshold: float = MASS_CASUALTY_THRESHOLD) -> float:
    """Share of incident deaths in incidents with at least `threshold` deaths."""
    sizes = np.asarray(sizes, dtype=float)
    total = float(sizes.sum())
    if total <= 0:
        return math.nan
    return float(sizes[sizes >= threshold].sum()) / total


def tail_exponent(
    sizes: np.ndarray, xmin: float | None = None, min_tail: int = MIN_TAIL_INCIDENTS
) -> tuple[float, float, int]:
    """Clauset-Shalizi-Newman power-law fit of incident sizes: (alpha, xmin, n in tail).

    Uses the `powerlaw` package's maximum likelihood, discrete when every size is a
    whole number (event counts are), with xmin chosen by minimising the KS distance
    among values that leave at least `min_tail` incidents in the tail, unless given.
    Zero-death incidents cannot lie on a power law and are left out.
    Returns NaN for alpha when fewer than `min_tail` incidents reach xmin.
    """
    import powerlaw  # heavy import, only needed here

    data = np.asarray(sizes, dtype=float)
    data = data[data > 0]
    if xmin is not None and xmin <= 0:
        raise UserError(f"tail xmin must be positive, got {xmin}")
    if data.size < min_tail:
        return math.nan, math.nan if xmin is None else float(xmin), int(data.size)
    discrete = bool(np.all(data == np.round(data)))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        search = xmin
        if xmin is None:
            # Only xmins that leave at least `min_tail` incidents: the KS criterion
            # otherwise wanders into the far tail, where a handful of points fit anything.
            ordered = np.sort(data)
            search = (float(ordered[0]), float(ordered[-min_tail]))
        # powerlaw 2.0 bounds alpha to [0, 3] by default, which clamps steeper tails at 3
        # and marks them invalid; open the range so exponents above 3 are estimated too.
        fit = powerlaw.Fit(
            data,
            xmin=search,
            discrete=discrete,
            verbose=False,
            parameter_ranges={"alpha": (1.0, 10.0)},
        )
        found_xmin = float(fit.xmin)
        n_tail = int(np.count_nonzero(data >= found_xmin))
        if n_tail < min_tail:
            return math.nan, found_xmin, n_tail
        return float(fit.power_law.alpha), found_xmin, n_tail


def _window(
    frame: pd.DataFrame, start: str | pd.Timestamp | None, end: str | pd.Timestamp | None
) -> pd.DataFrame:
    keep = np.ones(len(frame), dtype=bool)
    months = frame["month"].to_numpy()
    if start is not None:
        keep &= months >= _month(start).to_datetime64()
    if end is not None:
        keep &= months <= _month(end).to_datetime64()
    return frame[keep]


def evidence_table(
    inp: EvidenceInput,
    *,
    start: str | None = None,
    end: str | None = None,
    regions: Sequence[str] | None = None,
    mixed: Collection[str],
    withdrawal: str,
    withdrawal_months: int = 6,
    elections: Sequence[str],
    election_months: int = 2,
    mass_threshold: float = MASS_CASUALTY_THRESHOLD,
    tail_xmin: float | None = None,
    monthly_values: bool = True,
    classes: Mapping[str, str] | None = None,
    quarterly: bool = True,
    events: Mapping[str, Sequence[object]] | None = None,
) -> pd.Series:
    """All evidence statistics as one Series with stable names (see `STATISTICS`).

    Pass the same `start`, `end` and `regions` for the record and the simulations so
    that their tables line up name for name; by default the window is the data's span
    and the regions are those present, which is only safe for a single table. `sizes`
    are used as given: trim them to the window before building the input. `classes`
    (region code -> class, e.g. from `centrehold.record.iraq_governorate_classes`) adds
    one `share_class_<class>` per class; without it the table has none.
    """
    series = national_series(inp, start, end)
    lo = None if series.empty else series.index[0]
    hi = None if series.empty else series.index[-1]
    if regions is None:
        regions = sorted(set(inp.monthly["region"]) - {UNKNOWN_REGION})
    values: dict[str, float] = {
        "national_mean": national_mean(series),
        "national_trend": national_trend(series),
    }
    if monthly_values:
        for month, deaths in series.items():
            values[f"national_{month:%Y-%m}"] = float(deaths)
    if quarterly:
        values.update(quarterly_means(series))
    values["national_year_ratio"] = year_ratio(series)
    by_region = located_deaths(inp, lo, hi)
    values.update(_shares(by_region, regions))
    if classes is not None:
        values.update(class_shares(by_region, classes).to_dict())
    alpha, xmin, n_tail = tail_exponent(inp.sizes, xmin=tail_xmin)
    values.update(
        {
            "withdrawal_ratio": withdrawal_ratio(series, withdrawal, withdrawal_months),
            "pre_election_ratio": pre_election_ratio(series, elections, election_months),
            "share_mixed": mixed_share(by_region, mixed),
            "share_mass_casualty": mass_casualty_share(inp.sizes, mass_threshold),
            "tail_alpha": alpha,
            "tail_xmin": xmin,
            "tail_n": float(n_tail),
        }
    )
    if inp.has_targets:
        values.update(target_shares(inp, lo, hi))
    if events and inp.daily is not None and lo is not None:
        values.update(event_statistics(inp.daily, events, lo, hi))
    if inp.has_explosive:
        values.update(
            explosive_statistics(
                inp, series, lo, hi, regions, mixed, withdrawal, withdrawal_months,
                elections, election_months,
            )
        )
    return pd.Series(values, dtype=float, name="value")


def explosive_statistics(
    inp: EvidenceInput,
    series: pd.Series,
    lo: pd.Timestamp | None,
    hi: pd.Timestamp | None,
    regions: Sequence[str],
    mixed: Collection[str],
    withdrawal: str,
    withdrawal_months: int,
    elections: Sequence[str],
    election_months: int,
) -> dict[str, float]:
    """The `explosive_*` statistics: the timing and geography of bombings alone.

    Computed by the same functions as the totals, on the explosive part of the input,
    so each reads exactly as its all-deaths namesake does.
    """
    if lo is None or hi is None:
        return {}
    b_series = national_series(inp, lo, hi, column=EXPLOSIVE)
    total = float(series.sum())
    by_region = located_deaths(inp, lo, hi, column=EXPLOSIVE)
    out = {
        "explosive_fraction": float(b_series.sum()) / total if total > 0 else math.nan,
        "explosive_trend": national_trend(b_series),
        "explosive_year_ratio": year_ratio(b_series),
    }
    out.update({f"explosive_{k}": v for k, v in _shares(by_region, regions).items()})
    out.update(
        {
            "explosive_withdrawal_ratio": withdrawal_ratio(
                b_series, withdrawal, withdrawal_months
            ),
            "explosive_pre_election_ratio": pre_election_ratio(
                b_series, elections, election_months
            ),
            "explosive_share_mixed": mixed_share(by_region, mixed),
        }
    )
    return out
