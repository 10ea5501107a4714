r"""Feasible sets of payoff vectors, each the image of a product of simplices.

A feasible set :math:`F \subset \mathbb{R}^n` is described by a *strategy* — a tuple of points
:math:`s_b \in \Delta_{K_b}`, one per block — and a payoff map :math:`u = f(s)`:

* :class:`PolytopeHull` — :math:`F = \operatorname{conv}\{p_1..p_K\}` with one simplex,
  :math:`f(s) = P^\top s`.  The correlated feasible set of a game, :math:`\operatorname{conv}\{U(x)\}`,
  is :func:`correlated_set`.
* :class:`SeparableHull` — a Minkowski sum :math:`F = \sum_j \operatorname{conv}\{p_{j,1..K_j}\}`,
  one simplex per part (report §3.2: additively separable games; the joint simplex is never
  formed), :math:`f(s) = \sum_j P_j^\top s_j`.
* :class:`ResourceSet` — agents ``j = 1..m`` split budgets :math:`r_j` over goods ``k = 1..K``,
  :math:`y_j = r_j s_j`, :math:`s_j \in \Delta_K`, good ``k`` producing
  :math:`x_{jk} = c_{jk}\, h_k(y_{jk})` with concave increasing :math:`h_k`
  (``"linear"`` :math:`y`, ``"sqrt"`` :math:`\sqrt y`, ``"power"`` :math:`y^{e}`, ``"log"``
  :math:`\log(1+y)`, or a user function), then a non-negative linear map
  :math:`u = \sum_j L_j x_j` (:math:`L_j` is ``(n, K)``; identity by default, Definition 45's
  :math:`f^{(t)}`).  Free disposal: the set is understood as everything weakly below such a
  ``u``, so its Pareto frontier is that of the budget-exhausting allocations.  The report's
  quarter discs :math:`x_1^2 + x_2^2 \le 1` are ``production="sqrt"`` with ``r = 1``; its
  Example 56 set :math:`\sum_k e^{x_k / c_k} \le r, x \ge 0` is ``production="log"`` with budget
  ``r - K`` (substitute :math:`y_k = e^{x_k/c_k} - 1`).

Every set implements the same protocol, which all bargaining solvers use:

* ``num_players`` and ``block_sizes`` (static);
* ``uniform_strategy()`` — the centre of the product of simplices;
* ``payoffs(strategy)`` — :math:`f(s)`, shape ``(n,)``;
* ``maximize(weights)`` — the exact weighted-sum maximum
  :math:`h_F(a) = \max_{u \in F} a \cdot u` with a maximiser and its strategy (the linear
  maximisation oracle; Harsanyi's utilitarian theorem, report §3.3);
* ``payoff_range()`` — each player's least and largest payoff ``(lo, hi)`` over the set (for a
  :class:`ResourceSet`, ``lo`` is a lower bound);
* ``in_units(scale)`` — the same set in the units of a :class:`bargainjax.PlayerScale`
  (payoffs mapped by ``scale.unit``, strategies unchanged; a :class:`ResourceSet` only
  supports a pure change of scale, ``center`` 0), which the solvers use to work in
  per-player (or common) units.

Weights for :class:`ResourceSet` must be non-negative (free disposal makes the set unbounded
below).
"""

from __future__ import annotations

import dataclasses
from typing import Callable, NamedTuple, Sequence

import jax
import jax.numpy as jnp

from bargainjax.core import _validate as v
from bargainjax.games._normal_form import NormalFormGame, SeparableGame


class WeightedSumMax(NamedTuple):
    """Result of ``F.maximize(a)``: ``value = a·payoffs``, the maximiser and its strategy."""

    value: jax.Array
    payoffs: jax.Array
    strategy: tuple


def _rows(scale):
    """``scale`` broadcast over rows of ``(K, n)`` payoff arrays."""
    return type(scale)(scale.center[None, :], scale.scale[None, :])


def _one_hot_max(scores):
    return jax.nn.one_hot(jnp.argmax(scores), scores.shape[0], dtype=scores.dtype)


