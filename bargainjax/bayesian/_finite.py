r"""Finite additively separable, anonymous ECL Bayesian games (report §4, Definitions 20–23).

Types :math:`T = \{1..m\}`, a common finite action set :math:`A` (``k`` actions), ``n``
players, an anonymous prior (:math:`p(t)`, :math:`p(t'|t)`, validated as in
:func:`bargainjax.bayesian._ecl.validate_prior`) and utilities :math:`u_{s,t}(a)` — what a type-``s``
player's action ``a`` gives a type-``t`` player — stored as ``utilities[s, a, t]``.

* Expected utility of an anonymous pure profile :math:`\alpha \in A^m` (report eq. 9):
  :math:`EU_t(\alpha) = u_{t,t}(\alpha_t) + (n-1)\sum_{t'} p(t'|t)\, u_{t',t}(\alpha_{t'})`.
* Bayesian Nash equilibria (Definition 32, Proposition 36) among pure anonymous profiles, by
  exact best-response checks: one player of type ``t`` deviating to ``a`` gets
  :math:`u_{t,t}(a) + (n-1)\sum_{t'} p(t'|t)\, u_{t',t}(\alpha_{t'})`.
* Conditional expected utility (eq. 10) under a joint distribution ``s`` over anonymous pure
  profiles (players of one type act alike, as in Example 35's Table 5):
  :math:`EU_t(s; a) = u_{t,t}(a) + (n-1)\sum_{t'} p(t'|t) \sum_{a'}
  s(\alpha_{t'} = a' \mid \alpha_t = a)\, u_{t',t}(a')`.
* The dependency-equilibrium sufficient condition (Corollary 40, eq. 41; Corollary 52 for
  bargaining games): :math:`EU_t(\alpha) - EU_t(\beta) \ge 0` for every type, with
  :math:`\beta` a BNE — :func:`dependency_margins` handles both kinds of game.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _validate as v
from bargainjax.bayesian._ecl import BayesianGame, bayesian_nash, expected_utilities, validate_prior
from bargainjax.core._contract import PlayerScale, alias, certify, default_tol


@functools.partial(jax.tree_util.register_dataclass,
                   data_fields=["prior", "beliefs", "utilities"], meta_fields=["num_players"])
@dataclasses.dataclass(frozen=True)
class FiniteBayesianGame:
    """A finite additively separable, anonymous ECL Bayesian game (report Definition 23); a
    pytree (``num_players`` is static metadata, the arrays are leaves).

    Attributes:
        prior: ``(m,)`` :math:`p(t)`.
        beliefs: ``(m, m)`` ``beliefs[t, t'] =`` :math:`p(t'|t)`.
        utilities: ``(m, k, m)`` ``utilities[s, a, t] =`` :math:`u_{s,t}(a)`.
        num_players: static ``n >= 2``.
    """

    prior: jax.Array
    beliefs: jax.Array
    utilities: jax.Array
    num_players: int = 2

    @property
    def num_types(self) -> int:
        return self.prior.shape[-1]

    @property
    def num_actions(self) -> int:
        return self.utilities.shape[-2]


def finite_bayesian_game(prior, beliefs, utilities, *, num_players: int) -> FiniteBayesianGame:
    """Build a :class:`FiniteBayesianGame`.

    Args:
        prior: ``(m,)`` prior type probabilities.
        beliefs: ``(m, m)`` posteriors ``beliefs[t, t'] =`` :math:`p(t'|t)`.
        utilities: ``(m, k, m)`` ``utilities[s, a, t] =`` :math:`u_{s,t}(a)` (report Table 4
            lists ``utilities[s]`` as a ``k x m`` table per producing type ``s``).
        num_players: ``n >= 2``.

    Raises:
        ValueError: bad prior/beliefs, ``utilities`` of the wrong shape or not finite, or
            ``num_players`` not an integer ``>= 2``.
    """
    p, P = validate_prior(prior, beliefs)
    m = p.shape[0]
    U = v.as_array(utilities, "utilities")
    if U.ndim != 3 or U.shape[0] != m or U.shape[2] != m or U.shape[1] < 1:
        raise ValueError(f"`utilities` must have shape (m, k, m) = ({m}, k, {m}) "
                         f"(utilities[s, a, t] = u_(s,t)(a)), got {U.shape}")
    v.finite(U, "utilities")
    if isinstance(num_players, bool) or not isinstance(num_players, (int, np.integer)) \
            or num_players < 2:
        raise ValueError(f"`num_players` must be an integer >= 2, got {num_players!r}")
    dt = jnp.result_type(p.dtype, U.dtype)
    return FiniteBayesianGame(p.astype(dt), P.astype(dt), U.astype(dt), int(num_players))


def _check_profile(game, profile, name="profile"):
    a = jnp.asarray(profile)
    if a.shape[-1:] != (game.num_types,) or not jnp.issubdtype(a.dtype, jnp.integer):
        raise ValueError(f"`{name}` must be integer actions of shape ({game.num_types},), one "
                         f"per type, got {a.dtype} {a.shape}")
    if v.is_concrete(a) and not np.all((np.asarray(a) >= 0)
                                       & (np.asarray(a) < game.num_actions)):
        raise ValueError(f"`{name}` entries must lie in 0..{game.num_actions - 1}")
    return a


def _others(game, profile):
    """``(n-1) Σ_{t'} p(t'|t) u_{t',t}(α_{t'})`` for every ``t``, ``(m,)``."""
    m = game.num_types
    produced = game.utilities[jnp.arange(m), profile, :]  # (m, m): [s, t] = u_{s,t}(α_s)
    return (game.num_players - 1) * jnp.sum(game.beliefs * produced.T, axis=1)


def finite_expected_utilities(game: FiniteBayesianGame, profile) -> jax.Array:
    """:math:`EU_t(\\alpha)` of an anonymous pure profile (report eq. 9), ``(m,)``.

    ``profile`` ``(m,)`` integer: the action of every type-``t`` player.
    """
    a = _check_profile(game, profile)
    m = game.num_types
    own = game.utilities[jnp.arange(m), a, jnp.arange(m)]
    return own + _others(game, a)


def deviation_utilities(game: FiniteBayesianGame, profile) -> jax.Array:
    """``(m, k)``: expected utility of one type-``t`` player playing ``a`` while every other
    player follows ``profile`` (the Bayesian Nash best-response test, Definition 32)."""
    a = _check_profile(game, profile)
    m = game.num_types
    own = game.utilities[jnp.arange(m), :, jnp.arange(m)]  # (m, k): u_{t,t}(a)
    return own + _others(game, a)[:, None]


class FiniteBayesianNash(NamedTuple):
    """All pure anonymous profiles with their best-response regrets (exact).

    Attributes:
        profiles: ``(k**m, m)`` int, every anonymous pure profile (C order).
        payoffs: ``(k**m, m)`` :math:`EU_t` of each profile.
        regrets: ``(k**m,)`` the largest gain of a unilateral deviation, in units of the
            deviating type's utility range (:math:`\\max_{s,a} u_{s,t}(a) - \\min_{s,a}
            u_{s,t}(a)`; a deviation changes only the deviator's own term).
        is_equilibrium: ``(k**m,)`` bool, an exact best response for every type (regret 0).
        equilibrium: ``(m,)`` the profile of smallest regret (an equilibrium: one exists,
            Proposition 36).
        certificate: ``()`` the regret of ``equilibrium`` (relative, clipped at 0).
        tol: ``()`` the tolerance it was held to (``default_tol(dtype, "bargaining")``).
        status: ``()`` :class:`bargainjax.Status` from :func:`bargainjax.certify`
            (``NONFINITE`` for non-finite utilities).
        num_steps: ``()`` the number of profiles checked, ``k**m``.

    Deprecated alias (one release): ``regret`` of ``regrets``.

    Invariance: per-type affine maps of the utilities, :math:`u_{s,t} \\mapsto \\alpha_t
    u_{s,t} + c_t` (:math:`\\alpha_t > 0`), map :math:`EU_t` to :math:`\\alpha_t EU_t + n c_t`
    and leave the equilibria, regrets and status unchanged.
    """

    profiles: jax.Array
    payoffs: jax.Array
    regrets: jax.Array
    is_equilibrium: jax.Array
    equilibrium: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array

    regret = alias("regrets")


def finite_bayesian_nash(game: FiniteBayesianGame) -> FiniteBayesianNash:
    """Pure anonymous Bayesian Nash equilibria (Definition 32; Proposition 36), by checking
    every profile's best responses exactly (``k**m`` profiles)."""
    m, k = game.num_types, game.num_actions
    profiles = jnp.asarray(np.indices((k,) * m).reshape(m, -1).T, jnp.int32)
    U = game.utilities
    # Per type t, half the range of what anyone's action gives t (overflow-safe).
    scale = PlayerScale.of(jnp.moveaxis(U, 2, 0).reshape(m, -1), axis=1).scale

    def one(a):
        dev = deviation_utilities(game, a)
        cur = dev[jnp.arange(m), a]
        gain = jnp.max(dev, axis=1) - cur  # (m,) exact 0 at a best response
        rel = 0.5 * (gain / scale)
        return jnp.max(rel), jnp.all(gain <= 0.0), finite_expected_utilities(game, a)

    regrets, ok, payoffs = jax.vmap(one)(profiles)
    best = jnp.argmin(jnp.where(jnp.isnan(regrets), jnp.inf, regrets))
    cert = jnp.maximum(regrets[best], 0.0)
    status, tol = certify(cert, default_tol(U.dtype, "bargaining"),
                          inputs_finite=jnp.all(jnp.isfinite(U)))
    return FiniteBayesianNash(profiles, payoffs, regrets, ok, profiles[best], cert, tol, status,
                              jnp.asarray(profiles.shape[0], jnp.int32))


def conditional_expected_utilities(game: FiniteBayesianGame, joint) -> jax.Array:
    """:math:`EU_t(s; a)` of report eq. (10), ``(m, k)``, for a joint distribution ``joint``
    of shape ``(k,) * m`` over anonymous pure profiles (``joint[a_1, ..., a_m]``: every type-``t``
    player plays ``a_t``; Example 35's Table 5 for ``m = 2``).

    The conditional :math:`s(\\alpha_{t'} = a' \\mid \\alpha_t = a)` needs
    :math:`s(\\alpha_t = a) > 0`; the entry is NaN where it is zero (take a full-support
    :math:`s_r`, Definition 34).
    """
    m, k = game.num_types, game.num_actions
    s = v.as_array(joint, "joint")
    if s.shape != (k,) * m:
        raise ValueError(f"`joint` must have shape {(k,) * m} (one axis per type), got {s.shape}")
    v.nonnegative(s, "joint")
    if v.is_concrete(s) and abs(float(np.sum(np.asarray(s))) - 1.0) > 1e-9:
        raise ValueError(f"`joint` must sum to 1, got {float(np.sum(np.asarray(s))):.12g}")
    U = game.utilities
    rows = []
    for t in range(m):
        marg_t = jnp.sum(s, axis=tuple(i for i in range(m) if i != t))  # (k,)
        ok = marg_t > 0
        total = U[t, :, t] * (1.0 + (game.num_players - 1) * game.beliefs[t, t])
        for t2 in range(m):
            if t2 == t:
                continue
            pair = jnp.sum(s, axis=tuple(i for i in range(m) if i not in (t, t2)))
            pair = pair if t < t2 else pair.T  # (k_t, k_t2)
            cond = pair / jnp.where(ok, marg_t, 1.0)[:, None]
            total = total + (game.num_players - 1) * game.beliefs[t, t2] * (cond @ U[t2, :, t])
        rows.append(jnp.where(ok, total, jnp.nan))
    return jnp.stack(rows)


def dependency_margins(game, profile, reference=None) -> jax.Array:
    """Sufficient dependency-equilibrium margins :math:`EU_t(\\alpha) - EU_t(\\beta)`, ``(m,)``.

    Finite games (Corollary 40, eq. 41): ``profile`` and ``reference`` are integer profiles
    ``(m,)``; bargaining games (Corollary 52): ``(m, m)`` action profiles.  ``reference``
    defaults to a Bayesian Nash equilibrium (:func:`finite_bayesian_nash` /
    :func:`bargainjax.bayesian_nash`).  All margins ``>= 0``: ``profile`` is a dependency
    equilibrium.  (With another ``reference`` the condition is only sufficient when
    ``reference`` is a BNE.)
    """
    if isinstance(game, FiniteBayesianGame):
        beta = finite_bayesian_nash(game).equilibrium if reference is None else \
            _check_profile(game, reference, "reference")
        return finite_expected_utilities(game, profile) - finite_expected_utilities(game, beta)
    if isinstance(game, BayesianGame):
        beta = bayesian_nash(game).actions if reference is None else jnp.asarray(reference)
        return expected_utilities(game, profile) - expected_utilities(game, beta)
    raise ValueError("`game` must be a FiniteBayesianGame or a BayesianGame, got "
                     f"{type(game).__name__}")
