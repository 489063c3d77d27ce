"""Run every `benchmarks/bench_*.py` module's `main(results_dir)`, one after another.

This is what `make bench` calls. Benchmarks are kept out of the test suite on
purpose: speed on a shared two-core machine is a measurement to record and read,
not a pass/fail condition. Each module writes its own files under
`benchmarks/results/`; this runner only discovers them, times them, reports on the
terminal, and carries on past a failing module so one broken benchmark does not
hide the others' figures.

    .venv/bin/python benchmarks/run_all.py              # all of them
    .venv/bin/python benchmarks/run_all.py engine runs  # only bench_engine, bench_runs
    .venv/bin/python benchmarks/run_all.py --quick      # smallest sizes (a smoke run)
"""

from __future__ import annotations

import argparse
import importlib.util
import inspect
import os
import platform
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def discover(only: list[str] | None = None) -> list[Path]:
    """The bench_*.py files next to this one, sorted by name, optionally filtered."""
    paths = sorted(HERE.glob("bench_*.py"))
    if only:
        wanted = {name.removeprefix("bench_").removesuffix(".py") for name in only}
        unknown = wanted - {p.stem.removeprefix("bench_") for p in paths}
        if unknown:
            known = ", ".join(p.stem.removeprefix("bench_") for p in paths)
            raise SystemExit(f"no benchmark named {sorted(unknown)}; choose from: {known}")
        paths = [p for p in paths if p.stem.removeprefix("bench_") in wanted]
    return paths


def load(path: Path) -> ModuleType:
    """Import a benchmark file by path (benchmarks/ is a folder of scripts, not a package)."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))  # so benchmarks can import their siblings (mesa_peer)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def call_main(module: ModuleType, results_dir: Path, quick: bool) -> None:
    """Call main(results_dir), passing quick=... only to modules that accept it."""
    fn = getattr(module, "main", None)
    if fn is None:
        raise AttributeError(f"{module.__name__} has no main(results_dir)")
    if "quick" in inspect.signature(fn).parameters:
        fn(results_dir, quick=quick)
    else:
        fn(results_dir)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run centrehold's benchmarks.")
    parser.add_argument("names", nargs="*", help="benchmark names (engine, runs, ...)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="output folder")
    parser.add_argument("--quick", action="store_true", help="smallest sizes only")
    args = parser.parse_args(argv)

    args.results.mkdir(parents=True, exist_ok=True)
    paths = discover(args.names)
    print(
        f"centrehold benchmarks: {len(paths)} module(s) -> {args.results}\n"
        f"  python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} cpu(s); load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    failed: list[str] = []
    t_all = time.perf_counter()
    for i, path in enumerate(paths, 1):
        print(f"[{i}/{len(paths)}] {path.stem} ...", flush=True)
        t0 = time.perf_counter()
        try:
            call_main(load(path), args.results, args.quick)
        except KeyboardInterrupt:
            raise
        except BaseException:  # a failing benchmark must not hide the others
            traceback.print_exc()
            failed.append(path.stem)
            print(f"[{i}/{len(paths)}] {path.stem} FAILED", flush=True)
            continue
        took = time.perf_counter() - t0
        print(f"[{i}/{len(paths)}] {path.stem} done in {took:.1f} s", flush=True)
    print(f"all done in {time.perf_counter() - t_all:.1f} s", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