class PolytopeHull(NamedTuple):
    """:math:`\\operatorname{conv}` of the rows of ``points`` ``(K, n)``; one simplex."""

    points: jax.Array

    @property
    def num_players(self) -> int:
        return self.points.shape[-1]

    @property
    def block_sizes(self) -> tuple[int, ...]:
        return (self.points.shape[-2],)

    @property
    def vertices(self) -> tuple:
        """Per block, the candidate vertices ``(K_b, n)`` of that block's polytope."""
        return (self.points,)

    def uniform_strategy(self) -> tuple:
        K = self.points.shape[0]
        return (jnp.full((K,), 1.0 / K, self.points.dtype),)

    def payoffs(self, strategy) -> jax.Array:
        return strategy[0] @ self.points

    def maximize(self, weights) -> WeightedSumMax:
        scores = self.points @ weights
        s = _one_hot_max(scores)
        return WeightedSumMax(jnp.max(scores), s @ self.points, (s,))

    def payoff_range(self):
        """``(lo, hi)``, each ``(n,)``: every player's least and largest payoff over the set."""
        return jnp.min(self.points, axis=0), jnp.max(self.points, axis=0)

    def in_units(self, scale) -> "PolytopeHull":
        """The set in the units of ``scale`` (a :class:`bargainjax.PlayerScale`): the image of
        every payoff vector ``u`` under ``scale.unit``, with the same strategies."""
        return PolytopeHull(_rows(scale).unit(self.points))


class SeparableHull(NamedTuple):
    """Minkowski sum of ``conv(parts[j])``, ``parts[j]`` of shape ``(K_j, n)``; one simplex each."""

    parts: tuple

    @property
    def num_players(self) -> int:
        return self.parts[0].shape[-1]

    @property
    def block_sizes(self) -> tuple[int, ...]:
        return tuple(p.shape[-2] for p in self.parts)

    @property
    def vertices(self) -> tuple:
        return tuple(self.parts)

    def uniform_strategy(self) -> tuple:
        return tuple(jnp.full((p.shape[0],), 1.0 / p.shape[0], p.dtype) for p in self.parts)

    def payoffs(self, strategy) -> jax.Array:
        return sum(s @ p for s, p in zip(strategy, self.parts))

    def maximize(self, weights) -> WeightedSumMax:
        strategy, value = [], 0.0
        for p in self.parts:
            scores = p @ weights
            strategy.append(_one_hot_max(scores))
            value = value + jnp.max(scores)
        strategy = tuple(strategy)
        return WeightedSumMax(value, self.payoffs(strategy), strategy)

    def payoff_range(self):
        """``(lo, hi)``, each ``(n,)``: every player's least and largest payoff over the set
        (sums of the parts' extremes)."""
        return (sum(jnp.min(p, axis=0) for p in self.parts),
                sum(jnp.max(p, axis=0) for p in self.parts))

    def in_units(self, scale) -> "SeparableHull":
        """The set in the units of ``scale``: each part shifted by ``center / (number of
        parts)`` and divided by ``scale``, so the Minkowski sum maps by ``scale.unit``."""
        share = type(scale)(scale.center / len(self.parts), scale.scale)
        return SeparableHull(tuple(_rows(share).unit(p) for p in self.parts))


_KINDS = ("linear", "sqrt", "power", "log")


def _produce(kind, y, c, e):
    if kind == "linear":
        return c * y
    if kind in ("sqrt", "power"):
        # h'(0) is infinite: a good with c = 0, or one that gets no resources (y = r * 0 at a
        # vertex, whose derivative w.r.t. r is 0), must not turn 0 * inf into NaN gradients.
        used = (c > 0) & (y > 0)
        y_safe = jnp.where(used, y, 1.0)
        out = jnp.sqrt(y_safe) if kind == "sqrt" else jnp.power(y_safe, e)
        return jnp.where(used, c * out, 0.0)
    if kind == "log":
        return c * jnp.log1p(y)
    return kind(y, c, e)


