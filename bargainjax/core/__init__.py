"""The shared core every solver builds on.

* ``_contract`` — the result contract: :class:`Status`, :func:`certify` (the one place a status
  and a tolerance are computed), :func:`batch_status`, per-player units (:class:`PlayerScale`).
* ``_validate`` — eager input checks that name the offending argument; the one work cap.
* ``_loop`` — the one iteration driver (:func:`iterate`) and the one bisection (:func:`bisect`).
* ``_implicit`` — derivatives at a solution: the envelope (Danskin) rule and the implicit function.
* ``_linalg`` — small dense linear solves that stay fast under ``vmap``.
* ``_simplex`` — probability-simplex numerics (entropic mirror steps, best-response gaps).
"""

from bargainjax.core._contract import (
    DEFAULT_TOL,
    PlayerScale,
    Status,
    batch_status,
    certify,
    check,
    status_message,
)

__all__ = [
    "DEFAULT_TOL",
    "PlayerScale",
    "Status",
    "batch_status",
    "certify",
    "check",
    "status_message",
]
