"""Stragglers: batches holding hard instances finish every instance to its certificate.

Under ``vmap`` a batch runs as long as its slowest instance, so an instance that never
certifies costs the whole batch ``max_steps``.  These batches hold instances that did exactly
that (``MAX_STEPS_REACHED`` after all 20000 steps) before ``maximize_concave`` kept the point
with the smallest Frank-Wolfe gap; here they must finish within a small step budget.

(The Battle-of-the-Sexes stragglers are in ``tests/test_sweep_cli.py``.)  Oracle: for points on the plane ``u1 + u2 + u3 = 1`` the symmetric NBS from ``d = 0``
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