def _demand(kind, w, lam, e, r):
    """argmax_{y>=0} w h(y) - lam y for a concave h (w >= 0, lam > 0), capped at r."""
    safe_w = jnp.where(w > 0, w, 1.0)
    if kind == "sqrt":
        y = (safe_w / (2.0 * lam)) ** 2
    elif kind == "power":
        y = (lam / (safe_w * e)) ** (1.0 / (e - 1.0))
    elif kind == "log":
        y = jnp.maximum(safe_w / lam - 1.0, 0.0)
    else:  # user function: bisection on the decreasing derivative w h'(y) = lam over [0, r]
        dh = jax.grad(lambda t: kind(t, 1.0, e))

        def bis(_, lohi):
            lo, hi = lohi
            mid = 0.5 * (lo + hi)
            go_right = safe_w * dh(mid) > lam
            return jnp.where(go_right, mid, lo), jnp.where(go_right, hi, mid)

        lo, hi = jax.lax.fori_loop(0, 100, bis, (jnp.zeros_like(r), r))
        y = 0.5 * (lo + hi)
    return jnp.where(w > 0, jnp.minimum(y, r), 0.0)


@jax.tree_util.register_pytree_node_class
@dataclasses.dataclass(frozen=True)
class ResourceSet:
    """Resource-allocation feasible set (see the module docstring).

    Attributes:
        budgets: ``(m,)`` budgets :math:`r_j > 0`.
        coefficients: ``(m, K)`` production coefficients :math:`c_{jk} \\ge 0`.
        exponents: ``(m, K)`` exponents :math:`e_{jk} \\in (0, 1)` used by ``"power"`` goods.
        linear_map: ``(m, n, K)`` non-negative maps :math:`L_j`.
        production: static tuple of ``K`` kinds (``"linear"``, ``"sqrt"``, ``"power"``, ``"log"``
            or a callable ``h(y, c, e)`` returning ``c * h(y)``, concave increasing, elementwise).
    """

    budgets: jax.Array
    coefficients: jax.Array
    exponents: jax.Array
    linear_map: jax.Array
    production: tuple = ()

    def tree_flatten(self):
        return (self.budgets, self.coefficients, self.exponents, self.linear_map), self.production

    @classmethod
    def tree_unflatten(cls, aux, children):
        return cls(*children, production=aux)

    @property
    def num_players(self) -> int:
        return self.linear_map.shape[-2]

    @property
    def num_agents(self) -> int:
        return self.budgets.shape[-1]

    @property
    def num_goods(self) -> int:
        return self.coefficients.shape[-1]

    @property
    def block_sizes(self) -> tuple[int, ...]:
        return (self.num_goods,) * self.num_agents

    def uniform_strategy(self) -> tuple:
        K = self.num_goods
        return tuple(jnp.full((K,), 1.0 / K, self.coefficients.dtype)
                     for _ in range(self.num_agents))

    def production_of(self, allocation) -> jax.Array:
        """Goods produced ``(m, K)`` from resources ``allocation`` ``(m, K)`` (``y``, not shares)."""
        cols = [
            _produce(kind, allocation[:, k], self.coefficients[:, k], self.exponents[:, k])
            for k, kind in enumerate(self.production)
        ]
        return jnp.stack(cols, axis=-1)

    def allocation(self, strategy) -> jax.Array:
        """Resources ``y = r_j s_j`` as an ``(m, K)`` array."""
        return self.budgets[:, None] * jnp.stack(strategy)

    def payoffs(self, strategy) -> jax.Array:
        x = self.production_of(self.allocation(strategy))
        return jnp.einsum("jnk,jk->n", self.linear_map, x)

    def maximize(self, weights) -> WeightedSumMax:
        """Water-filling: for each agent, bisection on the budget's multiplier λ_j."""
        w = jnp.einsum("jnk,n->jk", self.linear_map, weights) * self.coefficients
        w = jnp.maximum(w, 0.0)
        shares = jax.vmap(self._agent_max, in_axes=(0, 0, 0))(w, self.exponents, self.budgets)
        shares = jax.lax.stop_gradient(shares)
        strategy = tuple(shares[j] for j in range(self.num_agents))
        u = self.payoffs(strategy)
        return WeightedSumMax(weights @ u, u, strategy)

    def payoff_range(self):
        """``(lo, hi)``, each ``(n,)``: ``hi`` the ideal point, ``lo`` a lower bound of every
        player's payoff over the budget-exhausting allocations (``Σ L c h(0)``: 0 for the
        built-in production kinds)."""
        zero = jnp.zeros_like(self.coefficients)
        base = jnp.stack([
            _produce(kind, zero[:, k], self.coefficients[:, k], self.exponents[:, k])
            for k, kind in enumerate(self.production)], axis=-1)
        lo = jnp.einsum("jnk,jk->n", self.linear_map, jnp.minimum(base, 0.0))
        n = self.num_players
        eye = jnp.eye(n, dtype=self.coefficients.dtype)
        hi = jnp.stack([self.maximize(eye[i]).payoffs[i] for i in range(n)])
        return lo, hi

    def in_units(self, scale) -> "ResourceSet":
        """The set in the units of ``scale``, which must have ``center`` 0 (a pure change of
        scale: the production functions are left as they are and the linear maps divided by
        each player's scale)."""
        m, h1, h2 = scale._split()
        f = (jnp.exp2(-h1) * jnp.exp2(-h2) / m)[None, :, None]
        return ResourceSet(self.budgets, self.coefficients, self.exponents,
                           self.linear_map * f, self.production)

    def _agent_max(self, w, e, r):
        K = w.shape[0]
        dt = w.dtype
        linear = jnp.array([kind == "linear" for kind in self.production])
        lam_lin = jnp.max(jnp.where(linear, w, 0.0))

        def demand(lam):
            return jnp.stack([
                jnp.zeros((), dt) if kind == "linear" else _demand(kind, w[k], lam, e[k], r)
                for k, kind in enumerate(self.production)
            ])

        def marginal_at(y):
            out = []
            for k, kind in enumerate(self.production):
                if kind == "linear":
                    out.append(w[k])
                elif kind == "sqrt":
                    out.append(w[k] * 0.5 / jnp.sqrt(y))
                elif kind == "power":
                    out.append(w[k] * e[k] * y ** (e[k] - 1.0))
                elif kind == "log":
                    out.append(w[k] / (1.0 + y))
                else:
                    out.append(w[k] * jax.grad(lambda t: kind(t, 1.0, e[k]))(y))
            return jnp.stack(out)

        lam_hi = jnp.maximum(jnp.max(marginal_at(r / K)), jnp.finfo(dt).tiny)
        lam_lo = jnp.maximum(lam_lin, lam_hi * 1e-30)
        interior = jnp.sum(demand(jnp.maximum(lam_lin, jnp.finfo(dt).tiny))) > r

        def bis(_, lohi):
            lo, hi = lohi
            mid = jnp.sqrt(lo * hi)
            over = jnp.sum(demand(mid)) > r
            return jnp.where(over, mid, lo), jnp.where(over, hi, mid)

        lo, hi = jax.lax.fori_loop(0, 200, bis, (lam_lo, lam_hi))
        lam = jnp.where(interior, hi, lam_lin)
        y = demand(lam)
        total = jnp.sum(y)
        best_linear = jnp.argmax(jnp.where(linear, w, -jnp.inf))
        has_linear = jnp.any(linear & (w > 0))
        leftover = jnp.maximum(r - total, 0.0)
        y = jnp.where(has_linear & ~interior,
                      y + leftover * jax.nn.one_hot(best_linear, K, dtype=dt), y)
        total = jnp.sum(y)
        y = jnp.where(total > 0, y * (r / jnp.where(total > 0, total, 1.0)),
                      jnp.full((K,), r / K, dt))
        return y / r


