"""Small dense linear solves written in plain ``jax.numpy``.

``jnp.linalg.solve`` lowers to a LAPACK custom call on CPU; batched under ``vmap`` inside a
``lax.while_loop`` it deadlocked on jax 0.10.2 CPU at batch sizes >= 64 here
(reproduced by ``solve_zero_sum(..., method="mirror")`` before this module existed).
Gauss–Jordan elimination with partial pivoting in ``lax.fori_loop`` avoids the custom call, fuses
with the surrounding loop, and is cheap at the sizes the polish steps use (tens to a few
hundred unknowns).

Written for ``vmap``: the pivot row is never physically swapped (under ``vmap`` a row index that
differs per batch element turns ``.at[r].set`` into a scatter over the whole batch, which was
most of the cost of the support polish).  Instead each step normalises the chosen pivot row in
place with an elementwise ``where`` and remembers which unknown that row now holds; one
permutation at the end puts the unknowns in order.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def solve(A: jax.Array, b: jax.Array) -> jax.Array:
    """Solve ``A z = b`` for square ``A`` ``(p, p)`` and ``b`` ``(p,)`` or ``(p, r)``.

    Gauss–Jordan elimination with partial pivoting.  A (numerically) singular ``A`` (a pivot
    below ``eps * max|A|``) gives non-finite entries in ``z`` rather than an error, so callers
    test ``jnp.isfinite``.  Not meant to be differentiated: use it on primal values (e.g.
    :func:`inverse` in a JVP rule) and multiply tangents by the result.
    """
    p = A.shape[0]
    vec = b.ndim == 1
    B = b[:, None] if vec else b
    Ab = jnp.concatenate([A, B.astype(A.dtype)], axis=1)
    tiny = jnp.finfo(A.dtype).eps * (jnp.max(jnp.abs(A)) + jnp.finfo(A.dtype).tiny)
    rows = jnp.arange(p)

    def eliminate(j, carry):
        Ab, used, holds = carry
        col = Ab[:, j]
        r = jnp.argmax(jnp.where(used, -1.0, jnp.abs(col)))
        piv = col[r]
        piv = jnp.where(jnp.abs(piv) > tiny, piv, jnp.nan)
        pivot_row = Ab[r] / piv
        is_r = rows == r
        factors = jnp.where(is_r, 0.0, col)
        eliminated = Ab - factors[:, None] * pivot_row[None, :]
        Ab = jnp.where(is_r[:, None], pivot_row[None, :], eliminated)
        return Ab, used | is_r, jnp.where(is_r, j, holds)

    Ab, _, holds = jax.lax.fori_loop(
        0, p, eliminate, (Ab, jnp.zeros(p, bool), jnp.zeros(p, jnp.int32))
    )
    # Row r now holds unknown holds[r]: z[holds[r]] = Ab[r, p:].
    perm = (holds[None, :] == rows[:, None]).astype(A.dtype)  # perm[i, r] = [holds[r] == i]
    z = perm @ Ab[:, p:]
    return z[:, 0] if vec else z


def inverse(A: jax.Array) -> jax.Array:
    """``A⁻¹`` by :func:`solve` (non-finite entries where ``A`` is numerically singular)."""
    return solve(A, jnp.eye(A.shape[0], dtype=A.dtype))
