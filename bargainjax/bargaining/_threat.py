r"""Nash's threat point (report Definition 57; Nash 1953), with a no-profitable-deviation check.

**Two players** (:func:`threat_point`).  Nash's variable-threat game: each player commits to a
mixed threat (``x`` for the row player 1, ``y`` for the column player 2), the disagreement point
is :math:`d = (x^\top A y, x^\top B y)`, and the outcome is the NBS of the correlated set
:math:`F = \operatorname{conv}\{(A_{kl}, B_{kl})\}` from ``d``.  On the frontier face with
normal :math:`a = (t, 1-t)`, the NBS from ``d`` is the point with
:math:`a_1(u_1 - d_1) = a_2(u_2 - d_2)`, i.e. :math:`a_1 u_1 - a_2 u_2 = a_1 d_1 - a_2 d_2`, so
each player's NBS payoff is monotone in the zero-sum quantity :math:`x^\top(tA - (1-t)B)y`, and
the optimal threats solve that zero-sum game with value :math:`v(t)`.  With
:math:`h(t) = \max_{u \in F} a \cdot u`, the candidate solution is

.. math:: u_1(t) = \frac{h(t) + v(t)}{2t}, \qquad u_2(t) = \frac{h(t) - v(t)}{2(1-t)},

and ``t`` is a fixed point when :math:`u(t)` lies on the face of ``F`` maximising
:math:`a \cdot u`.  Since :math:`t u_1(t) = (h + v)/2` is the CoCo value of player 1 at the
weights ``a`` (Kalai & Kalai 2013), this is exactly the two-player CoCo equilibrium
(:func:`bargainjax.coco_equilibrium`, whose module docstring states the coincidence):
:func:`threat_point` takes the weights from it (and, when the NBS found lies inside an edge of
``F``, re-solves once at that edge's normal, exact to rounding, keeping the better-certified
answer).  The answer is then re-derived without the ansatz: the threats solve the zero-sum
game :math:`tA - (1-t)B` (:func:`bargainjax.solve_zero_sum`), ``d`` follows from them, the NBS
from ``d`` comes from an exact two-dimensional computation over the edges of ``F``
(:func:`nbs_two_player`), and the certificate is the no-profitable-threat-change check of
:func:`threat_deviation_gains`.

**Why pure deviations suffice** (the check is exact).  Fix player 2's threat ``y``.  Player 1's
deviations give disagreement points :math:`d(x) = \sum_r x_r (A_r y, B_r y)`, the convex hull of
the pure-deviation points.  As a function of ``d``, player 1's NBS payoff is quasi-linear on
``F``: the set of ``d`` whose NBS is a given frontier point ``w`` is a chord of ``F`` through
``w`` (a segment of direction :math:`(a_2, a_1)` when ``w`` is inside an edge with normal ``a``,
a cone between two such segments when ``w`` is a vertex), these chords do not cross, and so
every sub- and super-level set of :math:`d \mapsto \mathrm{NBS}_1(d)` is ``F`` cut by a chord,
a convex set.  A quasi-convex function of ``x`` (through the linear map :math:`x \mapsto d(x)`)
attains its maximum over the simplex at a vertex: a pure threat.  So the largest gain over all
*mixed* deviations equals the largest gain over pure ones, and the check — one exact 2-D NBS per
pure deviation, ``m + k`` in all — is exact up to the rounding of that NBS (on the Pareto
frontier itself the degenerate rule of :func:`nbs_two_player` applies).  The duality gap of the
threat game ``tA - (1-t)B`` (``zero_sum_gap``) is reported as a diagnostic of the computation,
not used as the certificate: it certifies the threats only for the weights ``t``, not that ``t``
is the fixed point.

**n players** (:func:`pure_threat_points`): Definition 57 with pure disagreement actions.  For
every pure profile the NBS from ``d = U(x)`` is computed (over the players who can strictly
improve, the report's convention; others are held at ``d``), and a profile is a threat point
when no player can raise their own NBS payoff by a unilateral pure deviation.  Exhaustive over
profiles (capped), so it is for small games; mixed threats for ``n ≥ 3`` are not searched.

**JAX.**  :func:`threat_point`, :func:`nbs_two_player` and :func:`threat_deviation_gains` are
pure JAX: ``jit``, ``vmap`` (over games of one shape) and ``grad`` work.  :func:`pure_threat_points`
is pure JAX for two players (the NBS of every pure pair under ``vmap``) apart from the Python
list of passing profiles it returns; for ``n ≥ 3`` its NBS table is computed host-side (a NumPy
loop over profiles around LPs and an enumeration of supports whose sizes depend on the data).
Every computation runs in per-player units (each player's payoff range mapped to ``[-1, 1]``,
:class:`bargainjax.PlayerScale`), so the answers are invariant under per-player affine changes of
units; certificates are in those units.

**Derivatives** (:func:`threat_point`).  ``payoffs`` is the closed-form NBS from ``d`` on its
edge of ``F``; that NBS depends on ``d`` only through :math:`a_1 d_1 - a_2 d_2 = x^\top M y`
(:math:`M = a_1 A - a_2 B`), whose derivative is Danskin's (threats held fixed:
``dx^T M y = x^T M dy = 0`` at a saddle point with unchanged supports), so ``payoffs`` is
differentiated exactly with the threats and the weights held fixed.  ``weights`` carry the
derivative of the normal of the NBS's edge (or, at a vertex, the implicit-function derivative of
:func:`bargainjax.coco_equilibrium`).  ``disagreement`` is
differentiated with the threats held fixed (exact along :math:`(a_1, -a_2)`; the threats' own
movement is not differentiated).  Where the face, the NBS's edge or a threat support changes
(a kink), derivatives are one-sided.  Threats and certificates have zero tangents.

Sources: the report, Definition 57 and Example 60; J. Nash, "Two-person cooperative games",
Econometrica 21 (1953); A. Kalai & E. Kalai, "Cooperation in strategic games revisited",
QJE 128 (2013).
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.games._normal_form import payoff_tensor
from bargainjax.coalitions._equilibrium import coco_equilibrium
from bargainjax.core import _validate as _val
from bargainjax.core._contract import PlayerScale, alias, certify, resolve_tol
from bargainjax.solvers._lp import solve_lp
from bargainjax.solvers._zero_sum import solve_zero_sum


class TwoPlayerNBS(NamedTuple):
    """Result of :func:`nbs_two_player` (arrays; leading batch axes under ``vmap``).

    Attributes:
        payoffs: ``(2,)`` the NBS from ``d``; when no point strictly improves on ``d`` for both
            players (status ``INFEASIBLE``), the report's degenerate convention: the improving
            player (if any) maximises their payoff subject to ``u >= d``, else ``d``.
        certificate: ``()`` a first-order bound on ``|u - u*|`` in units of each player's payoff
            range: the largest violation of the supporting line of the Nash product at ``u``
            (normal ``(u_2 - d_2, u_1 - d_1)``, per-player units) by an outcome, times the
            gains over the distance to that outcome.  0 up to rounding at the exact NBS.
        tol: ``()`` the tolerance it was held to (request plus rounding floor).
        status: ``()`` :class:`bargainjax.Status` code.
        num_steps: ``()`` the number of candidate points evaluated (``3 K²``; a closed form).

    Invariance: per-player affine maps of ``points`` and ``d`` give the affine image with the
    same status (computed in per-player units).
    """

    payoffs: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array


class ThreatPoint(NamedTuple):
    """Result of :func:`threat_point` (two players; arrays, leading batch axes under ``vmap``).

    Attributes:
        disagreement: ``(2,)`` the threat point ``d = (xᵀAy, xᵀBy)``.
        payoffs: ``(2,)`` the NBS from ``d`` (exact two-dimensional computation;
            differentiable, module docstring "Derivatives").
        threats: ``(x, y)`` the row and column players' threat strategies.
        weights: ``(2,)`` ``a = (t, 1 - t)``, the frontier normal of the fixed point in the
            game's own units (normalised to sum 1): the CoCo-equilibrium weights, or, when the
            NBS lies inside an edge of ``F``, that edge's normal (the same in exact arithmetic;
            the edge's is exact to rounding and differentiable in the payoffs).
        certificate: ``()`` the largest gain a player gets in their own NBS payoff by switching
            their threat (the other's fixed), in units of that player's payoff range — over
            pure threats, which is exact for mixed ones too (module docstring) — or the
            certificate of the NBS from ``d`` (:class:`TwoPlayerNBS`) if larger; clipped at 0.
        tol: ``()`` the tolerance it was held to (request plus rounding floor).
        status: ``()`` :class:`bargainjax.Status`: ``SUCCESSFUL``; ``INFEASIBLE`` when no
            feasible point strictly improves on the threat point for both players (e.g. a
            zero-sum game, whose feasible set is a line: ``payoffs`` is then the degenerate NBS
            of :func:`nbs_two_player`, and ``is_threat_point`` may still hold);
            ``MAX_STEPS_REACHED`` / ``IMPRECISE`` / ``NONFINITE`` otherwise.
        num_steps: ``()`` bisection steps of the CoCo equilibrium that located the weights.
        zero_sum_gap: ``()`` duality gap of the threat game ``tA - (1-t)B`` at the returned
            threats, in per-player units (a diagnostic of the computation, not of the answer).
        is_threat_point: ``()`` bool, the deviation check passes (``certificate <= tol``).

    Deprecated aliases (one release): ``max_improvement`` of ``certificate``,
    ``num_iterations`` of ``num_steps``.

    Invariance: per-player affine maps ``α_i U_i + β_i`` (``α_i > 0``) give the same threats and
    status and the affine image of ``disagreement`` and ``payoffs`` (the solver works in
    per-player units, :class:`bargainjax.PlayerScale`).
    """

    disagreement: jax.Array
    payoffs: jax.Array
    threats: tuple
    weights: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array
    zero_sum_gap: jax.Array
    is_threat_point: jax.Array

    max_improvement = alias("certificate")
    num_iterations = alias("num_steps")


class PureThreatPoints(NamedTuple):
    """Result of :func:`pure_threat_points` (host values: the profile list has a data-dependent
    length).

    Attributes:
        profiles: list of pure profiles (tuples of action indices) that pass the check.
        disagreements: ``(k, n)`` their threat points ``U(x)``.
        payoffs: ``(k, n)`` their NBS payoffs.
        improvements: ``(num_profiles,)`` for every profile (C order), the largest gain a
            player gets in their own NBS payoff by a unilateral pure deviation, in units of that
            player's payoff range.
        best_profile: the profile with the smallest improvement (reported even when none
            passes).
        nbs: ``(num_profiles, n)`` the NBS payoffs of every pure disagreement profile.
        certificate: ``()`` the improvement of ``best_profile`` (clipped at 0): ``<= tol`` iff
            at least one pure threat point was found.
        tol: ``()`` the tolerance of the deviation check.
        status: ``()`` ``SUCCESSFUL`` when a pure threat point exists; ``MAX_STEPS_REACHED``
            when none does (mixed threats would be needed); ``NONFINITE`` on non-finite values.
        num_steps: ``()`` the number of pure profiles checked.

    Deprecated alias (one release): ``max_improvement`` of ``improvements``.

    Invariance: per-player affine maps of the payoffs (checked in per-player units).
    """

    profiles: list
    disagreements: np.ndarray
    payoffs: np.ndarray
    improvements: np.ndarray
    best_profile: tuple
    nbs: np.ndarray
    certificate: np.ndarray
    tol: np.ndarray
    status: np.ndarray
    num_steps: np.ndarray

    max_improvement = alias("improvements")


# ------------------------------------------------------------------------------ 2-D NBS


class _UnitNBS(NamedTuple):
    """The NBS in unit coordinates (:func:`_nbs_unit`)."""

    payoffs: jax.Array  # (2,)
    strict: jax.Array  # () bool: some outcome strictly improves on d for both players
    certificate: jax.Array  # ()
    floor: jax.Array  # () rounding floor of the certificate
    num_steps: int  # 3 K², static
    inside_edge: jax.Array  # () bool: payoffs lie strictly inside a segment of slope < 0
    edge_normal: jax.Array  # () t of that segment's normal (t, 1 - t) (differentiable)


def _support_violation(Pu, X, G, rnd):
    """Per candidate ``X[c]`` (gains ``G[c] > 0``): the largest violation of the Nash product's
    supporting line at ``X[c]`` by an outcome, scaled to a payoff distance (see
    :class:`TwoPlayerNBS`), in units of the payoff range."""
    total = G[:, 0] + G[:, 1]
    safe = jnp.where(total > 0, total, 1.0)
    a = G[:, ::-1] / safe[:, None]  # (C, 2) normal (g2, g1) / (g1 + g2)
    diff = Pu[None, :, :] - X[:, None, :]  # (C, K, 2)
    dist = jnp.abs(diff).sum(-1)
    far = dist > 4 * jnp.max(rnd)
    lift = jnp.maximum(jnp.einsum("ckj,cj->ck", diff, a), 0.0)
    viol = jnp.where(far, lift / jnp.where(far, dist, 1.0), 0.0)
    return jnp.max(viol, axis=1) * total / 2.0


def _nbs_unit(Pu, du) -> _UnitNBS:
    r"""The NBS of :math:`\operatorname{conv}(P_u)` from ``du``, both in unit coordinates.

    Every segment ``[p, q]`` between two outcomes is a candidate edge: the Nash product
    :math:`(u_1 - d_1)(u_2 - d_2)` on :math:`u = p + s(q - p)` is a quadratic in ``s``, checked
    at ``s = 0, 1`` and its stationary point clipped to ``[0, 1]`` (``3 K²`` candidates, fixed
    shape).  Among the candidates with both gains above rounding, those within rounding of
    the largest log-product, the one whose supporting line is best (the exact NBS violates
    none); else the degenerate rule (:func:`nbs_two_player`).  Differentiable in ``Pu`` and
    ``du`` through the selected candidate's closed form (the selection itself is piecewise
    constant).
    """
    dt = Pu.dtype
    eps = jnp.finfo(dt).eps
    # rounding of a gain u_i - d_i in unit coordinates (d may lie far outside the range)
    rnd = 4 * eps * jnp.maximum(1.0, jnp.abs(jax.lax.stop_gradient(du)))
    floor = 2 * jnp.max(rnd)
    K = Pu.shape[0]
    p, q = Pu[:, None, :], Pu[None, :, :]
    be = jnp.broadcast_to(q - p, (K, K, 2))
    al = jnp.broadcast_to(p - du[None, None, :], (K, K, 2))
    den = 2 * be[..., 0] * be[..., 1]
    nonzero = den != 0
    s_star = jnp.where(nonzero, -(al[..., 0] * be[..., 1] + al[..., 1] * be[..., 0])
                       / jnp.where(nonzero, den, 1.0), 0.0)
    s_star = jnp.nan_to_num(s_star, nan=0.0, posinf=1.0, neginf=0.0)
    cands = jnp.stack([jnp.zeros_like(s_star), jnp.ones_like(s_star),
                       jnp.clip(s_star, 0.0, 1.0)], -1)  # (K, K, 3)
    X = (jnp.broadcast_to(p, be.shape)[..., None, :]
         + cands[..., :, None] * be[..., None, :]).reshape(-1, 2)  # candidate points (3K², 2)
    G = X - du[None, :]
    Gs = jax.lax.stop_gradient(G)
    ok = jnp.all(Gs >= -rnd[None, :], axis=-1)
    strict_ok = ok & jnp.all(Gs > rnd[None, :], axis=-1)
    strict = jnp.any(strict_ok)
    # Near-ties of the log-product (within its rounding; with d far from F every candidate
    # ties), then the candidate whose supporting line is best: the exact NBS has none.
    logs = jnp.log(jnp.maximum(Gs, jnp.finfo(dt).tiny))
    lp = jnp.where(strict_ok, logs[:, 0] + logs[:, 1], -jnp.inf)
    top = jnp.max(lp)
    near = strict_ok & (lp >= top - 64 * eps * (1.0 + jnp.abs(top)))
    certs = _support_violation(jax.lax.stop_gradient(Pu), jax.lax.stop_gradient(X), Gs, rnd)
    certs = jnp.where(near, certs, jnp.inf)
    k_strict = jnp.argmin(certs)
    cert = jnp.where(strict, jnp.min(certs), 0.0)
    # Degenerate rule: the player who can improve maximises their payoff subject to u >= d.
    can = [jnp.any(ok & (Gs[:, i] > rnd[i])) for i in (0, 1)]
    best = [jnp.argmax(jnp.where(ok, Gs[:, i], -jnp.inf)) for i in (0, 1)]
    k = jnp.where(strict, k_strict, jnp.where(can[0], best[0], best[1]))
    u = jnp.where(strict | can[0] | can[1], X[k], du)
    # The selected candidate's segment (X is (K, K, 3) in C order): its normal, when u lies
    # strictly inside it and it slopes down (then it is an edge of the frontier).
    i, j, c = k // (3 * K), (k // 3) % K, k % 3
    b = Pu[j] - Pu[i]
    s = cands.reshape(-1)[k]
    inside = strict & (c == 2) & (s > 0) & (s < 1) & (b[0] * b[1] < 0)
    span = jnp.abs(b[0]) + jnp.abs(b[1])
    normal = jnp.abs(b[1]) / jnp.where(inside, span, 1.0)
    return _UnitNBS(u, strict, cert.astype(dt), floor.astype(dt), 3 * K * K, inside, normal)


def _float_dtype(*arrays):
    dt = jnp.result_type(*arrays)
    return dt if jnp.issubdtype(dt, jnp.floating) else jnp.result_type(float)


def nbs_two_player(points, d, *, tol: float | None = None) -> TwoPlayerNBS:
    r"""Exact NBS of :math:`\operatorname{conv}(\text{points}) \subset \mathbb{R}^2` from ``d``.

    Maximises :math:`(u_1 - d_1)(u_2 - d_2)` over every segment between two points (the
    maximiser lies on an edge of the hull, and every edge is such a segment): a quadratic in the
    segment parameter, checked at its endpoints and stationary point, keeping ``u >= d``; the
    computation runs in per-player units (each player's range mapped to ``[-1, 1]``), so it is
    invariant under per-player affine maps and cannot overflow.  Pure JAX (``jit``, ``vmap``;
    ``payoffs`` is differentiable in ``points`` and ``d`` through the closed form of the
    selected candidate, one-sided where the maximising edge changes).

    **Degenerate rule** (the library's, as for :func:`bargainjax.nash_bargaining`): if no point
    strictly improves on ``d`` for both players, the result has status ``INFEASIBLE`` (never a
    raise); its ``payoffs`` follow the report's convention before Definition 57: the player who
    can improve maximises their own payoff subject to ``u >= d``, else ``d``.

    Args:
        points: ``(K, 2)`` finite outcomes (integers are cast to the default float).
        d: ``(2,)`` finite disagreement point.
        tol: relative tolerance of the certificate (default
            ``default_tol(dtype, "bargaining")``: ``1e-9`` in float64, ``1e-5`` in float32).

    Returns:
        :class:`TwoPlayerNBS`.

    Raises:
        ValueError: ``points`` not ``(K, 2)`` or (when concrete) not finite, ``d`` not a
            ``(2,)`` vector or (when concrete) not finite, a non-positive ``tol``.
    """
    P = jnp.asarray(points)
    d = jnp.asarray(d)
    if P.ndim != 2 or P.shape[1] != 2 or P.shape[0] < 1:
        raise ValueError(f"`points` must have shape (K, 2), got {P.shape}")
    if _val.is_concrete(P) and not np.all(np.isfinite(np.asarray(P))):
        raise ValueError("`points` must be finite (no NaN or inf)")
    if d.shape != (2,) or (_val.is_concrete(d) and not np.all(np.isfinite(np.asarray(d)))):
        raise ValueError(f"`d` must be a finite (2,) vector, got {d!r}")
    dt = _float_dtype(P, d)
    tol = resolve_tol(tol, dt, "bargaining")
    return _nbs_two_player(P.astype(dt), d.astype(dt), jnp.asarray(tol, dt))


@jax.jit
def _nbs_two_player(P, d, tol):
    ps = PlayerScale.of(P, axis=0)
    r = _nbs_unit(PlayerScale(ps.center[None, :], ps.scale[None, :]).unit(P), ps.unit(d))
    finite = jnp.all(jnp.isfinite(P)) & jnp.all(jnp.isfinite(d))
    status, tol_eff = certify(r.certificate, tol, floor=r.floor, infeasible=~r.strict,
                              inputs_finite=finite)
    return TwoPlayerNBS(ps.restore(r.payoffs), r.certificate, tol_eff, status,
                        jnp.int32(r.num_steps))


# --------------------------------------------------------------------------- two players


def _bimatrix(game, what="threat_point"):
    """The ``(2, m, k)`` payoffs of a two-player game in a float dtype."""
    U = payoff_tensor(game)
    if U.shape[0] != 2:
        raise ValueError(f"`game` must have 2 players for {what}, got {U.shape[0]} "
                         "(use pure_threat_points for n players)")
    return U.astype(_float_dtype(U))


def _unit_game(U):
    """Per-player units of a bimatrix: ``(PlayerScale, U in [-1, 1] per player, P (K, 2))``."""
    ps = PlayerScale.of(U.reshape(2, -1), axis=1)
    col = PlayerScale(ps.center[:, None], ps.scale[:, None])
    Uu = col.unit(U.reshape(2, -1)).reshape(U.shape)
    return ps, Uu, Uu.reshape(2, -1).T


def _nbs_at(P, ds):
    """:func:`_nbs_unit` from each disagreement point ``ds[c]`` ``(C, 2)``, one program for all
    (``vmap``); every field batched, ``num_steps`` left static."""
    arrays = jax.vmap(lambda dd: tuple(_nbs_unit(P, dd)._replace(num_steps=0)))(ds)
    return _UnitNBS(*arrays)._replace(num_steps=3 * P.shape[0] ** 2)


def _deviation_points(Uu, x, y):
    """``(m + k, 2)`` the threat points of the pure deviations: player 1's ``m`` rows (``y``
    fixed), then player 2's ``k`` columns (``x`` fixed)."""
    A, B = Uu
    rows = jnp.stack([A @ y, B @ y], axis=1)
    cols = jnp.stack([x @ A, x @ B], axis=1)
    return jnp.concatenate([rows, cols])


def _gains(deviation_payoffs, m, u):
    """``(2,)`` from the NBS payoffs ``(m + k, 2)`` of :func:`_deviation_points`: each player's
    largest gain in their own NBS payoff, unit coordinates, halved (the unit range is 2)."""
    g1 = jnp.max(deviation_payoffs[:m, 0]) - u[0]
    g2 = jnp.max(deviation_payoffs[m:, 1]) - u[1]
    return jnp.stack([g1, g2]) / 2.0


def _deviation_gains(Uu, P, x, y, u):
    """``(2,)`` each player's largest gain in their own NBS payoff over their pure threats, the
    other's threat fixed, in unit coordinates, halved (the unit range is 2), not clipped."""
    return _gains(_nbs_at(P, _deviation_points(Uu, x, y)).payoffs, Uu.shape[1], u)


def threat_deviation_gains(game, threats):
    r"""The no-profitable-threat-change check: each player's best gain from changing threat.

    For threats ``(x, y)``, ``d = (xᵀAy, xᵀBy)`` and ``u`` the NBS from ``d``
    (:func:`nbs_two_player`): player 1's gain is
    :math:`\max_{x'} \mathrm{NBS}_1(x'^\top A y, x'^\top B y) - u_1` and player 2's
    symmetrically.  The maximum over mixed ``x'`` is attained at a pure threat (the NBS payoff
    is quasi-linear in ``d``, module docstring), so evaluating the ``m + k`` pure deviations
    (under ``vmap``) is exact up to the rounding of the 2-D NBS.  ``(x, y)`` is a threat point
    (Nash 1953) iff both gains are ``<= 0``; :func:`threat_point` certifies its answer with it.

    Pure JAX (``jit``/``vmap``); the gains are measured in units of each player's payoff range
    (invariant under per-player affine maps), not clipped at 0.

    Args:
        game: a two-player game (bimatrix ``(2, m, k)`` or a NormalFormGame).
        threats: ``(x, y)``, distributions over the row and column actions.

    Returns:
        ``(2,)`` array of gains.

    Raises:
        ValueError: not a two-player game, NaN/inf payoffs, threats of the wrong shapes.
    """
    U = _bimatrix(game, "threat_deviation_gains")
    x, y = (jnp.asarray(t, U.dtype) for t in threats)
    if x.shape != (U.shape[1],) or y.shape != (U.shape[2],):
        raise ValueError(f"`threats` must be distributions of shapes ({U.shape[1]},) and "
                         f"({U.shape[2]},), got {x.shape} and {y.shape}")
    return _gains_jit(U, x, y)


@jax.jit
def _gains_jit(U, x, y):
    _, Uu, P = _unit_game(U)
    A, B = Uu
    u = _nbs_unit(P, jnp.stack([x @ A @ y, x @ B @ y])).payoffs
    return _deviation_gains(Uu, P, x, y, u)


def threat_point(game, *, tol: float | None = None, max_iterations: int = 400,
                 zero_sum_tol: float | None = None) -> ThreatPoint:
    r"""Nash's (1953) variable-threat point of a two-player game (report Definition 57).

    The weights ``a = (t, 1 - t)`` are the two-player CoCo equilibrium's
    (:func:`bargainjax.coco_equilibrium`, the same fixed point: module docstring); the threats
    solve the zero-sum threat game :math:`tA - (1-t)B`; ``d`` and the NBS from it follow
    exactly; the certificate is recomputed from scratch at the final threats: the largest gain
    a player gets in their own NBS payoff by switching threat (:func:`threat_deviation_gains`,
    exact over mixed threats) or the NBS's own certificate if larger (:class:`ThreatPoint`),
    and :func:`bargainjax.certify` gives the status.  Everything runs in per-player units (each
    player's payoff range mapped to ``[-1, 1]``), so per-player affine changes of units give
    the affine image with the same status.

    Pure JAX: ``jax.jit(threat_point)``, ``jax.vmap`` over games of one shape and ``jax.grad``
    of ``payoffs`` (exact, module docstring "Derivatives") work.

    **Degenerate rule**: when no feasible point strictly improves on the threat point for both
    players the result has status ``INFEASIBLE`` (never a raise; see :func:`nbs_two_player`).

    Args:
        game: a two-player game (bimatrix as payoffs ``(2, m, k)``, or a NormalFormGame);
            player 1 picks rows.  Integer payoffs are cast to float.
        tol: relative tolerance of the certificate (default
            ``default_tol(dtype, "bargaining")``: ``1e-9`` in float64, ``1e-5`` in float32;
            may be traced).
        max_iterations: cap on the CoCo equilibrium's bisection steps (static; default its
            own, so that the compiled equilibrium is shared; the bisection takes about 55).
        zero_sum_tol: tolerance of the threat game's zero-sum solve (default ``1e-12`` in
            float64, the zero-sum default in float32; the exact simplex is used either way).

    Returns:
        :class:`ThreatPoint`.

    Raises:
        ValueError: for a non-game, NaN/inf payoffs (when concrete), not two players, a
            non-positive ``tol`` / ``zero_sum_tol`` or ``max_iterations``.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> A = jnp.array([[4.0, 2.0, -4.0], [5.0, 3.0, -3.0]])       # report Example 60,
        >>> B = jnp.array([[4.0, 5.0, 2.0], [2.0, 3.0, 2.0]])         # rows b1, b2
        >>> tp = bj.threat_point(jnp.stack([A, B]))
        >>> tp.disagreement.round(6).tolist(), tp.payoffs.round(6).tolist()
        ([-3.0, 2.0], [2.5, 4.75])
    """
    U = _bimatrix(game)
    tol = resolve_tol(tol, U.dtype, "bargaining")
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, numbers.Integral) \
            or max_iterations < 1:
        raise ValueError(f"`max_iterations` must be a positive integer, got {max_iterations!r}")
    if zero_sum_tol is None:
        zero_sum_tol = 1e-12 if jnp.finfo(U.dtype).bits >= 64 else None
    zero_sum_tol = resolve_tol(zero_sum_tol, U.dtype, "zero_sum")
    tol = jnp.asarray(tol, U.dtype)
    zero_sum_tol = jnp.asarray(zero_sum_tol, U.dtype)
    # The fixed point t (module docstring): the two-player CoCo equilibrium of the game in unit
    # coordinates (its own normalisation of them is the identity up to rounding).  Called as
    # its own compiled function, not inside one jit with the rest, so that eager calls share
    # its (slow) compilation with every coco_equilibrium call on games of this shape; under an
    # outer jit/vmap/grad all of it is traced together.
    eq = coco_equilibrium(_to_unit(U), max_steps=int(max_iterations))
    return _threat_finish(U, eq.weights, eq.num_steps, tol, zero_sum_tol)


