"""Bayesian (ECL) bargaining games (report §4–5): validation, eq. 9/52 against brute force,
Bayesian Nash equilibria, the NBS against the report's closed forms (Examples 54–56, re-derived
here) and a scipy oracle, and sensitivities against hand-differentiated closed forms and finite
differences.  The solver-heavy checks share three compiled batch functions (one per example)."""

from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import finite_difference
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

import bargainjax as bj

HALF = jnp.array([0.5, 0.5])


def sym_beliefs(p):
    """``p(t|t) = p``, ``p(t'|t) = 1 - p`` for two types (Examples 55 and 56)."""
    return jnp.stack([jnp.stack([p, 1 - p]), jnp.stack([1 - p, p])])


def summary(sol):
    """Quantities of type 1 (both types agree by symmetry in Examples 55/56)."""
    return jnp.stack([sol.payoffs[0], sol.payoffs[1], sol.share_from_others[0],
                      sol.share_to_others[0], sol.relative_gains[0], sol.disagreement[0]])


def ex55(x):
    """Example 55 with budget ``r`` (quarter discs of radius sqrt(r)); ``x = (p, r)``."""
    p, r = x[0], x[1]
    game = bj.bayesian_game(HALF, sym_beliefs(p),
                            bj.type_resource_sets(jnp.stack([r, r]), production="sqrt"))
    sol = bj.bayesian_nbs(game)
    return summary(sol), (sol.certificate - sol.tol, sol.status)


def ex56(x):
    """Example 56, ``exp(x1/p) + exp(x2/(1-p)) <= r``: log1p production, budget ``r - 2``."""
    p, r = x[0], x[1]
    game = bj.bayesian_game(HALF, sym_beliefs(p),
                            bj.type_resource_sets(jnp.stack([r - 2, r - 2]), production="log"))
    sol = bj.bayesian_nbs(game)
    return summary(sol), (sol.certificate - sol.tol, sol.status)


def ex54(x):
    """Example 54: independent types, p(1|.) = 3/4; NBS weights (nu, 1 - nu); ``x = (nu,)``."""
    game = bj.bayesian_game(jnp.array([0.75, 0.25]), jnp.array([[0.75, 0.25], [0.75, 0.25]]),
                            bj.type_resource_sets(jnp.ones(2)))
    sol = bj.bayesian_nbs(game, weights=jnp.stack([x[0], 1 - x[0]]))
    return sol.payoffs, (sol.certificate - sol.tol, sol.status)


def value_and_jacobian(f):
    def g(x):
        val, aux = f(x)
        return val, (val, aux)

    return jax.jit(jax.vmap(jax.jacfwd(g, has_aux=True)))


EX55 = value_and_jacobian(ex55)
EX56 = value_and_jacobian(ex56)
EX54 = value_and_jacobian(ex54)


# ---------------------------------------------------------------- closed forms (report)


def closed55(x):
    """Report Example 55 re-derived: slope -1 points of the discs scaled by sqrt(r)."""
    p, r = x[0], x[1]
    s = jnp.sqrt(p**2 + (1 - p) ** 2)
    return jnp.stack([s * jnp.sqrt(r), s * jnp.sqrt(r), (1 - p) ** 2 / s**2,
                      (1 - p) ** 2 / s**2, s / p - 1, p * jnp.sqrt(r)])


def closed56(x):
    """Report Example 56 re-derived (valid for p < 1 - 1/r): NBS (p log pr, (1-p) log (1-p)r),
    self-production p log(r - 1) (the report's p log r ignores exp(0) = 1)."""
    p, r = x[0], x[1]
    u = p * jnp.log(p * r) + (1 - p) * jnp.log((1 - p) * r)
    d = p * jnp.log(r - 1)
    share = (1 - p) * jnp.log((1 - p) * r) / u
    return jnp.stack([u, u, share, share, u / d - 1, d])


def oracle54(nu):
    """Example 54 by scipy: F_1 + F_2 is the unit quarter disc, d = (3/4, 1/4); maximise
    nu log(cos θ - 3/4) + (1 - nu) log(sin θ - 1/4) by the first-order condition in θ."""
    def foc(th):
        return -nu * np.sin(th) / (np.cos(th) - 0.75) + (1 - nu) * np.cos(th) / (np.sin(th) - 0.25)

    lo, hi = math.asin(0.25) + 1e-12, math.acos(0.75) - 1e-12
    th = brentq(foc, lo, hi, xtol=1e-15, rtol=1e-15)
    return np.array([math.cos(th), math.sin(th)])


# ------------------------------------------------------------------------- validation


def _sets(m=2):
    return bj.type_resource_sets(jnp.ones(m))


