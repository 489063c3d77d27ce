"""Model I speed, side by side: centrehold's two schedules against Mesa's own example.

DESIGN section 6 sets the targets as ratios to Mesa 3.3's `epstein_civil_violence`
example run in the same benchmark, at the example's parameters: `sequential` at
least 100x Mesa's agent-steps per second, `synchronous` at least 1000x, at 100x100
and above, and 10^7 agents within the machine's memory. Ratios measured in one run
on one machine are what can be compared honestly; absolute figures on a shared
machine drift from one hour to the next.

Each case runs in its own child process, so that its peak resident memory is its
own (the kernel's high-water mark of a process never goes down) and one case's
garbage cannot slow the next. In a child, centrehold first runs a small warm-up of
the same schedule so that Numba compilation (or loading its on-disk cache) is not
timed; Mesa's first step, which fills the grid's neighbourhood caches, is likewise
timed apart and left out of its rate.

    .venv/bin/python benchmarks/bench_engine.py            # full table (~10 minutes)
    .venv/bin/python benchmarks/bench_engine.py --quick    # 40x40 and 100x100 only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import mesa_peer  # noqa: E402  (sibling script, imported by path)

# Mesa's example parameters, the ones every case runs at (width and height vary).
PARAMS: dict[str, Any] = {
    k: v for k, v in mesa_peer.MESA_EXAMPLE_DEFAULTS.items() if k not in ("width", "height")
}

# (side, ticks for centrehold). 3780 x 3780 at density 0.70 holds 10^7 citizens
# (plus ~1.06 x 10^6 cops at 0.074).
CENTREHOLD_SIZES: list[tuple[int, int]] = [
    (40, 500),
    (100, 300),
    (200, 200),
    (400, 100),
    (1000, 30),
    (2000, 10),
    (3780, 6),
]
# (side, ticks for Mesa). 200x200 is where one Mesa run of the example's length takes
# minutes (about 2.6 s a tick on an idle machine); a few ticks give its rate.
MESA_SIZES: list[tuple[int, int]] = [(40, 60), (100, 20), (200, 8)]
QUICK_CENTREHOLD = [(40, 200), (100, 100)]
QUICK_MESA = [(40, 20), (100, 5)]
SCHEDULES = ("sequential", "synchronous")
CHILD_TIMEOUT = 1800.0


def peak_rss_bytes() -> int:
    """This process's peak resident set size (Linux reports ru_maxrss in KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) * (1 if sys.platform == "darwin" else 1024)


def current_rss_bytes() -> int:
    """Resident memory now, from /proc (0 where /proc is absent)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


# ---------------------------------------------------------------- centrehold side


def centrehold_scenario(side: int, preset: str = "mesa") -> Any:
    """The built-in Model I scenario set to Mesa's example parameters on a side x side grid."""
    from centrehold.scenario import load_scenario

    overrides = {k: str(v) for k, v in PARAMS.items()}
    overrides.update(width=str(side), height=str(side), preset=preset)
    return load_scenario("epstein-1", overrides=overrides)


