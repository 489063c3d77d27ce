"""Is the verdict stable? `compare` on the record with several root seeds, one table.

Runs `centrehold.infer.simulated.run_compare` at the given settings for each seed and
writes, in --out:

- `stability.csv`: one row per (seed, hypothesis): posterior probability, status
  (adequate, inadequate, died out), coverage of the fit months, predictive mean;
- `stability.md`: the probabilities (and the forest's votes, `infer.choice`) as a
  hypothesis x seed table with their mean and
  largest deviation from it, the adequate set per seed, and whether the verdict is
  stable by the rule of issue 11: the same adequate set on every seed and every
  probability within 0.1 of its mean.

    .venv/bin/python scripts/stability.py --seeds 0 1 2 3 4 --out out/stability

Each seed's compare folder is kept under --out/seed-N (resumable with --resume).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from centrehold.infer.adequacy import named_leader
from centrehold.infer.defaults import (
    DEFAULT_BUDGET,
    DEFAULT_COMPOSITION_GATE,
    DEFAULT_DECLINE_GATE,
    DEFAULT_JOINT_POPULATION,
    DEFAULT_LEVEL_GATE,
    DEFAULT_METHOD,
    DEFAULT_PILOT,
    DEFAULT_POPULATION,
    DEFAULT_PREDICTIVE,
    METHODS,
)
from centrehold.infer.simulated import run_compare
from centrehold.scenario import load_scenario

TOLERANCE = 0.1


def stability_table(rows: pd.DataFrame, column: str = "probability"
                    ) -> tuple[pd.DataFrame, bool, str]:
    """Probabilities by hypothesis and seed with mean and largest deviation; whether the
    verdict is stable; a one-line reason. `column` names the probability judged."""
    wide = rows.pivot(index="hypothesis", columns="seed", values=column).fillna(0.0)
    wide["mean"] = wide.mean(axis=1)
    seeds = [c for c in wide.columns if c != "mean"]
    wide["max_dev"] = wide[seeds].sub(wide["mean"], axis=0).abs().max(axis=1)
    sets = rows[rows["status"] == "adequate"].groupby("seed")["hypothesis"].apply(
        lambda s: tuple(sorted(s)))
    sets = sets.reindex(seeds).apply(lambda v: v if isinstance(v, tuple) else ())
    same_set = len(set(sets)) == 1
    close = bool((wide["max_dev"].fillna(0.0) <= TOLERANCE).all())
    reason = ("stable" if same_set and close else
              "unstable: " + "; ".join(
                  ([] if same_set else ["the adequate set changes with the seed"])
                  + ([] if close else [f"a probability moves more than {TOLERANCE} "
                                       "from its mean"])))
    return wide, same_set and close, reason


def adequate_sets(rows: pd.DataFrame) -> pd.Series:
    """Each seed's adequate hypotheses as one string; "none" for a seed without any."""
    return pd.Series({seed: ", ".join(sorted(f.loc[f["status"] == "adequate", "hypothesis"]))
                      or "none" for seed, f in rows.groupby("seed")})


def named_by_seed(rows: pd.DataFrame) -> pd.Series:
    """The hypothesis each seed's verdict names (`adequacy.named_leader`); "none" where
    no weighing was sure of a leader."""
    if "named" not in rows.columns:
        return pd.Series(dtype=object)
    return pd.Series({seed: next(iter(f.loc[f["named"].astype(bool), "hypothesis"]), "none")
                      for seed, f in rows.groupby("seed")})


