r"""The CoCo equilibrium: the virtual-price fixed point of the post's CoCo-equilibrium section.

Find weights (virtual prices) :math:`a > 0`, normalised to :math:`\sum_i a_i = 1`, and a payoff
vector :math:`u \in F = \operatorname{conv}\{U(x)\}` (the correlated feasible set) with

.. math:: a \cdot u = V_N(a) = \max_x a \cdot U(x), \qquad a_i u_i = \varphi_i(a)\ \ \forall i,

where :math:`\varphi(a)` is the n-player CoCo value in curnits (:func:`bargainjax.coco_value`,
Kalai & Kalai 2013).  Since :math:`\sum_i \varphi_i(a) = V_N(a)`, the point :math:`p(a) = \varphi(a)/a`
always lies on the supporting hyperplane :math:`a \cdot u = V_N(a)`; the equilibrium condition is
that :math:`p(a)` lies in the *maximising face* of :math:`a`.  This is the post's "is there a point
on the Pareto frontier where ... we end up at the exact same point" (its "CoCo equilibrium"
section); for two players it is Nash's (1953) variable-threat bargaining solution (the
threats are the optimal strategies of the zero-sum fight ``a_1 U_1 - a_2 U_2``).

Algorithm (pure JAX: ``jit``, ``vmap`` and ``grad`` work; every stage has a fixed shape):

1. *Locate* ``a``.  ``n = 2``: bisection on ``t`` (``a = (t, 1-t)``) on the sign of
   :math:`g(t) = p_1(t) - \operatorname{clip}(p_1(t), lo_1(t), hi_1(t))`, ``[lo, hi]`` the
   maximising face's extent in ``u_1`` (``g >= 0`` near ``t = 0``, ``g <= 0`` near ``t = 1``);
   the candidates are both bracket ends and the normal of the edge the bracket straddles.
   ``n >= 3``: Levenberg–Marquardt on the smoothed system :math:`a \odot u_\tau(a) = \varphi(a)`
   on the simplex, :math:`u_\tau(a) = \operatorname{softmax}(P a / \tau)^\top P` (the gradient of
   :math:`\tau \operatorname{logsumexp}(Pa/\tau)`), exact :math:`\varphi` (piecewise linear in
   ``a``, Jacobian by Danskin), continuation ``τ = 1e-1 ... 1e-8`` (times the payoff range).
2. *Exact finish* (no smoothing): Gauss–Newton in ``(a, λ)`` on a candidate face ``V`` (a set
   of outcome points): ``a ⊥ (V_j - V_0)``, ``Σ a = 1``, ``λ`` a distribution on ``V``,
   ``a_i (V^\top λ)_i = φ_i(a)``.  Candidates, best first, stopping once one certifies: the tie
   face at the located ``a``, then every set of at most ``n`` of the 6 outcome points scoring
   highest under ``a`` (vertex, edge, ..., facet).
3. *Certificate*, unsmoothed: the mixture ``λ`` over the maximising face of ``a`` minimising
   ``max_i |(P^\top λ)_i - φ_i(a)/a_i|`` (an exact LP, :func:`bargainjax.solve_lp`), then, all
   relative to the payoff range: ``residual = max_i |a_i u_i - φ_i(a)|``,
   ``support_gap = V_N(a) - a·u``, ``membership_residual`` (``λ`` a distribution); the
   certificate adds the fights' largest duality gap to the residual, and
   :func:`bargainjax.certify` turns it into the status.  The search is not guaranteed to find
   an equilibrium from one start:
   the status says so (``MAX_STEPS_REACHED``) and :func:`bargainjax.experimental.coco_equilibria`
   (host-side) adds starts and face enumeration.

Units.  :func:`coco_equilibrium` normalises at its entry point: each player's payoffs are
mapped to ``[-1, 1]`` (:class:`bargainjax.PlayerScale`, ``U_i = c_i + σ_i Û_i``; no
``max - min`` that could overflow), steps 1–3 run there, and the answer is mapped back
(``u_i = c_i + σ_i û_i``, ``a_i ∝ â_i / σ_i``).  The equilibrium conditions are invariant
under exactly these maps, so payoffs ``α_i U_i + β_i`` give the affine image of the answer with
the same certificate and status (up to the rounding of the data itself).

Derivatives.  ``weights`` and ``payoffs`` are differentiable in the payoff tensor by
the implicit function theorem on the face system of step 2 at the solution: with
``x = (a, λ)`` and ``G(x, U) = 0`` the face equations (``λ`` zero off the face),
``dx = -J_x^+ (∂G/∂U) dU`` (least squares: the system has one redundant equation, and ``λ`` is
not unique when the face has more points than its dimension + 1; ``u = P^\top λ`` and ``a``
are).  ``∂φ/∂U`` and ``∂φ/∂a`` come from Danskin's theorem on every fight.  This is the
derivative of the equilibrium on its current face with the fights' current supports; where
either changes (a kink: the solution at a face boundary, a tie between outcomes, a fight with a
non-unique optimal strategy) the equilibrium is only directionally differentiable and the
returned derivative is the one-sided derivative of the face held fixed.  The mixture, threat
strategies and certificates are not differentiated (their tangents are zero).

Sources: the post (its CoCo-equilibrium section); Nash (1953) "Two-person
cooperative games"; Kalai & Kalai (2013) for the CoCo value.
"""

