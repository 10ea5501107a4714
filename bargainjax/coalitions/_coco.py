r"""Coalition fights and CoCo values (Kalai & Kalai; the post's n-player form).

Notation (Kalai & Kalai 2013 and the post): players :math:`N = \{0..n-1\}`, payoffs ``U`` of shape
``(n, |A_0|, ..., |A_{n-1}|)``, weights (virtual prices, "curnits per utilon") :math:`a > 0`,
coalitions as bitmasks (bit ``i`` is player ``i``) with :math:`-R = N \setminus R`.

**Coalition fights.**  For a coalition :math:`R` the *fight* is the zero-sum game in which
:math:`R` (jointly, correlated over :math:`\prod_{i \in R} A_i`) plays against :math:`-R` (jointly,
over :math:`\prod_{j \notin R} A_j`) for the money

.. math:: g_R(x) = \sum_{i \in R} a_i U_i(x) - \sum_{j \notin R} a_j U_j(x),

:math:`R` maximising, with value :math:`V_R(a) = \max_{\rho_R} \min_{\rho_{-R}} g_R`.  Since
:math:`g_{-R} = -g_R`, :math:`V_{-R} = -V_R` (the minimax theorem), so only one coalition of each
complementary pair is solved.  The grand coalition has no opponent:
:math:`V_N(a) = \max_x \sum_i a_i U_i(x)`, and :math:`V_\emptyset = -V_N`.

**CoCo value** (Kalai & Kalai 2013; the post, "N-Player Generalizations"):

.. math:: \varphi_i(a) = \sum_{R \ni i} \frac{(|R|-1)!\,(n-|R|)!}{n!}\, V_R(a)
   \qquad\text{(in curnits)},\qquad \sum_i \varphi_i(a) = V_N(a).

For two players with ``a = 1`` this is Kalai & Kalai's cooperative–competitive value
:math:`\bigl(\max\frac{A+B}{2} + \operatorname{val}\frac{A-B}{2},\
\max\frac{A+B}{2} - \operatorname{val}\frac{A-B}{2}\bigr)`.

*It is a Shapley value.*  Pairing :math:`R \ni i` with :math:`-(R \setminus i)` in Shapley's
formula (the weights agree: :math:`c_{|R|} = c_{n-|R|+1}`) gives, for any TU game ``v``,
:math:`\operatorname{Sh}_i(v) = \sum_{R \ni i} c_{|R|}\,(v(R) - v(-R))`.  With
:math:`v(S) = w(S) := (V_S + V_N)/2` this is :math:`\sum_{R \ni i} c_{|R|} V_R`, so

.. math:: \varphi(a) = \operatorname{Sh}(w), \qquad w(S) = \tfrac12\bigl(V_N(a) + V_S(a)\bigr),

a constant-sum TU game (:math:`w(S) + w(-S) = w(N) = V_N`, :math:`w(\emptyset) = 0`): coalition
:math:`S` "is worth" half the surplus plus half of what it wins in its fight (derived here from
the formula; the tests check it).  Equivalently :math:`\varphi = \tfrac12 \operatorname{Sh}(V)`.

**Batching.**  Fight matrices have shape :math:`(\prod_{i \in R} |A_i|, \prod_{j \notin R} |A_j|)`;
of each pair the orientation with fewer rows is solved (the simplex tableau has one row per
constraint), and coalitions whose matrices have the same shape are solved in one
``vmap``-ped :func:`bargainjax.solve_zero_sum` call: for ``n`` players with two actions each,
one call per size ``k = 1..⌊n/2⌋`` (shape ``(2^k, 2^{n-k})``).  Matrices are gathered from the
weighted payoff tensors with static index tables (no per-coalition transposes in the graph).

**Differentiation** (Danskin).  Each :math:`V_R` is returned as :math:`\hat x^\top M_R \hat y`
with the solved strategies held fixed, so ``jax.grad`` gives
:math:`\partial V_R = \hat x^\top (\partial M_R)\, \hat y`, exact wherever the fight's optimal
strategies are unique; :math:`V_N` is a ``max`` over outcomes, whose derivative is the maximising
outcome's payoffs (at ties, one tied outcome's payoffs: an element of the subdifferential of
the convex function :math:`a \mapsto V_N(a)`, not their average).  Where a fight has several
optimal strategy pairs :math:`V_R` has a kink and the returned derivative is the one-sided
formula for the returned pair.  The solver's iterations are never differentiated.

**Units.**  The public functions normalise at the entry point: each player's payoffs are
mapped to ``[-1, 1]`` by :class:`bargainjax.PlayerScale` (``U_i = c_i + σ_i Û_i``, no
``max - min`` that could overflow) and the weights to ``â_i = a_i σ_i / 2^e`` (a power of two
chosen so that ``max â = 1``; ``frexp`` keeps subnormal weights exact), so that every weighted
payoff is :math:`a_i U_i = 2^e \hat a_i \hat U_i + a_i c_i`.  The fights are solved there and
the answer mapped back: :math:`V_S = 2^e \hat V_S + \sum_{i \in S} a_i c_i - \sum_{i \notin S}
a_i c_i` and, in utilons, :math:`\varphi_i / a_i = c_i + \sigma_i \hat\varphi_i / \hat a_i`.
Hence the CoCo value in utilons is invariant under per-player affine maps
``U_i -> α_i U_i + β_i`` when the weights follow as ``a_i -> a_i / α_i`` (``â`` does not
change), with the same certificate and status.  Weights whose ratio is below the smallest
normal number make some ``â_i`` vanish: the answer is not finite and the status is
``NONFINITE``.

**Certificate.**  The duality gap of a fight at the returned strategies bounds
:math:`|\hat V_R - V_R|`; since :math:`\sum_{R \ni i} c_{|R|} = 1`, the largest gap bounds the
error of every :math:`\varphi_i` (curnits), so the error of player ``i``'s utilons, relative to
the game's weighted range ``Σ_j a_j range_j / a_i`` in those utilons, is at most
``max gap / Σ_j a_j range_j``: that is the certificate of :class:`CocoValue` and of
:class:`CoalitionValues`.  (A player's own range is not the yardstick: CoCo payoffs include
transfers from the others.)  Both are recomputed from the returned strategies and turned
into a status by :func:`bargainjax.certify` only.

Sources: the post "Unifying Bargaining Notions (2/2)" (Diffractor, 2022);
A. Kalai & E. Kalai, "Cooperation in strategic games revisited", QJE 128 (2013).
"""