@pytest.mark.parametrize("prior, beliefs, match", [
    ([0.6, 0.6], [[0.5, 0.5], [0.5, 0.5]], "`prior` must sum to 1"),
    ([1.0, 0.0], [[1.0, 0.0], [1.0, 0.0]], "`prior` gives type 2 zero probability"),
    ([1.5, -0.5], [[0.5, 0.5], [0.5, 0.5]], "`prior` must be non-negative"),
    ([[0.5, 0.5]], [[0.5, 0.5], [0.5, 0.5]], "`prior` must have shape"),
    ([0.5, 0.5], [0.5, 0.5], "`beliefs` must have shape"),
    ([0.5, 0.5], [[0.5, 0.6], [0.5, 0.5]], "`beliefs` rows must sum to 1"),
    ([0.5, 0.5], [[1.2, -0.2], [0.5, 0.5]], "`beliefs` must be non-negative"),
    ([0.5, 0.5], [[0.9, 0.1], [0.5, 0.5]], "not the posteriors of an anonymous prior"),
    ([0.5, float("nan")], [[0.5, 0.5], [0.5, 0.5]], "`prior` contains NaN"),
])
def test_bad_priors_raise(prior, beliefs, match):
    with pytest.raises(ValueError, match=match):
        bj.bayesian_game(prior, beliefs, _sets())
    U = np.zeros((2, 2, 2))
    with pytest.raises(ValueError, match=match):
        bj.finite_bayesian_game(prior, beliefs, U, num_players=2)