def run_centrehold_case(side: int, ticks: int, schedule: str, seed: int = 1) -> dict[str, Any]:
    """Warm up, then time one run; the steady rate comes from the progress timestamps.

    simulate() also builds the world and assembles the Dataset; the first and last
    progress calls bracket only the ticks, so their spacing is the stepping rate.
    Both wall and CPU seconds are kept: on a loaded shared machine the CPU clock
    (all threads of the process) is the steadier measure of the work done.
    """
    import numpy as np

    from centrehold.engine import simulate

    simulate(centrehold_scenario(20), seed=0, ticks=3, schedule=schedule)  # compile / load cache
    rss_before = current_rss_bytes()
    scenario = centrehold_scenario(side)
    stamps: list[tuple[int, float, float]] = []

    def progress(done: int, total: int) -> None:
        stamps.append((done, time.perf_counter(), time.process_time()))

    t0 = time.perf_counter()
    ds = simulate(scenario, seed=seed, ticks=ticks, schedule=schedule, progress=progress)
    wall = time.perf_counter() - t0
    citizens = int(np.asarray((ds["quiet"] + ds["active"] + ds["jailed"]).isel(tick=0)).sum())
    agents = int(ds.attrs.get("agents", citizens + int(ds["cops"][0])))
    if len(stamps) >= 2 and stamps[-1][0] > stamps[0][0]:
        n = stamps[-1][0] - stamps[0][0]
        per_tick = (stamps[-1][1] - stamps[0][1]) / n
        cpu_per_tick = (stamps[-1][2] - stamps[0][2]) / n
    else:  # too few ticks to bracket: the whole call, setup included
        per_tick = cpu_per_tick = wall / ticks
    bpa = ds.attrs.get("bytes_per_agent")
    return {
        "engine": f"centrehold-{schedule}",
        "side": side,
        "agents": agents,
        "citizens": citizens,
        "ticks": ticks,
        "wall_seconds": wall,
        "seconds_per_tick": per_tick,
        "cpu_seconds_per_tick": cpu_per_tick,
        "peak_rss_bytes": peak_rss_bytes(),
        "rss_before_bytes": rss_before,
        "state_bytes": float(bpa) * agents if bpa is not None else None,
        "threads": _numba_threads() if schedule == "synchronous" else 1,
        "mean_active": float(np.asarray(ds["active"]).sum(axis=-1).mean()),
    }


def _numba_threads() -> int:
    try:
        import numba

        return int(numba.get_num_threads())
    except Exception:
        return 1


# --------------------------------------------------------------------- Mesa side


def run_mesa_case(side: int, ticks: int, seed: int = 1) -> dict[str, Any]:
    """Time Mesa's example; the first step (which fills neighbourhood caches) is set apart."""
    run = mesa_peer.run_mesa(side, side, ticks, seed, **PARAMS)
    steady_ticks = max(ticks - 1, 1)
    if ticks > 1:
        steady = run.step_seconds[1:].sum() / steady_ticks
        cpu = run.step_cpu_seconds[1:].sum() / steady_ticks
    else:
        steady, cpu = run.wall_seconds, float(run.step_cpu_seconds.sum())
    return {
        "engine": f"mesa-{run.mesa_version}",
        "side": side,
        "agents": run.n_agents,
        "citizens": run.n_citizens,
        "ticks": ticks,
        "wall_seconds": run.wall_seconds + run.setup_seconds,
        "seconds_per_tick": float(steady),
        "cpu_seconds_per_tick": float(cpu),
        "first_step_seconds": float(run.step_seconds[0]),
        "peak_rss_bytes": peak_rss_bytes(),
        "rss_before_bytes": None,
        "state_bytes": None,
        "threads": 1,
        "mean_active": float(run.active[1:].mean()),
    }


# ----------------------------------------------------------------- orchestration


def run_in_child(kind: str, side: int, ticks: int, schedule: str | None = None) -> dict[str, Any]:
    """Run one case in a fresh interpreter and read back its JSON line."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind, str(side), str(ticks)]
    if schedule:
        cmd.append(schedule)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=CHILD_TIMEOUT)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"{kind} {side}x{side} failed: " + " | ".join(tail))
    return json.loads(proc.stdout.strip().splitlines()[-1])


def finish_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Add agent-steps/s, the ratio to Mesa and bytes per agent to every row."""
    mesa = {r["side"]: r for r in rows if r["engine"].startswith("mesa")}
    largest = max(mesa) if mesa else None
    for r in rows:
        r["agent_steps_per_second"] = r["agents"] / r["seconds_per_tick"]
        r["agent_steps_per_cpu_second"] = r["agents"] / max(r["cpu_seconds_per_tick"], 1e-12)
    for r in rows:
        if r["engine"].startswith("mesa"):
            r["ratio_to_mesa"] = r["ratio_to_mesa_cpu"] = 1.0
            r["mesa_reference"] = f"{r['side']}x{r['side']}"
        elif mesa:
            ref = mesa.get(r["side"]) or mesa[largest]
            r["ratio_to_mesa"] = r["agent_steps_per_second"] / ref["agent_steps_per_second"]
            r["ratio_to_mesa_cpu"] = (
                r["agent_steps_per_cpu_second"] / ref["agent_steps_per_cpu_second"]
            )
            same = r["side"] in mesa
            r["mesa_reference"] = f"{ref['side']}x{ref['side']}" + ("" if same else " (largest)")
        else:
            r["ratio_to_mesa"] = r["ratio_to_mesa_cpu"] = None
            r["mesa_reference"] = ""
        grown = None
        if r.get("rss_before_bytes"):
            grown = max(r["peak_rss_bytes"] - r["rss_before_bytes"], 0)
        r["rss_growth_bytes_per_agent"] = grown / r["agents"] if grown is not None else None
        r["state_bytes_per_agent"] = (
            r["state_bytes"] / r["agents"] if r.get("state_bytes") else None
        )
    return rows


