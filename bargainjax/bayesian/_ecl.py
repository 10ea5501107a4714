r"""Bayesian (ECL) bargaining games (report §5).

A game has types :math:`T = \{1..m\}`, an anonymous prior with marginals :math:`p(t)` and
posteriors :math:`p(t'|t)` (``beliefs[t, t']``: what a player of type ``t`` believes about any
*other* player), ``n`` players (or the large-``n`` limit), one convex compact action set
:math:`\mathcal{A}_t \subset \mathbb{R}^m` per type (a feasible set from
:mod:`bargainjax.sets._feasible`; a point :math:`\alpha_t` of it lists the utility
:math:`\alpha_{t,t'}` that a type-``t`` player produces for type ``t'``), and a disagreement
point ``d`` (default: the Bayesian Nash equilibrium's expected utilities).

* Expected utility of an anonymous profile :math:`\alpha` (report eq. 52):
  :math:`EU_t(\alpha) = \alpha_{t,t} + (n-1) \sum_{t'} p(t'|t)\, \alpha_{t',t}
  = \sum_s C_{s,t}\, \alpha_{s,t}` with :math:`C_{s,t} = (n-1)\,p(s|t) + [s = t]`.
  The large-``n`` form (report §5.5.2, used in Examples 54–56) divides by :math:`n - 1` and
  lets :math:`n \to \infty`: :math:`C_{s,t} = p(s|t)`.
* Individual feasible sets (Definition 45): :math:`F_s = f^{(s)}(\mathcal{A}_s)` with the
  diagonal map :math:`f^{(s)}_t(y) = C_{s,t} y_t`; the feasible set is the Minkowski sum
  :math:`F = \sum_s F_s` (one simplex / resource block per type; never a joint simplex).
* Bayesian Nash equilibrium (Proposition 49): each type maximises :math:`\alpha_{t,t}` over
  :math:`\mathcal{A}_t`.
* NBS with type weights :math:`\nu` (Definition 47, eq. 57; default :math:`\nu_t = p(t)`,
  Harsanyi–Selten): :func:`bargainjax.nash_bargaining` on ``F`` with weights :math:`\nu`.
* Dependency-equilibrium sufficient condition (Corollaries 40 and 52):
  :math:`EU_t(\alpha) \ge EU_t(\beta)` for a BNE :math:`\beta`, reported per type.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _validate as v
from bargainjax.bargaining._solutions import BargainingSolution, nash_bargaining, nbs_strategy
from bargainjax.solvers._concave import flatten, unflatten
from bargainjax.core._contract import alias, certify, default_tol
from bargainjax.sets._feasible import FeasibleSet, minkowski_sum, resource_set, summand_mismatch


# ----------------------------------------------------------------------------- validation


def validate_prior(prior, beliefs):
    """Check an anonymous prior: ``prior`` ``(m,)`` and ``beliefs`` ``(m, m)`` (outside jit).

    Raises ``ValueError`` naming the argument for: wrong shapes, NaN/inf, negative entries, a
    type with zero prior probability, a prior or a belief row not summing to 1, and beliefs
    that are not the posteriors of an anonymous prior with these marginals
    (:math:`p(t)\\,p(t'|t) = p(t')\\,p(t|t')`, the pair distribution of two players being
    symmetric, Definition 22).
    """
    p = v.as_array(prior, "prior")
    if p.ndim != 1 or p.shape[0] < 1:
        raise ValueError(f"`prior` must have shape (m,) with m >= 1 types, got {p.shape}")
    m = p.shape[0]
    P = v.as_array(beliefs, "beliefs")
    if P.shape != (m, m):
        raise ValueError(f"`beliefs` must have shape (m, m) = ({m}, {m}) (beliefs[t, t'] = "
                         f"p(t'|t)), got {P.shape}")
    v.nonnegative(p, "prior")
    v.nonnegative(P, "beliefs")
    # sums hold to 1e-9, or to the rounding of the inputs' precision (float32 priors)
    rtol = max(1e-9, 16 * float(jnp.finfo(jnp.result_type(p.dtype, P.dtype)).eps))
    if v.is_concrete(p):
        pv = np.asarray(p, float)
        zero = np.flatnonzero(pv <= 0)
        if zero.size:
            raise ValueError(f"`prior` gives type {int(zero[0]) + 1} zero probability "
                             "(Definition 42 requires p(t) > 0 for every type)")
        if abs(pv.sum() - 1.0) > rtol * m:
            raise ValueError(f"`prior` must sum to 1, got {pv.sum():.12g}")
    if v.is_concrete(P):
        Pv = np.asarray(P, float)
        rows = Pv.sum(axis=1)
        bad = np.flatnonzero(np.abs(rows - 1.0) > rtol * m)
        if bad.size:
            raise ValueError(f"`beliefs` rows must sum to 1 (row t is p(.|t)); row "
                             f"{int(bad[0]) + 1} sums to {rows[bad[0]]:.12g}")
        if v.is_concrete(p):
            joint = np.asarray(p, float)[:, None] * Pv
            if np.max(np.abs(joint - joint.T)) > rtol:
                raise ValueError("`beliefs` are not the posteriors of an anonymous prior with "
                                 "marginals `prior`: p(t) p(t'|t) must equal p(t') p(t|t')")
    dt = jnp.result_type(p.dtype, P.dtype)
    return p.astype(dt), P.astype(dt)


def validate_num_players(num_players):
    """``None`` or ``math.inf`` (large-``n`` form) or an integer ``>= 2``."""
    if num_players is None or (isinstance(num_players, float) and math.isinf(num_players)
                               and num_players > 0):
        return None
    if isinstance(num_players, bool) or not isinstance(num_players, (int, np.integer)) \
            or num_players < 2:
        raise ValueError("`num_players` must be an integer >= 2, or None / math.inf for the "
                         f"large-n form, got {num_players!r}")
    return int(num_players)


def contribution_weights(beliefs, num_players) -> jax.Array:
    """:math:`C_{s,t}`, the weight of type ``s``'s action in :math:`EU_t` (eq. 52), ``(m, m)``.

    :math:`C = (n - 1) P^\\top + I` for ``n`` players, :math:`P^\\top` in the large-``n`` form
    (``num_players=None``), where ``P[t, s] = p(s|t)``.
    """
    P = jnp.asarray(beliefs)
    if num_players is None:
        return P.T
    return (num_players - 1) * P.T + jnp.eye(P.shape[0], dtype=P.dtype)


def _check_action_sets(action_sets, m):
    if isinstance(action_sets, FeasibleSet) or not isinstance(action_sets, (list, tuple)):
        raise ValueError("`action_sets` must be a sequence of m convex feasible sets (one per "
                         "type: bj.resource_set, bj.polytope, bj.separable_set), got "
                         f"{type(action_sets).__name__}")
    if len(action_sets) != m:
        raise ValueError(f"`action_sets` must hold one set per type ({m}), got {len(action_sets)}")
    for t, A in enumerate(action_sets):
        if not isinstance(A, FeasibleSet):
            raise ValueError(
                f"`action_sets[{t}]` must be a convex feasible set (bj.resource_set, bj.polytope, "
                f"bj.separable_set), got {type(A).__name__}; a list of points is not convex: "
                "wrap it in bj.polytope to use its convex hull")
        if A.num_players != m:
            raise ValueError(f"`action_sets[{t}]` must produce utilities for the {m} types "
                             f"(num_players == {m}), got {A.num_players}")
        A.check_convex(f"action_sets[{t}]")
    mixed = summand_mismatch(action_sets)
    if mixed == "family":
        raise ValueError("`action_sets` must be all resource sets or all polytope sets")
    if mixed:
        raise ValueError("`action_sets`: resource sets must share goods and production kinds")
    return tuple(action_sets)


# ---------------------------------------------------------------------------------- game


@functools.partial(jax.tree_util.register_dataclass,
                   data_fields=["prior", "beliefs", "action_sets", "disagreement"],
                   meta_fields=["num_players"])
@dataclasses.dataclass(frozen=True)
class BayesianGame:
    """An ECL Bayesian bargaining game (report Definition 42); a pytree (``num_players`` is
    static metadata, the rest are leaves).

    Attributes:
        prior: ``(m,)`` :math:`p(t) > 0`, summing to 1.
        beliefs: ``(m, m)`` ``beliefs[t, t'] =`` :math:`p(t'|t)`, rows summing to 1.
        action_sets: ``m`` feasible sets :math:`\\mathcal{A}_t \\subset \\mathbb{R}^m`.
        disagreement: ``(m,)`` the disagreement point ``d``.
        num_players: static ``n`` (``None``: the large-``n`` form).
    """

    prior: jax.Array
    beliefs: jax.Array
    action_sets: tuple
    disagreement: jax.Array
    num_players: int | None = None

    @property
    def num_types(self) -> int:
        return self.prior.shape[-1]

    @property
    def weights(self) -> jax.Array:
        """:math:`C_{s,t}` of :func:`contribution_weights`, ``(m, m)``."""
        return contribution_weights(self.beliefs, self.num_players)


def bayesian_game(prior, beliefs, action_sets: Sequence, *, num_players=None,
                  disagreement=None) -> BayesianGame:
    """Build a :class:`BayesianGame` (report Definition 42).

    Args:
        prior: ``(m,)`` prior type probabilities :math:`p(t)`.
        beliefs: ``(m, m)``, ``beliefs[t, t'] =`` :math:`p(t'|t)` (Section 4.2).
        action_sets: ``m`` convex feasible sets with ``num_players == m`` (coordinates are the
            types whose utility is produced), all resource sets with the same goods or all
            polytope sets; :func:`type_resource_sets` builds the report's examples.
        num_players: ``n >= 2``, or ``None`` / ``math.inf`` for the large-``n`` form.
        disagreement: ``(m,)``; default the BNE's expected utilities (Proposition 49).

    Raises:
        ValueError: bad prior or beliefs (see :func:`validate_prior`), ``num_players``, action
            sets that are not convex feasible sets of the right dimension, or a bad
            ``disagreement``.
    """
    p, P = validate_prior(prior, beliefs)
    m = p.shape[0]
    n = validate_num_players(num_players)
    sets = _check_action_sets(action_sets, m)
    dt = jnp.result_type(p.dtype, jax.tree_util.tree_leaves(sets)[0].dtype)
    p, P = p.astype(dt), P.astype(dt)
    if disagreement is None:
        d = bayesian_nash(BayesianGame(p, P, sets, jnp.zeros(m, dt), n)).payoffs
    else:
        d = v.as_array(disagreement, "disagreement")
        if d.shape != (m,):
            raise ValueError(f"`disagreement` must have shape ({m},), got {d.shape}")
        v.finite(d, "disagreement")
    return BayesianGame(p, P, sets, d.astype(dt), n)


def type_resource_sets(budgets, *, production="sqrt", coefficients=None, exponents=None):
    """One resource action set per type: type ``t`` splits budget :math:`r_t` over ``m`` goods,
    good ``k`` producing ``c[t, k] h(y)`` for type ``k`` (identity map).

    The report's quarter discs (Examples 46, 54, 55) are ``production="sqrt"`` with
    ``r_t = 1``; Example 56's :math:`\\exp(x_1/c_1) + \\exp(x_2/c_2) \\le r` is
    ``production="log"`` (:math:`c \\log(1 + y)`) with budget ``r - 2`` and coefficients 1 (the
    beliefs supply :math:`c`).

    Args:
        budgets: ``(m,)`` positive budgets.
        production: as in :func:`bargainjax.resource_set`.
        coefficients: ``(m, m)`` non-negative ``c[t, k]`` (default ones).
        exponents: ``(m, m)`` for ``"power"`` goods.

    Raises:
        ValueError: non-positive budgets, bad shapes (as :func:`bargainjax.resource_set`).
    """
    r = v.as_array(budgets, "budgets")
    if r.ndim != 1 or r.shape[0] < 1:
        raise ValueError(f"`budgets` must have shape (m,), one per type, got {r.shape}")
    v.positive(r, "budgets")
    m = r.shape[0]
    c = jnp.ones((m, m), r.dtype) if coefficients is None else v.as_array(coefficients,
                                                                        "coefficients")
    if c.shape != (m, m):
        raise ValueError(f"`coefficients` must have shape ({m}, {m}), got {c.shape}")
    e = None if exponents is None else jnp.broadcast_to(v.as_array(exponents, "exponents"), (m, m))
    return tuple(resource_set(r[t:t + 1], c[t:t + 1], production=production,
                              exponents=None if e is None else e[t:t + 1])
                 for t in range(m))


# ------------------------------------------------------------------- utilities and sets


def expected_utilities(game: BayesianGame, actions) -> jax.Array:
    """:math:`EU_t(\\alpha)` of an anonymous profile (report eq. 52), ``(m,)``.

    ``actions[s, t] =`` :math:`\\alpha_{s,t}`, the utility a type-``s`` player produces for
    type ``t``, shape ``(m, m)``.
    """
    a = jnp.asarray(actions)
    m = game.num_types
    if a.shape[-2:] != (m, m):
        raise ValueError(f"`actions` must have shape ({m}, {m}), got {a.shape}")
    return jnp.sum(game.weights * a, axis=-2)


def individual_feasible_sets(game: BayesianGame) -> tuple:
    """:math:`F_s = f^{(s)}(\\mathcal{A}_s)` for every type (report Definition 45)."""
    C = game.weights
    return tuple(A.scaled(C[s]) for s, A in enumerate(game.action_sets))


def bayesian_feasible_set(game: BayesianGame):
    """:math:`F = \\sum_s F_s` (Definition 44 / 45), a :class:`SeparableHull` or
    :class:`ResourceSet` with one block per type's block."""
    return minkowski_sum(*individual_feasible_sets(game))


def _split(game, strategy):
    """Per-type groups of the feasible set's blocks (types in order)."""
    out, i = [], 0
    for A in game.action_sets:
        k = len(A.block_sizes)
        out.append(tuple(strategy[i:i + k]))
        i += k
    return tuple(out)


def actions_of(game: BayesianGame, strategy) -> jax.Array:
    """The profile :math:`\\alpha` ``(m, m)`` realised by a strategy of
    :func:`bayesian_feasible_set` (one block group per type)."""
    groups = _split(game, strategy)
    return jnp.stack([A.payoffs(g) for A, g in zip(game.action_sets, groups)])


# ------------------------------------------------------------------------------- solvers


class BayesianNash(NamedTuple):
    """The Bayesian Nash equilibrium of Proposition 49.

    Attributes:
        actions: ``(m, m)`` :math:`\\beta`, each type's maximiser of :math:`\\alpha_{t,t}`.
        payoffs: ``(m,)`` :math:`EU_t(\\beta)`.
        strategy: per type, the strategy of :math:`\\mathcal{A}_t` realising ``actions[t]``.
        certificate: ``()`` 0: each type's maximiser comes from its set's exact weighted-sum
            oracle (a closed form); non-finite values are reported by ``status``.
        tol: ``()`` ``default_tol(dtype, "bargaining")``.
        status: ``()`` ``SUCCESSFUL``, or ``NONFINITE`` if the game's arrays or a payoff are
            not finite.
        num_steps: ``()`` 0 (closed form).

    Invariance: none to state beyond the oracle's exactness (the sets are not payoff tables).
    """

    actions: jax.Array
    payoffs: jax.Array
    strategy: tuple
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array


def bayesian_nash(game: BayesianGame) -> BayesianNash:
    """Bayesian Nash equilibrium (report Proposition 49): :math:`\\beta_t \\in
    \\arg\\max_{\\alpha_t \\in \\mathcal{A}_t} \\alpha_{t,t}`, by each set's exact weighted-sum
    oracle with weight :math:`e_t`.

    Where the maximiser is not unique (a face of :math:`\\mathcal{A}_t`), every point of it is a
    BNE and the oracle returns one of them; :math:`EU(\\beta)` may then depend on the choice.
    Differentiable in the sets' arrays and the beliefs (Danskin: the maximiser is held fixed).
    """
    m = game.num_types
    dt = game.prior.dtype
    eye = jnp.eye(m, dtype=dt)
    res = [A.maximize(eye[t]) for t, A in enumerate(game.action_sets)]
    beta = jnp.stack([r.payoffs for r in res])
    eu = expected_utilities(game, beta)
    cert = jnp.zeros((), dt)
    leaves = [x for x in jax.tree_util.tree_leaves(game)
              if jnp.issubdtype(jnp.asarray(x).dtype, jnp.inexact)]
    finite = jnp.all(jnp.stack([jnp.all(jnp.isfinite(x)) for x in leaves] +
                               [jnp.all(jnp.isfinite(eu)), jnp.all(jnp.isfinite(beta))]))
    status, tol = certify(cert, default_tol(dt, "bargaining"), inputs_finite=finite)
    return BayesianNash(beta, eu, tuple(r.strategy for r in res), cert, tol, status,
                        jnp.zeros((), jnp.int32))


class BayesianNBS(NamedTuple):
    """Result of :func:`bayesian_nbs` (every field an array; batched under ``vmap``).

    Attributes:
        payoffs: ``(m,)`` :math:`EU_t` at the NBS.
        actions: ``(m, m)`` the NBS profile :math:`\\alpha` (``actions[s, t]``: utility a
            type-``s`` player produces for type ``t``).
        contributions: ``(m, m)`` :math:`C_{s,t}\\alpha_{s,t}`, type ``s``'s part of
            :math:`EU_t` (a point of :math:`F_s` per row); ``payoffs`` are its column sums.
        disagreement: ``(m,)`` ``d``.
        weights: ``(m,)`` the type weights :math:`\\nu`.
        gains: ``(m,)`` gains from trade :math:`EU_t - d_t`.
        relative_gains: ``(m,)`` :math:`(EU_t - d_t)/|d_t|` ("percent gains from trade" / 100,
            Examples 55–56); NaN where :math:`d_t = 0`.
        share_from_others: ``(m,)`` the share of :math:`EU_t` produced by the other types,
            :math:`\\sum_{s \\ne t} C_{s,t}\\alpha_{s,t} / EU_t`.
        share_to_others: ``(m,)`` the share of type ``t``'s production that goes to the other
            types, :math:`\\sum_{t' \\ne t} C_{t,t'}\\alpha_{t,t'} / \\sum_{t'}
            C_{t,t'}\\alpha_{t,t'}` (the report's "share received by the other type" in
            Examples 55–56, equal to ``share_from_others`` there by symmetry).
        bne_payoffs: ``(m,)`` :math:`EU_t(\\beta)` of the BNE (Proposition 49).
        dependency_margins: ``(m,)`` :math:`EU_t(\\alpha) - EU_t(\\beta)` (Corollary 52).
        dependency_equilibrium: ``(m,)`` bool, margin :math:`\\ge` minus rounding: the
            sufficient condition of Corollary 52 holds for type ``t``.
        supporting_weights: ``(m,)`` supporting weights of ``payoffs`` on ``F``.
        solution: the underlying :class:`bargainjax.BargainingSolution` on ``F``.
        certificate: ``()`` the inner NBS solution's certificate (``solution.certificate``:
            what it bounds is documented by :func:`bargainjax.nash_bargaining`).
        tol: ``()`` its tolerance.
        status: ``()`` :class:`bargainjax.Status` of the NBS.
        num_steps: ``()`` the NBS solver's steps.

    Deprecated alias (one release): ``gap`` of ``certificate``.

    Invariance: as the NBS, per-type affine maps of the expected utilities (the disagreement
    point moving with them).
    """

    payoffs: jax.Array
    actions: jax.Array
    contributions: jax.Array
    disagreement: jax.Array
    weights: jax.Array
    gains: jax.Array
    relative_gains: jax.Array
    share_from_others: jax.Array
    share_to_others: jax.Array
    bne_payoffs: jax.Array
    dependency_margins: jax.Array
    dependency_equilibrium: jax.Array
    supporting_weights: jax.Array
    solution: BargainingSolution
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array

    gap = alias("certificate")


def _inner_certificate(sol):
    """The NBS solution's contract certificate (``gap`` on results without one)."""
    return sol.certificate if "certificate" in type(sol)._fields else sol.gap


def _ratio(num, den):
    ok = den != 0
    return jnp.where(ok, num / jnp.where(ok, den, 1.0), jnp.nan)


def bayesian_nbs(game: BayesianGame, *, weights=None, tol: float | None = None,
                 max_steps: int = 20000) -> BayesianNBS:
    r"""Nash bargaining solution of a Bayesian bargaining game (report Definition 47, eq. 57).

    .. math:: \arg\max_{x \in F,\ x > d} \prod_t (x_t - d_t)^{\nu_t},
       \qquad F = \sum_s f^{(s)}(\mathcal{A}_s)

    solved by :func:`bargainjax.nash_bargaining` on the Minkowski sum (its certificate and
    status are reported), with gains from trade, shares and the Corollary 52 check.

    Args:
        game: a :class:`BayesianGame`.
        weights: ``(m,)`` positive type weights :math:`\nu` (default the prior :math:`p(t)`,
            Harsanyi–Selten 1972); only ratios matter.
        tol, max_steps: as in :func:`bargainjax.nash_bargaining`.

    Differentiation: ``payoffs`` by the NBS's implicit JVP; ``actions``, ``contributions``,
    shares and gains through the implicit tangent of the NBS strategy
    (:func:`bargainjax.bargaining._solutions.nbs_strategy`), with respect to the beliefs, the prior
    weights, the action sets' arrays (budgets, coefficients) and ``d``: exact where the
    support of the solution is locally stable and the realising profile unique (e.g. strictly
    concave production); one-sided where the support changes (Example 56 at
    :math:`p = 1 - 1/r`).

    Raises:
        ValueError: non-positive ``weights``.  A ``d`` with no strict improvement follows
            :func:`bargainjax.nash_bargaining`'s rule: status ``INFEASIBLE``.
    """
    if not isinstance(game, BayesianGame):
        raise ValueError(f"`game` must be a BayesianGame (bj.bayesian_game), got "
                         f"{type(game).__name__}")
    m = game.num_types
    dt = game.prior.dtype
    if weights is None:
        w = game.prior
    else:
        w = v.as_array(weights, "weights")
        if w.shape != (m,):
            raise ValueError(f"`weights` must have shape ({m},), got {w.shape}")
        v.positive(w, "weights")
        w = w.astype(dt)
    F = bayesian_feasible_set(game)
    d = game.disagreement
    sol = nash_bargaining(F, d, weights=w, tol=tol, max_steps=max_steps)
    z = nbs_strategy((F, d, w), jax.lax.stop_gradient(flatten(sol.strategy)))
    strategy = unflatten(z, F.block_sizes)
    alpha = actions_of(game, strategy)
    x = game.weights * alpha
    eu = sol.payoffs
    own = jnp.diagonal(x)
    bne = bayesian_nash(game)
    margins = eu - bne.payoffs
    slack = 1e3 * jnp.finfo(dt).eps * (1.0 + jnp.abs(bne.payoffs))
    return BayesianNBS(
        payoffs=eu, actions=alpha, contributions=x, disagreement=d, weights=w,
        gains=eu - d, relative_gains=_ratio(eu - d, jnp.abs(d)),
        share_from_others=_ratio(jnp.sum(x, axis=0) - own, jnp.sum(x, axis=0)),
        share_to_others=_ratio(jnp.sum(x, axis=1) - own, jnp.sum(x, axis=1)),
        bne_payoffs=bne.payoffs, dependency_margins=margins,
        dependency_equilibrium=margins >= -slack, supporting_weights=sol.weights,
        solution=sol, certificate=_inner_certificate(sol), tol=sol.tol, status=sol.status,
        num_steps=sol.num_steps)

