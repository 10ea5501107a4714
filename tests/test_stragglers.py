"""Stragglers: batches holding hard instances finish every instance to its certificate.

Under ``vmap`` a batch runs as long as its slowest instance, so an instance that never
certifies costs the whole batch ``max_steps``.  These batches hold instances that did exactly
that (``MAX_STEPS_REACHED`` after all 20000 steps) before ``maximize_concave`` kept the point
with the smallest Frank-Wolfe gap; here they must finish within a small step budget.

(The Battle-of-the-Sexes stragglers are in ``tests/test_sweep_cli.py``.)  Oracle: for points
on the plane ``u1 + u2 + u3 = 1`` the symmetric NBS from ``d = 0``
maximises ``sum log u_i`` on the plane, i.e. ``u = (1/3, 1/3, 1/3)``, whenever that point lies
in the hull of the points (checked with scipy's HiGHS LP).
"""

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import linprog

import bargainjax as bj


def _in_hull(P, u):
    K = P.shape[0]
    res = linprog(np.zeros(K), A_eq=np.vstack([P.T, np.ones(K)]), b_eq=np.append(u, 1.0),
                  bounds=(0, None), method="highs")
    return res.status == 0


def test_nbs_batch_with_coplanar_hard_instances_finishes_each_one():
    # Coplanar points: the optimal face is the whole hull, the optimal mixture is not unique.
    rng = np.random.default_rng(0)
    S = rng.dirichlet(np.ones(3), (512, 27))
    hard = [12, 44, 81, 144, 161, 199, 219, 268]  # seed 0: these ran to max_steps
    P = np.concatenate([S[hard], rng.uniform(0.0, 1.0, (8, 27, 3))])
    r = jax.jit(jax.vmap(lambda P: bj.nash_bargaining(bj.polytope(P), jnp.zeros(3),
                                                      max_steps=500)))(P)
    assert np.all(np.asarray(r.status) == 0), r.status
    assert np.all(np.asarray(r.gap) <= np.asarray(r.tol))
    for k in range(len(hard)):
        assert _in_hull(S[hard[k]], np.full(3, 1 / 3))
        np.testing.assert_allclose(np.asarray(r.payoffs)[k], 1 / 3, atol=1e-9)


def _egalitarian_lp(b, c, d):
    """HiGHS: max t s.t. u_i - d_i >= t, u_i = sum_j c_ji y_ji (identity map), sum_i y_ji = b_j."""
    m, K = c.shape
    nv = m * K + 1
    cost = np.zeros(nv)
    cost[-1] = -1.0
    A_ub = np.zeros((K, nv))
    for i in range(K):
        for j in range(m):
            A_ub[i, j * K + i] = -c[j, i]
        A_ub[i, -1] = 1.0
    A_eq = np.zeros((m, nv))
    for j in range(m):
        A_eq[j, j * K:(j + 1) * K] = 1.0
    res = linprog(cost, A_ub=A_ub, b_ub=-d, A_eq=A_eq, b_eq=b,
                  bounds=[(0, None)] * (m * K) + [(None, None)], method="highs")
    return -res.fun


def test_max_min_on_linear_resource_sets_finishes_exactly():
    # 3 agents, 3 goods, linear production: the dual mirror descent used before stalled here
    # (93 of 128 such sets MAX_STEPS_REACHED at 5000 steps, gaps up to 0.6); now the exact LP.
    rng = np.random.default_rng(0)
    b = rng.uniform(0.5, 2.0, (16, 3))
    c = rng.uniform(0.0, 1.0, (16, 3, 3))
    d = rng.uniform(0.0, 0.2, (16, 3))
    r = jax.jit(jax.vmap(lambda b, c, d: bj.egalitarian(bj.resource_set(b, c), d)))(b, c, d)
    assert np.all(np.asarray(r.status) == 0), r.status
    assert np.all(np.asarray(r.gap) <= np.asarray(r.tol))
    assert int(np.max(r.num_steps)) < 100
    for i in range(16):
        t = _egalitarian_lp(b[i], c[i], d[i])
        np.testing.assert_allclose(np.asarray(r.payoffs)[i] - d[i], t, atol=1e-9)
