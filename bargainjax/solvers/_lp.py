r"""Dense linear programs, solved exactly in pure JAX (batched under ``vmap``, differentiable).

.. math::

    \max_x\ c^\top x \quad \text{s.t.}\quad A_{ub} x \le b_{ub},\quad A_{eq} x = b_{eq},
    \quad x \ge 0,

with dual

.. math::

    \min_{y}\ b_{ub}^\top y_{ub} + b_{eq}^\top y_{eq} \quad \text{s.t.}\quad
    A_{ub}^\top y_{ub} + A_{eq}^\top y_{eq} \ge c,\quad y_{ub} \ge 0,\ y_{eq} \text{ free}.

Notation: ``n`` variables, ``m_ub`` inequality rows, ``m_eq`` equality rows, ``m = m_ub + m_eq``.
Free variables are not supported directly: split them, ``t = t^+ - t^-``.

Certificate (recomputed from the returned vectors and the caller's data, never read off the
tableau):

* ``primal_residual`` :math:`= \max\big((A_{ub}x - b_{ub})_+,\ |A_{eq}x - b_{eq}|,\ (-x)_+\big)`,
* ``dual_residual`` :math:`= \max\big((c - A_{ub}^\top y_{ub} - A_{eq}^\top y_{eq})_+,\
  (-y_{ub})_+\big)`,
* ``gap`` :math:`= |b^\top y - c^\top x|`.

The ``certificate`` is the largest of the relative residuals

.. math:: \frac{\text{primal violation}}{\max(\|b\|_\infty, \|\,|A|\,|x|\,\|_\infty)},\
   \frac{\|x_-\|_\infty}{\|x\|_\infty},\
   \frac{\text{dual violation}}{\max(\|c\|_\infty, \|\,|A|^\top |y|\,\|_\infty)},\
   \frac{\|(y_{ub})_-\|_\infty}{\|y\|_\infty},\
   \frac{|b^\top y - c^\top x|}{|c|^\top |x| + |b|^\top |y|}

(each ``0`` when its scale is ``0``), evaluated on the data divided by powers of two (exact) so
that no product overflows even for data near ``1e308``.  It is dimensionless and invariant under
multiplying ``(A, b)`` or ``c`` by a positive constant (no absolute ``1 +`` term).  ``status``
comes from :func:`bargainjax.certify`: ``SUCCESSFUL`` when ``certificate <= tol`` (plus the
rounding floor ``16 eps``, stored in ``tol``).

Algorithm (:func:`solve_lp`):

1. *Scaling.* Each row of ``[A_ub; A_eq]`` is divided by its largest entry, then each column by
   its largest entry, and ``c`` by its largest entry; everything is undone on the way out.
2. *Start.* Rows with a negative right-hand side are multiplied by ``-1``.  An inequality row
   with ``b_i >= 0`` starts with its slack basic; every other row (flipped inequalities and all
   equalities) starts with an artificial variable.  The tableau stores the structural and slack
   columns, one artificial column per equality row and the right-hand side, with two objective
   rows; the slack and equality-artificial columns hold :math:`B^{-1}` (up to the row signs), so
   the phase-2 objective row holds the duals.
3. *Two phases in one loop.*  Phase 1 maximises :math:`-\sum` (active artificials) (Dantzig et
   al. 1955); the phase-2 objective row is pivoted along.  If phase 1 ends with a positive
   infeasibility the LP is ``INFEASIBLE``.  Otherwise phase 2 maximises :math:`c^\top x`;
   artificials never re-enter.  An artificial still basic (at zero) whose row is round-off only
   marks a redundant equality: the row is cleared.  Any other leaves by a zero-step pivot as
   soon as the entering column has a non-negligible entry in its row.  Both phases run in one
   ``lax.while_loop`` whose state carries the phase, so under ``vmap`` each instance moves on,
   and stops, on its own (finished lanes are frozen) and a batch costs ``max(pivots)``
   iterations rather than ``max(phase 1) + max(phase 2)``.
4. *Pivot rules.*  Entering column by exact steepest edge (default, ``pricing="steepest"``:
   the most negative :math:`d_j / \|(B^{-1}a_j, 1)\|`, the norms read off the tableau at one
   extra pass per pivot; on random dense LPs it needs 1.3x (20x30) to 3x (100x150) fewer
   pivots than Dantzig's rule, which more than pays for the pass) or by Dantzig's most negative
   reduced cost (``pricing="dantzig"``).  Ratio test ties are broken by the largest pivot element
   (artificials first).  After ``max(8, m/2)`` consecutive pivots that do not strictly improve
   the objective (degeneracy), or after ``5 (m + n)`` pivots in all, Bland's smallest-index rule
   is used for both the entering and the leaving variable until the objective improves again
   (for good after ``5 (m + n)``).  This cannot cycle: a cycle consists of degenerate pivots
   only, and Bland's rule does not cycle (Bland 1977).
5. *Polish.*  The final basis system :math:`B x_B = b`, :math:`B^\top y = c_B` is re-solved with
   :func:`bargainjax.core._linalg.solve` (plain-``jnp`` elimination: no LAPACK custom call, which
   can deadlock batched inside loops on jax CPU) plus two rounds of iterative refinement; the
   polished pair replaces the tableau's when its (scaled) certificate is no worse.

Tolerances (on the scaled tableau, entries of order one): pivot elements above ``1e-9``
(float64) / ``1e-4`` (float32); reduced costs below ``-max(tol / 10, 64 eps)`` are improving;
redundant rows below ``16 sqrt(eps)``; phase 1 declares infeasibility above
``tol (1 + max |b|)``.

Status codes (all decided by :func:`bargainjax.certify` from the certificate and the phase
outcome): ``SUCCESSFUL`` (0); ``MAX_STEPS_REACHED`` (1) when the certificate is above ``tol``
(pivot cap, or numerical trouble); ``NONFINITE`` (2) for NaN/inf data or iterates;
``INFEASIBLE`` (3) when phase 1 proves the constraints infeasible; ``DEGENERATE`` (4) when the
LP is **unbounded** (an improving column has no positive entry), the returned ``x`` then being
the last vertex visited; ``IMPRECISE`` (5) when ``tol`` is below the rounding floor.  For an
infeasible or unbounded LP the returned vectors are the last basis's and the certificate is not
small.

Limitations: dense and exact-pivoting, so the cost per pivot is ``O(m (n + m))`` and the pivot
count grows with the size: it beats a HiGHS loop per instance on batches of small and medium
LPs (see ``tests/test_lp.py``'s timing test), not on one large LP.  float32 reaches its
``1e-5`` certificate on well-scaled problems; on badly scaled ones (rows or columns spanning
more than about ``1e4``) expect ``MAX_STEPS_REACHED`` with a relative duality gap near ``1e-4``: large duals times rounding-level residuals; use float64
or a looser ``tol``).  Variables are non-negative: split free ones.

Differentiation: ``value`` carries a custom JVP by the envelope theorem,
:math:`dv = dc^\top x + y_{ub}^\top db_{ub} + y_{eq}^\top db_{eq} - y_{ub}^\top dA_{ub} x -
y_{eq}^\top dA_{eq} x`, exact wherever the optimal primal and dual solutions are unique;
otherwise it is the derivative along the returned pair, one element of the generalised gradient
(a subgradient in ``c``, where the value is convex, and a supergradient in ``b``, where it is
concave).  ``x``, the duals and the certificates are returned
under ``stop_gradient``: the vertex is piecewise constant in ``c`` and its derivative in ``A``
and ``b`` is not provided.  The gradient is only meaningful when ``status == SUCCESSFUL``.

References:
    G. B. Dantzig, A. Orden, P. Wolfe (1955), *The generalized simplex method for minimizing a
    linear form under linear inequality restraints*, Pacific J. Math. 5(2).
    R. G. Bland (1977), *New finite pivoting rules for the simplex method*, Math. Oper. Res. 2(2).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _linalg as _linalg
from bargainjax.core import _validate as v
from bargainjax.core import _contract as _status
from bargainjax.core._contract import Status, alias, certify
from bargainjax.core._implicit import envelope
from bargainjax.solvers import _pivot as _pv

__all__ = ["LPSolution", "solve_lp", "default_tol"]


class LPSolution(NamedTuple):
    """Result of :func:`solve_lp` (every field an array; batched under ``vmap``).

    Attributes:
        x: ``(n,)`` primal solution (under ``stop_gradient``).
        value: ``()`` :math:`c^\\top x`; differentiable (envelope theorem).
        dual_ub: ``(m_ub,)`` multipliers of ``A_ub x <= b_ub`` (``>= 0``).
        dual_eq: ``(m_eq,)`` multipliers of ``A_eq x = b_eq`` (free).
        primal_residual: ``()`` largest violation of the primal constraints, ``x >= 0`` included
            (data units).
        dual_residual: ``()`` largest violation of dual feasibility, ``dual_ub >= 0`` included
            (objective units).
        gap: ``()`` :math:`|b^\\top y - c^\\top x|` (objective units).
        certificate: ``()`` the one dimensionless number that decides ``status``: the largest
            of the three diagnostics above, each relative to its own data scale (module
            docstring), computed on power-of-two rescaled data so nothing overflows.  It is
            invariant under scaling ``(A, b)`` and ``c`` by positive constants.
        tol: ``()`` the tolerance it was held to (the request plus the rounding floor
            ``16 eps``).
        status: ``()`` :class:`bargainjax.Status` code (``DEGENERATE`` means unbounded).
        num_steps: ``()`` simplex pivots over both phases.

    Deprecated alias (one release): ``num_pivots`` is ``num_steps``.
    """

    x: jax.Array
    value: jax.Array
    dual_ub: jax.Array
    dual_eq: jax.Array
    primal_residual: jax.Array
    dual_residual: jax.Array
    gap: jax.Array
    certificate: jax.Array
    tol: jax.Array
    status: jax.Array
    num_steps: jax.Array

    num_pivots = alias("num_steps")


def default_tol(dtype) -> float:
    """Default relative certificate tolerance: ``1e-9`` in float64, ``1e-5`` in float32."""
    return _status.default_tol(dtype, "lp")


def _internal_tols(dtype, tol):
    """Pivot, reduced-cost, ratio-tie, improvement and redundant-row tolerances (on the scaled
    tableau, whose rows and columns have entries of order one).  ``tol`` may be traced."""
    eps = float(jnp.finfo(dtype).eps)
    f64 = jnp.finfo(dtype).bits >= 64
    piv = 1e-9 if f64 else 1e-4
    opt = jnp.maximum(0.1 * tol, 64 * eps)
    tie = 8 * eps
    improve = 100 * eps
    redundant = 16 * eps**0.5  # 2.4e-7 (f64), 5.5e-3 (f32)
    return piv, opt, tie, improve, redundant


# ---------------------------------------------------------------------------- tableau loop


class _State(NamedTuple):
    T: jax.Array  # (m + 2, n + m_ub + m_eq + 1): rows, phase-2 row, phase-1 row; rhs last
    basis: jax.Array  # (m,) int32 variable basic in each row (artificial of row i: n + m_ub + i)
    phase: jax.Array  # () int32, 1 or 2
    stall: jax.Array  # () int32, consecutive pivots without strict improvement


def _simplex(T, basis, n, m_ub, m, tol, max_pivots, pricing) -> _pv.Pivoting:
    """Run both phases on the prepared tableau ``T``; see the module docstring.

    Tableau columns: ``n`` structural, ``m_ub`` slacks, ``m_eq`` equality artificials (kept only
    to read :math:`B^{-1}` and the duals; artificials of flipped inequality rows are not stored,
    as the slack column carries the same information), then the right-hand side.  The pivot is
    :func:`bargainjax.solvers._pivot.pivot` on the full layout, in its loop
    :func:`bargainjax.solvers._pivot.run`; the returned status is ``SUCCESSFUL`` (optimal),
    ``INFEASIBLE`` (phase 1), ``DEGENERATE`` (unbounded) or ``MAX_STEPS_REACHED`` (cap).
    """
    dt = T.dtype
    W = T.shape[1]  # stored columns including the rhs
    k = n + m_ub  # candidates to enter: structural and slack columns
    piv_tol, opt_tol, tie_tol, imp_tol, red_tol = _internal_tols(dt, tol)
    bland_after = 5 * (m + n)
    stall_limit = max(8, m // 2)
    col_ids = jnp.arange(W, dtype=jnp.int32)
    labels = col_ids[:k]
    feas_tol = tol * (1.0 + jnp.max(jnp.abs(T[:m, -1])))

    def step(s: _State, pivots):
        T, basis = s.T, s.basis
        phase1 = s.phase == 1
        obj = jnp.where(phase1, T[m + 1], T[m])
        d = obj[:k]
        bland = (s.stall >= stall_limit) | (pivots >= bland_after)
        # exact steepest edge, read off the tableau: |d_j| / ||(B^{-1} a_j, 1)||
        price = (d * jax.lax.rsqrt(1.0 + jnp.sum(T[:m, :k] ** 2, axis=0))
                 if pricing == "steepest" else None)
        j, improvable = _pv.entering(d, labels, opt_tol=opt_tol, bland=bland, price=price)

        # Basic artificials (at zero in phase 2) leave by a zero-step pivot as soon as the
        # entering column has a non-negligible entry in their row.
        art_row = basis >= k
        forced = ~phase1 & art_row & (jnp.abs(T[:m, j]) > red_tol)

        # Phase 1 finished: infeasible, or on to phase 2 with the artificials at zero.
        # Artificial rows whose structural entries are all round-off are redundant
        # constraints: they are cleared so they never pivot; the others leave by forced pivots.
        end1 = phase1 & ~improvable
        infeasible = end1 & (-T[m + 1, -1] > feas_tol)
        to_phase2 = end1 & ~infeasible
        redundant = art_row & (jnp.max(jnp.abs(T[:m, :k]), axis=1) <= red_tol)
        clear = to_phase2 & jnp.concatenate([
            (redundant[:, None] & (col_ids < k)[None, :])
            | (art_row[:, None] & (col_ids == W - 1)[None, :]),
            jnp.zeros((2, W), bool),
        ])

        # The pivot (a no-op unless improvable and bounded); ratio ties by the largest pivot
        # element, under Bland by the lowest basic label.
        T, basis, _, do_pivot, bounded = _pv.pivot(
            T, basis, None, j, improvable, m=m, piv_tol=piv_tol, tie_tol=tie_tol,
            bland=bland, forced=forced)
        T = jnp.where(clear, 0.0, T)

        z_new = jnp.where(phase1, T[m + 1, -1], T[m, -1])
        improved = z_new > obj[-1] + imp_tol * (1.0 + jnp.abs(obj[-1]))
        status = jnp.where(
            infeasible,
            Status.INFEASIBLE,
            jnp.where(
                ~phase1 & ~improvable,
                Status.SUCCESSFUL,
                jnp.where(improvable & ~bounded, Status.DEGENERATE, Status.MAX_STEPS_REACHED),
            ),
        )
        phase = jnp.where(to_phase2, 2, s.phase).astype(jnp.int32)
        stall = jnp.where(do_pivot & ~improved, s.stall + 1, 0).astype(jnp.int32)
        return _State(T, basis, phase, stall), do_pivot, status

    zero = jnp.asarray(0, jnp.int32)
    s0 = _State(T, basis, jnp.asarray(1, jnp.int32), zero)
    return _pv.run(step, s0, max_pivots=max_pivots)


# ------------------------------------------------------------------------- certificates


def _pow2(a):
    """The power of two at or above ``max |a|`` (``1`` for a zero array): dividing by it is
    exact (no rounding) and brings the entries into ``[-1, 1]``."""
    big = jnp.max(jnp.abs(a))
    _, e = jnp.frexp(jnp.where(big > 0, big, 1.0))
    return e.astype(a.dtype)


def _scaled(e, a):
    """``a / 2**e`` in two halves (each factor normal: XLA on CPU flushes subnormals)."""
    h = jnp.floor(0.5 * e)
    return a * jnp.exp2(-h) * jnp.exp2(-(e - h))


def _certificate(c, A, b, is_eq, x, y):
    """Residuals of ``(x, y)`` in data units and the dimensionless certificate, on stacked data.

    ``A = [A_ub; A_eq]``, ``b = [b_ub; b_eq]``, ``y = [y_ub; y_eq]``, ``is_eq`` marks the
    equality rows.  The relative residuals (module docstring) are computed on the data divided
    by powers of two, ``(A, b) / 2**a`` and ``c / 2**g`` with ``y`` scaled by ``2**(a - g)``
    (exact, so the ratios are those of the caller's data), so no product overflows.
    """
    ea, eg = _pow2(jnp.concatenate([A.reshape(-1), b])), _pow2(c)
    As, bs, cs = _scaled(ea, A), _scaled(ea, b), _scaled(eg, c)
    ys = _scaled(eg - ea, y)
    r = As @ x - bs
    pr = jnp.maximum(jnp.max(jnp.where(is_eq, jnp.abs(r), r)), 0.0)
    xneg = jnp.maximum(jnp.max(-x), 0.0)
    dr = jnp.maximum(jnp.max(cs - As.T @ ys), 0.0)
    yneg = jnp.maximum(jnp.max(jnp.where(is_eq, 0.0, -ys)), 0.0)
    primal_value, dual_value = cs @ x, bs @ ys
    gap = jnp.abs(dual_value - primal_value)
    absA = jnp.abs(As)
    s_p = jnp.maximum(jnp.max(jnp.abs(bs)), jnp.max(absA @ jnp.abs(x)))
    s_x = jnp.max(jnp.abs(x))
    s_d = jnp.maximum(jnp.max(jnp.abs(cs)), jnp.max(jnp.abs(ys) @ absA))
    s_y = jnp.max(jnp.abs(ys))
    s_g = jnp.abs(cs) @ jnp.abs(x) + jnp.abs(bs) @ jnp.abs(ys)

    def ratio(num, den):  # den == 0 forces num == 0 in exact arithmetic
        return num / jnp.where(den > 0, den, 1.0)

    rel = jnp.maximum(
        jnp.maximum(jnp.maximum(ratio(pr, s_p), ratio(xneg, s_x)),
                    jnp.maximum(ratio(dr, s_d), ratio(yneg, s_y))),
        ratio(gap, s_g))
    # Back to data units for the diagnostic fields (may overflow only where the data's own
    # products do).
    pr_abs = jnp.maximum(_scaled(-ea, pr), xneg)
    dr_abs = jnp.maximum(_scaled(-eg, dr), _scaled(ea - eg, yneg))
    gap_abs = _scaled(-eg, gap)
    return pr_abs, dr_abs, gap_abs, rel


def _floor(dtype):
    """Rounding floor of the relative certificate: ``16 eps``."""
    return 16 * float(jnp.finfo(dtype).eps)


# ----------------------------------------------------------------------- differentiation


def _value(data, solution):
    """The objective ``cᵀx`` at the solution ``(x, y_ub, y_eq)``."""
    return data[0] @ solution[0]


def _lagrangian(data, solution):
    """``cᵀx + y_ubᵀ(b_ub - A_ub x) + y_eqᵀ(b_eq - A_eq x)``: its partial derivative in the data
    at the optimal pair is the value's derivative (envelope theorem)."""
    c, A_ub, b_ub, A_eq, b_eq = data
    x, y_ub, y_eq = solution
    return c @ x + y_ub @ (b_ub - A_ub @ x) + y_eq @ (b_eq - A_eq @ x)


# ---------------------------------------------------------------------------------- core


@functools.partial(jax.jit, static_argnames=("pricing",))
def _solve(c, A_ub, b_ub, A_eq, b_eq, tol, max_pivots, *, pricing):
    dt = c.dtype
    n = c.shape[0]
    m_ub, m_eq = b_ub.shape[0], b_eq.shape[0]
    sg = jax.lax.stop_gradient
    cs, Aus, bus, Aes, bes = (sg(a) for a in (c, A_ub, b_ub, A_eq, b_eq))

    # A problem without constraints gets one dummy row 0 x <= 0 (dual 0), dropped on exit.
    dummy = m_ub + m_eq == 0
    if dummy:
        Ad, bd = jnp.zeros((1, n), dt), jnp.zeros((1,), dt)
    else:
        Ad, bd = jnp.concatenate([Aus, Aes], axis=0), jnp.concatenate([bus, bes])
    mu = 1 if dummy else m_ub
    m = Ad.shape[0]
    rows = jnp.arange(m, dtype=jnp.int32)
    finite = jnp.all(jnp.isfinite(Ad)) & jnp.all(jnp.isfinite(bd)) & jnp.all(jnp.isfinite(cs))
    A = jnp.where(finite, Ad, 0.0)
    b = jnp.where(finite, bd, 0.0)
    c0 = jnp.where(finite, cs, 0.0)

    # 1. scaling: rows, then columns, then the objective.
    r = jnp.max(jnp.abs(A), axis=1)
    r = jnp.where(r > 0, r, 1.0)
    A1, b1 = A / r[:, None], b / r
    s = jnp.max(jnp.abs(A1), axis=0)
    s = jnp.where(s > 0, s, 1.0)
    c1 = c0 / s
    sc = jnp.max(jnp.abs(c1))
    sc = jnp.where(sc > 0, sc, 1.0)

    # 2. flip rows with b < 0; slack or artificial start.  M holds every column of the
    #    standard form: x (n), slacks (mu), one artificial per row (m).  The tableau stores
    #    x, slacks, the equality rows' artificials (me) and the rhs; its rows are the
    #    constraints (m), the phase-2 objective and the phase-1 objective.
    me = m - mu
    sgn = jnp.where(b1 < 0, -1.0, 1.0).astype(dt)
    Af, bf = (sgn / r)[:, None] * A / s[None, :], sgn * b1
    S = jnp.eye(m, mu, dtype=dt) * sgn[:, None]
    E = jnp.eye(m, me, k=-mu, dtype=dt)
    M = jnp.concatenate([Af, S, jnp.eye(m, dtype=dt)], axis=1)  # (m, n + mu + m)
    basis0 = jnp.where((rows < mu) & (b1 >= 0), n + rows, n + mu + rows).astype(jnp.int32)
    art_active = (basis0 >= n + mu).astype(dt)
    Tc = jnp.concatenate([Af, S, E, bf[:, None]], axis=1)
    obj2 = jnp.concatenate([-c1 / sc, jnp.zeros(mu + me + 1, dt)])
    obj1 = jnp.concatenate([jnp.zeros(n + mu, dt), art_active[mu:], jnp.zeros(1, dt)])
    obj1 = obj1 - art_active @ Tc
    T0 = jnp.concatenate([Tc, obj2[None, :], obj1[None, :]], axis=0)

    # 3.-4. simplex.
    st = _simplex(T0, basis0, n, mu, m, tol, max_pivots, pricing)
    T, basis = st.state.T, st.state.basis

    # The tableau's own solution: B^{-1} sits in the slack (times the row sign) and
    # equality-artificial columns, and the duals in the phase-2 row above them.
    P = (basis[:, None] == jnp.arange(n + mu + m, dtype=jnp.int32)[None, :]).astype(dt)
    x_t = jnp.maximum(T[:m, -1], 0.0) @ P
    y_t = T[m, n : n + mu + me] * jnp.concatenate([sgn[:mu], jnp.ones(me, dt)])
    Binv_t = T[:m, n : n + mu + me] * jnp.concatenate([sgn[:mu], jnp.ones(me, dt)])[None, :]
    # 5. polish: re-solve the basis system with two rounds of iterative refinement.
    B = M @ P.T
    Binv = _linalg.solve(B, jnp.eye(m, dtype=dt))
    Binv = jnp.where(jnp.all(jnp.isfinite(Binv)), Binv, Binv_t)
    cB = P[:, :n] @ (c1 / sc)
    xB = Binv @ bf
    yB = cB @ Binv
    for _ in range(2):
        xB = xB + Binv @ (bf - B @ xB)
        yB = yB + (cB - yB @ B) @ Binv
    x_p = xB @ P

    # Certificates of both candidates at once (one copy of the code to compile), on the
    # caller's data; the polished pair is kept unless it is worse.
    xs = jnp.stack([x_t, x_p])[:, :n] / s[None, :]
    ys = sc * jnp.stack([y_t, yB]) * (sgn / r)[None, :]
    is_eq = rows >= mu
    prs, drs, gaps, rels = jax.vmap(
        lambda x, y: _certificate(cs, Ad, bd, is_eq, x, y)
    )(xs, ys)
    polished = rels[1] <= rels[0]
    x, y, pr, dr, gap, rel = (
        jnp.where(polished, a[1], a[0]) for a in (xs, ys, prs, drs, gaps, rels)
    )
    yu, ye = (y[:0], y[:0]) if dummy else (y[:m_ub], y[m_ub:])

    # Unbounded LPs are DEGENERATE; the pivot cap or numerical trouble leave the certificate
    # above tol (MAX_STEPS_REACHED); non-finite data or iterates are NONFINITE.
    iterates_finite = jnp.all(jnp.isfinite(x)) & jnp.all(jnp.isfinite(y))
    status, tol_eff = certify(rel, tol, floor=_floor(dt), inputs_finite=finite & iterates_finite,
                              infeasible=st.status == Status.INFEASIBLE,
                              degenerate=st.status == Status.DEGENERATE)
    x, yu, ye = sg(x), sg(yu), sg(ye)
    value = envelope(_value, (c, A_ub, b_ub, A_eq, b_eq), (x, yu, ye), _lagrangian)
    return LPSolution(x, value, yu, ye, sg(pr), sg(dr), sg(gap), sg(rel), tol_eff, status,
                      st.pivots)


# -------------------------------------------------------------------------------- public


def _pair(A, b, name_A, name_b, n, dtype_args):
    if A is None and b is None:
        return None, None
    if A is None or b is None:
        missing, given = (name_A, name_b) if A is None else (name_b, name_A)
        raise ValueError(f"`{missing}` must be given together with `{given}`")
    A = v.as_array(A, name_A, ndim=2)
    b = v.as_array(b, name_b, ndim=1)
    m = b.shape[0]
    if tuple(A.shape) != (m, n):
        rows = "m_ub" if name_A.endswith("ub") else "m_eq"
        raise ValueError(
            f"`{name_A}` must have shape ({rows}, n) = ({m}, {n}), got {tuple(A.shape)}"
        )
    dtype_args.extend([A, b])
    return A, b


def solve_lp(
    c,
    A_ub=None,
    b_ub=None,
    A_eq=None,
    b_eq=None,
    *,
    tol: float | None = None,
    max_pivots: int | None = None,
    pricing: str = "steepest",
) -> LPSolution:
    r"""Solve :math:`\max c^\top x` s.t. :math:`A_{ub}x \le b_{ub}`, :math:`A_{eq}x = b_{eq}`,
    :math:`x \ge 0`, with primal and dual solutions and a certificate.

    Dense two-phase tableau simplex method in pure JAX (see the module docstring): ``jit``,
    ``vmap`` (each instance pivots and stops on its own) and ``jax.grad`` of ``value`` work.

    Args:
        c: ``(n,)`` objective (maximised).
        A_ub, b_ub: ``(m_ub, n)`` and ``(m_ub,)`` inequality constraints (both or neither).
        A_eq, b_eq: ``(m_eq, n)`` and ``(m_eq,)`` equality constraints (both or neither).
            Right-hand sides may have any sign.
        tol: relative certificate tolerance; see the module docstring for the scales.  May be
            traced (swept under ``vmap``, changed under ``jit`` without recompiling).
            Default :func:`default_tol` of the data dtype: ``1e-9`` (float64), ``1e-5`` (float32;
            half-precision data is solved in float32).
        max_pivots: cap on the pivots over both phases (may be traced, like ``tol``).  Default
            ``max(100, 20 (m + n))``.
        pricing: entering-variable rule (static): ``"steepest"`` (exact steepest edge, the
            default) or ``"dantzig"`` (most negative reduced cost).  Either falls back to
            Bland's rule while the objective stalls.

    Returns:
        :class:`LPSolution`.  ``status``: ``SUCCESSFUL``; ``INFEASIBLE`` (phase 1 proved it);
        ``DEGENERATE`` (unbounded); ``MAX_STEPS_REACHED`` (pivot cap, or certificate above
        ``tol``); ``IMPRECISE`` (``tol`` below the rounding floor ``16 eps``); ``NONFINITE``
        (NaN/inf data, only possible under ``jit``, or a non-finite iterate).

    Raises:
        ValueError: wrong ranks or shapes, a matrix given without its right-hand side, complex
            data, a non-positive ``tol`` or ``max_pivots``, an unknown ``pricing``, or (when
            concrete) NaN/inf data.

    Only ``pricing`` and the shapes are static: every array argument, ``tol`` and
    ``max_pivots`` included, may be traced under ``jit`` and batched with ``vmap``.

    Examples:
        >>> import jax.numpy as jnp, bargainjax as bj
        >>> sol = bj.solve_lp(jnp.array([1.0, 1.0]), jnp.array([[1.0, 2.0], [3.0, 1.0]]),
        ...                   jnp.array([4.0, 6.0]))
        >>> round(float(sol.value), 9), sol.x.round(9).tolist(), int(sol.status)
        (2.8, [1.6, 1.2], 0)
    """
    dtype_args = []
    c = v.as_array(c, "c", ndim=1)
    n = c.shape[0]
    if n < 1:
        raise ValueError("`c` must have at least one entry (one variable), got shape (0,)")
    dtype_args.append(c)
    A_ub, b_ub = _pair(A_ub, b_ub, "A_ub", "b_ub", n, dtype_args)
    A_eq, b_eq = _pair(A_eq, b_eq, "A_eq", "b_eq", n, dtype_args)
    for arr, name in ((c, "c"), (A_ub, "A_ub"), (b_ub, "b_ub"), (A_eq, "A_eq"), (b_eq, "b_eq")):
        if arr is not None:
            v.finite(arr, name)
    dt = jnp.result_type(*dtype_args)
    if jnp.issubdtype(dt, jnp.complexfloating):
        raise ValueError(f"`c`, `A_ub`, `b_ub`, `A_eq`, `b_eq` must be real, got dtype {dt}")
    if jnp.finfo(dt).bits < 32:  # half precision cannot pivot reliably: compute in float32
        dt = jnp.dtype(jnp.float32)
    if A_ub is None:
        A_ub, b_ub = jnp.zeros((0, n), dt), jnp.zeros((0,), dt)
    if A_eq is None:
        A_eq, b_eq = jnp.zeros((0, n), dt), jnp.zeros((0,), dt)
    c, A_ub, b_ub, A_eq, b_eq = (jnp.asarray(a, dt) for a in (c, A_ub, b_ub, A_eq, b_eq))
    if tol is None:
        tol = default_tol(dt)
    elif v.is_concrete(tol) and not (np.all(np.isfinite(tol)) and np.all(np.asarray(tol) > 0)):
        raise ValueError(f"`tol` must be positive, got {tol}")
    if np.ndim(tol) != 0:
        raise ValueError(f"`tol` must be a scalar, got shape {np.shape(tol)}")
    m = b_ub.shape[0] + b_eq.shape[0]
    if max_pivots is None:
        max_pivots = max(100, 20 * (m + n))
    elif v.is_concrete(max_pivots) and not (
        np.ndim(max_pivots) == 0 and float(max_pivots) == int(max_pivots) and max_pivots >= 1
    ):
        raise ValueError(f"`max_pivots` must be a positive integer, got {max_pivots}")
    if pricing not in ("steepest", "dantzig"):
        raise ValueError(f"`pricing` must be 'steepest' or 'dantzig', got {pricing!r}")
    tol = jnp.asarray(tol, dt)
    max_pivots = jnp.asarray(max_pivots, jnp.int32)
    return _solve(c, A_ub, b_ub, A_eq, b_eq, tol, max_pivots, pricing=pricing)
