r"""Multi-start search for CoCo equilibria: host-side; not jit/vmap-able.

:func:`coco_equilibria` runs :func:`bargainjax.coco_equilibrium` (a pure JAX function) from
several starting weights in one ``vmap``-ped batch, then, for ``n >= 3``, runs the exact face
finish of :mod:`bargainjax.coalitions._equilibrium` on every set of at most ``n`` joint
outcomes, in compiled chunks driven by a Python loop, and deduplicates the certified answers on
the host (NumPy).  The number of chunks and of distinct answers depends on the data, so the
function as a whole cannot be traced; each compiled piece can.  Uniqueness of the CoCo
equilibrium for ``n >= 3`` is open: finding several distinct certified payoff vectors proves
non-uniqueness, finding one proves nothing.

Sources: the post "Unifying Bargaining Notions (2/2)" (Diffractor, 2022), its CoCo-equilibrium
section; Nash (1953) "Two-person cooperative games" for ``n = 2``.
"""

from __future__ import annotations

import functools
import itertools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _validate as _val
from bargainjax.core._contract import Status, batch_status
from bargainjax.coalitions._coco import coco_unit
from bargainjax.coalitions._equilibrium import (
    MAX_PLAYERS,
    _check,
    _face_edges,
    _face_finish,
    _game_and_tol,
    _payoff_range,
    _phi,
    _points,
    _result,
    _solve_unit,
    _to_unit,
    _to_user,
    _unit_scale,
)

__all__ = ["CocoEquilibria", "coco_equilibria", "MAX_FACES"]

MAX_FACES = 4096
"""Default cap on the candidate faces :func:`coco_equilibria` enumerates (``max_faces``)."""

_FACE_STARTS = 3  # projected grid starts per face in the face enumeration


class CocoEquilibria(NamedTuple):
    """Result of :func:`coco_equilibria`.

    Attributes:
        solutions: tuple of distinct :class:`CocoEquilibrium` (deduplicated by payoffs, certified
            ones first, each certified with status ``SUCCESSFUL``), or the best uncertified
            attempt when none certified.
        num_starts: starting points tried.
        num_certified: certified results (over the starts and the enumerated faces, before
            deduplication).
        multiple: ``True`` iff more than one distinct certified payoff vector was found.
        certificate: the first solution's certificate (the best attempt's when none
            certified); units as :attr:`CocoEquilibrium.certificate`.
        tol: the first solution's tolerance.
        status: :func:`bargainjax.batch_status` over the solutions: ``SUCCESSFUL`` iff at
            least one certified equilibrium was found, else the best attempt's status.
        num_steps: locating steps summed over the starts.
    """

    solutions: tuple
    num_starts: int
    num_certified: int
    multiple: bool
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array


@functools.partial(jax.jit, static_argnames=("max_steps",))
def _solve_starts(U, starts, tol, *, max_steps):
    """Unit coordinates: ``U`` and ``starts`` already normalised."""
    return jax.vmap(lambda a0: _solve_unit(U, a0, tol, max_steps=max_steps))(starts)


@jax.jit
def _to_user_batch(U, batched):
    ps = _unit_scale(U)
    return jax.vmap(lambda r: _to_user(ps, r))(batched)


def _simplex_grid(n: int) -> np.ndarray:
    """Static interior grid of the simplex: the uniform point and every ``c / m`` with ``c`` a
    composition of ``m = max(8, n + 1)`` into ``n`` positive parts (21 points for ``n = 3``)."""
    m = max(8, n + 1)
    rows = [np.full(n, 1.0 / n)]
    for cuts in itertools.combinations(range(1, m), n - 1):
        rows.append(np.diff(np.concatenate([[0], cuts, [m]])) / m)
    return np.array(rows)