from __future__ import annotations

import functools
import itertools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _validate as _val
from bargainjax.coalitions._coco import coalition_values, coco_unit
from bargainjax.core._implicit import implicit_solution
from bargainjax.core._contract import PlayerScale, Status, certify, resolve_tol
from bargainjax.core._linalg import solve as _linear_solve
from bargainjax.games._normal_form import payoff_tensor
from bargainjax.solvers._lp import solve_lp

__all__ = ["CocoEquilibrium", "coco_equilibrium"]

FACE_KINDS = ("point", "vertex", "edge", "facet", "face")
"""Names of :attr:`CocoEquilibrium.face_kind` codes 0..4."""

MAX_PLAYERS = 5
"""Default work cap of :func:`coco_equilibrium` and the host-side search
:func:`bargainjax.experimental.coco_equilibria` (``max_players``):
every step solves the ``2**n`` coalition fights over the joint actions."""

_TOP = 6  # outcome points scoring highest under `a` that the face finish combines
_TAUS = (1e-1, 3e-2, 1e-2, 3e-3, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8)


class CocoEquilibrium(NamedTuple):
    """Result of :func:`coco_equilibrium` (arrays; leading batch axes under ``vmap``).

    Attributes:
        weights: ``(n,)`` virtual prices ``a > 0`` with ``Σ a = 1`` (differentiable).
        payoffs: ``(n,)`` ``u`` in utilons, ``a_i u_i = φ_i(a)`` (differentiable).
        mixture: ``(K,)`` distribution over the joint outcomes (rows of
            ``correlated_set(game).points``, C order of the joint actions) realising ``payoffs``.
        coalition_values: ``(2**n,)`` ``V_S(a)`` for every coalition bitmask (curnits).
        threat_strategies: tuple of ``2**n`` arrays: entry ``S`` is coalition ``S``'s optimal
            joint strategy in its fight against ``-S`` (``coalition_values(game, a)``).  For
            ``n = 2``, entries 1 and 2 are Nash's optimal threats.
        face_dimension: ``int`` array, affine dimension of the maximising face of ``a`` (0
            vertex, 1 edge, ..., ``n-1`` facet).
        face_kind: ``int`` array indexing :data:`FACE_KINDS`: ``"point"`` (``F`` is a single
            point), ``"vertex"``, ``"edge"``, ``"facet"`` (dimension ``n-1 >= 2``) or
            ``"face"``; :attr:`face` gives the name of a concrete result.
        residual: ``max_i |a_i u_i - φ_i(a)|`` / payoff range.
        support_gap: ``(V_N(a) - a·u)`` / payoff range.
        membership_residual: the mixture's distance from a distribution.
        certificate: ``max(residual + fight gap, support_gap, membership_residual)``, the
            fight gap being the largest duality gap of the coalition fights behind ``φ`` (so it
            bounds the residual of the exact ``φ``).  All three are measured in each player's
            unit coordinates (payoffs mapped to ``[-1, 1]`` per player, weights rescaled
            accordingly and summing to 1; module docstring, "Units"), so they are unchanged by
            any per-player affine change of units.  It is a residual of the equilibrium
            conditions (a backward error), not a bound on the distance to an exact equilibrium.
        tol: the tolerance it was held to (requested plus rounding floor, same units).
        num_steps: bisection / Levenberg–Marquardt steps taken.
        status: ``int`` :class:`bargainjax.Status` code from :func:`bargainjax.certify`;
            ``DEGENERATE`` when the certificate holds only at a numerically vanishing weight
            (``min a < 1e-8``: an equilibrium in the limit ``a_i -> 0``, e.g. the banana game);
            ``NONFINITE`` when the answer, mapped back to the caller's units, is not finite.
    """

    weights: jax.Array
    payoffs: jax.Array
    mixture: jax.Array
    coalition_values: jax.Array
    threat_strategies: tuple
    face_dimension: jax.Array
    face_kind: jax.Array
    residual: jax.Array
    support_gap: jax.Array
    membership_residual: jax.Array
    certificate: jax.Array
    tol: jax.Array
    num_steps: jax.Array
    status: jax.Array

    @property
    def face(self) -> str:
        """Name of the face kind (concrete, unbatched results only)."""
        return FACE_KINDS[int(self.face_kind)]


