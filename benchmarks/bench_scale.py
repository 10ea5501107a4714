r"""Scale benchmarks: compile time per solver family, NBS gradients vs cvxpylayers, the iteration
kernel's GFLOP/s against the batched-matvec ceiling, and peak memory.

Run from the repository root (cvxpylayers is optional, ``pip install ".[bench]"``)::

    python benchmarks/bench_scale.py --out bench_scale.json
    python benchmarks/bench_scale.py --only kernel            # compile, gradient, kernel

* **compile**: for every batchable solver family, ``jax.jit(jax.vmap(solver)).lower(x).compile()``
  on a batch of 64 (timed: the first-call compile cost a sweep pays once), then one timed run;
  every instance's status must be ``SUCCESSFUL``.
* **gradient**: the Jacobians of the NBS payoffs (3 players, 27 outcomes, ``F = conv(P)``,
  ``d = 0.2 mean(P)``) with respect to ``d`` ``(3, 3)`` and to ``P`` ``(3, 27, 3)``, by
  ``jax.jit(jax.vmap(jax.jacrev(...)))`` (implicit differentiation on the identified support),
  over ``--instances`` problems, timed against the forward solve (target <= 3x) and, on the
  first ``--layers-subset`` problems, against cvxpylayers' JAX layer
  (``u = P^T mu``, ``max sum log(u - d)``, ``mu`` in the simplex; diffcp/SCS) differentiated
  with one ``jax.vjp`` per output row (its VJP is not vmappable) (target >= 20x per
  instance, agreement 1e-6).  Ours is also
  checked against central finite differences of the forward solve.
* **kernel**: the iteration kernel of the first-order zero-sum solver (``method="mirror"``),
  over a size sweep (16 to 256 actions, float64, and float32 at 16 and 64):
  one optimistic multiplicative-weights step, ``g_x = M y``, ``g_y = -M^T x`` and an entropic
  (log-space softmax) step for both players, ``inner`` steps per call in a ``fori_loop``, vmapped
  over a batch.  Its useful work is the two matvecs, ``4 m k`` flops per step (the
  softmax adds ``O(m + k)`` exp/log).  The ceiling is the same loop with the two matvecs only
  (``x, y`` fed back through a rescale so nothing is hoisted), same shapes, same run.
  Reported: GFLOP/s of both and their ratio (target >= 70%), of a fused variant that
  takes one ``exp`` per entry per step instead of two (its log-iterates are compared), and a
  time breakdown: the same loop with the matvecs replaced by copies (entropic steps only) as
  a share of the kernel's time, next to the matvec-only share.
* **mpax** (optional, ``pip install mpax``): MPAX's batched PDLP on the zero-sum LP, on CPU
  (MPAX targets GPUs; no GPU was available), against ``solve_zero_sum`` on the same games.

Every figure is per instance after compilation (median of ``--repeats``); the machine was
shared during the runs recorded in the README, so ratios move by tens of percent.
"""

from __future__ import annotations

import argparse
import json
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
from _timing import time_jax, time_loop

# The one private import of the benchmarks, on purpose: the kernel benchmark measures the
# library's own entropic (log-space softmax) step of the mirror zero-sum solver, the kernel
# under test, which has no public name.
from bargainjax.core._simplex import entropic_step

B_COMPILE = 64


def peak_rss_mib() -> float:
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / (1024 * 1024) if sys.platform == "darwin" else kib / 1024


# ----------------------------------------------------------------------------- compile


def _families(rng):
    U3 = rng.uniform(-1, 1, (B_COMPILE, 3, 2, 2, 2))
    P = rng.uniform(0, 1, (B_COMPILE, 27, 3))
    d = 0.2 * P.mean(axis=1)
    M = rng.uniform(-1, 1, (B_COMPILE, 16, 16))
    c = rng.uniform(-1, 0, (B_COMPILE, 30))
    A = rng.uniform(0, 1, (B_COMPILE, 20, 30))
    b = np.ones((B_COMPILE, 20))
    return {
        "zero_sum_16x16": (bj.solve_zero_sum, (M,)),
        "nbs_27x3": (lambda P, d: bj.nash_bargaining(bj.polytope(P), d), (P, d)),
        "ksbs_27x3": (lambda P, d: bj.kalai_smorodinsky(bj.polytope(P), d), (P, d)),
        "egalitarian_27x3": (lambda P, d: bj.egalitarian(bj.polytope(P), d), (P, d)),
        "utilitarian_27x3": (lambda P: bj.utilitarian(bj.polytope(P)), (P,)),
        "security_levels_2x2x2": (lambda U: bj.security_levels(bj.normal_form_game(U)), (U3,)),
        "coco_value_2x2x2": (lambda U: bj.coco_value(U), (U3,)),
        "lp_20x30": (lambda c, A, b: bj.solve_lp(c, A, b), (c, A, b)),
    }


