r"""Bargaining solutions over a feasible set :math:`F` with disagreement point :math:`d`.

Notation: :math:`F` from :mod:`bargainjax.sets._feasible`, :math:`d \in \mathbb{R}^n`, support
function :math:`h_F(a) = \max_{u \in F} a \cdot u`, player ``i``'s payoff range over ``F``
:math:`[lo_i, hi_i]`, :math:`R_i = hi_i - lo_i`.

* **Nash bargaining solution** (Nash 1950; report Definition 9, eq. 6, weighted eq. 7/57):
  :math:`\arg\max_{u \in F,\, u > d} \sum_i w_i \log(u_i - d_i)`.  Certificate: a rigorous
  bound on :math:`\max_i |u_i - u^\star_i| / R_i` from the strong concavity of the Nash product
  (see :func:`nash_bargaining`).
* **Kalai–Smorodinsky** (Kalai & Smorodinsky 1975; report eq. 8): the largest :math:`t` with
  :math:`\min_i (u_i - d_i)/(I_i - d_i) \ge t` for some :math:`u \in F`, :math:`I` the ideal
  point over the individually rational part :math:`\{u \in F : u \ge d\}` (``ideal="rational"``,
  the default) or over all of :math:`F` (``ideal="feasible"``, the report's convention);
  **egalitarian** (Kalai 1977): the same with unit scales.  Both are
  :math:`\max_{u \in F} \min_i r_i(u)`, :math:`r_i = (u_i - d_i)/\sigma_i`, with dual
  :math:`\min_{\lambda \in \Delta_n} h_F(\lambda/\sigma) - (\lambda/\sigma) \cdot d`; the
  certificate is the primal–dual gap, recomputed from the returned point and weights, in
  payoff-range units.
* **Utilitarian** (weighted-sum maximum, Harsanyi 1955; report §3.3), **Armstrong's normalised
  sum** (report Appendix A: maximise :math:`\sum_i (u_i - d_i)/(I_i - d_i)`) and the
  **variance-normalised sum** (report Example 7: each utility centred and divided by its
  standard deviation under uniformly random actions): exact weighted-sum maxima.

**Units and invariance.**  Every solver maps ``F`` and ``d`` to unit coordinates
(:class:`bargainjax.PlayerScale`, built from each player's payoff range over ``F`` without
forming ``hi - lo``), solves there and maps the answer back through the same strategy.  The
NBS, Kalai–Smorodinsky and Armstrong solutions are invariant under each player's affine change
of units (``α_i u_i + β_i``, ``α_i > 0``) and are solved in per-player units; the egalitarian and
utilitarian solutions are invariant only under a common change of scale (with per-player
shifts) and are solved with one common scale.  For these maps the result is the affine image
with the same status, up to the rounding of the data itself.  (A :class:`ResourceSet` is only
rescaled, never shifted: its production functions are not affine.)

**Degenerate problems.**  When no point of ``F`` strictly improves on ``d`` for every player,
every solver returns a result with status ``INFEASIBLE`` (eagerly and under ``jit``); it
never raises for that.  Bad input (shapes, NaN/inf when concrete, non-positive weights) raises
a one-line ``ValueError`` naming the argument.

Every solver is pure, works under ``jit``/``vmap`` and returns a :class:`BargainingSolution`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _validate as v
from bargainjax.core._loop import bisect
from bargainjax.solvers._concave import flatten, frank_wolfe_gap, maximize_concave, unflatten
from bargainjax.sets._feasible import FeasibleSet, ideal_point
from bargainjax.solvers._lp import solve_lp
from bargainjax.core._contract import alias, certify, default_tol, resolve_tol
from bargainjax.solvers._zero_sum import solve_zero_sum


class BargainingSolution(NamedTuple):
    """Result of a bargaining solver (every field an array; batched under ``vmap``).

    Attributes:
        payoffs: ``(n,)`` the solution :math:`u \\in F` (``F.payoffs(strategy)``).
        strategy: tuple of per-block simplex points realising ``payoffs``.
        weights: ``(n,)`` supporting weights (virtual prices) of ``payoffs``, normalised to sum
            1: ``payoffs`` maximises ``weights · u`` over ``F``.
        disagreement: ``(n,)`` the disagreement point used.
        objective_gap: ``()`` the concept's own optimality gap: for the NBS the payoff-space
            (or Frank–Wolfe) gap :math:`\\max_{v \\in F} a \\cdot (v - u)`,
            :math:`a = w/(u - d)`, of :math:`\\sum_i w_i \\log(u_i - d_i)` in unit coordinates;
            for the max-min rules the primal–dual gap of the max-min ratio; for weighted sums
            the Frank–Wolfe gap.
        certificate: ``()`` the bound on the answer's error that decides ``status``, in
            payoff-range units (each solver's docstring says what it bounds).
        tol: ``()`` the tolerance it was held to (requested ``tol`` plus the certificate's
            rounding floor at the answer).
        status: ``()`` :class:`bargainjax.Status` code.
        num_steps: ``()`` iterations (mirror-ascent steps, pivots, bisection steps) used.

    Deprecated alias (one release): ``gap`` for ``certificate``.
    """

    payoffs: jax.Array
    strategy: tuple
    weights: jax.Array
    disagreement: jax.Array
    objective_gap: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array

    gap = alias("certificate")


def _check_set(F, name="F"):
    if not isinstance(F, FeasibleSet):
        raise ValueError(
            f"`{name}` must be a feasible set (bj.polytope, bj.correlated_set, bj.separable_set, "
            f"bj.resource_set), got {type(F).__name__}"
        )
    if not jnp.issubdtype(F.dtype, jnp.floating):
        # Integer (or boolean) payoffs are solved in the default float precision.
        F = jax.tree_util.tree_map(lambda x: jnp.asarray(x, jnp.result_type(float)), F)
    return F


def _vector(x, n, name, dtype):
    x = v.as_array(x, name)
    if x.shape != (n,):
        raise ValueError(f"`{name}` must have shape ({n},) (one entry per player), got {x.shape}")
    v.finite(x, name)
    return x.astype(dtype)


def _dtype(F):
    return F.dtype


def _normalise(a):
    s = jnp.sum(a)
    return a / jnp.where(s > 0, s, 1.0)


def _to_original(scale, a):
    """Weights ``a`` on unit coordinates as weights on the original payoffs (``a_i / s_i``),
    normalised to sum 1 without overflow."""
    m, e = jnp.frexp(scale.scale)
    # a_i / s_i = (a_i / m_i) 2^-e_i: shift the exponents so the largest term is of order one.
    shift = e - jnp.min(jnp.where(a > 0, e, jnp.max(e)))
    return _normalise((a / m) * jnp.exp2(-shift.astype(a.dtype)))


def _finite(*trees):
    return jnp.all(jnp.asarray([jnp.all(jnp.isfinite(x)) for x in jax.tree_util.tree_leaves(trees)]))


def _units(F, common=False):
    """Units of ``F`` (per player, or one common scale with per-player centres), the set in
    those units and each player's range there (``(n,)``, 1 where the range is 0)."""
    scale = F.unit_scale(common=common)
    lo, hi = F.payoff_range()
    R = scale.unit(hi) - scale.unit(lo)
    return scale, F.in_units(scale), jnp.where(R > 0, R, 1.0), scale.unit(hi)


# ----------------------------------------------------------------------- max-min family


def _max_min(F, ref, sigma, tol, max_steps):
    """``max_{u∈F} min_i (u_i - ref_i)/σ_i``: returns ``(strategy, λ, steps)`` with ``λ`` dual
    weights on the simplex (the certificate is recomputed from them by the caller).  ``tol``
    is an absolute tolerance on the max-min gap.  Each set chooses its method
    (:meth:`bargainjax.FeasibleSet.max_min`): a matrix game for a polytope, bisection for two
    players, the exact LP for Minkowski sums of polytopes, else :func:`_max_min_dual`."""
    return F.max_min(ref, sigma, tol, max_steps)


def _max_min_dual(F, ref, sigma, tol, max_steps):
    """Any set, any ``n``: the dual of the max-min by mirror descent, then primal recovery."""
    n = F.num_players
    # Dual: minimise φ(λ) = h_F(λ/σ) - (λ/σ)·ref over the simplex by mirror descent; the
    # Frank–Wolfe gap of -φ is φ(λ) - min_i r_i(u*(λ)), the primal-dual gap.

    def neg_phi(lam):
        a = lam / sigma
        res = F.maximize(a)
        u = F.payoffs(jax.tree_util.tree_map(jax.lax.stop_gradient, res.strategy))
        return -(a @ u - a @ ref)

    lam0 = (jnp.full((n,), 1.0 / n, ref.dtype),)
    out = maximize_concave(neg_phi, lam0, tol=tol, max_steps=max_steps, check_every=25,
                           support_size=n)
    lam = out.strategy[0]
    # Primal recovery: at a kink the dual optimum has tied maximisers, so mix the maximisers at
    # λ and at λ nudged toward each vertex of the simplex, with the mixture that maximises the
    # smallest ratio (a small matrix game).  Mixing strategies is feasible and, payoffs being
    # concave in the strategy, at least as good as mixing the payoffs.
    eye = jnp.eye(n, dtype=ref.dtype)
    duals = jnp.concatenate([lam[None, :], (1 - 1e-6) * lam[None, :] + 1e-6 * eye,
                             (1 - 1e-3) * lam[None, :] + 1e-3 * eye])
    cands = [F.maximize(l / sigma) for l in duals]
    Rm = jnp.stack([(c.payoffs - ref) / sigma for c in cands])  # (candidates, n)
    mix = solve_zero_sum(Rm).row_strategy
    strategy = jax.tree_util.tree_map(
        lambda *ss: jax.lax.stop_gradient(sum(w * s for w, s in zip(mix, ss))),
        *[c.strategy for c in cands])
    return strategy, lam, out.num_steps


def _max_min_lp(F, ref, sigma, tol):
    """Minkowski sums of polytopes, any ``n``: the exact LP
    ``max t  s.t.  t - (Σ_j P_j^T s_j - ref)_i / σ_i <= 0,  1^T s_j = 1,  s >= 0``
    with ``t = t⁺ - t⁻``; its inequality duals are the weights ``λ``."""
    sizes = F.block_sizes
    n, K, B = F.num_players, sum(sizes), len(sizes)
    dt = ref.dtype
    P = jnp.concatenate(F.parts, axis=0)  # (K, n)
    A_ub = jnp.concatenate([-(P / sigma[None, :]).T, jnp.ones((n, 1), dt), -jnp.ones((n, 1), dt)], 1)
    b_ub = -ref / sigma
    ids = np.repeat(np.arange(B), sizes)
    A_eq = jnp.concatenate([jnp.asarray(ids[None, :] == np.arange(B)[:, None], dt),
                            jnp.zeros((B, 2), dt)], axis=1)
    c = jnp.zeros(K + 2, dt).at[K].set(1.0).at[K + 1].set(-1.0)
    sol = solve_lp(c, A_ub, b_ub, A_eq, jnp.ones(B, dt))
    strategy = unflatten(sol.x[:K], sizes)
    lam = _normalise(jnp.maximum(sol.dual_ub, 0.0))
    lam = jnp.where(jnp.sum(lam) > 0, lam, jnp.full((n,), 1.0 / n, dt))
    return strategy, lam, sol.num_pivots


def _max_min_two_players(F, ref, sigma):
    """Two players: bisection on the dual weight ``λ = (t, 1-t)`` using the sign of
    ``φ'(t) = r_1 - r_2`` at the weighted-sum maximiser, then the convex combination of the two
    bracketing maximisers that equalises the ratios (exact on kinks and on smooth frontiers)."""
    dt = ref.dtype

    def at(t):
        lam = jnp.stack([t, 1.0 - t])
        res = F.maximize(lam / sigma)
        return res, (res.payoffs - ref) / sigma

    def right(mid):  # φ'(mid) < 0: the minimiser lies to the right
        _, r = at(mid)
        return r[0] < r[1]

    lo, hi, _ = bisect(right, jnp.asarray(0.0, dt), jnp.asarray(1.0, dt), max_steps=64)
    res_lo, r_lo = at(lo)
    res_hi, r_hi = at(hi)
    e_lo, e_hi = r_lo[0] - r_lo[1], r_hi[0] - r_hi[1]
    denom = e_hi - e_lo
    theta = jnp.where(jnp.abs(denom) > 0, e_hi / jnp.where(jnp.abs(denom) > 0, denom, 1.0), 1.0)
    theta = jnp.clip(theta, 0.0, 1.0)
    strategy = jax.tree_util.tree_map(
        lambda a, b: jax.lax.stop_gradient(theta * a + (1.0 - theta) * b),
        res_lo.strategy, res_hi.strategy)
    # The better of the two bracketing duals.
    use_lo = (jnp.stack([lo, 1.0 - lo]) @ r_lo) <= (jnp.stack([hi, 1.0 - hi]) @ r_hi)
    t = jnp.where(use_lo, lo, hi)
    return strategy, jnp.stack([t, 1.0 - t]), jnp.asarray(64, jnp.int32)


def _ratio_floor(u, d, sigma):
    """Rounding floor of a computed ratio ``min_i (u_i - d_i)/σ_i``:
    ``64 eps max_i (|u_i| + |d_i|)/σ_i``.  A ratio above it certifies a strict improvement on
    ``d``; one at or below it cannot be told from 0."""
    return 64 * jnp.finfo(d.dtype).eps * jnp.max((jnp.abs(u) + jnp.abs(d)) / sigma)


def _max_min_certificate(F, strategy, lam, ref, sigma):
    """``(t, gap, floor)`` at a returned point: the primal ratio ``t = min_i (u_i - ref_i)/σ_i``,
    the primal–dual gap ``φ(λ) - t`` (``φ(λ) = h_F(λ/σ) - (λ/σ)·ref`` bounds the max-min from
    above for every ``λ`` in the simplex) and its rounding floor."""
    u = F.payoffs(strategy)
    t = jnp.min((u - ref) / sigma)
    a = lam / sigma
    vmax = F.maximize(a).payoffs
    phi = a @ (vmax - ref)
    gap = jnp.maximum(phi - t, 0.0)
    eps = jnp.finfo(ref.dtype).eps
    floor = 64 * eps * jnp.max((jnp.abs(u) + jnp.abs(vmax) + jnp.abs(ref)) / sigma)
    return t, gap, floor


def _max_min_solution(F, d, kind, ideal, tol, max_steps):
    """The max-min rules in units: ``kind`` is ``"ksbs"`` (per-player units, scales
    ``σ = I - d``) or ``"egalitarian"`` (common scale, ``σ = 1``)."""
    dt = d.dtype
    eps, tiny = jnp.finfo(dt).eps, jnp.finfo(dt).tiny
    common = kind == "egalitarian"
    scale, Fu, R, hi = _units(F, common=common)
    du = scale.unit(d)
    Rt = hi - scale.unit(F.payoff_range()[0])  # true ranges in units (0 for a constant payoff)
    no_gain = jnp.any(hi <= du)
    if kind == "ksbs":
        I = ideal_point(Fu, du if ideal == "rational" else None)
        # With the rational ideal, I_i > d_i for every i iff some u ∈ F has u > d (average the
        # maximisers), so this decides infeasibility exactly (up to rounding).
        no_gain = no_gain | jnp.any(I - du <= 64 * eps * (jnp.abs(I) + jnp.abs(du)))
        sigma = jnp.where(no_gain, 1.0, jnp.maximum(I - du, tiny))
        # Ratios measured from the ideal point, (u_i - I_i)/σ_i = r_i - 1: full relative
        # precision however far d is (measured from d they all read 1 - 1e-9 at |d| = 1e9).
        ref = jnp.where(no_gain, du, I)
        denom = R
    else:
        sigma = jnp.ones_like(du)
        ref = du + jnp.where(no_gain, 0.0, jnp.min(hi - du))  # min_i (u_i - ref_i) = t - const
        denom = jnp.broadcast_to(jnp.max(R), R.shape)
    factor = jnp.max(sigma / denom)
    tol_t = tol / factor
    strategy, lam, steps = _max_min(Fu, ref, sigma, tol_t / 4, max_steps)
    strategy = jax.tree_util.tree_map(jax.lax.stop_gradient, strategy)
    _, gap, floor = _max_min_certificate(Fu, strategy, lam, ref, sigma)
    uu = Fu.payoffs(strategy)
    t_d = jnp.min((uu - du) / sigma)
    # Player i's payoff can fall short of the solution's d_i + t* σ_i by at most gap σ_i, and by
    # at most its range; relative to R_i (KSBS) or to the largest range (egalitarian).
    cert = jnp.max(jnp.minimum(gap * sigma, Rt) / denom)
    cert_floor = jnp.max(jnp.minimum(floor * sigma, Rt) / denom)
    infeasible = no_gain | ((t_d <= _ratio_floor(uu, du, sigma)) & (cert <= tol + cert_floor))
    u = F.payoffs(strategy)
    status, tol_eff = certify(cert, tol, floor=cert_floor,
                              inputs_finite=_finite(F, d) & jnp.all(jnp.isfinite(u)),
                              infeasible=infeasible)
    return BargainingSolution(u, strategy, _to_original(scale, lam / sigma), d, gap, cert,
                              tol_eff, status, jnp.asarray(steps, jnp.int32))


def _rational_ideal_levels(F, d, ideal):
    """``max {u_i : u ∈ F, u >= d}`` for any set (used for non-linear resource sets with
    ``n >= 3``): bisection on the level ``L`` in ``[d_i, I_i]``, ``L`` being attainable iff
    ``max_{u∈F} min(u_i - L, min_{j≠i} u_j - d_j) >= 0`` (the max-min solver; a level is taken
    as attainable only when a realised point attains it, so the result is a lower bound
    accurate to the bisection width).  ``-inf`` where ``d`` itself is not attainable."""
    n = F.num_players
    dt = d.dtype
    ones = jnp.ones(n, dt)

    def attainable(ref):
        strategy, _, _ = _max_min(F, ref, ones, 1e-9, 500)
        return jnp.min(F.payoffs(strategy) - ref) >= 0

    out = []
    for i in range(n):
        lo = bisect(lambda mid, i=i: attainable(d.at[i].set(mid)), d[i], ideal[i],
                    max_steps=40).lo
        out.append(jnp.where(attainable(d), lo, -jnp.inf))
    return jnp.stack(out)


def _check_ideal(ideal):
    if ideal not in ("rational", "feasible"):
        raise ValueError(f"`ideal` must be 'rational' or 'feasible', got {ideal!r}")
    return ideal


def kalai_smorodinsky(F, disagreement, *, ideal: str = "rational", tol: float | None = None,
                      max_steps: int = 5000):
    r"""Kalai–Smorodinsky solution (Kalai & Smorodinsky 1975; report §3.4.2, eq. 8).

    .. math:: \max_{u \in F} \min_i \frac{u_i - d_i}{I_i - d_i}

    with :math:`I_i = \max\{u_i : u \in F,\ u \ge d\}`, each player's ideal over the
    individually rational part (``ideal="rational"``, the default: Kalai & Smorodinsky 1975,
    Thomson 1994), or :math:`I_i = \max_{u \in F} u_i` (``ideal="feasible"``: the report's
    eq. 8).  The two differ when some :math:`u \in F` is worse than ``d`` for someone (e.g. ``d``
    at the security levels).

    Returns a realised point of :math:`F` attaining the max-min ratio :math:`t^\star`; where the
    segment from ``d`` to ``I`` leaves :math:`F` through a weakly Pareto part, ``payoffs`` may
    exceed :math:`d + t^\star (I - d)` in some coordinates.

    Certificate: the max-min primal–dual gap ``ε`` (ratio units) times
    :math:`\max_i (I_i - d_i)/R_i`; it bounds, relative to each player's payoff range
    :math:`R_i` over ``F``, how far any player's payoff may fall short of the solution's
    :math:`d_i + t^\star (I_i - d_i)`.  It does not shrink as ``d`` moves away (ratios are
    measured from ``I``).  Default ``tol``: ``DEFAULT_TOL["bargaining"]``.

    Invariance: per-player affine changes of units (solved in per-player units).
    Returns status ``INFEASIBLE`` (never raises) when no point strictly improves on ``d``.
    """
    F = _check_set(F)
    dt = _dtype(F)
    d = _vector(disagreement, F.num_players, "disagreement", dt)
    _check_ideal(ideal)
    return _max_min_solution(F, d, "ksbs", ideal, resolve_tol(tol, dt, "bargaining"), max_steps)


def egalitarian(F, disagreement, *, tol: float | None = None, max_steps: int = 5000):
    r"""Egalitarian solution (Kalai 1977): :math:`\max_{u\in F} \min_i (u_i - d_i)`.

    Certificate: the max-min primal–dual gap divided by the largest payoff range
    :math:`\max_i R_i` (common-range units): a bound on how far the smallest gain may fall
    short of the optimum's, relative to that range.  Invariance: a common change of scale with
    per-player shifts (solved with one common scale).  Returns status ``INFEASIBLE`` (never
    raises) when no point strictly improves on ``d``.
    """
    F = _check_set(F)
    dt = _dtype(F)
    d = _vector(disagreement, F.num_players, "disagreement", dt)
    return _max_min_solution(F, d, "egalitarian", None, resolve_tol(tol, dt, "bargaining"),
                             max_steps)


# ---------------------------------------------------------------------- weighted sums


def _linear_solution(F, a, d, *, scale=None, Fu=None, R=None, infeasible=False):
    """Weighted-sum maximum of ``a · u`` over ``F``; ``a`` are weights on the unit coordinates
    of ``scale`` (default: common scale)."""
    if scale is None:
        scale, Fu, R, _ = _units(F, common=True)
    dt = d.dtype
    finite_a = jnp.all(jnp.isfinite(a))
    a = jnp.where(finite_a, a, 1.0)
    a = a / jnp.max(a)  # weights of any magnitude (1e300) are the same rule
    res = Fu.maximize(a)
    strategy = jax.tree_util.tree_map(jax.lax.stop_gradient, res.strategy)
    z = flatten(strategy)
    sizes = tuple(s.shape[0] for s in strategy)
    g = jax.grad(lambda zz: a @ Fu.payoffs(unflatten(zz, sizes)))(z)
    gap = frank_wolfe_gap(g, z, sizes)
    # In units of (Σ a) × the largest range: a bound on the relative loss of the weighted sum.
    cert = gap / (jnp.sum(a) * jnp.max(R))
    u = F.payoffs(strategy)
    floor = 16 * jnp.finfo(dt).eps
    status, tol_eff = certify(cert, default_tol(dt, "bargaining"), floor=floor,
                              inputs_finite=finite_a & _finite(F, d) & jnp.all(jnp.isfinite(u)),
                              infeasible=infeasible)
    return BargainingSolution(u, strategy, _to_original(scale, a), d, gap, cert, tol_eff,
                              status, jnp.asarray(0, jnp.int32))


def utilitarian(F, weights=None, *, disagreement=None):
    r"""Weighted-sum maximum :math:`\arg\max_{u \in F} a \cdot u` (Harsanyi's utilitarian theorem).

    Args:
        F: feasible set.
        weights: ``(n,)`` positive weights ``a`` (default all ones); only their ratios matter
            (they are divided by their maximum, so weights like ``1e300`` are fine).
        disagreement: optional ``(n,)``, only recorded in the result.

    Certificate: the Frank–Wolfe gap of :math:`a \cdot f(s)` divided by :math:`\sum_i a_i`
    times the largest payoff range (exactly 0 for polytopes; the water-filling accuracy for
    resource sets).  Invariance: a common change of scale with per-player shifts.  Non-finite
    weights under ``jit`` give ``NONFINITE``.
    """
    F = _check_set(F)
    dt = _dtype(F)
    n = F.num_players
    a = jnp.ones(n, dt) if weights is None else _vector(weights, n, "weights", dt)
    v.positive(a, "weights")
    d = jnp.zeros(n, dt) if disagreement is None else _vector(disagreement, n, "disagreement", dt)
    return _linear_solution(F, a, d)


def armstrong(F, disagreement, *, ideal: str = "rational"):
    r"""Armstrong's (2013) normalised sum (report Appendix A): maximise
    :math:`\sum_i (u_i - d_i)/(I_i - d_i)`, with the ideal point ``I`` as in
    :func:`kalai_smorodinsky` (``ideal="rational"`` by default, ``"feasible"`` for the report's
    convention).  May violate individual rationality (the report's objection);
    ``payoffs - disagreement`` shows it.  Invariance: per-player affine changes of units.
    Returns status ``INFEASIBLE`` (never raises) when some :math:`I_i \le d_i`."""
    F = _check_set(F)
    dt = _dtype(F)
    d = _vector(disagreement, F.num_players, "disagreement", dt)
    _check_ideal(ideal)
    scale, Fu, R, hi = _units(F)
    du = scale.unit(d)
    I_r = ideal_point(Fu, du)
    I = I_r if ideal == "rational" else hi
    # No strict improvement on d iff some rational ideal payoff does not exceed d.
    eps = jnp.finfo(dt).eps
    infeasible = jnp.any(I_r - du <= 64 * eps * (jnp.abs(I_r) + jnp.abs(du))) | jnp.any(hi <= du)
    a = 1.0 / jnp.maximum(I - du, jnp.finfo(dt).tiny)
    return _linear_solution(F, a, d, scale=scale, Fu=Fu, R=R, infeasible=infeasible)


def outcome_moments(F):
    """Mean and standard deviation ``(n,), (n,)`` of each player's payoff under uniformly random
    actions: over the points of a :class:`PolytopeHull`, independently per part of a
    :class:`SeparableHull` (means and variances add)."""
    return F.outcome_moments()


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


def _payoff_gap(F, d, w, sizes, M):
    r"""Duality gap of the Nash product in payoff space at the strategy ``z``, and its rounding
    floor: :math:`\max_{v \in F} a \cdot (v - u)`, :math:`a = w/(u - d)`, :math:`u = u(z)`.  By
    concavity of ``log``, :math:`\sum_i w_i \log(v_i - d_i) - \sum_i w_i \log(u_i - d_i) \le
    a \cdot (v - u)` for every :math:`v \in F`, so it bounds the suboptimality of ``z``; it is
    never above the strategy-space Frank–Wolfe gap (which linearises a concave production
    ``u(s)``, overestimating it), and unlike that gap it does not grow with the curvature of
    ``u(s)``.  The maximiser ``v`` is ``F.maximize(a)`` (exact for polytopes; water-filling to
    rounding for resource sets, whose value error is second order).

    Floor (``F``, ``d`` in unit coordinates, ``M_i`` the largest ``|payoff|`` of player ``i``
    there, about 1): each term :math:`a_i (v_i - u_i)` carries the rounding of the payoffs
    themselves, ``eps a_i M_i``, and of the gain ``u_i - d_i`` (relative
    ``eps (|u_i| + |d_i|)/(u_i - d_i)``, about ``eps`` however far ``d`` is), so the floor is
    ``4 eps Σ_i a_i (M_i + |v_i - u_i| (1 + (|u_i| + |d_i|)/(u_i - d_i)))``: about
    ``eps Σ_i w_i/(u_i - d_i)``, which *falls* as ``d`` moves away."""

    def gap_and_floor(z):
        u = F.payoffs(unflatten(z, sizes))
        gain = u - d
        pos = jnp.all(gain > 0)
        safe = jnp.where(gain > 0, gain, 1.0)
        a = w / safe
        v = jax.lax.stop_gradient(F.maximize(a).payoffs)
        gap = jnp.where(pos, a @ (v - u), jnp.inf)
        rel = (jnp.abs(u) + jnp.abs(d)) / safe
        floor = 4 * jnp.finfo(d.dtype).eps * (a @ (M + jnp.abs(v - u) * (1.0 + rel)))
        return gap, jnp.where(pos, floor, jnp.inf)

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


def _strict_start(F, d, I, R):
    r"""A strategy whose payoffs strictly exceed ``d``, from the Kalai–Smorodinsky max-min
    :math:`t^\star = \max_{u \in F} \min_i (u_i - d_i)/\sigma_i`, :math:`\sigma = I - d`, and
    whether there is none.

    The decision is exact up to rounding: ``infeasible`` iff the start's own ratio
    ``t = min_i (u_i - d_i)/σ_i`` (recomputed from its payoffs) does not exceed the rounding
    floor ``64 eps max_i (|u_i| + |d_i|)/σ_i`` of that ratio.  The max-min is exact for
    polytopes (simplex), Minkowski sums and linear resource sets (LP) and two players
    (bisection); for non-linear resource sets with ``n >= 3`` its dual mirror descent runs to
    ``1e-3`` and, for the instances where that leaves ``t`` unresolved (primal ratio at the floor,
    dual bound above it: small gains), on to ``1e-13`` (per instance: the others do not iterate).
    """
    sigma = jnp.maximum(I - d, jnp.finfo(d.dtype).tiny)

    def ratio(strategy):
        u = F.payoffs(strategy)
        return jnp.min((u - d) / sigma), _ratio_floor(u, d, sigma)

    # Tolerances on the ratio measured from I: relative to each player's range where the ratios
    # are small (d far away), ratio units otherwise.
    unit = jnp.minimum(1.0, jnp.min(R / sigma))
    start, lam, steps = _max_min(F, I, sigma, 1e-3 * unit, 2000)
    t, floor = ratio(start)
    if not F.max_min_is_exact:
        _, gap0, _ = _max_min_certificate(F, start, lam, I, sigma)
        undecided = (t <= floor) & (t + gap0 > floor)
        tol2 = jnp.where(undecided, 1e-13 * unit, jnp.inf)
        start2, _, steps2 = _max_min(F, I, sigma, tol2, 2000)
        start = jax.tree_util.tree_map(lambda a, b: jnp.where(undecided, b, a), start, start2)
        steps = steps + jnp.where(undecided, steps2, 0)
        t, floor = ratio(start)
    infeasible = ~(t > floor)
    return _dense_feasible_start(F, d, start), start, steps, infeasible


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


def _payoff_bound(F, d, w, sizes, M):
    """``bound`` for :func:`maximize_concave`: the payoff-space duality gap
    (:func:`_payoff_gap`) and its floor; where smaller than the Frank–Wolfe gap (always, up to
    rounding, for polytopes; by the curvature of the production for resource sets) it is the
    loop's certificate."""
    gap_and_floor = _payoff_gap(F, d, w, sizes, M)

    def bound(z):
        g, f = gap_and_floor(z)
        return jnp.where(jnp.isfinite(f), g, jnp.inf), jnp.where(jnp.isfinite(f), f, 0.0)

    return bound


def _largest_gains(F, u, d, w, hi):
    """Upper bounds ``G_i`` of ``v_i - d_i`` over ``{v ∈ F : v >= d}``: the ideal ``hi_i - d_i``
    and, for the supporting weights ``a = w/(u - d) >= 0`` at any ``u > d``, the dual bound
    ``a_i (v_i - d_i) <= a · (v - d) <= h_F(a) - a · d`` (the other terms are ``>= 0``)."""
    gain = u - d
    ok = jnp.all(gain > 0)
    a = w / jnp.where(gain > 0, gain, 1.0)
    vmax = F.maximize(a).payoffs
    dual = (a @ (vmax - d)) / a
    G = jnp.minimum(hi - d, jnp.where(ok & jnp.isfinite(dual) & (dual > 0), dual, jnp.inf))
    return jnp.maximum(G, jnp.finfo(d.dtype).tiny)


def _payoff_error(gap, G, w, R, Rt):
    """``max_i min(G_i sqrt(2 gap / w_i), G_i, Rt_i) / R_i``: the strong-concavity bound on
    ``max_i |u_i - u*_i| / R_i`` from an objective gap (see :func:`nash_bargaining`), capped by
    the trivial bounds (both payoffs lie in ``[d_i, d_i + G_i]`` and in player ``i``'s range
    ``Rt_i``: 0 for a constant payoff)."""
    return jnp.max(jnp.minimum(G * jnp.sqrt(2.0 * jnp.maximum(gap, 0.0) / w),
                               jnp.minimum(G, Rt)) / R)


def _nbs_certificate(F, strategy, d, w, hi, R, M, Rt):
    r"""``(certificate, floor, objective gap)`` of the NBS at ``strategy`` (all in units).

    With :math:`Q = \operatorname{diag}(w_i / (2 G_i^2))` and :math:`\Delta = u^\star - u`,
    strong concavity and :math:`f(u^\star) \ge f(u)` give
    :math:`\Delta^\top Q \Delta \le a \cdot \Delta`, :math:`a = \nabla f(u) = w/(u - d)`.
    Split :math:`a = \hat n + g` with any :math:`\hat n`: :math:`\hat n \cdot \Delta \le
    \gamma(\hat n) = h_F(\hat n) - \hat n \cdot u` (as :math:`u^\star \in F`), so
    :math:`(\Delta - c)^\top Q (\Delta - c) \le \gamma(\hat n) + c^\top Q c` with
    :math:`c = Q^{-1} g / 2`, and :math:`|\Delta_i| \le |c_i| +
    \sqrt{(\gamma + c^\top Q c)/Q_{ii}}`.  ``g = 0`` is the plain bound
    :math:`G_i \sqrt{2\,\text{gap}/w_i}`.  For a polytope or Minkowski sum, ``g`` is the
    smallest (in :math:`Q^{-1}`) vector making :math:`\hat n = a - g` orthogonal to the face
    spanned by the support of ``strategy``: on the right face :math:`\gamma(\hat n)` is at its
    rounding and ``|c|`` of the order of the true error, where the plain bound is its square
    root.  Any ``g`` gives a valid bound (the computed one only has to be good), and the smaller
    of the two is the certificate: ``max_i |Δ_i| / R_i``."""
    eps = jnp.finfo(d.dtype).eps
    u = F.payoffs(strategy)
    gain = u - d
    pos = jnp.all(gain > 0)
    a = w / jnp.where(gain > 0, gain, 1.0)
    G = _largest_gains(F, u, d, w, hi)
    q = w / (2.0 * G**2)

    def split_bound(nh, g):
        vn = F.maximize(nh).payoffs
        gam = jnp.maximum(nh @ (vn - u), 0.0)
        # rounding of nh·(v - u): the payoffs' own (eps M_i each, M_i ~ 1 in units) and the
        # difference's (eps |v_i - u_i|), a few times over
        fl = 4 * eps * (jnp.abs(nh) @ (M + jnp.abs(vn - u)))
        c = g / (2.0 * q)
        r2 = gam + c @ (q * c)
        cap = jnp.minimum(G, Rt)  # |Δ_i| <= G_i and <= the range (see _payoff_error)
        return (jnp.max(jnp.minimum(jnp.abs(c) + jnp.sqrt(r2 / q), cap) / R),
                jnp.max(jnp.minimum(jnp.sqrt(fl / q), cap) / R), gam)

    cert, floor, gap = split_bound(a, jnp.zeros_like(a))
    C = F.support_covariance(strategy)
    if C is not None:
        CQC = C @ (q[:, None] * C)
        g = q * (C @ (jnp.linalg.pinv(CQC, rtol=1e-10, hermitian=True) @ (C @ a)))
        g = jnp.where(jnp.all(jnp.isfinite(g)), g, 0.0)
        cert_f, floor_f, _ = split_bound(a - g, g)
        better = cert_f < cert
        cert, floor = jnp.where(better, cert_f, cert), jnp.where(better, floor_f, floor)
    bad = ~pos | jnp.isnan(cert)
    return jnp.where(bad, jnp.inf, cert), jnp.where(bad, 0.0, floor), jnp.where(pos, gap, jnp.inf)


def _implicit_strategy_tangent(theta, z, dtheta):
    """Tangent ``dz`` of the NBS strategy: implicit differentiation of the optimality
    conditions on the support of ``z`` (block sums fixed, off-support coordinates held at 0).

    The linearised KKT system is solved in the least-squares sense (equilibrated
    pseudo-inverse), not by :func:`bargainjax.core._implicit.implicit_solution`, whose exact
    inverse gives non-finite tangents when the optimal *strategy* is not unique: e.g. a face
    carried by more points than its dimension plus one (three collinear points of a 2-player
    polytope), where the optimal *payoffs* still have a unique derivative, which the
    minimum-norm ``dz`` reproduces."""
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


def _nbs_payoffs(theta, z):
    """The payoffs ``F.payoffs(z)`` of the NBS strategy, differentiable through
    :func:`nbs_strategy` (the strategy's implicit tangent) and through ``F`` itself."""
    F = theta[0]
    return F.payoffs(unflatten(nbs_strategy(theta, z), F.block_sizes))


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

    .. math:: u^\star = \arg\max_{u \in F,\ u > d} f(u), \qquad
       f(u) = \sum_i w_i \log(u_i - d_i)

    Certificate: a rigorous bound on the relative payoff error
    :math:`\max_i |u_i - u^\star_i| / R_i`, :math:`R_i` player ``i``'s payoff range over ``F``.
    On :math:`\{u \in F : u \ge d\}` every gain is at most :math:`G_i` (the smaller of the
    ideal gain and the dual bound :math:`(h_F(a) - a \cdot d)/a_i` at the supporting weights
    :math:`a = w/(u - d)`), so :math:`f` is strongly concave there with
    :math:`-\nabla^2 f \succeq \operatorname{diag}(w_i/G_i^2)`, and with the optimality of
    :math:`u^\star`:

    .. math:: \sum_i \frac{w_i \Delta_i^2}{2 G_i^2} \le f(u^\star) - f(u) \le
       \text{objective gap}, \qquad |u_i - u^\star_i| \le G_i \sqrt{2\,\text{gap}/w_i},

    the objective gap being the payoff-space duality gap :math:`\max_{v \in F} a \cdot (v - u)`
    (or the strategy-space Frank–Wolfe gap where smaller; ``objective_gap``).  The certificate is
    :math:`\max_i G_i \sqrt{2\,\text{gap}/w_i} / R_i`.  It does not shrink as ``d`` moves away
    (the gap's own rounding then limits it: with ``d`` many ranges away the answer cannot be
    certified in floating point and the status is ``IMPRECISE``, at once, without iterating).

    Args:
        F: feasible set (:func:`bargainjax.polytope`, :func:`bargainjax.correlated_set`,
            :func:`bargainjax.separable_set`, :func:`bargainjax.resource_set`).
        disagreement: ``(n,)`` disagreement point ``d``.
        weights: ``(n,)`` positive bargaining weights ``w`` (default ones: the symmetric NBS).
        tol: bound on the certificate (relative payoff error); default
            ``DEFAULT_TOL["nbs"]``: ``1e-6`` (float64) / ``1e-2`` (float32).  The loop runs to
            the objective gap :math:`\min_i (w_i/2)(\mathrm{tol}\, R_i/G_i)^2`.  The result's
            ``tol`` adds the certificate's rounding floor at the answer (the same bound applied
            to the gap's rounding floor); if that floor exceeds ``tol`` the status is
            ``IMPRECISE``.
        max_steps: cap on mirror-ascent steps (static).
        check_every: steps between certificate checks and face polishes (static).

    Returns:
        :class:`BargainingSolution`; ``weights`` are the supporting weights
        :math:`a_i \propto w_i/(u_i - d_i)`.  ``status`` is ``INFEASIBLE`` (never an exception)
        when no point of ``F`` strictly improves on ``d`` for everyone.

    Invariance: per-player affine changes of units (solved in per-player units; a resource set
    only rescaled); the weights only matter through their ratios.

    Differentiation: ``payoffs`` are differentiable w.r.t. the set's arrays, ``disagreement``
    and ``weights`` by implicit differentiation of the optimality conditions on the identified
    support (exact where the support is locally stable; one-sided at support changes).  Where
    the optimal strategy is not unique (more support points than the face needs) the
    minimum-norm strategy tangent is used; the payoffs' derivative is unique and exact there.

    Raises:
        ValueError: wrong shapes, NaN/inf (when concrete), non-positive ``weights``.

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
    tol = resolve_tol(tol, dt, "nbs")
    eps = jnp.finfo(dt).eps
    Fs, ds, ws = jax.lax.stop_gradient((F, d, w))
    inputs_finite = _finite(Fs, ds, ws)
    wn = ws / jnp.max(ws)
    scale, Fu, R, hi = _units(Fs)
    lo = scale.unit(Fs.payoff_range()[0])
    M = jnp.maximum(jnp.abs(lo), jnp.abs(hi))
    Rt = hi - lo
    du = scale.unit(ds)
    sizes = Fu.block_sizes
    start, raw, steps0, infeasible = _strict_start(Fu, du, hi, R)
    infeasible = infeasible | jnp.any(hi <= du)
    # The loop's objective tolerance from the requested payoff tolerance, with the gain bounds
    # at the start (valid bounds over the whole individually rational part), and the
    # certificate's floor: if even the smallest possible floor, eps Σ_i (w_i/G_i) M_i, maps to
    # a payoff error above tol, nothing can be certified: stop at once (IMPRECISE).
    u0 = Fu.payoffs(start)
    G0 = _largest_gains(Fu, u0, du, wn, hi)
    tol_obj = jnp.min(0.5 * wn * (tol * R / G0) ** 2)
    floor_lb = 4 * eps * jnp.sum(wn * M / G0)
    imprecise = _payoff_error(floor_lb, G0, wn, R, Rt) > tol
    h = _nbs_objective(Fu, du, wn, sizes)

    def stop(zz):  # the payoff certificate itself, checked along with the objective gap
        c, f, _ = _nbs_certificate(Fu, unflatten(zz, sizes), du, wn, hi, R, M, Rt)
        return c - (tol + f)

    out = maximize_concave(h, start, tol=jnp.where(infeasible | imprecise | ~inputs_finite,
                                                   jnp.inf, tol_obj),
                           max_steps=max_steps, check_every=check_every,
                           keep=Fu.positive_at_optimum(), floor=_gap_floor(h, sizes),
                           bound=_payoff_bound(Fu, du, wn, sizes, M), stop=stop)
    # Without iterating (IMPRECISE, INFEASIBLE, non-finite), the max-min point itself is returned
    # (the loop's start is that point diluted toward the uniform strategy).
    stopped = infeasible | imprecise | ~inputs_finite
    strategy = jax.tree_util.tree_map(
        lambda r, o: jax.lax.stop_gradient(jnp.where(stopped, r, o)), raw, out.strategy)
    z = flatten(strategy)
    uu = Fu.payoffs(strategy)
    cert, cert_floor, _ = _nbs_certificate(Fu, strategy, du, wn, hi, R, M, Rt)
    # The objective gap at the answer: the loop's (the smaller of its two gaps) or, where the
    # answer is the undiluted start, the payoff-space gap there.
    g_raw, _ = _payoff_gap(Fu, du, wn, sizes, M)(z)
    gap = jnp.where(stopped, g_raw, out.gap)
    cert_floor = jnp.maximum(cert_floor,
                             jnp.where(imprecise, _payoff_error(floor_lb, G0, wn, R, Rt), 0.0))
    u = _nbs_payoffs((F, d, w), z)
    a = wn / jnp.maximum(uu - du, jnp.finfo(dt).tiny)
    status, tol_eff = certify(cert, tol, floor=cert_floor,
                              inputs_finite=inputs_finite & jnp.all(jnp.isfinite(uu)),
                              infeasible=infeasible)
    return BargainingSolution(u, strategy, _to_original(scale, a), d, gap, cert, tol_eff,
                              status, jnp.asarray(out.num_steps + steps0, jnp.int32))


class SupportingWeights(NamedTuple):
    """Normal cone of ``F`` at a point ``u`` (see :func:`supporting_weights`).

    Attributes:
        weights: ``(n,)`` a supporting weight vector ``a`` (sums to 1): ``u`` maximises ``a·v``.
        interval: ``(2,)`` for two players, the range ``[t_lo, t_hi]`` of first coordinates
            ``t`` of all supporting weights ``(t, 1-t)`` (a point when the frontier is smooth at
            ``u``); NaN for ``n > 2``.
        slack: ``()`` :math:`\\min_{a} h_F(a) - a \\cdot u` (payoff units): ``0`` (up to the
            certificate) iff ``u`` is on the weak Pareto frontier, positive inside ``F``,
            negative outside it.
        certificate: ``()`` the primal–dual gap of ``slack`` divided by the largest payoff
            range over ``F`` (a bound on its relative error).
        tol: ``()`` the tolerance it was held to.
        status: ``()`` ``SUCCESSFUL`` when ``u`` is on the frontier within tolerance, else
            ``INFEASIBLE`` (or ``MAX_STEPS_REACHED``/``NONFINITE``).
        num_steps: ``()`` iterations of the max-min solver.

    Deprecated alias (one release): ``gap`` for ``certificate``.
    """

    weights: jax.Array
    interval: jax.Array
    slack: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array

    gap = alias("certificate")


def supporting_weights(F, point, *, tol: float | None = None, max_steps: int = 5000):
    r"""Supporting weights (the post's Hahn–Banach step, "virtual prices") of a point of ``F``.

    Solves :math:`\min_{a \in \Delta_n} h_F(a) - a \cdot u` (the dual of
    :math:`\max_{v \in F} \min_i (v_i - u_i)`; exact via a matrix game for a
    :class:`PolytopeHull`), in common-scale units (invariant under a common change of scale
    with per-player shifts).  For two players the whole normal cone is returned as an interval
    by bisection on the support function; at a vertex its endpoints are accurate to about
    ``10 tol``, on a smooth frontier (where the cone is a single ray) to about ``sqrt(10 tol)``,
    since the support-function slack grows quadratically there.
    """
    F = _check_set(F)
    dt = _dtype(F)
    n = F.num_players
    u = _vector(point, n, "point", dt)
    tol = resolve_tol(tol, dt, "bargaining")
    scale, Fu, R, _ = _units(F, common=True)
    uu = scale.unit(u)
    ones = jnp.ones_like(uu)
    Rmax = jnp.max(R)
    strategy, lam, steps = _max_min(Fu, uu, ones, tol * Rmax / 4, max_steps)
    t, gap, floor = _max_min_certificate(Fu, strategy, lam, uu, ones)
    cert, cert_floor = gap / Rmax, floor / Rmax
    slack = scale.rescale(t)[0]  # strong duality: min_a h_F(a) - a·u = max_{v∈F} min_i (v_i - u_i)
    if n == 2:
        def g(s):
            a = jnp.stack([s, 1.0 - s])
            return Fu.maximize(a).value - a @ uu

        thresh = 10 * tol * Rmax + jnp.maximum(t, 0.0)
        t0 = lam[0]

        def search(lo, hi, inside_at_lo):
            br = bisect(lambda mid: (g(mid) <= thresh) == inside_at_lo, lo, hi, max_steps=60)
            return br.lo, br.hi

        lo_in, _ = search(t0, jnp.asarray(1.0, dt), True)
        _, hi_in = search(jnp.asarray(0.0, dt), t0, False)
        interval = jnp.stack([jnp.where(g(jnp.asarray(0.0, dt)) <= thresh, 0.0, hi_in),
                              jnp.where(g(jnp.asarray(1.0, dt)) <= thresh, 1.0, lo_in)])
    else:
        interval = jnp.full((2,), jnp.nan, dt)
    # on or off the frontier is decided up to the rounding of the data themselves (a point
    # shifted by 1e9 ranges is only known to ~1e-7 of its range)
    off_frontier = jnp.abs(t) / Rmax > 10 * tol + cert + 16 * scale.data_floor()
    status, tol_eff = certify(cert, tol, floor=cert_floor, inputs_finite=_finite(F, u),
                              infeasible=off_frontier)
    return SupportingWeights(lam, interval, slack, cert, tol_eff, status,
                             jnp.asarray(steps, jnp.int32))