@jax.jit
def _to_unit(U):
    return _unit_game(U)[1]


def _threats_at(U, Uu, P, t, zero_sum_tol):
    """Threats solving the zero-sum game ``tA - (1-t)B`` (unit coordinates), ``d``, the NBS
    from it, and the certificate (module docstring)."""
    A, B = Uu
    M = jax.lax.stop_gradient(t * A - (1.0 - t) * B)
    zs = solve_zero_sum(M, tol=zero_sum_tol)
    x, y = jax.lax.stop_gradient(zs.row_strategy), jax.lax.stop_gradient(zs.col_strategy)
    gap = (jnp.max(M @ y) - jnp.min(x @ M)) / 2.0
    d = jnp.stack([x @ A @ y, x @ B @ y])  # threats held fixed: Danskin (module docstring)
    # The NBS from d and from every pure deviation's threat point, in one program.
    every = _nbs_at(P, jnp.concatenate([d[None], _deviation_points(Uu, x, y)]))
    nbs = every._replace(**{f: getattr(every, f)[0] for f in every._fields if f != "num_steps"})
    gains = jax.lax.stop_gradient(_gains(every.payoffs[1:], A.shape[0], nbs.payoffs))
    cert = jnp.maximum(jnp.maximum(jnp.max(gains), nbs.certificate), 0.0)
    # d in the game's own units straight from the threats (a convex combination of payoffs:
    # no overflow, and no unit round trip)
    d_user = jnp.stack([x @ U[0] @ y, x @ U[1] @ y])
    return d_user, nbs, (x, y), gap, cert