from __future__ import annotations

import functools
import math
import numbers
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _validate as _val
from bargainjax.coalitions._algebra import _sizes, _weights, members
from bargainjax.games._normal_form import payoff_tensor
from bargainjax.core._contract import PlayerScale, alias, certify, default_tol, resolve_tol
from bargainjax.solvers._zero_sum import solve_zero_sum


class CoalitionValues(NamedTuple):
    """Result of :func:`coalition_values` (every array field batched under ``vmap``).

    Attributes:
        values: ``(2**n,)`` :math:`V_S(a)` for every coalition bitmask ``S``, in curnits
            (``V_∅ = -V_N``, ``V_{-S} = -V_S``).
        row_strategies: tuple of ``2**n`` arrays; entry ``S`` is coalition ``S``'s optimal joint
            strategy in its fight, a distribution over :math:`\\prod_{i \\in S} A_i` (C order,
            members in player order; ``(1,)`` for ``S = ∅``).  For ``S = N`` it is a one-hot
            maximiser of :math:`a \\cdot U(x)` over the joint actions.
        col_strategies: tuple of ``2**n`` arrays; entry ``S`` is the opponent ``-S``'s optimal
            joint strategy (so ``col_strategies[S]`` is ``row_strategies[-S]``).
        fight_gaps: ``(2**n,)`` duality gap of each fight at the returned strategies, in
            curnits (``0`` for ``∅`` and ``N``); ``fight_gaps[S]`` bounds
            ``|values[S] - V_S(a)|``.
        certificate: ``()`` ``max_S fight_gaps[S] / Σ_i a_i range_i`` (``range_i`` player
            ``i``'s payoff range): the error of every coalition value relative to the range of
            the weighted payoffs, which bounds every fight's payoff range.  Recomputed from the
            returned strategies.
        tol: ``()`` the tolerance the certificate was held to (requested plus rounding floor).
        status: ``()`` :class:`bargainjax.Status` (from :func:`bargainjax.certify`).
        num_steps: ``()`` zero-sum solver steps summed over the fights.

    Deprecated alias (one release): ``gap`` (= ``certificate``; it used to be the per-fight
    gaps, now ``fight_gaps``).
    """

    values: jax.Array
    row_strategies: tuple
    col_strategies: tuple
    fight_gaps: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array

    gap = alias("certificate")


