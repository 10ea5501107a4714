r"""The simplex pivot, written once for every tableau simplex method in bargainjax.

A tableau is one array ``T`` whose first ``m`` rows are the constraint rows (basic variables),
followed by one or more objective rows (reduced costs), and whose **last column is the
right-hand side** (the basic values in the constraint rows, the objective values below).  Two
layouts share the kernel:

* *full* (``condensed=False``): one column per variable, basic columns included (unit vectors);
  the entering column becomes a unit vector and row ``r`` is replaced by the pivot row;
* *condensed* (Tucker, ``condensed=True``): one column per **nonbasic** variable only; after the
  exchange, the entering variable's column holds the leaving variable.

Either way the exchange of basic row ``r`` with column ``c`` (pivot ``p = T[r, c]``, column
``u = T[:, c]``) is one rank-one update,

.. math:: T \leftarrow T - (u - e_r)\,(T_{r:} + [\text{condensed}]\,e_c)/p,

which gives the textbook rules (pivot row ``/p``; in the condensed layout the pivot ``1/p`` and
column ``-/p``; rest ``- T_{ic} T_{rj} / p``).  It is written for ``vmap``: the pivot column
and row are gathered (small) and the update is one fused multiply-subtract over the tableau
with elementwise masks, never a per-instance ``.at[r].set`` (which ``vmap`` turns into a
scatter over the whole batch).  Basic values are ``>= 0`` in exact arithmetic, so
rounding-level negatives in the right-hand side are cleared after every exchange.

Rules (:func:`entering`, :func:`ratio_test`): the entering column is the most negative
``price`` (Dantzig's rule, or a caller's pricing such as steepest edge) unless ``bland``, when
it is the improving variable with the lowest label; the ratio test takes the rows with the
minimum ratio up to a relative band ``tie_tol`` and, under ``bland``, leaves by the lowest
basic label, else by the largest pivot element.  Bland's rule for both choices cannot cycle
(R. G. Bland 1977, *New finite pivoting rules for the simplex method*, Math. Oper. Res. 2(2)),
so each solver switches to it (for good, or while its objective stalls) as its anti-cycling
rule.

:func:`run` is the one pivot loop, a ``lax.while_loop`` whose outcome is a
:class:`bargainjax.Status`: ``SUCCESSFUL`` (optimal basis), ``DEGENERATE`` (unbounded: an
improving column without a positive entry), ``INFEASIBLE`` (a caller's phase 1 proved it) or
``MAX_STEPS_REACHED`` (still pivoting when the cap was hit).  Under ``vmap`` each instance stops
on its own (finished lanes are frozen), so a batch costs the largest pivot count.  Nothing here
is differentiated: solvers attach derivatives at the answer (:mod:`bargainjax.core._implicit`).
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp

from bargainjax.core._contract import Status


def entering(d, labels, *, opt_tol, bland, price=None):
    """The entering column: ``(j, improvable)``.

    Args:
        d: ``(k,)`` reduced costs of the candidate columns (the objective row; a negative
            entry improves the objective).
        labels: ``(k,)`` integer variable labels of the columns (Bland's order).
        opt_tol: a reduced cost below ``-opt_tol`` is improving.
        bland: bool (may be traced): the lowest-labelled improving column.
        price: ``(k,)`` the pricing rule's key, the most negative entering (default ``d``:
            Dantzig's rule).

    Returns:
        ``j`` (int32) and ``improvable = d[j] < -opt_tol``.
    """
    improving = d < -opt_tol
    big = jnp.iinfo(labels.dtype).max
    j_bland = jnp.argmin(jnp.where(improving, labels, big))
    j_rule = jnp.argmin(d if price is None else price)
    j = jnp.where(bland, j_bland, j_rule).astype(jnp.int32)
    return j, d[j] < -opt_tol


def ratio_test(col, rhs, labels, *, piv_tol, tie_tol, bland, forced=None):
    """The leaving row: ``(r, bounded)``.

    Rows with ``col > piv_tol`` compete on ``rhs / col``; ``forced`` rows (if given) have ratio
    ``0`` whatever their sign (a caller's zero-step pivots).  Rows within a relative band
    ``tie_tol`` of the minimum ratio are tied — relative, because an absolute band would let a
    row with a slightly larger ratio leave and drive the true minimiser's basic value negative.
    Among tied rows: the lowest ``labels`` entry if ``bland`` (``True``, or a traced bool),
    else forced rows first, then the largest pivot element.

    Args:
        col: ``(m,)`` the entering column's constraint entries.
        rhs: ``(m,)`` basic values (``>= 0``).
        labels: ``(m,)`` integer labels of the basic variables.

    Returns:
        ``r`` (int32) and ``bounded`` (some row limits the step).
    """
    pos = col > piv_tol
    ratio = jnp.where(pos, rhs / jnp.where(pos, col, 1.0), jnp.inf)
    if forced is not None:
        ratio = jnp.where(forced, 0.0, ratio)
    rmin = jnp.min(ratio)
    tied = ratio <= rmin * (1.0 + tie_tol)
    if forced is not None:
        tied = tied & (pos | forced)
    # Without forced rows no mask is needed: rows without a positive entry have ratio inf, so
    # they tie only when no row bounds the step, and then nothing pivots (the mask cost 20%).
    r = jnp.argmin(jnp.where(tied, labels, jnp.iinfo(labels.dtype).max))
    if bland is not True:
        size = jnp.abs(col) if forced is None else jnp.where(forced, jnp.inf, jnp.abs(col))
        r = jnp.where(bland, r, jnp.argmax(jnp.where(tied, size, -1.0)))
    return r.astype(jnp.int32), jnp.isfinite(rmin)


def exchange(T, col, r, c, ok, *, m: int, condensed: bool):
    """Exchange basic row ``r`` with column ``c`` of the tableau ``T`` (module docstring).

    Args:
        T: ``(rows, cols)`` tableau, right-hand side last, constraint rows first.
        col: ``(rows,)`` the column ``T[:, c]``.
        r, c: pivot row and column (traced ints).
        ok: bool; a no-op (``T`` returned unchanged) unless true.
        m: number of constraint rows (static); their right-hand sides are clamped at ``0``.
        condensed: the condensed (Tucker) layout (static).

    Returns:
        The new tableau.
    """
    rows = jnp.arange(T.shape[0])
    cols = jnp.arange(T.shape[1])
    is_r = rows == r
    row = T[r] + (cols == c) if condensed else T[r]
    pivot_row = row / jnp.where(ok, col[r], 1.0)
    u = jnp.where(ok, col - is_r, 0.0)
    T = T - u[:, None] * pivot_row[None, :]
    if not condensed:
        T = jnp.where((ok & is_r)[:, None], pivot_row[None, :], T)
    rhs_entry = (rows < m)[:, None] & (cols == T.shape[1] - 1)[None, :]
    return jnp.where(rhs_entry, jnp.maximum(T, 0.0), T)


def pivot(T, basic, nonbasic, j, improvable, *, m: int, piv_tol, tie_tol, bland,
          forced=None):
    """One pivot on column ``j``: ratio test, exchange, labels.

    Args:
        T: the tableau (module docstring); ``condensed`` when ``nonbasic`` is given.
        basic: ``(m,)`` labels of the basic variables (row order).
        nonbasic: ``(k,)`` labels of the columns of a condensed tableau, or ``None`` for the
            full layout (column ``j`` is variable ``j``).
        j, improvable: from :func:`entering`.
        m, piv_tol, tie_tol, bland, forced: as in :func:`ratio_test` / :func:`exchange`.

    Returns:
        ``(T, basic, nonbasic, pivoted, bounded)``: ``pivoted = improvable & bounded``.
    """
    condensed = nonbasic is not None
    col = T[:, j]
    r, bounded = ratio_test(col[:m], jnp.maximum(T[:m, -1], 0.0), basic, piv_tol=piv_tol,
                            tie_tol=tie_tol, bland=bland, forced=forced)
    ok = improvable & bounded
    T = exchange(T, col, r, j, ok, m=m, condensed=condensed)
    here = ok & (jnp.arange(m) == r)
    if condensed:
        leaving = basic[r]
        basic = jnp.where(here, nonbasic[j], basic)
        nonbasic = jnp.where(ok & (jnp.arange(nonbasic.shape[0]) == j), leaving, nonbasic)
    else:
        basic = jnp.where(here, j, basic)
    return T, basic, nonbasic, ok, bounded


class Pivoting(NamedTuple):
    """Result of :func:`run`: the final state, pivots taken and the loop's :class:`Status`."""

    state: Any
    pivots: jax.Array
    status: jax.Array


def run(step: Callable, state, *, max_pivots, active=True) -> Pivoting:
    """The pivot loop: ``state, pivoted, status = step(state, pivots)`` until done.

    ``step`` returns ``Status.MAX_STEPS_REACHED`` to go on pivoting, or the final outcome
    (``SUCCESSFUL``, ``DEGENERATE``, ``INFEASIBLE``).  The loop stops there or after
    ``max_pivots`` pivots (a traced cap is fine); ``pivoted`` (bool) counts a pivot.  Instances
    with ``active`` false do not pivot and report ``SUCCESSFUL`` (nothing to do).
    """

    def cond(c):
        _, k, status = c
        return (status == Status.MAX_STEPS_REACHED) & (k < max_pivots)

    def body(c):
        s, k, _ = c
        s, pivoted, status = step(s, k)
        return s, k + pivoted.astype(jnp.int32), jnp.asarray(status, jnp.int32)

    status0 = jnp.where(active, Status.MAX_STEPS_REACHED, Status.SUCCESSFUL).astype(jnp.int32)
    state, k, status = jax.lax.while_loop(cond, body,
                                          (state, jnp.asarray(0, jnp.int32), status0))
    return Pivoting(state, k, status)