@jax.jit
def _threat_finish(U, weights, num_steps, tol, zero_sum_tol):
    """The answer at the CoCo-equilibrium weights (unit coordinates), then once more at the
    normal of the edge its NBS lies on, kept when its certificate is no worse: in exact
    arithmetic the two weights agree on an edge; in rounding, the edge's normal is exact to
    rounding while the equilibrium's weights are exact to its own tolerance (``1e-3``
    relative in float32)."""
    ps, Uu, P = _unit_game(U)

    # Both evaluations as the two steps of one scan, so the threat game, its NBS and the
    # certificate are compiled once: step one at the equilibrium's weight, step two at the
    # normal of the edge step one's NBS lies on.
    def at(t, _):
        out = _threats_at(U, Uu, P, jax.lax.stop_gradient(t), zero_sum_tol)
        return out[1].edge_normal, out

    _, both = jax.lax.scan(at, weights[0], None, length=2)
    first, second = (jax.tree.map(lambda a, i=i: a[i], both) for i in range(2))
    t_edge = first[1].edge_normal
    use = first[1].inside_edge & (second[4] <= first[4])
    d_user, nbs, (x, y), gap, cert = jax.tree.map(lambda a, b: jnp.where(use, a, b), second,
                                                  first)
    finite = jnp.all(jnp.isfinite(U))
    status, tol_eff = certify(cert, tol, floor=nbs.floor, infeasible=~nbs.strict,
                              inputs_finite=finite)
    w_unit = jnp.where(use, jnp.stack([t_edge, 1.0 - t_edge]), weights)
    w = w_unit / ps.scale
    w = w / jax.lax.stop_gradient(jnp.max(w))
    return ThreatPoint(d_user, ps.restore(nbs.payoffs), (x, y), w / jnp.sum(w), cert,
                       tol_eff, status, num_steps, gap, cert <= tol_eff)