def _by_seed(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """`column` by hypothesis and seed, with its spread over seeds."""
    wide = rows.pivot(index="hypothesis", columns="seed", values=column)
    seeds = list(wide.columns)
    wide["mean"] = wide[seeds].mean(axis=1)
    wide["sd"] = wide[seeds].std(axis=1)
    return wide.round(3)


def markdown(frame: pd.DataFrame) -> str:
    """A DataFrame as a Markdown table (index first)."""
    cols = [str(frame.index.name or "")] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for idx, row in frame.iterrows():
        lines.append("| " + " | ".join([str(idx)] + [str(v) for v in row]) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--budget", type=int, default=DEFAULT_BUDGET)
    ap.add_argument("--population", type=int, default=None)
    ap.add_argument("--method", default=DEFAULT_METHOD, choices=list(METHODS))
    ap.add_argument("--pilot", type=int, default=DEFAULT_PILOT)
    ap.add_argument("--predictive", type=int, default=DEFAULT_PREDICTIVE)
    ap.add_argument("--level-gate", type=float, default=DEFAULT_LEVEL_GATE)
    ap.add_argument("--decline-gate", type=float, default=DEFAULT_DECLINE_GATE)
    ap.add_argument("--composition-gate", type=float, default=DEFAULT_COMPOSITION_GATE)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--record", default="ibc-max", choices=["ibc-max", "ibc-min"])
    ap.add_argument("--hypotheses", nargs="+", default=None,
                    help="weigh only these (default: all the scenario's)")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--out", type=Path, default=Path("out/stability"))
    a = ap.parse_args()
    if a.population is None:
        a.population = DEFAULT_POPULATION if a.method == "each" else DEFAULT_JOINT_POPULATION
    sc = load_scenario("iraq-2009", {"people_per_agent": "10000", "calendar.tick": "week"})
    rows = []
    for seed in a.seeds:
        t0 = time.perf_counter()
        res = run_compare(sc, a.out / f"seed-{seed}", budget=a.budget,
                          population=a.population, pilot=a.pilot, predictive=a.predictive,
                          workers=a.workers, seed=seed, resume=a.resume, record=a.record,
                          method=a.method, hypotheses=a.hypotheses,
                          level_gate=a.level_gate, decline_gate=a.decline_gate,
                          composition_gate=a.composition_gate)
        wall = time.perf_counter() - t0
        named = named_leader(res.posterior)
        for r in res.posterior.itertuples(index=False):
            rows.append({"seed": seed, "hypothesis": r.hypothesis,
                         "probability": float(r.probability),
                         "probability_adequate": float(getattr(r, "probability_adequate",
                                                               float("nan"))),
                         "forest_votes": float(getattr(r, "forest_votes", float("nan"))),
                         "forest_votes_adequate": float(getattr(r, "forest_votes_adequate",
                                                                float("nan"))),
                         "status": r.status, "named": r.hypothesis == named,
                         "coverage_fit": r.coverage_fit, "coverage_test": r.coverage_test,
                         "predictive_mean": r.predictive_mean,
                         "level_error": r.level_error, "decline": r.decline_predicted,
                         "final_epsilon": res.settings.final_epsilon,
                         "final_acceptance": res.settings.final_acceptance,
                         "wall_seconds": wall})
        print(f"seed {seed}: {wall:.0f} s; "
              + ", ".join(f"{r.hypothesis} {r.probability:.2f} ({r.status})"
                          for r in res.posterior.itertuples(index=False)), flush=True)
    table = pd.DataFrame(rows)
    a.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(a.out / "stability.csv", index=False)
    wide, stable, reason = stability_table(table)
    among = ""
    if a.method == "each":
        wide_a, _, reason_a = stability_table(table, "probability_adequate")
        among = ("\n".join(["## Weight among the adequate hypotheses (what the verdict uses)",
                            "", markdown(wide_a.round(3)), "", f"Verdict: **{reason_a}**.",
                            ""]))
    if table["forest_votes"].notna().any():
        wide_f, _, reason_f = stability_table(table, "forest_votes")
        wide_fa, _, reason_fa = stability_table(table, "forest_votes_adequate")
        among += "\n".join([
            "## Forest votes over every hypothesis (infer.choice)", "",
            markdown(wide_f.round(3)), "", f"Verdict: **{reason_f}**.", "",
            "## Forest votes among the adequate hypotheses", "",
            markdown(wide_fa.round(3)), "", f"Verdict: **{reason_fa}**.", ""])
    adequate = adequate_sets(table)
    named = named_by_seed(table)
    lines = [f"# Stability of the verdict over seeds {a.seeds}", "",
             f"Settings: method {a.method}, budget {a.budget}, population {a.population}, "
             f"pilot {a.pilot}, predictive {a.predictive}, record {a.record}, "
             f"level gate {a.level_gate}, decline gate {a.decline_gate}, composition gate "
             f"{a.composition_gate} (noise SDs), "
             f"hypotheses {', '.join(a.hypotheses) if a.hypotheses else 'all'}.", "",
             "## Probability over all hypotheses", "",
             markdown(wide.round(3)), "",
             "Adequate set by seed: " + "; ".join(f"{s}: {v}" for s, v in adequate.items()),
             "Named by the verdict, by seed: "
             + "; ".join(f"{s}: {v}" for s, v in named.items())
             + (" (the same on every seed)" if named.nunique() == 1 else
                " (changes with the seed)"),
             "", f"Verdict: **{reason}**.", "", among,
             "## How well each fit reproduces the record, seed by seed", "",
             "Level error: |predictive mean - record mean| / record mean over the fit "
             "window; coverage: share of the fit window's months inside the 90% band.", "",
             "### Level error", "", markdown(_by_seed(table, "level_error")), "",
             "### Coverage of the fit window", "", markdown(_by_seed(table, "coverage_fit")),
             ""]
    (a.out / "stability.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
