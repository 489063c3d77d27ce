"""Forest recovery: does the forest `compare` grows name the hypothesis that wrote a record?

The model writes ``--records`` records under each truth at its own parameters (the
scenario's values, or ``--rate``); the forest grown on `compare`'s pilot for each
``--seeds`` value chooses among every hypothesis. One simulation per record, so all
eleven truths take minutes, not the hours a `compare` per record would. Writes
``forest_recovery.csv`` (one row per record and seed) and ``forest_confusion.md``
under ``--out`` (default out/recovery-forest).

    .venv/bin/python scripts/recovery_forest.py [--records 10] [--seeds 0 1] [--rate 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from centrehold.infer.defaults import DEFAULT_PILOT
from centrehold.infer.recovery import forest_recovery
from centrehold.runs import get_executor
from centrehold.scenario import load_scenario


def markdown(table: pd.DataFrame, index: str) -> str:
    cols = [index, *map(str, table.columns)]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for name, row in table.iterrows():
        lines.append(f"| {name} | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--truths", nargs="+", default=None,
                        help="hypotheses that write records (default: every one)")
    parser.add_argument("--records", type=int, default=10, help="records per truth")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0],
                        help="compare seeds whose pilot grows the forest")
    parser.add_argument("--rate", type=float, default=None)
    parser.add_argument("--pilot", type=int, default=DEFAULT_PILOT)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("out/recovery-forest"))
    args = parser.parse_args(argv)
    sc = load_scenario("iraq-2009", {"people_per_agent": "10000", "calendar.tick": "week"})
    truths = args.truths or sorted(sc.hypotheses)
    unknown = sorted(set(truths) - set(sc.hypotheses))
    if unknown:
        parser.error(f"unknown hypothesis {', '.join(unknown)}; choose from "
                     f"{', '.join(sorted(sc.hypotheses))}")
    if args.records < 1:
        parser.error(f"--records {args.records} is below one; give 1 or more")
    args.out.mkdir(parents=True, exist_ok=True)
    tables = []
    with get_executor("processes", args.workers) as pool:
        for seed in args.seeds:
            t0 = time.perf_counter()
            table, confusion = forest_recovery(sc, truths, args.records, seed=seed,
                                               pilot=args.pilot, rate=args.rate,
                                               executor=pool)
            tables.append(table.assign(seed=seed))
            pd.concat(tables).to_csv(args.out / "forest_recovery.csv", index=False)
            hits = (table["chosen"] == table["truth"]).mean()
            print(f"seed {seed} ({time.perf_counter() - t0:.0f} s): the truth chosen for "
                  f"{hits:.0%} of {len(table)} records", file=sys.stderr, flush=True)
    every = pd.concat(tables)
    confusion = (pd.crosstab(every["truth"], every["chosen"], normalize="index")
                 .reindex(index=truths, columns=sorted(sc.hypotheses), fill_value=0.0))
    text = markdown(confusion, "truth")
    (args.out / "forest_confusion.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
