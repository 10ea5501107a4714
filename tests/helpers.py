"""Shared test oracles, independent of bargainjax (numpy / scipy only).

* :func:`lp_value` — value and optimal strategies of a zero-sum matrix game by the standard
  minimax linear programs, solved by HiGHS (``scipy.optimize.linprog(method="highs")``).
* :func:`duality_gap` — the best-response duality gap, recomputed in float64 numpy.
* :func:`finite_difference` / :func:`finite_difference_jvp` — central differences of a function
  of one array, for checking ``jax.grad`` / ``jax.jvp``.

Import from test files as ``from helpers import ...`` (pytest puts ``tests/`` on ``sys.path``
because the test directory has no ``__init__.py``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.optimize import linprog


class LPGame(NamedTuple):
    """Result of :func:`lp_value`: the game's value and one optimal strategy per player."""

    value: float
    row_strategy: np.ndarray
    col_strategy: np.ndarray


def _row_lp(M: np.ndarray) -> tuple[float, np.ndarray]:
    """``max_{x, v} v`` s.t. ``(xᵀM)_j >= v`` for all ``j``, ``Σx = 1``, ``x >= 0``."""
    m, k = M.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0  # maximise v
    A_ub = np.hstack([-M.T, np.ones((k, 1))])  # v - (xᵀM)_j <= 0
    b_ub = np.zeros(k)
    A_eq = np.zeros((1, m + 1))
    A_eq[0, :m] = 1.0
    bounds = [(0.0, None)] * m + [(None, None)]
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=bounds,
                  method="highs")
    if res.status != 0:
        raise RuntimeError(f"HiGHS failed on the row player's LP: {res.message}")
    return float(res.x[-1]), np.clip(res.x[:m], 0.0, None)


def lp_value(M) -> LPGame:
    """Value of :math:`\\max_x \\min_y x^\\top M y` and optimal ``(x, y)`` by two HiGHS LPs.

    The row player's LP gives the lower value and ``x``; the column player's (the row LP of
    ``-Mᵀ``) gives the upper value and ``y``.  By LP duality they agree; their mean is returned
    after checking they agree to ``1e-7`` relative to the payoff range.
    """
    M = np.asarray(M, dtype=np.float64)
    if M.ndim != 2 or M.size == 0:
        raise ValueError(f"M must be a non-empty matrix, got shape {M.shape}")
    lower, x = _row_lp(M)
    neg_upper, y = _row_lp(-M.T)
    upper = -neg_upper
    scale = max(float(np.ptp(M)), 1.0)
    if abs(upper - lower) > 1e-7 * scale:
        raise RuntimeError(f"HiGHS row and column values disagree: {lower} vs {upper}")
    return LPGame(0.5 * (lower + upper), x / x.sum(), y / y.sum())


def duality_gap(M, x, y) -> float:
    """``max_i (M y)_i - min_j (xᵀM)_j`` in float64 numpy (zero exactly at a saddle point)."""
    M = np.asarray(M, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(M @ y) - np.min(x @ M))


def finite_difference(f: Callable, x, eps: float = 1e-6) -> np.ndarray:
    """Central-difference Jacobian of ``f`` at ``x``: shape ``f(x).shape + x.shape``.

    ``f`` takes one array (same shape as ``x``) and returns an array or scalar; it is evaluated
    ``2 x.size`` times at ``x ± eps e_i`` in float64.  Error ``O(eps²)`` plus rounding
    ``O(|f| ε / eps)``: ``eps = 1e-6`` suits float64 functions with ``O(1)`` curvature.
    """
    x = np.asarray(x, dtype=np.float64)
    f0 = np.asarray(f(x), dtype=np.float64)
    J = np.zeros(f0.shape + x.shape)
    flat = x.reshape(-1)
    for i in range(flat.size):
        e = np.zeros_like(flat)
        e[i] = eps
        plus = np.asarray(f((flat + e).reshape(x.shape)), dtype=np.float64)
        minus = np.asarray(f((flat - e).reshape(x.shape)), dtype=np.float64)
        J[(...,) + np.unravel_index(i, x.shape)] = (plus - minus) / (2.0 * eps)
    return J


def finite_difference_jvp(f: Callable, x, direction, eps: float = 1e-6) -> np.ndarray:
    """Central difference of ``f`` at ``x`` along ``direction``: ``(f(x+εd) - f(x-εd)) / 2ε``."""
    x = np.asarray(x, dtype=np.float64)
    d = np.asarray(direction, dtype=np.float64)
    plus = np.asarray(f(x + eps * d), dtype=np.float64)
    minus = np.asarray(f(x - eps * d), dtype=np.float64)
    return (plus - minus) / (2.0 * eps)


def fight_matrix_oracle(U, a, R):
    """Fight matrix of coalition ``R`` by a loop over joint actions (independent of bj)."""
    U = np.asarray(U, np.float64)
    n = U.shape[0]
    P = [i for i in range(n) if R >> i & 1]
    Q = [i for i in range(n) if not R >> i & 1]
    rows = list(itertools.product(*[range(U.shape[1 + i]) for i in P]))
    cols = list(itertools.product(*[range(U.shape[1 + j]) for j in Q]))
    M = np.zeros((len(rows), len(cols)))
    for r, xr in enumerate(rows):
        for c, xc in enumerate(cols):
            x = [0] * n
            for i, ai in zip(P, xr):
                x[i] = ai
            for j, aj in zip(Q, xc):
                x[j] = aj
            M[r, c] = sum((a[i] if R >> i & 1 else -a[i]) * U[(i, *x)] for i in range(n))
    return M


def coco_value_oracle(U, a):
    """CoCo value and all V_S by HiGHS and the factorial formula (Kalai & Kalai 2013)."""
    U = np.asarray(U, np.float64)
    n = U.shape[0]
    full = 2**n - 1
    V = np.zeros(2**n)
    V[full] = np.max(np.tensordot(a, U, axes=1))
    V[0] = -V[full]
    for R in range(1, full):
        V[R] = lp_value(fight_matrix_oracle(U, a, R)).value
    phi = np.zeros(n)
    for R in range(1, 2**n):
        r = R.bit_count()
        c = math.factorial(r - 1) * math.factorial(n - r) / math.factorial(n)
        for i in range(n):
            if R >> i & 1:
                phi[i] += c * V[R]
    return phi, V


def gambit_dir():
    """The optional collection of Gambit ``.nfg`` games used as extra test inputs, or None.

    ``$BARGAINJAX_GAMBIT_GAMES`` if set, else a ``shared/games/gambit`` folder beside the
    repository (where the project's development machines keep it).
    """
    import os
    from pathlib import Path

    env = os.environ.get("BARGAINJAX_GAMBIT_GAMES")
    d = Path(env) if env else Path(__file__).resolve().parents[2].joinpath("shared", "games", "gambit")
    return d if d.is_dir() and any(d.glob("*.nfg")) else None
