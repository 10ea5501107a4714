"""The one iteration driver and the one bisection every solver uses.

:func:`iterate` runs ``step`` inside ``lax.while_loop`` until ``certificate(state) <= tol`` or
``max_steps`` steps have been taken, checking the certificate every ``check_every`` steps
(certificates cost a best response, so they are not recomputed every step).  Under ``vmap`` the
loop runs while any instance is unfinished and JAX freezes the finished ones, so each instance's
result, certificate and step count are its own.

:func:`bisect` halves a bracket ``[lo, hi]`` on a monotone predicate, elementwise, for a fixed
number of steps (``lax.fori_loop``, so every instance of a batch takes the same steps) or until the
bracket is narrower than ``tol`` (``lax.while_loop``).
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


class Bisection(NamedTuple):
    """A final bracket ``[lo, hi]``: ``go_right`` holds at ``lo``'s side, fails at ``hi``'s side."""

    lo: Any
    hi: Any
    num_steps: jax.Array


def bisect(
    go_right: Callable[[jax.Array], jax.Array],
    lo,
    hi,
    *,
    max_steps: int,
    tol=None,
) -> Bisection:
    """Bisection on a monotone predicate, elementwise over the shape of ``lo``.

    At each step ``mid = lo + (hi - lo) / 2`` (no overflow for brackets near the largest float);
    where ``go_right(mid)`` is true the bracket becomes ``[mid, hi]``, else ``[lo, mid]``.  So if
    ``go_right`` is true left of a point ``t*`` and false right of it, ``t*`` stays in the
    bracket, whose width halves every step.

    Args:
        go_right: ``mid -> bool`` array of ``mid``'s shape.
        lo, hi: initial bracket, arrays of one shape and floating dtype.
        max_steps: number of halvings (static).  Without ``tol`` exactly this many are taken
            (``lax.fori_loop``), the fastest form under ``vmap``.
        tol: if given, stop early once every ``hi - lo <= tol`` (``lax.while_loop``).

    Returns:
        :class:`Bisection` ``(lo, hi, num_steps)``.  Not differentiated: callers attach
        derivatives at the solution (:mod:`bargainjax.core._implicit`).
    """
    lo = jnp.asarray(lo)
    hi = jnp.asarray(hi, lo.dtype)

    def halve(lo, hi):
        mid = lo + 0.5 * (hi - lo)
        right = go_right(mid)
        return jnp.where(right, mid, lo), jnp.where(right, hi, mid)

    if tol is None:
        lo, hi = jax.lax.fori_loop(0, max_steps, lambda _, c: halve(*c), (lo, hi))
        return Bisection(lo, hi, jnp.asarray(max_steps, jnp.int32))

    def cond(c):
        lo, hi, k = c
        return (k < max_steps) & jnp.any(hi - lo > tol)

    def body(c):
        lo, hi, k = c
        return (*halve(lo, hi), k + 1)

    lo, hi, k = jax.lax.while_loop(cond, body, (lo, hi, jnp.asarray(0, jnp.int32)))
    return Bisection(lo, hi, k)
