"""Model choice by random forest, on the pilot's prior-predictive simulations.

Why a second weighing beside ABC-SMC: the distance ABC uses gives every statistic the
same say, so a hypothesis whose signature sits in three statistics of 65 (the
withdrawal's event ratio, say) is drowned by the 36 governorate shares that every
hypothesis moves alike. A classifier learns which statistics carry each signature.
Measured on the iraq-2009 pilots (docs/compare.md, "Model choice by random forest"), a
forest names the generating hypothesis of about 60% of held-out simulations where the
nearest neighbours under ABC's distance name 31%.

The method is ABC model choice by random forest (Pudlo, Marin, Estoup, Cornuet, Gautier
and Robert, "Reliable ABC model choice via random forests", Bioinformatics 32(6):859-866,
2016): a classification forest trained on (statistics -> generating hypothesis) votes on
the record; the posterior probability of the hypothesis it chooses is one minus the
forest's expected error at the record, estimated by a regression forest fitted to the
out-of-bag misclassification of the reference simulations. Vote shares are not
posterior probabilities and are reported as votes.

scikit-learn does the forests; this module only chooses what they are trained on and
how their output is read. Both forests are seeded, so the same reference table and
seed give the same choice whatever the number of threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: Trees per forest. The vote shares' Monte Carlo error is about sqrt(v(1-v)/trees),
#: 0.02 at 500 for a share of 0.3; more trees cost seconds, not simulations.
TREES = 500


@dataclass(frozen=True)
class ForestChoice:
    """What the forest says about one record."""

    votes: pd.Series  # share of trees voting for each hypothesis at the record
    chosen: str  # the hypothesis with most votes
    probability: float  # posterior probability of `chosen` (1 - expected error)
    error_rate: float  # out-of-bag share of reference simulations misassigned
    confusion: pd.DataFrame  # out-of-bag: rows truth, columns assigned share
    recovery: pd.Series  # out-of-bag share of each hypothesis's simulations named right
    importance: pd.Series  # mean decrease in impurity, by statistic
    trained_on: int  # reference simulations used


@dataclass(frozen=True)
class Forest:
    """Both forests, grown once on a reference table; `choose` reads any number of
    records with them (what a recovery study needs: one training, many records)."""

    names: list[str]  # the statistics, in the order the forests were trained on
    candidates: list[str]  # the hypotheses chosen among, in the order votes are listed
    classifier: Any
    regressor: Any
    error_rate: float
    confusion: pd.DataFrame
    recovery: pd.Series
    importance: pd.Series
    trained_on: int

    def choose(self, observed: pd.Series) -> ForestChoice:
        """The forest's choice for one record's statistics (NaN allowed)."""
        x0 = observed.reindex(self.names).to_numpy(dtype=float)[None, :]
        classes = [str(c) for c in self.classifier.classes_]
        votes = pd.Series(self.classifier.predict_proba(x0)[0], index=classes, name="votes")
        votes = votes.reindex(self.candidates, fill_value=0.0)
        expected_error = float(np.clip(self.regressor.predict(x0)[0], 0.0, 1.0))
        # ties go to the hypothesis listed first, so the choice never depends on float noise
        chosen = str(votes.index[int(np.argmax(votes.to_numpy()))])
        return ForestChoice(
            votes=votes, chosen=chosen, probability=1.0 - expected_error,
            error_rate=self.error_rate, confusion=self.confusion, recovery=self.recovery,
            importance=self.importance, trained_on=self.trained_on,
        )


def forest_choice(
    reference: pd.DataFrame,
    observed: pd.Series,
    hypotheses: Sequence[str] | None = None,
    *,
    seed: int = 0,
    trees: int = TREES,
    n_jobs: int = 1,
) -> ForestChoice:
    """Choose among ``hypotheses`` (default: all in ``reference``) for the ``observed``
    statistics, with forests trained on the ``reference`` rows of those hypotheses
    (`grow_forest`, then `Forest.choose`)."""
    names = [str(n) for n in observed.index]
    forest = grow_forest(reference, names, hypotheses, seed=seed, trees=trees, n_jobs=n_jobs)
    return forest.choose(observed)


def grow_forest(
    reference: pd.DataFrame,
    names: Sequence[str],
    hypotheses: Sequence[str] | None = None,
    *,
    seed: int = 0,
    trees: int = TREES,
    n_jobs: int = 1,
) -> Forest:
    """Grow the classification and regression forests on the ``reference`` rows of
    ``hypotheses`` (default: all in it), over the statistics ``names``.

    ``reference`` has a ``hypothesis`` column and one column per statistic (the pilot
    table, `pilot.reference_table`); NaN is allowed (the forests split on missingness).
    Restricting ``hypotheses`` retrains on their rows only, which is how a choice among
    the adequate ones is made.
    """
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    names = [str(n) for n in names]
    missing = [n for n in names if n not in reference.columns]
    if missing:
        raise ValueError(f"the reference table lacks statistics {missing[:3]}; "
                         "run the pilot again with the same statistics")
    labels = reference["hypothesis"].astype(str)
    candidates = sorted(set(labels)) if hypotheses is None else [str(h) for h in hypotheses]
    rows = labels.isin(candidates).to_numpy()
    present = sorted(set(labels[rows]))
    if len(present) < 2:
        raise ValueError(
            f"a forest needs reference simulations of at least two hypotheses; "
            f"found {present or 'none'} among {candidates}")
    x = reference.loc[rows, names].to_numpy(dtype=float)
    y = labels[rows].to_numpy()
    # one seed for both forests, derived so that the classifier and the regression
    # never share a stream
    seeds = np.random.SeedSequence([int(seed) & 0xFFFFFFFF, 7]).generate_state(2)
    clf = RandomForestClassifier(n_estimators=trees, oob_score=True, n_jobs=n_jobs,
                                 random_state=int(seeds[0]))
    clf.fit(x, y)
    classes = [str(c) for c in clf.classes_]
    oob = clf.oob_decision_function_
    usable = ~np.isnan(oob).any(axis=1)  # a row every tree saw has no out-of-bag vote
    oob_label = np.asarray(classes)[np.nan_to_num(oob).argmax(axis=1)]
    wrong = (oob_label != y).astype(float)
    confusion = (pd.crosstab(pd.Series(y[usable], name="truth"),
                             pd.Series(oob_label[usable], name="assigned"), normalize="index")
                 .reindex(index=present, columns=present, fill_value=0.0))
    reg = RandomForestRegressor(n_estimators=trees, n_jobs=n_jobs, random_state=int(seeds[1]))
    reg.fit(x[usable], wrong[usable])
    return Forest(
        names=names, candidates=candidates, classifier=clf, regressor=reg,
        error_rate=float(wrong[usable].mean()), confusion=confusion,
        recovery=pd.Series(np.diag(confusion.to_numpy()), index=present,
                           name="forest_recovery"),
        importance=pd.Series(clf.feature_importances_, index=names, name="importance"),
        trained_on=int(rows.sum()),
    )
