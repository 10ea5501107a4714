r"""Two-player zero-sum matrix games, exact and entropy-regularised.

.. math:: \operatorname{val}(M) = \max_{x \in \Delta_m} \min_{y \in \Delta_k} x^\top M y,

the row player (``x``) maximising.  The certificate is the duality gap
:math:`\max_i (My)_i - \min_j (x^\top M)_j \ge 0`, recomputed from best responses, which bounds
how far both strategies' guarantees are from the value; it is reported relative to the payoff
range (dimensionless), and its status comes from :func:`bargainjax.certify`.

Algorithm (:func:`solve_zero_sum`), on the game rescaled to payoffs in ``[0, 1]`` by one
overflow-safe centre and scale for the whole matrix (:class:`bargainjax.PlayerScale`; a zero-sum
game is invariant under common affine maps of ``M`` only), the value mapped back at the end:

1. (``method="mirror"`` only) *Optimistic multiplicative weights* (entropic optimistic mirror
   descent; Rakhlin & Sridharan 2013, Daskalakis & Panageas 2019) with an adaptive step and
   restarts from the better of the last and the averaged iterate whenever its gap has halved,
   each block followed by a *polish on the identified supports*: solve the square equaliser
   system :math:`(My)_{S_x} = w,\ (x^\top M)_{S_y} = v,\ \sum x = \sum y = 1`, keep it if the
   gap drops.
2. *Exact simplex* for every instance still above ``tol`` (all of them by default): a
   condensed (Tucker) tableau simplex method on :math:`\max 1^\top q` s.t. :math:`M' q \le 1,
   q \ge 0` with :math:`M' = M + 1 \ge 1` (the classical LP of a matrix game; e.g. Nisan et
   al. 2007, §1.4), Dantzig's rule then Bland's rule against cycling; ``y = q / 1^\top q`` and
   ``x`` is the dual (the slacks' reduced costs) normalised.
3. *Iterative refinement on the optimal basis*: the final tableau gives :math:`B^{-1}`; two
   rounds of :math:`z_B \leftarrow z_B + B^{-1}(1 - A z)` and :math:`\pi \leftarrow \pi +
   B^{-\top}(c_B - A_B^\top \pi)`, with residuals recomputed from ``M`` itself, remove the
   rounding accumulated over the pivots.  This is what makes float32 reach its ``1e-6``
   tolerance on every instance (the basis fixes the supports exactly; the old threshold-based
   support guess could not): the basis is the exact equaliser system on the supports, so this is
   the polish of step 1 without guessing supports and without a new factorisation.

Every stage runs per instance inside ``lax.while_loop`` so under ``vmap`` each game stops at its
own certificate; nothing leaves JAX.  The pivot is written for ``vmap``: the pivot column and row
are gathered (small), and the exchange itself is a single rank-one update of the condensed
tableau — one fused multiply-subtract pass (a per-instance ``.at[r].set`` would become a
batch-wide scatter); it is the library's one pivot, :mod:`bargainjax.solvers._pivot`.

Differentiation: the value is differentiated by Danskin's theorem, :math:`dv = x^\top dM\, y`
(exact wherever the value is differentiable, a valid directional derivative otherwise).  The
strategies are differentiated through the equaliser system on their supports, which is the exact
derivative wherever the equilibrium is unique and non-degenerate (equal support sizes, strict
complementarity); where that system is singular the strategies' derivative is returned as zero.
For a smooth surrogate everywhere use :func:`solve_zero_sum_entropic`.

Entropy-regularised games (:func:`solve_zero_sum_entropic`): with temperature :math:`\tau > 0`,

.. math:: \max_{x \in \Delta_m} \min_{y \in \Delta_k}\;
   x^\top M y + \tau H(x) - \tau H(y), \qquad H(p) = -\textstyle\sum_i p_i \log p_i,

is strongly convex–concave, so its saddle point is unique and smooth in ``(M, τ)``: it is the
fixed point :math:`x = \operatorname{softmax}(My/\tau)`, :math:`y =
\operatorname{softmax}(-M^\top x/\tau)` (the quantal-response / logit equilibrium of the game).
"""

from __future__ import annotations

import functools
import numbers
from typing import NamedTuple

import jax
import jax.numpy as jnp

from bargainjax.core import _linalg as _linalg
from bargainjax.core import _validate as v
from bargainjax.core._simplex import best_response_gap, entropic_step, log_uniform
from bargainjax.core._contract import PlayerScale, Status, alias, certify, resolve_tol
from bargainjax.core._implicit import envelope, implicit_solution
from bargainjax.core._loop import iterate
from bargainjax.solvers import _pivot as _pv