# ---------------------------------------------------------------------------- n players


@functools.lru_cache(maxsize=None)
def _jit_nbs():
    import jax

    from bargainjax.bargaining._solutions import nash_bargaining
    from bargainjax.sets._feasible import polytope

    # Inside jit the concrete feasibility ValueError is skipped; infeasibility comes back as a
    # status instead (callers only pass sets with a strictly improving point).
    return jax.jit(lambda pts, d: nash_bargaining(polytope(pts), d))


def _max_own_payoff(outcomes, d, i):
    """LP: ``max u_i`` over ``u = Uλ``, ``λ`` in the simplex, ``u >= d`` (library simplex)."""
    K = outcomes.shape[0]
    sol = solve_lp(jnp.asarray(outcomes[:, i]), A_ub=jnp.asarray(-outcomes.T),
                   b_ub=jnp.asarray(-d), A_eq=jnp.ones((1, K)), b_eq=jnp.ones(1))
    if int(sol.status) != 0:
        return np.nan  # not certified: the caller reports an uncertified result
    return float(sol.value)


def _fixed_level_points(outcomes, d, held, atol):
    r"""Points of ``{Uλ : λ ∈ Δ, U_jλ = d_j (j ∈ held)}`` whose hull is that whole set.

    The set is the image of a polytope in ``λ`` whose vertices have supports of at most
    ``|held| + 1`` outcomes; every such support is tried (least squares on it, kept when
    feasible), so the points include all vertices.  Exhaustive: for small games.
    """
    K = outcomes.shape[0]
    m = len(held) + 1
    M = np.vstack([np.ones((1, K)), outcomes[:, held].T])  # (m, K)
    b = np.concatenate([[1.0], d[held]])
    pts = []
    for s in range(1, min(m, K) + 1):
        combos = itertools.combinations(range(K), s)
        while True:
            chunk = np.array(list(itertools.islice(combos, 50000)), dtype=int)
            if chunk.size == 0:
                break
            Ms = np.transpose(M[:, chunk], (1, 0, 2))  # (C, m, s)
            lam = np.einsum("cij,j->ci", np.linalg.pinv(Ms), b)  # (C, s)
            res = np.abs(np.einsum("cij,cj->ci", Ms, lam) - b).max(1)
            ok = (res <= atol) & np.all(lam >= -atol, axis=1)
            lam = np.clip(lam[ok], 0.0, None)
            lam /= lam.sum(1, keepdims=True)
            pts.append(np.einsum("cs,csn->cn", lam, outcomes[chunk[ok]]))
    return np.unique(np.concatenate(pts), axis=0)


