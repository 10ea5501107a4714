r"""Bargaining solutions over a feasible set :math:`F` with disagreement point :math:`d`.

Notation: :math:`F` from :mod:`bargainjax._feasible`, :math:`d \in \mathbb{R}^n`, ideal point
:math:`I_i = \max_{u \in F} u_i`, support function :math:`h_F(a) = \max_{u \in F} a \cdot u`.

* **Nash bargaining solution** (Nash 1950; report Definition 9, eq. 6, weighted eq. 7/57):
  :math:`\arg\max_{u \in F,\, u > d} \sum_i w_i \log(u_i - d_i)`.  Certificate: the Frank–Wolfe
  gap in the set's strategy coordinates; for polytopes it equals the duality gap
  :math:`h_F(a) - a \cdot u` with the supporting weights :math:`a_i = w_i / (u_i - d_i)`.
* **Kalai–Smorodinsky** (report eq. 8): the largest :math:`t` with
  :math:`\min_i (u_i - d_i)/(I_i - d_i) \ge t` for some :math:`u \in F`;
  **egalitarian**: the same with unit scales.  Both are :math:`\max_{u \in F} \min_i r_i(u)`,
  :math:`r_i = (u_i - d_i)/\sigma_i`, with dual
  :math:`\min_{\lambda \in \Delta_n} h_F(\lambda/\sigma) - (\lambda/\sigma) \cdot d`; the
  certificate is the primal–dual gap (a matrix-game duality gap for a :class:`PolytopeHull`).
* **Utilitarian** (weighted-sum maximum, Harsanyi 1955; report §3.3), **Armstrong's normalised
  sum** (report Appendix A: maximise :math:`\sum_i (u_i - d_i)/(I_i - d_i)`) and the
  **variance-normalised sum** (report Example 7: each utility centred and divided by its
  standard deviation under uniformly random actions): exact weighted-sum maxima.

Every solver is pure, works under ``jit``/``vmap``, returns a :class:`BargainingSolution`, and
reports failed preconditions (no :math:`u \in F` with :math:`u > d`) through ``status``.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate as v
from ._concave import flatten, frank_wolfe_gap, maximize_concave, unflatten
from ._feasible import PolytopeHull, ResourceSet, SeparableHull, ideal_point
from ._lp import solve_lp
from ._status import Status, default_tol
from ._zero_sum import solve_zero_sum


class BargainingSolution(NamedTuple):
    """Result of a bargaining solver (every field an array; batched under ``vmap``).

    Attributes:
        payoffs: ``(n,)`` the solution :math:`u \\in F`.
        strategy: tuple of per-block simplex points realising ``payoffs``
            (``F.payoffs(strategy) == payoffs``).
        weights: ``(n,)`` supporting weights (virtual prices) of ``payoffs``, normalised to sum
            1: ``payoffs`` maximises ``weights · u`` over ``F``.
        disagreement: ``(n,)`` the disagreement point used.
        gap: ``()`` the certificate (see each solver).
        tol: ``()`` the tolerance it was held to.
        num_steps: ``()`` iterations used.
        status: ``()`` :class:`bargainjax.Status` code.
    """

    payoffs: jax.Array
    strategy: tuple
    weights: jax.Array
    disagreement: jax.Array
    gap: jax.Array
    tol: jax.Array
    num_steps: jax.Array
    status: jax.Array


def _default_tol(dtype) -> float:
    return default_tol(dtype, "bargaining")


def _check_set(F, name="F"):
    if not isinstance(F, (PolytopeHull, SeparableHull, ResourceSet)):
        raise ValueError(
            f"`{name}` must be a feasible set (bj.polytope, bj.correlated_set, bj.separable_set, "
            f"bj.resource_set), got {type(F).__name__}"
        )
    return F


def _vector(x, n, name, dtype):
    x = v.as_array(x, name)
    if x.shape != (n,):
        raise ValueError(f"`{name}` must have shape ({n},) (one entry per player), got {x.shape}")
    v.finite(x, name)
    return x.astype(dtype)


def _dtype(F):
    return jax.tree_util.tree_leaves(F)[0].dtype


def _normalise(a):
    s = jnp.sum(a)
    return a / jnp.where(s > 0, s, 1.0)


def _concrete_feasibility_check(F, d, I):
    """Outside jit: a clear error when no feasible point can strictly improve on ``d``."""
    if v.is_concrete(I) and v.is_concrete(d):
        bad = np.flatnonzero(np.asarray(I) <= np.asarray(d))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"`disagreement` admits no strict improvement: player {i + 1}'s best feasible "
                f"payoff {float(I[i]):.6g} does not exceed d[{i}] = {float(d[i]):.6g}"
            )


# ----------------------------------------------------------------------- max-min family


def _max_min(F, d, sigma, tol, max_steps):
    """``max_{u∈F} min_i (u_i - d_i)/σ_i`` with its certificate; returns (t, strategy, λ, gap, steps)."""
    if isinstance(F, PolytopeHull):
        M = (F.points - d[None, :]) / sigma[None, :]
        sol = solve_zero_sum(M, tol=tol, max_steps=max_steps)
        rng = jnp.max(M) - jnp.min(M)
        return sol.value, (sol.row_strategy,), sol.col_strategy, sol.gap / jnp.where(rng > 0, rng, 1.0), sol.num_steps
    n = F.num_players
    if n == 2:
        return _max_min_two_players(F, d, sigma)
    if isinstance(F, SeparableHull):
        return _max_min_lp(F, d, sigma, tol)
    if isinstance(F, ResourceSet) and all(kind == "linear" for kind in F.production):
        # Linear production: agent j's budget split s_j (a simplex) yields
        # sum_k s_jk r_j c_jk L_j[:, k], so F is the Minkowski sum of the polytopes
        # conv_k{r_j c_jk L_j[:, k]} with the same strategies: solve the exact LP.  (The dual
        # mirror descent below is piecewise linear here and stalled: 93 of 128 random
        # 3-player sets ended MAX_STEPS_REACHED at 5000 steps, gaps up to 0.6.)
        parts = jnp.einsum("j,jk,jnk->jkn", F.budgets, F.coefficients, F.linear_map)
        return _max_min_lp(SeparableHull(tuple(parts)), d, sigma, tol)
    # Dual: minimise φ(λ) = h_F(λ/σ) - (λ/σ)·d over the simplex by mirror descent; the
    # Frank–Wolfe gap of -φ is φ(λ) - min_i r_i(u*(λ)), the primal-dual gap.

    def neg_phi(lam):
        a = lam / sigma
        res = F.maximize(a)
        u = F.payoffs(jax.tree_util.tree_map(jax.lax.stop_gradient, res.strategy))
        return -(a @ u - a @ d)

    lam0 = (jnp.full((n,), 1.0 / n, d.dtype),)
    out = maximize_concave(neg_phi, lam0, tol=tol, max_steps=max_steps, check_every=25,
                           support_size=n)
    lam = out.strategy[0]
    # Primal recovery: at a kink the dual optimum has tied maximisers, so mix the maximisers at
    # λ and at λ nudged toward each vertex of the simplex, with the mixture that maximises the
    # smallest ratio (a small matrix game).  Mixing strategies is feasible and, payoffs being
    # concave in the strategy, at least as good as mixing the payoffs.
    eye = jnp.eye(n, dtype=d.dtype)
    duals = jnp.concatenate([lam[None, :], (1 - 1e-6) * lam[None, :] + 1e-6 * eye,
                             (1 - 1e-3) * lam[None, :] + 1e-3 * eye])
    cands = [F.maximize(l / sigma) for l in duals]
    R = jnp.stack([(c.payoffs - d) / sigma for c in cands])  # (candidates, n)
    mix = solve_zero_sum(R, tol=tol).row_strategy
    strategy = jax.tree_util.tree_map(
        lambda *ss: jax.lax.stop_gradient(sum(w * s for w, s in zip(mix, ss))),
        *[c.strategy for c in cands])
    t = jnp.min((F.payoffs(strategy) - d) / sigma)
    gap = jnp.maximum(-out.value - t, 0.0)
    return t, strategy, lam, gap, out.num_steps


def _max_min_lp(F, d, sigma, tol):
    """Minkowski sums of polytopes, any ``n``: the exact LP
    ``max t  s.t.  t - (Σ_j P_j^T s_j - d)_i / σ_i <= 0,  1^T s_j = 1,  s >= 0``
    with ``t = t⁺ - t⁻``; its inequality duals are the weights ``λ``."""
    sizes = F.block_sizes
    n, K, B = F.num_players, sum(sizes), len(sizes)
    dt = d.dtype
    P = jnp.concatenate(F.parts, axis=0)  # (K, n)
    A_ub = jnp.concatenate([-(P / sigma[None, :]).T, jnp.ones((n, 1), dt), -jnp.ones((n, 1), dt)], 1)
    b_ub = -d / sigma
    ids = np.repeat(np.arange(B), sizes)
    A_eq = jnp.concatenate([jnp.asarray(ids[None, :] == np.arange(B)[:, None], dt),
                            jnp.zeros((B, 2), dt)], axis=1)
    c = jnp.zeros(K + 2, dt).at[K].set(1.0).at[K + 1].set(-1.0)
    sol = solve_lp(c, A_ub, b_ub, A_eq, jnp.ones(B, dt), tol=tol)
    strategy = unflatten(sol.x[:K], sizes)
    t = jnp.min((F.payoffs(strategy) - d) / sigma)
    lam = _normalise(jnp.maximum(sol.dual_ub, 0.0))
    cert = jnp.maximum(jnp.maximum(sol.primal_residual, sol.dual_residual), sol.gap)
    cert = jnp.where(sol.status == Status.SUCCESSFUL, cert, jnp.inf)
    return t, strategy, lam, cert, sol.num_pivots


def _max_min_two_players(F, d, sigma):
    """Two players: bisection on the dual weight ``λ = (t, 1-t)`` using the sign of
    ``φ'(t) = r_1 - r_2`` at the weighted-sum maximiser, then the convex combination of the two
    bracketing maximisers that equalises the ratios (exact on kinks and on smooth frontiers)."""
    dt = d.dtype

    def at(t):
        lam = jnp.stack([t, 1.0 - t])
        res = F.maximize(lam / sigma)
        return res, (res.payoffs - d) / sigma

    def body(_, c):
        lo, hi = c
        mid = 0.5 * (lo + hi)
        _, r = at(mid)
        right = r[0] < r[1]  # φ'(mid) < 0: the minimiser lies to the right
        return jnp.where(right, mid, lo), jnp.where(right, hi, mid)

    lo, hi = jax.lax.fori_loop(0, 64, body, (jnp.asarray(0.0, dt), jnp.asarray(1.0, dt)))
    res_lo, r_lo = at(lo)
    res_hi, r_hi = at(hi)
    e_lo, e_hi = r_lo[0] - r_lo[1], r_hi[0] - r_hi[1]
    denom = e_hi - e_lo
    theta = jnp.where(jnp.abs(denom) > 0, e_hi / jnp.where(jnp.abs(denom) > 0, denom, 1.0), 1.0)
    theta = jnp.clip(theta, 0.0, 1.0)
    strategy = jax.tree_util.tree_map(
        lambda a, b: jax.lax.stop_gradient(theta * a + (1.0 - theta) * b),
        res_lo.strategy, res_hi.strategy)
    t_primal = jnp.min((F.payoffs(strategy) - d) / sigma)
    lam = jnp.stack([lo, 1.0 - lo])
    phi = jnp.minimum(lam @ r_lo, jnp.stack([hi, 1.0 - hi]) @ r_hi)
    gap = jnp.maximum(phi - t_primal, 0.0)
    return t_primal, strategy, lam, gap, jnp.asarray(64, jnp.int32)


def _ratio_floor(u, d, sigma):
    """Rounding floor of a computed ratio ``min_i (u_i - d_i)/σ_i``:
    ``64 eps max_i (|u_i| + |d_i|)/σ_i``.  A ratio above it certifies a strict improvement on
    ``d``; one at or below it cannot be told from 0."""
    return 64 * jnp.finfo(d.dtype).eps * jnp.max((jnp.abs(u) + jnp.abs(d)) / sigma)


def _max_min_infeasible(t, gap, floor, tol, beyond_ideal):
    """No strict improvement on ``d`` up to rounding and ``tol``: some ``d_i`` is at or above
    the ideal ``I_i`` (exact), or the realised ratio ``t`` is at its rounding floor and certified
    within ``tol`` of the max-min.  (A ratio at the floor with a larger gap is undecided and left
    to the gap test.)"""
    return beyond_ideal | ((t <= floor) & (gap <= tol))


def _raise_if_concrete_infeasible(infeasible, t):
    if v.is_concrete(infeasible) and bool(np.all(np.asarray(infeasible))):
        raise ValueError(
            "`disagreement` admits no strict improvement: no feasible point gives every player "
            f"more than d (best common relative gain {float(np.max(np.asarray(t))):.3g})"
        )


def _max_min_solution(F, d, I, sigma, tol, max_steps):
    t, strategy, lam, gap, steps = _max_min(F, d, sigma, tol, max_steps)
    u = F.payoffs(strategy)
    infeasible = _max_min_infeasible(t, gap, _ratio_floor(u, d, sigma), tol, jnp.any(I <= d))
    _raise_if_concrete_infeasible(infeasible, t)
    status = jnp.where(
        ~jnp.all(jnp.isfinite(u)) | ~jnp.isfinite(gap), Status.NONFINITE,
        jnp.where(infeasible, Status.INFEASIBLE,
                  jnp.where(gap <= tol, Status.SUCCESSFUL, Status.MAX_STEPS_REACHED)),
    ).astype(jnp.int32)
    return BargainingSolution(u, strategy, _normalise(lam / sigma), d, gap,
                              jnp.asarray(tol, d.dtype), steps, status)


def kalai_smorodinsky(F, disagreement, *, tol: float | None = None, max_steps: int = 5000):
    r"""Kalai–Smorodinsky solution (Kalai & Smorodinsky 1975; report §3.4.2, eq. 8).

    .. math:: \max_{u \in F} \min_i \frac{u_i - d_i}{I_i - d_i}, \qquad I_i = \max_{u\in F} u_i.

    Returns a realised point of :math:`F` attaining the max-min ratio :math:`t^\star`; where the
    segment from ``d`` to ``I`` leaves :math:`F` through a weakly Pareto part, ``payoffs`` may
    exceed :math:`d + t^\star (I - d)` in some coordinates.  Certificate ``gap``: primal-dual gap
    of the max-min ratio (dimensionless).

    Raises:
        ValueError: bad ``F``/``disagreement`` or (when concrete) ``I_i <= d_i`` for some ``i``.
    """
    F = _check_set(F)
    dt = _dtype(F)
    d = _vector(disagreement, F.num_players, "disagreement", dt)
    I = ideal_point(F)
    _concrete_feasibility_check(F, d, I)
    sigma = jnp.maximum(I - d, jnp.finfo(dt).tiny)
    return _max_min_solution(F, d, I, sigma, tol or _default_tol(dt), max_steps)


def egalitarian(F, disagreement, *, tol: float | None = None, max_steps: int = 5000):
    r"""Egalitarian solution (Kalai 1977): :math:`\max_{u\in F} \min_i (u_i - d_i)`.

    Certificate ``gap``: primal-dual gap of the max-min (payoff units).
    """
    F = _check_set(F)
    dt = _dtype(F)
    d = _vector(disagreement, F.num_players, "disagreement", dt)
    I = ideal_point(F)
    _concrete_feasibility_check(F, d, I)
    return _max_min_solution(F, d, I, jnp.ones_like(d), tol or _default_tol(dt), max_steps)


# ---------------------------------------------------------------------- weighted sums


def _linear_solution(F, a, d):
    res = F.maximize(a)
    strategy = jax.tree_util.tree_map(jax.lax.stop_gradient, res.strategy)
    u = F.payoffs(strategy)
    z = flatten(strategy)
    sizes = tuple(s.shape[0] for s in strategy)
    g = jax.grad(lambda zz: a @ F.payoffs(unflatten(zz, sizes)))(z)
    gap = frank_wolfe_gap(g, z, sizes) / jnp.maximum(jnp.sum(jnp.abs(a)), jnp.finfo(a.dtype).tiny)
    dt = a.dtype
    tol = jnp.asarray(1e3 * jnp.finfo(dt).eps if jnp.finfo(dt).bits < 64 else 1e-9, dt)
    status = jnp.where(~jnp.all(jnp.isfinite(u)), Status.NONFINITE,
                       jnp.where(gap <= tol, Status.SUCCESSFUL, Status.MAX_STEPS_REACHED))
    return BargainingSolution(u, strategy, _normalise(a), d, gap, tol,
                              jnp.asarray(0, jnp.int32), status.astype(jnp.int32))


def utilitarian(F, weights=None, *, disagreement=None):
    r"""Weighted-sum maximum :math:`\arg\max_{u \in F} a \cdot u` (Harsanyi's utilitarian theorem).

    Args:
        F: feasible set.
        weights: ``(n,)`` positive weights ``a`` (default all ones).
        disagreement: optional ``(n,)``, only recorded in the result.

    Certificate ``gap``: Frank–Wolfe gap of :math:`a \cdot f(s)` divided by :math:`\sum|a|`
    (exactly 0 for polytopes; the water-filling accuracy for resource sets).
    """
    F = _check_set(F)
    dt = _dtype(F)
    n = F.num_players
    a = jnp.ones(n, dt) if weights is None else _vector(weights, n, "weights", dt)
    v.positive(a, "weights")
    d = jnp.zeros(n, dt) if disagreement is None else _vector(disagreement, n, "disagreement", dt)
    return _linear_solution(F, a, d)


def armstrong(F, disagreement):
    r"""Armstrong's (2013) normalised sum (report Appendix A): maximise
    :math:`\sum_i (u_i - d_i)/(I_i - d_i)`.  May violate individual rationality (the report's
    objection); ``payoffs - disagreement`` shows it."""
    F = _check_set(F)
    dt = _dtype(F)
    d = _vector(disagreement, F.num_players, "disagreement", dt)
    I = ideal_point(F)
    _concrete_feasibility_check(F, d, I)
    return _linear_solution(F, 1.0 / jnp.maximum(I - d, jnp.finfo(dt).tiny), d)


def outcome_moments(F):
    """Mean and standard deviation ``(n,), (n,)`` of each player's payoff under uniformly random
    actions: over the points of a :class:`PolytopeHull`, independently per part of a
    :class:`SeparableHull` (means and variances add)."""
    if isinstance(F, PolytopeHull):
        return jnp.mean(F.points, axis=0), jnp.std(F.points, axis=0)
    if isinstance(F, SeparableHull):
        mean = sum(jnp.mean(p, axis=0) for p in F.parts)
        var = sum(jnp.var(p, axis=0) for p in F.parts)
        return mean, jnp.sqrt(var)
    raise ValueError("`F` must be a PolytopeHull or SeparableHull: variance normalisation needs "
                     "a finite set of outcomes to average over")


def variance_normalized(F, disagreement=None):
    r"""Variance-normalised sum (report §3.3, Example 7): maximise
    :math:`\sum_i (u_i - \mu_i)/\sigma_i` with :math:`\mu, \sigma` the mean and standard deviation
    of :math:`u_i` under uniformly random actions.  (The report divides by
    :math:`\sum (u-\mu)^2`, which it calls the variance; in Example 7 both players' values are
    equal, so the maximiser is the same.)  May violate individual rationality: Example 7."""
    F = _check_set(F)
    dt = _dtype(F)
    n = F.num_players
    d = jnp.zeros(n, dt) if disagreement is None else _vector(disagreement, n, "disagreement", dt)
    _, sd = outcome_moments(F)
    if v.is_concrete(sd) and np.any(np.asarray(sd) <= 0):
        raise ValueError("`F`: a player's payoff is constant, so it has no variance to normalise")
    return _linear_solution(F, 1.0 / sd, d)


# ----------------------------------------------------------------------- Nash bargaining


def _nbs_objective(F, d, w, sizes):
    def h(z):
        u = F.payoffs(unflatten(z, sizes))
        gain = u - d
        return jnp.where(jnp.all(gain > 0), w @ jnp.log(jnp.where(gain > 0, gain, 1.0)), -jnp.inf)

    return h


def _payoff_gap(F, d, w, sizes):
    r"""Duality gap of the Nash product in payoff space at the strategy ``z``, and its rounding
    floor: :math:`\max_{v \in F} a \cdot (v - u)`, :math:`a = w/(u - d)`, :math:`u = u(z)`.  By
    concavity of ``log``, :math:`\sum_i w_i \log(v_i - d_i) - \sum_i w_i \log(u_i - d_i) \le
    a \cdot (v - u)` for every :math:`v \in F`, so it bounds the suboptimality of ``z``; it is
    never above the strategy-space Frank–Wolfe gap (which linearises a concave production
    ``u(s)``, overestimating it), and unlike that gap it does not grow with the curvature of
    ``u(s)``: near the frontier (gains ``δ``) the Frank–Wolfe gap of a point one rounding away
    from the optimum is of order ``eps |u| / δ²``, this one ``eps |u| / δ``.  The maximiser
    ``v`` is ``F.maximize(a)`` (exact for polytopes; water-filling to rounding for resource
    sets, whose value error is second order).  The floor, near the optimum (``v ≈ u``), is
    ``64 eps Σ_i a_i (|u_i| + |d_i|)``: ~1e-14 for gains of order 1, ``eps |u| / δ`` at gains
    ``δ``."""

    def gap_and_floor(z):
        u = F.payoffs(unflatten(z, sizes))
        gain = u - d
        a = w / jnp.where(gain > 0, gain, 1.0)
        v = jax.lax.stop_gradient(F.maximize(a).payoffs)
        gap = jnp.where(jnp.all(gain > 0), a @ (v - u), jnp.inf)
        return gap, 64 * jnp.finfo(d.dtype).eps * (a @ (jnp.abs(u) + jnp.abs(d)))

    return gap_and_floor


def _dense_feasible_start(F, d, strategy):
    """``(1 - ε) strategy + ε uniform`` for the largest ``ε`` in {0.1, 1e-2, …, 1e-14, 0} that
    keeps every payoff strictly above ``d``."""
    best = strategy
    for eps in (0.0, 1e-14, 1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 0.1):
        cand = tuple((1 - eps) * s + eps / s.shape[0] for s in strategy)
        ok = jnp.all(F.payoffs(cand) > d)
        best = jax.tree_util.tree_map(lambda c, b: jnp.where(ok, c, b), cand, best)
    return best


def _ksbs_scales(d, I):
    """KSBS scales ``I - d`` (floored at the smallest positive float) of the max-min start."""
    return jnp.maximum(I - d, jnp.finfo(d.dtype).tiny)


def _strict_start(F, d, sigma):
    r"""A strategy whose payoffs strictly exceed ``d``, from the max-min
    :math:`t^\star = \max_{u \in F} \min_i (u_i - d_i)/\sigma_i`, and whether there is none.

    The decision is exact up to rounding: ``infeasible`` iff the start's own ratio
    ``t = min_i (u_i - d_i)/σ_i`` (recomputed from its payoffs) does not exceed the rounding
    floor ``64 eps max_i (|u_i| + |d_i|)/σ_i`` of that ratio.  The max-min is exact for
    polytopes (simplex), Minkowski sums and linear resource sets (LP) and two players
    (bisection); for non-linear resource sets with ``n >= 3`` its dual mirror descent runs to
    ``1e-3`` and, for the instances where that leaves ``t`` unresolved (primal ratio at the floor,
    dual bound above it: small gains), on to ``1e-13`` (per instance: the others do not iterate).
    """

    def ratio(strategy):
        u = F.payoffs(strategy)
        return jnp.min((u - d) / sigma), _ratio_floor(u, d, sigma)

    t0, start, _, gap0, steps = _max_min(F, d, sigma, 1e-3, 2000)
    t, floor = ratio(start)
    if (isinstance(F, ResourceSet) and F.num_players > 2
            and not all(kind == "linear" for kind in F.production)):
        undecided = (t <= floor) & (t0 + gap0 > floor)
        tol2 = jnp.where(undecided, 1e-13, jnp.inf)
        _, start2, _, _, steps2 = _max_min(F, d, sigma, tol2, 2000)
        start = jax.tree_util.tree_map(lambda a, b: jnp.where(undecided, b, a), start, start2)
        steps = steps + jnp.where(undecided, steps2, 0)
        t, floor = ratio(start)
    infeasible = ~(t > floor)
    return _dense_feasible_start(F, d, start), t, steps, infeasible


def _gap_floor(h, sizes):
    r"""Rounding floor of a computed Frank–Wolfe gap :math:`\sum_b \max_k g_{bk} - g_b \cdot s_b`
    at ``z``: ``64 eps Σ_b max_k |g_bk|`` (the sum cancels terms of size ``max |g_b|``).  For the
    Nash product :math:`g = J^\top (w/(u - d))`, so the floor is ~1e-14 for gains of order 1 and
    grows like ``eps / gain`` as ``d`` nears the frontier.  (Not counted: the gradient's change
    when the point moves by its own rounding, of order ``eps |u| / gain²`` for a concave
    production; where that matters, :func:`_payoff_bound` takes over.)"""
    grad = jax.grad(h)

    def floor(z):
        g = jnp.abs(grad(z))
        return 64 * jnp.finfo(z.dtype).eps * sum(jnp.max(gb) for gb in unflatten(g, sizes))

    return floor


def _payoff_bound(F, d, w, sizes, tol):
    """``bound`` for :func:`maximize_concave`: the payoff-space duality gap
    (:func:`_payoff_gap`) and its floor, used only where that floor exceeds ``tol``: there the
    Nash product itself is not computable to ``tol`` (gains below ~``128 eps |u| / tol``) and the
    Frank–Wolfe gap stalls at its own rounding (of order ``eps |u| / gain²``, see
    :func:`_gap_floor`) while the point is exact.  Elsewhere the Frank–Wolfe gap, which also
    pins the strategy to first order, stays the certificate."""
    gap_and_floor = _payoff_gap(F, d, w, sizes)

    def bound(z):
        g, f = gap_and_floor(z)
        near_frontier = jnp.isfinite(f) & (f > tol)
        return jnp.where(near_frontier, g, jnp.inf), jnp.where(near_frontier, f, 0.0)

    return bound


def _positive_at_optimum(F):
    """Flattened mask of strategy coordinates that are positive at every NBS (``None``: none
    known): for a :class:`ResourceSet`, ``sqrt``/``power`` goods with a positive coefficient
    that reach some player (infinite marginal value at 0)."""
    if not isinstance(F, ResourceSet):
        return None
    inada = jnp.asarray([kind in ("sqrt", "power") for kind in F.production])
    reach = jnp.any(F.linear_map > 0, axis=1)  # (m, K)
    return (inada[None, :] & (F.coefficients > 0) & reach).reshape(-1)


def _implicit_strategy_tangent(theta, z, dtheta):
    """Tangent ``dz`` of the NBS strategy: implicit differentiation of the optimality
    conditions on the support of ``z`` (block sums fixed, off-support coordinates held at 0)."""
    sizes = theta[0].block_sizes
    K = z.shape[0]
    B = len(sizes)

    def h(zz, th):
        Ft, dd, ww = th
        return _nbs_objective(Ft, dd, ww, sizes)(zz)

    ids = np.repeat(np.arange(B), sizes)
    support = z > 1e-12
    fs = support.astype(z.dtype)
    E = jnp.asarray(ids[None, :] == np.arange(B)[:, None]).astype(z.dtype) * fs[None, :]
    H = jax.hessian(h)(z, theta)
    H = jnp.where(support[:, None] & support[None, :], H, 0.0) - jnp.diag(1.0 - fs)
    A = jnp.block([[H, -E.T], [E, jnp.zeros((B, B), z.dtype)]])
    grad_z = jax.grad(h)
    _, dg = jax.jvp(lambda th: grad_z(z, th), (theta,), (dtheta,))
    rhs = -jnp.concatenate([jnp.where(support, dg, 0.0), jnp.zeros(B, z.dtype)])
    # Equilibrate before the pseudo-inverse: near a small gain u - d the Hessian spans many
    # orders of magnitude and a relative cut-off on the raw matrix drops real directions.
    scale = jnp.concatenate([1.0 / jnp.sqrt(jnp.maximum(jnp.abs(jnp.diag(H)), 1.0)),
                             jnp.ones(B, z.dtype)])
    As = scale[:, None] * A * scale[None, :]
    dz = (scale * (jnp.linalg.pinv(As, rtol=1e-10) @ (scale * rhs)))[:K]
    return jnp.where(support, dz, 0.0)


@jax.custom_jvp
def _nbs_payoffs(theta, z):
    F, d, w = theta
    sizes = F.block_sizes
    return F.payoffs(unflatten(z, sizes))


@_nbs_payoffs.defjvp
def _nbs_payoffs_jvp(primals, tangents):
    """Implicit differentiation of the NBS optimality conditions on the support of ``z``."""
    theta, z = primals
    dtheta, _ = tangents
    sizes = theta[0].block_sizes
    dz = _implicit_strategy_tangent(theta, z, dtheta)

    def payoff(zz, th):
        return th[0].payoffs(unflatten(zz, sizes))

    u, du = jax.jvp(payoff, (z, theta), (dz, dtheta))
    return u, du


@jax.custom_jvp
def nbs_strategy(theta, z):
    """The NBS strategy ``z`` (flattened) of ``theta = (F, d, w)``, with the implicit tangent.

    ``z`` is a solution from :func:`nash_bargaining`; the value is ``z`` itself, the derivative
    w.r.t. ``theta`` is :func:`_implicit_strategy_tangent` (exact where the support is locally
    stable and the optimal strategy unique; the minimum-norm solution of the linearised
    conditions where it is not).  Used where quantities other than the payoffs depend on how
    the solution is realised (e.g. which agent produces what).
    """
    return z


@nbs_strategy.defjvp
def _nbs_strategy_jvp(primals, tangents):
    theta, z = primals
    dtheta, _ = tangents
    return z, _implicit_strategy_tangent(theta, z, dtheta)


def nash_bargaining(
    F,
    disagreement,
    *,
    weights=None,
    tol: float | None = None,
    max_steps: int = 20000,
    check_every: int = 25,
) -> BargainingSolution:
    r"""Nash bargaining solution, symmetric or weighted (report Definition 9, eq. 7/57).

    .. math:: \arg\max_{u \in F,\ u > d} \sum_i w_i \log(u_i - d_i)

    Args:
        F: feasible set (:func:`bargainjax.polytope`, :func:`bargainjax.correlated_set`,
            :func:`bargainjax.separable_set`, :func:`bargainjax.resource_set`).
        disagreement: ``(n,)`` disagreement point ``d``.
        weights: ``(n,)`` positive bargaining weights ``w`` (default ones: the symmetric NBS).
        tol: bound on the certificate ``gap``, i.e. on the suboptimality of
            :math:`\sum_i w_i \log(u_i - d_i)`; default ``1e-9`` (float64) / ``1e-5`` (float32).
            ``gap`` is the Frank–Wolfe gap in strategy space or, where the Nash product's own
            rounding exceeds ``tol`` (``d`` very near the frontier), the smaller of it and the
            payoff-space duality gap :math:`\max_{v \in F} a \cdot (v - u)`,
            :math:`a = w/(u - d)`.  The result's ``tol`` adds that certificate's rounding floor
            at the solution (~1e-14 for gains of order 1; it grows like ``eps / gain`` as ``d``
            nears the frontier), below which the gap is noise.
        max_steps: cap on mirror-ascent steps (static).
        check_every: steps between certificate checks and face polishes (static).

    Returns:
        :class:`BargainingSolution`; ``weights`` are the supporting weights
        :math:`a_i \propto w_i/(u_i - d_i)`.  ``status`` is ``INFEASIBLE`` when no point of
        ``F`` strictly improves on ``d`` for everyone.

    Differentiation: ``payoffs`` are differentiable w.r.t. the set's arrays, ``disagreement``
    and ``weights`` by implicit differentiation of the optimality conditions on the identified
    support (exact where the support is locally stable; one-sided at support changes).

    Raises:
        ValueError: wrong shapes, NaN/inf, non-positive ``weights``, or (when concrete) a
            disagreement point that no feasible point strictly improves on.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> F = bj.polytope(jnp.array([[0.0, 0.0], [4.0, 0.0], [0.0, 2.0]]))
        >>> sol = bj.nash_bargaining(F, jnp.zeros(2))
        >>> sol.payoffs.round(6).tolist()
        [2.0, 1.0]
    """
    F = _check_set(F)
    dt = _dtype(F)
    n = F.num_players
    d = _vector(disagreement, n, "disagreement", dt)
    w = jnp.ones(n, dt) if weights is None else _vector(weights, n, "weights", dt)
    v.positive(w, "weights")
    I = ideal_point(F)
    _concrete_feasibility_check(F, d, I)
    tol = tol or _default_tol(dt)
    Fs, ds, ws = jax.lax.stop_gradient((F, d, w))
    sizes = Fs.block_sizes
    start, t_start, steps0, infeasible = _strict_start(
        Fs, ds, _ksbs_scales(ds, jax.lax.stop_gradient(I)))
    _raise_if_concrete_infeasible(infeasible, t_start)
    # An instance without a strict improvement stops at once (tol = inf) instead of holding
    # its batch for max_steps.
    out = maximize_concave(_nbs_objective(Fs, ds, ws, sizes), start,
                           tol=jnp.where(infeasible, jnp.inf, tol), max_steps=max_steps, check_every=check_every,
                           keep=_positive_at_optimum(Fs),
                           floor=_gap_floor(_nbs_objective(Fs, ds, ws, sizes), sizes),
                           bound=_payoff_bound(Fs, ds, ws, sizes, tol))
    z = jax.lax.stop_gradient(flatten(out.strategy))
    u = _nbs_payoffs((F, d, w), z)
    a = _normalise(ws / jnp.maximum(jax.lax.stop_gradient(u) - ds, jnp.finfo(dt).tiny))
    inputs_finite = jnp.all(jnp.asarray([jnp.all(jnp.isfinite(x))
                                         for x in jax.tree_util.tree_leaves((Fs, ds, ws))]))
    status = jnp.where(
        ~inputs_finite, Status.NONFINITE,
        jnp.where(infeasible, Status.INFEASIBLE, out.status),
    ).astype(jnp.int32)
    return BargainingSolution(u, out.strategy, a, d, out.gap, jnp.asarray(tol, dt) + out.floor,
                              out.num_steps + steps0, status)


class SupportingWeights(NamedTuple):
    """Normal cone of ``F`` at a point ``u`` (see :func:`supporting_weights`).

    Attributes:
        weights: ``(n,)`` a supporting weight vector ``a`` (sums to 1): ``u`` maximises ``a·v``.
        interval: ``(2,)`` for two players, the range ``[t_lo, t_hi]`` of first coordinates
            ``t`` of all supporting weights ``(t, 1-t)`` (a point when the frontier is smooth at
            ``u``); NaN for ``n > 2``.
        slack: ``()`` :math:`\\min_{a} h_F(a) - a \\cdot u`: ``0`` (up to ``gap``) iff ``u`` is
            on the weak Pareto frontier, positive inside ``F``, negative outside it.
        gap: ``()`` certificate of ``slack``.
        status: ``()`` ``SUCCESSFUL`` when ``u`` is on the frontier within tolerance, else
            ``INFEASIBLE``.
    """

    weights: jax.Array
    interval: jax.Array
    slack: jax.Array
    gap: jax.Array
    status: jax.Array


def supporting_weights(F, point, *, tol: float | None = None, max_steps: int = 5000):
    r"""Supporting weights (the post's Hahn–Banach step, "virtual prices") of a point of ``F``.

    Solves :math:`\min_{a \in \Delta_n} h_F(a) - a \cdot u` (the dual of
    :math:`\max_{v \in F} \min_i (v_i - u_i)`; exact via a matrix game for a
    :class:`PolytopeHull`).  For two players the whole normal cone is returned as an interval by
    bisection on the support function; at a vertex its endpoints are accurate to about
    ``10 tol``, on a smooth frontier (where the cone is a single ray) to about
    ``sqrt(10 tol)``, since the support-function slack grows quadratically there.
    """
    F = _check_set(F)
    dt = _dtype(F)
    n = F.num_players
    u = _vector(point, n, "point", dt)
    tol = tol or _default_tol(dt)
    t, _, lam, gap, _ = _max_min(F, u, jnp.ones_like(u), tol, max_steps)
    slack = t  # strong duality: min_a h_F(a) - a·u = max_{v∈F} min_i (v_i - u_i)
    scale = jnp.maximum(jnp.max(jnp.abs(ideal_point(F))), 1.0)
    if n == 2:
        def g(s):
            a = jnp.stack([s, 1.0 - s])
            return F.maximize(a).value - a @ u

        thresh = 10 * tol * scale + jnp.maximum(slack, 0.0)
        t0 = lam[0]

        def search(lo, hi, inside_at_lo):
            def body(_, c):
                lo, hi = c
                mid = 0.5 * (lo + hi)
                ok = g(mid) <= thresh
                move_lo = ok == inside_at_lo
                return jnp.where(move_lo, mid, lo), jnp.where(move_lo, hi, mid)

            return jax.lax.fori_loop(0, 60, body, (lo, hi))

        lo_in, _ = search(t0, jnp.asarray(1.0, dt), True)
        _, hi_in = search(jnp.asarray(0.0, dt), t0, False)
        interval = jnp.stack([jnp.where(g(jnp.asarray(0.0, dt)) <= thresh, 0.0, hi_in),
                              jnp.where(g(jnp.asarray(1.0, dt)) <= thresh, 1.0, lo_in)])
    else:
        interval = jnp.full((2,), jnp.nan, dt)
    ok = jnp.abs(slack) <= 10 * tol * scale + gap
    return SupportingWeights(lam, interval, slack, gap,
                             jnp.where(ok, Status.SUCCESSFUL, Status.INFEASIBLE).astype(jnp.int32))
