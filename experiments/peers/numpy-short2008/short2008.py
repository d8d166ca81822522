"""Short et al. (2008) lattice burglary model, vectorised with numpy and aggregated by cell.

The same rules as crimesim's `short2008` (sim-core/src/models/short2008.rs), per step of
length dt on a periodic lattice with 4 neighbours:

1. each burglar at site s burgles with probability p_s = 1 - exp(-A_s dt) and then leaves;
   the others move to a neighbour s' with probability A_s' / (sum of A over the neighbours);
2. E_s counts the burglaries at s in this step;
3. B_s <- [(1 - eta) B_s + (eta / 4) sum of the neighbours' B] (1 - omega dt) + theta E_s;
4. a new burglar appears at each site with probability gamma dt (it acts from the next step).

A_s = A0 + B_s, and burglars act on the A of the start of the step.

Burglars are not kept one by one: the state is the number of burglars per site. Because
burglars at a site act independently, given the field, the number who burgle at s is
Binomial(n_s, p_s) and the movers' split over the four neighbours is
Multinomial(n_s - E_s; A_left, A_right, A_up, A_down normalised), drawn here as three
sequential binomials. This has exactly the law of the per-burglar rules for the counts.

usage: short2008.py SCENARIO [--ticks N] [--seed S] [--set KEY=VALUE ...]
       prints one row per `record_every` steps: tick, burglaries, burglars, mean A, CV of A
"""

import argparse
import math
import sys
import tomllib

import numpy as np

# crimesim's defaults for a `short2008` scenario (sim-core/src/models/short2008.rs, PARAMS).
DEFAULTS = {
    "seed": 1,
    "ticks": 50000,
    "record_every": 100,
    "grid.width": 128,
    "grid.height": 128,
    "short2008.dt": 0.01,
    "short2008.eta": 0.03,
    "short2008.theta": 0.56,
    "short2008.omega": 1.0 / 15.0,
    "short2008.gamma": 0.019,
    "short2008.a0": 1.0 / 30.0,
    "short2008.initial": "equilibrium",
}

# `crimesim bench --case short2008:large` (src/commands/bench.rs and the registry in
# sim-core/src/models/mod.rs): the defaults above with these overrides.
BENCH_LARGE = ["grid.width=1024", "grid.height=1024", "short2008.theta=0.056",
               "short2008.gamma=0.21"]


# Allowed ranges, as crimesim's loader has them.
RANGES = [("ticks", 0, 2**63), ("record_every", 1, 2**63), ("grid.width", 1, 2**16),
          ("grid.height", 1, 2**16), ("short2008.dt", 1e-6, 1.0), ("short2008.eta", 0.0, 1.0),
          ("short2008.theta", 0.0, 1000.0), ("short2008.omega", 0.0, 1000.0),
          ("short2008.gamma", 0.0, 1000.0), ("short2008.a0", 0.0, 1000.0)]


def _flatten(table, prefix=""):
    out = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


def _checked(where, value, like):
    """value, if it has the type of the default `like` (an integer stands for a float)."""
    want = type(like)
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if type(value) is not want:
        raise ValueError(f"{where} = {value!r} (expected a {want.__name__})")
    return value


def _parse_value(text, like):
    if isinstance(like, str):
        return text
    if isinstance(like, int) and not isinstance(like, bool):
        return int(text)
    return float(text)


def load_params(path=None, sets=()):
    """The scenario's parameters, flattened (`short2008.eta`, ...): crimesim's defaults,
    then the TOML file's values, then `KEY=VALUE` overrides as `crimesim --set` takes them."""
    params = dict(DEFAULTS)
    if path is not None:
        with open(path, "rb") as f:
            given = _flatten(tomllib.load(f))
        model = given.pop("model", "short2008")
        if model != "short2008":
            raise ValueError(f"{path}: model is `{model}` (expected `short2008`)")
        for key, value in given.items():
            if key not in params:
                raise ValueError(f"{path}: unknown key `{key}` (expected one of "
                                 f"{', '.join(sorted(params))})")
            params[key] = _checked(f"{path}: {key}", value, params[key])
    for item in sets:
        key, eq, text = item.partition("=")
        if not eq or key not in params:
            raise ValueError(f"--set {item}: expected KEY=VALUE with KEY one of "
                             f"{', '.join(sorted(params))}")
        try:
            params[key] = _parse_value(text, params[key])
        except ValueError:
            raise ValueError(f"--set {item}: `{text}` is not a {type(params[key]).__name__}")
    where = path if path is not None else "parameters"
    for key, low, high in RANGES:
        if not low <= params[key] <= high:
            raise ValueError(f"{where}: {key} = {params[key]} (expected {low} to {high})")
    if params["short2008.initial"] not in ("equilibrium", "empty"):
        raise ValueError(f"{where}: short2008.initial = {params['short2008.initial']!r} "
                         "(expected `equilibrium` or `empty`)")
    dt = params["short2008.dt"]
    if params["short2008.omega"] * dt >= 1.0 or params["short2008.gamma"] * dt > 1.0:
        raise ValueError(f"{where}: omega * dt must be below 1 and gamma * dt at most 1")
    return params


def equilibrium(params):
    """(B_bar, n_bar): the homogeneous equilibrium's B and burglars per site."""
    theta, gamma, omega = (params[f"short2008.{k}"] for k in ("theta", "gamma", "omega"))
    a0, dt = params["short2008.a0"], params["short2008.dt"]
    b_bar = theta * gamma / omega
    n_bar = gamma * dt / -math.expm1(-(a0 + b_bar) * dt)
    return b_bar, n_bar