FeasibleSet = PolytopeHull | SeparableHull | ResourceSet


# ------------------------------------------------------------------------ constructors


def polytope(points) -> PolytopeHull:
    """:class:`PolytopeHull` of the rows of ``points`` ``(K, n)``."""
    P = v.as_array(points, "points", ndim=2)
    if P.shape[0] < 1 or P.shape[1] < 1:
        raise ValueError(f"`points` must have shape (K, n) with K, n >= 1, got {P.shape}")
    v.finite(P, "points")
    return PolytopeHull(P)


def correlated_set(game: NormalFormGame) -> PolytopeHull:
    """The correlated feasible set :math:`\\operatorname{conv}\\{U(x)\\}` of a normal-form game."""
    if isinstance(game, SeparableGame):
        raise ValueError("`game` is separable: use `separable_set(game)` (one simplex per player)")
    if not isinstance(game, NormalFormGame):
        raise ValueError(f"`game` must be a NormalFormGame, got {type(game).__name__}")
    return PolytopeHull(game.outcomes)


def separable_set(game_or_parts) -> SeparableHull:
    """Minkowski sum of polytopes: from a :class:`SeparableGame` or a sequence of ``(K_j, n)``."""
    parts = game_or_parts.contributions if isinstance(game_or_parts, SeparableGame) else game_or_parts
    if len(parts) == 0:
        raise ValueError("`parts` must hold at least one polytope")
    arrs = [v.as_array(p, f"parts[{j}]", ndim=2) for j, p in enumerate(parts)]
    n = arrs[0].shape[1]
    for j, p in enumerate(arrs):
        if p.shape[1] != n or p.shape[0] < 1:
            raise ValueError(f"`parts[{j}]` must have shape (K_{j}, {n}), got {p.shape}")
        v.finite(p, f"parts[{j}]")
    return SeparableHull(tuple(arrs))


