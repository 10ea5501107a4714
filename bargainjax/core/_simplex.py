r"""Numerics on the probability simplex, written once.

The probability simplex :math:`\Delta_k = \{x \in \mathbb{R}^k : x \ge 0, \sum x = 1\}`.

* :func:`log_uniform` — ``log`` of its centre, the start of entropic mirror descent.
* :func:`entropic_step` — one entropic mirror (multiplicative-weights) step, done in log space:
  :math:`\log x^+ = \log x + \eta g - \operatorname{logsumexp}(\log x + \eta g)`, so no
  ``log 0`` is ever formed and large ``η g`` cannot overflow.
* :func:`best_response_gap` — the duality gap of a zero-sum matrix game.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def log_uniform(k: int, dtype=None) -> jax.Array:
    """``log`` of the centre of :math:`\\Delta_k`: the usual start of entropic mirror descent."""
    return jnp.full((k,), -jnp.log(k), dtype=dtype or jnp.result_type(float))


def entropic_step(log_x: jax.Array, g: jax.Array, step_size) -> jax.Array:
    r"""One entropic mirror *ascent* step on the simplex, in log space.

    .. math:: x^+ \propto x \odot \exp(\eta g)

    Args:
        log_x: ``(k,)`` log-probabilities (entries may be ``-inf`` for excluded actions).
        g: ``(k,)`` gradient of the objective being maximised.
        step_size: ``η > 0``.

    Returns:
        ``(k,)`` log-probabilities of the new point, normalised.
    """
    z = log_x + step_size * g
    return z - jax.nn.logsumexp(z)


def frank_wolfe_gap(x: jax.Array, g: jax.Array) -> jax.Array:
    r""":math:`\max_k g_k - g^\top x`, the Frank–Wolfe gap of a concave maximisation over the
    simplex at ``x`` with gradient ``g``; always :math:`\ge 0` (up to rounding), zero exactly at
    a maximiser."""
    return jnp.max(g) - jnp.dot(g, x)


def best_response_gap(M: jax.Array, x: jax.Array, y: jax.Array) -> jax.Array:
    r"""Duality gap of :math:`\max_x \min_y x^\top M y` at ``(x, y)``.

    .. math:: \max_k (M y)_k - \min_l (x^\top M)_l \;\ge\; 0,

    zero exactly at a saddle point; it bounds how far both strategies' guaranteed values are
    from the game's value.
    """
    return jnp.max(M @ y) - jnp.min(x @ M)
