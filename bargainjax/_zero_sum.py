r"""Two-player zero-sum matrix games.

.. math:: \operatorname{val}(M) = \max_{x \in \Delta_m} \min_{y \in \Delta_k} x^\top M y,

the row player (``x``) maximising.  The certificate is the duality gap
:math:`\max_i (My)_i - \min_j (x^\top M)_j \ge 0`, recomputed from best responses, which bounds
how far both strategies' guarantees are from the value.

Algorithm (:func:`solve_zero_sum`), on the game rescaled to payoffs in ``[0, 1]``:

1. *Optimistic multiplicative weights* (entropic optimistic mirror descent; Rakhlin & Sridharan
   2013, Daskalakis & Panageas 2019) with an adaptive step and restarts from the better of the
   last and the averaged iterate whenever its gap has halved.
2. *Polish on the identified supports*: solve the square equaliser system
   :math:`(My)_{S_x} = w,\ (x^\top M)_{S_y} = v,\ \sum x = \sum y = 1`, keep it if the gap drops.
3. *Exact finish* for whatever is still above ``tol``: a dense tableau simplex method on
   :math:`\max 1^\top q` s.t. :math:`(M' q) \le 1, q \ge 0` with :math:`M' > 0` (the classical LP
   of a matrix game; e.g. Nisan et al. 2007, §1.4), Dantzig's rule then Bland's rule against
   cycling; its dual values give ``x``.  Its supports are polished as in 2.

Every stage runs per instance inside ``lax.while_loop`` so under ``vmap`` each game stops at its
own certificate; nothing leaves JAX.

Differentiation: the value is differentiated by Danskin's theorem, :math:`dv = x^\top dM\, y`
(exact wherever the value is differentiable, a valid directional derivative otherwise).  The
strategies are differentiated through the equaliser system on their supports, which is the exact
derivative wherever the equilibrium is unique and non-degenerate (equal support sizes, strict
complementarity); where that system is singular the strategies' derivative is returned as zero.
For a smooth surrogate everywhere use :func:`solve_zero_sum_entropic`.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from . import _validate as v
from . import _linalg
from ._simplex import best_response_gap, entropic_step, log_uniform
from ._status import Status


class ZeroSumSolution(NamedTuple):
    """Result of :func:`solve_zero_sum` (every field an array; batched under ``vmap``).

    Attributes:
        value: ``()`` the value :math:`x^\\top M y` at the returned strategies.
        row_strategy: ``(m,)`` the maximiser's mixed strategy ``x``.
        col_strategy: ``(k,)`` the minimiser's mixed strategy ``y``.
        gap: ``()`` duality gap in payoff units (the certificate).
        tol: ``()`` the tolerance ``gap`` was held to, in payoff units.
        num_steps: ``()`` first-order iterations plus simplex pivots used.
        status: ``()`` :class:`bargainjax.Status` code.
    """

    value: jax.Array
    row_strategy: jax.Array
    col_strategy: jax.Array
    gap: jax.Array
    tol: jax.Array
    num_steps: jax.Array
    status: jax.Array


def default_tol(dtype) -> float:
    """Default relative gap tolerance: ``1e-9`` in float64, ``1e-6`` in float32 (see README)."""
    return 1e-9 if jnp.finfo(dtype).bits >= 64 else 1e-6


# ----------------------------------------------------------------------------- polish


def _equaliser(M, sx, sy):
    """Solve the equaliser system on supports ``sx`` (m,) / ``sy`` (k,) booleans.

    Returns ``(x, y, K, z)``: unclipped solution and the system, for the sensitivity.
    """
    m, k = M.shape
    fx, fy = sx.astype(M.dtype), sy.astype(M.dtype)
    K = jnp.zeros((m + k + 2, m + k + 2), M.dtype)
    K = K.at[:m, :m].set(jnp.diag(1.0 - fx))
    K = K.at[:m, m : m + k].set(fx[:, None] * M)
    K = K.at[:m, m + k].set(-fx)
    K = K.at[m : m + k, :m].set(fy[:, None] * M.T)
    K = K.at[m : m + k, m : m + k].set(jnp.diag(1.0 - fy))
    K = K.at[m : m + k, m + k + 1].set(-fy)
    K = K.at[m + k, :m].set(1.0)
    K = K.at[m + k + 1, m : m + k].set(1.0)
    b = jnp.zeros(m + k + 2, M.dtype).at[m + k :].set(1.0)
    z = _linalg.solve(K, b)
    return z[:m], z[m : m + k], K, z


def _clean(p):
    p = jnp.clip(jnp.where(jnp.isfinite(p), p, 0.0), 0.0)
    s = jnp.sum(p)
    return jnp.where(s > 0, p / jnp.where(s > 0, s, 1.0), jnp.full_like(p, 1.0 / p.shape[0]))


def _polish(M, x, y, gap, thresholds):
    """Try the equaliser on supports ``{x_i > θ max x}`` for each θ; keep the best gap."""
    best = (x, y, gap)
    for theta in thresholds:
        sx = x > theta * jnp.max(x)
        sy = y > theta * jnp.max(y)
        xe, ye, _, _ = _equaliser(M, sx, sy)
        xe, ye = _clean(xe), _clean(ye)
        ge = best_response_gap(M, xe, ye)
        better = jnp.isfinite(ge) & (ge < best[2])
        best = (
            jnp.where(better, xe, best[0]),
            jnp.where(better, ye, best[1]),
            jnp.where(better, ge, best[2]),
        )
    return best


_THRESHOLDS = (1e-2, 1e-4, 1e-7)

# ------------------------------------------------------------------ optimistic MWU


class _OmwuState(NamedTuple):
    log_x: jax.Array
    log_y: jax.Array
    gx_prev: jax.Array
    gy_prev: jax.Array
    sum_x: jax.Array
    sum_y: jax.Array
    best_x: jax.Array
    best_y: jax.Array
    best_gap: jax.Array
    restart_gap: jax.Array
    last_gap: jax.Array
    step_size: jax.Array


def _omwu_block(M, state: _OmwuState, inner: int) -> _OmwuState:
    eta = state.step_size

    def one(_, c):
        lx, ly, gxp, gyp, sx, sy = c
        x, y = jnp.exp(lx), jnp.exp(ly)
        gx, gy = M @ y, -(x @ M)
        lx = entropic_step(lx, 2.0 * gx - gxp, eta)
        ly = entropic_step(ly, 2.0 * gy - gyp, eta)
        return lx, ly, gx, gy, sx + jnp.exp(lx), sy + jnp.exp(ly)

    lx, ly, gxp, gyp, sx, sy = jax.lax.fori_loop(
        0, inner, one,
        (state.log_x, state.log_y, state.gx_prev, state.gy_prev, state.sum_x, state.sum_y),
    )
    x_last, y_last = jnp.exp(lx), jnp.exp(ly)
    x_avg, y_avg = sx / jnp.sum(sx), sy / jnp.sum(sy)
    g_last = best_response_gap(M, x_last, y_last)
    g_avg = best_response_gap(M, x_avg, y_avg)
    use_last = g_last <= g_avg
    cx = jnp.where(use_last, x_last, x_avg)
    cy = jnp.where(use_last, y_last, y_avg)
    cg = jnp.minimum(g_last, g_avg)
    px, py, pg = _polish(M, cx, cy, cg, _THRESHOLDS)
    improved = pg < state.best_gap
    best_x = jnp.where(improved, px, state.best_x)
    best_y = jnp.where(improved, py, state.best_y)
    best_gap = jnp.minimum(pg, state.best_gap)
    # Restart from the candidate once its gap has halved since the last restart.
    restart = cg <= 0.5 * state.restart_gap
    tiny = jnp.finfo(M.dtype).tiny
    lx = jnp.where(restart, jnp.log(jnp.maximum(cx, tiny)), lx)
    ly = jnp.where(restart, jnp.log(jnp.maximum(cy, tiny)), ly)
    lx, ly = lx - jax.nn.logsumexp(lx), ly - jax.nn.logsumexp(ly)
    sx = jnp.where(restart, jnp.zeros_like(sx), sx)
    sy = jnp.where(restart, jnp.zeros_like(sy), sy)
    restart_gap = jnp.where(restart, cg, state.restart_gap)
    # Adaptive step: shrink when the last iterate got worse, grow gently when it improved.
    step_size = jnp.where(g_last > 2.0 * state.last_gap, 0.5 * eta, jnp.minimum(1.2 * eta, 8.0))
    return _OmwuState(lx, ly, gxp, gyp, sx, sy, best_x, best_y, best_gap, restart_gap,
                      g_last, step_size)


def _omwu(M, tol, max_steps, inner):
    m, k = M.shape
    dt = M.dtype
    lx, ly = log_uniform(m, dt), log_uniform(k, dt)
    x0, y0 = jnp.exp(lx), jnp.exp(ly)
    g0 = best_response_gap(M, x0, y0)
    state = _OmwuState(lx, ly, M @ y0, -(x0 @ M), jnp.zeros(m, dt), jnp.zeros(k, dt),
                       x0, y0, g0, g0, g0, jnp.asarray(2.0, dt))

    def cond(c):
        s, it = c
        return (s.best_gap > tol) & (it < max_steps)

    def body(c):
        s, it = c
        return _omwu_block(M, s, inner), it + inner

    state, steps = jax.lax.while_loop(cond, body, (state, jnp.asarray(0, jnp.int32)))
    return state.best_x, state.best_y, state.best_gap, steps


# --------------------------------------------------------------------- simplex finish


def _simplex(M, needed, max_pivots):
    """Exact LP solve of the game ``M`` (entries in [0, 1]) by a dense tableau simplex.

    Solves ``max 1ᵀq s.t. (M + 1) q <= 1, q >= 0`` from the slack basis; returns
    ``(x, y, pivots)``.  Runs only while ``needed`` (so finished ``vmap`` lanes cost nothing
    beyond the slowest needy lane).
    """
    m, k = M.shape
    dt = M.dtype
    eps = 16 * jnp.finfo(dt).eps
    P = M + 1.0
    T = jnp.zeros((m + 1, k + m + 1), dt)
    T = T.at[:m, :k].set(P).at[:m, k : k + m].set(jnp.eye(m, dtype=dt)).at[:m, -1].set(1.0)
    T = T.at[m, :k].set(-1.0)
    basis = jnp.arange(k, k + m)
    bland_after = 2 * (m + k)
    cols = jnp.arange(k + m)

    def entering(T, pivots):
        obj = T[m, :-1]
        dantzig = jnp.argmin(obj)
        bland = jnp.argmax(obj < -eps)
        return jnp.where(pivots < bland_after, dantzig, bland), jnp.min(obj) < -eps

    def cond(c):
        T, basis, pivots, optimal = c
        return needed & ~optimal & (pivots < max_pivots)

    def body(c):
        T, basis, pivots, _ = c
        j, improvable = entering(T, pivots)
        col = T[:m, j]
        ratio = jnp.where(col > eps, T[:m, -1] / jnp.where(col > eps, col, 1.0), jnp.inf)
        rmin = jnp.min(ratio)
        tied = ratio <= rmin * (1.0 + 1e-12) + eps
        r = jnp.argmin(jnp.where(tied, basis, k + m + 1))
        pivot_row = T[r] / T[r, j]
        factors = T[:, j].at[r].set(0.0)
        T_new = T - factors[:, None] * pivot_row[None, :]
        T_new = T_new.at[r].set(pivot_row)
        ok = improvable & jnp.isfinite(rmin)
        T = jnp.where(ok, T_new, T)
        basis = jnp.where(ok, basis.at[r].set(j), basis)
        return T, basis, pivots + ok.astype(jnp.int32), ~ok

    T, basis, pivots, _ = jax.lax.while_loop(
        cond, body, (T, basis, jnp.asarray(0, jnp.int32), jnp.asarray(False))
    )
    rhs = T[:m, -1]
    q = jnp.zeros(k + 1, dt).at[jnp.where(basis < k, basis, k)].set(rhs)[:k]
    p = jnp.clip(T[m, k : k + m], 0.0)
    del cols
    return _clean(p), _clean(jnp.clip(q, 0.0)), pivots


# -------------------------------------------------------------------- differentiation


@jax.custom_jvp
def _saddle(M, x, y):
    return x @ M @ y, x, y


@_saddle.defjvp
def _saddle_jvp(primals, tangents):
    M, x, y = primals
    dM = tangents[0]
    value = x @ M @ y
    m, k = M.shape
    sx, sy = x > 0, y > 0
    _, _, K, z = _equaliser(M, sx, sy)
    fx, fy = sx.astype(M.dtype), sy.astype(M.dtype)
    rhs = jnp.concatenate([fx * (dM @ y), fy * (x @ dM), jnp.zeros(2, M.dtype)])
    dz = -jnp.linalg.solve(K, rhs)
    ok = jnp.all(jnp.isfinite(dz)) & jnp.all(jnp.isfinite(z))
    dz = jnp.where(ok, dz, 0.0)
    dx = jnp.where(sx, dz[:m], 0.0)
    dy = jnp.where(sy, dz[m : m + k], 0.0)
    return (value, x, y), (x @ dM @ y, dx, dy)


# ---------------------------------------------------------------------------- public


def solve_zero_sum(
    M,
    *,
    tol: float | None = None,
    max_steps: int = 4096,
    method: str = "simplex",
    check_every: int = 32,
) -> ZeroSumSolution:
    r"""Solve the zero-sum matrix game :math:`\max_x \min_y x^\top M y` with a certificate.

    Args:
        M: ``(m, k)`` payoffs to the row (maximising) player.
        tol: relative duality-gap tolerance: the solver stops once
            ``gap <= tol * (max M - min M)``.  Default :func:`default_tol` of ``M``'s dtype.
        max_steps: cap on first-order iterations (static).  Pivots of the exact finish are
            capped separately at ``50 (m + k)``.
        method: ``"simplex"`` (default: the exact batched simplex method, then polish; the
            fastest on CPU up to at least 64x64, see ``experiments/bench_inner.py``) or
            ``"mirror"`` (optimistic MWU with restarts and polish, with the exact simplex finish
            only for instances still above ``tol``).
        check_every: first-order iterations between certificate checks / restarts (static).

    Returns:
        :class:`ZeroSumSolution`.  ``status`` is ``SUCCESSFUL`` when ``gap <= tol``.

    Raises:
        ValueError: if ``M`` is not 2-D, is empty, or (when concrete) holds NaN/inf.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> sol = bj.solve_zero_sum(jnp.array([[1.0, -1.0], [-1.0, 1.0]]))
        >>> round(float(sol.value), 6), sol.row_strategy.round(6).tolist()
        (0.0, [0.5, 0.5])
    """
    M = v.as_array(M, "M", ndim=2)
    if M.shape[0] < 1 or M.shape[1] < 1:
        raise ValueError(f"`M` must have at least one row and one column, got shape {M.shape}")
    if method not in ("mirror", "simplex"):
        raise ValueError(f"`method` must be 'simplex' or 'mirror', got {method!r}")
    v.finite(M, "M")
    rel_tol = default_tol(M.dtype) if tol is None else float(tol)
    if not rel_tol > 0:
        raise ValueError(f"`tol` must be positive, got {tol}")
    return _solve(M, rel_tol, int(max_steps), method, int(check_every))


def _solve(M, rel_tol, max_steps, method, check_every):
    m, k = M.shape
    dt = M.dtype
    Ms = jax.lax.stop_gradient(M)
    lo, hi = jnp.min(Ms), jnp.max(Ms)
    scale = hi - lo
    safe = jnp.where(scale > 0, scale, 1.0)
    Mn = (Ms - lo) / safe
    finite = jnp.all(jnp.isfinite(Ms))
    Mn = jnp.where(finite, Mn, 0.0)
    x = jnp.full(m, 1.0 / m, dt)
    y = jnp.full(k, 1.0 / k, dt)
    gap = best_response_gap(Mn, x, y)
    steps = jnp.asarray(0, jnp.int32)
    if method == "mirror":
        x, y, gap, steps = _omwu(Mn, rel_tol, max_steps, check_every)
    needed = gap > rel_tol
    xs, ys, pivots = _simplex(Mn, needed, 50 * (m + k))
    gs = best_response_gap(Mn, xs, ys)
    xs, ys, gs = _polish(Mn, xs, ys, gs, (1e-9, 1e-5, 1e-3))
    take = needed & (gs < gap)
    x, y, gap = jnp.where(take, xs, x), jnp.where(take, ys, y), jnp.where(take, gs, gap)
    steps = steps + pivots
    value, x, y = _saddle(M, jax.lax.stop_gradient(x), jax.lax.stop_gradient(y))
    gap_abs = best_response_gap(Ms, x, y)
    tol_abs = rel_tol * scale
    # Rounding floor: payoffs of magnitude |M| cannot certify a gap below a few ulps of |M|.
    floor = 8 * jnp.finfo(dt).eps * jnp.maximum(jnp.abs(lo), jnp.abs(hi))
    status = jnp.where(
        ~finite,
        Status.NONFINITE,
        jnp.where(gap_abs <= jnp.maximum(tol_abs, floor), Status.SUCCESSFUL,
                  Status.MAX_STEPS_REACHED),
    ).astype(jnp.int32)
    return ZeroSumSolution(value, x, y, gap_abs, tol_abs, steps, status)