def resource_set(
    budgets,
    coefficients,
    *,
    production: str | Callable | Sequence = "linear",
    exponents=None,
    linear_map=None,
) -> ResourceSet:
    """Build a :class:`ResourceSet`.

    Args:
        budgets: ``(m,)`` or scalar budgets, strictly positive.
        coefficients: ``(m, K)`` (or ``(K,)`` for one agent) non-negative production coefficients.
        production: one kind for all goods or a sequence of ``K`` kinds; a kind is ``"linear"``,
            ``"sqrt"``, ``"power"``, ``"log"`` or a callable ``h(y, c, e)``.
        exponents: ``(m, K)`` exponents in ``(0, 1)`` for ``"power"`` goods (default 0.5); exponent
            1 is the ``"linear"`` kind.
        linear_map: ``(m, n, K)`` or ``(n, K)`` non-negative maps; default identity (``n = K``).

    Raises:
        ValueError: non-positive budgets, negative coefficients/maps, unknown production kinds,
            exponents outside ``(0, 1)``, or inconsistent shapes.

    Examples:
        The report's Example 1 (Alice: budget 10, Bob: 5; Alice's good linear, Bob's
        :math:`\\sqrt{2y}`):

        >>> import math, bargainjax as bj
        >>> F = bj.resource_set([10.0, 5.0], [[1.0, math.sqrt(2)]] * 2, production=("linear", "sqrt"))
        >>> F.num_players, F.num_agents
        (2, 2)
    """
    r = v.as_array(budgets, "budgets")
    r = r.reshape(-1) if r.ndim <= 1 else r
    if r.ndim != 1:
        raise ValueError(f"`budgets` must be a scalar or have shape (m,), got {r.shape}")
    v.positive(r, "budgets")
    c = v.as_array(coefficients, "coefficients")
    if c.ndim == 1:
        c = c[None, :]
    if c.ndim != 2 or c.shape[0] != r.shape[0]:
        raise ValueError(f"`coefficients` must have shape (m, K) = ({r.shape[0]}, K), got {c.shape}")
    v.nonnegative(c, "coefficients")
    m, K = c.shape
    kinds = (production,) * K if isinstance(production, str) or callable(production) else tuple(production)
    if len(kinds) != K:
        raise ValueError(f"`production` must give one kind per good ({K}), got {len(kinds)}")
    for kind in kinds:
        if not (callable(kind) or kind in _KINDS):
            raise ValueError(f"`production` kinds must be one of {_KINDS} or callables, got {kind!r}")
    e = jnp.full((m, K), 0.5, c.dtype) if exponents is None else v.as_array(exponents, "exponents")
    e = jnp.broadcast_to(e, (m, K)) if e.ndim < 2 else e
    if e.shape != (m, K):
        raise ValueError(f"`exponents` must have shape {(m, K)}, got {e.shape}")
    v.finite(e, "exponents")
    if v.is_concrete(e):
        import numpy as np

        used = np.array([kind == "power" for kind in kinds])
        ev = np.asarray(e)[:, used]
        if ev.size and not np.all((ev > 0) & (ev < 1)):
            raise ValueError("`exponents` of 'power' goods must lie in (0, 1) (strictly concave "
                             "production); use production='linear' for exponent 1")
    if linear_map is None:
        L = jnp.broadcast_to(jnp.eye(K, dtype=c.dtype), (m, K, K))
    else:
        L = v.as_array(linear_map, "linear_map")
        if L.ndim == 2:
            L = jnp.broadcast_to(L, (m,) + L.shape)
        if L.ndim != 3 or L.shape[0] != m or L.shape[2] != K:
            raise ValueError(f"`linear_map` must have shape (m, n, K) = ({m}, n, {K}), got {L.shape}")
        v.nonnegative(L, "linear_map")
    dt = jnp.result_type(r.dtype, c.dtype)
    return ResourceSet(r.astype(dt), c.astype(dt), e.astype(dt), L.astype(dt), tuple(kinds))


