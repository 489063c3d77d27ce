"""Recovery study: `compare` on records the iraq-2009 model writes under each hypothesis.

For each chosen hypothesis the model writes a record (fit window 2008-2009, test
year 2010) at known parameters (the scenario's own values, or ``--rate``), and the
whole `compare` pipeline runs on it as if it were the real record. Writes, under
``--out`` (default out/recovery), one folder per truth with compare's outputs, and
``recovery.csv`` / ``recovery.md``: the posterior of every hypothesis, whether the
truth got the most mass, and whether the 95% intervals cover the true parameters.

    .venv/bin/python scripts/recovery_iraq.py [--truths H2 H4] [--budget 1200] ...
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from centrehold.infer.defaults import (
    DEFAULT_BUDGET,
    DEFAULT_GENERATIONS,
    DEFAULT_METHOD,
    DEFAULT_PILOT,
    DEFAULT_POPULATION,
    DEFAULT_PREDICTIVE,
    METHODS,
)
from centrehold.infer.recovery import recover, true_parameters
from centrehold.scenario import load_scenario


def markdown(table: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(map(str, table.columns)) + " |"]
    lines.append("|" + "---|" * len(table.columns))
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(map(str, row)) + " |")
    return "\n".join(lines) + "\n"


def confusion_table(table: pd.DataFrame) -> pd.DataFrame:
    """Truth x hypothesis posterior (rows: the hypothesis that wrote the record), with
    the hypothesis the verdict names (the leader among the adequate ones)."""
    cols = [c for c in table.columns if c.startswith("P(")]
    out = table[["truth"] + cols].rename(columns={c: c[2:-1] for c in cols})
    if "leading" in table.columns:
        out["verdict names"] = table["leading"].fillna("none")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truths", nargs="+", default=None,
                        help="hypotheses that write records (default: every one)")
    parser.add_argument("--rate", type=float, default=None)
    parser.add_argument("--budget", type=int, default=DEFAULT_BUDGET)
    parser.add_argument("--population", type=int, default=DEFAULT_POPULATION)
    parser.add_argument("--pilot", type=int, default=DEFAULT_PILOT)
    parser.add_argument("--generations", type=int, default=DEFAULT_GENERATIONS)
    parser.add_argument("--predictive", type=int, default=DEFAULT_PREDICTIVE)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--method", default=DEFAULT_METHOD, choices=list(METHODS))
    parser.add_argument("--out", type=Path, default=Path("out/recovery"))
    parser.add_argument("--resume", action="store_true",
                        help="continue each truth's compare in --out (a finished one is "
                             "only weighed again: its predictive, checks and forest)")
    args = parser.parse_args(argv)
    sc = load_scenario("iraq-2009", {"people_per_agent": "10000", "calendar.tick": "week"})
    unknown = sorted(set(args.truths or ()) - set(sc.hypotheses))
    if unknown:
        parser.error(f"unknown hypothesis {', '.join(unknown)}; choose from "
                     f"{', '.join(sorted(sc.hypotheses))}")
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for h in args.truths or sorted(sc.hypotheses):
        t0 = time.perf_counter()
        row, _ = recover(
            sc, h, true_parameters(sc, h, args.rate), args.out / h, budget=args.budget,
            population=args.population, pilot=args.pilot, generations=args.generations,
            predictive=args.predictive, workers=args.workers, seed=args.seed,
            method=args.method, resume=args.resume,
        )
        rows.append(row)
        print(f"{h} ({time.perf_counter() - t0:.0f} s): {row}", flush=True)
        # written after every truth, so that a study stopped part-way keeps what it made
        table = pd.DataFrame(rows)
        table.to_csv(args.out / "recovery.csv", index=False)
    (args.out / "recovery.md").write_text(markdown(table))
    print(markdown(table))
    confusion = confusion_table(table)
    (args.out / "confusion.md").write_text(markdown(confusion))
    print(markdown(confusion))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