def _face_starts(U, P, face, scale, count=_FACE_STARTS):
    """``(count, n)`` starting weights for the face finish on ``face``: the grid points
    (:func:`_simplex_grid`) whose projections onto the face's weight family
    ``{a : a ⊥ (V_j - V_0), Σ a = 1}`` best satisfy the equilibrium conditions there (distance
    of ``p(a) = φ(a)/a`` from the face's affine hull, plus how far the face is from maximising
    ``a``), best first.  On an edge of a 3-player game the family is a segment of weights;
    uniform weights, projected, can lie far along it from the equilibrium, and the residual
    along it can have a spurious local minimum (residual 0.003 against an equilibrium 0.07 away in
    weight, seen on random 3-player games): hence several starts."""
    K, n = P.shape
    T = _face_edges(P, face)
    C = jnp.concatenate([T, jnp.ones((1, n), P.dtype)])
    b = jnp.zeros(K + 1, P.dtype).at[K].set(1.0)
    Cp = jnp.linalg.pinv(C)
    hull = jnp.eye(n, dtype=P.dtype) - jnp.linalg.pinv(T) @ T
    V0 = P[jnp.argmax(face)]
    grid = jnp.asarray(_simplex_grid(n), P.dtype)

    def score(g):
        a = g - Cp @ (C @ g - b)
        ok = jnp.all(a > 1e-9)
        a = jnp.where(ok, a, g)
        p = _phi(U, a)[0] / a
        off_hull = jnp.max(jnp.abs(hull @ (p - V0)))
        support = jnp.max(P @ a) - V0 @ a
        return a, jnp.where(ok, (off_hull + support) / scale, jnp.inf)

    cands, scores = jax.vmap(score)(grid)
    order = jnp.argsort(scores)[:count]
    return jnp.where(jnp.isfinite(scores[order])[:, None], cands[order], grid[0])


@jax.jit
def _solve_faces(U, faces, tol):
    """Face finish on each candidate face ``(B, K)`` from ``1 + _FACE_STARTS`` starts, certified:
    uniform weights and :func:`_face_starts` (``(1 + _FACE_STARTS) B`` results, start-major,
    the uniform starts first)."""
    P = _points(U)
    B, n = faces.shape[0], P.shape[1]
    scale = _payoff_range(P)
    uniform = jnp.full((1, B, n), 1.0 / n, P.dtype)

    def one(face, a0):
        a = _face_finish(U, P, a0, face, scale)
        return _result(U, a, _check(U, P, a, scale), 0, tol)

    starts = jax.vmap(lambda f: _face_starts(U, P, f, scale))(faces)  # (B, S, n)
    starts = jnp.concatenate([uniform, jnp.swapaxes(starts, 0, 1)]).reshape(-1, n)
    return jax.vmap(one)(jnp.tile(faces, (1 + _FACE_STARTS, 1)), starts)


def _unstack(batched) -> list:
    count = int(np.shape(batched.status)[0])
    host = jax.tree.map(np.asarray, batched)
    return [jax.tree.map(lambda x, i=i: x[i], host) for i in range(count)]


def _num_faces(K: int, n: int) -> int:
    return sum(math.comb(K, r) for r in range(1, n + 1))


def _all_faces(K: int, n: int) -> np.ndarray:
    rows = []
    for r in range(1, n + 1):
        for S in itertools.combinations(range(K), r):
            rows.append(np.isin(np.arange(K), S))
    return np.array(rows)