def _set_dtype(F):
    return jax.tree_util.tree_leaves(F)[0].dtype


def _feasible_ideal(F) -> jax.Array:
    n = F.num_players
    eye = jnp.eye(n, dtype=_set_dtype(F))
    return jnp.stack([F.maximize(eye[i]).payoffs[i] for i in range(n)])


def _as_parts(F):
    """``F`` as a Minkowski sum of polytopes (a :class:`SeparableHull`), or ``None`` (a resource
    set with a non-linear good).  A linear resource set is the sum over agents of
    ``conv_k{r_j c_jk L_j[:, k]}``."""
    if isinstance(F, SeparableHull):
        return F
    if isinstance(F, PolytopeHull):
        return SeparableHull((F.points,))
    if all(kind == "linear" for kind in F.production):
        parts = jnp.einsum("j,jk,jnk->jkn", F.budgets, F.coefficients, F.linear_map)
        return SeparableHull(tuple(parts))
    return None


def _unit_scale(F):
    """Per-player units of ``F`` (:class:`bargainjax.PlayerScale`); centre 0 for a resource
    set."""
    from bargainjax.core._contract import PlayerScale

    lo, hi = F.payoff_range()
    if isinstance(F, ResourceSet):
        top = jnp.maximum(jnp.abs(lo), jnp.abs(hi))
        return PlayerScale.from_bounds(-top, top)
    return PlayerScale.from_bounds(lo, hi)


def _rational_ideal_lp(S, d):
    """``max {u_i : u ∈ S, u >= d}`` for a Minkowski sum of polytopes ``S``, one exact LP per
    player (:func:`bargainjax.solve_lp`); ``-inf`` where no ``u ∈ S`` has ``u >= d``."""
    from bargainjax.solvers._lp import solve_lp
    from bargainjax.core._contract import Status

    sizes = S.block_sizes
    n, K, B = S.num_players, sum(sizes), len(sizes)
    dt = d.dtype
    P = jnp.concatenate(S.parts, axis=0)  # (K, n)
    ids = jnp.repeat(jnp.arange(B), jnp.asarray(sizes), total_repeat_length=K)
    A_eq = (ids[None, :] == jnp.arange(B)[:, None]).astype(dt)
    out = []
    for i in range(n):
        sol = solve_lp(P[:, i], -P.T, -d, A_eq, jnp.ones(B, dt))
        ok = (sol.status == Status.SUCCESSFUL) | (sol.status == Status.MAX_STEPS_REACHED)
        out.append(jnp.where(ok, sol.value, -jnp.inf))
    return jnp.stack(out)


