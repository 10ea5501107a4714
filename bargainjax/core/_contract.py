"""The result contract: status codes, the tolerance policy and per-player units, in one place.

Every public result carries four contract fields next to its concept's own ones:

* ``certificate`` — one number per instance, recomputed from the returned answer, that bounds
  the answer's error in the concept's documented, dimensionless units (each solver's docstring
  says what it bounds);
* ``tol`` — the tolerance it was held to: the requested tolerance plus the certificate's own
  rounding floor at the answer (never more than twice the request on a ``SUCCESSFUL`` result);
* ``status`` — a :class:`Status` code, decided by :func:`certify` and nowhere else;
* ``num_steps`` — iterations (or pivots, or evaluations) used.

Solvers never raise on value-dependent failures inside ``jit``: they return the status.
:func:`check` turns a failing status into an exception, eagerly; :func:`batch_status` is the one
rule that reduces a batch of statuses to one (used by :func:`check`, the command line and
``sweep``).

**Units.**  Certificates and tolerances are relative to payoff ranges, computed by
:class:`PlayerScale` without forming ``max - min`` (which overflows near ``1e308``): solvers map
each player's payoffs to ``[-1, 1]`` (per player where the concept is invariant under each
player's affine change of units, with one common scale where it is invariant only under common
ones), solve there and map the answer back.  So a result for ``α_i U_i + β_i`` is the affine
image of the result for ``U`` with the same status, up to the rounding of the data itself
(``eps |β_i| / (α_i range_i)``).
"""

from __future__ import annotations

import enum
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

CONTRACT_FIELDS = ("certificate", "tol", "status", "num_steps")


class Status(enum.IntEnum):
    """Integer status codes carried by every result (``result.status``)."""

    SUCCESSFUL = 0
    MAX_STEPS_REACHED = 1
    NONFINITE = 2
    INFEASIBLE = 3
    DEGENERATE = 4
    IMPRECISE = 5

    @property
    def message(self) -> str:
        return _MESSAGES[self]


_MESSAGES = {
    Status.SUCCESSFUL: "certificate within tolerance",
    Status.MAX_STEPS_REACHED: (
        "the certificate did not reach `tol` within `max_steps`; increase `max_steps` "
        "or loosen `tol`"
    ),
    Status.NONFINITE: "a non-finite value (NaN or inf) appeared in the inputs or iterates",
    Status.INFEASIBLE: (
        "the problem's precondition fails: no feasible point strictly improves on the "
        "disagreement point for every player"
    ),
    Status.DEGENERATE: "the problem is degenerate (zero payoff range or an empty face)",
    Status.IMPRECISE: (
        "the answer cannot be certified to `tol` in this precision: the certificate's rounding "
        "floor exceeds it (loosen `tol`, use float64, or bring the disagreement point nearer "
        "the feasible set)"
    ),
}

# Default tolerances by solver family, (float64, float32): what each family's certificate
# reliably reaches in that precision.  Every solver takes its default from here.
DEFAULT_TOL = {
    "zero_sum": (1e-9, 1e-6),     # duality gap / payoff range
    "lp": (1e-9, 1e-5),           # scaled primal, dual residuals and gap
    "bargaining": (1e-9, 1e-5),   # max-min gaps, weighted sums (payoff range units)
    "nbs": (1e-6, 1e-2),          # bound on |u - u*| / range per player (square root of a gap)
    "coco": (1e-9, 1e-5),         # coalition fights' duality gaps / payoff range
    "equilibrium": (1e-6, 1e-3),  # CoCo equilibrium residuals / payoff range
}


def default_tol(dtype, family: str = "zero_sum") -> float:
    """Default certificate tolerance of a solver ``family`` (a key of :data:`DEFAULT_TOL`)."""
    f64, f32 = DEFAULT_TOL[family]
    return f64 if jnp.finfo(dtype).bits >= 64 else f32


def resolve_tol(tol, dtype, family: str, *, static: bool = False):
    """The tolerance a solver is held to: the family's default for ``dtype`` when ``tol`` is None.

    A concrete ``tol`` must be a finite positive scalar (one-line ``ValueError`` naming ``tol``
    otherwise) and is returned as a Python float.  A traced ``tol`` (under ``jit``/``vmap``) is
    returned as it is, unless ``static=True`` (the solver needs it at trace time), which refuses it.
    """
    if tol is None:
        return default_tol(dtype, family)
    if isinstance(tol, bool):
        raise ValueError(f"`tol` must be a positive number or None, got {tol!r}")
    if isinstance(tol, jax.core.Tracer):
        if static:
            raise ValueError("`tol` must be a concrete positive number or None (it is used at "
                             "trace time), got a traced value")
        return tol
    try:
        value = np.asarray(tol, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"`tol` must be a positive number or None, got {tol!r}") from None
    if value.ndim != 0 or not (np.isfinite(value) and value > 0):
        raise ValueError(f"`tol` must be a finite positive scalar or None, got {tol!r}")
    return float(value)