class CocoValue(NamedTuple):
    """Result of :func:`coco_value` and :func:`coco_value_two_player`.

    Attributes:
        value: ``(n,)`` the CoCo value :math:`\\varphi(a)` in curnits (``Σ value = V_N``).
        payoffs: ``(n,)`` the same in utilons, :math:`\\varphi_i(a) / a_i` (computed without
            forming the quotient, so it is finite whenever the answer is).
        coalition_values: ``(2**n,)`` :math:`V_S(a)` for every coalition bitmask ``S`` (curnits).
        weights: ``(n,)`` the weights :math:`a` used.
        certificate: ``()`` a bound on every player's payoff error relative to the game's
            weighted payoff range in that player's utilons,
            ``max_i a_i |payoffs_i - φ_i(a)/a_i| / Σ_j a_j range_j``: the largest fight duality
            gap divided by ``Σ_j a_j range_j`` (a player's CoCo payoff includes transfers from
            the others, so its own range is not the yardstick: a player whose payoffs span
            1e-195 still receives shares of order 1).  Dimensionless, and unchanged when player
            ``i``'s payoffs are mapped to ``α_i U_i + β_i`` and the weights to ``a_i / α_i``.
        tol: ``()`` the tolerance it was held to (requested plus rounding floor), in the same
            units: this is the number to print next to ``certificate``.
        status: ``()`` :class:`bargainjax.Status` (from :func:`bargainjax.certify`);
            ``NONFINITE`` if any payoff or value is not finite (e.g. weights whose ratio
            underflows).
        num_steps: ``()`` zero-sum solver steps summed over the fights.

    Deprecated alias (one release): ``gap`` (= ``certificate``; it used to be the largest fight
    gap in curnits).
    """

    value: jax.Array
    payoffs: jax.Array
    coalition_values: jax.Array
    weights: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array

    gap = alias("certificate")


# ---------------------------------------------------------------------------- inputs




MAX_COALITIONS = 2**12
"""Default work cap of :func:`coalition_values` / :func:`coco_value`: ``2**n`` coalitions
(``n <= 12`` players); raise it with the ``max_coalitions`` keyword."""


def _weights_for(weights, U):
    n = U.shape[0]
    if not jnp.issubdtype(U.dtype, jnp.floating):
        U = U.astype(jnp.result_type(float))
    if weights is None:
        return U, jnp.ones(n, U.dtype)
    a = _val.as_array(weights, "weights", ndim=1)
    _val.shape(a, (n,), "weights")
    _val.positive(a, "weights")
    dt = jnp.result_type(U.dtype, a.dtype)
    return U.astype(dt), a.astype(dt)


def check_coalition_cap(n: int, max_coalitions, what: str = "coalition fights") -> None:
    """Eager work cap: refuse ``2**n > max_coalitions`` coalitions with a one-line error."""
    _val.work_cap(2**n, max_coalitions, "max_coalitions",
               f"`game` has {n} players: 2**{n} = {2**n} coalitions ({what} grow as 2**n)")


def _inputs(game, weights, tol, max_coalitions):
    U = payoff_tensor(game)
    check_coalition_cap(U.shape[0], max_coalitions)
    U, a = _weights_for(weights, U)
    return U, a, resolve_tol(tol, U.dtype, "coco", static=True)


class _Units(NamedTuple):
    """Unit coordinates of a weighted game (module docstring, "Units").

    ``U_i = center_i + sigma_i Û_i`` with ``Û_i`` in ``[-1, 1]``, and weights
    ``â_i = a_i sigma_i / 2**e`` (``max â = 1`` over the players whose payoffs vary), so that
    every weighted payoff ``a_i U_i`` is ``2**e â_i Û_i`` plus a constant.
    """

    Uh: jax.Array       # (n, ...) unit payoffs
    ah: jax.Array       # (n,) unit weights in the fights
    ah_all: jax.Array   # (n,) unit weights of every player (for their utilons)
    span: jax.Array     # Σ_i a_i range_i in unit curnits (bounds every fight's payoff range)
    scale: PlayerScale  # center_i, sigma_i
    exponent: jax.Array  # e (integer-valued float): one unit curnit is 2**e curnits
    finite: jax.Array   # inputs finite and every unit weight positive and finite


def _pow2(x, e):
    """``x * 2**e`` for an integer-valued float ``e`` of any size (two normal factors)."""
    h = jnp.floor(0.5 * e)
    return x * jnp.exp2(h) * jnp.exp2(e - h)