# ------------------------------------------------------------------ pieces for one game


def _points(U):
    """Outcome points ``P`` ``(K, n)``: the payoff vectors of the joint actions, C order."""
    return U.reshape(U.shape[0], -1).T


def _payoff_range(P):
    s = jnp.max(P) - jnp.min(P)
    return jnp.where(s > 0, s, 1.0)


def _phi(U, a):
    """``(φ(a), largest fight duality gap)`` (curnits of the unit coordinates)."""
    phi, _, gap = coco_unit(U, a)
    return phi, gap


def _phi_jac(U, a):
    """``(φ(a), ∂φ/∂a, largest gap)`` (Jacobian by Danskin through every fight)."""

    def f(b):
        phi, _, gap = coco_unit(U, b)
        return phi, (phi, gap)

    J, (phi, gap) = jax.jacfwd(f, has_aux=True)(a)
    return phi, J, gap


def _members(P, a, scale, rel):
    """Outcome points on the maximising face of ``a`` (ties within ``rel`` × payoff range)."""
    s = P @ a
    return s >= jnp.max(s) - rel * scale


def _best_mixture(P, members, a, phi):
    """Distribution ``λ`` on the face minimising ``max_i |(P^T λ)_i - φ_i / a_i|`` (exact LP:
    maximise ``-s`` s.t. ``±(P^T λ - φ/a) <= s``, ``λ_j <= 0`` off the face, ``Σ λ = 1``).
    Dividing by ``a`` keeps the LP well scaled when a weight is tiny."""
    K, n = P.shape
    target = phi / a
    ones = jnp.ones((n, 1), P.dtype)
    A_ub = jnp.concatenate([
        jnp.concatenate([P.T, -ones], axis=1),
        jnp.concatenate([-P.T, -ones], axis=1),
        jnp.concatenate([jnp.diag(1.0 - members.astype(P.dtype)), jnp.zeros((K, 1), P.dtype)], axis=1),
    ])
    b_ub = jnp.concatenate([target, -target, jnp.zeros(K, P.dtype)])
    A_eq = jnp.concatenate([jnp.ones((1, K), P.dtype), jnp.zeros((1, 1), P.dtype)], axis=1)
    c = jnp.zeros(K + 1, P.dtype).at[-1].set(-1.0)
    x = solve_lp(c, A_ub, b_ub, A_eq, jnp.ones(1, P.dtype)).x
    lam = jnp.where(members, jnp.clip(x[:K], 0.0, None), 0.0)
    total = jnp.sum(lam)
    fallback = members.astype(P.dtype) / jnp.sum(members.astype(P.dtype))
    return jnp.where(total > 0, lam / jnp.where(total > 0, total, 1.0), fallback)


class _Checked(NamedTuple):
    payoffs: jax.Array
    mixture: jax.Array
    members: jax.Array
    residual: jax.Array
    support_gap: jax.Array
    membership_residual: jax.Array
    certificate: jax.Array
    fight_gap: jax.Array


def _check(U, P, a, scale):
    """The unsmoothed certificate of weights ``a`` (module docstring, step 3)."""
    phi, fight_gap = _phi(U, a)
    members = _members(P, a, scale, 1e-9)
    mix = _best_mixture(P, members, a, phi)
    u = P.T @ mix
    residual = jnp.max(jnp.abs(a * u - phi)) / scale
    gap = jnp.maximum(jnp.max(P @ a) - a @ u, 0.0) / scale
    memb = jnp.maximum(jnp.abs(jnp.sum(mix) - 1.0), jnp.maximum(-jnp.min(mix), 0.0))
    fight_gap = fight_gap / scale
    cert = jnp.maximum(jnp.maximum(residual + fight_gap, gap), memb)
    return _Checked(u, mix, members, residual, gap, memb, cert, fight_gap)


# ------------------------------------------------------------------------ step 1: locate