def bench_compile(args):
    rng = np.random.default_rng(0)
    rows = []
    for name, (fn, xs) in _families(rng).items():
        xs = tuple(jnp.asarray(x) for x in xs)
        t0 = time.perf_counter()
        compiled = jax.jit(jax.vmap(fn)).lower(*xs).compile()
        compile_s = time.perf_counter() - t0
        timing = time_jax(compiled, *xs, repeats=args.repeats)
        run_s, out = timing.median_s, timing.out
        status = np.asarray(out.status)
        ok = int(np.count_nonzero(status.reshape(B_COMPILE, -1).max(1) == 0))
        rows.append({"family": name, "batch": B_COMPILE, "compile_s": compile_s,
                     "run_s_per_instance": run_s / B_COMPILE, "certified": ok})
        print(f"compile {name:<24} {compile_s:7.2f} s   run {1e6 * run_s / B_COMPILE:9.1f} "
              f"us/instance   certified {ok}/{B_COMPILE}", flush=True)
    return rows


# ---------------------------------------------------------------------------- gradient


def nbs_payoffs(P, d):
    return bj.nash_bargaining(bj.polytope(P), d).payoffs


def _layer():
    import cvxpy as cp
    from cvxpylayers.jax import CvxpyLayer

    Pp, dp = cp.Parameter((27, 3)), cp.Parameter(3)
    mu, u = cp.Variable(27), cp.Variable(3)
    prob = cp.Problem(cp.Maximize(cp.sum(cp.log(u - dp))),
                      [u == Pp.T @ mu, mu >= 0, cp.sum(mu) == 1])
    return CvxpyLayer(prob, parameters=[Pp, dp], variables=[u])