@jax.jit
def _units(U, a):
    """Per-player unit coordinates and unit weights, without overflow or underflow: the
    ranges come from :class:`PlayerScale` (no ``max - min``), the weights are normalised by a
    power of two (subnormal weights are handled by ``frexp``)."""
    n = U.shape[0]
    flat = U.reshape(n, -1)
    lo, hi = jnp.min(flat, axis=1), jnp.max(flat, axis=1)
    varies = hi > lo
    ps = PlayerScale.from_bounds(lo, hi)
    sigma = jnp.where(varies, ps.scale, 1.0)
    ps = PlayerScale(ps.center, jax.lax.stop_gradient(sigma))
    col = PlayerScale(ps.center[:, None], ps.scale[:, None])
    Uh = col.unit(flat).reshape(U.shape)  # exactly 0 for a constant player (sigma = 1)
    ma, ea = jnp.frexp(jax.lax.stop_gradient(a))
    ms, es = jnp.frexp(sigma)
    e = (ea + es).astype(U.dtype)
    emax = jnp.where(jnp.any(varies), jnp.max(jnp.where(varies, e, -jnp.inf)), jnp.max(e))
    ah_val = _pow2(ma * ms, e - emax)
    # The value is computed in exponent/mantissa form; the derivative is dâ/da = â/a.
    a_sg = jax.lax.stop_gradient(a)
    rel = jnp.where(a_sg > jnp.finfo(U.dtype).tiny, (a - a_sg) / jnp.where(a_sg > 0, a_sg, 1.0),
                    0.0)
    ah_all = ah_val * (1.0 + rel)
    # A constant player's unit payoffs are 0: its weight only matters for its derivative and
    # its utilons; an infinite one (a huge weight) is dropped from the fights.
    ah = jnp.where(varies | jnp.isfinite(ah_val), ah_all, 0.0)
    dmax = jnp.max(jnp.where(varies, 2.0 * ah_val, 0.0))
    span = jnp.where(dmax > 0, jnp.sum(jnp.where(varies, 2.0 * ah_val, 0.0)), 2.0)
    finite = (jnp.all(jnp.isfinite(U)) & jnp.all(jnp.isfinite(a)) & jnp.all(ah_val > 0)
              & jnp.all(jnp.isfinite(ah_val)))
    return _Units(Uh, ah, ah_all, jax.lax.stop_gradient(span),
                  ps, emax, finite)


# ------------------------------------------------------------------------ fight plan


class _Group(NamedTuple):
    """Coalitions whose fight matrices share one shape (static numpy tables)."""

    shape: tuple
    coalitions: np.ndarray  # (B,) solved coalitions R
    signs: np.ndarray  # (B, n) +1 on R, -1 on -R
    row_index: np.ndarray  # (B, rows) flat-index contribution of R's joint action
    col_index: np.ndarray  # (B, cols) ... of -R's joint action


def _side_index(players, num_actions, strides) -> np.ndarray:
    """Flat C-order index contribution of every joint action of ``players`` (C order)."""
    if not players:
        return np.zeros(1, dtype=np.int64)
    digits = np.indices([num_actions[i] for i in players]).reshape(len(players), -1)
    return strides[list(players)] @ digits


@functools.lru_cache(maxsize=64)
def _plan(num_actions: tuple) -> tuple:
    """Which coalition of each pair ``{R, -R}`` is solved, grouped by fight-matrix shape.

    ``R`` is solved when ``(rows(R), R) < (rows(-R), -R)``: the orientation with fewer rows,
    ties broken by the smaller bitmask.
    """
    n = len(num_actions)
    full = 2**n - 1
    strides = np.array([math.prod(num_actions[i + 1:]) for i in range(n)], dtype=np.int64)
    groups: dict = {}
    for R in range(1, full):
        Rc = full ^ R
        P = [i for i in range(n) if R >> i & 1]
        Q = [i for i in range(n) if Rc >> i & 1]
        rows, cols = math.prod(num_actions[i] for i in P), math.prod(num_actions[i] for i in Q)
        if (rows, R) > (cols, Rc):
            continue
        g = groups.setdefault((rows, cols), ([], [], [], []))
        g[0].append(R)
        g[1].append([1.0 if R >> i & 1 else -1.0 for i in range(n)])
        g[2].append(_side_index(P, num_actions, strides))
        g[3].append(_side_index(Q, num_actions, strides))
    out = []
    for shape in sorted(groups):
        Rs, signs, ri, ci = groups[shape]
        out.append(_Group(shape, np.asarray(Rs, np.int64), np.asarray(signs),
                          np.stack(ri).astype(np.int32), np.stack(ci).astype(np.int32)))
    return tuple(out)


def _group_matrices(U, a, group: _Group):
    """``(B, rows, cols)`` fight matrices of one group: gather from ``g_R`` flattened."""
    n = U.shape[0]
    W = (jnp.asarray(group.signs, U.dtype) * a[None, :]) @ U.reshape(n, -1)  # (B, J)
    idx = jnp.asarray(group.row_index)[:, :, None] + jnp.asarray(group.col_index)[:, None, :]
    B, rows, cols = idx.shape
    return jnp.take_along_axis(W, idx.reshape(B, rows * cols), axis=1).reshape(B, rows, cols)