def _locate_two(U, P, scale, max_steps):
    """Bisection on ``t`` for ``n = 2`` (module docstring, step 1).  Returns ``(3, 2)``
    candidate weights (the normal of the edge the bracket straddles, both bracket ends) and the
    number of bisection steps.  The two ends ``t = ε, 1 - ε`` are the loop's first two
    evaluations, so ``φ`` is traced once.

    Hand-rolled rather than :func:`bargainjax.core._loop.bisect`: where ``g`` vanishes at a
    midpoint the bracket collapses there and the loop stops.  ``g`` can vanish on a whole
    interval of ``t`` (equilibrium weights are not unique when ``p(t)`` stays on one vertex), and
    the point chosen then is the first midpoint inside it, not an end of the interval as a
    two-way bisection would give."""
    eps = 1e-12

    def face_extent(t):
        mem = _members(P, jnp.stack([t, 1.0 - t]), scale, 1e-12)
        return mem, jnp.min(jnp.where(mem, P[:, 0], jnp.inf)), jnp.max(jnp.where(mem, P[:, 0], -jnp.inf))

    def g(t):
        phi, _ = _phi(U, jnp.stack([t, 1.0 - t]))
        p = phi[0] / t
        _, lo, hi = face_extent(t)
        return p - jnp.clip(p, lo, hi)

    def cond(c):
        k, tl, th, _, _, live = c
        return live & (k < max_steps + 2)

    def body(c):
        k, tl, th, g_lo, g_hi, _ = c
        tm = jnp.where(k == 0, eps, jnp.where(k == 1, 1.0 - eps, 0.5 * (tl + th)))
        gm = g(tm)
        g_lo, g_hi = jnp.where(k == 0, gm, g_lo), jnp.where(k == 1, gm, g_hi)
        inside = (k >= 2) & (tm > tl) & (tm < th)
        tl = jnp.where(inside & (gm >= 0), tm, tl)
        th = jnp.where(inside & (gm <= 0), tm, th)
        # after both ends: no sign change means the solution is at an end
        at_ends = k == 1
        tl = jnp.where(at_ends & (g_lo <= 0), eps, jnp.where(at_ends & (g_hi >= 0), 1.0 - eps, tl))
        th = jnp.where(at_ends & (g_lo <= 0), eps, jnp.where(at_ends & (g_hi >= 0), 1.0 - eps, th))
        live = (k == 0) | ((at_ends | inside) & (th - tl > 4e-16))
        return k + 1, tl, th, g_lo, g_hi, live

    one = jnp.ones((), P.dtype)
    k, tl, th, _, _, _ = jax.lax.while_loop(
        cond, body, (jnp.int32(0), eps * one, (1.0 - eps) * one, one, one, True))
    ml, _, _ = face_extent(tl)
    mh, _, _ = face_extent(th)
    il = jnp.argmax(jnp.where(ml, P[:, 0], -jnp.inf))  # right end of the left face
    ih = jnp.argmin(jnp.where(mh, P[:, 0], jnp.inf))  # left end of the right face
    d = P[ih] - P[il]
    edge = (d[0] > 0) & (d[1] < 0)
    t_edge = jnp.where(edge, d[0] / jnp.where(edge, d[0] - d[1], 1.0), tl)
    ts = jnp.stack([t_edge, tl, th])
    return jnp.stack([ts, 1.0 - ts], axis=1), jnp.maximum(k - 2, 0)


def _smoothed(U, P, z, tau, with_jacobian):
    """Smoothed residual ``a ⊙ u_τ(a) - φ(a)`` (its first ``n - 1`` equations: the last is
    redundant since ``Σ φ = V_N ≈ a·u_τ``) and, optionally, its Jacobian in ``z = a[:-1]``
    (``a_n = 1 - Σ z``)."""
    a = jnp.concatenate([z, 1.0 - jnp.sum(z, keepdims=True)])
    w = jax.nn.softmax(P @ a / tau)
    u = w @ P
    if not with_jacobian:
        phi, _ = _phi(U, a)
        return (a * u - phi)[:-1], None
    phi, Jphi, _ = _phi_jac(U, a)
    du = (P.T * w[None, :]) @ P / tau - jnp.outer(u, u) / tau  # ∂u/∂a = P^T (diag w - w w^T) P / τ
    Ja = jnp.diag(u) + a[:, None] * du - Jphi
    Jz = Ja[:, :-1] - Ja[:, -1:]
    return (a * u - phi)[:-1], Jz[:-1]


