r"""Benchmark the n-player CoCo value, ``bj.coco_value``, for n = 2 .. 12 players.

Run from the repository root::

    python benchmarks/bench_coco_value.py                    # n = 2 .. 12
    python benchmarks/bench_coco_value.py --max-n 10 --repeats 5
    python benchmarks/bench_coco_value.py --out results/bench_coco_value.json

Each game has ``n`` players with two actions each and payoffs uniform on ``[-1, 1]`` (fixed
seeds); weights are uniform on ``[0.5, 2]``.  ``jax.jit(bj.coco_value)`` is lowered and compiled
explicitly (``compile_s``: trace + XLA compile, reported separately), then run ``--repeats``
times (``run_s``: the median, after one warm-up call).

What it computes: ``2^{n-1} - 1`` zero-sum fights, coalition ``R`` (``|R| = k``) against
``-R``, with matrices of shape ``(2^k, 2^{n-k})``; of each complementary pair the orientation
with fewer rows is solved, so there is one batched (``vmap``-ped) ``bj.solve_zero_sum`` call per
``k = 1 .. ⌊n/2⌋``, each compiled once.  For n = 12 that is 2047 fights in 6 groups.

Memory: ``peak_rss_mb`` is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` after the run and
``rss_growth_mb`` its growth during this ``n`` (the peak is monotone, so growth shows only when
this ``n`` sets a new peak; XLA's allocations are invisible to ``tracemalloc``).  The largest
arrays are also reported analytically, in float64 MB:

* ``fight_matrices_mb`` — all stacked fight matrices, ``(2^{n-1} - 1) 2^n`` numbers (each is a
  permutation of the weighted payoff vector, gathered by an int32 index of the same size);
* ``largest_group_mb`` — the biggest single stacked group ``(B, 2^k, 2^{n-k})``;
* ``tableaux_mb`` — the simplex tableaux of all groups, ``Σ_k B_k (2^k + 1)(2^n/2^k + 2^k + 1)``.

Every instance is certified: ``status`` must be ``SUCCESSFUL``, ``gap`` (the largest duality
gap over the fights, which bounds the error of every φ_i) is reported, and efficiency
``|Σ φ - V_N|`` is recomputed here.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import sys
import time

import jax

from bargainjax.experiment import enable_x64

enable_x64()  # float64, before anything is computed

import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from _timing import time_jax

MB = 1024.0**2


def _rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MB if sys.platform == "darwin" else peak / 1024.0


def _analytic_sizes(n: int) -> dict:
    """Sizes of the largest arrays for n players with two actions each (float64 MB)."""
    J = 2**n
    groups = []
    for k in range(1, n // 2 + 1):
        B = math.comb(n, k) if 2 * k < n else math.comb(n, k) // 2
        groups.append((k, B))
    fights = sum(B for _, B in groups)
    assert fights == 2 ** (n - 1) - 1
    tableaux = sum(B * (2**k + 1) * (J // 2**k + 2**k + 1) for k, B in groups)
    return {
        "fights": fights,
        "groups": [{"k": k, "batch": B, "shape": [2**k, J // 2**k]} for k, B in groups],
        "payoffs_mb": n * J * 8 / MB,
        "fight_matrices_mb": fights * J * 8 / MB,
        "largest_group_mb": max((B * J * 8 / MB for _, B in groups), default=0.0),
        "tableaux_mb": tableaux * 8 / MB,
    }


def bench(n: int, repeats: int, seed: int) -> dict:
    rng = np.random.default_rng(seed + n)
    U = jnp.asarray(rng.uniform(-1.0, 1.0, (n,) + (2,) * n))
    a = jnp.asarray(rng.uniform(0.5, 2.0, n))
    rss0 = _rss_mb()
    f = jax.jit(bj.coco_value)
    t0 = time.perf_counter()
    compiled = f.lower(U, a).compile()
    compile_s = time.perf_counter() - t0
    timing = time_jax(compiled, U, a, repeats=repeats)  # the first call is the warm-up
    res = timing.out
    rss1 = _rss_mb()
    phi = np.asarray(res.value)
    V = np.asarray(res.coalition_values)
    return {
        "n": n,
        "compile_s": compile_s,
        "run_s": timing.median_s,
        "total_first_call_s": compile_s + timing.first_s,
        "peak_rss_mb": rss1,
        "rss_growth_mb": rss1 - rss0,
        "status": bj.Status(int(res.status)).name,
        "gap": float(res.gap),
        "efficiency_error": float(abs(phi.sum() - V[-1])),
        **_analytic_sizes(n),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--min-n", type=int, default=2)
    p.add_argument("--max-n", type=int, default=12)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=str, default=None, help="write a JSON summary here")
    args = p.parse_args(argv)
    rows = []
    header = (f"{'n':>3} {'fights':>7} {'groups':>6} {'compile s':>10} {'run s':>9} "
              f"{'peak RSS MB':>12} {'+RSS MB':>8} {'matrices MB':>12} {'tableaux MB':>12} "
              f"{'gap':>9} {'|Σφ-V_N|':>9} status")
    print(header)
    print("-" * len(header))
    for n in range(args.min_n, args.max_n + 1):
        r = bench(n, args.repeats, args.seed)
        rows.append(r)
        print(f"{n:>3} {r['fights']:>7} {len(r['groups']):>6} {r['compile_s']:>10.2f} "
              f"{r['run_s']:>9.4f} {r['peak_rss_mb']:>12.0f} {r['rss_growth_mb']:>8.0f} "
              f"{r['fight_matrices_mb']:>12.2f} {r['tableaux_mb']:>12.2f} {r['gap']:>9.1e} "
              f"{r['efficiency_error']:>9.1e} {r['status']}", flush=True)
    ok = all(r["status"] == "SUCCESSFUL" for r in rows)
    print(f"\nall certified: {ok}; cpus: {os.cpu_count()}; jax {jax.__version__} on "
          f"{jax.default_backend()}")
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as fh:
            json.dump({"benchmark": "coco_value", "platform": platform.platform(),
                       "cpus": os.cpu_count(), "jax": jax.__version__,
                       "backend": jax.default_backend(), "repeats": args.repeats,
                       "seed": args.seed, "all_certified": ok, "rows": rows}, fh, indent=2)
        print(f"wrote {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
