r"""Disagreement points computed from a game.

* :func:`security_levels` — each player's maximin (security) level against all the others
  acting jointly:

  .. math:: \underline{v}_i = \max_{\sigma_i \in \Delta(A_i)} \min_{x_{-i} \in A_{-i}} U_i(\sigma_i, x_{-i}),

  the value of the zero-sum matrix game ``U_i`` reshaped to ``(|A_i|, |A_{-i}|)``.  It is the
  default disagreement point of ``bargainjax solve`` (the command says so in its output).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from ._games import NormalFormGame
from ._status import combine
from ._zero_sum import solve_zero_sum


class SecurityLevels(NamedTuple):
    """Security levels ``(n,)``, each player's maximin strategy, and the zero-sum certificates."""

    levels: jax.Array
    strategies: tuple
    gap: jax.Array
    status: jax.Array


def player_vs_rest(payoffs: jax.Array, i: int) -> jax.Array:
    """Player ``i``'s payoff table as a matrix ``(|A_i|, prod_{j != i} |A_j|)``."""
    U = jnp.moveaxis(payoffs[i], i, 0)
    return U.reshape(U.shape[0], -1)


def security_levels(game: NormalFormGame, *, tol: float | None = None) -> SecurityLevels:
    """Maximin level of every player against the joint play of all others (see module doc)."""
    if not isinstance(game, NormalFormGame):
        raise ValueError(f"`game` must be a NormalFormGame, got {type(game).__name__}")
    sols = [solve_zero_sum(player_vs_rest(game.payoffs, i), tol=tol) for i in range(game.num_players)]
    return SecurityLevels(
        jnp.stack([s.value for s in sols]),
        tuple(s.row_strategy for s in sols),
        jnp.max(jnp.stack([s.gap for s in sols])),
        combine(*[s.status for s in sols]),
    )
