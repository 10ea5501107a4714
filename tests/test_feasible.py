"""Tests of the feasible sets (``bj.polytope``, ``bj.separable_set``, ``bj.resource_set``).

The linear maximisation oracle ``F.maximize(a)`` is checked against oracles written here:

* polytopes: the largest ``P @ a`` row;
* separable sets: brute-force enumeration of every sum of one vertex per part (the joint
  Minkowski-sum vertices the library never forms);
* resource sets: closed forms (quarter discs and ellipses, linear goods, ``sqrt`` and equal-exponent
  ``power`` goods, ``log`` water-filling) and ``scipy.optimize.minimize`` (SLSQP) for mixed kinds,
  linear maps and a user-supplied production function.

Compile budget (2-core CI): every jitted function below is compiled once per shape / production
signature and batched with ``vmap``; a batch of sets is built by stacking pytrees.
"""

from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import minimize

import bargainjax as bj


def _maximize(F, a):
    return F.maximize(a)


_FAST_COMPILE = {"xla_backend_optimization_level": 0}
_lmo_sets_jit = jax.jit(jax.vmap(_maximize, in_axes=(0, 0)))
_lmo_sets_compiled = {}


def lmo_sets(F, A):
    """Many same-shaped sets (a stacked pytree), one weight vector each.

    The only batched entry point: compiled ahead of time once per shape / production signature,
    at XLA's lowest backend optimisation level (about half the compile time on CI; the default
    ``jax.jit`` path is exercised by ``lmo`` below and by the vmap-equals-loop tests).
    """
    leaves, treedef = jax.tree_util.tree_flatten((F, A))
    key = (treedef, tuple((x.shape, x.dtype) for x in leaves))
    if key not in _lmo_sets_compiled:
        lowered = _lmo_sets_jit.lower(F, A)
        try:
            _lmo_sets_compiled[key] = lowered.compile(_FAST_COMPILE)
        except RuntimeError:  # an XLA without that option
            _lmo_sets_compiled[key] = lowered.compile()
    return _lmo_sets_compiled[key](F, A)


lmo = jax.jit(_maximize)


def _stack(sets):
    return jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *sets)


def lmo_weights(F, A):
    """One set, many weight vectors (rows of ``A``)."""
    A = jnp.asarray(A)
    batch = jax.tree_util.tree_map(lambda x: jnp.broadcast_to(x, A.shape[:1] + x.shape), F)
    return lmo_sets(batch, A)


def _rng(seed):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------- oracles


def _resource_payoffs_np(budgets, coefficients, kinds, exponents, L, shares):
    """Independent numpy evaluation of u = sum_j L_j (c_j * h(r_j s_j))."""
    m, K = coefficients.shape
    u = 0.0
    for j in range(m):
        y = budgets[j] * shares[j]
        x = np.empty(K)
        for k, kind in enumerate(kinds):
            c, e = coefficients[j, k], exponents[j, k]
            x[k] = {"linear": c * y[k], "sqrt": c * math.sqrt(max(y[k], 0.0)),
                    "power": c * max(y[k], 0.0) ** e, "log": c * math.log1p(y[k])}[kind]
        u = u + L[j] @ x
    return u


def _water_filling_log(w, r):
    """max sum_k w_k log(1 + y_k) s.t. y >= 0, sum y = r: y_k = max(w_k/lam - 1, 0)."""
    order = np.argsort(-w)
    ws = w[order]
    for j in range(1, len(w) + 1):
        lam = ws[:j].sum() / (r + j)
        if ws[j - 1] > lam and (j == len(w) or ws[j] <= lam):
            break
    y = np.maximum(w / lam - 1.0, 0.0)
    return y, float(np.sum(w * np.log1p(y)))