class ZeroSumSolution(NamedTuple):
    """Result of :func:`solve_zero_sum` (every field an array; batched under ``vmap``).

    Attributes:
        value: ``()`` the value :math:`x^\\top M y` at the returned strategies (payoff units).
        row_strategy: ``(m,)`` the maximiser's mixed strategy ``x``.
        col_strategy: ``(k,)`` the minimiser's mixed strategy ``y``.
        certificate: ``()`` the duality gap :math:`\\max_i (My)_i - \\min_j (x^\\top M)_j`
            *relative to the payoff range* :math:`\\max M - \\min M` (dimensionless; ``0``
            for a constant matrix).  It bounds how far both strategies' guarantees, and
            ``value``, are from :math:`\\operatorname{val}(M)`, in units of the range.
            Recomputed from the returned strategies in unit coordinates (never overflows).
        tol: ``()`` the tolerance the certificate was held to: the requested relative
            tolerance plus the certificate's rounding floor (``4 eps``).
        status: ``()`` :class:`bargainjax.Status` code.
        num_steps: ``()`` first-order iterations plus simplex pivots used.

    Deprecated aliases (one release): ``gap`` is ``certificate`` (it was the gap in payoff
    units before; multiply by the range for that).
    """

    value: jax.Array
    row_strategy: jax.Array
    col_strategy: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array

    gap = alias("certificate")


class EntropicSolution(NamedTuple):
    """Result of :func:`solve_zero_sum_entropic` (every field an array; batched under ``vmap``).

    Attributes:
        value: ``()`` the regularised value :math:`x^\\top M y + \\tau H(x) - \\tau H(y)` at the
            returned strategies (differentiable in ``M`` and ``τ``).
        row_strategy: ``(m,)`` ``x``, the maximiser's logit-equilibrium strategy.
        col_strategy: ``(k,)`` ``y``, the minimiser's.
        duality_gap: ``()`` the *unregularised* duality gap of ``(x, y)`` in ``M`` relative to
            the payoff range (informative: at the exact fixed point it is at most
            :math:`\\tau(\\log m + \\log k) / (\\max M - \\min M)`).
        certificate: ``()`` the fixed-point residual relative to the payoff range
            (dimensionless): :math:`\\max(\\|\\alpha - My\\|_\\infty, \\|\\beta +
            M^\\top x\\|_\\infty) / (\\max M - \\min M)` where ``x = softmax(α/τ)``,
            ``y = softmax(β/τ)``; ``x`` and ``y`` are within about ``certificate × range / τ``
            of the exact logit equilibrium.
        tol: ``()`` the tolerance it was held to (request plus rounding floor ``4 eps``).
        status: ``()`` :class:`bargainjax.Status` code.
        num_steps: ``()`` Newton steps used.

    Deprecated aliases (one release): ``residual`` is ``certificate``; ``gap`` is
    ``duality_gap`` (both were in payoff units before).
    """

    value: jax.Array
    row_strategy: jax.Array
    col_strategy: jax.Array
    duality_gap: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array

    residual = alias("certificate")
    gap = alias("duality_gap")


def _promote(M):
    """Half precision cannot pivot reliably: solve it in float32."""
    return M.astype(jnp.float32) if jnp.finfo(M.dtype).bits < 32 else M


def _check_static_int(value, name: str, minimum: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}, got {value!r}")
    return int(value)


# ----------------------------------------------------------------------------- polish


