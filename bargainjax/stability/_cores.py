r"""Coalitional stability of additively separable polytope games (report §6.2): cores by exact LPs.

Setting (report §3.2, §6.2).  Player ``j`` chooses a point :math:`y_j` of the polytope
:math:`F_j = \operatorname{conv}\{V_j[k]\}` spanned by the payoff vectors ``V_j = parts[j]``
``(K_j, n)`` of their options (``V_j[k, i]`` is :math:`u_{j,i}(k)`, what option ``k`` of ``j``
gives ``i``); the outcome is :math:`\sum_j y_j` (a :class:`~bargainjax.SeparableHull` with one
part per player).  Players are ``0..n-1`` in code and a coalition is a bitmask (bit ``i - 1``
is the report's player ``i``).

**Effective vectors.**  Given a matrix :math:`A \in \mathbb{R}^{n \times n}` of what each player
``j'`` outside a coalition contributes to each player ``i`` (``A[j', i]``, with
:math:`A_{j',i} \in \{x_{j',i} : x_{j'} \in F_{j'}\}`), the coalition ``P`` can guarantee
(report §6.2, the definition of :math:`\nu^A`)

.. math:: \nu^A(P) = \{x : \exists y_j \in F_j\ (j \in P):\ x_i \le \textstyle\sum_{j \in P}
   y_{j,i} + \sum_{j' \notin P} A_{j',i}\ \ \forall i \in P\}.

* ``outside="alpha"`` — the **α-core** (report §6.2, :math:`\nu^\alpha`, worst-case responses).
  With additively separable utilities the outsiders' worst case for each member ``i`` is
  attained separately, :math:`\min_{\sigma_{-P}} u_i = \sum_{j \in P} y_{j,i} + \sum_{j' \notin
  P} \min_k V_{j'}[k, i]`, so :math:`\nu^\alpha = \nu^{A^\alpha}` with the entrywise minima
  :math:`A^\alpha_{j,i} = \min_k V_j[k, i]` (:func:`alpha_matrix`).
* ``outside="nash"`` — the **Nash-equilibrium core** :math:`C^{NE}`: row ``j`` is the option
  maximising :math:`V_j[k, j]` (:func:`nash_matrix`).
* ``outside="pareto"`` — the matrix of **eq. (62)**, worst-case Pareto-optimal contributions
  (:func:`pareto_matrix`); Theorem 65: this :math:`A`-core is never empty.
* an ``(n, n)`` array — the :math:`A`-core :math:`C^A` of that matrix.

Since :math:`A^\alpha \le A` entrywise for every admissible ``A``, :math:`\nu^\alpha(P) \subseteq
\nu^A(P)` and :math:`C^A \subseteq C^\alpha` (Proposition 63).

**Blocking LP** (one per coalition; all coalitions' LPs are batched with ``vmap`` over
:func:`~bargainjax.solve_lp`).  ``P`` blocks ``x`` (Definition 62) iff some :math:`y \in \nu^A(P)` has :math:`y_i > x_i`
for all :math:`i \in P`, i.e. iff the margin

.. math:: t^*_P(x) = \max\{t : \exists y_j \in F_j\ (j \in P),\ \textstyle\sum_{j \in P} y_{j,i}
   + \sum_{j' \notin P} A_{j',i} - x_i \ge t\ \ \forall i \in P\}

is positive.  For ``P = N`` the outsiders' term is empty and :math:`t^*_N(x) \ge 0` iff
:math:`x \in \nu(N)`.  So :math:`x \in C^A` iff :math:`t^*_N(x) \ge 0` and :math:`t^*_P(x) \le 0`
for every ``P`` (``N`` included: ``x`` is weakly Pareto optimal).  The LP's duals on the rows
``i \in P`` are a supporting weight :math:`\lambda \in \Delta_P`, and by LP duality
:math:`t^*_P(x) = \min_{\lambda \in \Delta_P} h_P(\lambda) - \lambda \cdot x_P` with the support
function :math:`h_P(\lambda) = \sum_{j \in P} \max_k \lambda \cdot V_j[k, P] + \lambda \cdot
\sum_{j' \notin P} A_{j', P}`.

**Non-emptiness** (:func:`bargainjax.experimental.core_nonempty`, host-side).  Not being
blocked by ``P`` is preserved by raising
payoffs, so the core is non-empty iff some :math:`x \in F` is blocked by no proper coalition
(then a weakly Pareto-optimal :math:`x' \ge x` in ``F`` is in the core).  The minimum over
:math:`\lambda` above is attained at a vertex of the linearity cells of :math:`h_P` on the simplex;
each such vertex is orthogonal to :math:`|P| - 1` independent vectors among the option differences
:math:`V_j[k, P] - V_j[k', P]` (``j \in P``) and the unit vectors (the simplex's faces).  With
these finitely many candidate normals :math:`\Lambda_P`,

.. math:: \mu^* = \max_{x \in F}\ \min_{P \ne N}\ \max_{\lambda \in \Lambda_P}
   \big(\lambda \cdot x_P - h_P(\lambda)\big) = \max_{x \in F} \min_{P \ne N} -t^*_P(x)

is the maximum over one LP per choice of one candidate for every proper coalition (a batch of
LPs).  The core is non-empty iff :math:`\mu^* \ge 0`; :math:`-\mu^*` is the least amount by which
every feasible point is blocked (a least-core excess).  The number of choices grows quickly
with ``n``: exact for ``n = 2, 3`` and small ``n = 4`` games (``max_candidates``, ``max_players``).

**Stable disagreement point** (report §6.2 after Example 66):
:math:`d_j = \max\{x_j : x \in \nu^A(\{j\})\} = \max_k V_j[k, j] + \sum_{i \ne j} A_{i,j}`, with
``A`` of eq. (62) (:func:`stable_disagreement`).

Everything in this module works under ``jit`` and ``vmap``; the coalition enumeration is static
in ``n``.  The exact non-emptiness test, which enumerates candidate normals from concrete data, is
host-side: :func:`bargainjax.experimental.core_nonempty`.

**Units and the result contract.**  Every LP is posed in unit coordinates: each player's total
payoff is centred (the centre split evenly over the parts) and all are divided by one common
half-range, computed without forming a sum or difference that could overflow.  Margins are
common payoff amounts, so they are mapped back with that common scale: margins, certificates and
statuses are invariant under common positive affine maps of the payoffs (the core itself, and
eq. 62's supported options, under per-player ones in exact arithmetic).  Each result carries
``certificate`` (the largest :class:`~bargainjax.LPSolution` certificate of its LPs,
dimensionless), ``tol``, ``status`` (from :func:`bargainjax.certify`) and ``num_steps`` (pivots).

**Work caps.**  The membership test solves ``2**n - 1`` LPs and eq. (62) ``n K 2**n``: they
refuse more than ``max_players`` players (default 10) with a one-line ``ValueError`` naming the
keyword.  :func:`bargainjax.experimental.core_nonempty` refuses more than ``max_players = 4`` players,
and more than ``max_candidates`` choices of supporting normals, before solving anything.

Batching: every LP of this module for one game (blocking, eq. 62 support and non-emptiness LPs)
is padded to one common shape (zero columns, ``0 x <= 0`` / ``0 x = 0`` rows, which change neither
solution nor certificate) and solved in batches of 128, so one compilation of the LP solver
serves all of them (compilation, not solving, dominates the cost of these small LPs).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _contract as _status
from bargainjax.core import _validate as v
from bargainjax.coalitions._algebra import members
from bargainjax.sets._feasible import SeparableHull
from bargainjax.games._normal_form import SeparableGame
from bargainjax.solvers._lp import solve_lp

_MAX_PLAYERS = 10  # 2**10 - 1 coalition LPs per membership test
_OUTSIDE_KINDS = ("alpha", "nash", "pareto")


# --------------------------------------------------------------------------------- inputs


def _parts(F, max_players=None) -> tuple:
    """The per-player option tables of ``F`` (a SeparableHull, SeparableGame or sequence).

    ``max_players`` (``None``: no cap) refuses games whose work grows like ``2**n``."""
    if isinstance(F, SeparableGame):
        parts = tuple(F.contributions)
    elif isinstance(F, SeparableHull):
        parts = tuple(F.parts)
    elif isinstance(F, (list, tuple)) and len(F) > 0:
        parts = tuple(v.as_array(p, f"F[{j}]", ndim=2) for j, p in enumerate(F))
    else:
        raise ValueError(
            "`F` must be a SeparableHull, a SeparableGame or a sequence of (K_j, n) option "
            f"tables, got {type(F).__name__}"
        )
    n = parts[0].shape[-1]
    if len(parts) != n:
        raise ValueError(
            f"`F` must have one part per player (n = {n} payoff columns), got {len(parts)} parts"
        )
    if n < 2:
        raise ValueError(f"`F` must have at least 2 players, got n = {n}")
    if max_players is not None:
        v.work_cap(n, max_players, "max_players",
                   f"`F` has n = {n} players (the coalition enumeration solves about 2**n LPs)")
    for j, p in enumerate(parts):
        if p.ndim != 2 or p.shape[1] != n or p.shape[0] < 1:
            raise ValueError(f"`F[{j}]` must have shape (K_{j}, {n}), got {tuple(p.shape)}")
        v.finite(p, f"F[{j}]")
    dt = jnp.result_type(*parts, float)
    return tuple(jnp.asarray(p, dt) for p in parts)


def _payoff_vector(x, n, dtype, name="payoffs"):
    x = v.as_array(x, name, ndim=1)
    v.shape(x, (n,), name)
    v.finite(x, name)
    return jnp.asarray(x, dtype)


class _Outside(NamedTuple):
    """The outsiders' matrix in payoff units and in the game's unit coordinates, with the
    certificate, degeneracy flag and pivots of computing it (eq. 62's LPs; zeros otherwise)."""

    matrix: jax.Array
    unit: jax.Array
    certificate: jax.Array
    degenerate: jax.Array
    steps: jax.Array
    finite: jax.Array


def _units(parts):
    """Units of a separable game: one common half-range ``s`` and a per-player centre split
    evenly over the parts (``c_i / n`` each), from the per-part bounds (no sum of payoffs is
    formed, so nothing overflows).  In unit coordinates ``V̂_j = (V_j - c/n) / s`` the total
    payoffs are ``(u - c) / s`` with entries of order ``n``; margins are common payoff amounts,
    so the scale is common (margins are invariant under common affine maps only; membership
    itself under per-player ones).  Returns ``(unit parts, PlayerScale)``."""
    n = len(parts)
    lo = sum(jnp.min(p, axis=0) / n for p in parts)
    hi = sum(jnp.max(p, axis=0) / n for p in parts)
    units = _status.PlayerScale.from_bounds(lo, hi, common=True)
    units = _status.PlayerScale(units.center[None, :], units.scale[:1, None])
    return tuple(units.unit(p) for p in parts), units


def _unit_payoffs(units, x):
    """``(x - c) / s`` for a payoff vector (``n`` times the per-part unit of ``x / n``)."""
    n = x.shape[-1]
    return n * units.unit(x[None, :] / n)[0]


def _to_payoffs(units, t):
    """A common payoff amount in unit coordinates (a margin) back in payoff units."""
    return _status.PlayerScale(jnp.zeros((), t.dtype), units.scale[0, 0]).rescale(t)


def _matrix(parts, parts_u, units, outside, tol):
    """The outsiders' matrix ``A`` (:class:`_Outside`)."""
    n = len(parts)
    dt = parts[0].dtype
    zero, ok = jnp.zeros((), dt), jnp.asarray(False)
    steps0 = jnp.asarray(0, jnp.int32)
    if isinstance(outside, str):
        if outside == "alpha":
            A = alpha_matrix(parts)
            return _Outside(A, units.unit(A), zero, ok, steps0, jnp.asarray(True))
        if outside == "nash":
            A = nash_matrix(parts)
            return _Outside(A, units.unit(A), zero, ok, steps0, jnp.asarray(True))
        if outside == "pareto":
            res = _pareto_impl(parts, parts_u, jnp.asarray(tol, dt))
            return _Outside(res.matrix, units.unit(res.matrix), res.certificate,
                            res.status == _status.Status.DEGENERATE, res.num_steps,
                            res.status != _status.Status.NONFINITE)
        raise ValueError(f"`outside` must be one of {_OUTSIDE_KINDS} or an (n, n) array, "
                         f"got {outside!r}")
    A = v.as_array(outside, "outside", ndim=2)
    v.shape(A, (n, n), "outside")
    v.finite(A, "outside")
    if v.is_concrete(A):
        lo = np.stack([np.min(np.asarray(p), axis=0) for p in parts])
        hi = np.stack([np.max(np.asarray(p), axis=0) for p in parts])
        slack = 1e-9 * np.maximum(np.abs(lo), np.abs(hi))  # relative: any units
        bad = (np.asarray(A) < lo - slack) | (np.asarray(A) > hi + slack)
        if np.any(bad):
            j, i = map(int, np.argwhere(bad)[0])
            raise ValueError(
                f"`outside`[{j}, {i}] = {float(A[j, i])} is not a payoff player {j + 1} can give "
                f"player {i + 1} (range [{lo[j, i]}, {hi[j, i]}]; report §6.2 requires "
                "A_(j,i) in {x_(j,i) : x_j in F_j})"
            )
    A = jnp.asarray(A, dt)
    return _Outside(A, units.unit(A), zero, ok, steps0, jnp.all(jnp.isfinite(A)))


def _coalition(coalition, n):
    if not isinstance(coalition, (int, np.integer)) or isinstance(coalition, bool):
        raise ValueError(f"`coalition` must be an integer bitmask, got {coalition!r}")
    if coalition == 0:
        raise ValueError("`coalition` must be non-empty (bitmask 0 is the empty coalition)")
    if not 0 < coalition < 2**n:
        raise ValueError(f"`coalition` must be a bitmask in 1..{2**n - 1} for n = {n}, "
                         f"got {coalition}")
    return int(coalition)



# ------------------------------------------------------------------------------ LP engine

_BATCH = 128  # LPs per compiled call


@jax.jit
def _engine(c, A_ub, b_ub, A_eq, b_eq, tol):
    return jax.vmap(lambda c, Au, bu, Ae, be, t: solve_lp(c, Au, bu, Ae, be, tol=t))(
        c, A_ub, b_ub, A_eq, b_eq, tol)


def _common_shape(parts):
    """(variables, inequality rows, equality rows) that every LP of this module fits into for
    this game: blocking LPs, eq. (62) support LPs and (n <= 4) the non-emptiness LPs."""
    n = len(parts)
    nvar = sum(p.shape[0] for p in parts) + 2
    k_max = max(p.shape[0] for p in parts)
    m_ub = max(n, 2 * n + k_max, 2**n - 2 if n <= 4 else 0)
    return nvar, m_ub, n


def _solve_batch(parts, lps, tol):
    """Solve a batch of LPs ``(c, A_ub, b_ub, A_eq, b_eq)`` (leading axis ``L``).

    Every LP is padded to the game's common shape (zero columns, ``0 x <= 0`` and ``0 x = 0``
    rows, which change neither the solution nor the certificate) and the batch to multiples of
    ``_BATCH`` (copies of the first LP), so that one compiled solver serves all the LPs of a
    game shape; the padding is cut off the result.
    """
    L, nv0 = lps[0].shape
    mu0, me0 = lps[2].shape[1], lps[4].shape[1]
    B = -(-L // _BATCH) * _BATCH
    padded = _pad_lps(parts, lps, jnp.asarray(tol, lps[0].dtype))
    outs = [_engine(*[a[q:q + _BATCH] for a in padded]) for q in range(0, B, _BATCH)]
    return _unpad(outs, L, nv0, mu0, me0)


@functools.partial(jax.jit, static_argnums=(1, 2, 3, 4))
def _unpad(outs, L, nv0, mu0, me0):
    sol = jax.tree_util.tree_map(lambda *a: jnp.concatenate(a)[:L], *outs)
    return sol._replace(x=sol.x[:, :nv0], dual_ub=sol.dual_ub[:, :mu0],
                        dual_eq=sol.dual_eq[:, :me0])


@jax.jit
def _pad_lps(parts, lps, tol):
    c, A_ub, b_ub, A_eq, b_eq = lps
    L, nv0 = c.shape
    mu0, me0 = b_ub.shape[1], b_eq.shape[1]
    nvar, m_ub, m_eq = _common_shape(parts)
    nvar, m_ub, m_eq = max(nvar, nv0), max(m_ub, mu0), max(m_eq, me0)
    B = -(-L // _BATCH) * _BATCH

    def pad(a, shape):
        a = jnp.concatenate([a, jnp.repeat(a[:1], B - L, axis=0)], axis=0)
        return jnp.pad(a, [(0, 0)] + [(0, t - d) for d, t in zip(a.shape[1:], shape)])

    c, A_ub, b_ub = pad(c, (nvar,)), pad(A_ub, (m_ub, nvar)), pad(b_ub, (m_ub,))
    A_eq, b_eq = pad(A_eq, (m_eq, nvar)), pad(b_eq, (m_eq,))
    return c, A_ub, b_ub, A_eq, b_eq, jnp.broadcast_to(tol, (B,))


# ------------------------------------------------------------------------------- matrices


def alpha_matrix(F) -> jax.Array:
    r"""Worst-case contributions :math:`A^\alpha_{j,i} = \min_k V_j[k, i]`, ``(n, n)``.

    The α-effective vectors of report §6.2 (worst-case responses of the outsiders) are the
    :math:`A^\alpha`-effective ones in an additively separable game: each outsider's worst
    response against member ``i`` can be chosen separately for each ``i`` (see the module
    docstring).  Rows: contributing player; columns: receiving player.
    """
    parts = _parts(F)
    return jnp.stack([jnp.min(p, axis=0) for p in parts])


def nash_matrix(F) -> jax.Array:
    r"""Nash-equilibrium contributions, ``(n, n)``: row ``j`` is :math:`V_j[k_j]`,
    :math:`k_j = \arg\max_k V_j[k, j]` (report §6.2, :math:`A_i \in \arg\max_{x_i \in F_i}
    x_{i,i}`).

    In an additively separable game each player's own payoff depends only on their own choice,
    so this is the Nash equilibrium.  Where a player is indifferent between options with
    different contributions, the first (lowest-index) one is taken: the equilibrium, and the
    NE core, then depend on that choice; pass the matrix you mean as ``outside`` instead.
    """
    parts = _parts(F)
    return jnp.stack([p[jnp.argmax(p[:, j])] for j, p in enumerate(parts)])


class ParetoMatrix(NamedTuple):
    """Result of :func:`pareto_matrix` (eq. 62).

    Attributes:
        matrix: ``(n, n)`` :math:`A_{i,j}`, what player ``i`` gives ``j`` in the worst case
            over coalitions ``P ∋ i`` and their Pareto-optimal strategies (entries of the
            option tables themselves, so exact in payoff units).
        supported: ``(n, K_max)`` whether option ``k`` of player ``i`` is used by some
            Pareto-optimal strategy of some coalition containing ``i`` (padding entries repeat
            the last option).
        margin: ``(n, K_max, 2**n)`` the support LP's value :math:`\\tau^*` (a weight, so
            dimensionless; ``-inf`` where infeasible or ``i ∉ P``); ``supported`` is
            ``margin > tol``.
        primal_residual, dual_residual, gap: ``()`` largest LP diagnostics over the feasible LPs.
        certificate: ``()`` the largest :class:`~bargainjax.LPSolution` certificate (relative
            residuals and gap, dimensionless) over the support LPs that are not infeasible
            (infeasible ones are expected: the option is then not supported).  It bounds the
            error of every :math:`\\tau^*`.  The LPs see the game in unit coordinates (one
            common scale), so ``margin``, ``certificate`` and ``status`` are invariant under
            common positive affine maps of the payoffs and ``matrix`` maps along; which
            options are supported is invariant under per-player ones in exact arithmetic.
        tol: ``()`` the tolerance it was held to (request plus the LP rounding floor).
        status: ``()`` :class:`bargainjax.Status` from :func:`bargainjax.certify`
            (``DEGENERATE`` when some player has no supported option).
        num_steps: ``()`` simplex pivots over all support LPs.
    """

    matrix: jax.Array
    supported: jax.Array
    margin: jax.Array
    primal_residual: jax.Array
    dual_residual: jax.Array
    gap: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array


def _padded(parts):
    K = max(p.shape[0] for p in parts)
    return jnp.stack([
        jnp.concatenate([p, jnp.repeat(p[-1:], K - p.shape[0], axis=0)], axis=0) for p in parts
    ])  # (n, K, n)


def pareto_matrix(F, *, tol: float | None = None,
                  max_players: int = _MAX_PLAYERS) -> ParetoMatrix:
    r"""The matrix of report eq. (62): worst-case Pareto-optimal contributions.

    .. math:: A_{i,j} = \min_{P \ni i}\ \min_{\sigma_P \in \Sigma^H_P} u_{i,j}(\sigma_i).

    A strategy profile of ``P`` is Pareto optimal (for the members' payoffs) iff it maximises
    :math:`\lambda \cdot \sum_{j \in P} y_{j,P}` for some :math:`\lambda > 0` (polytopes), and
    that argmax is the product of the members' own argmaxes (separability).  So the options of
    ``i`` used by Pareto-optimal profiles of ``P`` are those maximising :math:`\lambda \cdot
    V_i[k, P]` for some :math:`\lambda > 0`, and the minimum of the linear :math:`u_{i,j}` over
    such faces is attained at such an option.  For every ``(i, k, P ∋ i)`` one LP (all in one
    batched :func:`~bargainjax.solve_lp` call) finds

    .. math:: \tau^* = \max\{\tau : \lambda \in \Delta_P,\ \lambda_m \ge \tau\ (m \in P),\
       \lambda \cdot (V_i[k', P] - V_i[k, P]) \le 0\ \forall k'\},

    and option ``k`` counts iff :math:`\tau^* > ` ``tol`` (the LP is infeasible when no
    :math:`\lambda \ge 0` makes ``k`` a maximiser).  Then :math:`A_{i,j}` is the least
    :math:`V_i[k, j]` over the options that count.

    Args:
        F: a :class:`~bargainjax.SeparableHull` / :class:`~bargainjax.SeparableGame` with one
            part per player, or the sequence of option tables ``(K_j, n)``.
        tol: threshold on :math:`\tau^*` and LP tolerance (default
            ``default_tol(dtype, "lp")``: ``1e-9`` in float64, ``1e-5`` in float32).
        max_players: refuse games with more players (``n K 2**n`` LPs); default 10.

    Returns:
        :class:`ParetoMatrix`.

    Raises:
        ValueError: ``F`` not separable with one part per player, more than ``max_players``
            players, non-finite tables (when concrete), a non-positive ``tol``.
    """
    parts = _parts(F, max_players)
    tol = _status.resolve_tol(tol, parts[0].dtype, "lp")
    parts_u, _ = _units(parts)
    return _pareto_impl(parts, parts_u, jnp.asarray(tol, parts[0].dtype))


def _pareto_impl(parts, parts_u, tol):
    lps, meta = _pareto_lps(parts_u)
    return _pareto_finish(parts, _solve_batch(parts_u, lps, tol), meta, tol)


@jax.jit
def _pareto_lps(parts):
    n = len(parts)
    dt = parts[0].dtype
    V = _padded(parts)  # (n, K, n)
    K = V.shape[1]
    mem = jnp.asarray(members(n), dt)  # (2**n, n)

    def one(i, k, mask):
        diff = (V[i] - V[i, k][None, :]) * mask[None, :]  # (K, n)
        eye = jnp.eye(n, dtype=dt)
        tau_rows = jnp.concatenate([-eye * mask[:, None], mask[:, None]], axis=1)
        out_rows = jnp.concatenate([eye * (1.0 - mask)[:, None], jnp.zeros((n, 1), dt)], axis=1)
        opt_rows = jnp.concatenate([diff, jnp.zeros((K, 1), dt)], axis=1)
        A_ub = jnp.concatenate([tau_rows, out_rows, opt_rows], axis=0)
        b_ub = jnp.zeros((2 * n + K,), dt)
        A_eq = jnp.concatenate([mask, jnp.zeros((1,), dt)])[None, :]
        c = jnp.zeros((n + 1,), dt).at[n].set(1.0)
        return c, A_ub, b_ub, A_eq, jnp.ones((1,), dt)

    ii, kk, SS = jnp.meshgrid(jnp.arange(n), jnp.arange(K), jnp.arange(2**n), indexing="ij")
    ii, kk, SS = ii.ravel(), kk.ravel(), SS.ravel()
    return jax.vmap(one)(ii, kk, mem[SS]), (ii, SS)


@jax.jit
def _pareto_finish(parts, sol, meta, tol):
    n = len(parts)
    dt = parts[0].dtype
    V = _padded(parts)
    K = V.shape[1]
    mem = jnp.asarray(members(n), dt)
    ii, SS = meta
    contains = mem[SS, ii] > 0
    ok = sol.status == _status.Status.SUCCESSFUL
    margin = jnp.where(contains & ok, sol.value, -jnp.inf).reshape(n, K, 2**n)
    supported = jnp.any(margin > tol, axis=2)  # (n, K)
    vals = jnp.where(supported[:, :, None], V, jnp.inf)
    matrix = jnp.min(vals, axis=1)
    used = contains & ok
    counted = contains & (sol.status != _status.Status.INFEASIBLE)

    def worst(a):
        return jnp.max(jnp.where(used, a, 0.0))

    certificate = jnp.max(jnp.where(counted, sol.certificate, 0.0))
    finite = jnp.all(jnp.stack([jnp.all(jnp.isfinite(p)) for p in parts]))
    status, tol_eff = _status.certify(
        certificate, tol, floor=_lp_floor(dt), inputs_finite=finite,
        degenerate=~jnp.all(jnp.any(supported, axis=1)))
    return ParetoMatrix(matrix, supported, margin, worst(sol.primal_residual),
                        worst(sol.dual_residual), worst(sol.gap), certificate, tol_eff, status,
                        jnp.sum(sol.num_steps).astype(jnp.int32))


def _lp_floor(dtype):
    return 16 * float(jnp.finfo(dtype).eps)


# ----------------------------------------------------------------------------- blocking LPs


def _blocking_lps(parts, A, x, masks, tol):
    """One blocking LP per row of ``masks`` ``(C, n)``: max t s.t. members' payoffs - x >= t."""
    owner = np.concatenate([np.full(p.shape[0], j) for j, p in enumerate(parts)])
    return _solve_batch(parts, _blocking_build(parts, A, x, masks), tol), owner


@jax.jit
def _blocking_build(parts, A, x, masks):
    dt = parts[0].dtype
    n = len(parts)
    Vall = jnp.concatenate(parts, axis=0)  # (sum K, n)
    owner = np.concatenate([np.full(p.shape[0], j) for j, p in enumerate(parts)])
    own = jnp.asarray(owner[None, :] == np.arange(n)[:, None], dt)  # (n, sum K)
    nv = Vall.shape[0]
    c = jnp.zeros((nv + 2,), dt).at[nv].set(1.0).at[nv + 1].set(-1.0)
    A_eq = jnp.concatenate([own, jnp.zeros((n, 2), dt)], axis=1)
    b_eq = jnp.ones((n,), dt)

    def one(mask):
        member_var = own.T @ mask  # (sum K,) 1 for members' options
        outside = (1.0 - mask) @ A  # (n,) what the outsiders give each player
        rows = -(Vall * member_var[:, None]).T * mask[:, None]  # (n, sum K)
        A_ub = jnp.concatenate([rows, mask[:, None], -mask[:, None]], axis=1)
        b_ub = mask * (outside - x)
        return c, A_ub, b_ub, A_eq, b_eq

    return jax.vmap(one)(masks)


def _threshold(parts, x, tol):
    """Margin threshold in unit coordinates (``parts``, ``x`` unit): ``tol`` times the LP data
    scale there, which is of order ``n`` whatever the payoffs' units."""
    scale = 1.0 + jnp.max(jnp.abs(x)) + sum(jnp.max(jnp.abs(p)) for p in parts)
    return tol * scale


def _split(z, parts):
    out, start = [], 0
    for p in parts:
        out.append(z[start:start + p.shape[0]])
        start += p.shape[0]
    return tuple(out)


class CoreMembership(NamedTuple):
    """Result of :func:`core_membership`.

    Attributes:
        in_core: ``()`` bool: ``x ∈ ν(N)`` (``feasibility_margin >= -thr``) and no coalition
            blocks it (every margin ``<= thr``), with ``thr = tol (1 + max|x̂| + Σ_j max|V̂_j|)``
            times the common payoff half-range, the hats denoting unit coordinates (the
            payoffs centred and divided by the common half-range); ``False`` unless
            ``status`` is ``SUCCESSFUL``.
        feasibility_margin: ``()`` :math:`t^*_N(x)` (payoff units); ``>= 0`` iff ``x`` is
            feasible (weakly below a point of ``F``), ``> 0`` iff the grand coalition blocks it.
        margins: ``(2**n,)`` :math:`t^*_P(x)` by coalition bitmask (``-inf`` at ``0``).
        blocking_coalition: ``()`` int32 bitmask of the coalition with the largest margin if
            that margin exceeds ``thr``, else ``0``.
        blocking_margin: ``()`` that largest margin (over all non-empty coalitions).
        blocking_strategy: tuple of ``(K_j,)`` mixed options of the members of the coalition
            with the largest margin that achieve it (zeros for non-members).
        primal_residual, dual_residual, gap: ``()`` the largest LP diagnostics over coalitions
            (unit coordinates).
        certificate: ``()`` the largest :class:`~bargainjax.LPSolution` certificate over the
            coalition LPs (and eq. 62's, for ``outside="pareto"``): dimensionless relative
            residuals and gaps of LPs posed in unit coordinates, so the margins' error is about
            ``certificate × n`` half-ranges.  Margins and status are invariant under common
            positive affine maps of all payoffs (and of ``payoffs``, ``outside``); the verdict
            ``in_core`` under per-player ones in exact arithmetic.
        tol: ``()`` the tolerance it was held to (request plus the LP rounding floor).
        status: ``()`` :class:`bargainjax.Status` from :func:`bargainjax.certify`.
        num_steps: ``()`` simplex pivots over all the LPs solved.
    """

    in_core: jax.Array
    feasibility_margin: jax.Array
    margins: jax.Array
    blocking_coalition: jax.Array
    blocking_margin: jax.Array
    blocking_strategy: tuple
    primal_residual: jax.Array
    dual_residual: jax.Array
    gap: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array


def core_membership(F, payoffs, outside="alpha", *, tol: float | None = None,
                    max_players: int = _MAX_PLAYERS) -> CoreMembership:
    r"""Is the payoff vector ``payoffs`` in the core :math:`C^A` (report Definition 62)?

    Solves the blocking LP of every non-empty coalition (module docstring; :math:`2^n - 1` LPs
    in one batched :func:`~bargainjax.solve_lp` call) and returns the margins, the coalition
    that blocks most, how it does so, and the LP certificates.  The LPs are posed in unit
    coordinates (payoffs centred per player and divided by one common half-range, computed
    without overflow), and the margins mapped back to payoff units.

    Args:
        F: separable feasible set with one part per player (:func:`~bargainjax.separable_set`,
            a :class:`~bargainjax.SeparableGame` or a sequence of ``(K_j, n)`` tables).
        payoffs: ``(n,)`` the payoff vector ``x`` to test.
        outside: what players outside a coalition contribute: ``"alpha"`` (α-core),
            ``"nash"`` (Nash-equilibrium core), ``"pareto"`` (eq. 62) or an ``(n, n)`` matrix
            ``A`` (row: contributor, column: receiver) with each ``A[j, i]`` a payoff player
            ``j`` can give ``i``.
        tol: relative tolerance of the LPs and of the margins (default
            ``default_tol(dtype, "lp")``: ``1e-9`` in float64, ``1e-5`` in float32).
        max_players: refuse games with more players (``2**n - 1`` LPs); default 10.

    Returns:
        :class:`CoreMembership`.

    Raises:
        ValueError: ``F`` not separable with one part per player, fewer than 2 or more than
            ``max_players`` players, ``payoffs`` of the wrong shape or not finite, an unknown
            ``outside`` or a matrix of the wrong shape or with an entry no option gives, a
            non-positive ``tol``.

    Examples:
        Report Example 64: the NBS is blocked by players 1 and 2 (bitmask ``0b011``), the
        vector ``(5, 5, 3)`` is in the α-core.

        >>> import jax.numpy as jnp, bargainjax as bj
        >>> F = bj.separable_set([
        ...     jnp.array([[3.0, 0, 0], [2.5, 2.5, 0], [2, 2, 2]]),
        ...     jnp.array([[0.0, 3, 0], [2.5, 2.5, 0], [2, 2, 2]]),
        ...     jnp.array([[0.0, 0, 3], [0.5, 0.5, 0], [0.5, 0.5, 0]])])
        >>> r = bj.core_membership(F, jnp.array([13, 13, 17]) / 3)
        >>> bool(r.in_core), int(r.blocking_coalition), round(float(r.blocking_margin), 5)
        (False, 3, 0.66667)
        >>> bool(bj.core_membership(F, jnp.array([5.0, 5.0, 3.0])).in_core)
        True
    """
    parts = _parts(F, max_players)
    n = len(parts)
    dt = parts[0].dtype
    tol = _status.resolve_tol(tol, dt, "lp")
    x = _payoff_vector(payoffs, n, dt)
    parts_u, units = _units(parts)
    out = _matrix(parts, parts_u, units, outside, tol)
    tol = jnp.asarray(tol, dt)
    xu = _unit_payoffs(units, x)
    return _membership(parts_u, units, xu, out, tol, _coalition_lps(parts_u, xu, out.unit, tol))


def _coalition_lps(parts, x, A, tol):
    """The blocking LPs of all non-empty coalitions ``1..2**n - 1`` (one compile per shape)."""
    masks = jnp.asarray(members(len(parts))[1:], parts[0].dtype)
    return _blocking_lps(parts, A, x, masks, tol)[0]


@jax.jit
def _membership(parts, units, x, out, tol, sol):
    """Membership from the coalition LPs, all in unit coordinates; margins mapped back."""
    n = len(parts)
    dt = parts[0].dtype
    masks = jnp.asarray(members(n)[1:], dt)
    owner = np.concatenate([np.full(p.shape[0], j) for j, p in enumerate(parts)])
    thr = _threshold(parts, x, tol)
    best = jnp.argmax(sol.value)
    blocked = sol.value[best] > thr
    feasibility = sol.value[-1]
    member_var = jnp.asarray(owner, jnp.int32)
    s_best = sol.x[best, : len(owner)] * masks[best][member_var]
    certificate = jnp.maximum(jnp.max(sol.certificate), out.certificate)
    finite = jnp.all(jnp.isfinite(x)) & jnp.all(jnp.isfinite(out.unit)) & out.finite
    status, tol_eff = _status.certify(
        certificate, tol, floor=_lp_floor(dt), inputs_finite=finite,
        infeasible=jnp.any(sol.status == _status.Status.INFEASIBLE),
        degenerate=out.degenerate | jnp.any(sol.status == _status.Status.DEGENERATE))
    in_core = (feasibility >= -thr) & ~blocked
    margins = _to_payoffs(units, jnp.concatenate([jnp.full((1,), -jnp.inf, dt), sol.value]))
    return CoreMembership(
        in_core=in_core & (status == 0),
        feasibility_margin=_to_payoffs(units, feasibility),
        margins=margins,
        blocking_coalition=jnp.where(blocked, best + 1, 0).astype(jnp.int32),
        blocking_margin=_to_payoffs(units, sol.value[best]),
        blocking_strategy=_split(s_best, parts),
        primal_residual=jnp.max(sol.primal_residual),
        dual_residual=jnp.max(sol.dual_residual),
        gap=jnp.max(sol.gap),
        certificate=certificate,
        tol=tol_eff,
        status=status,
        num_steps=(jnp.sum(sol.num_steps) + out.steps).astype(jnp.int32),
    )


class BlockingMargin(NamedTuple):
    """Result of :func:`blocking_margin`: one coalition's blocking LP.

    Attributes:
        margin: ``()`` :math:`t^*_P(x)` (payoff units): the coalition can give every member
            ``x_i + margin``.
        payoffs: ``(n,)`` the members' payoffs achieved (others: what the outside matrix gives).
        strategy: tuple of ``(K_j,)`` members' mixed options (zeros for non-members).
        weights: ``(n,)`` the LP's dual: a supporting weight :math:`\\lambda \\in \\Delta_P`.
        primal_residual, dual_residual, gap: the LP's diagnostics (unit coordinates).
        certificate: ``()`` the LP's certificate (and eq. 62's, for ``outside="pareto"``):
            dimensionless; the margin's error is about ``certificate × n`` common half-ranges.
            Margin and status are invariant under common positive affine maps of the payoffs.
        tol, status, num_steps: the contract fields (status from :func:`bargainjax.certify`).
    """

    margin: jax.Array
    payoffs: jax.Array
    strategy: tuple
    weights: jax.Array
    primal_residual: jax.Array
    dual_residual: jax.Array
    gap: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array


def blocking_margin(F, payoffs, coalition: int, outside="alpha", *,
                    tol: float | None = None, max_players: int = _MAX_PLAYERS) -> BlockingMargin:
    r"""The blocking LP of one coalition: how much more than ``payoffs`` it can guarantee all
    its members (report §6.2, :math:`\nu^A(P)`; module docstring).

    With ``payoffs = 0`` the margin is the largest amount the coalition can guarantee each of
    its members at once (e.g. 5 for players 1 and 2 in report Example 64).

    Args:
        F, payoffs, outside, tol, max_players: as in :func:`core_membership`.
        coalition: non-empty bitmask (static Python int; bit ``i - 1`` is player ``i``).

    Returns:
        :class:`BlockingMargin`.

    Raises:
        ValueError: as :func:`core_membership`, and an empty or out-of-range ``coalition``.
    """
    parts = _parts(F, max_players)
    n = len(parts)
    dt = parts[0].dtype
    coalition = _coalition(coalition, n)
    tol = _status.resolve_tol(tol, dt, "lp")
    x = _payoff_vector(payoffs, n, dt)
    parts_u, units = _units(parts)
    out = _matrix(parts, parts_u, units, outside, tol)
    mask = jnp.asarray(members(n)[coalition], dt)
    tol = jnp.asarray(tol, dt)
    xu = _unit_payoffs(units, x)
    # All coalitions' LPs (the batch core_membership compiles), then the one asked for.
    sol = jax.tree_util.tree_map(lambda a: a[coalition - 1],
                                 _coalition_lps(parts_u, xu, out.unit, tol))
    owner = np.concatenate([np.full(p.shape[0], j) for j, p in enumerate(parts)])
    strategy = _split(sol.x[: len(owner)] * mask[jnp.asarray(owner, jnp.int32)], parts)
    achieved = sum(si @ p for si, p in zip(strategy, parts)) + (1.0 - mask) @ out.matrix
    certificate = jnp.maximum(sol.certificate, out.certificate)
    finite = jnp.all(jnp.isfinite(xu)) & jnp.all(jnp.isfinite(out.unit)) & out.finite
    status, tol_eff = _status.certify(
        certificate, tol, floor=_lp_floor(dt), inputs_finite=finite,
        infeasible=sol.status == _status.Status.INFEASIBLE,
        degenerate=out.degenerate | (sol.status == _status.Status.DEGENERATE))
    return BlockingMargin(
        _to_payoffs(units, sol.value), achieved, strategy, sol.dual_ub * mask,
        sol.primal_residual, sol.dual_residual, sol.gap, certificate, tol_eff, status,
        sol.num_steps + out.steps,
    )


# ------------------------------------------------------------------------ disagreement point


class StableDisagreement(NamedTuple):
    """Result of :func:`stable_disagreement`.

    Attributes:
        point: ``(n,)`` :math:`d_j = \\max_k V_j[k, j] + \\sum_{i \\ne j} A_{i,j}` (payoff
            units; a closed form in the option tables and ``A``).
        matrix: ``(n, n)`` the outsiders' matrix ``A`` used.
        certificate: ``()`` the certificate of computing ``A``: eq. (62)'s
            :class:`ParetoMatrix` certificate for ``outside="pareto"``, ``0`` otherwise (closed
            forms).
        tol, status, num_steps: the contract fields (status from :func:`bargainjax.certify`;
            ``num_steps`` the eq. 62 LP pivots, ``0`` for closed forms).
    """

    point: jax.Array
    matrix: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array


def stable_disagreement(F, outside="pareto", *, tol: float | None = None,
                        max_players: int = _MAX_PLAYERS) -> StableDisagreement:
    r"""The disagreement point proposed in report §6.2 after Example 66.

    .. math:: d_j = \max\{x_j : x \in \nu^A(\{j\})\} = \max_{\sigma_j} u_{j,j}(\sigma_j) +
       \sum_{i \ne j} A_{i,j},

    with ``A`` of eq. (62) by default: the best ``j`` can do alone against worst-case
    Pareto-optimal behaviour of the others.  With ``outside="nash"`` this is the Nash
    equilibrium payoff vector, with ``"alpha"`` each player's security level.  The point is
    equivariant under per-player positive affine maps of the payoffs whenever ``A`` is
    (``"alpha"``, ``"nash"``; ``"pareto"`` in exact arithmetic).

    Args:
        F, outside, tol, max_players: as in :func:`core_membership` (``max_players`` matters
            only for ``"pareto"``, whose LPs number ``n K 2**n``).

    Returns:
        :class:`StableDisagreement`.
    """
    parts = _parts(F, max_players if isinstance(outside, str) and outside == "pareto" else None)
    dt = parts[0].dtype
    tol = _status.resolve_tol(tol, dt, "lp")
    parts_u, units = _units(parts)
    out = _matrix(parts, parts_u, units, outside, tol)
    own_best = jnp.stack([jnp.max(p[:, j]) for j, p in enumerate(parts)])
    d = own_best + jnp.sum(out.matrix, axis=0) - jnp.diagonal(out.matrix)
    status, tol_eff = _status.certify(out.certificate, jnp.asarray(tol, dt),
                                      floor=_lp_floor(dt), inputs_finite=out.finite,
                                      degenerate=out.degenerate)
    return StableDisagreement(d, out.matrix, out.certificate, tol_eff, status, out.steps)
