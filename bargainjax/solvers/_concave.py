r"""Maximise a concave function over a product of simplices, with a Frank–Wolfe certificate.

.. math:: \max_{s_1 \in \Delta_{K_1}, \dots, s_B \in \Delta_{K_B}} h(s), \qquad
   \operatorname{gap}(s) = \sum_b \big(\max_k \nabla_{s_b} h - \nabla_{s_b} h \cdot s_b\big)
   \;\ge\; h^\star - h(s)

(the Frank–Wolfe gap bounds the suboptimality of any concave ``h``; Jaggi 2013).  Every
bargaining solution over a feasible set from :mod:`bargainjax.sets._feasible` is such a problem in
the set's strategy coordinates.

Algorithm (:func:`maximize_concave`):

1. entropic mirror ascent (exponentiated gradient) with a backtracking step: a step that lowers
   ``h`` or leaves its domain is rejected and the step halved, an accepted one grows it by 1.5;
2. every ``check_every`` steps, a *face polish*: Newton's method on the identified support
   (the ``support_size`` heaviest coordinates of each block), with the block sums as equality
   constraints and a tiny ridge for directions that do not change ``h`` (non-unique mixtures),
   cut back to stay in the simplex; kept only if it raises ``h``;
3. stop when the certificate is at most ``tol``.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from bargainjax.core import _linalg as _linalg
from bargainjax.core import _simplex
from bargainjax.core._loop import iterate
from bargainjax.core._contract import Status


class ConcaveMax(NamedTuple):
    strategy: tuple
    value: jax.Array
    gap: jax.Array
    num_steps: jax.Array
    status: jax.Array
    floor: jax.Array  # rounding floor of ``gap`` at ``strategy`` (0 without a ``floor`` function)


def flatten(strategy) -> jax.Array:
    return jnp.concatenate([jnp.atleast_1d(s) for s in strategy])


def unflatten(z, sizes):
    out, i = [], 0
    for k in sizes:
        out.append(z[i : i + k])
        i += k
    return tuple(out)


def block_ids(sizes):
    import numpy as np

    return np.repeat(np.arange(len(sizes)), sizes)


def frank_wolfe_gap(grad_z, z, sizes):
    r"""Frank–Wolfe gap over the product of simplices of block ``sizes``:
    :math:`\sum_b \max_k g_{bk} - g_b \cdot s_b` for the flattened gradient ``grad_z`` and point
    ``z`` (each block's term is :func:`bargainjax.core._simplex.frank_wolfe_gap`)."""
    gap = 0.0
    for gb, sb in zip(unflatten(grad_z, sizes), unflatten(z, sizes)):
        gap = gap + _simplex.frank_wolfe_gap(sb, gb)
    return gap


def _safe(h):
    def f(z):
        val = h(z)
        return jnp.where(jnp.isfinite(val), val, -jnp.inf)

    return f


def rounding_error(h, g, z):
    """Rounding-error scale of a computed ``h(z)`` with gradient ``g``: ``h`` sums terms whose
    magnitudes are about ``|h|`` and ``Σ_k |g_k| z_k`` (e.g. ``w_i u_i / (u_i - d_i)`` for the
    Nash product, large when a gain ``u_i - d_i`` is small), each rounded at ``eps``."""
    g = jnp.where(jnp.isfinite(g), g, 0.0)
    return 16 * jnp.finfo(z.dtype).eps * (1.0 + jnp.abs(h) + jnp.abs(g) @ jnp.abs(z))


def _mirror_block(h, z, eta, sizes, steps):
    hval = _safe(h)
    grad = jax.grad(h)

    def one(_, c):
        z, eta, hz = c
        g = grad(z)
        g = jnp.where(jnp.isfinite(g), g, 0.0)
        logz = jnp.log(jnp.maximum(z, jnp.finfo(z.dtype).tiny))
        parts = []
        for lb, gb in zip(unflatten(logz, sizes), unflatten(g, sizes)):
            t = lb + eta * (gb - jnp.max(gb))
            parts.append(jnp.exp(t - jax.nn.logsumexp(t)))
        z_new = jnp.concatenate(parts)
        h_new = hval(z_new)
        ok = h_new >= hz
        return (jnp.where(ok, z_new, z), jnp.where(ok, eta * 1.5, eta * 0.5),
                jnp.where(ok, h_new, hz))

    z, eta, hz = jax.lax.fori_loop(0, steps, one, (z, eta, hval(z)))
    return z, eta


def _newton_polish(h, z, sizes, support_size, iterations, keep=None):
    """Active-set Newton on a candidate face, with the block sums as equality constraints.

    Candidates per block: the ``support_size`` coordinates with the largest partial derivative
    (near the optimum these are the vertices of the optimal face) together with the heaviest
    ones.  A coordinate that the step drives to zero leaves the active set.
    """
    K = z.shape[0]
    B = len(sizes)
    g0 = jax.grad(h)(z)
    g0 = jnp.where(jnp.isfinite(g0), g0, -jnp.inf)
    mask = jnp.zeros(K, bool)
    start = 0
    for k in sizes:
        q = min(k, support_size)
        gb, zb = g0[start : start + k], z[start : start + k]
        top_g = gb >= jnp.sort(gb)[k - q]
        top_z = zb >= jnp.sort(zb)[k - min(k, max(1, q // 2))]
        mask = mask.at[start : start + k].set(top_g | top_z)
        start += k
    # Work on a compact set of candidate coordinates (static size) so the Newton systems stay
    # small: batched small solves dominate the cost on CPU.
    idx_parts, blk_parts, start = [], [], 0
    for b, k in enumerate(sizes):
        q = min(k, support_size + max(1, support_size // 2))
        priority = jnp.where(mask[start : start + k], 2.0 + z[start : start + k], z[start : start + k])
        idx_parts.append(start + jax.lax.top_k(priority, q)[1])
        blk_parts.append(np.full(q, b))
        start += k
    idx = jnp.concatenate(idx_parts)
    Q = idx.shape[0]
    block = jnp.asarray(np.concatenate(blk_parts)[None, :] == np.arange(B)[:, None])
    active0 = mask[idx]

    keep_q = jnp.zeros(Q, bool) if keep is None else keep[idx]

    def expand(zq):
        return jnp.zeros(K, z.dtype).at[idx].set(zq)

    hq = lambda zq: h(expand(zq))  # noqa: E731
    value_and_grad = jax.value_and_grad(hq)
    hess = jax.hessian(hq)

    def restrict(zq, active, lift):
        fm = active.astype(z.dtype)
        zs = jnp.where(active, jnp.maximum(zq, lift), 0.0)
        sums = (block * fm[None, :]) @ zs
        return zs / (block.T.astype(z.dtype) @ jnp.where(sums > 0, sums, 1.0))

    def kkt(zq, gq):
        # Frank-Wolfe gap over the candidate coordinates: 0 exactly at a stationary point of h
        # on the candidate face.
        gq = jnp.where(jnp.isfinite(gq), gq, 0.0)
        top = jnp.max(jnp.where(block, gq[None, :], -jnp.inf), axis=1)
        return jnp.sum(top) - gq @ zq

    def step(c):
        zc, hc, gc, rc, mask, _ = c
        fm = mask.astype(z.dtype)
        E = block.astype(z.dtype) * fm[None, :]
        g = jnp.where(mask, gc, 0.0)
        H = hess(zc)
        H = jnp.where(mask[:, None] & mask[None, :], H, 0.0)
        scale = jnp.max(jnp.abs(jnp.diag(H))) + jnp.finfo(z.dtype).tiny
        H = H - (1e-11 * scale) * jnp.diag(fm) - jnp.diag(1.0 - fm)
        # Constraint rows of 1s against a Hessian of 1e11 (tiny gains) made the elimination's
        # pivot test declare the system singular: they are scaled up for such Hessians only
        # (on singular polytope faces the unscaled system is what converges).
        Es = jnp.maximum(1.0, 1e-6 * scale) * E
        A = jnp.block([[H, Es.T], [Es, jnp.zeros((B, B), z.dtype)]])
        rhs = jnp.concatenate([-g, jnp.zeros(B, z.dtype)])
        d = _linalg.solve(A, rhs)[:Q]
        d = jnp.where(mask & jnp.isfinite(d), d, 0.0)
        # Keep the block sums exact: an ill-conditioned solve (a singular H on a polytope face,
        # regularised by the ridge) leaves E d slightly off 0, which repeated steps accumulate.
        count = jnp.maximum(E @ jnp.ones(Q, z.dtype), 1.0)
        d = jnp.where(mask, d - E.T @ ((E @ d) / count), 0.0)
        # Ratio test; a coordinate in `keep` (one that is positive at every optimum) may only
        # halve its distance to 0 (fraction to the boundary), the others are dropped there.
        ratio = jnp.where(mask & (d < 0), zc / jnp.where(d < 0, -d, 1.0), jnp.inf)
        ratio = jnp.where(keep_q, 0.5 * ratio, ratio)
        t = jnp.minimum(1.0, jnp.min(ratio))
        blocking = (ratio <= t) & (t < 1.0) & ~keep_q
        z_new = jnp.where(blocking, 0.0, jnp.clip(zc + t * d, 0.0))
        h_new, g_new = value_and_grad(z_new)
        h_new = jnp.where(jnp.isfinite(h_new), h_new, -jnp.inf)
        r_new = kkt(z_new, g_new)
        # Near the optimum h changes by less than its rounding, so h cannot judge a step there:
        # a step is accepted when it raises h (up to a few ulps), or leaves h within its
        # rounding (`rounding_error`) and lowers the stationarity residual on the face.
        band = rounding_error(hc, gc, zc)
        ok = (h_new >= hc - 8 * jnp.finfo(z.dtype).eps * (1.0 + jnp.abs(hc))) | (
            (h_new >= hc - band) & (r_new < rc))
        mask = jnp.where(ok, mask & ~blocking, mask)
        # Converged: a full, accepted step that no longer moves the point; or a rejected step.
        done = ~ok | ((t >= 1.0) & (jnp.max(jnp.abs(d)) <= 64 * jnp.finfo(z.dtype).eps))
        return (jnp.where(ok, z_new, zc), jnp.where(ok, h_new, hc), jnp.where(ok, g_new, gc),
                jnp.where(ok, r_new, rc), mask, done)

    # Start from the candidates' weights with small active ones lifted to 1e-3/K (so the ratio
    # test does not stall on them), unless that leaves h's domain (the Nash product's gains
    # can be smaller than the lift moves payoffs): then from the weights as they are.
    zq_lift, zq_raw = restrict(z[idx], active0, 1e-3 / K), restrict(z[idx], active0, 0.0)
    (h_lift, g_lift), (h_raw, g_raw) = value_and_grad(zq_lift), value_and_grad(zq_raw)
    h_lift = jnp.where(jnp.isfinite(h_lift), h_lift, -jnp.inf)
    h_raw = jnp.where(jnp.isfinite(h_raw), h_raw, -jnp.inf)
    lift = (h_lift > -jnp.inf) | (h_raw == -jnp.inf)
    zq = jnp.where(lift, zq_lift, zq_raw)
    h0, g0q = jnp.where(lift, h_lift, h_raw), jnp.where(lift, g_lift, g_raw)
    init = (zq, h0, g0q, kkt(zq, g0q), active0, jnp.asarray(False))
    # At most `iterations` steps, until a step reports convergence (certificate 0 once done).
    out = iterate(step, lambda c: jnp.where(c[5], 0.0, 1.0), init, tol=0.5,
                  max_steps=iterations)
    zq, hs, *_ = out.state
    zs = expand(zq)
    return zs, hs


class _State(NamedTuple):
    z: jax.Array
    eta: jax.Array
    best_z: jax.Array
    best_h: jax.Array
    gap: jax.Array
    floor: jax.Array


def maximize_concave(
    h: Callable[[jax.Array], jax.Array],
    strategy0: tuple,
    *,
    tol: float,
    max_steps: int,
    check_every: int = 25,
    support_size: int = 8,
    newton_iterations: int = 30,
    step_size: float = 1.0,
    keep=None,
    floor: Callable[[jax.Array], jax.Array] | None = None,
    bound: Callable[[jax.Array], tuple[jax.Array, jax.Array]] | None = None,
    stop: Callable[[jax.Array], jax.Array] | None = None,
) -> ConcaveMax:
    """Maximise concave ``h(z)`` (``z`` the flattened strategy) from ``strategy0``.

    ``h`` may return ``-inf``/NaN outside its domain (e.g. ``log`` of a non-positive gain);
    ``strategy0`` must lie inside it.  Returns the best strategy found, ``h`` there, the
    Frank–Wolfe gap certificate, steps used and a status.  ``keep`` (optional, boolean, one
    entry per flattened coordinate) marks coordinates that are positive at every optimum (an
    infinite marginal value at 0, e.g. a ``sqrt`` good): the face polish never drops them to 0,
    where their computed partial derivative would be wrong.  ``floor(z)`` (optional) is the
    rounding floor of the computed certificate at ``z``: the loop stops, ``SUCCESSFUL``, once
    ``gap <= tol + floor(best point)`` (a gap below its own rounding error cannot be reduced).
    ``bound(z)`` (optional) returns a second upper bound on ``max h - h(z)`` and its rounding
    floor (``inf`` where it is not to be used); where smaller than the Frank–Wolfe gap, it is
    the certificate.  ``stop(z)`` (optional) is a second stopping rule: the loop also ends once
    ``stop(best point) <= 0`` (e.g. a caller's own certificate minus its tolerance).
    """
    sizes = tuple(int(s.shape[0]) for s in strategy0)
    z0 = flatten(strategy0)
    dt = z0.dtype
    hval = _safe(h)
    grad = jax.grad(h)

    def certificate(z, g=None):
        """``(gap, its rounding floor)`` at ``z``: the Frank–Wolfe gap or, where smaller, ``bound``."""
        gap = frank_wolfe_gap(grad(z) if g is None else g, z, sizes)
        gap = jnp.where(jnp.isfinite(gap), gap, jnp.inf)
        fl = floor_of(z)
        if bound is not None:
            b, bf = bound(z)
            smaller = jnp.isfinite(b) & (b < gap)
            gap, fl = jnp.where(smaller, b, gap), jnp.where(smaller, jnp.where(jnp.isfinite(bf), bf, 0.0), fl)
        return gap, fl

    def block(st):
        z, eta = _mirror_block(h, st.z, st.eta, sizes, check_every)
        hz, grad_z = jax.value_and_grad(h)(z)
        hz = jnp.where(jnp.isfinite(hz), hz, -jnp.inf)
        zp, hp = _newton_polish(h, z, sizes, support_size, newton_iterations, keep)
        # Objective comparisons below allow for h's rounding (large when the Nash product's
        # gains are small); the certificates decide within it.
        round_off = rounding_error(hz, grad_z, z)
        (gz, fz), (gp, fp) = certificate(z, grad_z), certificate(zp)
        # The iterate moves to the polished point when that is higher or, within rounding of h,
        # has the smaller certificate.  (A looser rule keeps pulling the iterate back to a
        # polish on a wrong face.)
        use_p = (hp > hz + round_off) | ((hp >= hz - round_off) & (gp < gz))
        # The best point is the one with the smallest Frank-Wolfe gap g: no feasible point beats
        # a point by more than its g, so a candidate with a smaller g is at least as good up to
        # g and rounding (the objective guard below), and the kept gap decreases monotonically.
        # (Ranking by the objective first let a mirror iterate whose h was rounded up by a few
        # ulps lock out an exact face polish with a gap of 1e-16: the instance ran to max_steps.)
        take_p = (gp < gz) & (hp >= hz - round_off - gp)
        cand = jnp.where(take_p, zp, z)
        hc, gc, fc = jnp.where(take_p, hp, hz), jnp.where(take_p, gp, gz), jnp.where(take_p, fp, fz)
        better = (gc < st.gap) & (hc >= st.best_h - round_off - gc)
        best_z = jnp.where(better, cand, st.best_z)
        best_h = jnp.where(better, hc, st.best_h)
        gap = jnp.where(better, gc, st.gap)
        fl = jnp.where(better, fc, st.floor)
        # The mirror iterate stays dense: a polished point has exact zeros, from which entropic
        # steps could never recover if the identified face was wrong.
        mixed = 0.5 * z + 0.5 * zp
        return _State(jnp.where(use_p, mixed, z), eta, best_z, best_h, gap, fl)

    def floor_of(z):
        if floor is None:
            return jnp.zeros((), dt)
        f = floor(z)
        return jnp.where(jnp.isfinite(f), f, 0.0)

    st0 = _State(z0, jnp.asarray(step_size, dt), z0, hval(z0), *certificate(z0))
    if stop is None:
        out = iterate(block, lambda st: st.gap - st.floor, st0, tol=tol, max_steps=max_steps,
                      steps_per_call=check_every)
    else:
        # Done when either rule holds; a rule that reads nan/inf (e.g. tol = inf: stop at once)
        # is replaced by a finite sign so the loop's non-finite exit does not fire.
        def done_by(st):
            first = st.gap - st.floor - tol
            first = jnp.where(jnp.isnan(first), 1.0, jnp.clip(first, -1.0, jnp.finfo(dt).max))
            second = stop(st.best_z)
            second = jnp.where(jnp.isnan(second), 1.0, jnp.clip(second, -1.0, jnp.finfo(dt).max))
            return jnp.minimum(first, second)

        out = iterate(block, done_by, st0, tol=0.0, max_steps=max_steps,
                      steps_per_call=check_every)
    st = out.state
    status = jnp.where(~jnp.isfinite(st.best_h), Status.INFEASIBLE, out.status).astype(jnp.int32)
    return ConcaveMax(unflatten(st.best_z, sizes), st.best_h, st.gap, out.num_steps, status,
                      st.floor)