def _slsqp_agent(objective, gradient, K, starts, seed):
    """max objective(s) over the simplex; best of several SLSQP starts."""
    rng = _rng(seed)
    best = None
    for i in range(starts):
        s0 = np.full(K, 1.0 / K) if i == 0 else rng.dirichlet(np.ones(K))
        res = minimize(lambda s: -objective(s), s0, jac=lambda s: -gradient(s), method="SLSQP",
                       bounds=[(0.0, 1.0)] * K,
                       constraints=[{"type": "eq", "fun": lambda s: s.sum() - 1.0,
                                     "jac": lambda s: np.ones_like(s)}],
                       options={"ftol": 1e-15, "maxiter": 500})
        if best is None or -res.fun > best:
            best = -res.fun
    return best


# ------------------------------------------------------------------------------ polytopes


def test_polytope_lmo_vs_brute_force():
    P = _rng(0).normal(size=(8, 3))
    A = _rng(1).normal(size=(64, 3))  # any sign: a polytope is bounded
    F = bj.polytope(P)
    res = lmo_weights(F, jnp.asarray(A))
    scores = A @ P.T
    np.testing.assert_allclose(res.value, scores.max(axis=1), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(res.payoffs, P[scores.argmax(axis=1)], atol=1e-13)
    s = np.asarray(res.strategy[0])
    assert np.all(s >= 0) and np.allclose(s.sum(axis=1), 1.0)
    np.testing.assert_allclose(jax.vmap(F.payoffs)(res.strategy), res.payoffs, atol=1e-13)
    np.testing.assert_allclose(np.einsum("bn,bn->b", A, res.payoffs), res.value, atol=1e-12)


def test_polytope_lmo_with_ties_returns_a_maximiser():
    P = jnp.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.5, 0.5]])
    res = lmo_weights(bj.polytope(P), np.array([[1.0, 1.0]]))  # every point ties
    assert float(res.value[0]) == pytest.approx(1.0)
    assert float(jnp.sum(res.payoffs[0])) == pytest.approx(1.0)


def test_polytope_payoffs_is_mixture():
    P = _rng(2).normal(size=(6, 4))
    s = _rng(3).dirichlet(np.ones(6))
    np.testing.assert_allclose(bj.polytope(P).payoffs((jnp.asarray(s),)), s @ P, atol=1e-14)
    assert bj.polytope(P).num_players == 4 and bj.polytope(P).block_sizes == (6,)
    np.testing.assert_allclose(bj.polytope(P).uniform_strategy()[0], np.full(6, 1 / 6))


def test_polytope_ideal_point():
    P = _rng(4).normal(size=(8, 3))
    np.testing.assert_allclose(bj.ideal_point(bj.polytope(P)), P.max(axis=0), atol=1e-14)


def test_polytope_vmap_over_sets_equals_loop():
    Ps = _rng(5).normal(size=(16, 8, 3))
    A = _rng(6).normal(size=(16, 3))
    batch = lmo_sets(_stack([bj.polytope(P) for P in Ps]), jnp.asarray(A))
    for i in range(16):
        one = lmo(bj.polytope(Ps[i]), jnp.asarray(A[i]))
        np.testing.assert_allclose(batch.value[i], one.value, atol=1e-14)
        np.testing.assert_allclose(batch.payoffs[i], one.payoffs, atol=1e-14)


# ------------------------------------------------------------------------ separable sets


def _minkowski_vertices(parts):
    """All sums of one point per part: a superset of the Minkowski sum's vertices."""
    return np.array([sum(pts) for pts in itertools.product(*parts)])


