"""Small dense linear solves written in plain ``jax.numpy``.

``jnp.linalg.solve`` lowers to a LAPACK custom call on CPU; batched under ``vmap`` inside a
``lax.while_loop`` it deadlocked on jax 0.10.2 CPU at batch sizes >= 64 here (the hang noted in
PERF_NOTES, reproduced by ``solve_zero_sum(..., method="mirror")`` before this module existed).
Gaussian elimination with partial pivoting in ``lax.fori_loop`` avoids the custom call, fuses
with the surrounding loop, and is cheap at the sizes the polish steps use (tens to a few
hundred unknowns).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def solve(A: jax.Array, b: jax.Array) -> jax.Array:
    """Solve ``A z = b`` for square ``A`` ``(p, p)`` and ``b`` ``(p,)`` or ``(p, r)``.

    Gaussian elimination with partial pivoting.  A (numerically) singular ``A`` gives non-finite
    entries in ``z`` rather than an error, so callers test ``jnp.isfinite``.
    """
    p = A.shape[0]
    vec = b.ndim == 1
    B = b[:, None] if vec else b
    Ab = jnp.concatenate([A, B], axis=1)
    tiny = jnp.finfo(A.dtype).eps * (jnp.max(jnp.abs(A)) + jnp.finfo(A.dtype).tiny)
    rows = jnp.arange(p)

    def eliminate(j, Ab):
        col = jnp.where(rows >= j, jnp.abs(Ab[:, j]), -1.0)
        r = jnp.argmax(col)
        row_j, row_r = Ab[j], Ab[r]
        Ab = Ab.at[j].set(row_r).at[r].set(row_j)
        piv = Ab[j, j]
        piv = jnp.where(jnp.abs(piv) > tiny, piv, jnp.nan)
        pivot_row = Ab[j] / piv
        factors = jnp.where(rows == j, 0.0, Ab[:, j])
        Ab = Ab - factors[:, None] * pivot_row[None, :]
        return Ab.at[j].set(pivot_row)

    Ab = jax.lax.fori_loop(0, p, eliminate, Ab)
    z = Ab[:, p:]
    return z[:, 0] if vec else z