def _locate_many(U, P, scale, a0, max_steps):
    """Levenberg–Marquardt with continuation in ``τ`` (module docstring, step 1, ``n >= 3``)."""
    n = P.shape[1]
    eye = jnp.eye(n - 1, dtype=P.dtype)

    def level(carry, tau_rel):
        tau = tau_rel * scale

        def cond(c):
            z, mu, k, steps, done = c
            return (~done) & (k < 25) & (steps < max_steps)

        def body(c):
            z, mu, k, steps, _ = c
            r, J = _smoothed(U, P, z, tau, True)
            nr = jnp.linalg.norm(r)
            JtJ, g = J.T @ J, J.T @ r
            damp = jnp.maximum(jnp.trace(JtJ) / (n - 1), 1e-30)

            def t_cond(t):
                i, mu_t, accepted, _, _ = t
                return (~accepted) & (i < 12)

            def t_body(t):
                i, mu_t, _, _, _ = t
                dz = _linear_solve(JtJ + mu_t * damp * eye, -g)
                zn = z + dz
                an = jnp.concatenate([zn, 1.0 - jnp.sum(zn, keepdims=True)])
                feasible = jnp.all(an > 1e-12) & jnp.all(jnp.isfinite(an))
                rn, _ = _smoothed(U, P, jnp.where(feasible, zn, z), tau, False)
                accepted = feasible & (jnp.linalg.norm(rn) < nr)
                return (i + 1, jnp.where(accepted, jnp.maximum(mu_t / 3, 1e-12), mu_t * 4),
                        accepted, zn, dz)

            _, mu2, accepted, zn, dz = jax.lax.while_loop(
                t_cond, t_body, (jnp.int32(0), mu, False, z, jnp.zeros_like(z)))
            small = nr < 1e-14 * scale
            z2 = jnp.where(accepted & ~small, zn, z)
            done = small | ~accepted | (jnp.linalg.norm(dz) < 1e-15)
            return z2, mu2, k + 1, steps + jnp.where(small, 0, 1), done

        z, _, _, steps, _ = jax.lax.while_loop(
            cond, body, (carry[0], jnp.asarray(1e-3, P.dtype), jnp.int32(0), carry[1], False))
        return (z, steps), None

    (z, steps), _ = jax.lax.scan(level, (a0[:-1], jnp.int32(0)), jnp.asarray(_TAUS, P.dtype))
    return jnp.concatenate([z, 1.0 - jnp.sum(z, keepdims=True)]), steps


# ------------------------------------------------------------------ step 2: exact finish


def _face_edges(P, face):
    """``(K, n)``: each face point minus the face's first point (zero rows off the face)."""
    return (P - P[jnp.argmax(face)][None, :]) * face[:, None]


def _face_residual(P, a, lam, face, phi):
    """The face equations (module docstring, step 2) at ``(a, λ)`` given ``φ(a)``: ``face`` is
    a ``(K,)`` 0/1 float mask of the candidate face's outcome points."""
    return jnp.concatenate([a * (P.T @ lam) - phi, _face_edges(P, face) @ a, (1.0 - face) * lam,
                            jnp.stack([jnp.sum(a) - 1.0, jnp.sum(lam) - 1.0])])


def _face_system(U, a, lam, face):
    """Residual ``G(a, λ; U)`` of the face equations, a function of the payoffs too (for the
    implicit derivative)."""
    return _face_residual(_points(U), a, lam, face, _phi(U, a)[0])


def _face_finish(U, P, a0, face, scale, iters=30):
    """Gauss–Newton on :func:`_face_residual` from ``a0`` (Jacobian assembled from Danskin's
    ``∂φ/∂a``); a step that would leave ``a > 0`` is cut to half the distance to the boundary."""
    K, n = P.shape
    T = _face_edges(P, face)
    zeros_KK, zeros_Kn = jnp.zeros((K, K), P.dtype), jnp.zeros((K, n), P.dtype)
    sums = jnp.zeros((2, n + K), P.dtype).at[0, :n].set(1.0).at[1, n:].set(1.0)
    eye = jnp.eye(n + K, dtype=P.dtype)

    def residual_and_jacobian(a, lam):
        phi, Jphi, _ = _phi_jac(U, a)
        u = P.T @ lam
        r = _face_residual(P, a, lam, face, phi)
        J = jnp.concatenate([
            jnp.concatenate([jnp.diag(u) - Jphi, a[:, None] * P.T], axis=1),
            jnp.concatenate([T, zeros_KK], axis=1),
            jnp.concatenate([zeros_Kn, jnp.diag(1.0 - face)], axis=1),
            sums,
        ])
        return r, J

    def cond(c):
        _, _, k, live = c
        return live & (k < iters)

    def body(c):
        a, lam, k, _ = c
        r, J = residual_and_jacobian(a, lam)
        JtJ = J.T @ J
        dx = _linear_solve(JtJ + 1e-13 * jnp.trace(JtJ) / (n + K) * eye, -J.T @ r)
        # Fraction to the boundary: a step that would leave a > 0 goes half way to it instead
        # (a full step from a start off the solution's fight supports can overshoot).
        da = dx[:n]
        to_boundary = jnp.min(jnp.where(da < 0, a / jnp.where(da < 0, -da, 1.0), jnp.inf))
        step = jnp.minimum(1.0, 0.5 * to_boundary)
        a2, lam2 = a + step * da, lam + step * dx[n:]
        ok = jnp.all(jnp.isfinite(dx)) & jnp.all(a2 > 0)
        live = ok & (jnp.max(jnp.abs(r)) > 1e-15 * scale)
        return jnp.where(live, a2, a), jnp.where(live, lam2, lam), k + 1, live

    lam0 = face / jnp.sum(face)
    a, _, _, _ = jax.lax.while_loop(cond, body, (a0, lam0, jnp.int32(0), True))
    return a / jnp.sum(a)