@functools.partial(jax.jit, static_argnames=("num_actions",))
def _all_matrices(U, a, num_actions):
    return tuple(_group_matrices(U, a, g) for g in _plan(num_actions))


@jax.jit
def _solve_batch(Ms, tol):
    return jax.vmap(lambda M: solve_zero_sum(M, tol=tol))(Ms)


def _solve_groups(U, a, tol):
    """Solve every group's fights (no derivatives flow into the solver)."""
    num_actions = tuple(U.shape[1:])
    Ms = _all_matrices(jax.lax.stop_gradient(U), jax.lax.stop_gradient(a), num_actions)
    return [_solve_batch(M, tol) for M in Ms]


@functools.partial(jax.jit, static_argnames=("num_actions",))
def _assemble(U, a, xs, ys, num_actions):
    """``(values, gaps)`` over all ``2**n`` coalitions; ``values`` by Danskin, ``gaps`` the
    duality gaps recomputed at the returned strategies."""
    n = len(num_actions)
    full = 2**n - 1
    plan = _plan(num_actions)
    scores = jnp.moveaxis(U, 0, -1).reshape(-1, n) @ a
    VN = jnp.max(scores)
    order = [np.array([0, full])]
    vals, gap = [jnp.stack([-VN, VN])], [jnp.zeros(2, U.dtype)]
    for g, x, y in zip(plan, xs, ys):
        M = _group_matrices(U, a, g)
        x, y = jax.lax.stop_gradient(x), jax.lax.stop_gradient(y)
        V = jnp.einsum("br,brc,bc->b", x, M, y)
        Ms = jax.lax.stop_gradient(M)
        gp = (jnp.max(jnp.einsum("brc,bc->br", Ms, y), axis=1)
              - jnp.min(jnp.einsum("br,brc->bc", x, Ms), axis=1))
        gp = jnp.where(jnp.isnan(gp), gp, jnp.maximum(gp, 0.0))
        order += [g.coalitions, full ^ g.coalitions]
        vals += [V, -V]
        gap += [gp, gp]
    inverse = np.argsort(np.concatenate(order))

    def take(parts):
        return jnp.concatenate(parts)[inverse]

    return take(vals), take(gap).astype(U.dtype)


class _Fights(NamedTuple):
    values: jax.Array      # (2**n,) V_S in unit curnits
    gaps: jax.Array        # (2**n,) duality gaps in unit curnits
    num_steps: jax.Array
    sols: list


def _fights(units: _Units, fight_tol) -> _Fights:
    """Every coalition fight of the game in unit coordinates."""
    sols = _solve_groups(units.Uh, units.ah, fight_tol)
    num_actions = tuple(units.Uh.shape[1:])
    values, gaps = _assemble(units.Uh, units.ah, tuple(s.row_strategy for s in sols),
                             tuple(s.col_strategy for s in sols), num_actions)
    steps = jnp.zeros((), jnp.int32)
    for s in sols:
        steps = steps + jnp.sum(jnp.asarray(s.num_steps, jnp.int32))
    return _Fights(values, gaps, steps, sols)


@functools.partial(jax.jit, static_argnames=("n",))
def _to_curnits(values_unit, a, units, n):
    """``V_S = 2**e V̂_S + Σ_{i∈S} a_i c_i - Σ_{i∉S} a_i c_i`` (curnits of the given ``a``)."""
    signs = jnp.where(jnp.asarray(members(n)), 1.0, -1.0).astype(values_unit.dtype)
    return _pow2(values_unit, units.exponent) + signs @ (a * units.scale.center)


_FLOOR = 4.0  # rounding of a recomputed duality gap, in eps times the fights' payoff range


@functools.partial(jax.jit, static_argnames=("n",))
def _coalition_status(fights_values, fights_gaps, a, units, tol, n):
    values = _to_curnits(fights_values, a, units, n)
    eps = jnp.finfo(values.dtype).eps
    cert = jnp.max(fights_gaps) / units.span
    finite = units.finite & jnp.all(jnp.isfinite(values))
    status, tol_eff = certify(cert, tol, floor=_FLOOR * eps, inputs_finite=finite)
    return values, _pow2(fights_gaps, units.exponent), cert, tol_eff, status