COLUMNS = [
    "engine", "side", "agents", "ticks", "wall_seconds", "seconds_per_tick",
    "cpu_seconds_per_tick", "agent_steps_per_second", "agent_steps_per_cpu_second",
    "ratio_to_mesa", "ratio_to_mesa_cpu", "mesa_reference", "state_bytes_per_agent",
    "rss_growth_bytes_per_agent", "peak_rss_bytes", "threads", "mean_active",
]


def write_results(rows: list[dict[str, Any]], results_dir: Path, meta: dict[str, Any]) -> None:
    """engine.csv (one row per engine and size) and engine.md (the same, for people)."""
    import pandas as pd

    df = pd.DataFrame(rows)
    for col in COLUMNS:
        if col not in df:
            df[col] = None
    df = df[COLUMNS].sort_values(["side", "engine"], kind="stable")
    results_dir.mkdir(parents=True, exist_ok=True)
    df.to_csv(results_dir / "engine.csv", index=False, float_format="%.6g")

    def fmt(v: Any, spec: str) -> str:
        return "" if v is None or (isinstance(v, float) and v != v) else format(v, spec)

    lines = [
        "# Model I speed: centrehold against Mesa's own example",
        "",
        f"Measured {meta['date']} on {meta['machine']}; Mesa {meta['mesa']}, "
        f"Numba threads {meta['threads']}; load average {meta['load']:.2f} at the start, "
        f"{meta.get('load_end', meta['load']):.2f} at the end.",
        "Parameters: Mesa's example defaults (citizen density 0.70, cop density 0.074, "
        "vision 7, legitimacy 0.8, J_max 1000, k 2.3, movement on); centrehold uses its "
        "`mesa` preset. Agents = citizens + cops; agent-steps/s = agents / seconds per tick, "
        "over the timed ticks only. centrehold: Numba compile (or cache load) excluded by a "
        "warm-up run; world building and output assembly excluded by timing between the first "
        "and last progress calls. Mesa: its first step (neighbourhood caches) excluded. Ratios "
        "compare with Mesa at the same size, or with Mesa's largest measured size where "
        "marked (Mesa slows as grids grow, so that ratio flatters Mesa). Rates per wall second "
        "and per CPU second (all threads of the process) are both given: on a loaded shared "
        "machine the CPU figures are the steadier; for `synchronous` (2 threads) the CPU rate "
        "is per core, so its wall rate on an idle machine can be up to twice it. One run per "
        "row: read ratios as +-20% at best.",
        "",
        "| engine | grid | agents | ticks | wall s | s/tick | agent-steps/s | x Mesa | "
        "agent-steps/CPU-s | x Mesa (CPU) | vs Mesa at | state B/agent | "
        "RSS growth B/agent | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for r in df.to_dict("records"):
        lines.append(
            f"| {r['engine']} | {r['side']}x{r['side']} | {r['agents']:,} | {r['ticks']} | "
            f"{fmt(r['wall_seconds'], '.2f')} | {fmt(r['seconds_per_tick'], '.4g')} | "
            f"{fmt(r['agent_steps_per_second'], ',.0f')} | {fmt(r['ratio_to_mesa'], ',.0f')} | "
            f"{fmt(r['agent_steps_per_cpu_second'], ',.0f')} | "
            f"{fmt(r['ratio_to_mesa_cpu'], ',.0f')} | {r['mesa_reference']} | "
            f"{fmt(r['state_bytes_per_agent'], '.0f')} | "
            f"{fmt(r['rss_growth_bytes_per_agent'], '.0f')} | "
            f"{fmt(r['peak_rss_bytes'] / 2**20, ',.0f')} |"
        )
    targets = _target_lines(df)
    lines += ["", "## Targets (DESIGN section 6), at 100x100 and above", "", *targets, ""]
    (results_dir / "engine.md").write_text("\n".join(lines))


def _target_lines(df: Any) -> list[str]:
    out = []
    for schedule, need in (("sequential", 100), ("synchronous", 1000)):
        sub = df[(df["engine"] == f"centrehold-{schedule}") & (df["side"] >= 100)]
        if sub.empty or sub["ratio_to_mesa"].isna().all():
            out.append(f"- `{schedule}` >= {need}x: not measured")
            continue
        for col, clock in (("ratio_to_mesa", "wall"), ("ratio_to_mesa_cpu", "CPU")):
            worst = float(sub[col].min())
            verdict = "met" if worst >= need else "NOT met"
            out.append(
                f"- `{schedule}` >= {need}x Mesa by {clock} clock: {verdict} "
                f"(lowest {worst:,.0f}x, highest {float(sub[col].max()):,.0f}x)"
            )
    big = df[df["agents"] >= 10**7]
    if big.empty:
        out.append("- 10^7 agents: not run")
    else:
        peak = float(big["peak_rss_bytes"].max()) / 2**30
        out.append(f"- 10^7 agents: ran, peak RSS {peak:.1f} GiB of 24 GiB")
    return out


def main(results_dir: Path | str = HERE / "results", quick: bool = False) -> list[dict[str, Any]]:
    """Run every case (each in a child process) and write engine.csv and engine.md."""
    results_dir = Path(results_dir)
    load_at_start = os.getloadavg()[0]
    sizes = QUICK_CENTREHOLD if quick else CENTREHOLD_SIZES
    mesa_sizes = QUICK_MESA if quick else MESA_SIZES
    cases: list[tuple[str, int, int, str | None]] = []
    for side, ticks in sizes:
        for schedule in SCHEDULES:
            cases.append(("centrehold", side, ticks, schedule))
    try:
        mesa_peer.load_example()
        cases += [("mesa", side, ticks, None) for side, ticks in mesa_sizes]
    except mesa_peer.MesaUnavailable as exc:
        print(f"  Mesa skipped: {exc}", flush=True)
    # Interleave by size so Mesa and centrehold at one size run close together in time.
    cases.sort(key=lambda c: (c[1], c[0] != "mesa"))
    rows: list[dict[str, Any]] = []
    for i, (kind, side, ticks, schedule) in enumerate(cases, 1):
        label = f"{kind}{'-' + schedule if schedule else ''} {side}x{side} x {ticks} ticks"
        print(f"  ({i}/{len(cases)}) {label} ...", end="", flush=True)
        t0 = time.perf_counter()
        try:
            row = run_in_child(kind, side, ticks, schedule)
        except Exception as exc:  # e.g. out of memory at the largest size: record and go on
            print(f" failed ({exc})", flush=True)
            continue
        rate = row["agents"] / row["seconds_per_tick"]
        cpu_rate = row["agents"] / max(row["cpu_seconds_per_tick"], 1e-12)
        print(
            f" {time.perf_counter() - t0:.1f} s; {rate:,.0f} agent-steps/s "
            f"({cpu_rate:,.0f} per CPU-s), "
            f"peak {row['peak_rss_bytes'] / 2**20:,.0f} MiB",
            flush=True,
        )
        rows.append(row)
    rows = finish_rows(rows)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()} x{os.cpu_count()}, Python {platform.python_version()}",
        "mesa": mesa_peer.mesa_version(),
        "threads": os.environ.get("NUMBA_NUM_THREADS", "default (cpu count)"),
        "load": load_at_start,
        "load_end": os.getloadavg()[0],
    }
    write_results(rows, results_dir, meta)
    print(f"  wrote {results_dir / 'engine.csv'} and engine.md", flush=True)
    return rows


def _child(argv: list[str]) -> None:
    kind, side, ticks = argv[0], int(argv[1]), int(argv[2])
    if kind == "mesa":
        row = run_mesa_case(side, ticks)
    else:
        row = run_centrehold_case(side, ticks, argv[3])
    print(json.dumps(row))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Model I speed against Mesa's example.")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
    else:
        main(args.results, quick=args.quick)