def test_separable_lmo_vs_brute_force_minkowski_sum():
    rng = _rng(7)
    parts = [rng.normal(size=(k, 3)) for k in (2, 3, 4)]
    F = bj.separable_set(parts)
    assert F.block_sizes == (2, 3, 4) and F.num_players == 3
    A = rng.normal(size=(64, 3))
    res = lmo_weights(F, jnp.asarray(A))
    V = _minkowski_vertices(parts)
    np.testing.assert_allclose(res.value, (A @ V.T).max(axis=1), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(res.payoffs, V[(A @ V.T).argmax(axis=1)], atol=1e-12)
    np.testing.assert_allclose(jax.vmap(F.payoffs)(res.strategy), res.payoffs, atol=1e-13)
    for s, k in zip(res.strategy, (2, 3, 4)):
        assert s.shape == (64, k) and np.allclose(np.asarray(s).sum(axis=1), 1.0)


def test_separable_set_from_game_equals_correlated_set():
    """conv(sum of parts) == sum of conv(parts): the separable game's two feasible sets agree."""
    rng = _rng(8)
    game = bj.separable_game([rng.normal(size=(k, 3)) for k in (2, 3, 2)])
    Fs, Fc = bj.separable_set(game), bj.correlated_set(game.to_normal_form())
    A = jnp.asarray(rng.normal(size=(32, 3)))
    np.testing.assert_allclose(lmo_weights(Fs, A).value, lmo_weights(Fc, A).value, atol=1e-12)
    np.testing.assert_allclose(bj.ideal_point(Fs), bj.ideal_point(Fc), atol=1e-12)


def test_separable_payoffs_and_vmap_over_sets():
    rng = _rng(9)
    sets = [bj.separable_set([rng.normal(size=(2, 2)), rng.normal(size=(3, 2))]) for _ in range(8)]
    A = rng.normal(size=(8, 2))
    batch = lmo_sets(_stack(sets), jnp.asarray(A))
    for i, F in enumerate(sets):
        one = lmo(F, jnp.asarray(A[i]))
        np.testing.assert_allclose(batch.value[i], one.value, atol=1e-14)
    s = (jnp.asarray([0.25, 0.75]), jnp.asarray([0.2, 0.3, 0.5]))
    F = sets[0]
    np.testing.assert_allclose(F.payoffs(s), s[0] @ F.parts[0] + s[1] @ F.parts[1], atol=1e-14)


def test_correlated_set_of_a_game():
    g = bj.bimatrix_game([[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]])
    np.testing.assert_allclose(bj.correlated_set(g).points,
                               [[3, 3], [0, 5], [5, 0], [1, 1]])
    with pytest.raises(ValueError, match="`game`"):
        bj.correlated_set(bj.separable_game([np.zeros((2, 2)), np.zeros((2, 2))]))
    with pytest.raises(ValueError, match="`game`"):
        bj.correlated_set(np.zeros((2, 2, 2)))


# ------------------------------------------------------------------------- resource sets


def _quarter_discs_and_ellipses():
    """Sets x = c * sqrt(r s), s in the simplex: ellipses with semi-axes c_k sqrt(r)."""
    specs = [(1.0, (1.0, 1.0)),   # unit quarter disc x1^2 + x2^2 <= 1
             (1.0, (0.5, 0.5)),   # report Ex. 54: (2 x1)^2 + (2 x2)^2 <= 1
             (1.0, (0.75, 0.25)),  # report Ex. 55, type 1 at p = 3/4
             (2.5, (0.3, 1.7))]
    return [(r, np.array(c)) for r, c in specs]


def test_sqrt_resource_set_maximiser_closed_form():
    """Ellipse with semi-axes (α, β): argmax a·x = (α² a1, β² a2)/sqrt(α² a1² + β² a2²)."""
    rng = _rng(10)
    sets, weights, expect = [], [], []
    for r, c in _quarter_discs_and_ellipses():
        for a in [np.array([1.0, 0.0]), np.array([0.0, 2.0])] + list(rng.uniform(0.05, 3, (6, 2))):
            sets.append(bj.resource_set(r, [c], production="sqrt"))
            weights.append(a)
            ax = c * math.sqrt(r)
            expect.append(ax**2 * a / math.sqrt(np.sum((ax * a) ** 2)))
    res = lmo_sets(_stack(sets), jnp.asarray(np.array(weights)))
    np.testing.assert_allclose(res.payoffs, np.array(expect), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(res.value, np.einsum("bn,bn->b", np.array(weights), expect),
                               rtol=1e-12)
    # unit quarter disc: the maximiser of a·u is a/|a|
    W = np.array(weights[:8])
    np.testing.assert_allclose(res.payoffs[:8], W / np.linalg.norm(W, axis=1, keepdims=True),
                               rtol=1e-10, atol=1e-12)


def test_sqrt_resource_set_ideal_point_and_payoffs():
    F = bj.resource_set(1.0, [[0.5, 0.5]], production="sqrt")
    np.testing.assert_allclose(lmo_weights(F, np.eye(2)).payoffs, np.diag([0.5, 0.5]), atol=1e-12)
    s = (jnp.array([0.36, 0.64]),)
    np.testing.assert_allclose(F.payoffs(s), [0.3, 0.4], rtol=1e-14)  # (2x1)^2+(2x2)^2 = 1
    assert F.num_players == 2 and F.num_agents == 1 and F.block_sizes == (2,)


def test_linear_resource_set_all_to_the_best_good():
    rng = _rng(11)
    budgets, C = np.array([2.0, 0.5]), rng.uniform(0.1, 2.0, (2, 3))
    F = bj.resource_set(budgets, C, production="linear")
    A = rng.uniform(0.0, 1.0, (16, 3))
    res = lmo_weights(F, jnp.asarray(A))
    expect = np.array([sum(budgets[j] * np.max(a * C[j]) for j in range(2)) for a in A])
    np.testing.assert_allclose(res.value, expect, rtol=1e-12)
    for b, a in enumerate(A):
        for j in range(2):  # each agent's share is one-hot on its best good
            np.testing.assert_allclose(res.strategy[j][b], np.eye(3)[np.argmax(a * C[j])])


def test_log_resource_set_water_filling():
    rng = _rng(12)
    sets, weights, expect_y, expect_v = [], [], [], []
    for i in range(12):
        r = float(rng.uniform(0.2, 6.0))
        c = rng.uniform(0.1, 3.0, 5)
        a = rng.uniform(0.0, 2.0, 5) * (rng.uniform(size=5) > 0.2)  # some zero weights
        a[0] = max(a[0], 0.3)
        y, val = _water_filling_log(a * c, r)
        sets.append(bj.resource_set(r, [c], production="log"))
        weights.append(a)
        expect_y.append(y / r)
        expect_v.append(val)
    res = lmo_sets(_stack(sets), jnp.asarray(np.array(weights)))
    np.testing.assert_allclose(res.value, expect_v, rtol=1e-10)
    np.testing.assert_allclose(res.strategy[0], np.array(expect_y), atol=1e-9)


def test_power_resource_set_closed_form():
    """Equal exponents e: y_k ∝ w_k^{1/(1-e)}, value r^e (Σ w_k^{1/(1-e)})^{1-e}."""
    rng = _rng(13)
    sets, weights, expect = [], [], []
    for e in (0.2, 0.5, 0.75, 0.9):
        for _ in range(4):
            r, c, a = float(rng.uniform(0.5, 4)), rng.uniform(0.2, 2, 4), rng.uniform(0.1, 2, 4)
            w = a * c
            sets.append(bj.resource_set(r, [c], production="power", exponents=np.full((1, 4), e)))
            weights.append(a)
            expect.append(r**e * np.sum(w ** (1 / (1 - e))) ** (1 - e))
    res = lmo_sets(_stack(sets), jnp.asarray(np.array(weights)))
    np.testing.assert_allclose(res.value, expect, rtol=1e-10)


def test_power_exponent_one_is_rejected():
    # Exponent 1 is the linear kind; 'power' needs strict concavity for its water-filling demand.
    with pytest.raises(ValueError, match="exponents"):
        bj.resource_set(1.0, [[1.0, 1.0]], production="power", exponents=[[1.0, 1.0]])
    F = bj.resource_set(1.0, [[1.0, 1.0]], production="linear")
    res = lmo_weights(F, np.array([[1.0, 2.0]]))
    assert float(res.value[0]) == pytest.approx(2.0, rel=1e-9)  # all of the budget on good 2


def test_example1_resource_set_closed_form():
    """Report Example 1 (Alice budget 10, Bob 5; good 1 linear, good 2 sqrt(2y)).

    For weights (a1, a2) each agent puts y = min(r, a2²/(2 a1²)) on good 2 (marginal
    a2 √2 / (2 √y) = a1), the rest on good 1.
    """
    F = bj.resource_set([10.0, 5.0], [[1.0, math.sqrt(2)]] * 2, production=("linear", "sqrt"))
    A = np.array([[1.0, 1.0], [1.0, 3.0], [2.0, 1.0], [1.0, 10.0], [0.3, 1.0], [1.0, 0.0]])
    res = lmo_weights(F, jnp.asarray(A))
    for b, (a1, a2) in enumerate(A):
        y2 = [min(r, a2**2 / (2 * a1**2)) for r in (10.0, 5.0)]
        u = np.array([15.0 - sum(y2), sum(math.sqrt(2 * y) for y in y2)])
        np.testing.assert_allclose(res.payoffs[b], u, rtol=1e-10, atol=1e-12)
    ideal = np.diag(np.asarray(lmo_weights(F, np.eye(2)).payoffs))
    np.testing.assert_allclose(ideal, [15.0, math.sqrt(20) + math.sqrt(10)], rtol=1e-12)


def test_linear_map_of_quarter_disc_is_an_ellipse():
    """Definition 45's f^(t): diag(p, 1-p) applied to the unit quarter disc equals Ex. 55's F_1."""
    p = 0.75
    F_map = bj.resource_set(1.0, [[1.0, 1.0]], production="sqrt", linear_map=np.diag([p, 1 - p]))
    F_dir = bj.resource_set(1.0, [[p, 1 - p]], production="sqrt")
    A = jnp.asarray(_rng(14).uniform(0.05, 2, (16, 2)))
    r_map, r_dir = lmo_weights(F_map, A), lmo_weights(F_dir, A)
    np.testing.assert_allclose(r_map.payoffs, r_dir.payoffs, rtol=1e-10)
    # the symmetric point of Ex. 55: the maximiser of x1 + x2 is (p², (1-p)²)/sqrt(p² + (1-p)²)
    s = math.sqrt(p**2 + (1 - p) ** 2)
    np.testing.assert_allclose(lmo_weights(F_map, np.ones((1, 2))).payoffs[0],
                               [p**2 / s, (1 - p) ** 2 / s], rtol=1e-10)


def _saturating(y, c, e):
    """A user production function: c (1 - exp(-y)), concave increasing."""
    return c * (1.0 - jnp.exp(-y))


def test_user_callable_production_vs_slsqp():
    rng = _rng(15)
    r, C = 3.0, rng.uniform(0.2, 2.0, (1, 3))
    F = bj.resource_set(r, C, production=_saturating)
    A = rng.uniform(0.1, 2.0, (6, 3))
    res = lmo_weights(F, jnp.asarray(A))
    for b, a in enumerate(A):
        w = a * C[0]
        best = _slsqp_agent(lambda s, w=w: float(w @ (1 - np.exp(-r * s))),
                            lambda s, w=w: w * r * np.exp(-r * s), 3, 4, b)
        assert float(res.value[b]) >= best - 1e-9
        assert float(res.value[b]) == pytest.approx(best, rel=1e-8)
        u_np = (1 - np.exp(-r * np.asarray(res.strategy[0][b]))) * C[0]
        np.testing.assert_allclose(res.payoffs[b], u_np, rtol=1e-12)


def test_mixed_kinds_with_linear_map_vs_slsqp():
    """Two agents, four goods of four kinds, mapped to three players by non-negative L_j."""
    rng = _rng(16)
    kinds = ("linear", "sqrt", "log", "power")
    budgets, C = np.array([1.5, 0.7]), rng.uniform(0.2, 2.0, (2, 4))
    E = np.full((2, 4), 0.5)
    E[:, 3] = [0.3, 0.8]
    L = rng.uniform(0.0, 1.0, (2, 3, 4))
    F = bj.resource_set(budgets, C, production=kinds, exponents=E, linear_map=L)
    assert F.num_players == 3 and F.block_sizes == (4, 4)
    A = rng.uniform(0.0, 1.5, (5, 3))
    res = lmo_weights(F, jnp.asarray(A))
    for b, a in enumerate(A):
        total = 0.0
        for j in range(2):
            w = (L[j].T @ a) * C[j]
            rj, e = budgets[j], E[j, 3]

            def obj(s, w=w, rj=rj, e=e):
                y = np.maximum(rj * s, 1e-300)
                return float(w[0] * y[0] + w[1] * np.sqrt(y[1]) + w[2] * np.log1p(y[2])
                             + w[3] * y[3] ** e)

            def grad(s, w=w, rj=rj, e=e):
                y = np.maximum(rj * s, 1e-14)
                return rj * np.array([w[0], w[1] * 0.5 / np.sqrt(y[1]), w[2] / (1 + y[2]),
                                      w[3] * e * y[3] ** (e - 1)])

            total += _slsqp_agent(obj, grad, 4, 6, 100 * b + j)
        assert float(res.value[b]) >= total - 1e-9
        assert float(res.value[b]) == pytest.approx(total, rel=1e-7)
    # payoffs(strategy) against an independent numpy evaluation
    for b in range(len(A)):
        shares = [np.asarray(res.strategy[j][b]) for j in range(2)]
        u_np = _resource_payoffs_np(budgets, C, kinds, E, L, shares)
        np.testing.assert_allclose(res.payoffs[b], u_np, rtol=1e-12)
        np.testing.assert_allclose(res.value[b], A[b] @ np.asarray(res.payoffs[b]), rtol=1e-12)


def test_resource_payoffs_at_random_strategies():
    rng = _rng(17)
    kinds = ("sqrt", "log", "linear")
    budgets, C = np.array([2.0, 1.0, 0.5]), rng.uniform(0.0, 2.0, (3, 3))
    L = rng.uniform(0.0, 1.0, (3, 2, 3))
    F = bj.resource_set(budgets, C, production=kinds, linear_map=L)
    E = np.asarray(F.exponents)
    for _ in range(4):
        shares = [rng.dirichlet(np.ones(3)) for _ in range(3)]
        u = F.payoffs(tuple(jnp.asarray(s) for s in shares))
        np.testing.assert_allclose(u, _resource_payoffs_np(budgets, C, kinds, E, L, shares),
                                   rtol=1e-13)


def test_resource_vmap_over_sets_equals_loop():
    rng = _rng(18)
    sets = [bj.resource_set(rng.uniform(0.5, 3.0, 2), rng.uniform(0.1, 2.0, (2, 2)),
                            production="sqrt") for _ in range(8)]
    A = rng.uniform(0.0, 2.0, (8, 2))
    batch = lmo_sets(_stack(sets), jnp.asarray(A))
    for i, F in enumerate(sets):
        one = lmo(F, jnp.asarray(A[i]))
        np.testing.assert_allclose(batch.value[i], one.value, rtol=1e-13)
        np.testing.assert_allclose(batch.payoffs[i], one.payoffs, rtol=1e-12, atol=1e-14)
    # sum of the two agents' ellipses: value is the sum of their support functions
    for i, F in enumerate(sets):
        r, C = np.asarray(F.budgets), np.asarray(F.coefficients)
        expect = sum(math.sqrt(r[j]) * np.linalg.norm(A[i] * C[j]) for j in range(2))
        np.testing.assert_allclose(batch.value[i], expect, rtol=1e-10)


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("points, match", [
    (np.array([1.0, 2.0]), "`points`"),
    (np.array([[1.0, np.nan], [0.0, 1.0]]), "`points`"),
    (np.array([[1.0, np.inf]]), "`points`"),
    (np.zeros((0, 2)), "`points`"),
    (np.zeros((2, 2, 2)), "`points`"),
    ([["x", "y"]], "`points`"),
])
def test_polytope_bad_input(points, match):
    with pytest.raises(ValueError, match=match):
        bj.polytope(points)


@pytest.mark.parametrize("parts, match", [
    ([], "`parts`"),
    ([np.zeros((2, 2)), np.zeros((2, 3))], r"`parts\[1\]`"),
    ([np.zeros((2, 2)), np.array([[np.nan, 0.0]])], r"`parts\[1\]`"),
    ([np.zeros(2)], r"`parts\[0\]`"),
])
def test_separable_set_bad_input(parts, match):
    with pytest.raises(ValueError, match=match):
        bj.separable_set(parts)


@pytest.mark.parametrize("kwargs, match", [
    ({"budgets": 0.0}, "`budgets`"),
    ({"budgets": [1.0, -1.0]}, "`budgets`"),
    ({"budgets": [1.0, np.nan]}, "`budgets`"),
    ({"budgets": np.ones((2, 2))}, "`budgets`"),
    ({"coefficients": [[1.0, -0.1], [1.0, 1.0]]}, "`coefficients`"),
    ({"coefficients": [[1.0, np.inf], [1.0, 1.0]]}, "`coefficients`"),
    ({"coefficients": np.ones((3, 2))}, "`coefficients`"),
    ({"coefficients": np.ones((2, 2, 2))}, "`coefficients`"),
    ({"production": "cubic"}, "`production`"),
    ({"production": ("sqrt",)}, "`production`"),
    ({"production": ("sqrt", 3)}, "`production`"),
    ({"production": "power", "exponents": 0.0}, "`exponents`"),
    ({"production": "power", "exponents": 1.5}, "`exponents`"),
    ({"production": "power", "exponents": [[0.5, -0.5], [0.5, 0.5]]}, "`exponents`"),
    ({"production": "power", "exponents": np.full((2, 3), 0.5)}, "`exponents`"),
    ({"production": "power", "exponents": [[0.5, np.nan], [0.5, 0.5]]}, "`exponents`"),
    ({"linear_map": -np.eye(2)}, "`linear_map`"),
    ({"linear_map": np.ones((2, 2, 3))}, "`linear_map`"),
    ({"linear_map": np.ones((3, 2, 2))}, "`linear_map`"),
])
def test_resource_set_bad_input(kwargs, match):
    args = {"budgets": [1.0, 2.0], "coefficients": [[1.0, 0.5], [0.5, 1.0]], "production": "sqrt"}
    args.update(kwargs)
    budgets, coefficients = args.pop("budgets"), args.pop("coefficients")
    with pytest.raises(ValueError, match=match):
        bj.resource_set(budgets, coefficients, **args)


def test_resource_set_exponents_ignored_for_non_power_goods():
    F = bj.resource_set(1.0, [[1.0, 1.0]], production=("sqrt", "power"), exponents=[[7.0, 0.5]])
    assert F.production == ("sqrt", "power")


def test_every_set_is_a_feasible_set_and_a_pytree():
    """One interface: every kind of set is a ``FeasibleSet`` (the abstract base class cannot be
    instantiated), answers the capability queries the solvers dispatch on, and round-trips
    through ``jax.tree_util`` with its static data kept."""
    from bargainjax.sets import FeasibleSet

    with pytest.raises(TypeError):
        FeasibleSet()
    P = jnp.array([[0.0, 0.0], [2.0, 0.0], [0.0, 1.0]])
    sets = [bj.polytope(P), bj.separable_set([P, 0.5 * P]),
            bj.resource_set([1.0, 2.0], [[1.0, 1.0], [1.0, 2.0]], production="linear"),
            bj.resource_set([1.0, 2.0], [[1.0, 1.0], [1.0, 2.0]], production=("sqrt", "log"))]
    for F in sets:
        assert isinstance(F, FeasibleSet)
        leaves, tree = jax.tree_util.tree_flatten(F)
        G = jax.tree_util.tree_unflatten(tree, leaves)
        assert type(G) is type(F) and G.block_sizes == F.block_sizes
        a = jnp.array([1.0, 2.0])
        np.testing.assert_array_equal(G.maximize(a).payoffs, F.maximize(a).payoffs)
        S = F.as_polytopes()
        assert F.is_polyhedral == (S is not None)
        if S is not None:  # the same set with the same strategies
            s = F.uniform_strategy()
            np.testing.assert_allclose(S.payoffs(s), F.payoffs(s), rtol=1e-12)
    assert [F.is_polyhedral for F in sets] == [True, True, True, False]
    assert sets[3].production == jax.tree_util.tree_map(lambda x: x, sets[3]).production