def bench_gradient(args):
    rng = np.random.default_rng(1)
    n = args.instances
    P = jnp.asarray(rng.uniform(0, 1, (n, 27, 3)))
    d = 0.2 * P.mean(axis=1)
    fwd = jax.jit(jax.vmap(lambda P, d: bj.nash_bargaining(bj.polytope(P), d)))
    jac = jax.jit(jax.vmap(jax.jacrev(nbs_payoffs, argnums=(0, 1))))
    t_fwd, t_jac = time_jax([fwd, jac], P, d, repeats=args.repeats)
    fwd_s, sol = t_fwd.median_s, t_fwd.out
    jac_s, (JP, Jd), jac_compile = t_jac.median_s, t_jac.out, t_jac.first_s
    certified = bool(np.all(np.asarray(sol.status) == 0))
    # central differences of the forward solve, w.r.t. d, on a few instances
    eps, fd_err = 1e-6, 0.0
    one = jax.jit(nbs_payoffs)
    for i in range(4):
        for j in range(3):
            e = jnp.zeros(3).at[j].set(eps)
            col = (one(P[i], d[i] + e) - one(P[i], d[i] - e)) / (2 * eps)
            fd_err = max(fd_err, float(jnp.max(jnp.abs(col - Jd[i][:, j]))))
    out = {"instances": n, "forward_s_per_instance": fwd_s / n,
           "jacobian_s_per_instance": jac_s / n, "jacobian_over_forward": jac_s / fwd_s,
           "jacobian_compile_s": jac_compile, "forward_certified": certified,
           "max_abs_diff_vs_central_differences_d": fd_err}
    print(f"gradient: forward {1e6 * fwd_s / n:.1f} us, Jacobians (d and P) "
          f"{1e6 * jac_s / n:.1f} us per instance = {jac_s / fwd_s:.2f}x forward "
          f"(target <= 3x); vs central differences {fd_err:.1e}", flush=True)
    m = min(args.layers_subset, n)
    try:
        layer = _layer()
    except ImportError as err:
        out["cvxpylayers"] = f"not run: {err}"
        print(f"cvxpylayers: not run ({err})")
        return out

    def layer_u(Pi, di):
        return layer(Pi, di, solver_args={"eps": 1e-10, "max_iters": 100000})[0]

    def layer_jac(Pi, di):
        # cvxpylayers' VJP cannot be vmapped (jax.jacrev does), so one VJP per output row
        _, vjp = jax.vjp(layer_u, Pi, di)
        rows = [vjp(jnp.eye(3)[r]) for r in range(3)]
        return jnp.stack([r[0] for r in rows]), jnp.stack([r[1] for r in rows])

    layer_jac(P[0], d[0])  # warm-up (canonicalisation)
    layer_s, LJ = time_loop(lambda i: layer_jac(P[i], d[i]), range(m))
    u_layer = np.stack([np.asarray(layer_u(P[i], d[i])) for i in range(m)])
    diff_u = float(np.max(np.abs(u_layer - np.asarray(sol.payoffs[:m]))))
    diff_d = max(float(np.max(np.abs(np.asarray(LJ[i][1]) - np.asarray(Jd[i])))) for i in range(m))
    diff_P = max(float(np.max(np.abs(np.asarray(LJ[i][0]) - np.asarray(JP[i])))) for i in range(m))
    out.update({"cvxpylayers_instances": m, "cvxpylayers_jacobian_s_per_instance": layer_s,
                "speedup_vs_cvxpylayers": layer_s / (jac_s / n),
                "max_abs_diff_payoffs": diff_u, "max_abs_diff_jacobian_d": diff_d,
                "max_abs_diff_jacobian_P": diff_P})
    print(f"cvxpylayers (SCS via diffcp, eps 1e-10): {1e3 * layer_s:.1f} ms per instance "
          f"(payoffs + both Jacobians) -> ours {layer_s / (jac_s / n):.0f}x faster (target >= "
          f"20x); max |diff| payoffs {diff_u:.1e}, dU/dd {diff_d:.1e}, dU/dP {diff_P:.1e} "
          f"(target 1e-6)", flush=True)
    return out


# ------------------------------------------------------------------------------ kernel


def _kernel(M, inner, eta):
    """``inner`` optimistic MWU steps on ``M`` (the ``method="mirror"`` inner loop)."""
    m, k = M.shape
    lx, ly = jnp.full(m, -np.log(m), M.dtype), jnp.full(k, -np.log(k), M.dtype)

    def one(_, c):
        lx, ly, gxp, gyp = c
        x, y = jnp.exp(lx), jnp.exp(ly)
        gx, gy = M @ y, -(x @ M)
        return entropic_step(lx, 2.0 * gx - gxp, eta), entropic_step(ly, 2.0 * gy - gyp, eta), \
            gx, gy

    return jax.lax.fori_loop(0, inner, one, (lx, ly, jnp.zeros(m, M.dtype),
                                             jnp.zeros(k, M.dtype)))[:2]


def _kernel_fused(M, inner, eta):
    """The same steps with one ``exp`` per entry per step: carry ``x`` next to ``log x``
    (``x = e / sum e`` with ``e = exp(z - max z)``), where the library's step takes a
    ``logsumexp`` and then ``exp(log x)`` again."""
    m, k = M.shape

    def soft(z):
        z = z - jnp.max(z)
        e = jnp.exp(z)
        s = jnp.sum(e)
        return z - jnp.log(s), e / s

    def one(_, c):
        lx, ly, x, y, gxp, gyp = c
        gx, gy = M @ y, -(x @ M)
        lx, x = soft(lx + eta * (2.0 * gx - gxp))
        ly, y = soft(ly + eta * (2.0 * gy - gyp))
        return lx, ly, x, y, gx, gy

    lx, ly = jnp.full(m, -np.log(m), M.dtype), jnp.full(k, -np.log(k), M.dtype)
    init = (lx, ly, jnp.exp(lx), jnp.exp(ly), jnp.zeros(m, M.dtype), jnp.zeros(k, M.dtype))
    return jax.lax.fori_loop(0, inner, one, init)[:2]