def certify(certificate, tol, *, floor=0.0, inputs_finite=True, infeasible=False,
            degenerate=False, failure=Status.MAX_STEPS_REACHED):
    """The status of an answer and the tolerance it is held to: ``(status, tol + floor)``.

    In order: ``NONFINITE`` if the inputs or the certificate are NaN (an infinite certificate
    means "not computed" and is a plain failure); ``INFEASIBLE``; ``DEGENERATE``; ``IMPRECISE``
    if the certificate's rounding ``floor`` exceeds ``tol`` (no answer could be certified);
    ``SUCCESSFUL`` if ``certificate <= tol + floor``; else ``failure``.  Elementwise; works
    under ``jit``/``vmap``.
    """
    certificate = jnp.asarray(certificate)
    tol = jnp.asarray(tol, certificate.dtype)
    floor = jnp.where(jnp.isnan(floor), jnp.inf, floor)
    bound = tol + floor
    status = jnp.where(certificate <= bound, Status.SUCCESSFUL, failure)
    status = jnp.where(floor > tol, Status.IMPRECISE, status)
    status = jnp.where(degenerate, Status.DEGENERATE, status)
    status = jnp.where(infeasible, Status.INFEASIBLE, status)
    status = jnp.where(~jnp.asarray(inputs_finite) | jnp.isnan(certificate), Status.NONFINITE,
                       status)
    return status.astype(jnp.int32), bound


def batch_status(status) -> Status:
    """The one reduction of a batch of statuses: the first failing code in C order, else
    ``SUCCESSFUL``.  Eager (NumPy)."""
    codes = np.atleast_1d(np.asarray(status)).ravel()
    bad = codes[codes != 0]
    return Status(int(bad[0]) if bad.size else 0)


def status_message(status) -> str:
    """The message of :func:`batch_status` of ``status`` (a code or an array of codes)."""
    return batch_status(status).message


def combine(*statuses):
    """The first non-zero status among ``statuses`` (elementwise), else ``SUCCESSFUL``."""
    out = jnp.asarray(statuses[-1], jnp.int32)
    for s in reversed(statuses[:-1]):
        s = jnp.asarray(s, jnp.int32)
        out = jnp.where(s != 0, s, out)
    return out


def check(result):
    """Raise ``RuntimeError`` unless every instance of ``result.status`` is ``SUCCESSFUL``.

    Call it eagerly, outside ``jit``.  Returns ``result`` unchanged otherwise.
    """
    codes = np.asarray(result.status)
    if np.any(codes != 0):
        failed = int(np.count_nonzero(codes != 0))
        status = batch_status(codes)
        raise RuntimeError(
            f"{type(result).__name__}: {failed} of {codes.size} instance(s) failed: "
            f"{status.name.lower()} ({status.message})"
        )
    return result


def alias(field: str):
    """A read-only property returning ``self.<field>``: the old name of a contract field,
    kept for one release (e.g. ``gap = alias("certificate")``)."""
    return property(lambda self: getattr(self, field),
                    doc=f"Deprecated alias of ``{field}``, kept for one release.")


class PlayerScale(NamedTuple):
    """Per-player units: ``center`` and half-range ``scale`` (both ``(n,)``, or ``()``).

    ``unit(x) = (x - center) / scale`` maps each player's payoff range onto ``[-1, 1]``;
    ``restore`` inverts it.  Built from the range ``[lo, hi]`` without forming ``hi - lo``
    (finite for any finite ``lo``, ``hi``); a zero range gets the scale ``|center|`` (or 1),
    so a constant payoff maps to 0.
    """

    center: jax.Array
    scale: jax.Array

    @classmethod
    def from_bounds(cls, lo, hi, *, common: bool = False) -> "PlayerScale":
        """Units from each player's range; ``common=True`` gives every player the largest
        half-range (for concepts invariant only under common changes of scale)."""
        # The halves pass an optimisation barrier: XLA's simplifier would otherwise rewrite
        # 0.5 lo + 0.5 hi as 0.5 (lo + hi), which overflows near 1e308 under jit.
        a, b = jax.lax.optimization_barrier((0.5 * jnp.asarray(lo), 0.5 * jnp.asarray(hi)))
        center = a + b
        half = b - a
        if common:
            half = jnp.broadcast_to(jnp.max(half), half.shape)
        fallback = jnp.where(jnp.abs(center) > 0, jnp.abs(center), 1.0)
        scale = jnp.where(half > 0, half, fallback)
        return cls(jax.lax.stop_gradient(center), jax.lax.stop_gradient(scale))

    @classmethod
    def of(cls, values, axis, *, common: bool = False) -> "PlayerScale":
        """Units from the extremes of ``values`` over ``axis`` (e.g. a game's outcomes)."""
        return cls.from_bounds(jnp.min(values, axis=axis), jnp.max(values, axis=axis),
                               common=common)

    def _split(self):
        # scale = m 2**e with m in [0.5, 1): dividing by 2**e in two halves keeps every factor
        # normal (XLA on CPU flushes subnormals, so x / 1e308 would read 0).
        m, e = jnp.frexp(self.scale)
        e = e.astype(self.scale.dtype)
        h = jnp.floor(0.5 * e)
        return m, h, e - h

    def unit(self, x):
        """``(x - center) / scale`` without overflow or underflow."""
        m, h1, h2 = self._split()
        return 2.0 * ((0.5 * x - 0.5 * self.center) * jnp.exp2(-h1) * jnp.exp2(-h2) / m)

    def restore(self, y):
        """``center + scale * y``: the inverse of :meth:`unit`."""
        m, h1, h2 = self._split()
        return self.center + (y * m) * jnp.exp2(h1) * jnp.exp2(h2)

    def rescale(self, y):
        """``scale * y`` (a difference of payoffs back in the player's units)."""
        m, h1, h2 = self._split()
        return (y * m) * jnp.exp2(h1) * jnp.exp2(h2)

    def data_floor(self):
        """Relative rounding of the data in these units: ``eps max_i |center_i| / scale_i``."""
        return jnp.finfo(self.scale.dtype).eps * jnp.max(jnp.abs(self.center) / self.scale)