def _rational_ideal_two(F, d):
    """Two players, any set: ``max {u_i : u ∈ F, u_j >= d_j}`` by bisection on the weight
    ``(1 - λ) e_i + λ e_j`` (the maximiser's ``u_j`` grows with ``λ``), then the mixture of the
    two bracketing maximisers with ``u_j = d_j`` (in ``F``: ``F`` is convex).  ``-inf`` where
    even ``max u_j < d_j``."""
    dt = d.dtype
    out = []
    for i in range(2):
        j = 1 - i

        def at(lam, i=i, j=j):
            w = jnp.zeros(2, dt).at[i].set(1.0 - lam).at[j].set(lam)
            return F.maximize(w).payoffs

        def body(_, c, j=j, at=at):
            lo, hi = c
            mid = 0.5 * (lo + hi)
            up = at(mid)[j] >= d[j]
            return jnp.where(up, lo, mid), jnp.where(up, mid, hi)

        lo, hi = jax.lax.fori_loop(0, 64, body, (jnp.asarray(0.0, dt), jnp.asarray(1.0, dt)))
        u_lo, u_hi, u0, u1 = at(lo), at(hi), at(jnp.asarray(0.0, dt)), at(jnp.asarray(1.0, dt))
        den = u_hi[j] - u_lo[j]
        theta = jnp.clip(jnp.where(den > 0, (u_hi[j] - d[j]) / jnp.where(den > 0, den, 1.0), 0.0),
                         0.0, 1.0)
        mixed = theta * u_lo[i] + (1.0 - theta) * u_hi[i]
        val = jnp.where(u0[j] >= d[j], u0[i], mixed)
        out.append(jnp.where(u1[j] >= d[j], val, -jnp.inf))
    return jnp.stack(out)


def ideal_point(F, disagreement=None) -> jax.Array:
    r"""Each player's ideal payoff, ``(n,)``.

    Without ``disagreement``: :math:`I_i = \max_{u \in F} u_i` (report eq. 8's
    :math:`U_i(B)`).  With it: the ideal over the individually rational part,
    :math:`I_i = \max \{u_i : u \in F,\ u \ge d\}` (Kalai & Smorodinsky 1975; Thomson 1994),
    by an exact LP per player for polytopes, Minkowski sums and linear resource sets
    (:func:`bargainjax.solve_lp`), by bisection on the supporting weight for two-player
    resource sets, and by bisection on the level with the max-min solver otherwise; computed
    in per-player units.  Where no ``u ∈ F`` has ``u >= d`` the feasible ideal is returned (no
    bargaining solution exists there; the solvers report ``INFEASIBLE``).  Works under
    ``jit``/``vmap``.
    """
    dt = _set_dtype(F)
    ideal = _feasible_ideal(F)
    if disagreement is None:
        return ideal
    d = jnp.asarray(disagreement, dt)
    scale = _unit_scale(F)
    Fu, du = F.in_units(scale), scale.unit(d)
    S = _as_parts(Fu)
    if S is not None:
        ri = _rational_ideal_lp(S, du)
    elif F.num_players == 2:
        ri = _rational_ideal_two(Fu, du)
    else:
        from bargainjax.bargaining._solutions import _rational_ideal_levels

        lo_u = scale.unit(F.payoff_range()[0])
        ri = jax.lax.cond(jnp.all(du <= lo_u), lambda: scale.unit(ideal),
                          lambda: _rational_ideal_levels(Fu, du, scale.unit(ideal)))
    lo, _ = F.payoff_range()
    rational = jnp.minimum(scale.restore(ri), ideal)
    # Where no player can fall below d, the rational part is all of F.
    return jnp.where(jnp.all(d <= lo) | ~jnp.isfinite(ri), ideal, rational)