def _nbs_general(outcomes, d):
    r"""NBS over the players who can strictly improve on ``d`` (others held at ``d``).

    Convention (report, before Definition 57): the feasible set is
    :math:`F_d = \{u \in \operatorname{conv}(U) : u \ge d\}`; the players ``P`` who can
    strictly improve are found by one LP each (:func:`bargainjax.solvers._lp.solve_lp`); every other
    player ``j`` has :math:`u_j = d_j` on all of :math:`F_d`.  The result maximises
    :math:`\sum_{i \in P} \log(u_i - d_i)` over :math:`F_d`, computed by
    :func:`bargainjax.nash_bargaining` on the polytope
    :math:`\{u \in \operatorname{conv}(U) : u_j = d_j,\ j \notin P\}` (its vertices from
    :func:`_fixed_level_points`) with the held coordinates shifted to ``d_j + 1`` (a constant
    ``log 1 = 0`` term, so the maximiser over ``P`` is unchanged and every player strictly
    improves), then reset to ``d_j``.  With nobody able to improve the result is ``d``.
    """
    K, n = outcomes.shape
    scale = 1.0  # outcomes are in per-player units
    best = np.array([_max_own_payoff(outcomes, d, i) for i in range(n)])
    if np.any(np.isnan(best)):
        return np.full(n, np.nan)
    improv = best > d + 1e-9 * scale
    if not improv.any():
        return d.copy()
    held = np.flatnonzero(~improv)
    if held.size:
        pts = _fixed_level_points(outcomes, d, held, 1e-10 * scale)
        pts[:, held] = d[held] + 1.0
    else:
        pts = outcomes
    # Pad with repeated points (the hull is unchanged) to a few fixed sizes: one compile each.
    size = K if pts.shape[0] <= K else 1 << int(np.ceil(np.log2(pts.shape[0])))
    pts = np.concatenate([pts, np.repeat(pts[:1], size - pts.shape[0], axis=0)])
    dd = d.copy()
    sol = _jit_nbs()(jnp.asarray(pts), jnp.asarray(dd))
    if int(sol.status) != 0:
        return np.full(n, np.nan)  # not certified: reported by the caller
    u = np.asarray(sol.payoffs, dtype=float).copy()
    u[held] = d[held]
    return u


