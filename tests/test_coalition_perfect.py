"""Coalition-perfect CoCo / Harsanyi conditions (the post's conditions 4, 4', Theorem 1)."""

import itertools
import math

import jax.numpy as jnp
import numpy as np
import pytest

import bargainjax as bj
from bargainjax.coalitions._perfect import (
    coalition_payoffs,
    coco_condition_residuals,
    harsanyi_condition_residuals,
)
from bargainjax.bargaining._threat import threat_point
from bargainjax.experimental import coalition_perfect_search


def _subsets(S):
    R = S
    while R:
        yield R
        R = (R - 1) & S


def _size(S):
    return bin(S).count("1")


def _rhs_loop(a, u, S, i):
    """Condition 4's right-hand side, straight from the post's formula (loops)."""
    Z = lambda R: sum(a[j] * u[R, j] for j in range(len(a)) if R >> j & 1)  # noqa: E731
    s = _size(S)
    out = 0.0
    for R in _subsets(S):
        if R >> i & 1:
            r = _size(R)
            c = math.factorial(r - 1) * math.factorial(s - r) / math.factorial(s)
            out += c * (Z(R) - Z(S ^ R))
    return out


def _mask(n):
    return np.asarray(bj.members(n))


def _coco_construct(a, n, rng):
    """A table satisfying condition 4 for every S: by size, a_i u^S_i = Z_S/|S| + known_i(S),
    with Z_S free (the R = S term of the sum is Z_S/|S|; the others are smaller coalitions)."""
    u = np.zeros((2**n, n))
    for S in sorted(range(1, 2**n), key=_size):
        s = _size(S)
        ZS = rng.normal()
        for i in range(n):
            if not S >> i & 1:
                continue
            known = 0.0
            for R in _subsets(S):
                if R >> i & 1 and R != S:
                    r = _size(R)
                    c = math.factorial(r - 1) * math.factorial(s - r) / math.factorial(s)
                    ZR = sum(a[j] * u[R, j] for j in range(n) if R >> j & 1)
                    ZC = sum(a[j] * u[S ^ R, j] for j in range(n) if (S ^ R) >> j & 1)
                    known += c * (ZR - ZC)
            u[S, i] = (ZS / s + known) / a[i]
    return u


def _harsanyi_construct(a, n, rng):
    """A table satisfying 4' for every S: dividends w^R_j = c_R / a_j, u = zeta(w)."""
    c = rng.normal(size=2**n)
    w = _mask(n) * (c[:, None] / a[None, :])
    return np.asarray(bj.from_dividends(jnp.asarray(w)))


@pytest.mark.parametrize("n", [2, 3, 4])
def test_residuals_match_loop_formula(n):
    rng = np.random.default_rng(n)
    a = rng.uniform(0.5, 2.0, n)
    u = _mask(n) * rng.normal(size=(2**n, n))
    r = np.asarray(coco_condition_residuals(a, u))
    for S in range(2**n):
        for i in range(n):
            expect = a[i] * u[S, i] - _rhs_loop(a, u, S, i) if S >> i & 1 else 0.0
            assert r[S, i] == pytest.approx(expect, abs=1e-12)
    # Efficiency: the RHS sums to Z_S, so residuals sum to 0 over S's members, and singletons
    # are identities, for condition 4 and 4' alike.
    np.testing.assert_allclose(r.sum(1), 0.0, atol=1e-12)
    h = np.asarray(harsanyi_condition_residuals(a, u))
    np.testing.assert_allclose(h.sum(1), 0.0, atol=1e-12)
    single = [1 << i for i in range(n)]
    np.testing.assert_allclose(r[single], 0.0, atol=1e-12)
    np.testing.assert_allclose(h[single], 0.0, atol=1e-12)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_theorem_1_coco_implies_harsanyi(n):
    rng = np.random.default_rng(100 + n)
    for _ in range(3):
        a = rng.uniform(0.2, 3.0, n)
        u = _coco_construct(a, n, rng)
        np.testing.assert_allclose(coco_condition_residuals(a, u), 0.0, atol=1e-12)
        np.testing.assert_allclose(harsanyi_condition_residuals(a, u), 0.0, atol=1e-11)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_theorem_1_harsanyi_implies_coco(n):
    rng = np.random.default_rng(200 + n)
    for _ in range(3):
        a = rng.uniform(0.2, 3.0, n)
        u = _harsanyi_construct(a, n, rng)
        np.testing.assert_allclose(harsanyi_condition_residuals(a, u), 0.0, atol=1e-12)
        np.testing.assert_allclose(coco_condition_residuals(a, u), 0.0, atol=1e-11)


