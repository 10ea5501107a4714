r"""Benchmark: batched Nash bargaining (``bj.nash_bargaining``) against cvxpy, and its gradient.

Run from the repository root (cvxpy is optional: without it only our timings are reported)::

    python benchmarks/bench_nbs.py
    python benchmarks/bench_nbs.py --instances 1024 --cvxpy-subset 64 --out results/bench_nbs.json

Problem: ``--instances`` random instances, 3 players, 27 points uniform in ``[0, 1]^3``,
``F = conv(P)``, disagreement ``d = 0`` (``--disagreement zero``) or the small interior point
``d = 0.2 * mean(P)`` (``--disagreement interior``); the NBS is
:math:`\arg\max_{u \in F} \sum_i \log(u_i - d_i)`.

* **ours**: ``jax.jit(jax.vmap(lambda P, d: bj.nash_bargaining(bj.polytope(P), d)))`` on the
  whole batch, timed after compilation, median of ``--repeats`` runs, divided by the batch size.
  Every instance is certified twice: ``status == 0`` with ``gap <= tol``, and the duality gap
  :math:`\max_k P_k \cdot a - u \cdot a`, :math:`a = 1/(u - d)`, recomputed here in numpy.
* **cvxpy rebuilt**: per instance, ``cp.Problem(cp.Maximize(cp.sum(cp.log(P.T @ mu - d))),
  [mu >= 0, cp.sum(mu) == 1]).solve()`` (building included), on the first ``--cvxpy-subset``.
* **cvxpy Parameter**: one DPP problem with ``P`` and ``d`` as ``cp.Parameter``; per instance set
  the values and re-solve (canonicalisation cached).
* **gradient**: ``jax.jit(jax.vmap(jax.jacrev(lambda P, d: nbs(P, d).payoffs, argnums=1)))``
  (the ``(3, 3)`` Jacobian of the payoffs w.r.t. ``d``), timed like the forward pass; its ratio
  to the forward time; checked against central differences on a few instances.

Ratios are baseline time / our time per instance (above 1: we are faster).  Objective agreement
is ``ours - cvxpy`` of :math:`\sum_i \log(u_i - d_i)` (positive: ours is better).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from _timing import time_jax
from bargainjax.experiment import enable_x64

enable_x64()  # float64, before anything is computed

K, N_PLAYERS = 27, 3


def nbs(P, d):
    return bj.nash_bargaining(bj.polytope(P), d)


def instances(n, seed, disagreement):
    rng = np.random.default_rng(seed)
    P = rng.uniform(0.0, 1.0, (n, K, N_PLAYERS))
    d = np.zeros((n, N_PLAYERS)) if disagreement == "zero" else 0.2 * P.mean(axis=1)
    return P, d


def objective(u, d):
    return np.sum(np.log(u - d), axis=-1)


def recomputed_gap(P, d, u):
    a = 1.0 / (u - d)
    return np.max(np.einsum("bkn,bn->bk", P, a), axis=1) - np.einsum("bn,bn->b", u, a)


def bench_cvxpy(P, d, ours_u):
    try:
        import cvxpy as cp
    except ImportError:
        return None
    m = P.shape[0]
    # rebuilt per instance (what a user writing one problem at a time pays)
    rebuilt_u, rebuilt_t, statuses, violation = [], [], [], []
    for i in range(m):
        t = time.perf_counter()
        mu = cp.Variable(K)
        prob = cp.Problem(cp.Maximize(cp.sum(cp.log(P[i].T @ mu - d[i]))),
                          [mu >= 0, cp.sum(mu) == 1])
        prob.solve()
        rebuilt_t.append(time.perf_counter() - t)
        statuses.append(prob.status)
        rebuilt_u.append(P[i].T @ mu.value)
        violation.append(max(-float(np.min(mu.value)), abs(float(np.sum(mu.value)) - 1.0)))
    solver = prob.solver_stats.solver_name
    # one Parameter problem, re-solved
    Pp, dp, mu = cp.Parameter((K, N_PLAYERS)), cp.Parameter(N_PLAYERS), cp.Variable(K)
    prob = cp.Problem(cp.Maximize(cp.sum(cp.log(Pp.T @ mu - dp))), [mu >= 0, cp.sum(mu) == 1])
    assert prob.is_dcp(dpp=True)
    Pp.value, dp.value = P[0], d[0]
    t = time.perf_counter()
    prob.solve()  # first solve canonicalises: reported separately
    param_first = time.perf_counter() - t
    param_u, param_t = [], []
    for i in range(m):
        Pp.value, dp.value = P[i], d[i]
        t = time.perf_counter()
        prob.solve()
        param_t.append(time.perf_counter() - t)
        param_u.append(P[i].T @ mu.value)
    rebuilt_u, param_u = np.array(rebuilt_u), np.array(param_u)
    obj_ours = objective(ours_u[:m], d)
    return {
        "solver": solver,
        "subset": m,
        "statuses": sorted(set(statuses)),
        "rebuilt_s_per_instance": float(np.sum(rebuilt_t) / m),
        "rebuilt_median_s": float(np.median(rebuilt_t)),
        "parameter_first_solve_s": param_first,
        "parameter_s_per_instance": float(np.sum(param_t) / m),
        "objective_ours_minus_cvxpy": {
            "rebuilt_min": float(np.min(obj_ours - objective(rebuilt_u, d))),
            "rebuilt_max": float(np.max(obj_ours - objective(rebuilt_u, d))),
            "parameter_min": float(np.min(obj_ours - objective(param_u, d))),
            "parameter_max": float(np.max(obj_ours - objective(param_u, d))),
        },
        "max_payoff_diff_vs_cvxpy": float(np.max(np.abs(ours_u[:m] - rebuilt_u))),
        "cvxpy_recomputed_gap_max": float(np.max(recomputed_gap(P, d, rebuilt_u))),
        # an interior-point answer sits slightly outside the simplex: where cvxpy's objective is
        # above ours (by ~1e-9) its mixture violates mu >= 0 / sum(mu) = 1 by about as much
        "cvxpy_max_constraint_violation": float(np.max(violation)),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--instances", type=int, default=1024)
    ap.add_argument("--cvxpy-subset", type=int, default=64)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--disagreement", choices=("zero", "interior"), default="zero")
    ap.add_argument("--fd-instances", type=int, default=8,
                    help="instances whose d-Jacobian is checked by central differences")
    ap.add_argument("--out", default=None, help="write a JSON summary here")
    args = ap.parse_args(argv)

    n = args.instances
    P, d = instances(n, args.seed, args.disagreement)
    Pj, dj = jnp.asarray(P), jnp.asarray(d)

    # --- ours: forward
    fwd = jax.jit(jax.vmap(nbs))
    grad = jax.jit(jax.vmap(jax.jacrev(lambda P, d: nbs(P, d).payoffs, argnums=1)))
    t_fwd, t_grad = time_jax([fwd, grad], Pj, dj, repeats=args.repeats)  # round-robin
    sol, J = t_fwd.out, np.asarray(t_grad.out)
    fwd_first, g_first = t_fwd.first_s, t_grad.first_s
    fwd_runs, g_runs = t_fwd.runs_s, t_grad.runs_s
    fwd_med, g_med = t_fwd.median_s, t_grad.median_s
    u = np.asarray(sol.payoffs)
    status = np.asarray(sol.status)
    tol = float(np.asarray(sol.tol)[0])
    regap = recomputed_gap(P, d, u)
    ours = {
        "compile_plus_first_call_s": fwd_first,
        "batch_median_s": fwd_med,
        "batch_runs_s": fwd_runs,
        "batch_min_s": min(fwd_runs),
        "s_per_instance": fwd_med / n,
        "failures_status_nonzero": int(np.count_nonzero(status != 0)),
        "status_counts": {int(s): int(c) for s, c in zip(*np.unique(status, return_counts=True))},
        "tol": tol,
        "max_reported_gap": float(np.max(np.asarray(sol.gap))),
        "max_recomputed_gap": float(np.max(regap)),
        "recomputed_gap_above_tol": int(np.count_nonzero(regap > tol)),
        "num_steps_median": float(np.median(np.asarray(sol.num_steps))),
        "num_steps_max": int(np.max(np.asarray(sol.num_steps))),
        "min_gain": float(np.min(u - d)),
    }

    # --- ours: gradient of the payoffs w.r.t. d
    # central differences on the first few instances, through the same compiled forward pass
    m, h = min(args.fd_instances, n // 6), 1e-6
    Pf, df = P.copy(), d.copy()
    for i in range(m):
        for k in range(N_PLAYERS):
            for s, sign in enumerate((1.0, -1.0)):
                row = m + 6 * i + 2 * k + s
                Pf[row], df[row] = P[i], d[i] + sign * h * np.eye(N_PLAYERS)[k]
    uf = np.asarray(fwd(jnp.asarray(Pf), jnp.asarray(df)).payoffs)
    fd_err = 0.0
    for i in range(m):
        base = m + 6 * i
        fd = np.stack([(uf[base + 2 * k] - uf[base + 2 * k + 1]) / (2 * h)
                       for k in range(N_PLAYERS)], axis=1)
        # relative to max(|J|, 1): at vertex solutions J = 0 and FD is rounding noise (~1e-10)
        fd_err = max(fd_err, float(np.max(np.abs(fd - J[i])) / max(np.max(np.abs(J[i])), 1.0)))
    gradient = {
        "compile_plus_first_call_s": g_first,
        "batch_median_s": g_med,
        "batch_runs_s": g_runs,
        "batch_min_s": min(g_runs),
        "s_per_instance": g_med / n,
        "ratio_to_forward": g_med / fwd_med,
        "ratio_to_forward_min": min(g_runs) / min(fwd_runs),
        "all_finite": bool(np.all(np.isfinite(J))),
        "fd_instances": m,
        "fd_max_err_rel_to_max_abs_J_or_1": fd_err,
    }

    # --- cvxpy baselines on a subset
    sub = min(args.cvxpy_subset, n)
    cvx = bench_cvxpy(P[:sub], d[:sub], u) if sub > 0 else None
    ratios = {}
    if cvx is not None:
        ratios = {
            "cvxpy_rebuilt_over_ours": cvx["rebuilt_s_per_instance"] / ours["s_per_instance"],
            "cvxpy_parameter_over_ours": cvx["parameter_s_per_instance"] / ours["s_per_instance"],
            "cvxpy_rebuilt_over_ours_gradient":
                cvx["rebuilt_s_per_instance"] / gradient["s_per_instance"],
        }

    summary = {
        "benchmark": "nash_bargaining_polytope",
        "instances": n,
        "points": K,
        "players": N_PLAYERS,
        "disagreement": args.disagreement,
        "seed": args.seed,
        "ours": ours,
        "gradient_wrt_disagreement": gradient,
        "cvxpy": cvx,
        "ratios": ratios,
        "environment": {
            "python": sys.version.split()[0],
            "jax": jax.__version__,
            "numpy": np.__version__,
            "backend": jax.default_backend(),
            "devices": [str(dv) for dv in jax.devices()],
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
        },
    }

    print(f"NBS, {n} instances, {K} points, {N_PLAYERS} players, d = {args.disagreement}")
    print(f"  ours      : {ours['s_per_instance'] * 1e6:9.1f} us/instance (batch median "
          f"{fwd_med * 1e3:.1f} ms, best {min(fwd_runs) * 1e3:.1f} ms; compile + first call "
          f"{fwd_first:.1f} s)")
    print(f"  certified : {n - ours['failures_status_nonzero']}/{n} status 0; max reported gap "
          f"{ours['max_reported_gap']:.2e}, max recomputed gap {ours['max_recomputed_gap']:.2e} "
          f"(tol {tol:.0e}, {ours['recomputed_gap_above_tol']} above)")
    print(f"  gradient  : {gradient['s_per_instance'] * 1e6:9.1f} us/instance, "
          f"{gradient['ratio_to_forward']:.2f}x forward (best runs: "
          f"{gradient['ratio_to_forward_min']:.2f}x); FD rel err {fd_err:.1e} on {m}")
    if cvx is not None:
        o = cvx["objective_ours_minus_cvxpy"]
        print(f"  cvxpy ({cvx['solver']}, {sub} instances): rebuilt "
              f"{cvx['rebuilt_s_per_instance'] * 1e3:.2f} ms/instance, Parameter re-solve "
              f"{cvx['parameter_s_per_instance'] * 1e3:.2f} ms/instance")
        print(f"  ratios    : rebuilt/ours {ratios['cvxpy_rebuilt_over_ours']:.0f}x, "
              f"Parameter/ours {ratios['cvxpy_parameter_over_ours']:.0f}x, "
              f"rebuilt/ours-gradient {ratios['cvxpy_rebuilt_over_ours_gradient']:.0f}x")
        print(f"  objective ours - cvxpy: rebuilt [{o['rebuilt_min']:.1e}, "
              f"{o['rebuilt_max']:.1e}], "
              f"Parameter [{o['parameter_min']:.1e}, {o['parameter_max']:.1e}]; max |Δu| "
              f"{cvx['max_payoff_diff_vs_cvxpy']:.1e}; cvxpy's recomputed gap max "
              f"{cvx['cvxpy_recomputed_gap_max']:.1e}, its max constraint violation "
              f"{cvx['cvxpy_max_constraint_violation']:.1e}")
    else:
        print("  cvxpy not installed: baselines skipped")
    if args.out:
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(summary, f, indent=2)
        print(f"  wrote {args.out}")
    return summary


if __name__ == "__main__":
    main()
