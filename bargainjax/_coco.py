r"""Coalition fights and CoCo values (Kalai & Kalai; the post's n-player form; SPEC §3).

Notation (SPEC §1, §3): players :math:`N = \{0..n-1\}`, payoffs ``U`` of shape
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

**CoCo value** (SPEC §3; the post, "N-Player Generalizations"):

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
outcome's payoffs (at ties JAX averages the tied outcomes: an element of the subdifferential of
the convex function :math:`a \mapsto V_N(a)`).  Where a fight has several optimal strategy pairs
:math:`V_R` has a kink and the returned derivative is the one-sided formula for the returned
pair.  The solver's iterations are never differentiated.

**Certificate.**  ``gap`` of a fight is its duality gap, which bounds
:math:`|\hat V_R - V_R|`; since :math:`\sum_{R \ni i} c_{|R|} = 1`, the largest gap bounds the
error of every :math:`\varphi_i`.

Sources: SPEC §3; the post "Unifying Bargaining Notions (2/2)" (``shared/seeds/001_...``);
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

from . import _validate as _val
from ._coalitions import _sizes, _weights, members
from ._games import NormalFormGame, SeparableGame, payoff_tensor
from ._status import Status
from ._zero_sum import solve_zero_sum


class CoalitionValues(NamedTuple):
    """Result of :func:`coalition_values` (every array field batched under ``vmap``).

    Attributes:
        values: ``(2**n,)`` :math:`V_S(a)` for every coalition bitmask ``S``
            (``V_∅ = -V_N``, ``V_{-S} = -V_S``).
        row_strategies: tuple of ``2**n`` arrays; entry ``S`` is coalition ``S``'s optimal joint
            strategy in its fight, a distribution over :math:`\\prod_{i \\in S} A_i` (C order,
            members in player order; ``(1,)`` for ``S = ∅``).  For ``S = N`` it is a one-hot
            maximiser of :math:`a \\cdot U(x)` over the joint actions.
        col_strategies: tuple of ``2**n`` arrays; entry ``S`` is the opponent ``-S``'s optimal
            joint strategy (so ``col_strategies[S]`` is ``row_strategies[-S]``).
        gap: ``(2**n,)`` duality gap of each fight (``0`` for ``∅`` and ``N``), in curnits.
        status: ``(2**n,)`` :class:`bargainjax.Status` code of each fight.
    """

    values: jax.Array
    row_strategies: tuple
    col_strategies: tuple
    gap: jax.Array
    status: jax.Array


class CocoValue(NamedTuple):
    """Result of :func:`coco_value` and :func:`coco_value_two_player`.

    Attributes:
        value: ``(n,)`` the CoCo value :math:`\\varphi(a)` in curnits (``Σ value = V_N``).
            Player ``i``'s payoff in utilons is ``value[i] / weights[i]``.
        coalition_values: ``(2**n,)`` :math:`V_S(a)` for every coalition bitmask ``S``.
        weights: ``(n,)`` the weights :math:`a` used.
        gap: ``()`` the largest duality gap over the fights; it bounds the error of every
            ``value[i]`` (curnits).
        status: ``()`` the first failing fight's :class:`bargainjax.Status` (``SUCCESSFUL`` when
            all fights certified).
    """

    value: jax.Array
    coalition_values: jax.Array
    weights: jax.Array
    gap: jax.Array
    status: jax.Array


# ---------------------------------------------------------------------------- inputs


def _game_payoffs(game, name: str = "game"):
    """The payoff tensor of a game (NormalFormGame, SeparableGame, or an array)."""
    if isinstance(game, NormalFormGame):
        return game.payoffs
    if isinstance(game, SeparableGame):
        return game.to_normal_form().payoffs
    if isinstance(game, (str, bytes, dict)) or game is None:
        raise ValueError(
            f"`{name}` must be a NormalFormGame, a SeparableGame or a payoff array of shape "
            f"(n, |A_1|, ..., |A_n|), got {type(game).__name__}"
        )
    return payoff_tensor(game, name)


def _weights_for(weights, U):
    n = U.shape[0]
    if weights is None:
        return U, jnp.ones(n, U.dtype)
    a = _val.as_array(weights, "weights", ndim=1)
    _val.shape(a, (n,), "weights")
    _val.positive(a, "weights")
    dt = jnp.result_type(U.dtype, a.dtype)
    return U.astype(dt), a.astype(dt)


def _static_tol(tol):
    if tol is None:
        return None
    if isinstance(tol, numbers.Real) and not isinstance(tol, bool) and tol > 0:
        return float(tol)
    raise ValueError(f"`tol` must be a positive number or None (static), got {tol!r}")


def _inputs(game, weights, tol):
    U = _game_payoffs(game)
    U, a = _weights_for(weights, U)
    return U, a, _static_tol(tol)


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


@functools.partial(jax.jit, static_argnames=("tol",))
def _solve_batch(Ms, tol):
    return jax.vmap(lambda M: solve_zero_sum(M, tol=tol))(Ms)


def _solve_groups(U, a, tol):
    """Solve every group's fights (no derivatives flow into the solver)."""
    num_actions = tuple(U.shape[1:])
    Ms = _all_matrices(jax.lax.stop_gradient(U), jax.lax.stop_gradient(a), num_actions)
    return [_solve_batch(M, tol) for M in Ms]