@functools.partial(jax.jit, static_argnames=("n",))
def _coco_finish(fights_values, fights_gaps, a, units, tol, n):
    """``(φ in curnits, φ / a in utilons, V_S in curnits, certificate, tol, status)``."""
    c = jnp.asarray(_weights(n)[_sizes(n)], fights_values.dtype)
    phi_unit = jnp.asarray(members(n), fights_values.dtype).T @ (c * fights_values)
    payoffs = units.scale.restore(phi_unit / units.ah_all)
    value = _pow2(phi_unit, units.exponent) + a * units.scale.center
    values = _to_curnits(fights_values, a, units, n)
    eps = jnp.finfo(values.dtype).eps
    low = units.span
    cert = jnp.max(fights_gaps) / low
    finite = (units.finite & jnp.all(jnp.isfinite(values)) & jnp.all(jnp.isfinite(value))
              & jnp.all(jnp.isfinite(payoffs)))
    status, tol_eff = certify(cert, tol, floor=_FLOOR * eps * units.span / low,
                              inputs_finite=finite)
    return value, payoffs, values, cert, tol_eff, status


def _fight_tol(units: _Units, tol: float):
    """Relative tolerance handed to the zero-sum solver (relative to a fight's payoff range,
    which ``units.span`` bounds), so that the certificate can reach ``tol``."""
    eps = float(jnp.finfo(units.Uh.dtype).eps)
    t = jnp.asarray(tol)
    return jnp.maximum(t, 4.0 * eps).astype(units.Uh.dtype)


# ---------------------------------------------------------------------------- public


def coalition_fight_matrix(payoffs, weights, R: int) -> jax.Array:
    r"""The zero-sum matrix of the fight between coalition ``R`` (rows) and ``-R`` (columns).

    .. math:: M_R[x_R, x_{-R}] = \sum_{i \in R} a_i U_i(x) - \sum_{j \notin R} a_j U_j(x),

    rows the joint actions of ``R``'s members and columns those of ``-R``'s, each in C order
    over the members' actions in player order (Kalai & Kalai 2013; the post's condition 3).  Built by
    moving ``R``'s action axes first and reshaping.  ``R = N`` gives one column (the grand
    coalition's weighted sum per joint action), ``R = 0`` one row.

    Args:
        payoffs: a :class:`bargainjax.NormalFormGame` or payoffs ``(n, |A_1|, ..., |A_n|)``.
        weights: ``(n,)`` positive weights :math:`a` (``None``: all ones).
        R: the coalition bitmask, a Python ``int`` in ``0 .. 2**n - 1`` (static).

    Returns:
        ``(prod_{i in R} |A_i|, prod_{j not in R} |A_j|)`` matrix, ``R`` maximising.

    Raises:
        ValueError: naming ``payoffs``, ``weights`` or ``R`` when one is malformed.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> U = jnp.array([[[2.0, 2.0], [0.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]])   # banana game
        >>> bj.coalition_fight_matrix(U, None, 0b01).tolist()
        [[2.0, 2.0], [0.0, 4.0]]
    """
    U = payoff_tensor(payoffs, "payoffs")
    U, a = _weights_for(weights, U)
    n = U.shape[0]
    if not isinstance(R, numbers.Integral) or isinstance(R, bool) or not 0 <= R < 2**n:
        raise ValueError(f"`R` must be a coalition bitmask (int) in 0..{2**n - 1}, got {R!r}")
    R = int(R)
    s = jnp.where(jnp.asarray(members(n)[R]), a, -a)
    G = jnp.tensordot(s, U, axes=1)
    P = [i for i in range(n) if R >> i & 1]
    Q = [i for i in range(n) if not R >> i & 1]
    rows = math.prod(U.shape[1 + i] for i in P)
    return jnp.transpose(G, P + Q).reshape(rows, -1)


