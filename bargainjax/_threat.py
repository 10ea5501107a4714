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
equilibrium, SPEC §4).  The answer is then re-derived without the ansatz: ``d`` from the threats,
the NBS from ``d`` by an exact two-dimensional computation over the edges of ``F``
(:func:`nbs_two_player`), and the certificate checks that no pure deviation of either player's
threat raises that player's NBS payoff.

**n players** (:func:`pure_threat_points`): Definition 57 with pure disagreement actions.  For
every pure profile the NBS from ``d = U(x)`` is computed (over the players who can strictly
improve, the report's convention; others are held at ``d``), and a profile is a threat point
when no player can raise their own NBS payoff by a unilateral pure deviation.  Exhaustive over
profiles (capped), so it is for small games; mixed threats for ``n ≥ 3`` are not searched.

Not jit/vmap-able: an outer numpy loop around the library's solvers.

Sources: report (``shared/seeds/002_...``) Definition 57, Example 60; J. Nash, "Two-person
cooperative games", Econometrica 21 (1953); SPEC §4.
"""

from __future__ import annotations

import functools
import itertools
import math
import numbers
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

from ._coco import _game_payoffs
from ._lp import solve_lp
from ._zero_sum import solve_zero_sum


class ThreatPoint(NamedTuple):
    """Result of :func:`threat_point` (two players).

    Attributes:
        disagreement: ``(2,)`` the threat point ``d = (xᵀAy, xᵀBy)``.
        payoffs: ``(2,)`` the NBS from ``d`` (exact two-dimensional computation).
        threats: ``(x, y)`` the row and column players' threat strategies.
        weights: ``(2,)`` ``a = (t, 1 - t)``, the frontier normal of the fixed point.
        zero_sum_gap: duality gap of the threat game ``tA - (1-t)B`` at the returned threats.
        max_improvement: the largest gain in a player's own NBS payoff from a pure deviation of
            their threat (the other's fixed); ``<= tol`` for a threat point.
        is_threat_point: ``zero_sum_gap`` and ``max_improvement`` within ``tol`` (relative to
            the payoff range).
        num_iterations: bisection steps.
    """

    disagreement: np.ndarray
    payoffs: np.ndarray
    threats: tuple
    weights: np.ndarray
    zero_sum_gap: float
    max_improvement: float
    is_threat_point: bool
    num_iterations: int


class PureThreatPoints(NamedTuple):
    """Result of :func:`pure_threat_points`.

    Attributes:
        profiles: list of pure profiles (tuples of action indices) that pass the check.
        disagreements: ``(k, n)`` their threat points ``U(x)``.
        payoffs: ``(k, n)`` their NBS payoffs.
        max_improvement: ``(num_profiles,)`` for every profile (C order), the largest gain a
            player gets in their own NBS payoff by a unilateral pure deviation.
        best_profile: the profile with the smallest ``max_improvement`` (reported even when
            none passes).
        nbs: ``(num_profiles, n)`` the NBS payoffs of every pure disagreement profile.
    """

    profiles: list
    disagreements: np.ndarray
    payoffs: np.ndarray
    max_improvement: np.ndarray
    best_profile: tuple
    nbs: np.ndarray


# ------------------------------------------------------------------------------ 2-D NBS


def nbs_two_player(points, d) -> np.ndarray:
    r"""Exact NBS of :math:`\operatorname{conv}(\text{points}) \subset \mathbb{R}^2` from ``d``.

    Maximises :math:`(u_1 - d_1)(u_2 - d_2)` over every segment between two points (the
    maximiser lies on an edge of the hull, and every edge is such a segment): a quadratic in the
    segment parameter, checked at its endpoints and stationary point, keeping ``u >= d``.  If no
    point strictly improves for both, the players who can improve maximise their own payoff
    subject to ``u >= d`` (the report's convention before Definition 57), else ``d``.

    Args:
        points: ``(K, 2)`` outcomes.
        d: ``(2,)`` disagreement point.

    Returns:
        ``(2,)`` numpy array.
    """
    P = np.asarray(points, dtype=float)
    d = np.asarray(d, dtype=float)
    if P.ndim != 2 or P.shape[1] != 2 or P.shape[0] < 1:
        raise ValueError(f"`points` must have shape (K, 2), got {P.shape}")
    if d.shape != (2,) or not np.all(np.isfinite(d)):
        raise ValueError(f"`d` must be a finite (2,) vector, got {d!r}")
    p, q = P[:, None, :], P[None, :, :]
    al = p - d  # (K, 1, 2) start gains
    be = q - p  # (K, K, 2) direction
    al = np.broadcast_to(al, be.shape)
    # f(s) = (al1 + s be1)(al2 + s be2); f'(s) = al1 be2 + al2 be1 + 2 s be1 be2
    den = 2 * be[..., 0] * be[..., 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        s_star = np.where(den != 0, -(al[..., 0] * be[..., 1] + al[..., 1] * be[..., 0]) / den, 0)
    cands = np.stack([np.zeros_like(s_star), np.ones_like(s_star), np.clip(s_star, 0, 1)], -1)
    U = al[..., None, :] + cands[..., None] * be[..., None, :]  # gains (K, K, 3, 2)
    ok = np.all(U >= -1e-12, axis=-1)
    prod = np.where(ok, np.maximum(U[..., 0], 0) * np.maximum(U[..., 1], 0), -np.inf)
    k = np.argmax(prod)
    scale = max(1.0, np.abs(P).max())
    if prod.ravel()[k] > 1e-14 * scale**2:
        return U.reshape(-1, 2)[k] + d
    # Degenerate: maximise the improving player's payoff subject to u >= d.
    gains = U.reshape(-1, 2)
    okf = ok.ravel()
    for i in (0, 1):
        if np.any(okf & (gains[:, i] > 1e-12 * scale)):
            j = np.argmax(np.where(okf, gains[:, i], -np.inf))
            return gains[j] + d
    return d.copy()


def _exact_threats(M, tol):
    sol = solve_zero_sum(jnp.asarray(M), tol=tol)
    return np.asarray(sol.row_strategy), np.asarray(sol.col_strategy), float(sol.gap)


def _bimatrix(game):
    U = np.asarray(_game_payoffs(game), dtype=float)
    if U.shape[0] != 2:
        raise ValueError(f"`game` must have 2 players for threat_point, got {U.shape[0]} "
                         "(use pure_threat_points for n players)")
    return U[0], U[1]


def threat_point(game, *, tol: float = 1e-7, max_iterations: int = 200,
                 zero_sum_tol: float | None = 1e-12) -> ThreatPoint:
    r"""Nash's (1953) variable-threat point of a two-player game (report Definition 57).

    Bisection on the frontier normal ``t`` (module docstring), then a certificate computed
    from scratch at the final threats: the zero-sum gap of the threat game and the largest gain
    a player gets in their own NBS payoff by switching their threat to any pure action.

    Args:
        game: a two-player game (bimatrix as payoffs ``(2, m, k)``, or a NormalFormGame);
            player 1 picks rows.
        tol: relative tolerance (of the payoff range) for the certificate.
        max_iterations: bisection cap.
        zero_sum_tol: tolerance of the inner zero-sum solves.

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
    A, B = _bimatrix(game)
    if not isinstance(tol, numbers.Real) or not tol > 0:
        raise ValueError(f"`tol` must be a positive number, got {tol!r}")
    if not isinstance(max_iterations, numbers.Integral) or max_iterations < 1:
        raise ValueError(f"`max_iterations` must be a positive integer, got {max_iterations!r}")
    P = np.stack([A.ravel(), B.ravel()], axis=1)
    span = float(P.max() - P.min()) or 1.0
    face_tol = 1e-10 * max(1.0, np.abs(P).max())

    def side(t):
        a = np.array([t, 1.0 - t])
        x, y, _ = _exact_threats(t * A - (1 - t) * B, zero_sum_tol)
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
    x, y, gap = _exact_threats(t * A - (1 - t) * B, zero_sum_tol)
    d = np.array([x @ A @ y, x @ B @ y])
    u = nbs_two_player(P, d)
    improvement = -np.inf
    for r in range(A.shape[0]):
        dd = np.array([A[r] @ y, B[r] @ y])
        improvement = max(improvement, nbs_two_player(P, dd)[0] - u[0])
    for c in range(A.shape[1]):
        dd = np.array([x @ A[:, c], x @ B[:, c]])
        improvement = max(improvement, nbs_two_player(P, dd)[1] - u[1])
    improvement = float(improvement)
    ok = gap <= tol * span and improvement <= tol * span
    return ThreatPoint(d, u, (x, y), np.array([t, 1.0 - t]), gap, improvement, bool(ok), it)


# ---------------------------------------------------------------------------- n players


@functools.lru_cache(maxsize=None)
def _jit_nbs():
    import jax

    from ._bargaining import nash_bargaining
    from ._feasible import polytope

    # Inside jit the concrete feasibility ValueError is skipped; infeasibility comes back as a
    # status instead (callers only pass sets with a strictly improving point).
    return jax.jit(lambda pts, d: nash_bargaining(polytope(pts), d))


def _max_own_payoff(outcomes, d, i):
    """LP: ``max u_i`` over ``u = Uλ``, ``λ`` in the simplex, ``u >= d`` (library simplex)."""
    K = outcomes.shape[0]
    sol = solve_lp(jnp.asarray(outcomes[:, i]), A_ub=jnp.asarray(-outcomes.T),
                   b_ub=jnp.asarray(-d), A_eq=jnp.ones((1, K)), b_eq=jnp.ones(1))
    if int(sol.status) != 0:
        raise RuntimeError(f"threat-point LP failed (status {int(sol.status)})")
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
    strictly improve are found by one LP each (:func:`bargainjax._lp.solve_lp`); every other
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
        return nbs_two_player(outcomes, d)
    scale = max(1.0, np.abs(outcomes).max())
    improv = np.array([_max_own_payoff(outcomes, d, i) > d[i] + 1e-9 * scale
                       for i in range(n)])
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
        raise RuntimeError(f"nash_bargaining did not certify the threat-point NBS "
                           f"(status {int(sol.status)}, gap {float(sol.gap):.3g})")
    u = np.asarray(sol.payoffs, dtype=float).copy()
    u[held] = d[held]
    return u


def pure_threat_points(game, *, tol: float = 1e-6, max_profiles: int = 4096) -> PureThreatPoints:
    r"""Pure-strategy threat points of an n-player game (report Definition 57).

    For every pure profile ``x``: ``d = U(x)`` and its NBS over the correlated set; ``x`` is a
    threat point when, for every player ``i`` and action ``x'_i``,
    :math:`\mathrm{NBS}_i(U(x'_i, x_{-i})) \le \mathrm{NBS}_i(U(x)) + \mathrm{tol}\cdot
    \mathrm{range}`.  Two players use the exact :func:`nbs_two_player`; more use one LP per
    player (:func:`bargainjax._lp.solve_lp`, who can improve) and the certified
    :func:`bargainjax.nash_bargaining` (gap ``1e-9`` on the log-product; see
    :func:`_nbs_general` for players who cannot improve), hence the looser default ``tol``.  A game may
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
    outcomes = np.moveaxis(U, 0, -1).reshape(-1, n)
    span = float(outcomes.max() - outcomes.min()) or 1.0
    nbs = np.stack([_nbs_general(outcomes, outcomes[k]) for k in range(total)])
    nbs_t = nbs.reshape(shape + (n,))
    gains = np.zeros(total)
    for k, x in enumerate(itertools.product(*[range(m) for m in shape])):
        g = -np.inf
        for i in range(n):
            idx = list(x)
            idx[i] = slice(None)
            g = max(g, float(np.max(nbs_t[tuple(idx)][:, i]) - nbs_t[x][i]))
        gains[k] = g
    profiles = list(itertools.product(*[range(m) for m in shape]))
    good = [k for k in range(total) if gains[k] <= tol * span]
    best = profiles[int(np.argmin(gains))]
    return PureThreatPoints([profiles[k] for k in good], outcomes[good].reshape(-1, n),
                            nbs[good].reshape(-1, n), gains, best, nbs)