@pytest.mark.parametrize("n", [2, 3, 4])
def test_random_tables_violate_both(n):
    rng = np.random.default_rng(300 + n)
    a = rng.uniform(0.2, 3.0, n)
    u = _mask(n) * rng.normal(size=(2**n, n))
    multi = [S for S in range(2**n) if _size(S) >= 2]
    r = np.abs(np.asarray(coco_condition_residuals(a, u)))[multi].max(1)
    h = np.abs(np.asarray(harsanyi_condition_residuals(a, u)))[multi].max(1)
    assert np.all(r > 1e-6) and np.all(h > 1e-6)


def test_theorem_needs_all_subcoalitions():
    # n = 3: random sub-coalition payoffs, u^N chosen so condition 4 holds at N only.  Then 4'
    # fails at N: the equivalence is between the systems over all S, not coalition by coalition.
    rng = np.random.default_rng(7)
    n, full = 3, 7
    a = rng.uniform(0.5, 2.0, n)
    u = _mask(n) * rng.normal(size=(8, n))
    u[full] = 0.0
    r0 = np.asarray(coco_condition_residuals(a, u))[full]  # = -(RHS without the Z_N/3 term)
    ZN = 1.234
    u[full] = (ZN / 3 - r0) / a
    assert np.abs(np.asarray(coco_condition_residuals(a, u))[full]).max() < 1e-12
    assert np.abs(np.asarray(harsanyi_condition_residuals(a, u))[full]).max() > 1e-3
    # n = 2: at N the two residuals are the same number (singleton conditions are vacuous).
    a2 = rng.uniform(0.5, 2.0, 2)
    u2 = _mask(2) * rng.normal(size=(4, 2))
    np.testing.assert_allclose(coco_condition_residuals(a2, u2), harsanyi_condition_residuals(a2, u2),
                               atol=1e-12)


def test_coalition_payoffs_brute_force_and_fight_values():
    rng = np.random.default_rng(3)
    U = rng.normal(size=(3, 2, 3, 2))
    n, full = 3, 7
    strategies = []
    for S in range(8):
        k = math.prod(U.shape[1 + i] for i in range(n) if S >> i & 1)
        strategies.append(rng.dirichlet(np.ones(k)))
    u = np.asarray(coalition_payoffs(U, strategies))
    for S in range(1, 8):
        P = [i for i in range(n) if S >> i & 1]
        Q = [i for i in range(n) if not S >> i & 1]
        rs = strategies[S].reshape([U.shape[1 + i] for i in P])
        rc = strategies[full ^ S].reshape([U.shape[1 + i] for i in Q])
        expect = np.zeros(n)
        for x in itertools.product(*[range(m) for m in U.shape[1:]]):
            p = rs[tuple(x[i] for i in P)] * rc[tuple(x[i] for i in Q)]
            expect += p * U[(slice(None),) + x]
        np.testing.assert_allclose(u[S], np.where([S >> i & 1 for i in range(n)], expect, 0.0),
                                   atol=1e-12)
    np.testing.assert_allclose(u[0], 0.0)
    # With the fights' optimal strategies, Z_R - Z_{-R} is the fight value V_R (the post).
    a = np.array([0.5, 1.0, 2.0])
    cv = bj.coalition_values(U, a)
    u = np.asarray(coalition_payoffs(U, cv.row_strategies))
    Z = (_mask(n) * u) @ a
    for R in range(1, full):
        assert Z[R] - Z[full ^ R] == pytest.approx(float(cv.values[R]), abs=1e-8)