def _ceiling(M, inner, eta):
    """The same loop with only the two matvecs (plus a rescale so they are not hoisted)."""
    m, k = M.shape

    def one(_, c):
        x, y = c
        gx, gy = M @ y, x @ M
        return gy * (eta / k), gx * (eta / m)

    return jax.lax.fori_loop(0, inner, one, (jnp.full(m, 1.0 / m, M.dtype),
                                             jnp.full(k, 1.0 / k, M.dtype)))


def _softmax_only(M, inner, eta):
    """The kernel's loop with the two matvecs replaced by copies (square ``M`` only): what the
    entropic steps (``exp``/``log``/max/sums) cost on their own, for the time breakdown."""
    m, k = M.shape
    lx, ly = jnp.full(m, -np.log(m), M.dtype), jnp.full(k, -np.log(k), M.dtype)

    def one(_, c):
        lx, ly, gxp, gyp = c
        x, y = jnp.exp(lx), jnp.exp(ly)
        gx, gy = M[0, 0] * y, -M[0, 0] * x
        return entropic_step(lx, 2.0 * gx - gxp, eta), entropic_step(ly, 2.0 * gy - gyp, eta), \
            gx, gy

    return jax.lax.fori_loop(0, inner, one, (lx, ly, jnp.zeros(m, M.dtype),
                                             jnp.zeros(k, M.dtype)))[:2]


KERNEL_SHAPES = [((1024, 16, 16), np.float64), ((512, 32, 32), np.float64),
                 ((128, 64, 64), np.float64), ((32, 128, 128), np.float64),
                 ((8, 256, 256), np.float64), ((1024, 16, 16), np.float32),
                 ((128, 64, 64), np.float32)]


def bench_kernel(args):
    """Kernel vs matvec ceiling over a size sweep, with a time breakdown: the share of the
    kernel's time that the matvec-only loop and the entropic-step-only loop each take."""
    rows, inner = [], 256
    for (batch, m, k), dtype in KERNEL_SHAPES:
        M = jnp.asarray(np.random.default_rng(2).uniform(0, 1, (batch, m, k)).astype(dtype))
        eta = lambda M: jnp.asarray(0.1, M.dtype)  # noqa: E731
        kern = jax.jit(jax.vmap(lambda M: _kernel(M, inner, eta(M))))
        ceil = jax.jit(jax.vmap(lambda M: _ceiling(M, inner, eta(M))))
        soft = jax.jit(jax.vmap(lambda M: _softmax_only(M, inner, eta(M))))
        fused = jax.jit(jax.vmap(lambda M: _kernel_fused(M, inner, eta(M))))
        flops = 4.0 * m * k * inner * batch
        a, b = kern(M), fused(M)
        agree = float(max(jnp.max(jnp.abs(a[0] - b[0])), jnp.max(jnp.abs(a[1] - b[1]))))
        tk, tf, tc, ts = (t.median_s for t in time_jax([kern, fused, ceil, soft], M,
                                                        repeats=args.repeats))
        row = {"batch": batch, "shape": [m, k], "dtype": np.dtype(dtype).name, "inner": inner,
               "kernel_gflops": flops / tk / 1e9, "fused_gflops": flops / tf / 1e9,
               "matvec_gflops": flops / tc / 1e9, "fraction": tc / tk,
               "fused_fraction": tc / tf, "fused_max_abs_diff_log": agree,
               "entropic_only_share": ts / tk,
               "kernel_ns_per_game_step": 1e9 * tk / (inner * batch),
               "transcendentals_per_flop": 2.0 * (m + k) / (4.0 * m * k)}
        rows.append(row)
        print(f"kernel {batch}x{m}x{k} {row['dtype']}: {row['kernel_gflops']:.1f} GFLOP/s "
              f"vs matvec ceiling {row['matvec_gflops']:.1f} = {100 * row['fraction']:.0f}% "
              f"(target >= 70%); fused one-exp variant {100 * row['fused_fraction']:.0f}%; "
              f"time breakdown: matvecs alone {100 * tc / tk:.0f}%, entropic steps alone "
              f"{100 * ts / tk:.0f}% of the kernel; "
              f"{row['kernel_ns_per_game_step']:.0f} ns per game-step", flush=True)
    return rows


# -------------------------------------------------------------------------------- MPAX


