"""The forest's model choice, as columns of `compare`'s posterior table.

Two forests are grown on the pilot's simulations (`abc.forest`): one over every
hypothesis weighed, which says how well the statistics tell them apart
(`forest_recovery`) and where the record falls among all of them (`forest_votes`, and
`forest_probability_all` on its chosen row);
and one over the adequate hypotheses only, which makes the choice the verdict
reports (`forest_votes_adequate`, and `forest_probability` on the chosen row). A
hypothesis that misses the record is not a candidate, so it is not in the second
forest's training set at all: its simulations cannot draw votes away.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from centrehold.infer.abc.forest import ForestChoice, forest_choice

#: Threads the forests use: `compare` grows them after its worker processes are done,
#: and the choice does not depend on the number (tests/infer/test_forest.py).
FOREST_THREADS = 2

#: The posterior table's forest columns, in order.
FOREST_COLUMNS = ("forest_votes", "forest_probability_all", "forest_recovery",
                  "forest_votes_adequate", "forest_probability")


def with_forest(
    posterior: pd.DataFrame, reference: pd.DataFrame, observed: pd.Series, seed: int
) -> tuple[pd.DataFrame, ForestChoice | None]:
    """``posterior`` with the forest columns added; also the forest over every
    hypothesis (None when the pilot holds fewer than two of them)."""
    out = posterior.copy()
    for col in FOREST_COLUMNS:
        out[col] = np.nan
    names = [n for n in observed.index if n in reference.columns]
    stats = observed.reindex(names)
    every = _grow(reference, stats, [str(h) for h in out["hypothesis"]], seed)
    if every is None:
        return out, None
    _fill(out, every, "forest_votes", "forest_probability_all")
    out["forest_recovery"] = out["hypothesis"].map(every.recovery)
    ok = adequate_names(out)
    if len(ok) == 1:
        out.loc[out["hypothesis"] == ok[0], "forest_votes_adequate"] = 1.0
    elif (among := _grow(reference, stats, ok, seed)) is not None:
        _fill(out, among, "forest_votes_adequate", "forest_probability")
    return out, every


def _grow(reference: pd.DataFrame, stats: pd.Series, hypotheses: list[str], seed: int
          ) -> ForestChoice | None:
    """The forest over ``hypotheses``, or None when the pilot holds fewer than two."""
    if len(hypotheses) < 2:
        return None
    try:
        return forest_choice(reference, stats, hypotheses, seed=seed, n_jobs=FOREST_THREADS)
    except ValueError:
        return None


def _fill(out: pd.DataFrame, choice: ForestChoice, votes: str, probability: str) -> None:
    """A forest's votes on every row it weighed, its probability on its chosen row."""
    out[votes] = out["hypothesis"].map(choice.votes)
    out.loc[out["hypothesis"] == choice.chosen, probability] = choice.probability


def adequate_names(posterior: pd.DataFrame) -> list[str]:
    """The adequate hypotheses, in the table's order."""
    ok = posterior["adequate"].fillna(False).astype(bool) if "adequate" in posterior else None
    return [] if ok is None else [str(h) for h in posterior.loc[ok, "hypothesis"]]


def forest_leader(posterior: pd.DataFrame) -> str | None:
    """The forest's choice among the adequate ones, or None without one."""
    if "forest_votes_adequate" not in posterior.columns:
        return None
    votes = posterior.set_index("hypothesis")["forest_votes_adequate"].dropna()
    if votes.empty:
        return None
    return str(votes.index[int(np.argmax(votes.to_numpy()))])


#: Least posterior probability of the forest's choice (the chance that the choice is
#: right at records like the observed one; Pudlo et al., Bioinformatics 32, 2016) for
#: the verdict to name it: the bar `adequacy.LEAD_SURE` sets the evidence's leader.
#: Below it the choice is a leaning, and on the real record it moved with the seed
#: (H3, H1, H5 at probabilities 0.57-0.69; docs/compare.md).
FOREST_SURE = 0.9


def forest_choice_is_clear(posterior: pd.DataFrame) -> bool:
    """Whether the forest's choice among the adequate ones is sure enough to name: its
    posterior probability reaches FOREST_SURE, or it is the only adequate one."""
    lead = forest_leader(posterior)
    if lead is None:
        return False
    rows = posterior.set_index("hypothesis")
    if rows["forest_votes_adequate"].notna().sum() == 1:
        return True
    p = rows["forest_probability"].get(lead, np.nan) if "forest_probability" in rows else np.nan
    return bool(p == p and p >= FOREST_SURE)


def forest_summary(posterior: pd.DataFrame, top: int = 3) -> str:
    """The forest's reading in one sentence (empty when it has none)."""
    lead = forest_leader(posterior)
    if lead is None:
        return ""
    row = posterior.set_index("hypothesis").loc[lead]
    votes = posterior.set_index("hypothesis")["forest_votes_adequate"].dropna()
    rivals = votes.drop(lead).sort_values(ascending=False, kind="stable").head(top - 1)
    every = posterior.set_index("hypothesis")["forest_votes"].dropna()
    overall = every.sort_values(ascending=False, kind="stable").head(top)
    prob = row["forest_probability"]
    p_all = (posterior.set_index("hypothesis")["forest_probability_all"].get(overall.index[0])
             if "forest_probability_all" in posterior.columns and len(overall) else np.nan)
    return (
        f"A random forest trained on the pilot's simulations of the adequate ones (ABC "
        f"model choice by random forest) chooses {lead} with {votes[lead]:.2f} of the "
        "votes"
        + (f" (next: {', '.join(f'{h} {v:.2f}' for h, v in rivals.items())})" if len(rivals)
           else "")
        + (f"; the posterior probability of that choice is {prob:.2f}" if prob == prob else "")
        + ("; a weak choice: at records like this one the forest is wrong more often than "
           "right" if prob == prob and prob < 0.5 else "")
        + ". Over every hypothesis its votes go to "
        + ", ".join(f"{h} {v:.2f}" for h, v in overall.items())
        + (f" (the posterior probability of {overall.index[0]}, its choice there, is "
           f"{p_all:.2f})" if p_all == p_all else "") + ". "
    )


def forest_tables(choice: ForestChoice | None, hypotheses: Sequence[str]) -> pd.DataFrame:
    """The forest's out-of-bag confusion over every hypothesis (truth x assigned share)."""
    if choice is None:
        return pd.DataFrame(index=pd.Index(list(hypotheses), name="truth"))
    conf = choice.confusion.copy()
    conf.index.name = "truth"
    return conf