def _pure_gains(nbs_t):
    """``(|A_1|, ..., |A_n|)``: per pure profile, the largest gain a player gets in their own NBS
    payoff by a unilateral pure deviation (half the unit-coordinate difference: the unit range
    is 2).  ``nbs_t``: ``(|A_1|, ..., |A_n|, n)``.  Pure JAX."""
    n = nbs_t.shape[-1]
    gains = [jnp.max(nbs_t[..., i], axis=i, keepdims=True) - nbs_t[..., i] for i in range(n)]
    return jnp.max(jnp.stack(gains), axis=0) / 2.0


@jax.jit
def _pure_two(U):
    """Two players, pure JAX: the NBS of every pure disagreement profile (``vmap``) and the
    deviation gains, in unit coordinates."""
    _, _, P = _unit_game(U)
    nbs = jax.vmap(lambda dd: _nbs_unit(P, dd).payoffs)(P)
    return nbs, _pure_gains(nbs.reshape(U.shape[1:] + (2,))).ravel()


def pure_threat_points(game, *, tol: float = 1e-6, max_profiles: int = 4096) -> PureThreatPoints:
    r"""Pure-strategy threat points of an n-player game (report Definition 57).

    For every pure profile ``x``: ``d = U(x)`` and its NBS over the correlated set; ``x`` is a
    threat point when, for every player ``i`` and action ``x'_i``,
    :math:`\mathrm{NBS}_i(U(x'_i, x_{-i})) \le \mathrm{NBS}_i(U(x)) + \mathrm{tol}\cdot
    \mathrm{range}_i` (per-player units).  Two players use the exact 2-D NBS of
    :func:`nbs_two_player` on every pure pair at once (pure JAX, ``vmap`` over the pairs); more
    use, host-side, one LP per player (:func:`bargainjax.solvers._lp.solve_lp`, who can
    improve) and the certified :func:`bargainjax.nash_bargaining` (gap ``1e-9`` on the
    log-product; see :func:`_nbs_general` for players who cannot improve), hence the looser
    default ``tol``.  The deviation gains are computed in JAX for every ``n``.  A game may have
    none (mixed threats are then needed, see :func:`threat_point` for two players) or several
    (uniqueness can fail for ``n > 2``, report after Definition 57).  Not jit-able as a whole:
    the list of passing profiles has a data-dependent length.

    Args:
        game: a game or payoffs ``(n, |A_1|, ..., |A_n|)``.
        tol: relative tolerance of the deviation check.
        max_profiles: refuse games with more pure profiles than this.

    Returns:
        :class:`PureThreatPoints`.

    Raises:
        ValueError: for a non-game, NaN/inf, or too many profiles.
    """
    U = payoff_tensor(game)
    U = U.astype(_float_dtype(U))
    n = U.shape[0]
    shape = tuple(U.shape[1:])
    total = math.prod(shape)
    if total > max_profiles:
        raise ValueError(f"`game` has {total} pure profiles, more than `max_profiles` = "
                         f"{max_profiles}")
    tol = resolve_tol(tol, U.dtype, "nbs")
    raw = np.asarray(jnp.moveaxis(U, 0, -1).reshape(-1, n))
    ps = PlayerScale.of(U.reshape(n, -1), axis=1)
    ps = PlayerScale(ps.center[None, :], ps.scale[None, :])  # rows are outcomes
    if n == 2:
        nbs, gains = (np.asarray(a) for a in _pure_two(U))
    else:  # host-side (module docstring)
        outcomes = np.asarray(ps.unit(jnp.asarray(raw)))  # per-player units: ranges [-1, 1]
        nbs = np.stack([_nbs_general(outcomes, outcomes[k]) for k in range(total)])
        gains = np.asarray(_pure_gains(jnp.asarray(nbs).reshape(shape + (n,)))).ravel()
    profiles = list(itertools.product(*[range(m) for m in shape]))
    good = [k for k in range(total) if gains[k] <= tol]
    best = profiles[int(np.argmin(gains))]
    # A profile whose inner NBS could not be certified leaves the search uncertified: an
    # infinite certificate ("not computed") gives MAX_STEPS_REACHED.
    cert = np.inf if np.any(np.isnan(nbs)) else max(float(np.min(gains)), 0.0)
    status, tol_eff = certify(cert, tol)
    nbs = np.asarray(ps.restore(jnp.asarray(nbs)))
    return PureThreatPoints([profiles[k] for k in good], raw[good].reshape(-1, n),
                            nbs[good].reshape(-1, n), gains, best, nbs, np.float64(cert),
                            np.float64(tol_eff), np.int32(status), np.int32(total))
