r"""Derivatives of solutions, written once: the envelope (Danskin) rule and the implicit function.

Solvers in bargainjax find their answers by loops, pivots and bisections that are not meant to
be differentiated step by step.  Derivatives are attached at the answer instead, by one of two
rules.

**Envelope (Danskin).**  For a value :math:`v(\theta) = f(\theta, z^*(\theta))` where
:math:`z^*` is an optimiser (primal, or primal and dual for a Lagrangian :math:`L`),

.. math:: \mathrm{d}v = \partial_\theta L(\theta, z^*)\,\mathrm{d}\theta,

the optimiser held fixed.  Where the optimiser is not unique this is the derivative along one
selection: :math:`v` is then only directionally differentiable and the rule returns one
one-sided derivative (a supergradient for a max, a subgradient for a min).

**Implicit function.**  For a solution :math:`z^*(\theta)` of a square system
:math:`R(\theta, z) = 0` with :math:`\partial_z R` invertible at the solution,

.. math:: \mathrm{d}z = -[\partial_z R]^{-1}\,\partial_\theta R\,\mathrm{d}\theta.

Solvers pass the residual of the optimality conditions on the identified active set (a support,
a face): the derivative is then exact while the active set stays locally the same, and one-sided
where it changes.  A singular :math:`\partial_z R` gives non-finite tangents, never a silent zero.

Both helpers are ``jax.custom_jvp`` rules, so they compose with ``jit``, ``vmap``, ``grad``
(reverse mode by transposing the linear tangent) and ``jacfwd``.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import jax
import jax.numpy as jnp
from jax.flatten_util import ravel_pytree

from bargainjax.core import _linalg


def envelope(
    value: Callable[[Any, Any], jax.Array],
    params: Any,
    optimiser: Any,
    lagrangian: Callable[[Any, Any], jax.Array] | None = None,
) -> jax.Array:
    """``value(params, optimiser)`` whose derivative in ``params`` holds ``optimiser`` fixed.

    Args:
        value: ``(params, optimiser) -> array``, the value at the optimum (static: a function).
        params: pytree of the inputs to differentiate.
        optimiser: pytree of the optimiser (primal, and dual where ``lagrangian`` needs it);
            receives no derivative.
        lagrangian: ``(params, optimiser) -> array`` whose partial derivative in ``params`` is the
            value's derivative (a Lagrangian for a constrained problem); ``value`` if omitted.

    Returns:
        The value, with tangent :math:`\\partial_\\theta L(\\theta, z^*)\\,d\\theta`.
    """
    return _envelope(value, lagrangian or value, params, jax.lax.stop_gradient(optimiser))


@functools.partial(jax.custom_jvp, nondiff_argnums=(0, 1))
def _envelope(value, lagrangian, params, optimiser):
    return value(params, optimiser)


@_envelope.defjvp
def _envelope_jvp(value, lagrangian, primals, tangents):
    params, optimiser = primals
    dparams, _ = tangents
    _, dv = jax.jvp(lambda p: lagrangian(p, optimiser), (params,), (dparams,))
    return value(params, optimiser), dv


def implicit_solution(
    residual: Callable[[Any, Any, Any], jax.Array],
    params: Any,
    solution: Any,
    aux: Any = None,
    *,
    least_squares_rtol: float | None = None,
) -> Any:
    """``solution``, with the derivative of the implicit function ``residual(θ, z, aux) = 0``.

    Args:
        residual: ``(params, solution, aux) -> (p,)`` with ``p`` the number of scalars in
            ``solution`` (static: a function).  It must vanish at ``solution`` and be square in
            ``solution`` (fix inactive components by rows such as ``z_k = 0``).
        params: pytree of the inputs to differentiate.
        solution: pytree, the solver's answer (its own derivative is ignored).
        aux: pytree of non-differentiable data (masks, faces, indices) passed to ``residual``.
        least_squares_rtol: for a system that is not square, or whose solution is not locally
            unique (an overdetermined face system, duplicate points on a face), solve the tangent
            equation in the least-squares, minimum-norm sense with the pseudo-inverse, singular
            values below this fraction of the largest dropped (static).  The tangent is then the
            derivative along the minimum-norm selection of the solution set.

    Returns:
        ``solution`` unchanged, with tangent :math:`-[\\partial_z R]^{-1}\\partial_\\theta R\\,d\\theta`
        (non-finite where :math:`\\partial_z R` is singular and ``least_squares_rtol`` is None).
    """
    aux = jax.lax.stop_gradient(aux) if aux is not None else None
    return _implicit(residual, least_squares_rtol, params, jax.lax.stop_gradient(solution), aux)


@functools.partial(jax.custom_jvp, nondiff_argnums=(0, 1))
def _implicit(residual, least_squares_rtol, params, solution, aux):
    return solution


@_implicit.defjvp
def _implicit_jvp(residual, least_squares_rtol, primals, tangents):
    params, solution, aux = primals
    dparams = tangents[0]
    flat, unravel = ravel_pytree(solution)

    def r_of_z(z):
        return jnp.ravel(residual(params, unravel(z), aux))

    jac = jax.jacfwd(r_of_z)(flat)
    _, dr = jax.jvp(lambda p: jnp.ravel(residual(p, solution, aux)), (params,), (dparams,))
    # The inverse is a primal value, so the tangent is linear in dθ and transposes for grad.
    if least_squares_rtol is None:
        inverse = _linalg.inverse(jac)
    else:
        inverse = jnp.linalg.pinv(jac, rtol=least_squares_rtol)
    dz = -(inverse @ dr.astype(flat.dtype))
    return solution, unravel(dz)
