r"""Exact core non-emptiness of additively separable polytope games: host-side; not jit/vmap-able.

The core :math:`C^A` (report §6.2; notation of :mod:`bargainjax.stability._cores`) is non-empty
iff some :math:`x \in F` is blocked by no proper coalition.  With the finitely many candidate
supporting normals :math:`\Lambda_P` of each proper coalition ``P`` (vertices of the linearity
cells of its support function on the simplex),

.. math:: \mu^* = \max_{x \in F}\ \min_{P \ne N}\ \max_{\lambda \in \Lambda_P}
   \big(\lambda \cdot x_P - h_P(\lambda)\big),

the maximum over one LP per choice of one candidate for every proper coalition; the core is
non-empty iff :math:`\mu^* \ge 0`.  The candidates are enumerated from concrete values with
NumPy (singular value decompositions of subsets of option differences), and their number, which
grows doubly exponentially in ``n``, decides how many LP batches a Python loop solves.  So
:func:`core_nonempty` is host-side: not jit/vmap-able and not differentiable.  The LPs
themselves are compiled and batched (:func:`bargainjax.solve_lp`).
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _contract as _status
from bargainjax.core import _validate as v
from bargainjax.coalitions._algebra import members
from bargainjax.stability._cores import (
    _BATCH,
    CoreMembership,
    _coalition_lps,
    _lp_floor,
    _matrix,
    _membership,
    _parts,
    _solve_batch,
    _split,
    _threshold,
    _to_payoffs,
    _units,
)
from bargainjax.core._contract import resolve_tol

__all__ = ["CoreNonemptiness", "core_nonempty"]


def _candidate_normals(Vs, p, max_candidates, eps=1e-10):
    """Candidate vertices of the linearity cells of h_P on the simplex (module docstring).

    Refuses (``ValueError``) before enumerating more than ``max_candidates`` subsets."""
    dirs = [np.eye(p)[m] for m in range(p)]
    for V in Vs:
        for a, b in itertools.combinations(range(V.shape[0]), 2):
            d = V[a] - V[b]
            norm = np.max(np.abs(d))
            if norm > eps:
                d = d / norm
                dirs.append(-d if d[np.flatnonzero(np.abs(d) > eps)[0]] < 0 else d)
    D = np.unique(np.round(np.array(dirs), 12), axis=0)
    subsets = math.comb(D.shape[0], p - 1)
    v.work_cap(subsets, max_candidates, "max_candidates",
               f"`F` needs {subsets} subsets of option differences for one coalition's "
               "supporting normals (exact non-emptiness is for n <= 3, or n = 4 with few options)")
    out = set()
    for combo in itertools.combinations(range(D.shape[0]), p - 1):
        M = D[list(combo)]
        _, sv, vt = np.linalg.svd(M)
        if sv[-1] <= 1e-9 * max(sv[0], 1.0):  # fewer than p - 1 independent directions
            continue
        lam = vt[-1]
        if lam.sum() < 0:
            lam = -lam
        if np.min(lam) < -1e-9 or lam.sum() <= 1e-12:
            continue
        lam = np.clip(lam, 0.0, None)
        out.add(tuple(np.round(lam / lam.sum(), 12)))
    return np.array(sorted(out))


class CoreNonemptiness(NamedTuple):
    """Result of :func:`core_nonempty`.

    Attributes:
        nonempty: ``()`` bool, ``margin >= -thr`` and the witness passes
            :func:`core_membership` (an independent LP check); ``False`` unless ``status`` is
            ``SUCCESSFUL``.
        margin: ``()`` :math:`\\mu^*` (module docstring, payoff units): the largest ``μ`` such
            that some ``x ∈ F`` is not blocked by any proper coalition even if that coalition
            could give each member ``μ`` more; ``< 0`` proves the core empty, ``-margin`` is how
            much every feasible point is blocked by.
        payoffs: ``(n,)`` the witness: a weakly Pareto-optimal point of ``F`` above the
            maximiser of :math:`\\mu^*` (in the core when ``nonempty``).
        strategy: tuple of ``(K_j,)`` mixed options realising ``payoffs``.
        membership: :class:`CoreMembership` of ``payoffs``.
        num_candidates: ``()`` the number of LPs solved (choices of supporting normals).
        primal_residual, dual_residual, gap: ``()`` the maximising LP's diagnostics.
        certificate: ``()`` the largest LP certificate among the maximising LP, the lift LP
            and the witness's membership test (dimensionless; LPs posed in unit coordinates,
            so invariant under common positive affine maps of the payoffs).
        tol, status, num_steps: the contract fields (status from :func:`bargainjax.certify`;
            ``num_steps`` counts the pivots of the maximising, lift and membership LPs).
    """

    nonempty: jax.Array
    margin: jax.Array
    payoffs: jax.Array
    strategy: tuple
    membership: CoreMembership
    num_candidates: jax.Array
    primal_residual: jax.Array
    dual_residual: jax.Array
    gap: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array


_CORE_MAX_PLAYERS = 4


def core_nonempty(F, outside="alpha", *, tol: float | None = None,
                  max_candidates: int = 50_000,
                  max_players: int = _CORE_MAX_PLAYERS) -> CoreNonemptiness:
    r"""Decide whether the core :math:`C^A` is non-empty, exactly, and return a witness;
    host-side; not jit/vmap-able.

    Enumerates, for every proper coalition ``P``, the candidate supporting normals
    :math:`\Lambda_P` (module docstring; singletons have the single normal 1), and solves one
    LP per choice of one normal per coalition,
    :math:`\max_{x \in F, \mu} \mu` s.t. :math:`\lambda_P \cdot x_P \ge h_P(\lambda_P) + \mu`,
    all in one batched :func:`~bargainjax.solve_lp` call.  The best value is :math:`\mu^*`; its
    maximiser is lifted to a weakly Pareto-optimal point of ``F`` (one more LP) and checked with
    :func:`core_membership`.  Everything is computed in unit coordinates (payoffs centred per
    player, one common half-range) and the margin mapped back.

    The α-core and the eq. (62) core of an additively separable game are never empty (report
    Theorem 65, whose proof applies verbatim to :math:`A^\alpha`); the Nash-equilibrium core can
    be (Example 66, Proposition 67).

    **Work cap.**  The number of LPs is the product over the ``2**n - 2`` proper coalitions of
    their candidate counts, which grows doubly exponentially in ``n``: the method is for
    ``n = 2, 3`` and small ``n = 4`` games.  It refuses, eagerly and before any LP is solved,
    games with more than ``max_players`` players (default 4), and games needing more than
    ``max_candidates`` choices of normals (or more subsets of option differences for one
    coalition).

    Host-side; not jit/vmap-able: the candidate normals are enumerated from concrete data
    (NumPy), their number decides the number of LPs, and the best chunk is chosen by a Python
    loop.  Not differentiable.

    Args:
        F, outside, tol: as in :func:`core_membership`.
        max_candidates: cap on the number of LPs (and on the subsets enumerated per coalition).
        max_players: cap on ``n`` (default 4).

    Returns:
        :class:`CoreNonemptiness`.

    Raises:
        ValueError: as :func:`core_membership`; traced inputs; more than ``max_players``
            players; more than ``max_candidates`` choices of normals.
    """
    v.work_cap(0, max_candidates, "max_candidates", "")
    parts = _parts(F, max_players)
    n = len(parts)
    dt = parts[0].dtype
    tol = resolve_tol(tol, dt, "lp")
    if not all(v.is_concrete(p) for p in parts):
        raise ValueError("`F` must be concrete: core_nonempty enumerates from its values "
                         "(it cannot run under jit)")
    parts_u, units = _units(parts)
    out = _matrix(parts, parts_u, units, outside, tol)
    if not v.is_concrete(out.matrix):
        raise ValueError("`outside` must be concrete (core_nonempty cannot run under jit)")
    Vn = [np.asarray(p, np.float64) for p in parts_u]
    An = np.asarray(out.unit, np.float64)
    mem = members(n)
    proper = [S for S in range(1, 2**n - 1)]
    normals, heights = [], []
    total = 1
    for S in proper:
        P = np.flatnonzero(mem[S])
        Lam = (np.ones((1, 1)) if len(P) == 1
               else _candidate_normals([Vn[j][:, P] for j in P], len(P), max_candidates))
        outside_P = (~mem[S]).astype(float) @ An  # (n,)
        h = np.array([sum(np.max(Vn[j][:, P] @ lam) for j in P) + lam @ outside_P[P]
                      for lam in Lam])
        full = np.zeros((Lam.shape[0], n))
        full[:, P] = Lam
        normals.append(full)
        heights.append(h)
        total *= len(h)
        if total > max_candidates:  # refuse as soon as the product is known to be too big
            raise ValueError(
                f"`F` needs more than max_candidates = {max_candidates} choices of supporting "
                "normals (LPs); pass a larger `max_candidates` to allow it (exact "
                "non-emptiness is for n <= 3, or n = 4 with few options)"
            )
    counts = [len(h) for h in heights]
    idx = np.array(list(itertools.product(*[range(c) for c in counts])))  # (C, proper)
    # Fixed-size chunks (the last padded by repeating the first choice): one compiled LP batch
    # serves every game of one shape.
    chunks = -(-total // _CHUNK)
    idx = np.concatenate([idx, np.repeat(idx[:1], chunks * _CHUNK - total, axis=0)])
    Lam = np.stack([normals[q][idx[:, q]] for q in range(len(proper))], axis=1)  # (C, Q, n)
    H = np.stack([heights[q][idx[:, q]] for q in range(len(proper))], axis=1)  # (C, Q)
    tol_arr = jnp.asarray(tol, dt)
    best = None
    steps = jnp.asarray(0, jnp.int32)
    for q in range(chunks):
        sl = slice(q * _CHUNK, (q + 1) * _CHUNK)
        res = _combo_chunk(parts_u, jnp.asarray(Lam[sl], dt), jnp.asarray(H[sl], dt), tol_arr)
        steps = steps + res[-1]
        if best is None or float(res[0]) > float(best[0]):
            best = res
    mu, s0, flags, pres, dres, gap, cert, _ = best
    # Lift the maximiser x0 to a weakly Pareto-optimal point of F above it: the grand
    # coalition's blocking LP at x0 reaches x0 + t* 1 with t* >= 0 and no point of F is
    # strictly above what it reaches.
    Vall_u = jnp.concatenate(parts_u, axis=0)
    nv = Vall_u.shape[0]
    x0 = s0 @ Vall_u
    grand = _coalition_lps(parts_u, x0, out.unit, tol_arr)
    s1 = grand.x[-1, :nv]
    x1u = s1 @ Vall_u
    membership = _membership(parts_u, units, x1u, out, tol_arr,
                             _coalition_lps(parts_u, x1u, out.unit, tol_arr))
    thr = _threshold(parts_u, x1u, tol_arr)
    certificate = jnp.maximum(jnp.maximum(cert, grand.certificate[-1]), membership.certificate)
    status, tol_eff = _status.certify(
        certificate, tol_arr, floor=_lp_floor(dt),
        inputs_finite=(membership.status != _status.Status.NONFINITE) & flags[0],
        infeasible=flags[1] | (membership.status == _status.Status.INFEASIBLE),
        degenerate=flags[2] | (membership.status == _status.Status.DEGENERATE))
    return CoreNonemptiness(
        nonempty=(mu >= -thr) & membership.in_core & (status == 0),
        margin=_to_payoffs(units, mu),
        payoffs=s1 @ jnp.concatenate(parts, axis=0),
        strategy=_split(s1, parts),
        membership=membership,
        num_candidates=jnp.asarray(total),
        primal_residual=pres,
        dual_residual=dres,
        gap=gap,
        certificate=certificate,
        tol=tol_eff,
        status=status,
        num_steps=steps + grand.num_steps[-1] + membership.num_steps,
    )


_CHUNK = _BATCH


def _stacked(parts):
    n = len(parts)
    dt = parts[0].dtype
    Vall = jnp.concatenate(parts, axis=0)
    owner = np.concatenate([np.full(p.shape[0], j) for j, p in enumerate(parts)])
    own = jnp.asarray(owner[None, :] == np.arange(n)[:, None], dt)
    A_eq = jnp.concatenate([own, jnp.zeros((n, 2), dt)], axis=1)
    return Vall, A_eq, jnp.ones((n,), dt)


def _combo_chunk(parts, Lam, H, tol):
    """max mu s.t. lam_P . x_P >= h_P + mu for every proper P, x in F: one LP per row of Lam."""
    return _combo_best(parts, _solve_batch(parts, _combo_build(parts, Lam, H), tol))


@jax.jit
def _combo_build(parts, Lam, H):
    dt = parts[0].dtype
    Vall, A_eq, b_eq = _stacked(parts)
    nv = Vall.shape[0]
    c = jnp.zeros((nv + 2,), dt).at[nv].set(1.0).at[nv + 1].set(-1.0)
    Q = Lam.shape[1]

    def one(lam, h):
        rows = -(lam @ Vall.T)  # (Q, sum K)
        A_ub = jnp.concatenate([rows, jnp.ones((Q, 1), dt), -jnp.ones((Q, 1), dt)], axis=1)
        return c, A_ub, -h, A_eq, b_eq

    return jax.vmap(one)(Lam, H)


@jax.jit
def _combo_best(parts, sol):
    """The best LP of a chunk: ``(value, x, (finite, infeasible, degenerate), primal residual,
    dual residual, gap, certificate, pivots)``."""
    nv = sum(p.shape[0] for p in parts)
    ok = sol.status == 0
    best = jnp.argmax(jnp.where(ok, sol.value, -jnp.inf))
    value = jnp.where(jnp.any(ok), sol.value[best], -jnp.inf)
    # No LP certified: report the worst certificate and what went wrong.
    cert = jnp.where(jnp.any(ok), sol.certificate[best], jnp.max(sol.certificate))
    flags = (~jnp.any(sol.status == _status.Status.NONFINITE),
             ~jnp.any(ok) & jnp.all(sol.status == _status.Status.INFEASIBLE),
             ~jnp.any(ok) & jnp.any(sol.status == _status.Status.DEGENERATE))
    return (value, sol.x[best, :nv], flags, sol.primal_residual[best],
            sol.dual_residual[best], sol.gap[best], cert, jnp.sum(sol.num_steps).astype(jnp.int32))


