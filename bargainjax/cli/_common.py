"""What ``solve``, ``sweep`` and the concept registry share: the one-line error, the exit code
of a status, and the readers of a result's contract fields.

The command line never computes a status or a tolerance of its own: it prints a result's
``certificate``, ``tol``, ``status`` and ``num_steps`` as they are, and a batch of statuses is
reduced by the one batch rule, :func:`bargainjax.core._contract.batch_status` (the first
failing instance's status in C order, else ``SUCCESSFUL``).
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from bargainjax.core._contract import Status, batch_status

PROG = "bargainjax"


class CommandError(Exception):
    """A clean, one-line refusal with an exit code (2: error, 1: solver did not certify)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def exit_code(status) -> int:
    """The exit status of a (batch) status: 0 ``SUCCESSFUL``; 2 ``INFEASIBLE`` (the concept does
    not apply: a refusal); 1 any other (the solver ran but did not certify its answer)."""
    s = batch_status(status)
    return 0 if s == Status.SUCCESSFUL else 2 if s == Status.INFEASIBLE else 1


def _status(code) -> tuple[str, str]:
    """``(name, message)`` of a status or a batch of statuses, reduced by the one batch rule
    (:func:`bargainjax.core._contract.batch_status`)."""
    s = batch_status(code)
    return s.name.lower(), s.message


def _floats(x) -> list:
    """JSON-ready list of Python floats.  Non-finite values are kept (as NaN/inf) so that the
    command finds them before printing: it never prints them (exit 1 instead)."""
    return [float(v) for v in np.asarray(x, float).ravel()]


def _scalar(x) -> float:
    return float(np.max(np.asarray(x, float))) if np.size(x) else math.nan


def _contract(result) -> tuple[float, float, int, int]:
    """``(certificate, tol, status, num_steps)`` of a result: its contract fields, printed as
    they are.  A batch of statuses is reduced by the one batch rule
    (:func:`bargainjax.core._contract.batch_status`)."""
    return (_scalar(result.certificate), _scalar(result.tol), int(batch_status(result.status)),
            int(np.max(np.asarray(result.num_steps))))


def _given(**kwargs) -> dict:
    """The keywords whose value is not ``None`` (the library's defaults apply to the others)."""
    return {k: v for k, v in kwargs.items() if v is not None}


def _call(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` without the keywords whose value is ``None`` (the library's
    defaults apply)."""
    return fn(*args, **_given(**kwargs))


def _default(fn, keyword: str):
    """The default value of ``fn``'s keyword argument ``keyword`` (the library's own)."""
    return inspect.signature(fn).parameters[keyword].default
