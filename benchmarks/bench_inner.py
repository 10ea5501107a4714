r"""Benchmark the inner solvers against the per-instance solvers a user would otherwise call.

Run from the repository root::

    python benchmarks/bench_inner.py                   # every benchmark
    python benchmarks/bench_inner.py --only zero-sum   # one group (or one benchmark by name)
    python benchmarks/bench_inner.py --out results/bench_inner.json

Zero-sum matrix games (``bj.solve_zero_sum``, default ``method="simplex"``): a batch of games
with payoffs uniform on ``[-1, 1]`` (fixed seeds) is solved by ``jit(vmap(bj.solve_zero_sum))``,
timed after compilation as the median of ``--repeats`` runs, and compared per instance with

* scipy's HiGHS, ``linprog(method="highs")`` on the row player's minimax LP
  (:math:`\max v` s.t. :math:`M^\top x \ge v 1,\ 1^\top x = 1,\ x \ge 0`; the column strategy
  is read off the constraint duals, so one LP gives both strategies, like ours), called in a
  Python loop over the same instances;
* Nashpy's ``Game(A).linear_program()`` on the first ``--nashpy-subset`` instances (if Nashpy
  is importable);
* pygambit's float LP, ``pygambit.nash.lp_solve(Game.from_arrays(A, -A), rational=False)``
  (building the game included), on the first ``--gambit-subset`` instances (if pygambit is
  importable; ``pip install ".[bench]"``); its duality gap is recomputed too.

Every instance of ours is certified: the duality gap is recomputed here in float64 numpy from
the returned strategies and must be ``<= tol x (max M - min M)`` (``1e-9`` float64, ``1e-6``
float32), and the status must be ``SUCCESSFUL``.  Ratios are baseline time / our time (above 1:
we are faster).  A JSON summary goes to ``--out``.

Adding a benchmark (e.g. Nash bargaining vs cvxpy): write ``def bench_x(args) -> dict`` that
returns :func:`record` (``baselines`` maps a baseline's name to its seconds per instance), and
register it with ``@register("nbs")``; ``--only nbs`` then runs just that group.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from collections.abc import Callable

import jax

from bargainjax.experiment import enable_x64

enable_x64()  # float64, before anything is computed

import jax.numpy as jnp
import numpy as np
import scipy
from scipy.optimize import linprog

import bargainjax as bj
from _timing import time_jax, time_loop

# ------------------------------------------------------------------------------ registry

BENCHMARKS: dict[str, tuple[str, Callable]] = {}


def register(group: str):
    """Register ``fn(args) -> dict`` under its name, in ``group`` (selectable with ``--only``)."""

    def wrap(fn):
        BENCHMARKS[fn.__name__.removeprefix("bench_")] = (group, fn)
        return fn

    return wrap


def record(name, group, *, instances, ours_s, baselines, certified, max_rel_gap, tol,
           **extra):
    """One benchmark's result; times are seconds per instance, ratios baseline / ours."""
    return {
        "name": name,
        "group": group,
        "instances": instances,
        "ours_s_per_instance": ours_s,
        "baselines_s_per_instance": baselines,
        "ratios": {k: (v / ours_s if v is not None else None) for k, v in baselines.items()},
        "certified": bool(certified),
        "max_rel_gap": float(max_rel_gap),
        "tol": tol,
        **extra,
    }


# ------------------------------------------------------------------------------- timing


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (``resource.getrusage``), in MiB."""
    import resource

    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib / (1024 * 1024) if sys.platform == "darwin" else kib / 1024


# ------------------------------------------------------------------------------ oracles


def highs_game(M):
    """Value, ``x`` and ``y`` of ``max_x min_y xᵀMy`` from one HiGHS LP (``y`` = duals)."""
    m, k = M.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-M.T, np.ones((k, 1))])
    A_eq = np.zeros((1, m + 1))
    A_eq[0, :m] = 1.0
    res = linprog(c, A_ub=A_ub, b_ub=np.zeros(k), A_eq=A_eq, b_eq=[1.0],
                  bounds=[(0.0, None)] * m + [(None, None)], method="highs")
    y = -res.ineqlin.marginals
    return -res.fun, res.x[:m], y


def gambit_lp(pygambit, M):
    """``(x, y)`` from pygambit's float LP (``pygambit.nash.lp_solve``), the game built too."""
    g = pygambit.Game.from_arrays(M, -M)
    eq = pygambit.nash.lp_solve(g, rational=False).equilibria[0]
    p0, p1 = list(g.players)
    return (np.array([float(eq[s]) for s in p0.strategies]),
            np.array([float(eq[s]) for s in p1.strategies]))


