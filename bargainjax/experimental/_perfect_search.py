r"""Search for coalition-perfect CoCo equilibria (the post): host-side; not jit/vmap-able.

:func:`coalition_perfect_search` minimises the summed squared condition-4 residuals
(:func:`bargainjax.coco_condition_residuals`) over weights ``a`` in the simplex.  Each
objective evaluation solves the ``2**n`` coalition fights with :func:`bargainjax.coalition_values`
(compiled JAX) and picks ``u^N`` on the maximising face by an exact least-squares enumeration;
the outer search is a NumPy Nelder–Mead loop (softmax parametrisation) started from a lattice
on the simplex, with a data-dependent number of evaluations.  Hence the search is host-side
Python/NumPy: not jit/vmap-able and not differentiable.  Read literally (the post),
:math:`\rho_S` for a proper coalition is its optimal fight strategy at ``a`` (condition 3), so
``u^S`` for ``S ≠ N`` is a function of ``a`` alone, while :math:`\rho_N` may be any mixture of
the maximisers of :math:`a \cdot U`; at ``S = N`` condition 4 says
:math:`a_i u^N_i = \varphi_i(a)` (the CoCo value).  For ``n >= 3`` the sub-coalition equations
are surplus, so the minimum is generically positive; the result reports it and calls nothing
an equilibrium above ``tol``.

Sources: the post "Unifying Bargaining Notions (2/2)" (Diffractor, 2022).
"""

from __future__ import annotations

import itertools
import math
import numbers
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _validate as _val
from bargainjax.core._contract import PlayerScale, Status, certify
from bargainjax.coalitions._algebra import _sizes, _weights, members
from bargainjax.coalitions._coco import coalition_values
from bargainjax.coalitions._equilibrium import coco_equilibrium
from bargainjax.coalitions._perfect import (
    MAX_PLAYERS,
    _coco_residuals,
    _harsanyi_residuals,
    coalition_payoffs,
)
from bargainjax.games._normal_form import payoff_tensor

__all__ = ["CoalitionPerfectSearch", "coalition_perfect_search"]


class CoalitionPerfectSearch(NamedTuple):
    """Result of :func:`coalition_perfect_search`.

    The search runs in common unit coordinates (all payoffs mapped to ``[-1, 1]`` by one
    centre and scale, computed without forming ``max - min``), so its answer, certificate and
    status are unchanged by a common change of scale ``α U_i + β_i`` (any per-player shift
    ``β_i``).  Exact coalition-perfect equilibria are also invariant under per-player changes
    of units (with the weights scaling as ``1 / α_i``), but the search's objective, relative
    to the whole payoff range, is not: under per-player maps its best point may move.

    Attributes:
        weights: ``(n,)`` the best weights found (sum 1), in the caller's units.
        payoffs: ``(2**n, n)`` the coalition payoff table ``u^S`` at ``weights`` (``u^N`` the
            least-squares point of the maximising face).
        residual: the largest absolute condition-4 residual at ``weights``, divided by
            ``scale``.
        residuals: ``(2**n, n)`` condition-4 residuals (curnits).
        harsanyi_residuals: ``(2**n, n)`` condition-4′ residuals at the same point.
        scale: ``max_i a_i * (max U - min U)`` (the range over all payoffs), the curnit
            scale ``residual`` and ``fight_gap`` are relative to.
        fight_gap: largest duality gap of the fights at ``weights`` (condition 3's
            certificate), in curnits.
        start_residuals: ``(num_starts,)`` relative residual reached from each start.
        is_equilibrium: ``status == SUCCESSFUL``.
        num_evaluations: objective evaluations used.
        certificate: ``max(residual, fight_gap / scale)``: both conditions 3 and 4 at the
            returned weights, relative to the payoff scale.
        tol: the tolerance it was held to (requested plus rounding floor).
        status: :class:`bargainjax.Status` from :func:`bargainjax.certify` (for ``n >= 3`` the
            minimum is generically positive: ``MAX_STEPS_REACHED`` then says none was found).
        num_steps: ``num_evaluations``.
    """

    weights: np.ndarray
    payoffs: np.ndarray
    residual: float
    residuals: np.ndarray
    harsanyi_residuals: np.ndarray
    scale: float
    fight_gap: float
    start_residuals: np.ndarray
    is_equilibrium: bool
    num_evaluations: int
    certificate: float
    tol: float
    status: int
    num_steps: int


