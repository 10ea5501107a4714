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

Every set is a :class:`FeasibleSet` (an abstract base class): the bargaining solvers use only
its methods — ``num_players``, ``block_sizes``, ``uniform_strategy()``, ``payoffs(strategy)``
(:math:`f(s)`, ``(n,)``), ``maximize(weights)`` (the exact weighted-sum maximum
:math:`h_F(a) = \max_{u \in F} a \cdot u` with a maximiser and its strategy: the linear
maximisation oracle; Harsanyi's utilitarian theorem, report §3.3), ``payoff_range()``,
``in_units(scale)`` (the set in the units of a :class:`bargainjax.PlayerScale`; a
:class:`ResourceSet` is only rescaled, never shifted), and the capabilities the solvers
dispatch on (``as_polytopes()``: whether exact linear programs apply; ``max_min``,
``face_members``, ``support_covariance``, ``positive_at_optimum``, ...) — never its type.

Weights for :class:`ResourceSet` must be non-negative (free disposal makes the set unbounded
below).
"""

from __future__ import annotations

import abc
import dataclasses
import functools
from typing import Callable, NamedTuple, Sequence

import jax
import jax.numpy as jnp

from bargainjax.core import _validate as v
from bargainjax.core._loop import bisect
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


class FeasibleSet(abc.ABC):
    r"""A compact convex set :math:`F \subset \mathbb{R}^n`, the image :math:`F = f(S)` of a
    product of simplices :math:`S = \Delta_{K_1} \times \dots \times \Delta_{K_B}` under a
    payoff map :math:`f` that is concave in each coordinate (linear for polytopes).

    Every bargaining solver talks to a set only through these methods, so a new kind of set is
    a new subclass (a pytree: the arrays are leaves, anything static is metadata).

    Abstract (each kind of set must say):

    * ``num_players`` :math:`n` and ``block_sizes`` :math:`(K_1, \dots, K_B)` (static);
    * ``uniform_strategy()`` — the centre of :math:`S`;
    * ``payoffs(strategy)`` — :math:`f(s)`, shape ``(n,)``;
    * ``maximize(weights)`` — the exact weighted-sum maximum :math:`h_F(a) = \max_{u \in F}
      a \cdot u`, a maximiser and its strategy (the linear maximisation oracle; Harsanyi's
      utilitarian theorem, report §3.3);
    * ``payoff_range()`` — each player's least and largest payoff ``(lo, hi)``, each ``(n,)``;
    * ``in_units(scale)`` — the set in the units of a :class:`bargainjax.PlayerScale`
      (payoffs mapped by ``scale.unit``, strategies unchanged);
    * ``scaled(c)`` — the image under :math:`u \mapsto \operatorname{diag}(c)\, u`, ``c > 0``;
    * ``as_polytopes()`` — the set as a Minkowski sum of polytopes with the same strategies
      (a :class:`SeparableHull`), or ``None``: whether exact linear programs apply;
    * ``face_members(weights, maximum, tol)`` — which strategy coordinates can carry weight on
      the face maximising ``weights · u`` (see :func:`maximizing_face`);
    * ``summand_kind`` — a static key ``(family, ...)``: sets with equal keys can be added
      (:func:`minkowski_sum`); ``sum_of(sets)`` adds them.

    With defaults (overridden where a kind of set knows better): ``is_polyhedral``, ``dtype``,
    ``vertices``, ``unit_scale``, ``ideal``, ``max_min``, ``support_covariance``,
    ``positive_at_optimum``, ``outcome_moments``, ``check_convex``.
    """

    __slots__ = ()

    # -------------------------------------------------------------- the protocol (abstract)

    @property
    @abc.abstractmethod
    def num_players(self) -> int:
        """:math:`n`, the number of payoff coordinates (static)."""

    @property
    @abc.abstractmethod
    def block_sizes(self) -> tuple[int, ...]:
        """:math:`(K_1, \\dots, K_B)`, the sizes of the simplices of a strategy (static)."""

    @abc.abstractmethod
    def uniform_strategy(self) -> tuple:
        """The centre of the product of simplices: block ``b`` is ``1/K_b`` everywhere."""

    @abc.abstractmethod
    def payoffs(self, strategy) -> jax.Array:
        """:math:`f(s)`, shape ``(n,)``, of a strategy (a tuple of ``(K_b,)`` simplex points)."""

    @abc.abstractmethod
    def maximize(self, weights) -> WeightedSumMax:
        """:math:`h_F(a) = \\max_{u \\in F} a \\cdot u` for ``weights`` ``a`` ``(n,)``, with one
        maximiser and its strategy.  Derivatives in the set's arrays hold the maximising
        strategy fixed (Danskin): one-sided where the maximiser is not unique."""

    @abc.abstractmethod
    def payoff_range(self):
        """``(lo, hi)``, each ``(n,)``: every player's least and largest payoff over the set
        (``lo`` may be a lower bound where the least payoff has no closed form)."""

    @abc.abstractmethod
    def in_units(self, scale) -> "FeasibleSet":
        """The set in the units of ``scale`` (a :class:`bargainjax.PlayerScale`): every payoff
        vector ``u`` mapped by ``scale.unit``, with the same strategies."""

    @abc.abstractmethod
    def scaled(self, c) -> "FeasibleSet":
        """The image :math:`\\{\\operatorname{diag}(c)\\, u : u \\in F\\}` for ``c`` ``(n,)``,
        ``c >= 0``, with the same strategies."""

    @abc.abstractmethod
    def as_polytopes(self):
        """The set as a :class:`SeparableHull` with the same strategies and payoffs, or ``None``
        when it is not a Minkowski sum of polytopes (then no exact LP applies)."""

    @abc.abstractmethod
    def face_members(self, weights, maximum: WeightedSumMax, tol) -> tuple:
        """Per block, a boolean mask ``(K_b,)`` of the coordinates that can carry weight on the
        face maximising ``weights · u`` (``maximum = self.maximize(weights)``), ties within
        ``tol`` relative."""

    @property
    @abc.abstractmethod
    def summand_kind(self):
        """A static, hashable tuple ``(family, ...)``: sets with equal keys have a Minkowski sum
        of their kind (``family`` names the kind of set: ``"polytope"``, ``"resource"``)."""

    @abc.abstractmethod
    def sum_of(self, sets) -> "FeasibleSet":
        """The Minkowski sum of ``sets`` (this set's ``summand_kind``, checked by the caller)."""

    # ------------------------------------------------------------------------ defaults

    @property
    def is_polyhedral(self) -> bool:
        """Whether :meth:`as_polytopes` gives a set (static)."""
        return self.as_polytopes() is not None

    @property
    def dtype(self):
        """The floating dtype of the set's arrays."""
        return jax.tree_util.tree_leaves(self)[0].dtype

    @property
    def vertices(self):
        """Per block, the candidate vertices ``(K_b, n)`` of that block's polytope; ``None`` for a
        set not given by vertices."""
        return None

    def unit_scale(self, *, common: bool = False):
        """Units of the set (:class:`bargainjax.PlayerScale`) from :meth:`payoff_range`: per
        player, or (``common=True``) one scale for all players with per-player centres."""
        from bargainjax.core._contract import PlayerScale

        lo, hi = self.payoff_range()
        return PlayerScale.from_bounds(lo, hi, common=common)

    def ideal(self, disagreement=None) -> jax.Array:
        """Each player's ideal payoff ``(n,)`` (see :func:`ideal_point`)."""
        return ideal_point(self, disagreement)

    def max_min(self, ref, sigma, tol, max_steps):
        """``max_{u∈F} min_i (u_i - ref_i)/σ_i``: ``(strategy, λ, steps)`` with ``λ`` the dual
        weights on the simplex; ``tol`` is an absolute tolerance on the max-min gap.

        Two players: bisection on the dual weight; a Minkowski sum of polytopes
        (:meth:`as_polytopes`): the exact LP; otherwise dual mirror descent (see
        :mod:`bargainjax.bargaining._solutions`)."""
        from bargainjax.bargaining import _solutions as s

        if self.num_players == 2:
            return s._max_min_two_players(self, ref, sigma)
        parts = self.as_polytopes()
        if parts is not None:
            # For a linear resource set the dual mirror descent is piecewise linear and stalled
            # (93 of 128 random 3-player sets ended MAX_STEPS_REACHED at 5000 steps, gaps up
            # to 0.6): the exact LP on its polytopes is used instead.
            return s._max_min_lp(parts, ref, sigma, tol)
        return s._max_min_dual(self, ref, sigma, tol, max_steps)

    @property
    def max_min_is_exact(self) -> bool:
        """Whether :meth:`max_min` is exact up to rounding (a closed form, a simplex method or
        a bisection) rather than an iterative method run to ``tol`` (static)."""
        return self.num_players == 2 or self.is_polyhedral

    def support_covariance(self, strategy):
        """``(n, n)`` :math:`C = \\sum_b X_b^\\top \\operatorname{diag}(s_b) X_b`,
        :math:`X_b` block ``b``'s vertices minus their mean under ``s_b``: its range is the span
        of the face carried by the support of ``strategy``.  ``None`` for a set not given by
        vertices."""
        return None

    def positive_at_optimum(self):
        """Flattened boolean mask of strategy coordinates positive at every Nash bargaining
        solution (an infinite marginal value at 0), or ``None``: none known."""
        return None

    def outcome_moments(self):
        """Mean and standard deviation ``(n,), (n,)`` of each player's payoff under uniformly
        random actions (sets given by finitely many outcomes only)."""
        raise ValueError("`F` must be a PolytopeHull or SeparableHull: variance normalisation needs "
                         "a finite set of outcomes to average over")

    def check_convex(self, name: str) -> None:
        """Raise ``ValueError`` naming ``name`` if the set is not convex (for sets whose
        convexity rests on user data); nothing otherwise."""


class _VertexSet(FeasibleSet):
    """A Minkowski sum of polytopes given by their vertices (``vertices``, one simplex each)."""

    __slots__ = ()

    def as_polytopes(self) -> "SeparableHull":
        return SeparableHull(tuple(self.vertices))

    @property
    def is_polyhedral(self) -> bool:
        return True

    def face_members(self, weights, maximum, tol) -> tuple:
        members = []
        for P in self.vertices:
            scores = P @ weights
            spread = jnp.max(scores) - jnp.min(scores)
            members.append(scores >= jnp.max(scores) - tol * jnp.maximum(spread, 1.0))
        return tuple(members)

    @property
    def summand_kind(self):
        return ("polytope",)

    def sum_of(self, sets) -> "SeparableHull":
        return separable_set([P for s in sets for P in s.vertices])

    def support_covariance(self, strategy):
        C = 0.0
        for P, sb in zip(self.vertices, strategy):
            X = P - (sb @ P)[None, :]
            C = C + X.T @ (sb[:, None] * X)
        return C


class _PolytopeFields(NamedTuple):
    points: jax.Array


class PolytopeHull(_PolytopeFields, _VertexSet):
    """:math:`\\operatorname{conv}` of the rows of ``points`` ``(K, n)``; one simplex.

    A ``NamedTuple`` (a pytree with the one leaf ``points``)."""

    __slots__ = ()

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

    def scaled(self, c) -> "PolytopeHull":
        return PolytopeHull(self.points * c[None, :])

    def max_min(self, ref, sigma, tol, max_steps):
        """The max-min as the matrix game :math:`\\max_x \\min_i (P^\\top x - ref)_i/\\sigma_i`
        (:func:`bargainjax.solve_zero_sum`, relative tolerance ``tol`` over the matrix's
        range)."""
        from bargainjax.solvers._zero_sum import solve_zero_sum

        M = (self.points - ref[None, :]) / sigma[None, :]
        rng = jnp.maximum(jnp.max(M) - jnp.min(M), jnp.finfo(M.dtype).tiny)
        rel = jnp.maximum(tol / rng, 64 * jnp.finfo(M.dtype).eps)
        sol = solve_zero_sum(M, tol=jnp.where(rel > 0, rel, 1.0), max_steps=max_steps)
        return (sol.row_strategy,), sol.col_strategy, sol.num_steps

    def outcome_moments(self):
        return jnp.mean(self.points, axis=0), jnp.std(self.points, axis=0)


class _SeparableFields(NamedTuple):
    parts: tuple


class SeparableHull(_SeparableFields, _VertexSet):
    """Minkowski sum of ``conv(parts[j])``, ``parts[j]`` of shape ``(K_j, n)``; one simplex each.

    A ``NamedTuple`` (a pytree whose leaves are the parts)."""

    __slots__ = ()

    @property
    def num_players(self) -> int:
        return self.parts[0].shape[-1]

    @property
    def block_sizes(self) -> tuple[int, ...]:
        return tuple(p.shape[-2] for p in self.parts)

    @property
    def vertices(self) -> tuple:
        return tuple(self.parts)

    def as_polytopes(self) -> "SeparableHull":
        return self

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

    def scaled(self, c) -> "SeparableHull":
        return SeparableHull(tuple(P * c[None, :] for P in self.parts))

    def outcome_moments(self):
        """Means and variances of the independent parts add."""
        mean = sum(jnp.mean(p, axis=0) for p in self.parts)
        var = sum(jnp.var(p, axis=0) for p in self.parts)
        return mean, jnp.sqrt(var)


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
        br = bisect(lambda mid: safe_w * dh(mid) > lam, jnp.zeros_like(r), r, max_steps=100)
        y = 0.5 * (br.lo + br.hi)
    return jnp.where(w > 0, jnp.minimum(y, r), 0.0)


@functools.partial(jax.tree_util.register_dataclass,
                   data_fields=["budgets", "coefficients", "exponents", "linear_map"],
                   meta_fields=["production"])
@dataclasses.dataclass(frozen=True)
class ResourceSet(FeasibleSet):
    """Resource-allocation feasible set (see the module docstring); a pytree whose leaves are
    the four arrays, ``production`` being static metadata.

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

    def scaled(self, c) -> "ResourceSet":
        return ResourceSet(self.budgets, self.coefficients, self.exponents,
                           self.linear_map * c[None, :, None], self.production)

    def unit_scale(self, *, common: bool = False):
        """Units centred at 0 (the production functions are not affine, so the set is only
        rescaled): each player's scale from :math:`\\max(|lo_i|, |hi_i|)`, or with
        ``common=True`` the largest of those scales for every player."""
        from bargainjax.core._contract import PlayerScale

        lo, hi = self.payoff_range()
        top = jnp.maximum(jnp.abs(lo), jnp.abs(hi))
        scale = PlayerScale.from_bounds(-top, top)
        if common:
            scale = PlayerScale(scale.center,
                                jnp.broadcast_to(jnp.max(scale.scale), scale.scale.shape))
        return scale

    @property
    def is_polyhedral(self) -> bool:
        return all(kind == "linear" for kind in self.production)

    def as_polytopes(self):
        """With linear production only, the sum over agents of
        :math:`\\operatorname{conv}_k\\{r_j c_{jk} L_j[:, k]\\}` (the same strategies); else
        ``None``."""
        if not self.is_polyhedral:
            return None
        parts = jnp.einsum("j,jk,jnk->jkn", self.budgets, self.coefficients, self.linear_map)
        return SeparableHull(tuple(parts))

    def face_members(self, weights, maximum, tol) -> tuple:
        """A good is a member when it receives resources at the maximiser or is a linear good
        tied with the best linear good (strictly concave goods give a unique maximiser)."""
        w = jnp.einsum("jnk,n->jk", self.linear_map, weights) * self.coefficients
        linear = jnp.array([kind == "linear" for kind in self.production])
        best_lin = jnp.max(jnp.where(linear[None, :], w, -jnp.inf), axis=1, keepdims=True)
        tied = linear[None, :] & (w >= best_lin - tol * jnp.maximum(jnp.abs(best_lin), 1.0)) & (w > 0)
        held = jnp.stack(maximum.strategy) > tol
        return tuple(row for row in (held | tied))

    @property
    def summand_kind(self):
        return ("resource", self.production, self.num_players)

    def sum_of(self, sets) -> "ResourceSet":
        """The agents concatenated."""
        cat = lambda f: jnp.concatenate([f(s) for s in sets], axis=0)  # noqa: E731
        return ResourceSet(cat(lambda s: s.budgets), cat(lambda s: s.coefficients),
                           cat(lambda s: s.exponents), cat(lambda s: s.linear_map),
                           self.production)

    def positive_at_optimum(self):
        """``sqrt``/``power`` goods with a positive coefficient that reach some player: their
        marginal value at 0 is infinite."""
        inada = jnp.asarray([kind in ("sqrt", "power") for kind in self.production])
        reach = jnp.any(self.linear_map > 0, axis=1)  # (m, K)
        return (inada[None, :] & (self.coefficients > 0) & reach).reshape(-1)

    def check_convex(self, name: str) -> None:
        """A user production function must be concave increasing (else the set is not
        convex); checked on a grid of ``[0, max budget]`` when the budgets are concrete."""
        if not v.is_concrete(self.budgets):
            return
        import numpy as np

        r = float(np.max(np.asarray(self.budgets)))
        y = jnp.linspace(0.0, r, 65, dtype=self.budgets.dtype)
        for k, kind in enumerate(self.production):
            if not callable(kind):
                continue
            e = np.asarray(self.exponents)[:, k]
            for ej in np.unique(e):
                h = np.asarray(kind(y, jnp.ones_like(y), jnp.full_like(y, ej)), float)
                scale = max(float(np.max(np.abs(h))), 1.0)
                if not np.all(np.isfinite(h)) or np.any(np.diff(h, 2) > 1e-9 * scale) \
                        or np.any(np.diff(h) < -1e-9 * scale):
                    raise ValueError(f"`{name}`: production function of good {k} is not concave "
                                     "and increasing on [0, budget], so the action set is not "
                                     "convex (Definition 42 requires convex action sets)")

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

        # Total demand falls as λ rises: bisection for the λ where it meets the budget.  200
        # halvings of [λ_hi 1e-30, λ_hi] reach adjacent floats (about 100 + 53 are needed).
        br = bisect(lambda mid: jnp.sum(demand(mid)) > r, lam_lo, lam_hi, max_steps=200)
        lam = jnp.where(interior, br.hi, lam_lin)
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


def _feasible_ideal(F) -> jax.Array:
    n = F.num_players
    eye = jnp.eye(n, dtype=F.dtype)
    return jnp.stack([F.maximize(eye[i]).payoffs[i] for i in range(n)])


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

        lo, hi, _ = bisect(lambda mid, j=j, at=at: at(mid)[j] < d[j],
                           jnp.asarray(0.0, dt), jnp.asarray(1.0, dt), max_steps=64)
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
    dt = F.dtype
    ideal = _feasible_ideal(F)
    if disagreement is None:
        return ideal
    d = jnp.asarray(disagreement, dt)
    scale = F.unit_scale()
    Fu, du = F.in_units(scale), scale.unit(d)
    S = Fu.as_polytopes()
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
    members = F.face_members(a, res, eps)
    dim = sum(jnp.sum(m) - 1 for m in members)
    return Face(res.value, res.payoffs, res.strategy, members, jnp.asarray(dim, jnp.int32))


def minkowski_sum(*sets):
    """Minkowski sum of polytope sets (a :class:`SeparableHull`) or of resource sets with the same
    goods and production kinds (a :class:`ResourceSet` with the agents concatenated)."""
    if len(sets) == 0:
        raise ValueError("`sets` must hold at least one feasible set")
    if not all(isinstance(s, FeasibleSet) for s in sets):
        raise ValueError("`sets` must be all polytope sets or all resource sets")
    mixed = summand_mismatch(sets)
    if mixed == "family":
        raise ValueError("`sets` must be all polytope sets or all resource sets")
    if mixed:
        raise ValueError("`sets`: resource sets must share goods, production kinds and players")
    return sets[0].sum_of(sets)


def summand_mismatch(sets) -> str | None:
    """Why ``sets`` have no Minkowski sum of one kind: ``"family"`` (different kinds of set),
    ``"kind"`` (one family, different static data, e.g. production kinds) or ``None``."""
    kinds = {s.summand_kind for s in sets}
    if len({k[0] for k in kinds}) > 1:
        return "family"
    return "kind" if len(kinds) > 1 else None