class Face(NamedTuple):
    """The face of ``F`` maximising ``a · u`` (see :func:`maximizing_face`).

    Attributes:
        value: ``()`` :math:`h_F(a)`.
        payoffs: ``(n,)`` one maximiser.
        strategy: the strategy realising ``payoffs``.
        members: per block, a boolean mask ``(K_b,)`` of the vertices (polytopes) or goods
            (resource sets) that can carry weight on the face; the face is
            :math:`\\sum_b \\operatorname{conv}\\{\\text{members of block } b\\}` for polytopes.
        dimension_bound: ``()`` :math:`\\sum_b (|\\text{members}_b| - 1)`, an upper bound on the
            face's dimension (0: a vertex / single point).
    """

    value: jax.Array
    payoffs: jax.Array
    strategy: tuple
    members: tuple
    dimension_bound: jax.Array


def maximizing_face(F, weights, *, tol: float | None = None) -> Face:
    """The maximising face of ``weights · u`` over ``F``, ties within ``tol`` relative.

    For :class:`PolytopeHull` and :class:`SeparableHull` the members are the vertices whose score
    is within ``tol × (score range)`` of the block maximum.  For :class:`ResourceSet`, a good is a
    member when it receives resources at the maximiser or is a linear good tied with the best
    linear good (strictly concave goods give a unique maximiser).
    """
    a = v.as_array(weights, "weights", ndim=1)
    if a.shape[0] != F.num_players:
        raise ValueError(f"`weights` must have shape ({F.num_players},), got {a.shape}")
    v.finite(a, "weights")
    res = F.maximize(a)
    eps = (1e-9 if jnp.finfo(a.dtype).bits >= 64 else 1e-5) if tol is None else tol
    if isinstance(F, (PolytopeHull, SeparableHull)):
        members = []
        for P in F.vertices:
            scores = P @ a
            spread = jnp.max(scores) - jnp.min(scores)
            members.append(scores >= jnp.max(scores) - eps * jnp.maximum(spread, 1.0))
    else:
        w = jnp.einsum("jnk,n->jk", F.linear_map, a) * F.coefficients
        linear = jnp.array([kind == "linear" for kind in F.production])
        best_lin = jnp.max(jnp.where(linear[None, :], w, -jnp.inf), axis=1, keepdims=True)
        tied = linear[None, :] & (w >= best_lin - eps * jnp.maximum(jnp.abs(best_lin), 1.0)) & (w > 0)
        held = jnp.stack(res.strategy) > eps
        members = [row for row in (held | tied)]
    members = tuple(members)
    dim = sum(jnp.sum(m) - 1 for m in members)
    return Face(res.value, res.payoffs, res.strategy, members, jnp.asarray(dim, jnp.int32))


def minkowski_sum(*sets):
    """Minkowski sum of polytope sets (a :class:`SeparableHull`) or of resource sets with the same
    goods and production kinds (a :class:`ResourceSet` with the agents concatenated)."""
    if len(sets) == 0:
        raise ValueError("`sets` must hold at least one feasible set")
    if all(isinstance(s, (PolytopeHull, SeparableHull)) for s in sets):
        return separable_set([P for s in sets for P in s.vertices])
    if all(isinstance(s, ResourceSet) for s in sets):
        kinds = sets[0].production
        if any(s.production != kinds for s in sets) or len({s.num_players for s in sets}) != 1:
            raise ValueError("`sets`: resource sets must share goods, production kinds and players")
        cat = lambda f: jnp.concatenate([f(s) for s in sets], axis=0)  # noqa: E731
        return ResourceSet(cat(lambda s: s.budgets), cat(lambda s: s.coefficients),
                           cat(lambda s: s.exponents), cat(lambda s: s.linear_map), kinds)
    raise ValueError("`sets` must be all polytope sets or all resource sets")