def bench_mpax(args):
    """Zero-sum 16x16 games as LPs for MPAX's batched PDLP (``r2HPDHG``, GPU-first; here on
    CPU), ``max v  s.t.  M^T x >= v 1, 1^T x = 1, x >= 0``, vmapped over the batch; ``y`` is
    read off the inequality duals and both strategies' duality gap is recomputed."""
    try:
        import mpax
    except ImportError as err:
        print(f"mpax: not run ({err})")
        return f"not run: {err}"
    B, m, k = 64, 16, 16
    Ms = jnp.asarray(np.random.default_rng(3).uniform(-1, 1, (B, m, k)))
    solver = mpax.r2HPDHG(eps_abs=1e-8, eps_rel=1e-8, iteration_limit=200000)

    def one(M):
        c = jnp.zeros(m + 1).at[m].set(-1.0)
        A = jnp.concatenate([jnp.ones((1, m)), jnp.zeros((1, 1))], 1)
        G = jnp.concatenate([M.T, -jnp.ones((k, 1))], 1)
        lo = jnp.concatenate([jnp.zeros(m), jnp.array([-1e3])])
        lp = mpax.create_lp(c, A, jnp.ones(1), G, jnp.zeros(k), lo, jnp.full(m + 1, 1e3),
                            use_sparse_matrix=False)
        r = solver.optimize(lp)
        return r.primal_solution[:m], r.dual_solution[1:]

    mp = jax.jit(jax.vmap(one))
    ours = jax.jit(jax.vmap(bj.solve_zero_sum))
    timed_mp, timed_ours = time_jax([mp, ours], Ms, repeats=args.repeats)
    (t_mp, (x, y)), (t_ours, sol) = ((t.median_s, t.out) for t in (timed_mp, timed_ours))
    x = np.clip(np.asarray(x), 0, None)
    y = np.clip(np.asarray(y), 0, None)
    x, y = x / x.sum(1, keepdims=True), y / y.sum(1, keepdims=True)
    M = np.asarray(Ms)
    gaps = np.array([np.max(M[i] @ y[i]) - np.min(x[i] @ M[i]) for i in range(B)])
    out = {"instances": B, "shape": [m, k], "mpax_s_per_instance": t_mp / B,
           "ours_s_per_instance": t_ours / B, "ratio": t_mp / t_ours,
           "mpax_max_gap": float(gaps.max()), "ours_max_gap": float(np.max(sol.gap)),
           "ours_certified": bool(np.all(np.asarray(sol.status) == 0))}
    print(f"mpax r2HPDHG (eps 1e-8, CPU) zero-sum 16x16: {1e6 * t_mp / B:.0f} us/instance, "
          f"max gap {gaps.max():.1e}; ours {1e6 * t_ours / B:.1f} us, gap "
          f"{out['ours_max_gap']:.1e}: ours {out['ratio']:.0f}x faster", flush=True)
    return out


BENCHMARKS = {"compile": bench_compile, "gradient": bench_gradient, "kernel": bench_kernel,
              "mpax": bench_mpax}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="bench_scale.json", help="JSON summary path")
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS), default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--instances", type=int, default=1024,
                        help="NBS problems for the gradient benchmark")
    parser.add_argument("--layers-subset", type=int, default=16,
                        help="problems timed with cvxpylayers")
    args = parser.parse_args(argv)
    summary = {"script": "benchmarks/bench_scale.py",
               "argv": sys.argv[1:] if argv is None else list(argv),
               "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(),
                           "jax": jax.__version__, "backend": jax.default_backend(),
                           "load_average_start": list(os.getloadavg())}}
    for name, fn in BENCHMARKS.items():
        if args.only is None or name in args.only:
            summary[name] = fn(args)
    stats = jax.devices()[0].memory_stats()
    summary["peak_rss_mib"] = peak_rss_mib()
    summary["device_peak_bytes"] = None if stats is None else stats.get("peak_bytes_in_use")
    summary["machine"]["load_average_end"] = list(os.getloadavg())
    print(f"peak memory: max RSS {summary['peak_rss_mib']:.0f} MiB; device peak bytes "
          f"{summary['device_peak_bytes']} (None: the CPU backend keeps no statistics)")
    with open(args.out, "w") as fh:
        json.dump(summary, fh, indent=2)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