def _divide(num, den):
    """num / den where den > 0, else 0, clipped to [0, 1] (a probability)."""
    out = np.zeros_like(num)
    np.divide(num, den, out=out, where=den > 0)
    return np.minimum(out, 1.0, out=out)


class Lattice:
    """Burglars per site (int64) and the dynamic attractiveness B (float64), row-major
    arrays of shape (height, width); axis 0 is y, axis 1 is x, both periodic."""

    def __init__(self, params, seed=None):
        self.p = params
        self.rng = np.random.default_rng(params["seed"] if seed is None else seed)
        shape = (params["grid.height"], params["grid.width"])
        self.b = np.zeros(shape)
        self.n = np.zeros(shape, dtype=np.int64)
        if params["short2008.initial"] == "equilibrium":
            b_bar, n_bar = equilibrium(params)
            self.b.fill(b_bar)
            if n_bar > 0:
                self.n = self.rng.poisson(n_bar, size=shape).astype(np.int64)
        self.tick = 0

    def burglars(self):
        return int(self.n.sum())

    def step(self):
        """One step of all four rules; returns the number of burglaries in it."""
        p, rng = self.p, self.rng
        a0, dt = p["short2008.a0"], p["short2008.dt"]
        a = self.b + a0
        # Rule 1: who burgles, and where the others go.
        burgled = rng.binomial(self.n, -np.expm1(-a * dt))
        movers = self.n - burgled
        w_left, w_right = np.roll(a, 1, axis=1), np.roll(a, -1, axis=1)
        w_up, w_down = np.roll(a, 1, axis=0), np.roll(a, -1, axis=0)
        if a0 <= 0.0:  # a site whose neighbours all have A = 0: a uniform choice
            flat = (w_left + w_right + w_up + w_down) <= 0.0
            for w in (w_left, w_right, w_up, w_down):
                w[flat] = 1.0
        rest_down = w_down
        rest_up = w_up + rest_down
        rest_right = w_right + rest_up
        total = w_left + rest_right
        to_left = rng.binomial(movers, _divide(w_left, total))
        movers -= to_left
        to_right = rng.binomial(movers, _divide(w_right, rest_right))
        movers -= to_right
        to_up = rng.binomial(movers, _divide(w_up, rest_up))
        to_down = movers - to_up
        # A mover from (y, x) to the left lands on (y, x - 1): roll by -1 along x.
        n = np.roll(to_left, -1, axis=1)
        n += np.roll(to_right, 1, axis=1)
        n += np.roll(to_up, -1, axis=0)
        n += np.roll(to_down, 1, axis=0)
        # Rules 2 and 3.
        eta, omega, theta = (p[f"short2008.{k}"] for k in ("eta", "omega", "theta"))
        b = self.b
        spread = np.roll(b, 1, axis=1) + np.roll(b, -1, axis=1)
        spread += np.roll(b, 1, axis=0)
        spread += np.roll(b, -1, axis=0)
        new_b = (1.0 - eta) * b + (eta / 4.0) * spread
        new_b *= 1.0 - omega * dt
        new_b += theta * burgled
        self.b = new_b
        # Rule 4.
        born = bernoulli_sites(rng, n.size, p["short2008.gamma"] * dt)
        n.reshape(-1)[born] += 1
        self.n = n
        self.tick += 1
        return int(burgled.sum())

    def attractiveness_stats(self):
        """Lattice mean and coefficient of variation of A."""
        a = self.b + self.p["short2008.a0"]
        mean = float(a.mean())
        return mean, float(a.std() / mean) if mean > 0 else 0.0


def bernoulli_sites(rng, sites, p):
    """The sites (of 0..sites-1) that each succeed with probability p independently,
    drawn as geometric gaps between successes (the same law as one draw per site)."""
    if p <= 0.0:
        return np.empty(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(sites)
    found, last = [], -1
    batch = int(sites * p + 6.0 * math.sqrt(sites * p) + 16)
    while True:
        at = last + np.cumsum(rng.geometric(p, size=batch))
        found.append(at[at < sites])
        if at[-1] >= sites:
            return np.concatenate(found)
        last = int(at[-1])


def run(params, ticks, record_every, seed=None):
    """Rows (tick, burglaries since the previous row, burglars, mean A, CV of A), one per
    `record_every` steps and one after the last step, as crimesim's ticks.arrow has them."""
    lattice = Lattice(params, seed)
    rows, events = [], 0
    for t in range(1, ticks + 1):
        events += lattice.step()
        if t % record_every == 0 or t == ticks:
            rows.append((t, events, lattice.burglars(), *lattice.attractiveness_stats()))
            events = 0
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", help="a short2008 scenario TOML file")
    ap.add_argument("--ticks", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    a = ap.parse_args()
    try:
        params = load_params(a.scenario, a.set)
    except tomllib.TOMLDecodeError as e:
        print(f"{a.scenario}: {e}", file=sys.stderr)
        sys.exit(2)
    except OSError as e:
        print(f"{e.filename}: {e.strerror}", file=sys.stderr)
        sys.exit(2)
    except ValueError as e:
        print(e, file=sys.stderr)
        sys.exit(2)
    ticks = a.ticks if a.ticks is not None else params["ticks"]
    print("tick,burglaries,burglars,mean_attractiveness,cv_attractiveness")
    for row in run(params, ticks, params["record_every"], a.seed):
        print("{},{},{},{:.6g},{:.6g}".format(*row))


if __name__ == "__main__":
    main()