@functools.partial(jax.jit, static_argnames=("num_actions",))
def _assemble(U, a, xs, ys, gaps, statuses, num_actions):
    """``(values, gap, status)`` over all ``2**n`` coalitions; ``values`` by Danskin."""
    n = len(num_actions)
    full = 2**n - 1
    plan = _plan(num_actions)
    scores = jnp.moveaxis(U, 0, -1).reshape(-1, n) @ a
    VN = jnp.max(scores)
    finite = jnp.all(jnp.isfinite(U)) & jnp.all(jnp.isfinite(a))
    ok = jnp.where(finite, Status.SUCCESSFUL, Status.NONFINITE).astype(jnp.int32)
    order = [np.array([0, full])]
    vals, gap, stat = [jnp.stack([-VN, VN])], [jnp.zeros(2, U.dtype)], [jnp.stack([ok, ok])]
    for g, x, y, gp, st in zip(plan, xs, ys, gaps, statuses):
        M = _group_matrices(U, a, g)
        V = jnp.einsum("br,brc,bc->b", jax.lax.stop_gradient(x), M, jax.lax.stop_gradient(y))
        order += [g.coalitions, full ^ g.coalitions]
        vals += [V, -V]
        gap += [gp, gp]
        stat += [st, st]
    inverse = np.argsort(np.concatenate(order))

    def take(parts):
        return jnp.concatenate(parts)[inverse]

    return take(vals), take(gap).astype(U.dtype), take(stat).astype(jnp.int32)


def _values(U, a, tol):
    sols = _solve_groups(U, a, tol)
    num_actions = tuple(U.shape[1:])
    values, gap, status = _assemble(
        U, a,
        tuple(s.row_strategy for s in sols), tuple(s.col_strategy for s in sols),
        tuple(s.gap for s in sols), tuple(s.status for s in sols), num_actions,
    )
    return values, gap, status, sols


def _first_failure(status):
    bad = status != 0
    return jnp.where(jnp.any(bad), status[jnp.argmax(bad)], 0).astype(jnp.int32)


# ---------------------------------------------------------------------------- public


