r"""Disagreement points computed from a game.

* :func:`security_levels` — each player's maximin (security) level against all the others
  acting jointly:

  .. math:: \underline{v}_i = \max_{\sigma_i \in \Delta(A_i)} \min_{x_{-i} \in A_{-i}} U_i(\sigma_i, x_{-i}),

  the value of the zero-sum matrix game ``U_i`` reshaped to ``(|A_i|, |A_{-i}|)``.  It is the
  default disagreement point of ``bargainjax solve`` (the command says so in its output).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import jax
import jax.numpy as jnp

from bargainjax.games._normal_form import NormalFormGame
from bargainjax.core._contract import PlayerScale, alias, certify, resolve_tol
from bargainjax.solvers._zero_sum import solve_zero_sum


class SecurityLevels(NamedTuple):
    """Security levels of every player (:func:`security_levels`).

    Attributes:
        levels: ``(n,)`` each player's maximin level.
        strategies: per player, a maximin mixed strategy ``(|A_i|,)``.
        certificate: ``()`` the largest duality gap of the players' zero-sum games at the
            returned strategies, each in units of that player's payoff range (recomputed from
            the strategies): it bounds ``|level_i - true level_i| / range_i``.
        tol: ``()`` the tolerance it was held to (request plus rounding floor).
        status: ``()`` :class:`bargainjax.Status` code (from :func:`bargainjax.certify`).
        num_steps: ``()`` iterations and pivots of the zero-sum solves, summed.

    Deprecated alias (one release): ``gap`` of ``certificate``.

    Invariance: per-player affine maps ``α_i U_i + β_i`` (``α_i > 0``) give ``α_i v_i + β_i``
    with the same status (each player's game is solved in that player's units).
    """

    levels: jax.Array
    strategies: tuple
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array

    gap = alias("certificate")


def player_vs_rest(payoffs: jax.Array, i: int) -> jax.Array:
    """Player ``i``'s payoff table as a matrix ``(|A_i|, prod_{j != i} |A_j|)``."""
    U = jnp.moveaxis(payoffs[i], i, 0)
    return U.reshape(U.shape[0], -1)


def security_levels(game: NormalFormGame, *, tol: float | None = None) -> SecurityLevels:
    """Maximin level of every player against the joint play of all others (see module doc).

    Each player's zero-sum game is solved in that player's units (payoff range mapped to
    ``[-1, 1]``, :class:`bargainjax.PlayerScale`) and the level mapped back, so huge, tiny or
    shifted payoffs neither overflow nor change the status.  Integer payoffs are cast to float.

    Args:
        game: a :class:`bargainjax.NormalFormGame`.
        tol: relative tolerance (default ``default_tol(dtype, "zero_sum")``).
    """
    if not isinstance(game, NormalFormGame):
        raise ValueError(f"`game` must be a NormalFormGame, got {type(game).__name__}")
    U = game.payoffs
    if not jnp.issubdtype(U.dtype, jnp.floating):
        U = U.astype(jnp.result_type(float))
    dt = U.dtype
    tol = resolve_tol(tol, dt, "zero_sum")
    eps = jnp.finfo(dt).eps
    levels, strategies, certs, floors, steps = [], [], [], [], []
    for i in range(game.num_players):
        M = player_vs_rest(U, i)
        scale = PlayerScale.of(M, axis=None)
        Mu = scale.unit(M)
        sol = solve_zero_sum(Mu, tol=tol)
        x, y = sol.row_strategy, sol.col_strategy
        levels.append(scale.restore(sol.value))
        strategies.append(x)
        certs.append(0.5 * (jnp.max(Mu @ y) - jnp.min(x @ Mu)))
        floors.append(2.0 * eps * math.sqrt(sum(M.shape)))
        steps.append(sol.num_steps)
    cert = jnp.max(jnp.stack(certs))
    status, tol_eff = certify(cert, jnp.asarray(tol, dt), floor=max(floors),
                              inputs_finite=jnp.all(jnp.isfinite(U)))
    return SecurityLevels(jnp.stack(levels), tuple(strategies), cert, tol_eff, status,
                          jnp.sum(jnp.stack(steps)))