def _candidate_patterns(K, n):
    """Static ``(C, min(6, K))`` table: every set of at most ``n`` of the top-scoring points."""
    top = min(_TOP, K)
    rows = [np.isin(np.arange(top), S)
            for r in range(1, n + 1) for S in itertools.combinations(range(top), r)]
    return np.array(rows, dtype=bool)


def _finish(U, P, starts, scale, tol):
    """Exact finish from candidate weights ``starts`` ``(S, n)``: the face finish on the tie
    face of each start, then on the sets of top-scoring points of the first start, stopping
    once one certifies ``tol * 1e-3``.  Returns the best weights and their certificate."""
    K, n = P.shape
    S = starts.shape[0]
    patterns = jnp.asarray(_candidate_patterns(K, n)).astype(P.dtype)
    top = jnp.argsort(-(P @ starts[0]))[: patterns.shape[1]]

    def candidate(i):
        a = starts[jnp.minimum(i, S - 1)]
        tie_face = _members(P, a, scale, 1e-7).astype(P.dtype)
        from_top = jnp.zeros(K, P.dtype).at[top].set(patterns[jnp.clip(i - S, 0, patterns.shape[0] - 1)])
        return a, jnp.where(i < S, tie_face, from_top)

    def cond(c):
        i, _, best = c
        return (i < S + patterns.shape[0]) & ~(best.certificate <= tol * 1e-3)

    def body(c):
        i, best_a, best = c
        a, face = candidate(i)
        af = _face_finish(U, P, a, face, scale)
        ck = _check(U, P, af, scale)
        better = ck.certificate < best.certificate  # False for NaN
        pick = lambda x, y: jnp.where(better, x, y)  # noqa: E731
        return i + 1, pick(af, best_a), jax.tree.map(pick, ck, best)

    worst = jax.tree.map(jnp.zeros_like, jax.eval_shape(_check, U, P, starts[0], scale))
    worst = worst._replace(certificate=jnp.asarray(jnp.inf, P.dtype))
    _, a, ck = jax.lax.while_loop(cond, body, (jnp.int32(0), starts[0], worst))
    return a, ck


# ---------------------------------------------------------------------- derivatives


def _differentiable(U, a, lam, face):
    """``(a, u = P^T λ)`` with tangents by the implicit function theorem on the face system
    (module docstring, "Derivatives").  The system has more equations than unknowns and ``λ``
    is not unique where the face has collinear or repeated points, so the tangent is the
    least-squares, minimum-norm one (singular values below ``1e-10`` of the largest dropped)."""
    n = a.shape[0]

    def residual(U, x, face):
        return _face_system(U, x[:n], x[n:], face)

    x = implicit_solution(residual, U, jnp.concatenate([a, lam]), face, least_squares_rtol=1e-10)
    return x[:n], _points(U).T @ x[n:]


# ---------------------------------------------------------------------- the result

_FLOOR = 16.0  # rounding floor of the certificate, in eps (unit coordinates: payoffs in [-1, 1])


def _result(U, a, ck, steps, tol):
    """Assemble the :class:`CocoEquilibrium` of weights ``a`` with certificate ``ck``
    (module docstring, step 3), with differentiable ``weights`` and ``payoffs``, all in the
    unit coordinates ``U`` (:func:`_to_user` maps it back)."""
    P = _points(U)
    K, n = P.shape
    scale = _payoff_range(P)
    a = jax.lax.stop_gradient(a)
    ck = jax.lax.stop_gradient(ck)
    members = ck.members
    D = (P - P[jnp.argmax(members)][None, :]) * members[:, None]
    dim = jnp.sum(jnp.linalg.svd(D, compute_uv=False) > 1e-9 * scale).astype(jnp.int32)
    single = jnp.max(jnp.max(P, axis=0) - jnp.min(P, axis=0)) <= 1e-12 * scale
    kind = jnp.where(single, 0, jnp.where(dim == 0, 1, jnp.where(dim == 1, 2, jnp.where(dim == n - 1, 3, 4))))
    weights, payoffs = _differentiable(U, a, ck.mixture, members.astype(P.dtype))
    finite = jnp.all(jnp.isfinite(U)) & jnp.all(jnp.isfinite(a))
    status, tol_eff = certify(ck.certificate, tol, floor=_FLOOR * jnp.finfo(P.dtype).eps,
                              inputs_finite=finite)
    # Certified only at a numerically vanishing weight: an equilibrium in the limit a_i -> 0.
    status = jnp.where((status == int(Status.SUCCESSFUL)) & ~(jnp.min(a) >= 1e-8),
                       int(Status.DEGENERATE), status)
    cv = jax.lax.stop_gradient(coalition_values(U, a))
    return CocoEquilibrium(
        weights=weights, payoffs=payoffs, mixture=ck.mixture, coalition_values=cv.values,
        threat_strategies=tuple(cv.row_strategies), face_dimension=dim,
        face_kind=kind.astype(jnp.int32), residual=ck.residual, support_gap=ck.support_gap,
        membership_residual=ck.membership_residual, certificate=ck.certificate,
        tol=tol_eff, num_steps=jnp.asarray(steps, jnp.int32),
        status=status.astype(jnp.int32))