def _equaliser_system(M, sx, sy):
    """The equaliser system ``K z = b`` on supports ``sx`` (m,) / ``sy`` (k,) booleans.

    Unknowns ``z = (x, y, w, v)``: ``(My)_i = w`` on ``sx``, ``x_i = 0`` off it, ``(xᵀM)_j = v``
    on ``sy``, ``y_j = 0`` off it, ``Σx = Σy = 1``.
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
    return K, b


def _equaliser(M, sx, sy):
    """Solve the equaliser system; returns the unclipped ``(x, y)``."""
    m, k = M.shape
    K, b = _equaliser_system(M, sx, sy)
    z = _linalg.solve(K, b)
    return z[:m], z[m : m + k]


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
        xe, ye = _equaliser(M, sx, sy)
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

    # One step of the driver is a block of ``inner`` iterations (restart, polish, step size).
    res = iterate(lambda s: _omwu_block(M, s, inner), lambda s: s.best_gap, state, tol=tol,
                  max_steps=max_steps, steps_per_call=inner)
    return res.state.best_x, res.state.best_y, res.state.best_gap, res.num_steps


# ----------------------------------------------------------------------------- simplex

# Tolerances in units of the machine epsilon, on a tableau whose constraint matrix is in
# [1, 2].  A reduced cost above -4 eps counts as optimal in the main loop: a dual infeasibility
# d costs about d * value (<= 2 d) in the gap, so 16 eps lost float32's 1e-6 and even 4 eps can
# (1 in 1024 64x64 games).  The tableau's reduced costs carry the rounding of every pivot, so
# going lower there invites pivots on noise; instead a cleanup pass (below float64) recomputes
# them from the data after refinement (accurate to ~eps) and pivots on those below -1 eps.
_OPT_TOL = 4
_CLEANUP_TOL = 1
_PIVOT_TOL = 16


class _Basis(NamedTuple):
    """A simplex basis of ``max 1ᵀq s.t. P q + s = 1, q, s >= 0`` and its condensed tableau.

    Variables are labelled ``q_j = j`` and ``s_i = k + i``.  ``D = [B⁻¹N; reduced costs]``
    ``(m+1, k)`` has one column per nonbasic variable, ``rhs = [B⁻¹1; objective]``.
    """

    D: jax.Array
    rhs: jax.Array
    basic: jax.Array  # (m,) the basic variable of each row
    nonbasic: jax.Array  # (k,) the nonbasic variable of each column
    pivots: jax.Array  # () pivots taken


def _pivots(basis: _Basis, needed, max_pivots: int, opt_tol) -> _Basis:
    r"""Run simplex pivots on the condensed (Tucker) tableau until optimal (or ``max_pivots``).

    Dantzig's rule (most negative reduced cost) for the first ``2 (m + k)`` pivots, then Bland's
    (lowest-labelled improving variable) against cycling; among tied ratios the
    lowest-labelled basic variable leaves throughout.  Runs only while ``needed`` (so finished
    ``vmap`` lanes cost nothing beyond the slowest needy lane).  The pivot itself is
    :func:`bargainjax.solvers._pivot.pivot` on the condensed layout (one rank-one update of
    ``[D | rhs]`` per exchange), in the loop :func:`bargainjax.solvers._pivot.run`.
    """
    D, rhs, basic, nonbasic, pivots0 = basis
    m1, k = D.shape
    m = m1 - 1
    eps = jnp.finfo(D.dtype).eps
    bland_after = 2 * (k + m)

    def step(s, pivots):
        T, basic, nonbasic = s
        j, improvable = _pv.entering(T[m, :k], nonbasic, opt_tol=opt_tol * eps,
                                     bland=pivots >= bland_after)
        # The tie band must be relative and tight (float32 lost 1e-5 to an absolute one).
        T, basic, nonbasic, ok, bounded = _pv.pivot(
            T, basic, nonbasic, j, improvable, m=m, piv_tol=_PIVOT_TOL * eps,
            tie_tol=8 * eps, bland=True)
        status = jnp.where(ok, Status.MAX_STEPS_REACHED,
                           jnp.where(improvable, Status.DEGENERATE, Status.SUCCESSFUL))
        return (T, basic, nonbasic), ok, status

    T0 = jnp.concatenate([D, rhs[:, None]], axis=1)
    res = _pv.run(step, (T0, basic, nonbasic), max_pivots=max_pivots, active=needed)
    T, basic, nonbasic = res.state
    return _Basis(T[:, :k], T[:, k], basic, nonbasic, pivots0 + res.pivots)


def _refine(P, basis: _Basis, rounds: int = 2):
    """Basic values and duals ``π`` of ``basis``, refined against ``P`` itself.

    ``B⁻¹``'s column for slack ``i`` is the tableau column of ``s_i`` when ``s_i`` is nonbasic,
    else ``e_row``, so ``B⁻¹ r = D[:m] S_N r + S_B r`` with one-hot selections ``S_N`` (slack
    -> its column) and ``S_B`` (slack -> its row): matrix-vector products only, never the
    ``O(m² k)`` product that forms ``B⁻¹``.  Each round recomputes the primal residual
    ``1 - P q - s`` and the dual residual ``c_B - A_Bᵀ π`` (``A = [P | I]``) from the data and
    corrects with ``B⁻¹`` (iterative refinement).  Returns ``(z, π)`` with ``z`` the full
    ``(k + m,)`` primal vector.
    """
    D, rhs, basic, nonbasic, _ = basis
    m, k = P.shape
    n = k + m
    dt = P.dtype
    slacks = k + jnp.arange(m)
    S_N = (nonbasic[:, None] == slacks[None, :]).astype(dt)  # (k, m)
    S_B = (basic[:, None] == slacks[None, :]).astype(dt)  # (m, m)
    B = D[:m]

    def B_inv_times(r):
        return B @ (S_N @ r) + S_B @ r

    def times_B_inv(r):
        return (r @ B) @ S_N + r @ S_B

    H = (basic[:, None] == jnp.arange(n)[None, :]).astype(dt)  # H[r, basic[r]] = 1
    c_B = (basic < k).astype(dt)
    ones = jnp.ones(m, dt)
    z_B, pi = rhs[:m], D[m] @ S_N
    for _ in range(rounds):
        z = z_B @ H
        z_B = z_B + B_inv_times(ones - P @ z[:k] - z[k:])
        pi = pi + times_B_inv(c_B - H @ jnp.concatenate([pi @ P, pi]))
    return z_B @ H, pi


def _simplex(M, needed, rel_tol):
    """Exact LP solve of the game ``M`` (entries in [0, 1]); returns ``(x, y, pivots)``.

    Solves ``max 1ᵀq s.t. (M + 1) q + s = 1, q, s >= 0`` from the slack basis with
    :func:`_pivots` and refines the optimal basis (:func:`_refine`).

    Below float64, a cleanup follows where the refined strategies still miss ``rel_tol`` and
    the reduced costs recomputed from the refined duals show an improving column (a
    rounding-level mistake of the tableau's own reduced costs): reset the tableau's objective
    row and right-hand side to the refined values, pivot with the tighter tolerance, refine
    again.  It is a ``while_loop`` of at most one step, so it costs nothing unless some
    instance needs it (about 1 in 1000 float32 64x64 games).  float64 reaches ~1e-15 without it,
    so it is not compiled there.
    """
    m, k = M.shape
    n = k + m
    dt = M.dtype
    eps = jnp.finfo(dt).eps
    P = M + 1.0
    D = jnp.zeros((m + 1, k), dt).at[:m].set(P).at[m].set(-1.0)
    rhs = jnp.zeros(m + 1, dt).at[:m].set(1.0)
    start = _Basis(D, rhs, jnp.arange(k, n), jnp.arange(k), jnp.asarray(0, jnp.int32))
    basis = _pivots(start, needed, 50 * n, _OPT_TOL)
    z, pi = _refine(P, basis)
    x, y = _clean(pi), _clean(z[:k])
    if jnp.finfo(dt).bits >= 64:
        return x, y, basis.pivots

    # Reduced costs from the data (q_j: (πᵀP)_j - 1, s_i: π_i) on the nonbasic columns.
    reduced = jnp.concatenate([pi @ P - 1.0, pi])
    obj = (basis.nonbasic[:, None] == jnp.arange(n)[None, :]).astype(dt) @ reduced
    z_B = (basis.basic[:, None] == jnp.arange(n)[None, :]).astype(dt) @ z
    again = (needed & (best_response_gap(M, x, y) > rel_tol)
             & jnp.any(obj < -_CLEANUP_TOL * eps))
    reset = basis._replace(D=basis.D.at[m].set(obj),
                           rhs=basis.rhs.at[:m].set(jnp.maximum(z_B, 0.0)))

    def cleanup(c):
        basis, _, _, _ = c
        basis = _pivots(basis, True, n, _CLEANUP_TOL)
        z, pi = _refine(P, basis)
        return basis, _clean(pi), _clean(z[:k]), jnp.asarray(False)

    basis2, x2, y2, _ = jax.lax.while_loop(lambda c: c[3], cleanup, (reset, x, y, again))
    return x2, y2, jnp.where(again, basis2.pivots, basis.pivots)


# -------------------------------------------------------------------- differentiation


def _equaliser_residual(M, z, aux):
    """Residual of the equaliser system at ``z = (x, y, w, v)``, for the implicit function.

    Where the system is singular (``ok`` false) it is replaced by ``z - z₀``, whose implicit
    derivative is zero: the strategies' derivative is then returned as zero, not as NaN.
    """
    sx, sy, ok, z0 = aux
    K, b = _equaliser_system(M, sx, sy)
    return jnp.where(ok, K @ z - b, z - z0)


def _saddle(M, x, y):
    """The value ``xᵀMy`` and the strategies, with derivatives in ``M`` (module docstring).

    The value by the envelope (Danskin) rule, ``dv = xᵀ dM y``; the strategies by the implicit
    function of the equaliser system on their supports ``{x > 0}``, ``{y > 0}`` (zero off the
    supports, and zero where that system is singular).
    """
    m, k = M.shape
    Ms = jax.lax.stop_gradient(M)
    value = envelope(lambda M_, s: s[0] @ M_ @ s[1], M, (x, y))
    sx, sy = x > 0, y > 0
    K, _ = _equaliser_system(Ms, sx, sy)
    ok = jnp.all(jnp.isfinite(_linalg.inverse(K)))  # used only when differentiating
    z = jnp.concatenate([x, y, value[None], value[None]])
    z = implicit_solution(_equaliser_residual, M, jax.lax.stop_gradient(z), (sx, sy, ok, z))
    x = jnp.where(sx, z[:m], x)
    y = jnp.where(sy, z[m : m + k], y)
    return value, x, y


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
        tol: relative duality-gap tolerance: success means
            ``certificate <= tol`` (the gap relative to ``max M - min M``, up to the rounding
            floor ``4 eps``).  Default ``default_tol(M.dtype, "zero_sum")``
            (``1e-9`` float64, ``1e-6`` float32).
        max_steps: cap on first-order iterations of ``method="mirror"`` (static).  Pivots of the
            exact simplex are capped separately at ``50 (m + k)``.
        method: ``"simplex"`` (default: the exact batched simplex method with iterative
            refinement on the optimal basis; the fastest on CPU up to at least 64x64, see
            ``experiments/bench_inner.py``) or ``"mirror"`` (optimistic MWU with restarts and
            support polish, with the exact simplex only for instances still above ``tol``).
        check_every: first-order iterations between certificate checks / restarts (static).

    **Units and invariance.**  The game is solved in unit coordinates: one centre ``c`` and
    one half-range ``s`` for the whole matrix (:class:`bargainjax.PlayerScale`, computed
    without forming ``max M - min M``, which overflows near ``1e308``), ``(M - c) / s`` in
    ``[-1, 1]``; the value is mapped back as ``c + s v``.  A zero-sum game is invariant only
    under *common* affine maps ``α M + β`` (``α > 0``): the strategies, ``certificate`` and
    ``status`` for ``α M + β`` are those for ``M`` (up to the rounding of the data itself,
    ``eps |β| / (α range)``), and the value is ``α val(M) + β``.  Integer matrices are cast
    to float; half precision is solved in float32.

    Returns:
        :class:`ZeroSumSolution`; ``status`` (by :func:`bargainjax.certify`) is
        ``SUCCESSFUL`` when ``certificate <= tol``, ``IMPRECISE`` when ``tol`` is below the
        rounding floor, ``MAX_STEPS_REACHED`` otherwise, and ``NONFINITE`` for a (traced)
        ``M`` holding NaN or inf.

    Raises:
        ValueError: if ``M`` is not 2-D, is empty, or (when concrete) holds NaN/inf; if
            ``method`` is unknown; if ``tol`` is not positive; if ``max_steps`` or
            ``check_every`` is not a positive integer.

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
    M = _promote(M)
    rel_tol = resolve_tol(tol, M.dtype, "zero_sum")
    max_steps = _check_static_int(max_steps, "max_steps", 0)
    check_every = _check_static_int(check_every, "check_every", 1)
    return _solve(M, jnp.asarray(rel_tol, M.dtype), max_steps, method, check_every)


@functools.partial(jax.jit, static_argnames=("max_steps", "method", "check_every"))
def _solve(M, rel_tol, max_steps, method, check_every):
    m, k = M.shape
    dt = M.dtype
    Ms = jax.lax.stop_gradient(M)
    finite = jnp.all(jnp.isfinite(Ms))
    units = _units(jnp.where(finite, Ms, 0.0))
    Mu = jnp.where(finite, units.unit(Ms), 0.0)  # entries in [-1, 1]
    Mn = 0.5 * Mu + 0.5  # entries in [0, 1], range 1: gaps here are relative to the range
    floor = _floor(dt)
    target = rel_tol + floor
    x = jnp.full(m, 1.0 / m, dt)
    y = jnp.full(k, 1.0 / k, dt)
    gap = best_response_gap(Mn, x, y)
    steps = jnp.asarray(0, jnp.int32)
    if method == "mirror":
        # Nothing can be certified below the floor: no first-order steps then (IMPRECISE).
        x, y, gap, steps = _omwu(Mn, target, jnp.where(floor > rel_tol, 0, max_steps),
                                 check_every)
    needed = gap > target
    xs, ys, pivots = _simplex(Mn, needed, rel_tol)
    gs = best_response_gap(Mn, xs, ys)
    take = needed & (gs < gap)
    x, y = jnp.where(take, xs, x), jnp.where(take, ys, y)
    steps = steps + pivots
    x, y = jax.lax.stop_gradient(x), jax.lax.stop_gradient(y)
    # The value through Danskin's JVP in unit coordinates (the units are constants), mapped
    # back: no product of M's entries is formed in payoff units, so nothing overflows.
    value_u, x, y = _saddle(jnp.where(finite, units.unit(M), 0.0), x, y)
    value = units.restore(value_u)
    certificate = jnp.maximum(0.5 * best_response_gap(Mu, x, y), 0.0)
    status, tol = certify(certificate, rel_tol, floor=floor, inputs_finite=finite)
    value = jnp.where(finite, value, jnp.nan)
    return ZeroSumSolution(value, x, y, certificate, tol, status, steps)


def _units(M):
    """One centre and one half-range for the whole matrix: a zero-sum game is invariant only
    under common affine maps of ``M`` (its strategies; its value maps along)."""
    return PlayerScale.of(M, axis=None)


def _floor(dtype):
    """Rounding floor of a gap relative to the range, computed in unit coordinates: ``4 eps``
    (the duality gap of ``[-1, 1]`` payoffs carries a few ulps of rounding)."""
    return 4 * float(jnp.finfo(dtype).eps)


# ----------------------------------------------------------------- entropic (logit) game


def _entropic_residual(alpha, beta, M, tau):
    """Fixed-point residual ``(α - M y, β + Mᵀx)`` with ``x = softmax(α/τ)``, ``y = softmax(β/τ)``.

    ``α`` and ``β`` are the players' logits in payoff units (``α = My`` and ``β = -Mᵀx`` at the
    equilibrium), so the residual is in payoff units too.
    """
    x = jax.nn.softmax(alpha / tau)
    y = jax.nn.softmax(beta / tau)
    return alpha - M @ y, beta + x @ M


def _entropic_blocks(alpha, beta, M, tau):
    r"""Off-diagonal blocks of the Jacobian ``∂R/∂(α, β) = [[I, -A], [B, I]]``.

    ``A = M S_y / τ`` ``(m, k)`` and ``B = Mᵀ S_x / τ`` ``(k, m)`` with ``S_p = diag(p) - p pᵀ``
    (the softmax Jacobian, symmetric PSD).  The Jacobian is not symmetric but always
    nonsingular: its Schur complements ``I + BA`` and ``I + AB`` are ``I`` plus a matrix similar
    to a PSD one (``S_x^{1/2} M S_y Mᵀ S_x^{1/2} / τ²``), so their eigenvalues are ``>= 1``.
    """
    x = jax.nn.softmax(alpha / tau)
    y = jax.nn.softmax(beta / tau)
    A = (M * y[None, :] - jnp.outer(M @ y, y)) / tau
    B = (M.T * x[None, :] - jnp.outer(x @ M, x)) / tau
    return A, B


def _schur(A, B):
    """The smaller Schur complement: ``I + BA`` (k <= m) or ``I + AB`` (m < k)."""
    m, k = A.shape
    if k <= m:
        return jnp.eye(k, dtype=A.dtype) + B @ A
    return jnp.eye(m, dtype=A.dtype) + A @ B


def _jacobian_apply_inverse(A, B, solve_schur, ra, rb):
    """``(da, db)`` with ``da - A db = ra`` and ``B da + db = rb``, by the Schur complement.

    ``solve_schur(c)`` solves with :func:`_schur` ``(A, B)``.
    """
    m, k = A.shape
    if k <= m:
        db = solve_schur(rb - B @ ra)
        return ra + A @ db, db
    da = solve_schur(ra + A @ rb)
    return da, rb - B @ da


_BACKTRACK = 30  # candidate Newton step lengths 1, 1/2, ..., 2**-29, tried all at once
_CONTINUATION = 0.25  # temperature ratio between continuation stages
_STAGE_ACCURACY = 0.1  # move to the next stage once the residual is below this times τ_cur


def _entropic_newton(M, tau, tol_abs, max_steps):
    """Damped Newton on ``R(α, β) = 0``, with a line search on ``‖R‖²`` and continuation in ``τ``.

    The Newton direction is a descent direction of ``‖R‖²`` (its slope is ``-2‖R‖²``) and the
    Jacobian is never singular, so the Armijo search always makes progress; near the solution
    the full step is taken and convergence is quadratic.  All candidate step lengths are
    evaluated in one batched pass (two matvecs each), so the search has no inner loop.

    For small ``τ`` the logits span ``range/τ`` and Newton from the uniform point crawls, so the
    temperature follows a homotopy: start at ``τ_cur = max(τ, range)``, and each time the
    residual at ``τ_cur`` is below ``0.1 τ_cur`` (log-probabilities accurate to about 0.1, well
    inside Newton's region) lower ``τ_cur`` fourfold, down to ``τ``.  Only the last stage runs to
    ``tol``.  Returns ``(α, β, residual, steps)``.
    """
    m, k = M.shape
    dt = M.dtype
    x0, y0 = jnp.full(m, 1.0 / m, dt), jnp.full(k, 1.0 / k, dt)
    alpha, beta = M @ y0, -(x0 @ M)
    ts = 0.5 ** jnp.arange(_BACKTRACK, dtype=dt)
    tau_start = jnp.maximum(tau, jnp.max(M) - jnp.min(M))  # M in unit coordinates

    def merit(a, b, t):
        ra, rb = _entropic_residual(a, b, M, t)
        return jnp.sum(ra**2) + jnp.sum(rb**2), jnp.maximum(jnp.max(jnp.abs(ra)),
                                                            jnp.max(jnp.abs(rb)))

    phi0, res0 = merit(alpha, beta, tau_start)

    def certificate(c):
        # The stopping rule as one number for the driver: the residual once at the target
        # temperature; an earlier continuation stage is unfinished (the largest finite float);
        # a stalled line search or a non-finite residual stops it (NaN).
        _, _, t, _, res, stalled = c
        unfinished = jnp.where(t > tau, jnp.finfo(dt).max, res)
        return jnp.where(stalled | ~jnp.isfinite(res), jnp.nan, unfinished)

    def step(c):
        alpha, beta, t, phi, res, _ = c
        ra, rb = _entropic_residual(alpha, beta, M, t)
        A, B = _entropic_blocks(alpha, beta, M, t)
        S = _schur(A, B)
        da, db = _jacobian_apply_inverse(A, B, lambda c_: _linalg.solve(S, c_), -ra, -rb)
        d = jnp.concatenate([da, db])
        d = jnp.where(jnp.isfinite(d), d, 0.0)
        cand_a = alpha[None, :] + ts[:, None] * d[None, :m]
        cand_b = beta[None, :] + ts[:, None] * d[None, m:]
        phis, ress = jax.vmap(merit, in_axes=(0, 0, None))(cand_a, cand_b, t)
        armijo = phis <= (1.0 - 1e-4 * ts) * phi
        i = jnp.where(jnp.any(armijo), jnp.argmax(armijo), jnp.argmin(phis))
        accept = phis[i] < phi
        alpha = jnp.where(accept, cand_a[i], alpha)
        beta = jnp.where(accept, cand_b[i], beta)
        phi = jnp.where(accept, phis[i], phi)
        res = jnp.where(accept, ress[i], res)
        # Continuation: next stage once this one is accurate enough.
        advance = (t > tau) & (res <= _STAGE_ACCURACY * t)
        t_next = jnp.where(advance, jnp.maximum(tau, _CONTINUATION * t), t)
        phi_next, res_next = merit(alpha, beta, t_next)
        phi = jnp.where(advance, phi_next, phi)
        res = jnp.where(advance, res_next, res)
        stalled = ~accept & ~advance
        return alpha, beta, t_next, phi, res, stalled

    out = iterate(step, certificate, (alpha, beta, tau_start, phi0, res0, jnp.asarray(False)),
                  tol=tol_abs, max_steps=max_steps)
    alpha, beta, _, _, res, _ = out.state
    return alpha, beta, res, out.num_steps


def _entropic_fixed_point(params, logits, aux):
    """``R(α, β; M, τ)`` stacked, the optimality condition whose root is the logit equilibrium."""
    M, tau = params
    ra, rb = _entropic_residual(*logits, M, tau)
    return jnp.concatenate([ra, rb])


def solve_zero_sum_entropic(
    M,
    temperature,
    *,
    tol: float | None = None,
    max_steps: int = 100,
) -> EntropicSolution:
    r"""Solve the entropy-regularised zero-sum game (its logit / quantal-response equilibrium).

    .. math:: \max_{x \in \Delta_m} \min_{y \in \Delta_k}\;
       x^\top M y + \tau H(x) - \tau H(y), \qquad H(p) = -\textstyle\sum_i p_i \log p_i.

    The saddle point is unique: :math:`x = \operatorname{softmax}(My/\tau)`,
    :math:`y = \operatorname{softmax}(-M^\top x/\tau)`.  It is found in log space: with logits
    ``α, β`` (payoff units, ``x = softmax(α/τ)``, ``y = softmax(β/τ)``) by damped Newton on
    :math:`R(\alpha, \beta) = (\alpha - My,\ \beta + M^\top x) = 0` with a backtracking line
    search on :math:`\|R\|^2`, from one best-response step off the uniform strategies.  The
    certificate is :math:`\|R\|_\infty`.

    **Temperature.** ``temperature`` is :math:`\tau` in *payoff units*; think of it relative to
    the payoff range :math:`\max M - \min M` (``τ = 0.01 × range`` is a light smoothing, ``τ ≥
    range`` makes both players nearly uniform).  Since :math:`0 \le H(x) \le \log m` and
    :math:`0 \le H(y) \le \log k`, the regularised value is within :math:`\tau \max(\log m,
    \log k)` of :math:`\operatorname{val}(M)`, and the returned strategies form a
    :math:`\tau(\log m + \log k)`-equilibrium of the unregularised game (``gap`` below it, up
    to the residual); as :math:`\tau \to 0` they converge to an equilibrium of ``M``.  Small
    ``τ`` makes the problem stiff (the logits span ``range/τ``): below about ``1e-3 × range``
    in float64 (``1e-2`` in float32) expect more Newton steps.

    Differentiation: ``value`` and both strategies are differentiable in ``M`` and ``τ`` by the
    implicit function theorem applied to :math:`R = 0` (a dense solve with the Jacobian
    :math:`\partial R/\partial(\alpha, \beta)`, which is not symmetric), in forward and reverse
    mode; the loop itself is never differentiated.

    Args:
        M: ``(m, k)`` payoffs to the row (maximising) player.
        temperature: ``τ > 0``, a scalar (dynamic: it can be traced, vmapped, differentiated).
        tol: relative residual tolerance: success means ``certificate <= tol`` (the residual
            relative to ``max M - min M``, up to the rounding floor ``4 eps``).  Default
            ``default_tol(M.dtype, "zero_sum")``: ``1e-9`` in float64, ``1e-6`` in float32.
        max_steps: cap on Newton steps (static).

    **Units and invariance.**  Solved in unit coordinates like :func:`solve_zero_sum`
    (``M_u = (M - c) / s``, ``τ_u = τ / s`` with one centre and half-range for the matrix).
    The logit equilibrium is invariant under common affine maps ``α M + β`` *together with*
    ``τ → α τ``: strategies, certificate and status are unchanged and the value maps to
    ``α v + β``.

    Returns:
        :class:`EntropicSolution`; ``status`` (by :func:`bargainjax.certify`) is
        ``SUCCESSFUL``, ``MAX_STEPS_REACHED`` (also when the line search stalls at the rounding
        floor), ``IMPRECISE`` (``tol`` below the floor) or ``NONFINITE`` (also when ``τ / s``
        underflows).

    Raises:
        ValueError: if ``M`` is not 2-D, is empty or holds NaN/inf (when concrete); if
            ``temperature`` is not a scalar or (when concrete) not positive and finite; if
            ``tol`` is not positive or ``max_steps`` not a non-negative integer.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> sol = bj.solve_zero_sum_entropic(jnp.array([[1.0, -1.0], [-1.0, 1.0]]), 0.1)
        >>> sol.row_strategy.round(6).tolist(), int(sol.status)
        ([0.5, 0.5], 0)
    """
    M = v.as_array(M, "M", ndim=2)
    if M.shape[0] < 1 or M.shape[1] < 1:
        raise ValueError(f"`M` must have at least one row and one column, got shape {M.shape}")
    v.finite(M, "M")
    M = _promote(M)
    tau = v.as_array(temperature, "temperature", ndim=0).astype(M.dtype)
    v.positive(tau, "temperature")
    rel_tol = resolve_tol(tol, M.dtype, "zero_sum")
    max_steps = _check_static_int(max_steps, "max_steps", 0)
    return _solve_entropic(M, tau, jnp.asarray(rel_tol, M.dtype), max_steps)


@functools.partial(jax.jit, static_argnames=("max_steps",))
def _solve_entropic(M, tau, rel_tol, max_steps):
    Ms, taus = jax.lax.stop_gradient(M), jax.lax.stop_gradient(tau)
    dt = M.dtype
    finite = jnp.all(jnp.isfinite(Ms)) & jnp.isfinite(taus) & (taus > 0)
    units = _units(jnp.where(finite, Ms, 0.0))
    # Unit coordinates: M_u = (M - c) / s in [-1, 1], τ_u = τ / s (the logit equilibrium of
    # (M, τ) is that of (M_u, τ_u)); the units are constants, so derivatives flow through.
    scale_only = PlayerScale(jnp.zeros((), dt), units.scale)
    Mu = jnp.where(finite, units.unit(M), 0.0)
    tau_u = jnp.where(finite, scale_only.unit(tau), 1.0)
    tau_ok = tau_u > 0  # τ / s can underflow for a tiny τ against huge payoffs
    tau_u = jnp.where(tau_ok, tau_u, 1.0)
    floor = _floor(dt)
    alpha, beta, _, steps = _entropic_newton(jax.lax.stop_gradient(Mu),
                                             jax.lax.stop_gradient(tau_u),
                                             2.0 * (rel_tol + floor), max_steps)
    # Derivatives by the implicit function of R(α, β; M, τ) = 0 (the loop is not differentiated).
    alpha, beta = implicit_solution(_entropic_fixed_point, (Mu, tau_u), (alpha, beta))
    log_x = jax.nn.log_softmax(alpha / tau_u)
    log_y = jax.nn.log_softmax(beta / tau_u)
    x, y = jnp.exp(log_x), jnp.exp(log_y)
    H_x, H_y = -jnp.sum(x * log_x), -jnp.sum(y * log_y)
    value = units.restore(x @ Mu @ y + tau_u * (H_x - H_y))
    ra, rb = _entropic_residual(alpha, beta, Mu, tau_u)
    sg = jax.lax.stop_gradient
    certificate = sg(0.5 * jnp.maximum(jnp.max(jnp.abs(ra)), jnp.max(jnp.abs(rb))))
    gap = sg(jnp.maximum(0.5 * best_response_gap(Mu, x, y), 0.0))
    status, tol = certify(certificate, rel_tol, floor=floor, inputs_finite=finite & tau_ok)
    return EntropicSolution(value, x, y, gap, certificate, tol, status, steps)