def duality_gap(M, x, y):
    M = np.asarray(M, np.float64)
    return float(np.max(M @ np.asarray(y, np.float64)) - np.min(np.asarray(x, np.float64) @ M))


# ---------------------------------------------------------------------------- zero-sum


def _zero_sum(args, name, batch, m, k, dtype, rel_tol, seed):
    Ms = np.random.default_rng(seed).uniform(-1.0, 1.0, (batch, m, k)).astype(dtype)
    solve = jax.jit(jax.vmap(bj.solve_zero_sum))
    timing = time_jax(solve, jnp.asarray(Ms), repeats=args.repeats)
    compile_s, ours_batch_s = timing.first_s, timing.median_s
    sols = jax.tree_util.tree_map(np.asarray, timing.out)
    scale = np.ptp(Ms.astype(np.float64), axis=(1, 2))
    rel_gaps = np.array([duality_gap(M, x, y) for M, x, y in
                         zip(Ms, sols.row_strategy, sols.col_strategy)]) / scale
    certified = bool(np.all(rel_gaps <= rel_tol) and np.all(sols.status == 0))

    M64 = Ms.astype(np.float64)
    highs_s, highs = time_loop(highs_game, M64)
    highs_values = np.array([h[0] for h in highs])
    highs_rel_gaps = np.array([duality_gap(M, x, y) for M, (_, x, y) in zip(M64, highs)]) / scale
    baselines = {"highs": highs_s, "nashpy": None}
    subset = min(args.nashpy_subset, batch)
    try:
        import nashpy
    except ImportError:
        nashpy = None
    if nashpy is not None and subset > 0:
        baselines["nashpy"], _ = time_loop(lambda A: nashpy.Game(A).linear_program(),
                                           M64[:subset])
    baselines["pygambit"], gambit_gap, gsub = None, None, min(args.gambit_subset, batch)
    try:
        import pygambit
    except ImportError:
        pygambit = None
    if pygambit is not None and gsub > 0:
        baselines["pygambit"], eqs = time_loop(lambda A: gambit_lp(pygambit, A), M64[:gsub])
        gambit_gap = float(max(duality_gap(M, x, y) for M, (x, y) in zip(M64, eqs))
                           / scale[:gsub].min())
    return record(
        name, "zero-sum", instances=batch, ours_s=ours_batch_s / batch, baselines=baselines,
        certified=certified, max_rel_gap=rel_gaps.max(), tol=rel_tol,
        shape=[m, k], dtype=np.dtype(dtype).name, compile_s=compile_s,
        max_value_diff_vs_highs=float(np.max(np.abs(sols.value - highs_values))),
        highs_max_rel_gap=float(highs_rel_gaps.max()),
        max_pivots=int(sols.num_steps.max()), nashpy_instances=subset if nashpy else 0,
        pygambit_instances=gsub if pygambit else 0, pygambit_max_rel_gap=gambit_gap,
    )


@register("zero-sum")
def bench_zero_sum_16x16_f64(args):
    return _zero_sum(args, "zero_sum_16x16_f64", 1024, 16, 16, np.float64, 1e-9, seed=0)


@register("zero-sum")
def bench_zero_sum_64x64_f64(args):
    return _zero_sum(args, "zero_sum_64x64_f64", 128, 64, 64, np.float64, 1e-9, seed=1)


@register("zero-sum")
def bench_zero_sum_16x16_f32(args):
    return _zero_sum(args, "zero_sum_16x16_f32", 1024, 16, 16, np.float32, 1e-6, seed=2)