def coalition_fight_matrix(payoffs, weights, R: int) -> jax.Array:
    r"""The zero-sum matrix of the fight between coalition ``R`` (rows) and ``-R`` (columns).

    .. math:: M_R[x_R, x_{-R}] = \sum_{i \in R} a_i U_i(x) - \sum_{j \notin R} a_j U_j(x),

    rows the joint actions of ``R``'s members and columns those of ``-R``'s, each in C order
    over the members' actions in player order (SPEC §3; the post's condition 3).  Built by
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
    U = _game_payoffs(payoffs, "payoffs")
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


def coalition_values(game, weights=None, *, tol: float | None = None) -> CoalitionValues:
    r"""Values :math:`V_S(a)` of all coalition fights, with strategies and certificates.

    .. math:: V_R(a) = \max_{\rho_R \in \Delta(\prod_{i \in R} A_i)}\
       \min_{\rho_{-R} \in \Delta(\prod_{j \notin R} A_j)}\
       \sum_{i \in R} a_i U_i(\rho_R, \rho_{-R}) - \sum_{j \notin R} a_j U_j(\rho_R, \rho_{-R}),

    :math:`V_N(a) = \max_x a \cdot U(x)`, :math:`V_\emptyset = -V_N`, :math:`V_{-R} = -V_R`
    (SPEC §3; the post's condition 3).  Of each proper pair only one fight is solved (the
    orientation with fewer rows); fights of equal matrix shape are solved in one batched call.
    See the module docstring for batching and differentiation (Danskin).

    Args:
        game: a :class:`bargainjax.NormalFormGame`, a :class:`bargainjax.SeparableGame`
            (materialised), or payoffs ``(n, |A_1|, ..., |A_n|)``.
        weights: ``(n,)`` positive weights :math:`a` (curnits per utilon); ``None``: all ones.
        tol: relative duality-gap tolerance of each fight (static; ``None``: the zero-sum
            solver's default, ``1e-9`` float64 / ``1e-6`` float32).

    Returns:
        :class:`CoalitionValues`.

    Raises:
        ValueError: naming ``game`` (not a game, bad shape, NaN/inf), ``weights`` (wrong shape,
            non-positive or non-finite) or ``tol``.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> U = jnp.array([[[2.0, 2.0], [0.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]])
        >>> bj.coalition_values(U).values.round(6).tolist()     # ∅, {1}, {2}, N
        [-4.0, 2.0, -2.0, 4.0]
    """
    U, a, tol = _inputs(game, weights, tol)
    n = U.shape[0]
    full = 2**n - 1
    values, gap, status, sols = _values(U, a, tol)
    scores = jnp.moveaxis(U, 0, -1).reshape(-1, n) @ a
    best = jax.nn.one_hot(jnp.argmax(scores), scores.shape[0], dtype=U.dtype)
    one = jnp.ones(1, U.dtype)
    rows: list = [None] * (full + 1)
    cols: list = [None] * (full + 1)
    rows[0], cols[0], rows[full], cols[full] = one, best, best, one
    for g, s in zip(_plan(tuple(U.shape[1:])), sols):
        for R, x, y in zip(g.coalitions.tolist(), list(s.row_strategy), list(s.col_strategy)):
            rows[R], cols[R] = x, y
            rows[full ^ R], cols[full ^ R] = y, x
    return CoalitionValues(values, tuple(rows), tuple(cols), gap, status)


@functools.partial(jax.jit, static_argnames=("n",))
def _coco_from_values(values, gap, status, n):
    """``(φ, max gap, first failing status)`` from the coalition values (one compiled call)."""
    c = jnp.asarray(_weights(n)[_sizes(n)], values.dtype)
    phi = jnp.asarray(members(n), values.dtype).T @ (c * values)
    return phi, jnp.max(gap), _first_failure(status)


def coco_value(game, weights=None, *, tol: float | None = None) -> CocoValue:
    r"""The n-player CoCo value with weights (virtual prices) ``a`` (SPEC §3; the post).

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
        tol: relative duality-gap tolerance of each fight (static; ``None``: the zero-sum
            solver's default).

    Returns:
        :class:`CocoValue`.

    Raises:
        ValueError: naming ``game`` (not a game, bad shape, NaN/inf), ``weights`` (wrong shape,
            non-positive or non-finite) or ``tol``.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> U = jnp.array([[[2.0, 2.0], [0.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]])   # banana game
        >>> bj.coco_value(U).value.round(6).tolist()
        [3.0, 1.0]
    """
    U, a, tol = _inputs(game, weights, tol)
    n = U.shape[0]
    values, gap, status, _ = _values(U, a, tol)
    phi, max_gap, first = _coco_from_values(values, gap, status, n)
    return CocoValue(phi, values, a, max_gap, first)


@jax.jit
def _two_player(A, B, x, y, gap, status):
    coop = jnp.max(A + B) / 2
    D = (A - B) / 2
    val = jax.lax.stop_gradient(x) @ D @ jax.lax.stop_gradient(y)
    value = jnp.stack([coop + val, coop - val])
    values = jnp.stack([-2 * coop, 2 * val, -2 * val, 2 * coop])
    finite = jnp.all(jnp.isfinite(A)) & jnp.all(jnp.isfinite(B))
    status = jnp.where(finite, status, Status.NONFINITE).astype(jnp.int32)
    return CocoValue(value, values, jnp.ones(2, A.dtype), gap, status)


def coco_value_two_player(A, B, *, tol: float | None = None) -> CocoValue:
    r"""Kalai & Kalai's two-player CoCo value in closed form (SPEC §3).

    .. math:: \mathrm{coco}(A, B) = \Bigl(\max\tfrac{A+B}{2} + \operatorname{val}\tfrac{A-B}{2},\;
       \max\tfrac{A+B}{2} - \operatorname{val}\tfrac{A-B}{2}\Bigr),

    the cooperative part (split the best total equally) plus the competitive part (the value
    of the zero-sum game :math:`(A-B)/2`, row player maximising).  Weights are absorbed into
    the payoffs: ``coco_value(U, a)`` equals ``coco_value_two_player(a_0 A, a_1 B)``.

    Args:
        A: ``(m, k)`` the row player's payoffs.
        B: ``(m, k)`` the column player's payoffs.
        tol: relative duality-gap tolerance of the zero-sum part (static).

    Returns:
        :class:`CocoValue` with ``weights = (1, 1)``; ``gap`` is the duality gap of
        :math:`(A-B)/2`, which bounds the error of both values.

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
    tol = _static_tol(tol)
    dt = jnp.result_type(A.dtype, B.dtype)
    A, B = A.astype(dt), B.astype(dt)
    D = jax.lax.stop_gradient((A - B) / 2)
    s = _solve_batch(D[None], tol)
    return _two_player(A, B, s.row_strategy[0], s.col_strategy[0], s.gap[0], s.status[0])
