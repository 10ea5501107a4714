"""Input checks that name the offending argument.

Every check runs only on concrete values: under ``jit`` the arrays are tracers and
the value checks are skipped (the solvers then report problems through ``status``).
Shape checks always run, at trace time.
"""

from __future__ import annotations

import numbers

import jax
import numpy as np


def is_concrete(x) -> bool:
    """True when ``x`` holds actual values (not a JAX tracer)."""
    return not isinstance(x, jax.core.Tracer)


def as_array(x, name: str, *, ndim: int | None = None, min_ndim: int | None = None):
    """``jnp.asarray(x)`` with a float dtype, or a ``ValueError`` naming ``name``."""
    import jax.numpy as jnp

    try:
        arr = jnp.asarray(x)
    except (TypeError, ValueError) as err:
        raise ValueError(f"`{name}` must be an array of numbers ({err})") from None
    if not jnp.issubdtype(arr.dtype, jnp.inexact):
        if not (jnp.issubdtype(arr.dtype, jnp.integer) or arr.dtype == bool):
            raise ValueError(f"`{name}` must hold numbers, got dtype {arr.dtype}")
        arr = arr.astype(jnp.result_type(float))
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"`{name}` must have {ndim} dimension(s), got shape {arr.shape}")
    if min_ndim is not None and arr.ndim < min_ndim:
        raise ValueError(f"`{name}` must have at least {min_ndim} dimension(s), got shape {arr.shape}")
    return arr


def finite(x, name: str):
    """Raise if a concrete ``x`` holds NaN or inf."""
    if is_concrete(x) and not np.all(np.isfinite(np.asarray(x))):
        raise ValueError(f"`{name}` contains NaN or inf")
    return x


def positive(x, name: str):
    """Raise if a concrete ``x`` has an entry that is not strictly positive (or is not finite)."""
    finite(x, name)
    if is_concrete(x) and not np.all(np.asarray(x) > 0):
        raise ValueError(f"`{name}` must be strictly positive, got {np.asarray(x)}")
    return x


def nonnegative(x, name: str):
    """Raise if a concrete ``x`` has a negative entry."""
    finite(x, name)
    if is_concrete(x) and not np.all(np.asarray(x) >= 0):
        raise ValueError(f"`{name}` must be non-negative, got {np.asarray(x)}")
    return x


def shape(x, expected: tuple, name: str):
    """Raise unless ``x.shape == expected`` (trailing, batch dims not allowed)."""
    if tuple(x.shape) != tuple(expected):
        raise ValueError(f"`{name}` must have shape {tuple(expected)}, got {tuple(x.shape)}")
    return x


def work_cap(size: int, limit, keyword: str, what: str) -> None:
    """The one eager work cap: a one-line ``ValueError`` when ``size`` exceeds ``limit``.

    ``what`` says what is counted and why it is costly (e.g. "`game` has n = 20 players (2**n
    coalition fights)"); the message names ``keyword``, the option that raises the limit.
    """
    if not isinstance(limit, numbers.Integral) or isinstance(limit, bool) or limit < 1:
        raise ValueError(f"`{keyword}` must be a positive integer, got {limit!r}")
    if size > limit:
        raise ValueError(f"{what}, above {keyword} = {limit}; pass a larger `{keyword}` "
                         f"(e.g. {keyword}={size}) to raise the limit")