def coalition_values(game, weights=None, *, tol: float | None = None,
                     max_coalitions: int = MAX_COALITIONS) -> CoalitionValues:
    r"""Values :math:`V_S(a)` of all coalition fights, with strategies and certificates.

    .. math:: V_R(a) = \max_{\rho_R \in \Delta(\prod_{i \in R} A_i)}\
       \min_{\rho_{-R} \in \Delta(\prod_{j \notin R} A_j)}\
       \sum_{i \in R} a_i U_i(\rho_R, \rho_{-R}) - \sum_{j \notin R} a_j U_j(\rho_R, \rho_{-R}),

    :math:`V_N(a) = \max_x a \cdot U(x)`, :math:`V_\emptyset = -V_N`, :math:`V_{-R} = -V_R`
    (Kalai & Kalai 2013; the post's condition 3).  Of each proper pair only one fight is solved (the
    orientation with fewer rows); fights of equal matrix shape are solved in one batched call.
    See the module docstring for batching and differentiation (Danskin).

    Args:
        game: a :class:`bargainjax.NormalFormGame`, a :class:`bargainjax.SeparableGame`
            (materialised), or payoffs ``(n, |A_1|, ..., |A_n|)``.
        weights: ``(n,)`` positive weights :math:`a` (curnits per utilon); ``None``: all ones.
        tol: tolerance of the certificate, the largest fight duality gap relative to
            ``Σ_i a_i range_i`` (static; ``None``: ``default_tol(dtype, "coco")``, ``1e-9``
            float64 / ``1e-5`` float32).
        max_coalitions: work cap: refuse games with more than this many coalitions ``2**n``
            (default ``2**12``, i.e. 12 players); raise it to solve larger games.

    Returns:
        :class:`CoalitionValues`.

    Raises:
        ValueError: naming ``game`` (not a game, bad shape, NaN/inf, or more than
            ``max_coalitions`` coalitions), ``weights`` (wrong shape, non-positive or
            non-finite), ``tol`` or ``max_coalitions``.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> U = jnp.array([[[2.0, 2.0], [0.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]])
        >>> bj.coalition_values(U).values.round(6).tolist()     # ∅, {1}, {2}, N
        [-4.0, 2.0, -2.0, 4.0]
    """
    U, a, tol = _inputs(game, weights, tol, max_coalitions)
    n = U.shape[0]
    full = 2**n - 1
    units = _units(U, a)
    f = _fights(units, _fight_tol(units, tol))
    values, gaps, cert, tol_eff, status = _coalition_status(
        f.values, f.gaps, a, units, jnp.asarray(tol, U.dtype), n)
    scores = jnp.moveaxis(units.Uh, 0, -1).reshape(-1, n) @ units.ah
    best = jax.nn.one_hot(jnp.argmax(scores), scores.shape[0], dtype=U.dtype)
    one = jnp.ones(1, U.dtype)
    rows: list = [None] * (full + 1)
    cols: list = [None] * (full + 1)
    rows[0], cols[0], rows[full], cols[full] = one, best, best, one
    for g, s in zip(_plan(tuple(U.shape[1:])), f.sols):
        for R, x, y in zip(g.coalitions.tolist(), list(s.row_strategy), list(s.col_strategy)):
            rows[R], cols[R] = x, y
            rows[full ^ R], cols[full ^ R] = y, x
    return CoalitionValues(values, tuple(rows), tuple(cols), gaps, cert, tol_eff, status,
                           f.num_steps)


def coco_value(game, weights=None, *, tol: float | None = None,
               max_coalitions: int = MAX_COALITIONS) -> CocoValue:
    r"""The n-player CoCo value with weights (virtual prices) ``a`` (Kalai & Kalai 2013; the post).

    .. math:: \varphi_i(a) = \sum_{R \ni i} \frac{(|R|-1)!\,(n-|R|)!}{n!}\, V_R(a),
       \qquad \sum_i \varphi_i(a) = V_N(a) = \max_x \textstyle\sum_i a_i U_i(x),

    in curnits, with :math:`V_R` the value of the fight of ``R`` against ``-R``
    (:func:`coalition_values`).  It is the Shapley value of the constant-sum TU game
    :math:`w(S) = (V_N + V_S)/2` (module docstring).  For two players and ``a = 1`` it is
    Kalai & Kalai's CoCo value (:func:`coco_value_two_player`).  Scaling ``a`` by ``t > 0``
    scales ``φ`` by ``t``; adding a constant ``c`` to player ``i``'s payoffs adds ``a_i c`` to
    ``φ_i`` only.

    Cost: ``2^{n-1} - 1`` zero-sum fights, batched by matrix shape (one compiled solver per
    shape: compilation, not solving, dominates the first call; see
    ``experiments/bench_coco_value.py``).  Memory is dominated by the stacked fight matrices,
    ``(2^{n-1} - 1) prod |A_i|`` numbers, held a few times over (weighted payoffs, gathered
    matrices, their int32 index) plus the simplex tableaux.  ``jit``/``vmap``/``grad``
    work (gradients by Danskin, module docstring).

    Args:
        game: a :class:`bargainjax.NormalFormGame`, a :class:`bargainjax.SeparableGame`
            (materialised) or payoffs ``(n, |A_1|, ..., |A_n|)``.
        weights: ``(n,)`` positive weights :math:`a`; ``None``: all ones.
        tol: tolerance of the certificate, a bound on every player's payoff error relative
            to the game's weighted payoff range (:class:`CocoValue`; static; ``None``:
            ``default_tol(dtype, "coco")``, ``1e-9`` float64 / ``1e-5`` float32).
        max_coalitions: work cap: refuse games with more than this many coalitions ``2**n``
            (default ``2**12``, i.e. 12 players: the cost grows as ``2**n``); raise it to
            solve larger games.

    Returns:
        :class:`CocoValue`.

    Raises:
        ValueError: naming ``game`` (not a game, bad shape, NaN/inf, or more than
            ``max_coalitions`` coalitions), ``weights`` (wrong shape, non-positive or
            non-finite), ``tol`` or ``max_coalitions``.  Weights whose ratio underflows (e.g.
            ``[1e-320, 1]``) are valid input with a non-finite answer: status ``NONFINITE``.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> U = jnp.array([[[2.0, 2.0], [0.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]])   # banana game
        >>> bj.coco_value(U).value.round(6).tolist()
        [3.0, 1.0]
    """
    U, a, tol = _inputs(game, weights, tol, max_coalitions)
    return _coco(U, a, tol)