def _simplex_least_squares(M, t):
    r"""Exact :math:`\min_{\lambda \in \Delta_k} \|M\lambda - t\|^2` (``M`` is ``(n, k)``).

    An optimum has a support of at most ``rank([M; 1]) + 1 <= n + 2`` columns (Carathéodory on
    the optimal point ``Mλ``); every such support is tried: the equality-constrained least
    squares on it (KKT system, minimum-norm solve), kept when non-negative; the best is exact.
    Faces are small (ties of ``a·u``), so the enumeration is cheap; beyond ``max_supports``
    supports it switches to accelerated projected gradient (a certified-by-iteration fallback).
    """
    n, k = M.shape
    best, best_val = None, np.inf
    smax = min(k, n + 2)
    count = sum(math.comb(k, s) for s in range(1, smax + 1))
    if count <= 20000:
        for s in range(1, smax + 1):
            for S in itertools.combinations(range(k), s):
                S = list(S)
                Ms = M[:, S]
                kkt = np.block([[2 * Ms.T @ Ms, np.ones((s, 1))], [np.ones((1, s)), np.zeros((1, 1))]])
                rhs = np.concatenate([2 * Ms.T @ t, [1.0]])
                lam = (np.linalg.pinv(kkt) @ rhs)[:s]
                if abs(lam.sum() - 1.0) > 1e-9 or lam.min() < -1e-12:
                    continue
                lam = np.clip(lam, 0.0, None)
                lam /= lam.sum()
                val = float(np.sum((Ms @ lam - t) ** 2))
                if val < best_val:
                    best_val, best = val, (S, lam)
        out = np.zeros(k)
        out[best[0]] = best[1]
        return out
    # Fallback: FISTA with Euclidean projection onto the simplex.
    L = 2 * np.linalg.norm(M, 2) ** 2 or 1.0
    lam = y = np.full(k, 1.0 / k)
    tk = 1.0
    for _ in range(20000):
        g = 2 * M.T @ (M @ y - t)
        v = y - g / L
        srt = np.sort(v)[::-1]
        css = np.cumsum(srt) - 1.0
        r = np.nonzero(srt - css / np.arange(1, k + 1) > 0)[0][-1]
        new = np.maximum(v - css[r] / (r + 1), 0.0)
        tn = 0.5 * (1 + math.sqrt(1 + 4 * tk * tk))
        y = new + (tk - 1) / tn * (new - lam)
        if np.abs(new - lam).max() <= 1e-15:
            lam = new
            break
        lam, tk = new, tn
    return lam


def _face_point(outcomes, a, target, rel):
    """Least-squares ``u`` on the face of maximisers of ``a·u`` with ``a∘u ≈ target``."""
    scores = outcomes @ a
    h = scores.max()
    face = np.unique(outcomes[scores >= h - rel], axis=0)
    if face.shape[0] == 1:
        return face[0]
    Aw = (face * a[None, :]).T  # (n, k)
    lam = _simplex_least_squares(Aw, np.asarray(target, float))
    return lam @ face


def _nelder_mead(f, x0, initial_simplex, max_evaluations, xatol=1e-12, fatol=1e-24):
    """Standard Nelder–Mead (reflection 1, expansion 2, contraction 1/2, shrink 1/2) in numpy.

    Stops when the simplex and its values have collapsed (``xatol``, ``fatol``) or after
    ``max_evaluations`` evaluations of ``f``.  Returns the best vertex.
    """
    sim = np.asarray(initial_simplex, float).copy()
    m = sim.shape[0]
    fs = np.array([f(x) for x in sim])
    nev = m
    while nev < max_evaluations:
        order = np.argsort(fs, kind="stable")
        sim, fs = sim[order], fs[order]
        if (np.max(np.abs(sim[1:] - sim[0])) <= xatol
                and np.max(np.abs(fs[1:] - fs[0])) <= fatol):
            break
        xbar = sim[:-1].mean(0)
        xr = 2 * xbar - sim[-1]
        fr = f(xr)
        nev += 1
        if fr < fs[0]:
            xe = 3 * xbar - 2 * sim[-1]
            fe = f(xe)
            nev += 1
            sim[-1], fs[-1] = (xe, fe) if fe < fr else (xr, fr)
            continue
        if fr < fs[-2]:
            sim[-1], fs[-1] = xr, fr
            continue
        if fr < fs[-1]:  # outside contraction
            xc = 1.5 * xbar - 0.5 * sim[-1]
            fc = f(xc)
            nev += 1
            if fc <= fr:
                sim[-1], fs[-1] = xc, fc
                continue
        else:  # inside contraction
            xc = 0.5 * xbar + 0.5 * sim[-1]
            fc = f(xc)
            nev += 1
            if fc < fs[-1]:
                sim[-1], fs[-1] = xc, fc
                continue
        sim[1:] = sim[0] + 0.5 * (sim[1:] - sim[0])  # shrink
        fs[1:] = [f(x) for x in sim[1:]]
        nev += m - 1
    return sim[int(np.argmin(fs))]


