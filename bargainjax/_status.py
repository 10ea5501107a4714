"""Status codes shared by every solver, with the message a user sees.

Solvers never raise on value-dependent failures inside ``jit``: they return an
``int32`` status next to their certificate.  :func:`check` turns a non-zero
status into an exception, eagerly, outside ``jit``.
"""

from __future__ import annotations

import enum

import jax.numpy as jnp
import numpy as np


class Status(enum.IntEnum):
    """Integer status codes carried by every result (``result.status``)."""

    SUCCESSFUL = 0
    MAX_STEPS_REACHED = 1
    NONFINITE = 2
    INFEASIBLE = 3
    DEGENERATE = 4

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    Status.SUCCESSFUL: "certificate within tolerance",
    Status.MAX_STEPS_REACHED: (
        "the certificate did not reach `tol` within `max_steps`; increase `max_steps` "
        "or loosen `tol` (float32 cannot go much below 1e-6 relative)"
    ),
    Status.NONFINITE: "a non-finite value (NaN or inf) appeared in the inputs or iterates",
    Status.INFEASIBLE: (
        "the problem's precondition fails: no feasible point strictly improves on the "
        "disagreement point for every player"
    ),
    Status.DEGENERATE: "the problem is degenerate (zero payoff range or an empty face)",
}


def default_tol(dtype, *, float32: float = 1e-6) -> float:
    """Default certificate tolerance: ``1e-9`` for float64 inputs, ``float32`` otherwise.

    Each solver family states its float32 value (what that precision reliably certifies):
    zero-sum games ``1e-6`` relative to the payoff range, LPs and bargaining ``1e-5``.
    """
    return 1e-9 if jnp.finfo(dtype).bits >= 64 else float32


def status_message(status) -> str:
    """The message for an integer status code (or array of codes: the first failure)."""
    codes = np.atleast_1d(np.asarray(status)).ravel()
    bad = codes[codes != 0]
    return Status(int(bad[0]) if bad.size else 0).message


def combine(*statuses):
    """The first non-zero status among ``statuses`` (elementwise), else ``SUCCESSFUL``."""
    out = jnp.asarray(statuses[-1], jnp.int32)
    for s in reversed(statuses[:-1]):
        s = jnp.asarray(s, jnp.int32)
        out = jnp.where(s != 0, s, out)
    return out


def check(result):
    """Raise ``RuntimeError`` if ``result.status`` is not successful (any batch element).

    Call it eagerly, outside ``jit``.  Returns ``result`` unchanged otherwise.
    """
    codes = np.asarray(result.status)
    if np.any(codes != 0):
        failed = int(np.count_nonzero(codes != 0))
        raise RuntimeError(
            f"{type(result).__name__}: {failed} of {codes.size} instance(s) failed: "
            f"{status_message(codes)}"
        )
    return result