def test_bad_action_sets_and_options_raise():
    prior, beliefs = HALF, jnp.full((2, 2), 0.5)
    with pytest.raises(ValueError, match="`budgets` must be strictly positive"):
        bj.type_resource_sets(jnp.array([1.0, -1.0]))
    with pytest.raises(ValueError, match="`budgets` must have shape"):
        bj.type_resource_sets(jnp.ones((2, 2)))
    points = jnp.array([[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"`action_sets\[0\]` must be a convex feasible set"):
        bj.bayesian_game(prior, beliefs, [points, bj.polytope(points)])
    with pytest.raises(ValueError, match="`action_sets` must be a sequence"):
        bj.bayesian_game(prior, beliefs, bj.polytope(points))
    convex_prod = bj.resource_set(1.0, [1.0, 1.0], production=lambda y, c, e: c * y**2)
    with pytest.raises(ValueError, match=r"`action_sets\[0\]`: production .* not concave"):
        bj.bayesian_game(prior, beliefs, [convex_prod, convex_prod])
    with pytest.raises(ValueError, match="num_players == 2"):
        bj.bayesian_game(prior, beliefs, [bj.polytope(jnp.ones((2, 3)))] * 2)
    with pytest.raises(ValueError, match="one set per type"):
        bj.bayesian_game(prior, beliefs, _sets(2)[:1])
    with pytest.raises(ValueError, match="all resource sets or all polytope"):
        bj.bayesian_game(prior, beliefs, [_sets()[0], bj.polytope(points)])
    for n in (1, 2.5, True):
        with pytest.raises(ValueError, match="`num_players` must be an integer >= 2"):
            bj.bayesian_game(prior, beliefs, _sets(), num_players=n)
    with pytest.raises(ValueError, match="`disagreement` must have shape"):
        bj.bayesian_game(prior, beliefs, _sets(), disagreement=jnp.zeros(3))
    game = bj.bayesian_game(prior, beliefs, [bj.polytope(points)] * 2, disagreement=jnp.zeros(2))
    with pytest.raises(ValueError, match="`weights` must be strictly positive"):
        bj.bayesian_nbs(game, weights=jnp.array([1.0, 0.0]))
    with pytest.raises(ValueError, match="`game` must be a BayesianGame"):
        bj.bayesian_nbs(points)
    with pytest.raises(ValueError, match="`actions` must have shape"):
        bj.expected_utilities(game, jnp.zeros(2))


def test_bad_finite_game_input_raises():
    prior, beliefs = HALF, jnp.full((2, 2), 0.5)
    with pytest.raises(ValueError, match="`utilities` must have shape"):
        bj.finite_bayesian_game(prior, beliefs, np.zeros((2, 2)), num_players=2)
    with pytest.raises(ValueError, match="`utilities` contains NaN"):
        bj.finite_bayesian_game(prior, beliefs, np.full((2, 2, 2), np.inf), num_players=2)
    with pytest.raises(ValueError, match="`num_players`"):
        bj.finite_bayesian_game(prior, beliefs, np.zeros((2, 2, 2)), num_players=1)
    game = bj.finite_bayesian_game(prior, beliefs, np.zeros((2, 2, 2)), num_players=2)
    with pytest.raises(ValueError, match="`profile` entries must lie in 0..1"):
        bj.finite_expected_utilities(game, jnp.array([0, 2]))
    with pytest.raises(ValueError, match="`profile` must be integer actions"):
        bj.finite_expected_utilities(game, jnp.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="`joint` must sum to 1"):
        bj.conditional_expected_utilities(game, jnp.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="`joint` must have shape"):
        bj.conditional_expected_utilities(game, jnp.full((4,), 0.25))
    with pytest.raises(ValueError, match="FiniteBayesianGame or a BayesianGame"):
        bj.dependency_margins(None, jnp.array([0, 0]))


# ------------------------------------------------------- expected utilities, brute force


def brute_force_eu(U, weights, probs, n, profile):
    """EU_i(α; t_i) by enumerating all type vectors of ``n`` players under an exchangeable
    prior that mixes i.i.d. draws (``weights`` over components ``probs``), report §4.2."""
    m = U.shape[0]
    out = np.zeros(m)
    for t in range(m):
        num = den = 0.0
        for ts in itertools.product(range(m), repeat=n - 1):
            full = (t,) + ts
            pr = sum(w * np.prod([q[x] for x in full]) for w, q in zip(weights, probs))
            val = U[t, profile[t], t] + sum(U[s, profile[s], t] for s in ts)
            num += pr * val
            den += pr
        out[t] = num / den
    return out


def mixture_prior(weights, probs):
    """(p(t), p(t'|t)) of the exchangeable mixture of i.i.d. type draws."""
    prior = sum(w * q for w, q in zip(weights, probs))
    pair = sum(w * np.outer(q, q) for w, q in zip(weights, probs))
    return prior, pair / prior[:, None]


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(2, 4), st.integers(2, 3))
def test_expected_utility_matches_brute_force(seed, n, m):
    rng = np.random.default_rng(seed)
    k = 2
    U = rng.normal(size=(m, k, m))
    weights = rng.dirichlet(np.ones(2))
    probs = [rng.dirichlet(np.ones(m)) + 0.05 for _ in range(2)]
    probs = [q / q.sum() for q in probs]
    prior, beliefs = mixture_prior(weights, probs)
    game = bj.finite_bayesian_game(prior, beliefs, U, num_players=n)
    # the bargaining-game form with one polytope per type, conv{u_s(a)}
    bgame = bj.bayesian_game(prior, beliefs, [bj.polytope(U[s]) for s in range(m)],
                             num_players=n, disagreement=jnp.zeros(m))
    for profile in itertools.product(range(k), repeat=m):
        expected = brute_force_eu(U, weights, probs, n, profile)
        got = bj.finite_expected_utilities(game, jnp.array(profile))
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
        alpha = jnp.stack([U[s, profile[s]] for s in range(m)])
        np.testing.assert_allclose(bj.expected_utilities(bgame, alpha), expected, rtol=1e-12,
                                   atol=1e-12)
    # F = Σ_s f^(s)(A_s): a strategy's payoff is the EU of the profile it realises
    F = bj.bayesian_feasible_set(bgame)
    strategy = tuple(jnp.asarray(rng.dirichlet(np.ones(k))) for _ in range(m))
    np.testing.assert_allclose(F.payoffs(strategy),
                               bj.expected_utilities(bgame, bj.actions_of(bgame, strategy)),
                               rtol=1e-12)


def test_large_n_weights_and_example_46_maps():
    # Example 46: n = 3, beliefs 1/2: f^(1) = (2 y1, y2), f^(2) = (y1, 2 y2) (eqs. 53-56)
    C = bj.contribution_weights(jnp.full((2, 2), 0.5), 3)
    np.testing.assert_array_equal(C, [[2.0, 1.0], [1.0, 2.0]])
    # large n (report §5.5.2 normalised by n - 1): C[s, t] = p(s|t)
    P = jnp.array([[0.75, 0.25], [0.75, 0.25]])
    np.testing.assert_array_equal(bj.contribution_weights(P, None), P.T)
    game = bj.bayesian_game(jnp.array([0.75, 0.25]), P, _sets(), num_players=float("inf"))
    assert game.num_players is None
    np.testing.assert_allclose(game.disagreement, [0.75, 0.25], rtol=1e-12)  # Example 54's BNE


# ---------------------------------------------------------------- Bayesian Nash (finite)


PD_UTILITIES = np.array([[[2.0, 2.0], [3.0, 0.0]], [[2.0, 2.0], [0.0, 3.0]]])  # report Table 4


def test_example_35_bne_and_conditional_utilities():
    game = bj.finite_bayesian_game(HALF, jnp.full((2, 2), 0.5), PD_UTILITIES, num_players=2)
    ne = bj.finite_bayesian_nash(game)
    np.testing.assert_array_equal(ne.is_equilibrium, [False, False, False, True])
    np.testing.assert_array_equal(ne.equilibrium, [1, 1])  # both types play action 2
    assert int(ne.status) == 0
    np.testing.assert_allclose(ne.payoffs[3], [4.5, 4.5], rtol=1e-15)  # 3 + 3/2, exactly
    # eqs. (22)-(25), by hand from eq. (10): type 1's conditionals use rows, type 2's columns
    a, b, c, d = 0.4, 0.1, 0.2, 0.3
    ceu = bj.conditional_expected_utilities(game, jnp.array([[a, b], [c, d]]))
    np.testing.assert_allclose(ceu, [[3 + a / (a + b), 4.5 + c / (c + d)],
                                     [3 + a / (a + c), 4.5 + b / (b + d)]], rtol=1e-14)
    # n = 10 from eq. (10): 2 + 9 (1 + a/(a+b)) and 3 + 9 (3/2 + c/(c+d))
    g10 = bj.finite_bayesian_game(HALF, jnp.full((2, 2), 0.5), PD_UTILITIES, num_players=10)
    ceu10 = bj.conditional_expected_utilities(g10, jnp.array([[a, b], [c, d]]))
    np.testing.assert_allclose(ceu10[0], [11 + 9 * a / (a + b), 16.5 + 9 * c / (c + d)],
                               rtol=1e-14)
    # a conditional on a probability-zero action is undefined
    assert np.isnan(bj.conditional_expected_utilities(game, jnp.array([[0.5, 0.5], [0, 0]]))[0, 1])
    # Corollary 40: everyone playing action 1 vs the BNE: -1 + (n - 1)/2 per type
    np.testing.assert_allclose(bj.dependency_margins(game, jnp.array([0, 0])), [-0.5, -0.5])
    np.testing.assert_allclose(bj.dependency_margins(g10, jnp.array([0, 0])), [3.5, 3.5])


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_finite_bne_are_own_utility_maximisers(seed):
    """Proposition 36 as an oracle: pure anonymous BNE = each type maximising u_tt."""
    rng = np.random.default_rng(seed)
    m, k = 3, 3
    U = rng.integers(-3, 4, size=(m, k, m)).astype(float)
    game = bj.finite_bayesian_game(np.full(m, 1 / m), np.full((m, m), 1 / m), U, num_players=4)
    ne = bj.finite_bayesian_nash(game)
    own = np.stack([U[t, :, t] for t in range(m)])
    expect = [all(own[t, prof[t]] == own[t].max() for t in range(m))
              for prof in np.asarray(ne.profiles)]
    np.testing.assert_array_equal(ne.is_equilibrium, expect)
    assert bool(ne.is_equilibrium[int(np.argmax(expect))])


def test_continuous_bne_is_best_response_per_type():
    """Definition 48 by brute force over the vertices of polytope action sets."""
    rng = np.random.default_rng(3)
    m = 3
    pts = [rng.uniform(0, 1, size=(5, m)) for _ in range(m)]
    game = bj.bayesian_game(np.full(m, 1 / m), np.full((m, m), 1 / m),
                            [bj.polytope(p) for p in pts], num_players=5)
    bne = bj.bayesian_nash(game)
    for t in range(m):
        np.testing.assert_allclose(bne.actions[t], pts[t][np.argmax(pts[t][:, t])])
        for vert in pts[t]:
            dev = np.asarray(bne.actions).copy()
            dev[t] = vert
            assert float(bj.expected_utilities(game, dev)[t]) <= float(bne.payoffs[t]) + 1e-12
    np.testing.assert_allclose(game.disagreement, bne.payoffs)


# --------------------------------------------------------- NBS vs closed forms, sensitivity


P55 = np.array([0.5, 0.6, 0.75, 0.9, 0.97, 1.0])
R55 = np.array([1.0, 2.0, 1.0, 0.5, 3.0, 1.0])


def test_example_55_nbs_and_sensitivity():
    x = jnp.asarray(np.stack([P55, R55], axis=1))
    jac, (val, (gap, status)) = EX55(x)
    ok = P55 < 1
    # p = 1: no type gains from trade; under jit the NBS reports INFEASIBLE, never raises
    assert int(status[-1]) == int(bj.Status.INFEASIBLE)
    # `gap` is certificate - tol: <= 0 on every certified instance
    assert np.all(np.asarray(status)[ok] == 0) and np.all(np.asarray(gap)[ok] <= 0)
    want = jax.vmap(closed55)(x)
    np.testing.assert_allclose(val[ok], want[ok], rtol=1e-8, atol=1e-10)
    want_jac = jax.vmap(jax.jacfwd(closed55))(x)
    interior = ok
    np.testing.assert_allclose(jac[ok], want_jac[ok], rtol=1e-6, atol=1e-7)
    # finite differences through the solver itself (same compiled function)
    # the solver's answers are certified to a relative payoff error of 1e-6 and carry ~1e-7,
    # so the differences are taken over 2e-3 (truncation ~1e-6, answer noise ~1e-4)
    eps = 1e-3
    for j in range(2):
        e = np.zeros((1, 2))
        e[0, j] = eps
        _, (vp, _) = EX55(x + e)
        _, (vm, _) = EX55(x - e)
        fd = (np.asarray(vp) - np.asarray(vm)) / (2 * eps)
        np.testing.assert_allclose(np.asarray(jac)[interior, :, j], fd[interior], rtol=1e-3,
                                   atol=1e-3)


P56 = np.array([0.5, 0.6, 0.75, 0.9, 0.5, 0.75])
R56 = np.array([100.0, 100.0, 100.0, 100.0, 1e9, 1e9])


def test_example_56_nbs_and_sensitivity():
    x = jnp.asarray(np.stack([P56, R56], axis=1))
    jac, (val, (gap, status)) = EX56(x)
    assert np.all(np.asarray(status) == 0) and np.all(np.asarray(gap) <= 0)
    # certified to a relative payoff error of 1e-6 (the NBS default tolerance)
    np.testing.assert_allclose(val, jax.vmap(closed56)(x), rtol=1e-6)
    np.testing.assert_allclose(jac, jax.vmap(jax.jacfwd(closed56))(x), rtol=1e-6, atol=1e-12)


def test_example_54_weighted_nbs_and_weight_sensitivity():
    nus = np.array([0.75, 0.5, 0.3, 0.6, 0.75, 0.9])
    jac, (val, (_, status)) = EX54(jnp.asarray(nus[:, None]))
    assert np.all(np.asarray(status) == 0)
    for i, nu in enumerate(nus):
        np.testing.assert_allclose(val[i], oracle54(nu), rtol=1e-8)
        fd = finite_difference(lambda z: oracle54(float(z[0])), np.array([nu]), eps=1e-6)
        np.testing.assert_allclose(jac[i], fd, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(val[0], [0.92, 0.39], atol=0.005)  # the report's (0.92, 0.39)


@settings(max_examples=4, deadline=None)
@given(st.lists(st.floats(0.5, 0.95), min_size=6, max_size=6),
       st.lists(st.floats(0.2, 20.0), min_size=6, max_size=6))
def test_symmetric_beliefs_properties(ps, rs):
    """Symmetric beliefs and prior: symmetric NBS; gains >= 0 (Proposition 53's premise);
    the share from the other type falls as p(t|t) rises (report §5.5.4)."""
    ps = np.sort(np.asarray(ps))
    x = jnp.asarray(np.stack([ps, np.asarray(rs)], axis=1))
    _, (val, (gap, status)) = EX55(x)
    val, status, gap = np.asarray(val), np.asarray(status), np.asarray(gap)
    # an instance that does not certify must say so through status and certificate, and is
    # left out of the properties
    ok = status == 0
    assert np.all(gap[~ok] > 0) and np.all(status[~ok] == int(bj.Status.MAX_STEPS_REACHED))
    val, ps = val[ok], ps[ok]
    np.testing.assert_allclose(val[:, 0], val[:, 1], rtol=1e-6)
    assert np.all(val[:, 4] >= -1e-12)
    assert np.all(np.diff(val[:, 2]) <= 1e-9)


def test_nbs_fields_and_dependency_condition():
    game = bj.bayesian_game(HALF, sym_beliefs(jnp.asarray(0.75)), _sets())
    sol = jax.jit(bj.bayesian_nbs)(game)
    np.testing.assert_allclose(jnp.sum(sol.contributions, axis=0), sol.payoffs, rtol=1e-12)
    np.testing.assert_allclose(bj.expected_utilities(game, sol.actions), sol.payoffs, rtol=1e-12)
    assert bool(jnp.all(sol.dependency_equilibrium)) and bool(jnp.all(sol.dependency_margins > 0))
    np.testing.assert_allclose(bj.dependency_margins(game, sol.actions), sol.dependency_margins,
                               rtol=1e-12)
    np.testing.assert_allclose(sol.bne_payoffs, game.disagreement)
