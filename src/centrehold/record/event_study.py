"""Event studies at daily resolution: deaths in the days after dated events against
matched baseline days, and plain before/after contrasts around one date.

Monthly totals blur anything that happens within weeks of a date (an election, a
withdrawal deadline, an event abroad), and a month's total also carries the month's
weekday mix. Daily series keep the timing: the days after each event are set against
the *same weekdays* in the surrounding weeks, leaving out every event's own window, so
that a weekly rhythm or another event's aftermath is not mistaken for a response.

Uncertainty comes from resampling with a fixed seed (same seed, same interval):
events with replacement (when there are two or more), then the days within each
event's window and baseline. A before/after contrast over long windows resamples
blocks of consecutive days instead, because daily deaths come in runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from centrehold.errors import UserError

BOUND_COLUMNS = {
    "low": ("deaths_low",),
    "high": ("deaths_high",),
    "mid": ("deaths_low", "deaths_high"),
}


@dataclass(frozen=True)
class Contrast:
    """Mean per day in the window(s) of interest against the baseline, with intervals."""

    after: float
    baseline: float
    ratio: float
    difference: float
    ratio_low: float
    ratio_high: float
    difference_low: float
    difference_high: float
    level: float
    after_days: int
    baseline_days: int
    per_event: pd.DataFrame = field(default_factory=pd.DataFrame)


# --------------------------------------------------------------------------- series


def _dates(values: Iterable[object], what: str) -> list[pd.Timestamp]:
    out = []
    for value in values:
        try:
            out.append(pd.Timestamp(value).normalize())
        except (ValueError, TypeError) as exc:
            raise UserError(f"bad {what} {value!r}: write dates as YYYY-MM-DD") from exc
    return out


def spread_daily(
    start: pd.Series, end: pd.Series, amount: pd.Series, first: object = None, last: object = None
) -> pd.Series:
    """Each incident's `amount` spread evenly over its days, start to end inclusive.

    IBC dates some incidents over a range (bodies found over a week, a siege); giving
    all of it to the start day would invent a spike, so each day gets an equal part.
    The result covers `first`..`last` (default: the incidents' span) with zeros on days
    with nothing; parts falling outside that span are left out.
    """
    start = pd.to_datetime(start).dt.normalize()
    end = pd.to_datetime(end).dt.normalize().where(lambda s: s.notna(), start)
    if (end < start).any():
        raise UserError("an incident ends before it starts: fix its dates or leave it out")
    lo = pd.Timestamp(first).normalize() if first is not None else start.min()
    hi = pd.Timestamp(last).normalize() if last is not None else end.max()
    index = pd.date_range(lo, hi, freq="D", name="date")
    if len(start) == 0:
        return pd.Series(0.0, index=index)
    days = ((end - start).dt.days + 1).to_numpy()
    per_day = amount.to_numpy(dtype=float) / days
    offsets = np.arange(days.sum()) - np.repeat(np.cumsum(days) - days, days)
    every = np.repeat(start.to_numpy(), days) + offsets.astype("timedelta64[D]")
    spread = pd.Series(np.repeat(per_day, days), index=pd.DatetimeIndex(every))
    return spread.groupby(level=0).sum().reindex(index, fill_value=0.0)


def daily_deaths(
    events: pd.DataFrame, bound: str = "high", first: object = None, last: object = None
) -> pd.Series:
    """Daily deaths from an event frame (`start`, `end`, `deaths_low`, `deaths_high`),
    multi-day incidents spread evenly over their days (`spread_daily`); `bound` is
    low (IBC minimum), high (maximum) or mid."""
    if bound not in BOUND_COLUMNS:
        raise UserError(f"unknown bound {bound!r}: use low, high or mid")
    amount = sum(events[c].astype(float) for c in BOUND_COLUMNS[bound]) / len(
        BOUND_COLUMNS[bound]
    )
    return spread_daily(events["start"], events["end"], amount, first, last)


def _check_daily(daily: pd.Series) -> pd.Series:
    if not isinstance(daily.index, pd.DatetimeIndex):
        raise UserError("the daily series needs dates as its index (build it with daily_deaths)")
    if daily.index.has_duplicates:
        raise UserError("the daily series lists a date twice: sum it by date first")
    return daily.sort_index().asfreq("D")


# --------------------------------------------------------------------------- resampling


def _interval(values: np.ndarray, level: float) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return (float("nan"), float("nan"))
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return float(low), float(high)


def _resampled_means(
    values: np.ndarray, draws: int, rng: np.random.Generator, block: int
) -> np.ndarray:
    """Means of `draws` resamples of `values`: days with replacement (block 1) or moving
    blocks of `block` consecutive days, cut to the original length."""
    n = len(values)
    block = max(1, min(block, n))
    blocks = -(-n // block)
    starts = rng.integers(0, n - block + 1, size=(draws, blocks))
    index = (starts[:, :, None] + np.arange(block)).reshape(draws, blocks * block)[:, :n]
    return values[index].mean(axis=1)


def _ratio(after: np.ndarray | float, baseline: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.divide(after, baseline)


def _check_settings(level: float, resamples: int) -> None:
    if not 0.0 < level < 1.0:
        raise UserError(f"level {level} is not a probability: give e.g. 0.9")
    if resamples < 0:
        raise UserError(f"resamples must be 0 (no interval) or more (got {resamples})")


# --------------------------------------------------------------------------- contrasts


def event_study(
    daily: pd.Series,
    event_dates: Iterable[object],
    window: int = 7,
    offset: int = 0,
    baseline_weeks: int = 4,
    *,
    level: float = 0.9,
    resamples: int = 2000,
    seed: int = 0,
) -> Contrast:
    """Mean daily value in each event's window against the same weekdays nearby.

    Each event's window is the `window` days from `offset` days after it (offset 0
    starts on the event day; offset -28 with window 28 is the four weeks before). Its
    baseline is every day 1..`baseline_weeks` weeks before or after a window day, left
    out where it falls in any event's window or outside the series. The event means are
    averaged with equal weight; `ratio` is window over baseline, `difference` window
    minus baseline; their intervals resample events, then days (seeded).
    """
    _check_settings(level, resamples)
    if window < 1 or baseline_weeks < 1:
        raise UserError("window and baseline_weeks must be at least 1")
    series = _check_daily(daily)
    events = sorted(set(_dates(event_dates, "event date")))
    if not events:
        raise UserError("no event dates given: pass at least one date")
    known = series.dropna()
    steps = np.arange(offset, offset + window)
    windows = {e: e + pd.to_timedelta(steps, unit="D") for e in events}
    taken = pd.DatetimeIndex(np.concatenate([w.to_numpy() for w in windows.values()]))
    shifts = [7 * k for k in range(1, baseline_weeks + 1)]
    shifts = [-s for s in shifts] + shifts
    rows, after_values, base_values = [], [], []
    for event, days in windows.items():
        inside = days[days.isin(known.index)]
        near = pd.DatetimeIndex(
            np.unique(np.concatenate([(days + pd.Timedelta(days=s)).to_numpy() for s in shifts]))
        )
        near = near[near.isin(known.index) & ~near.isin(taken)]
        rows.append(
            {
                "event": event,
                "after_days": len(inside),
                "baseline_days": len(near),
                "after": float(known[inside].mean()) if len(inside) else np.nan,
                "baseline": float(known[near].mean()) if len(near) else np.nan,
            }
        )
        if len(inside) and len(near):
            after_values.append(known[inside].to_numpy(dtype=float))
            base_values.append(known[near].to_numpy(dtype=float))
    per_event = pd.DataFrame(rows)
    used = per_event.dropna(subset=["after", "baseline"])
    if used.empty:
        raise UserError(
            f"no event has both window and baseline days inside the series "
            f"({series.index.min():%Y-%m-%d}..{series.index.max():%Y-%m-%d}): check the dates"
        )
    after = float(used["after"].mean())
    baseline = float(used["baseline"].mean())
    if resamples == 0:
        return _contrast(after, baseline, None, None, level, used, per_event)
    rng = np.random.default_rng(seed)
    n = len(after_values)
    picks = rng.integers(0, n, size=(resamples, n)) if n > 1 else np.zeros((resamples, 1), int)
    boot_after = np.stack([_resampled_means(v, resamples, rng, 1) for v in after_values], axis=1)
    boot_base = np.stack([_resampled_means(v, resamples, rng, 1) for v in base_values], axis=1)
    rows_index = np.arange(resamples)[:, None]
    mean_after = boot_after[rows_index, picks].mean(axis=1)
    mean_base = boot_base[rows_index, picks].mean(axis=1)
    return _contrast(after, baseline, mean_after, mean_base, level, used, per_event)


def _contrast(
    after: float,
    baseline: float,
    boot_after: np.ndarray | None,
    boot_base: np.ndarray | None,
    level: float,
    used: pd.DataFrame,
    per_event: pd.DataFrame,
) -> Contrast:
    """The point contrast and, given resampled means, its intervals (NaN without)."""
    nan = (float("nan"), float("nan"))
    ratios = nan if boot_after is None else _interval(_ratio(boot_after, boot_base), level)
    diffs = nan if boot_after is None else _interval(boot_after - boot_base, level)
    return Contrast(
        after=after,
        baseline=baseline,
        ratio=float(_ratio(after, baseline)),
        difference=after - baseline,
        ratio_low=ratios[0],
        ratio_high=ratios[1],
        difference_low=diffs[0],
        difference_high=diffs[1],
        level=level,
        after_days=int(used["after_days"].sum()),
        baseline_days=int(used["baseline_days"].sum()),
        per_event=per_event,
    )


def before_after(
    daily: pd.Series,
    date: object,
    days: int,
    *,
    block: int = 7,
    level: float = 0.9,
    resamples: int = 2000,
    seed: int = 0,
) -> Contrast:
    """Mean daily value in the `days` days from `date` on against the `days` days before.

    Both windows must lie inside the series (no silent shortening). The intervals
    resample moving blocks of `block` consecutive days within each window (seeded),
    so runs of violent days are kept together.
    """
    _check_settings(level, resamples)
    if days < 1:
        raise UserError(f"days must be at least 1 (got {days})")
    series = _check_daily(daily)
    (when,) = _dates([date], "date")
    before = series[when - pd.Timedelta(days=days) : when - pd.Timedelta(days=1)]
    after = series[when : when + pd.Timedelta(days=days - 1)]
    if len(before) < days or len(after) < days or before.isna().any() or after.isna().any():
        raise UserError(
            f"{days} days either side of {when:%Y-%m-%d} run outside the series "
            f"({series.index.min():%Y-%m-%d}..{series.index.max():%Y-%m-%d}): use a shorter span"
        )
    b, a = before.to_numpy(dtype=float), after.to_numpy(dtype=float)
    boot_a = boot_b = None
    if resamples:
        rng = np.random.default_rng(seed)
        boot_a = _resampled_means(a, resamples, rng, block)
        boot_b = _resampled_means(b, resamples, rng, block)
    used = pd.DataFrame({"after_days": [days], "baseline_days": [days]})
    return _contrast(float(a.mean()), float(b.mean()), boot_a, boot_b, level, used,
                     pd.DataFrame())


def mean_interval(
    daily: pd.Series,
    first: object,
    days: int,
    *,
    block: int = 7,
    level: float = 0.9,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """Mean daily value over `days` days from `first`, with a moving-block interval."""
    _check_settings(level, resamples)
    series = _check_daily(daily)
    (when,) = _dates([first], "date")
    values = series[when : when + pd.Timedelta(days=days - 1)]
    if len(values) < days or values.isna().any():
        raise UserError(f"{days} days from {when:%Y-%m-%d} run outside the series")
    if resamples == 0:
        return float(values.mean()), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    boot = _resampled_means(values.to_numpy(dtype=float), resamples, rng, block)
    low, high = _interval(boot, level)
    return float(values.mean()), low, high


EVENT_TABLE_COLUMNS = (
    "kind", "events", "window", "offset", "after", "baseline", "ratio", "ratio_low",
    "ratio_high", "difference", "difference_low", "difference_high",
)


def event_table(
    daily: pd.Series,
    events: Mapping[str, Iterable[object]],
    window: int = 7,
    offset: int = 0,
    baseline_weeks: int = 4,
    *,
    level: float = 0.9,
    resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """One `event_study` row per kind of event (e.g. elections, withdrawal steps,
    events abroad), on the same series and settings; kinds whose dates all fall
    outside the series get NaN. `resamples=0` skips the intervals (for summary
    statistics of many simulated series)."""
    rows = []
    for kind, dates in events.items():
        dates = list(dates)
        try:
            result = event_study(daily, dates, window, offset, baseline_weeks,
                                 level=level, resamples=resamples, seed=seed)
        except UserError as exc:
            if "inside the series" not in str(exc):
                raise
            result = None
        values = (
            [np.nan] * 8 if result is None else
            [result.after, result.baseline, result.ratio, result.ratio_low, result.ratio_high,
             result.difference, result.difference_low, result.difference_high]
        )
        rows.append([kind, len(dates), window, offset, *values])
    return pd.DataFrame(rows, columns=list(EVENT_TABLE_COLUMNS))
