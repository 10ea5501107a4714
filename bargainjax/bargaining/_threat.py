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
:math:`a \cdot u` (then the NBS from :math:`d(t)` is :math:`u(t)` and its supporting normal is
``a``).  As :math:`t \to 0` :math:`u_1(t)` exceeds the face, at :math:`t = 1` it is at or below
it; :func:`threat_point` bisects on this sign (the same fixed point as the two-player CoCo
equilibrium, Kalai & Kalai 2013).  The answer is then re-derived without the ansatz: ``d`` from
the threats,
the NBS from ``d`` by an exact two-dimensional computation over the edges of ``F``
(:func:`nbs_two_player`), and the certificate checks that no pure deviation of either player's
threat raises that player's NBS payoff.

**n players** (:func:`pure_threat_points`): Definition 57 with pure disagreement actions.  For
every pure profile the NBS from ``d = U(x)`` is computed (over the players who can strictly
improve, the report's convention; others are held at ``d``), and a profile is a threat point
when no player can raise their own NBS payoff by a unilateral pure deviation.  Exhaustive over
profiles (capped), so it is for small games; mixed threats for ``n ≥ 3`` are not searched.

Not jit/vmap-able: an outer numpy loop around the library's solvers.  Every computation runs
in per-player units (each player's payoff range mapped to ``[-1, 1]``), so the answers are
invariant under per-player affine changes of units; certificates are in those units.

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

import jax.numpy as jnp
import numpy as np

from bargainjax.coalitions._coco import _game_payoffs
from bargainjax.solvers._lp import solve_lp
from bargainjax.core._contract import alias, certify, default_tol
from bargainjax.solvers._zero_sum import solve_zero_sum


class TwoPlayerNBS(NamedTuple):
    """Result of :func:`nbs_two_player` (numpy; the contract fields of every result).

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

    payoffs: np.ndarray
    certificate: np.ndarray
    tol: np.ndarray
    status: np.ndarray
    num_steps: np.ndarray


class ThreatPoint(NamedTuple):
    """Result of :func:`threat_point` (two players).

    Attributes:
        disagreement: ``(2,)`` the threat point ``d = (xᵀAy, xᵀBy)``.
        payoffs: ``(2,)`` the NBS from ``d`` (exact two-dimensional computation).
        threats: ``(x, y)`` the row and column players' threat strategies.
        weights: ``(2,)`` ``a = (t, 1 - t)``, the frontier normal of the fixed point in the
            game's own units (normalised to sum 1).
        certificate: ``()`` the largest gain a player gets in their own NBS payoff by switching
            their threat to a pure action (the other's fixed), in units of that player's payoff
            range, or the certificate of the NBS from ``d`` (:class:`TwoPlayerNBS`) if larger;
            clipped at 0.
        tol: ``()`` the tolerance it was held to (request plus rounding floor).
        status: ``()`` :class:`bargainjax.Status`: ``SUCCESSFUL``; ``INFEASIBLE`` when no
            feasible point strictly improves on the threat point for both players (e.g. a
            zero-sum game, whose feasible set is a line: ``payoffs`` is then the degenerate NBS
            of :func:`nbs_two_player`, and ``is_threat_point`` may still hold);
            ``MAX_STEPS_REACHED`` / ``IMPRECISE`` otherwise.
        num_steps: ``()`` bisection steps.
        zero_sum_gap: ``()`` duality gap of the threat game ``tA - (1-t)B`` at the returned
            threats, in per-player units (a diagnostic of the computation, not of the answer).
        is_threat_point: ``()`` bool, the deviation check passes (``certificate <= tol``).

    Deprecated aliases (one release): ``max_improvement`` of ``certificate``,
    ``num_iterations`` of ``num_steps``.

    Invariance: per-player affine maps ``α_i U_i + β_i`` (``α_i > 0``) give the same threats and
    status and the affine image of ``disagreement`` and ``payoffs`` (the solver works in
    per-player units, :class:`bargainjax.PlayerScale`).
    """

    disagreement: np.ndarray
    payoffs: np.ndarray
    threats: tuple
    weights: np.ndarray
    certificate: np.ndarray
    tol: np.ndarray
    status: np.ndarray
    num_steps: np.ndarray
    zero_sum_gap: np.ndarray
    is_threat_point: np.ndarray

    max_improvement = alias("certificate")
    num_iterations = alias("num_steps")


class PureThreatPoints(NamedTuple):
    """Result of :func:`pure_threat_points`.

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


def _np_scale(P):
    """Per-player ``(center, half-range)`` of the rows of ``P`` without forming ``max - min``
    (numpy twin of :class:`bargainjax.PlayerScale`; a zero range gets ``|center|`` or 1)."""
    lo, hi = P.min(axis=0), P.max(axis=0)
    center = 0.5 * lo + 0.5 * hi
    half = 0.5 * hi - 0.5 * lo
    fallback = np.where(np.abs(center) > 0, np.abs(center), 1.0)
    return center, np.where(half > 0, half, fallback)


def _support_violation(Pu, X, G, rnd):
    """Per candidate ``X[c]`` (gains ``G[c] > 0``): the largest violation of the Nash product's
    supporting line at ``X[c]`` by an outcome, scaled to a payoff distance (see
    :class:`TwoPlayerNBS`), in units of the payoff range."""
    a = G[:, ::-1] / (G[:, :1] + G[:, 1:])  # (C, 2) normal (g2, g1) / (g1 + g2)
    diff = Pu[None, :, :] - X[:, None, :]  # (C, K, 2)
    dist = np.abs(diff).sum(-1)
    far = dist > 4 * rnd.max()
    viol = np.where(far, np.maximum(np.einsum("ckj,cj->ck", diff, a), 0.0)
                    / np.where(far, dist, 1.0), 0.0)
    return np.max(viol, axis=1) * (G[:, 0] + G[:, 1]) / 2.0


def _nbs_unit(Pu, du):
    """The NBS in unit coordinates: ``(u, strict, certificate, floor, num_steps)``."""
    eps = np.finfo(float).eps
    # rounding of a gain u_i - d_i in unit coordinates (d may lie far outside the range)
    rnd = 4 * eps * np.maximum(1.0, np.abs(du))
    floor = 2 * float(rnd.max())
    p, q = Pu[:, None, :], Pu[None, :, :]
    be = np.broadcast_to(q - p, (Pu.shape[0], Pu.shape[0], 2))
    al = np.broadcast_to(p - du, be.shape)
    den = 2 * be[..., 0] * be[..., 1]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        s_star = np.where(den != 0, -(al[..., 0] * be[..., 1] + al[..., 1] * be[..., 0]) / den,
                          0)
    s_star = np.nan_to_num(s_star, nan=0.0, posinf=1.0, neginf=0.0)
    cands = np.stack([np.zeros_like(s_star), np.ones_like(s_star), np.clip(s_star, 0, 1)], -1)
    X = (np.broadcast_to(p, be.shape)[..., None, :]
         + cands[..., None] * be[..., None, :]).reshape(-1, 2)  # candidate points
    G = X - du
    ok = np.all(G >= -rnd, axis=-1)
    strict_ok = ok & np.all(G > rnd, axis=-1)
    num_steps = X.shape[0]
    if strict_ok.any():
        # Near-ties of the log-product (within its rounding; with d far from F every candidate
        # ties), then the candidate whose supporting line is best: the exact NBS has none.
        with np.errstate(divide="ignore"):
            logs = np.log(np.maximum(G, 0))
            lp = np.where(strict_ok, logs[:, 0] + logs[:, 1], -np.inf)
        top = np.max(lp)
        idx = np.flatnonzero(lp >= top - 64 * eps * (1.0 + abs(top)))
        certs = _support_violation(Pu, X[idx], G[idx], rnd)
        k = int(idx[np.argmin(certs)])
        return X[k], True, float(np.min(certs)), floor, num_steps
    for i in (0, 1):
        if np.any(ok & (G[:, i] > rnd[i])):
            j = int(np.argmax(np.where(ok, G[:, i], -np.inf)))
            return X[j], False, 0.0, floor, num_steps
    return du.copy(), False, 0.0, floor, num_steps


def nbs_two_player(points, d, *, tol: float | None = None) -> TwoPlayerNBS:
    r"""Exact NBS of :math:`\operatorname{conv}(\text{points}) \subset \mathbb{R}^2` from ``d``.

    Maximises :math:`(u_1 - d_1)(u_2 - d_2)` over every segment between two points (the
    maximiser lies on an edge of the hull, and every edge is such a segment): a quadratic in the
    segment parameter, checked at its endpoints and stationary point, keeping ``u >= d``; the
    computation runs in per-player units (each player's range mapped to ``[-1, 1]``), so it is
    invariant under per-player affine maps and cannot overflow.

    **Degenerate rule** (the library's, as for :func:`bargainjax.nash_bargaining`): if no point
    strictly improves on ``d`` for both players, the result has status ``INFEASIBLE`` (never a
    raise); its ``payoffs`` follow the report's convention before Definition 57: the player who
    can improve maximises their own payoff subject to ``u >= d``, else ``d``.

    Args:
        points: ``(K, 2)`` finite outcomes (integers are cast to float64).
        d: ``(2,)`` finite disagreement point.
        tol: relative tolerance of the certificate (default
            ``default_tol(float64, "bargaining")``: the computation is float64 numpy).

    Returns:
        :class:`TwoPlayerNBS` (numpy).

    Raises:
        ValueError: ``points`` not ``(K, 2)`` or not finite, ``d`` not a finite ``(2,)``
            vector, a non-positive ``tol``.
    """
    P = np.asarray(points, dtype=float)
    d = np.asarray(d, dtype=float)
    if P.ndim != 2 or P.shape[1] != 2 or P.shape[0] < 1:
        raise ValueError(f"`points` must have shape (K, 2), got {P.shape}")
    if not np.all(np.isfinite(P)):
        raise ValueError("`points` must be finite (no NaN or inf)")
    if d.shape != (2,) or not np.all(np.isfinite(d)):
        raise ValueError(f"`d` must be a finite (2,) vector, got {d!r}")
    tol = _check_tol(tol, np.float64)
    center, scale = _np_scale(P)
    u, strict, cert, floor, steps = _nbs_unit((P - center) / scale, (d - center) / scale)
    status, tol_eff = certify(cert, tol, floor=floor, infeasible=not strict)
    return TwoPlayerNBS(center + u * scale, np.float64(cert), np.float64(tol_eff),
                        np.int32(status), np.int32(steps))


def _check_tol(tol, dtype, family="bargaining"):
    if tol is None:
        return default_tol(dtype, family)
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol > 0:
        raise ValueError(f"`tol` must be a positive number, got {tol!r}")
    return float(tol)


def _exact_threats(M, tol, dtype):
    sol = solve_zero_sum(jnp.asarray(M, dtype), tol=tol)
    return (np.asarray(sol.row_strategy, float), np.asarray(sol.col_strategy, float))


def _bimatrix(game):
    U = _game_payoffs(game)
    dtype = U.dtype if jnp.issubdtype(U.dtype, jnp.floating) else jnp.result_type(float)
    U = np.asarray(U, dtype=float)
    if U.shape[0] != 2:
        raise ValueError(f"`game` must have 2 players for threat_point, got {U.shape[0]} "
                         "(use pure_threat_points for n players)")
    return U[0], U[1], dtype


def threat_point(game, *, tol: float | None = None, max_iterations: int = 200,
                 zero_sum_tol: float | None = None) -> ThreatPoint:
    r"""Nash's (1953) variable-threat point of a two-player game (report Definition 57).

    Bisection on the frontier normal ``t`` (module docstring), then a certificate computed
    from scratch at the final threats: the largest gain a player gets in their own NBS payoff
    by switching their threat to any pure action (:class:`ThreatPoint`).  Everything runs in
    per-player units (each player's payoff range mapped to ``[-1, 1]``), so per-player affine
    changes of units give the affine image with the same status.

    **Degenerate rule**: when no feasible point strictly improves on the threat point for both
    players the result has status ``INFEASIBLE`` (never a raise; see :func:`nbs_two_player`).

    Args:
        game: a two-player game (bimatrix as payoffs ``(2, m, k)``, or a NormalFormGame);
            player 1 picks rows.  Integer payoffs are cast to float.
        tol: relative tolerance of the certificate (default
            ``default_tol(dtype, "bargaining")``: ``1e-9`` in float64, ``1e-5`` in float32).
        max_iterations: bisection cap.
        zero_sum_tol: tolerance of the inner zero-sum solves (default ``1e-12`` in float64, the
            zero-sum default in float32).

    Returns:
        :class:`ThreatPoint`.

    Raises:
        ValueError: for a non-game, NaN/inf payoffs, or not two players.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> A = jnp.array([[4.0, 2.0, -4.0], [5.0, 3.0, -3.0]])       # report Example 60,
        >>> B = jnp.array([[4.0, 5.0, 2.0], [2.0, 3.0, 2.0]])         # rows b1, b2
        >>> tp = bj.threat_point(jnp.stack([A, B]))
        >>> tp.disagreement.round(6).tolist(), tp.payoffs.round(6).tolist()
        ([-3.0, 2.0], [2.5, 4.75])
    """
    A0, B0, dtype = _bimatrix(game)
    tol = _check_tol(tol, dtype)
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, numbers.Integral) \
            or max_iterations < 1:
        raise ValueError(f"`max_iterations` must be a positive integer, got {max_iterations!r}")
    if zero_sum_tol is None:
        zero_sum_tol = 1e-12 if jnp.finfo(dtype).bits >= 64 else default_tol(dtype, "zero_sum")
    P0 = np.stack([A0.ravel(), B0.ravel()], axis=1)
    center, scale = _np_scale(P0)
    A, B = (A0 - center[0]) / scale[0], (B0 - center[1]) / scale[1]
    P = np.stack([A.ravel(), B.ravel()], axis=1)
    face_tol = 1e-10

    def side(t):
        a = np.array([t, 1.0 - t])
        x, y = _exact_threats(t * A - (1 - t) * B, zero_sum_tol, dtype)
        v = float(x @ (t * A - (1 - t) * B) @ y)
        s = P @ a
        h = s.max()
        face = P[s >= h - face_tol]
        u1 = (h + v) / (2 * t)
        if u1 > face[:, 0].max() + face_tol / t:
            return 1  # u(t) right of the face: more weight on player 1
        if u1 < face[:, 0].min() - face_tol / t:
            return -1
        return 0

    lo, hi = 1e-12, 1.0 - 1e-12
    t = 0.5
    it = 0
    for it in range(1, max_iterations + 1):
        t = 0.5 * (lo + hi)
        sgn = side(t)
        if sgn == 0 or hi - lo < 1e-15:
            break
        if sgn > 0:
            lo = t
        else:
            hi = t
    M = t * A - (1 - t) * B
    x, y = _exact_threats(M, zero_sum_tol, dtype)
    gap = float(np.max(M @ y) - np.min(x @ M)) / 2.0
    d = np.array([x @ A @ y, x @ B @ y])
    u, strict, cert, floor, _ = _nbs_unit(P, d)
    improvement = 0.0
    for r in range(A.shape[0]):
        dd = np.array([A[r] @ y, B[r] @ y])
        improvement = max(improvement, (_nbs_unit(P, dd)[0][0] - u[0]) / 2.0)
    for c in range(A.shape[1]):
        dd = np.array([x @ A[:, c], x @ B[:, c]])
        improvement = max(improvement, (_nbs_unit(P, dd)[0][1] - u[1]) / 2.0)
    cert = max(float(improvement), cert)
    status, tol_eff = certify(cert, tol, floor=floor, infeasible=not strict)
    w = np.array([t, 1.0 - t]) / scale
    return ThreatPoint(center + d * scale, center + u * scale, (x, y), w / w.sum(),
                       np.float64(cert), np.float64(tol_eff), np.int32(status), np.int32(it),
                       np.float64(gap), np.bool_(cert <= float(tol_eff)))


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
    if n == 2:
        return _nbs_unit(outcomes, d)[0]
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


def pure_threat_points(game, *, tol: float = 1e-6, max_profiles: int = 4096) -> PureThreatPoints:
    r"""Pure-strategy threat points of an n-player game (report Definition 57).

    For every pure profile ``x``: ``d = U(x)`` and its NBS over the correlated set; ``x`` is a
    threat point when, for every player ``i`` and action ``x'_i``,
    :math:`\mathrm{NBS}_i(U(x'_i, x_{-i})) \le \mathrm{NBS}_i(U(x)) + \mathrm{tol}\cdot
    \mathrm{range}_i` (per-player units).  Two players use the exact :func:`nbs_two_player`;
    more use one LP per
    player (:func:`bargainjax.solvers._lp.solve_lp`, who can improve) and the certified
    :func:`bargainjax.nash_bargaining` (gap ``1e-9`` on the log-product; see
    :func:`_nbs_general` for players who cannot improve), hence the looser default ``tol``.
    A game may
    have none (mixed threats are then needed, see :func:`threat_point` for two players) or
    several (uniqueness can fail for ``n > 2``, report after Definition 57).

    Args:
        game: a game or payoffs ``(n, |A_1|, ..., |A_n|)``.
        tol: relative tolerance of the deviation check.
        max_profiles: refuse games with more pure profiles than this.

    Returns:
        :class:`PureThreatPoints`.

    Raises:
        ValueError: for a non-game, NaN/inf, or too many profiles.
    """
    U = np.asarray(_game_payoffs(game), dtype=float)
    n = U.shape[0]
    shape = U.shape[1:]
    total = math.prod(shape)
    if total > max_profiles:
        raise ValueError(f"`game` has {total} pure profiles, more than `max_profiles` = "
                         f"{max_profiles}")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol > 0:
        raise ValueError(f"`tol` must be a positive number, got {tol!r}")
    raw = np.moveaxis(U, 0, -1).reshape(-1, n)
    center, scale = _np_scale(raw)
    outcomes = (raw - center) / scale  # per-player units: each range is [-1, 1]
    nbs = np.stack([_nbs_general(outcomes, outcomes[k]) for k in range(total)])
    nbs_t = nbs.reshape(shape + (n,))
    gains = np.zeros(total)
    for k, x in enumerate(itertools.product(*[range(m) for m in shape])):
        g = -np.inf
        for i in range(n):
            idx = list(x)
            idx[i] = slice(None)
            g = max(g, float(np.max(nbs_t[tuple(idx)][:, i]) - nbs_t[x][i]) / 2.0)
        gains[k] = g
    profiles = list(itertools.product(*[range(m) for m in shape]))
    good = [k for k in range(total) if gains[k] <= tol]
    best = profiles[int(np.argmin(gains))]
    # A profile whose inner NBS could not be certified leaves the search uncertified: an
    # infinite certificate ("not computed") gives MAX_STEPS_REACHED.
    cert = np.inf if np.any(np.isnan(nbs)) else max(float(np.min(gains)), 0.0)
    status, tol_eff = certify(cert, tol)
    nbs = center + nbs * scale
    return PureThreatPoints([profiles[k] for k in good], raw[good].reshape(-1, n),
                            nbs[good].reshape(-1, n), gains, best, nbs, np.float64(cert),
                            np.float64(tol_eff), np.int32(status), np.int32(total))