@register("nbs")
def bench_nbs_27x3_vs_cvxpy(args):
    """Nash bargaining vs cvxpy: delegated to ``bench_nbs.py`` (same folder), one source of truth."""
    import importlib.util
    import pathlib

    path = pathlib.Path(__file__).with_name("bench_nbs.py")
    spec = importlib.util.spec_from_file_location("bench_nbs", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    summ = mod.main(["--repeats", str(args.repeats)])
    ours = summ["ours"]
    cvx = summ["cvxpy"] or {}
    return record(
        "nbs_27x3_f64", "nbs", instances=summ["instances"], ours_s=ours["s_per_instance"],
        baselines={"cvxpy_rebuilt": cvx.get("rebuilt_s_per_instance"),
                   "cvxpy_parameter": cvx.get("parameter_s_per_instance")},
        certified=ours["failures_status_nonzero"] == 0 and ours["recomputed_gap_above_tol"] == 0,
        max_rel_gap=ours["max_recomputed_gap"], tol=1e-9,
    )


# ---------------------------------------------------------------------------------- main


def _fmt_us(s):
    return "-" if s is None else f"{s * 1e6:10.1f}"


def _fmt_ratio(r):
    return "-" if r is None else f"{r:7.1f}x"


def print_table(results):
    head = (f"{'benchmark':<22} {'n':>5} {'ours us':>10} {'HiGHS us':>10} {'ratio':>8} "
            f"{'nashpy us':>10} {'ratio':>8} {'gambit us':>10} {'ratio':>8} "
            f"{'max rel gap':>12} {'tol':>7} certified")
    print(head)
    print("-" * len(head))
    for r in results:
        b, q = r["baselines_s_per_instance"], r["ratios"]
        print(f"{r['name']:<22} {r['instances']:>5} {_fmt_us(r['ours_s_per_instance'])} "
              f"{_fmt_us(b.get('highs'))} {_fmt_ratio(q.get('highs')):>8} "
              f"{_fmt_us(b.get('nashpy'))} {_fmt_ratio(q.get('nashpy')):>8} "
              f"{_fmt_us(b.get('pygambit'))} {_fmt_ratio(q.get('pygambit')):>8} "
              f"{r['max_rel_gap']:12.2e} {r['tol']:7.0e} {r['certified']}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="bench_inner.json", help="JSON summary path")
    parser.add_argument("--only", action="append", default=None,
                        help="run only this group or benchmark (repeatable); groups: "
                             + ", ".join(sorted({g for g, _ in BENCHMARKS.values()})))
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of ours (median)")
    parser.add_argument("--nashpy-subset", type=int, default=64,
                        help="instances timed with Nashpy (0: skip)")
    parser.add_argument("--gambit-subset", type=int, default=32,
                        help="instances timed with pygambit's LP (0: skip)")
    parser.add_argument("--list", action="store_true", help="list benchmarks and exit")
    args = parser.parse_args(argv)

    if args.list:
        for name, (group, _) in BENCHMARKS.items():
            print(f"{group:<10} {name}")
        return 0
    selected = [(n, g, f) for n, (g, f) in BENCHMARKS.items()
                if args.only is None or n in args.only or g in args.only]
    if not selected:
        parser.error(f"--only {args.only} matches no benchmark (try --list)")

    results = []
    for name, group, fn in selected:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results.append(fn(args))
    print_table(results)
    summary = {
        "script": "benchmarks/bench_inner.py",
        "argv": sys.argv[1:] if argv is None else list(argv),
        "machine": {"platform": platform.platform(), "python": platform.python_version(),
                    "cpu_count": os.cpu_count(), "jax": jax.__version__,
                    "backend": jax.default_backend(), "numpy": np.__version__,
                    "scipy": scipy.__version__, "load_average": list(os.getloadavg())},
        "results": results,
        "all_certified": all(r["certified"] for r in results),
        "peak_rss_mib": peak_rss_mib(),
    }
    print(f"peak memory (max RSS of this process): {summary['peak_rss_mib']:.0f} MiB")
    with open(args.out, "w") as fh:
        json.dump(summary, fh, indent=2)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0 if summary["all_certified"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
