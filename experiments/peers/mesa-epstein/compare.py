"""crimesim's epstein2002 against Mesa 3.5.1's epstein_civil_violence example.

Agreement (default): both run the same parameters over many seeds; the distributions
of active and jailed counts at fixed steps, of time-averaged counts, and of outburst
statistics (outbursts of more than 50 actives: how many per run, waiting times, sizes)
are compared with two-sample Kolmogorov-Smirnov tests. Random streams differ, so
agreement is statistical. The verdict for a configuration is AGREE when no test rejects
at a family-wise 5% level (Bonferroni over the tests of that configuration).

Speed (--speed): both run Mesa's defaults at 40x40 and 200x200 on one core, crimesim's
`run` end to end over 3,000 ticks, Mesa 3,000 steps at 40x40 and --mesa-steps-large steps
at 200x200; prints agent-steps per second for each, the ratio and the issue's target.

usage: compare.py [--crimesim PATH] [--mesa-seeds N] [--crimesim-seeds N] [--jobs J]
                  [--configs mesa-defaults,run2] [--speed]
                  [--mesa-steps-large N]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow.ipc
from scipy.stats import ks_2samp

ROOT = Path(__file__).resolve().parents[3]
OUTBURST = 50  # an outburst: more than this many active citizens

# Each configuration: the crimesim scenario and the same parameters for Mesa.
CONFIGS = {
    "mesa-defaults": {
        "scenario": "scenarios/epstein-mesa-defaults.toml",
        "mesa": {},
        "steps": 200,
        "at": [1, 2, 5, 10, 50, 100, 200],
    },
    "run2": {
        "scenario": "scenarios/epstein-run2.toml",
        "mesa": {"cop_density": 0.04, "legitimacy": 0.82, "max_jail_term": 30},
        "steps": 500,
        "at": [1, 5, 10, 50, 100, 200, 300, 400, 500],
    },
}


# ----------------------------------------------------------------------------- Mesa side
def mesa_run(args):
    """Active and jailed counts after 0..steps steps of Mesa's model."""
    params, width, height, steps, seed = args
    from mesa.examples.advanced.epstein_civil_violence.model import (
        EpsteinCivilViolence,
        EpsteinScenario,
    )

    model = EpsteinCivilViolence(
        width=width, height=height, scenario=EpsteinScenario(rng=seed, **params)
    )
    active, jailed = [0], [0]  # after construction everyone is quiet
    for _ in range(steps):
        model.step()
        active.append(model.ACTIVE)
        jailed.append(model.ARRESTED)
    return np.array(active), np.array(jailed)


# ------------------------------------------------------------------------- crimesim side
def crimesim_run(args):
    exe, scenario, steps, seed, extra = args
    with tempfile.TemporaryDirectory() as out:
        cmd = [exe, "run", str(ROOT / scenario), "--out", out, "--seed", str(seed),
               "--ticks", str(steps), "--set", "record_every=1", "--threads", "1", "--quiet"]
        for kv in extra:
            cmd += ["--set", kv]
        subprocess.run(cmd, check=True)
        table = pyarrow.ipc.open_file(os.path.join(out, "ticks.arrow")).read_all()
        manifest = json.load(open(os.path.join(out, "manifest.json")))
    ticks = table.column("tick").to_numpy()
    assert list(ticks) == list(range(steps + 1)), "one row per step, from step 0"
    return (table.column("active").to_numpy().astype(int),
            table.column("jailed").to_numpy().astype(int), manifest)


# ---------------------------------------------------------------------------- statistics
def outbursts(active):
    """Outbursts of a run: maximal runs of steps with more than OUTBURST actives.
    Returns (waiting times, sizes): steps from the start (or the previous outburst's
    start) to each outburst's start, and each outburst's peak number of actives."""
    waits, sizes = [], []
    last_start, peak, inside = 0, 0, False
    for t, a in enumerate(active):
        if a > OUTBURST:
            if not inside:
                waits.append(t - last_start)
                last_start, peak, inside = t, 0, True
            peak = max(peak, a)
        elif inside:
            sizes.append(peak)
            inside = False
    if inside:
        sizes.append(peak)
    return waits, sizes


