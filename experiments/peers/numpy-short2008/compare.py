"""crimesim's short2008 against a vectorised numpy reference (short2008.py).

Check (default): both run scenarios/short2008-a.toml and -c.toml (128 x 128) for a few
seeds; after a warm-up, the mean burglaries per step, mean burglars on the lattice, mean
attractiveness A and its coefficient of variation are compared. Random streams differ, so
agreement is statistical: the verdict is AGREE when the first three differ by less than
--tolerance (default 3%) between the two.

Speed (--speed): the numpy reference on the case `crimesim bench --case short2008:large`
times (1024 x 1024, about 1.05M burglars), and that bench case on 1 and 2 threads, in the
same run; prints burglar-steps per second for each and the ratios.

usage: compare.py [--crimesim PATH] [--seeds N] [--ticks T] [--warm-up W] [--speed]
                  [--numpy-steps N]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow.ipc

import short2008

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = ["scenarios/short2008-a.toml", "scenarios/short2008-c.toml"]
RECORD_EVERY = 100
# Statistics compared, and whether the verdict rests on them.
STATS = [("burglaries per step", True), ("burglars", True), ("mean A", True),
         ("CV of A", False)]


def statistics(rows, warm_up, ticks):
    """The compared statistics of one run from its rows (tick, burglaries since the
    previous row, burglars, mean A, CV of A), rows after the warm-up only."""
    after = [r for r in rows if r[0] > warm_up]
    return [sum(r[1] for r in after) / (ticks - warm_up),
            np.mean([r[2] for r in after]),
            np.mean([r[3] for r in after]),
            np.mean([r[4] for r in after])]


def numpy_rows(scenario, ticks, seed):
    params = short2008.load_params(ROOT / scenario)
    return short2008.run(params, ticks, RECORD_EVERY, seed)


def crimesim_rows(exe, scenario, ticks, seed, threads=1):
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([exe, "run", str(ROOT / scenario), "--out", out, "--seed", str(seed),
                        "--ticks", str(ticks), "--set", f"record_every={RECORD_EVERY}",
                        "--threads", str(threads), "--quiet"], check=True)
        t = pyarrow.ipc.open_file(os.path.join(out, "ticks.arrow")).read_all()
    cols = [t.column(c).to_pylist() for c in
            ("tick", "events", "offenders", "mean_attractiveness", "cv_attractiveness")]
    return list(zip(*cols))


def check(a):
    ok = True
    for scenario in SCENARIOS:
        t0 = time.time()
        ours = [statistics(numpy_rows(scenario, a.ticks, s), a.warm_up, a.ticks)
                for s in range(a.seeds)]
        theirs = [statistics(crimesim_rows(a.crimesim, scenario, a.ticks, s), a.warm_up,
                             a.ticks) for s in range(a.seeds)]
        print(f"\n== {scenario}: {a.seeds} seeds each, {a.ticks} steps, statistics over "
              f"steps {a.warm_up + 1}-{a.ticks} ==")
        print(f"{'statistic':<22} {'numpy':>12} {'(s.e.)':>9} {'crimesim':>12} {'(s.e.)':>9} "
              f"{'difference':>11}")
        for i, (name, decides) in enumerate(STATS):
            x = np.array([r[i] for r in ours])
            y = np.array([r[i] for r in theirs])
            se = lambda v: v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else float("nan")
            diff = (x.mean() - y.mean()) / y.mean() if y.mean() else 0.0
            flag = ""
            if decides and abs(diff) >= a.tolerance:
                flag, ok = "  <- beyond tolerance", False
            note = "" if decides else "  (shown, not tested)"
            print(f"{name:<22} {x.mean():12.5g} {se(x):9.2g} {y.mean():12.5g} {se(y):9.2g} "
                  f"{diff:+10.2%}{flag}{note}")
        print(f"({time.time() - t0:.0f} s)")
    print(f"\nverdict: {'AGREE' if ok else 'DISAGREE'} (tolerance {a.tolerance:.0%})")
    return ok


def numpy_speed(steps, seed=42):
    """(burglars at the start, burglar-steps, seconds) of `steps` steps of the large case;
    burglar-steps counts the burglars on the lattice at the start of each step, as
    crimesim's agent_steps does; only the steps are timed, as in `crimesim bench`."""
    params = short2008.load_params(None, short2008.BENCH_LARGE)
    lattice = short2008.Lattice(params, seed)
    start = lattice.burglars()
    agent_steps, seconds = 0, 0.0
    for _ in range(steps):
        agent_steps += lattice.burglars()
        t0 = time.perf_counter()
        lattice.step()
        seconds += time.perf_counter() - t0
    return start, agent_steps, seconds


def crimesim_speed(exe, threads):
    out = subprocess.run([exe, "bench", "--case", "short2008:large", "--threads",
                          str(threads)], check=True, capture_output=True, text=True).stdout
    m = json.loads(out)
    return m["agents"], m["agent_steps"], m["seconds"], m["ticks"]


def speed(a):
    load = os.getloadavg()
    print("Speed, the case of `crimesim bench --case short2008:large`: 1024 x 1024, theta "
          "0.056, gamma 0.21, other parameters crimesim's defaults, equilibrium start.")
    print("Steps only (no construction, no output). numpy runs on one core.")
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    rows = []
    start, steps_done, seconds = numpy_speed(a.numpy_steps)
    rows.append(("numpy reference", 1, start, a.numpy_steps, steps_done / seconds))
    for threads in (1, 2):
        agents, agent_steps, secs, ticks = crimesim_speed(a.crimesim, threads)
        rows.append(("crimesim bench", threads, agents, ticks, agent_steps / secs))
    base = rows[0][4]
    print(f"{'implementation':<16} {'threads':>7} {'burglars':>10} {'steps':>6} "
          f"{'burglar-steps/s':>16} {'vs numpy':>9}")
    for name, threads, agents, steps, rate in rows:
        print(f"{name:<16} {threads:>7} {agents:>10,} {steps:>6} {rate:>16,.0f} "
              f"{rate / base:>8.1f}x")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--crimesim", default=str(ROOT / "target/release/crimesim"),
                    help="the crimesim binary (default: target/release/crimesim)")
    ap.add_argument("--seeds", type=int, default=4, help="check: seeds per side (default 4)")
    ap.add_argument("--ticks", type=int, default=10000, help="check: steps (default 10000)")
    ap.add_argument("--warm-up", type=int, default=2000, help="check: steps left out "
                    "(default 2000)")
    ap.add_argument("--tolerance", type=float, default=0.03)
    ap.add_argument("--speed", action="store_true", help="time both instead")
    ap.add_argument("--numpy-steps", type=int, default=30,
                    help="speed: numpy steps (default 30)")
    a = ap.parse_args()
    if not os.path.exists(a.crimesim):
        sys.exit(f"{a.crimesim}: no such binary (cargo build --release, or pass --crimesim)")
    if not 0 <= a.warm_up < a.ticks:
        sys.exit(f"--warm-up {a.warm_up}: expected 0 <= warm-up < --ticks {a.ticks}")
    if a.speed:
        speed(a)
        return
    sys.exit(0 if check(a) else 1)


if __name__ == "__main__":
    main()