def coco_equilibria(game, *, num_starts: int = 8, key=None, tol: float | None = None,
                    max_steps: int = 400, enumerate_faces: bool = True,
                    max_faces: int = MAX_FACES, chunk_size: int = 128,
                    max_players: int = MAX_PLAYERS) -> CocoEquilibria:
    """Multi-start search for CoCo equilibria (uniqueness for ``n >= 3`` is open); host-side;
    not jit/vmap-able.

    Starts (one batched :func:`coco_equilibrium` call under ``vmap``): the uniform weights, the
    CoCo-value-implied weights (``a ∝ 1 / (coco - min coco + range/10)``, a heuristic), and
    ``num_starts - 2`` Dirichlet(1) draws from ``key``.  With ``enumerate_faces`` (``n >= 3``),
    the exact face finish is also run on every set of at most ``n`` outcome points, from uniform
    weights and from the three best of a grid of weights projected onto the set's weight family
    (:func:`_face_starts`) (``chunk_size`` sets per compiled batch): this finds equilibria on
    faces that the smoothed path misses.  Solutions are deduplicated by payoffs (within
    ``10 tol`` in each player's unit coordinates).  For ``n = 2`` the equilibrium is unique
    (Nash 1953) and the bisection deterministic, so one start is used.  Finding several
    distinct certified payoff vectors (``multiple``) proves non-uniqueness; finding one proves
    nothing.  Starts, faces and deduplication all work in each player's unit coordinates, so
    the search is invariant under per-player affine changes of units (as
    :func:`coco_equilibrium`).

    Work caps: ``max_players`` (default 5) as :func:`coco_equilibrium`; the face enumeration
    visits ``C(K, 1) + ... + C(K, n)`` sets of the ``K`` joint outcomes and refuses more than
    ``max_faces`` (default 4096) with a ``ValueError`` (pass a larger ``max_faces``, or
    ``enumerate_faces=False`` to search from the starts only).

    Host-side; not jit/vmap-able: a Python loop over compiled batches whose number, and the
    NumPy deduplication of whose answers, depend on the data.  For many games, ``vmap``
    :func:`bargainjax.coco_equilibrium` over games and starts instead.  Not differentiable: the
    solutions are returned as NumPy arrays (differentiate :func:`bargainjax.coco_equilibrium`).  ``tol``: as
    :func:`coco_equilibrium` (``None``: ``default_tol(dtype, "equilibrium")``).
    """
    U, tol_arr = _game_and_tol(game, tol, max_players)
    tol = float(np.asarray(tol_arr))
    U = jnp.asarray(np.asarray(U))
    n = U.shape[0]
    K = math.prod(U.shape[1:])
    if enumerate_faces and n >= 3:
        _val.work_cap(_num_faces(K, n), max_faces, "max_faces",
                      f"`game`: the face enumeration has {_num_faces(K, n)} candidate faces (sets "
                      f"of at most {n} of {K} joint outcomes; enumerate_faces=False skips it)")
    else:
        _val.work_cap(0, max_faces, "max_faces", "")
    ps = _unit_scale(U)
    Uh = _to_unit(U, ps)
    P = np.asarray(_points(Uh))
    scale = float(np.asarray(_payoff_range(jnp.asarray(P))))
    if n == 2:
        starts = np.full((1, 2), 0.5)
    else:
        key = jax.random.PRNGKey(0) if key is None else key
        c = np.asarray(coco_unit(Uh, jnp.full(n, 1.0 / n, Uh.dtype))[0]) * n
        inv = 1.0 / (c - c.min() + 0.1 * scale)
        starts = [np.full(n, 1.0 / n), inv / inv.sum()]
        if num_starts > 2:
            d = np.clip(np.asarray(jax.random.dirichlet(key, jnp.ones(n), (num_starts - 2,))), 1e-3, None)
            starts.extend(d / d.sum(axis=1, keepdims=True))
        starts = np.array(starts[: max(num_starts, 1)])
    batches = [_solve_starts(Uh, jnp.asarray(starts, Uh.dtype), tol_arr, max_steps=int(max_steps))]
    sols = _unstack(batches[0])
    if enumerate_faces and n >= 3:
        faces = _all_faces(P.shape[0], n)
        for lo in range(0, len(faces), chunk_size):
            block = faces[lo:lo + chunk_size]
            padded = np.concatenate([block, np.repeat(block[:1], chunk_size - len(block), 0)])
            found = _unstack(_solve_faces(Uh, jnp.asarray(padded, Uh.dtype), tol_arr))
            found = [s for k in range(1 + _FACE_STARTS)
                     for s in found[k * chunk_size: k * chunk_size + len(block)]]
            sols.extend(s for s in found if int(s.status) == int(Status.SUCCESSFUL))
    good = [s for s in sols if int(s.status) == int(Status.SUCCESSFUL)]
    distinct: list = []
    for s in good:
        if all(np.max(np.abs(s.payoffs - t.payoffs)) > max(tol, 1e-9) * scale * 10 for t in distinct):
            distinct.append(s)
    if not distinct:
        distinct = [min(sols, key=lambda s: float(s.certificate))]
    stacked = jax.tree.map(lambda *xs: jnp.stack([jnp.asarray(x) for x in xs]), *distinct)
    solutions = _unstack(_to_user_batch(U, stacked))
    steps = int(np.sum(np.asarray(batches[0].num_steps)))
    status = batch_status([int(s.status) for s in solutions])
    best = solutions[0]
    return CocoEquilibria(tuple(solutions), len(starts), len(good), len(distinct) > 1,
                          certificate=best.certificate, tol=best.tol,
                          status=np.int32(int(status)), num_steps=np.int32(steps))