@pytest.mark.slow  # heavy compile; runs in the CI slow step
def test_search_two_players_finds_the_coco_equilibrium():
    rng = np.random.default_rng(5)
    G = rng.normal(size=(2, 3, 3))
    res = coalition_perfect_search(G, num_starts=1, key=0, max_evaluations=150)
    assert res.is_equilibrium and res.residual <= 1e-7
    np.testing.assert_allclose(res.harsanyi_residuals, 0.0, atol=1e-6)
    # n = 2: condition 4 at N is the CoCo equilibrium = Nash's variable-threat solution.
    tp = threat_point(G)
    np.testing.assert_allclose(res.payoffs[3], tp.payoffs, atol=1e-5)
    # The weights need not agree: at a vertex of F every normal in its cone is a fixed point
    # (here the vertex case: the search and the bisection stop at different normals); both
    # must support the common payoff point.
    P = np.stack([G[0].ravel(), G[1].ravel()], 1)
    for a in (res.weights, tp.weights):
        assert (P @ a).max() - a @ tp.payoffs <= 1e-6


@pytest.mark.slow  # heavy compile; runs in the CI slow step
def test_search_three_players_reports_positive_minimum():
    rng = np.random.default_rng(11)
    G = rng.normal(size=(3, 2, 2, 2))
    res = coalition_perfect_search(G, num_starts=2, key=1, max_evaluations=200)
    assert not res.is_equilibrium
    # Generically overdetermined (3 surplus equations at n = 3).  For this game a 29-step
    # lattice over the whole simplex gives a minimum relative residual of 0.1330 (checked
    # offline), and the search finds 0.13278: the local search matches the global picture.
    assert res.residual > 1e-6
    assert res.residual == pytest.approx(0.13278, abs=2e-3)
    assert res.residuals.shape == (8, 3) and res.start_residuals.shape == (2,)
    assert np.abs(res.harsanyi_residuals).max() > 1e-6
    np.testing.assert_allclose(res.weights.sum(), 1.0)
    # Singletons are identities; the residual is reported relative to the payoff scale.
    np.testing.assert_allclose(res.residuals[[1, 2, 4]], 0.0, atol=1e-12)
    assert res.residual == pytest.approx(np.abs(res.residuals).max() / res.scale)
    assert res.fight_gap <= 1e-9


def test_bad_input():
    u = np.zeros((8, 3))
    with pytest.raises(ValueError, match="`u`"):
        coco_condition_residuals(np.ones(3), np.zeros((6, 3)))
    with pytest.raises(ValueError, match="`u`"):
        harsanyi_condition_residuals(np.ones(3), np.zeros((8, 2)))
    with pytest.raises(ValueError, match="`a`"):
        coco_condition_residuals(np.array([1.0, -1.0, 1.0]), u)
    with pytest.raises(ValueError, match="`a`"):
        coco_condition_residuals(np.ones(2), u)
    with pytest.raises(ValueError, match="`u`"):
        coco_condition_residuals(np.ones(3), np.full((8, 3), np.nan))
    G = np.zeros((2, 2, 2))
    with pytest.raises(ValueError, match="strategies"):
        coalition_payoffs(G, [np.ones(1)] * 3)
    with pytest.raises(ValueError, match="strategies"):
        coalition_payoffs(G, [np.ones(1), np.ones(3) / 3, np.ones(2) / 2, np.ones(4) / 4])
    with pytest.raises(ValueError, match="probability"):
        coalition_payoffs(G, [np.ones(1), np.ones(2), np.ones(2) / 2, np.ones(4) / 4])
    with pytest.raises(ValueError, match="num_starts"):
        coalition_perfect_search(G, num_starts=0)
    with pytest.raises(ValueError, match="players"):
        coalition_perfect_search(np.zeros((1, 2)))
    with pytest.raises(ValueError, match="grid"):
        coalition_perfect_search(G, grid=1)
