"""The one iteration driver every first-order solver uses.

:func:`iterate` runs ``step`` inside ``lax.while_loop`` until ``certificate(state) <= tol`` or
``max_steps`` steps have been taken, checking the certificate every ``check_every`` steps
(certificates cost a best response, so they are not recomputed every step).  Under ``vmap`` the
loop runs while any instance is unfinished and JAX freezes the finished ones, so each instance's
result, certificate and step count are its own.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp

from bargainjax.core._contract import Status


class LoopResult(NamedTuple):
    state: Any
    certificate: jax.Array
    num_steps: jax.Array
    status: jax.Array


def iterate(
    step: Callable[[Any], Any],
    certificate: Callable[[Any], jax.Array],
    state: Any,
    *,
    tol,
    max_steps: int,
    check_every: int = 1,
    steps_per_call: int = 1,
) -> LoopResult:
    """Iterate ``state = step(state)`` until ``certificate(state) <= tol``.

    Args:
        step: one iteration, ``state -> state`` (same structure and dtypes).
        certificate: ``state -> scalar`` error bound; NaN counts as failure.
        state: the initial state.
        tol: stop once the certificate is at most this.
        max_steps: cap on the number of ``step`` calls (static).
        check_every: evaluate the certificate after every this many steps (static).
        steps_per_call: iterations one ``step`` call stands for, when ``step`` is itself a block
            of iterations (for ``num_steps`` and the ``max_steps`` cap).

    Returns:
        :class:`LoopResult` with status ``SUCCESSFUL``, ``MAX_STEPS_REACHED`` or ``NONFINITE``.
    """
    check_every = max(1, int(check_every))

    def block(s):
        return jax.lax.fori_loop(0, check_every, lambda _, t: step(t), s)

    def cond(carry):
        _, cert, k = carry
        return (cert > tol) & (k < max_steps) & jnp.isfinite(cert)

    def body(carry):
        s, _, k = carry
        s = block(s)
        return s, certificate(s), k + check_every * steps_per_call

    cert0 = certificate(state)
    state, cert, k = jax.lax.while_loop(cond, body, (state, cert0, jnp.asarray(0, jnp.int32)))
    status = jnp.where(
        ~jnp.isfinite(cert),
        Status.NONFINITE,
        jnp.where(cert <= tol, Status.SUCCESSFUL, Status.MAX_STEPS_REACHED),
    ).astype(jnp.int32)
    return LoopResult(state, cert, k, status)