def statistics(runs, at, steps):
    """Named samples from a list of (active, jailed) runs."""
    s = {}
    for t in at:
        s[f"active at step {t}"] = [a[t] for a, _ in runs]
        s[f"jailed at step {t}"] = [j[t] for _, j in runs]
    burn = min(50, steps // 4)
    s[f"mean active, steps {burn}-{steps}"] = [a[burn:].mean() for a, _ in runs]
    s[f"mean jailed, steps {burn}-{steps}"] = [j[burn:].mean() for _, j in runs]
    s["peak active"] = [a.max() for a, _ in runs]
    s["peak jailed"] = [j.max() for _, j in runs]
    s[f"outbursts (>{OUTBURST} active) per run"] = [len(outbursts(a)[1]) for a, _ in runs]
    s["outburst waiting time"] = [w for a, _ in runs for w in outbursts(a)[0]]
    s["outburst size (peak active)"] = [z for a, _ in runs for z in outbursts(a)[1]]
    return s


def compare(name, mesa_runs, ours_runs, cfg, alpha=0.05):
    sm = statistics(mesa_runs, cfg["at"], cfg["steps"])
    so = statistics(ours_runs, cfg["at"], cfg["steps"])
    rows = []
    for key in sm:
        a, b = np.asarray(sm[key], float), np.asarray(so[key], float)
        if len(a) < 5 or len(b) < 5:
            rows.append((key, a, b, None))
            continue
        p = 1.0 if (np.all(a == a[0]) and np.all(b == a[0])) else ks_2samp(a, b).pvalue
        rows.append((key, a, b, p))
    tested = [r for r in rows if r[3] is not None]
    threshold = alpha / max(1, len(tested))
    print(f"\n== {name}: {len(mesa_runs)} Mesa runs, {len(ours_runs)} crimesim runs, "
          f"{cfg['steps']} steps, 40x40 ==")
    print(f"{'statistic':<38} {'n Mesa':>6} {'n ours':>6} {'Mesa mean':>10} {'ours mean':>10} "
          f"{'KS p':>8}")
    for key, a, b, p in rows:
        pm = f"{p:8.3f}" if p is not None else "   (few)"
        flag = " *" if p is not None and p < threshold else ""
        ma = f"{a.mean():10.2f}" if len(a) else f"{'-':>10}"
        mb = f"{b.mean():10.2f}" if len(b) else f"{'-':>10}"
        print(f"{key:<38} {len(a):6d} {len(b):6d} {ma} {mb} {pm}{flag}")
    rejected = [r[0] for r in tested if r[3] < threshold]
    verdict = "AGREE" if not rejected else "DISAGREE"
    print(f"verdict {name}: {verdict} ({len(tested)} KS tests, Bonferroni threshold "
          f"p < {threshold:.4f}; smallest p = {min(r[3] for r in tested):.3f})"
          + (f"; rejected: {', '.join(rejected)}" if rejected else ""))
    return verdict == "AGREE"


# --------------------------------------------------------------------------------- speed
SPEED_STEPS = 3000  # the horizon: 3,000 steps of Mesa's defaults
TARGETS = {40: 600, 200: 1000}  # crimesim end to end at least this many times Mesa


def mesa_speed(width, steps, checkpoints=(), seed=42):
    """Mesa's rate over `steps` steps, as (wall, CPU) agent-steps per second, timing
    `model.step()` only; and the wall-clock rate over the first k steps for each k in
    `checkpoints` (to see whether the rate drifts with the number of steps)."""
    from mesa.examples.advanced.epstein_civil_violence.model import (
        EpsteinCivilViolence,
        EpsteinScenario,
    )

    model = EpsteinCivilViolence(width=width, height=width, scenario=EpsteinScenario(rng=seed))
    agents = len(model.agents)
    early = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for step in range(1, steps + 1):
        model.step()
        if step in checkpoints:
            early[step] = agents * step / (time.perf_counter() - t0)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return agents * steps / wall, agents * steps / cpu, early, agents


def crimesim_speed(exe, width, steps, seed=42):
    """`crimesim run` end to end (process start, model construction, the steps and the
    Arrow output), timed from outside: (wall, CPU) agent-steps per second, and seconds."""
    with tempfile.TemporaryDirectory() as out:
        cmd = [exe, "run", str(ROOT / "scenarios/epstein-mesa-defaults.toml"), "--out", out,
               "--seed", str(seed), "--ticks", str(steps), "--set", f"record_every={steps}",
               "--set", f"grid.width={width}", "--set", f"grid.height={width}",
               "--threads", "1", "--quiet"]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        m = json.load(open(os.path.join(out, "manifest.json")))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return m["agent_steps"] / wall, m["agent_steps"] / cpu, wall


def speed(exe, large_steps):
    load = os.getloadavg()
    print("Speed, Mesa's defaults (vision 7, Von Neumann, 0.7 citizens, 0.074 cops), one core;")
    print(f"crimesim `run` end to end with --threads 1 over {SPEED_STEPS:,} ticks (process "
          "start, build and Arrow output included, timed from outside);")
    print("Mesa as shipped (DataCollector on), timing model.step() only: "
          f"{SPEED_STEPS:,} steps at 40x40, {large_steps} at 200x200")
    print(f"(at 200x200 Mesa's {SPEED_STEPS:,} steps would take over an hour: its rate per step "
          f"there is measured over {large_steps} steps).")
    print("Rates per second of wall-clock time, and per second of CPU time (the same on an idle")
    print("machine; on a shared one the CPU-time figures are the steadier).")
    print(f"load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    rows, drift = [], []
    for width, mesa_steps in [(40, SPEED_STEPS), (200, large_steps)]:
        checks = tuple(k for k in (20, 60, 100, 1000) if k < mesa_steps)
        m = mesa_speed(width, mesa_steps, checks)
        c = crimesim_speed(exe, width, SPEED_STEPS)
        rows.append((width, mesa_steps, m, c))
        drift.append((width, m[2], mesa_steps, m[0], m[3]))
    print(f"{'grid':>9} {'clock':>5} {'Mesa steps':>10} {'Mesa agent-steps/s':>19} "
          f"{'crimesim ticks':>14} {'crimesim agent-steps/s':>23} {'ratio':>7} "
          f"{'target':>7}")
    for width, mesa_steps, m, c in rows:
        for i, clock in enumerate(["wall", "CPU"]):
            ratio, target = c[i] / m[i], TARGETS[width]
            verdict = "met" if ratio >= target else f"short by {1 - ratio / target:.0%}"
            print(f"{width}x{width:<5} {clock:>5} {mesa_steps:>10,} {m[i]:>19,.0f} "
                  f"{SPEED_STEPS:>14,} {c[i]:>23,.0f} {ratio:>6.0f}x {target:>6}x  {verdict}")
    print("crimesim end-to-end seconds: "
          + ", ".join(f"{w}x{w} {c[2]:.2f} s" for w, _, _, c in rows))
    print("Mesa's wall-clock rate over the first k steps (drift with the number of steps):")
    for width, early, steps, rate, _ in drift:
        parts = [f"{k} steps {r:,.0f}" for k, r in sorted(early.items())]
        print(f"  {width}x{width}: " + ", ".join(parts + [f"{steps:,} steps {rate:,.0f}"]))
    width, _, steps, rate, agents = drift[-1]
    print(f"  at that rate Mesa's {SPEED_STEPS:,} steps at {width}x{width} would take about "
          f"{SPEED_STEPS * agents / rate / 60:.0f} minutes (about {agents:,} agents)")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


# ---------------------------------------------------------------------------------- main
def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--crimesim", default=str(ROOT / "target/release/crimesim"),
                   help="the crimesim binary (default: target/release/crimesim)")
    p.add_argument("--mesa-seeds", type=int, default=40)
    p.add_argument("--crimesim-seeds", type=int, default=200)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--configs", default="mesa-defaults,run2")
    p.add_argument("--speed", action="store_true", help="time both instead")
    p.add_argument("--mesa-steps-large", type=int, default=40,
                   help="--speed: Mesa's steps at 200x200 (default 40, about 2 min)")
    a = p.parse_args()
    if not os.path.exists(a.crimesim):
        sys.exit(f"{a.crimesim}: no such binary (cargo build --release, or pass --crimesim)")
    if a.speed:
        speed(a.crimesim, a.mesa_steps_large)
        return
    ok = True
    for name in a.configs.split(","):
        cfg = CONFIGS[name]
        t0 = time.time()
        with ProcessPoolExecutor(a.jobs) as pool:
            mesa = list(pool.map(mesa_run, [(cfg["mesa"], 40, 40, cfg["steps"], 1000 + s)
                                            for s in range(a.mesa_seeds)]))
            ours = list(pool.map(crimesim_run, [(a.crimesim, cfg["scenario"], cfg["steps"],
                                                 s, []) for s in range(a.crimesim_seeds)]))
        ours = [(act, jail) for act, jail, _ in ours]
        ok &= compare(name, mesa, ours, cfg)
        print(f"({time.time() - t0:.0f} s)")
    print("\nOVERALL:", "AGREE" if ok else "DISAGREE")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
