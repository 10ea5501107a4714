r"""Maximise a concave function over a product of simplices, with a Frank–Wolfe certificate.

.. math:: \max_{s_1 \in \Delta_{K_1}, \dots, s_B \in \Delta_{K_B}} h(s), \qquad
   \operatorname{gap}(s) = \sum_b \big(\max_k \nabla_{s_b} h - \nabla_{s_b} h \cdot s_b\big)
   \;\ge\; h^\star - h(s)

(the Frank–Wolfe gap bounds the suboptimality of any concave ``h``; Jaggi 2013).  Every
bargaining solution over a feasible set from :mod:`bargainjax._feasible` is such a problem in
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

from . import _linalg
from ._loop import iterate
from ._status import Status


class ConcaveMax(NamedTuple):
    strategy: tuple
    value: jax.Array
    gap: jax.Array
    num_steps: jax.Array
    status: jax.Array


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
    """Sum over blocks of ``max_k g_k - g·s`` (flattened coordinates)."""
    gap = 0.0
    for gb, sb in zip(unflatten(grad_z, sizes), unflatten(z, sizes)):
        gap = gap + jnp.max(gb) - gb @ sb
    return gap


def _safe(h):
    def f(z):
        val = h(z)
        return jnp.where(jnp.isfinite(val), val, -jnp.inf)

    return f


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


def _newton_polish(h, z, sizes, support_size, iterations):
    """Active-set Newton on a candidate face, with the block sums as equality constraints.

    Candidates per block: the ``support_size`` coordinates with the largest partial derivative
    (near the optimum these are the vertices of the optimal face) together with the heaviest
    ones.  A coordinate that the step drives to zero leaves the active set.
    """
    hval = _safe(h)
    K = z.shape[0]
    ids = block_ids(sizes)
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

    def expand(zq):
        return jnp.zeros(K, z.dtype).at[idx].set(zq)

    hq = lambda zq: h(expand(zq))  # noqa: E731
    hval_q = _safe(hq)
    grad = jax.grad(hq)
    hess = jax.hessian(hq)

    def restrict(zq, active):
        fm = active.astype(z.dtype)
        zs = jnp.where(active, jnp.maximum(zq, 1e-3 / K), 0.0)
        sums = (block * fm[None, :]) @ zs
        return zs / (block.T.astype(z.dtype) @ jnp.where(sums > 0, sums, 1.0))

    def step(c):
        zc, hc, mask, it, _ = c
        fm = mask.astype(z.dtype)
        E = block.astype(z.dtype) * fm[None, :]
        g = jnp.where(mask, grad(zc), 0.0)
        H = hess(zc)
        H = jnp.where(mask[:, None] & mask[None, :], H, 0.0)
        scale = jnp.max(jnp.abs(jnp.diag(H))) + jnp.finfo(z.dtype).tiny
        H = H - (1e-11 * scale) * jnp.diag(fm) - jnp.diag(1.0 - fm)
        A = jnp.block([[H, E.T], [E, jnp.zeros((B, B), z.dtype)]])
        rhs = jnp.concatenate([-g, jnp.zeros(B, z.dtype)])
        d = _linalg.solve(A, rhs)[:Q]
        d = jnp.where(mask & jnp.isfinite(d), d, 0.0)
        ratio = jnp.where(mask & (d < 0), zc / jnp.where(d < 0, -d, 1.0), jnp.inf)
        t = jnp.minimum(1.0, jnp.min(ratio))
        blocking = ratio <= t
        z_new = jnp.where(blocking & (t < 1.0), 0.0, jnp.clip(zc + t * d, 0.0))
        h_new = hval_q(z_new)
        # Near the optimum h changes by less than its rounding: accept ties within rounding.
        ok = h_new >= hc - 8 * jnp.finfo(z.dtype).eps * (1.0 + jnp.abs(hc))
        mask = jnp.where(ok & (t < 1.0), mask & ~blocking, mask)
        # Converged: a full, accepted step that no longer moves the point.
        done = ~ok | ((t >= 1.0) & (jnp.max(jnp.abs(d)) <= 64 * jnp.finfo(z.dtype).eps))
        return jnp.where(ok, z_new, zc), jnp.where(ok, h_new, hc), mask, it + 1, done

    zq = restrict(z[idx], active0)
    init = (zq, hval_q(zq), active0, jnp.asarray(0, jnp.int32), jnp.asarray(False))
    zq, hs, _, _, _ = jax.lax.while_loop(lambda c: (c[3] < iterations) & ~c[4], step, init)
    zs = expand(zq)
    return zs, hs


class _State(NamedTuple):
    z: jax.Array
    eta: jax.Array
    best_z: jax.Array
    best_h: jax.Array
    gap: jax.Array


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
) -> ConcaveMax:
    """Maximise concave ``h(z)`` (``z`` the flattened strategy) from ``strategy0``.

    ``h`` may return ``-inf``/NaN outside its domain (e.g. ``log`` of a non-positive gain);
    ``strategy0`` must lie inside it.  Returns the best strategy found, ``h`` there, the
    Frank–Wolfe gap certificate, steps used and a status.
    """
    sizes = tuple(int(s.shape[0]) for s in strategy0)
    z0 = flatten(strategy0)
    dt = z0.dtype
    hval = _safe(h)
    grad = jax.grad(h)

    def certificate(z):
        g = grad(z)
        gap = frank_wolfe_gap(g, z, sizes)
        return jnp.where(jnp.isfinite(gap), gap, jnp.inf)

    def block(st):
        z, eta = _mirror_block(h, st.z, st.eta, sizes, check_every)
        hz = hval(z)
        zp, hp = _newton_polish(h, z, sizes, support_size, newton_iterations)
        round_off = 8 * jnp.finfo(dt).eps * (1.0 + jnp.abs(hz))
        gz, gp = certificate(z), certificate(zp)
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
        hc, gc = jnp.where(take_p, hp, hz), jnp.where(take_p, gp, gz)
        better = (gc < st.gap) & (hc >= st.best_h - round_off - gc)
        best_z = jnp.where(better, cand, st.best_z)
        best_h = jnp.where(better, hc, st.best_h)
        gap = jnp.where(better, gc, st.gap)
        # The mirror iterate stays dense: a polished point has exact zeros, from which entropic
        # steps could never recover if the identified face was wrong.
        mixed = 0.5 * z + 0.5 * zp
        return _State(jnp.where(use_p, mixed, z), eta, best_z, best_h, gap)

    st0 = _State(z0, jnp.asarray(step_size, dt), z0, hval(z0), certificate(z0))
    out = iterate(block, lambda st: st.gap, st0, tol=tol, max_steps=max_steps,
                  steps_per_call=check_every)
    st = out.state
    status = jnp.where(~jnp.isfinite(st.best_h), Status.INFEASIBLE, out.status).astype(jnp.int32)
    return ConcaveMax(unflatten(st.best_z, sizes), st.best_h, st.gap, out.num_steps, status)