def _unit_scale(U, common=False):
    """Per-player units of the payoffs (``common``: one scale, for transferable utility)."""
    n = U.shape[0]
    return PlayerScale.of(U.reshape(n, -1), axis=1, common=common)


def _to_unit(U, ps):
    col = PlayerScale(ps.center[:, None], ps.scale[:, None])
    return col.unit(U.reshape(U.shape[0], -1)).reshape(U.shape)


def _to_user(ps, r):
    """Map a result in unit coordinates back: ``u_i = center_i + scale_i û_i`` and
    ``a_i ∝ â_i / scale_i`` (``Σ a = 1``), coalition values in the curnits of that ``a``."""
    n = ps.center.shape[0]
    w = r.weights / ps.scale
    m = jax.lax.stop_gradient(jnp.max(w))
    w = w / m
    total = jnp.sum(w)
    a = w / total
    u = ps.restore(r.payoffs)
    signs = jnp.where(jnp.asarray(_members_table(n)), 1.0, -1.0).astype(u.dtype)
    values = (r.coalition_values / jax.lax.stop_gradient(m)) / jax.lax.stop_gradient(total) \
        + signs @ (jax.lax.stop_gradient(a) * ps.center)
    finite = jnp.all(jnp.isfinite(a)) & jnp.all(jnp.isfinite(u)) & jnp.all(jnp.isfinite(values))
    status = jnp.where(finite, r.status, int(Status.NONFINITE)).astype(jnp.int32)
    return r._replace(weights=a, payoffs=u, coalition_values=values, status=status)


def _members_table(n):
    from bargainjax.coalitions._algebra import members

    return members(n)


@functools.partial(jax.jit, static_argnames=("max_steps",))
def _solve_unit(U, a0, tol, *, max_steps):
    """Steps 1–3 of the module docstring on one game in unit coordinates (``a0``: start for
    ``n >= 3``)."""
    P = jax.lax.stop_gradient(_points(U))
    Us = jax.lax.stop_gradient(U)
    n = P.shape[1]
    scale = _payoff_range(P)
    if n == 2:
        starts, steps = _locate_two(Us, P, scale, max_steps)
    else:
        a, steps = _locate_many(Us, P, scale, a0, max_steps)
        starts = a[None, :]
    single = jnp.max(jnp.max(P, axis=0) - jnp.min(P, axis=0)) <= 1e-12 * scale
    starts = jnp.where(single, jnp.full_like(starts, 1.0 / n), starts)
    a, ck = _finish(Us, P, starts, scale, tol)
    return _result(U, a, ck, steps, tol)


@functools.partial(jax.jit, static_argnames=("max_steps",))
def _solve(U, a0, tol, *, max_steps):
    """Normalise to each player's unit coordinates, solve there, map back (module docstring,
    "Units").  ``a0`` is in the caller's units."""
    ps = _unit_scale(U)
    w = a0 * ps.scale
    w = w / jnp.max(w)
    r = _solve_unit(_to_unit(U, ps), w / jnp.sum(w), tol, max_steps=max_steps)
    return _to_user(ps, r)


@jax.jit
def _solve_transferable(U, tol):
    """``F = {u : Σ u_i <= max_x Σ_i U_i(x)}``: ``a = 1/n`` and ``u = φ(a)/a``, the CoCo value
    (the post: with side payments the virtual prices are all equal).  Solved in common units
    (one scale, per-player centres: transfers need a common unit)."""
    ps = _unit_scale(U, common=True)
    Uh = _to_unit(U, ps)
    P = _points(Uh)
    K, n = P.shape
    scale = _payoff_range(P)
    a = jnp.full(n, 1.0 / n, P.dtype)
    phi, _, fight_gap = coco_unit(Uh, a)
    u = phi / a
    best = jnp.max(jnp.sum(P, axis=1))
    gap = jnp.maximum(best - jnp.sum(u), 0.0) / n / scale
    memb = jnp.maximum(jnp.sum(u) - best, 0.0) / scale
    cert = jnp.maximum(gap + fight_gap / scale, memb)
    finite = jnp.all(jnp.isfinite(U))
    status, tol_eff = certify(cert, tol, floor=_FLOOR * jnp.finfo(P.dtype).eps,
                              inputs_finite=finite)
    cv = coalition_values(Uh, a)
    mix = jax.nn.one_hot(jnp.argmax(jnp.sum(P, axis=1)), K, dtype=P.dtype)
    r = CocoEquilibrium(
        weights=a, payoffs=u, mixture=mix, coalition_values=cv.values,
        threat_strategies=tuple(cv.row_strategies), face_dimension=jnp.int32(n - 1),
        face_kind=jnp.int32(3 if n > 2 else 2), residual=jnp.zeros((), P.dtype),
        support_gap=gap, membership_residual=memb, certificate=cert, tol=tol_eff,
        num_steps=jnp.int32(0), status=status.astype(jnp.int32))
    return _to_user(ps, r)