def _coco(U, a, tol):
    n = U.shape[0]
    units = _units(U, a)
    f = _fights(units, _fight_tol(units, tol))
    value, payoffs, values, cert, tol_eff, status = _coco_finish(
        f.values, f.gaps, a, units, jnp.asarray(tol, U.dtype), n)
    return CocoValue(value, payoffs, values, a, cert, tol_eff, status, f.num_steps)


def coco_value_two_player(A, B, *, tol: float | None = None) -> CocoValue:
    r"""Kalai & Kalai's two-player CoCo value in closed form (Kalai & Kalai 2013).

    .. math:: \mathrm{coco}(A, B) = \Bigl(\max\tfrac{A+B}{2} + \operatorname{val}\tfrac{A-B}{2},\;
       \max\tfrac{A+B}{2} - \operatorname{val}\tfrac{A-B}{2}\Bigr),

    the cooperative part (split the best total equally) plus the competitive part (the value
    of the zero-sum game :math:`(A-B)/2`, row player maximising).  Weights are absorbed into
    the payoffs: ``coco_value(U, a)`` equals ``coco_value_two_player(a_0 A, a_1 B)``.

    Args:
        A: ``(m, k)`` the row player's payoffs.
        B: ``(m, k)`` the column player's payoffs.
        tol: certificate tolerance, as in :func:`coco_value` (static).

    Returns:
        :class:`CocoValue` with ``weights = (1, 1)``, computed as :func:`coco_value` of the
        stacked payoffs (the same fight, :math:`A - B`, and the same certificate).

    Raises:
        ValueError: naming ``A`` or ``B`` if not 2-D, of different shapes, or NaN/inf; ``tol``.

    References:
        A. Kalai & E. Kalai, "Cooperation in strategic games revisited", QJE 128 (2013) 917–966.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> A, B = jnp.array([[2.0, 2.0], [0.0, 4.0]]), jnp.zeros((2, 2))
        >>> bj.coco_value_two_player(A, B).value.round(6).tolist()
        [3.0, 1.0]
    """
    A = _val.as_array(A, "A", ndim=2)
    B = _val.as_array(B, "B", ndim=2)
    if A.shape != B.shape or A.size == 0:
        raise ValueError(f"`A` and `B` must be non-empty and of the same shape, got {A.shape} "
                         f"and {B.shape}")
    _val.finite(A, "A")
    _val.finite(B, "B")
    dt = jnp.result_type(A.dtype, B.dtype)
    U = jnp.stack([A.astype(dt), B.astype(dt)])
    return _coco(U, jnp.ones(2, dt), resolve_tol(tol, dt, "coco", static=True))


@functools.partial(jax.jit, static_argnames=("n",))
def _shapley_of_fights(values, n):
    c = jnp.asarray(_weights(n)[_sizes(n)], values.dtype)
    return jnp.asarray(members(n), values.dtype).T @ (c * values)


def coco_unit(U, a, fight_tol=None):
    """``(φ(a), V_S(a), largest fight gap)`` for payoffs already in unit coordinates (no
    rescaling, no certificate; for the CoCo equilibrium, which normalises at its entry).
    ``fight_tol``: the zero-sum solver's relative tolerance (default its own)."""
    if fight_tol is None:
        fight_tol = default_tol(U.dtype, "zero_sum")
    sols = _solve_groups(U, a, jnp.asarray(fight_tol, U.dtype))
    values, gaps = _assemble(U, a, tuple(s.row_strategy for s in sols),
                             tuple(s.col_strategy for s in sols), tuple(U.shape[1:]))
    return _shapley_of_fights(values, U.shape[0]), values, jnp.max(gaps)