def _evaluate(U, a, tol):
    n = U.shape[0]
    full = 2**n - 1
    cv = coalition_values(U, a, tol=tol)
    u = np.array(coalition_payoffs(U, cv.row_strategies))
    outcomes = np.asarray(jnp.moveaxis(U, 0, -1).reshape(-1, n))
    V = np.asarray(cv.values)
    mem = members(n)
    c = _weights(n)[_sizes(n)]
    phi = mem.T.astype(float) @ (c * V)
    rel = 1e-9 * max(1.0, np.abs(outcomes).max() * a.max())
    u[full] = _face_point(outcomes, a, phi, rel)
    r = np.asarray(_coco_residuals(jnp.asarray(a), jnp.asarray(u), n))
    return u, r, float(np.max(np.asarray(cv.fight_gaps)))


def coalition_perfect_search(
    game,
    *,
    num_starts: int = 4,
    key=None,
    tol: float | None = None,
    max_evaluations: int = 400,
    fight_tol: float | None = None,
    grid: int = 8,
    max_players: int = MAX_PLAYERS,
) -> CoalitionPerfectSearch:
    r"""Minimise the coalition-perfect CoCo residual (condition 4) over weights ``a`` (the post);
    host-side; not jit/vmap-able.

    For each ``a`` in the simplex: every proper coalition plays its optimal fight strategy
    (:func:`bargainjax.coalition_values`, condition 3), ``u^N`` is the point of the face
    maximising :math:`a \cdot U` closest (least squares in curnits) to the CoCo value
    :math:`\varphi(a)/a`, and the objective is the sum of squared condition-4 residuals.
    Nelder–Mead (softmax parametrisation) from the ``num_starts`` best interior points of a
    lattice on the simplex with resolution ``grid`` (random starts if the lattice is smaller),
    plus the weights of :func:`bargainjax.coco_equilibrium` (which satisfy the grand-coalition
    condition) when it certifies.  It is a local search: the minimum it reports is an upper
    bound on the true minimum.

    The minimum is reported honestly: ``is_equilibrium`` is true only when the largest residual,
    relative to the payoff scale, is ``<= tol``.  For two players the condition reduces to the
    CoCo equilibrium (Nash's variable-threat solution), which exists, so the minimum is 0; for
    ``n >= 3`` the system is generically overdetermined and the minimum is generically positive.

    Args:
        game: a game or payoffs ``(n, |A_1|, ..., |A_n|)`` (``n`` from 2 to ``max_players``).
        num_starts: number of random starts (>= 1).
        key: a ``jax.random`` key, or an ``int`` for ``numpy.random.default_rng``, for the
            random starts (default 0).
        tol: certificate tolerance below which the result is called an equilibrium
            (``None``: ``1e-7`` in float64, ``1e-3`` for a float32 game).
        max_evaluations: Nelder–Mead evaluation cap per start.
        fight_tol: zero-sum tolerance passed to :func:`bargainjax.coalition_values`.
        grid: lattice resolution for choosing starts (``>= n``; ``C(grid-1, n-1)`` evaluations).
        max_players: work cap (default 6): refuse larger games with a ``ValueError`` (every
            evaluation solves ``2**n`` coalition fights); raise it for larger games.

    Returns:
        :class:`CoalitionPerfectSearch`.

    Raises:
        ValueError: naming ``game`` (bad shape, NaN/inf, fewer than 2 or more than
            ``max_players`` players), ``num_starts``, ``tol``, ``grid`` or ``max_players``.
    """
    U = payoff_tensor(game)
    n = U.shape[0]
    if n < 2:
        raise ValueError(f"`game` must have at least 2 players for the search, got {n}")
    _val.work_cap(n, max_players, "max_players",
                  f"`game` has {n} players (every evaluation solves 2**{n} coalition fights)")
    if not jnp.issubdtype(U.dtype, jnp.floating):
        U = U.astype(jnp.result_type(float))
    if tol is None:
        tol = 1e-7 if jnp.finfo(U.dtype).bits >= 64 else 1e-3
    if not isinstance(num_starts, numbers.Integral) or num_starts < 1:
        raise ValueError(f"`num_starts` must be a positive integer, got {num_starts!r}")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol > 0:
        raise ValueError(f"`tol` must be positive, got {tol!r}")
    if not isinstance(grid, numbers.Integral) or grid < n:
        raise ValueError(f"`grid` must be an integer >= n = {n}, got {grid!r}")
    if key is None:
        key = 0
    entropy = int(key) if isinstance(key, numbers.Integral) else \
        int(jax.random.randint(key, (), 0, 2**31 - 1))
    rng = np.random.default_rng(entropy)
    # Common unit coordinates (one centre and half-range over all payoffs, so the search's
    # objective is the one relative to the whole payoff range; no max - min, which
    # overflows): solve there, map back at the end.
    ps = PlayerScale.of(U.reshape(-1), axis=0)
    U_user, U = U, ps.unit(U)
    span = 2.0
    evals = [0]

    def weights_of(z):
        z = np.concatenate([[0.0], z])
        e = np.exp(z - z.max())
        return e / e.sum()

    def objective(z):
        evals[0] += 1
        a = weights_of(z)
        _, r, _ = _evaluate(U, jnp.asarray(a, U.dtype), fight_tol)
        return float(np.sum(r**2)) / (span * a.max()) ** 2

    # Starts: the best points of a coarse lattice on the simplex (interior points, resolution
    # `grid`), then random ones if more starts are asked for than the lattice has.
    lattice = [np.array(c, float) for c in itertools.product(range(1, grid), repeat=n - 1)
               if sum(c) < grid]
    lattice = [np.concatenate([c, [grid - c.sum()]]) / grid for c in lattice]
    scored = sorted(lattice, key=lambda a: objective(np.log(a[1:] / a[0])))
    starts = [np.log(a[1:] / a[0]) for a in scored[:num_starts]]
    while len(starts) < num_starts:
        starts.append(rng.normal(scale=1.0, size=n - 1))
    best = None
    start_res = []
    for z0 in starts:
        x = _nelder_mead(objective, z0, z0[None, :] + np.vstack(
            [np.zeros(n - 1), 0.5 * np.eye(n - 1)]), max_evaluations)
        a = weights_of(x)
        u, r, gap = _evaluate(U, jnp.asarray(a, U.dtype), fight_tol)
        rel = float(np.max(np.abs(r))) / (span * a.max())
        start_res.append(rel)
        if best is None or rel < best[0]:
            best = (rel, a, u, r, gap)
    # The CoCo equilibrium's weights solve the grand-coalition condition exactly; the
    # sub-coalition conditions are what the search is about, so that point is always a
    # candidate (Nelder-Mead can miss it when it sits on a kink of the objective, e.g. n = 2
    # with the equilibrium on an edge of F).
    eq = coco_equilibrium(U, max_players=n)
    if int(eq.status) == int(Status.SUCCESSFUL) and np.all(np.asarray(eq.weights) > 0):
        a_eq = np.asarray(eq.weights, float)
        u_eq, r_eq, gap_eq = _evaluate(U, jnp.asarray(a_eq, U.dtype), fight_tol)
        rel_eq = float(np.max(np.abs(r_eq))) / (span * a_eq.max())
        if rel_eq < best[0]:
            best = (rel_eq, a_eq, u_eq, r_eq, gap_eq)
    rel, a, u, r, gap = best
    h = np.asarray(_harsanyi_residuals(jnp.asarray(a), jnp.asarray(u), n))
    scale_unit = span * float(a.max())
    cert = max(rel, gap / scale_unit)
    finite = bool(np.all(np.isfinite(np.asarray(U_user)))) and np.isfinite(cert)
    status, tol_eff = certify(np.asarray(cert, float), tol,
                              floor=16.0 * float(jnp.finfo(U.dtype).eps), inputs_finite=finite)
    status = int(status)
    # Back to the caller's units: a_i ∝ â_i / scale_i, u_i = center_i + scale_i û_i; the
    # residuals (curnits) scale by 1 / T with T = Σ_j â_j / scale_j.
    center = np.full(n, float(ps.center))
    sig = np.full(n, float(ps.scale))
    w = a / sig
    T = float(np.sum(w))
    a_user = w / T
    mem = members(n)
    u_user = np.where(mem, center[None, :] + sig[None, :] * u, 0.0)
    scale_user = scale_unit / T
    return CoalitionPerfectSearch(
        a_user, u_user, rel, r / T, h / T, scale_user, gap / T, np.asarray(start_res),
        status == int(Status.SUCCESSFUL), evals[0], float(cert), float(tol_eff), status,
        evals[0])