# ------------------------------------------------------------------------- public API


def _check_players(n: int, max_players) -> None:
    _val.work_cap(n, max_players, "max_players",
               f"`game` has {n} players (every step solves 2**{n} coalition fights)")


def _game_and_tol(game, tol, max_players=MAX_PLAYERS):
    U = payoff_tensor(game)
    if U.shape[0] < 2:
        raise ValueError("`game` must have at least two players")
    _check_players(U.shape[0], max_players)
    if not jnp.issubdtype(U.dtype, jnp.floating):
        U = U.astype(jnp.result_type(float))
    tol = resolve_tol(tol, U.dtype, "equilibrium")
    return U, jnp.asarray(tol, U.dtype)


def coco_equilibrium(game, *, tol: float | None = None, max_steps: int = 400,
                     initial_weights=None, transferable_utility: bool = False,
                     max_players: int = MAX_PLAYERS) -> CocoEquilibrium:
    r"""The CoCo equilibrium (the post): weights ``a`` and ``u ∈ F`` with ``a·u = V_N(a)`` and
    ``a_i u_i = φ_i(a)``; for two players Nash's (1953) variable-threat solution.

    See the module docstring for the mathematics, the algorithm and the derivatives.  A pure
    JAX function: ``jit``, ``vmap`` (over games of one shape, starts, tolerances) and
    ``jax.grad``/``jax.jacobian`` of ``weights`` and ``payoffs`` w.r.t. the payoffs work.

    *Invariance.*  The equilibrium is invariant under each player's affine change of units:
    for payoffs ``α_i U_i + β_i`` (``α_i > 0``) the payoffs are ``α_i u_i + β_i`` and the
    weights ``∝ a_i / α_i``, with the same certificate and status (the game is solved in each
    player's unit coordinates, module docstring "Units").  With ``transferable_utility`` only
    a common change of scale (and per-player shifts) is a symmetry.

    Args:
        game: a :class:`bargainjax.NormalFormGame` or payoffs ``(n, |A_1|, ..., |A_n|)``.
        tol: certificate tolerance (dimensionless, in each player's unit coordinates; may be
            traced; ``None``: ``default_tol(dtype, "equilibrium")``, ``1e-6`` float64 /
            ``1e-3`` float32).
        max_steps: cap on bisection (``n = 2``) or Levenberg–Marquardt (``n >= 3``) steps
            (static).
        initial_weights: ``(n,)`` positive starting weights for ``n >= 3`` (default uniform;
            normalised).
        transferable_utility: replace ``F`` by ``{u : Σ u_i <= max_x Σ_i U_i(x)}``; then the
            equilibrium is ``a = 1/n`` and ``u`` = the CoCo value (the ``mixture`` is then a
            maximiser of ``Σ U``, with transfers realising ``u``).
        max_players: work cap: refuse games with more players (default 5; every step solves
            the ``2**n`` coalition fights); raise it for larger games.

    Returns:
        :class:`CocoEquilibrium` (``status`` is never ``SUCCESSFUL`` above ``tol``).

    Raises:
        ValueError: naming ``game`` (not a game, bad shape, one player, NaN/inf, more than
            ``max_players`` players), ``tol`` (not positive), ``initial_weights`` (wrong
            shape, not positive) or ``max_players``.
    """
    U, tol = _game_and_tol(game, tol, max_players)
    n = U.shape[0]
    if transferable_utility:
        return _solve_transferable(U, tol)
    if initial_weights is None:
        a0 = jnp.full(n, 1.0 / n, U.dtype)
    else:
        a0 = _val.as_array(initial_weights, "initial_weights", ndim=1)
        _val.shape(a0, (n,), "initial_weights")
        _val.positive(a0, "initial_weights")
        a0 = (a0 / jnp.sum(a0)).astype(U.dtype)
    return _solve(U, a0, tol, max_steps=int(max_steps))
