"""Tests of coalitional stability (report §6.2): cores of additively separable polytope games.

Oracles: scipy HiGHS (``linprog``) on a blocking LP written here from the definition of
:math:`\\nu^A(P)`, brute force over pure profiles for eq. (62), exact rationals (``fractions``)
for the report's Examples 64 and 66.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.optimize import linprog

import bargainjax as bj

# Report Tables 7 and 8: row k of part j is what option k + 1 of player j + 1 gives everyone.
TABLE7 = [
    [[3.0, 0, 0], [2.5, 2.5, 0], [2, 2, 2]],
    [[0.0, 3, 0], [2.5, 2.5, 0], [2, 2, 2]],
    [[0.0, 0, 3], [0.5, 0.5, 0], [0.5, 0.5, 0]],
]
TABLE8 = [
    [[5.0, 0, 5], [4, 4, 0], [3, 3, 6]],
    [[0.0, 5, 5], [4, 4, 0], [3, 3, 6]],
    [[0.0, 0, 5], [0, 0, 0], [0, 0, 0]],
]
N, K = 3, 3


def parts_of(table):
    return tuple(jnp.asarray(t, jnp.float64) for t in table)


# ------------------------------------------------------------------------------ oracles


def highs_margin(parts, A, x, S):
    """max t s.t. members of S get x_i + t from their own mixed options plus A's outsiders."""
    parts = [np.asarray(p, float) for p in parts]
    n = len(parts)
    P = [i for i in range(n) if S >> i & 1]
    outside = sum(np.asarray(A, float)[j] for j in range(n) if j not in P)
    outside = np.zeros(n) if np.isscalar(outside) else outside
    sizes = [parts[j].shape[0] for j in P]
    nv = sum(sizes) + 1
    A_ub, b_ub = [], []
    for i in P:  # t - sum_j V_j[:, i] . s_j <= outside_i - x_i
        row = np.concatenate([-parts[j][:, i] for j in P] + [[1.0]])
        A_ub.append(row)
        b_ub.append(outside[i] - x[i])
    A_eq = np.zeros((len(P), nv))
    start = 0
    for q, k in enumerate(sizes):
        A_eq[q, start:start + k] = 1.0
        start += k
    c = np.zeros(nv)
    c[-1] = -1.0
    bounds = [(0, None)] * (nv - 1) + [(None, None)]
    res = linprog(c, A_ub=np.array(A_ub), b_ub=b_ub, A_eq=A_eq, b_eq=np.ones(len(P)),
                  bounds=bounds, method="highs")
    assert res.status == 0, res.message
    return -res.fun


def highs_pareto_optimal(points, g):
    """Is g Pareto optimal in conv(points)?  max sum(y - g) s.t. y in conv, y >= g."""
    m, p = points.shape
    res = linprog(-points.sum(axis=1), A_ub=-points.T, b_ub=-g, A_eq=np.ones((1, m)),
                  b_eq=[1.0], bounds=[(0, None)] * m, method="highs")
    assert res.status == 0, res.message
    return -res.fun - g.sum() <= 1e-9


def brute_force_pareto_matrix(parts):
    """Eq. (62) by brute force: an option counts if some pure profile of some P ∋ i that uses it
    has a Pareto-optimal payoff vector (for P) in the sum of P's polytopes (HiGHS)."""
    parts = [np.asarray(p, float) for p in parts]
    n = len(parts)
    A = np.full((n, n), np.inf)
    for S in range(1, 2**n):
        P = [i for i in range(n) if S >> i & 1]
        profiles = list(itertools.product(*[range(parts[j].shape[0]) for j in P]))
        sums = np.array([sum(parts[j][k, P] for j, k in zip(P, prof)) for prof in profiles])
        for prof, g in zip(profiles, sums):
            if highs_pareto_optimal(sums, g):
                for j, k in zip(P, prof):
                    A[j] = np.minimum(A[j], parts[j][k])
    return A


def random_parts(rng, integers=False):
    if integers:
        return tuple(jnp.asarray(rng.integers(0, 6, size=(K, N)), jnp.float64) for _ in range(N))
    return tuple(jnp.asarray(rng.uniform(0, 5, size=(K, N))) for _ in range(N))


# ------------------------------------------------------------------------- membership


@pytest.mark.parametrize("seed", range(4))
def test_margins_match_highs(seed):
    rng = np.random.default_rng(seed)
    parts = random_parts(rng, integers=seed % 2 == 1)
    lo, hi = bj.alpha_matrix(parts), np.stack([np.max(np.asarray(p), 0) for p in parts])
    kinds = {"alpha": lo, "nash": bj.nash_matrix(parts),
             "random": lo + rng.uniform(size=(N, N)) * (hi - lo)}
    w = rng.uniform(0.2, 1.0, N)
    x = np.asarray(bj.separable_set(parts).maximize(jnp.asarray(w)).payoffs)
    x = x + rng.normal(scale=0.5, size=N)
    for name, A in kinds.items():
        r = bj.core_membership(parts, jnp.asarray(x), jnp.asarray(A))
        assert int(r.status) == 0, name
        assert float(r.primal_residual) < 1e-9 and float(r.dual_residual) < 1e-9
        assert float(r.gap) < 1e-8
        oracle = [highs_margin(parts, A, x, S) for S in range(1, 2**N)]
        np.testing.assert_allclose(np.asarray(r.margins[1:]), oracle, atol=1e-9)
        assert float(r.feasibility_margin) == pytest.approx(oracle[-1], abs=1e-9)
        blocked = max(oracle) > 1e-7
        assert bool(r.in_core) == (not blocked and oracle[-1] >= -1e-7)
        if blocked:
            assert oracle[int(r.blocking_coalition) - 1] == pytest.approx(max(oracle), abs=1e-9)


def test_blocking_strategy_realises_the_margin():
    parts = parts_of(TABLE7)
    x = jnp.array([13.0, 13.0, 17.0]) / 3
    r = bj.core_membership(parts, x)
    assert int(r.blocking_coalition) == 0b011
    s = [np.asarray(si) for si in r.blocking_strategy]
    assert np.allclose(s[2], 0.0) and all(np.isclose(si.sum(), 1.0) for si in s[:2])
    got = sum(si @ np.asarray(p) for si, p in zip(s, parts))[:2]  # + alpha outsiders: 0
    assert np.all(got - np.asarray(x[:2]) >= float(r.blocking_margin) - 1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans())
def test_core_verdict_agrees_with_brute_force(seed, integers):
    """A point reported in the core is blocked by no coalition (per-coalition HiGHS LPs), and a
    point reported outside it is blocked or infeasible."""
    rng = np.random.default_rng(seed)
    parts = random_parts(rng, integers)
    w = rng.uniform(0.05, 1.0, N)
    x = np.asarray(bj.separable_set(parts).maximize(jnp.asarray(w)).payoffs)
    A = bj.alpha_matrix(parts)
    r = bj.core_membership(parts, jnp.asarray(x), A)
    assert int(r.status) == 0
    oracle = np.array([highs_margin(parts, A, x, S) for S in range(1, 2**N)])
    thr = 1e-9 * (1 + np.max(np.abs(x)) + sum(float(jnp.max(jnp.abs(p))) for p in parts))
    if bool(r.in_core):
        assert np.all(oracle <= thr + 1e-9) and oracle[-1] >= -thr - 1e-9
    else:
        assert np.any(oracle > thr - 1e-9) or oracle[-1] < -thr + 1e-9


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_a_core_inside_alpha_core(seed):
    """Proposition 63: for any admissible A, nu^alpha(P) ⊆ nu^A(P), so every coalition's margin
    under A is at least its margin under alpha and C^A ⊆ C^alpha."""
    rng = np.random.default_rng(seed)
    parts = random_parts(rng, integers=bool(seed % 2))
    lo = np.asarray(bj.alpha_matrix(parts))
    hi = np.stack([np.max(np.asarray(p), 0) for p in parts])
    A = lo + rng.uniform(size=(N, N)) * (hi - lo)
    x = np.asarray(bj.separable_set(parts).maximize(jnp.asarray(rng.uniform(0.05, 1, N))).payoffs)
    ra = bj.core_membership(parts, jnp.asarray(x), jnp.asarray(A))
    rl = bj.core_membership(parts, jnp.asarray(x), jnp.asarray(lo))
    assert np.all(np.asarray(ra.margins[1:]) >= np.asarray(rl.margins[1:]) - 1e-9)
    if bool(ra.in_core):
        assert bool(rl.in_core)


def test_jit_and_vmap_agree_with_eager():
    parts = parts_of(TABLE7)
    xs = jnp.array([[13 / 3, 13 / 3, 17 / 3], [5.0, 5, 3], [3.0, 3, 3], [6.0, 6, 6]])
    member = jax.jit(jax.vmap(lambda x: bj.core_membership(parts, x)))
    batched = member(xs)
    for q in range(xs.shape[0]):
        eager = bj.core_membership(parts, xs[q])
        assert bool(batched.in_core[q]) == bool(eager.in_core)
        np.testing.assert_allclose(batched.margins[q], eager.margins, atol=1e-12)
    assert np.asarray(batched.in_core).tolist() == [False, True, False, False]
    # (3, 3, 3) is blocked (by {1, 2}: 5 each); (6, 6, 6) is not feasible, nobody blocks it
    assert np.asarray(batched.blocking_coalition).tolist() == [0b011, 0, 0b011, 0]
    assert float(batched.feasibility_margin[3]) < 0 < float(batched.feasibility_margin[2])
    # inside jit a NaN payoff cannot raise: it sets the status (and is never in the core)
    bad = member(xs.at[1, 0].set(jnp.nan))
    assert int(bad.status[1]) == bj.Status.NONFINITE and not bool(bad.in_core[1])
    assert int(bad.status[0]) == 0


# --------------------------------------------------------------------------- matrices


@pytest.mark.parametrize("seed", range(6))
def test_pareto_matrix_matches_brute_force(seed):
    rng = np.random.default_rng(100 + seed)
    parts = random_parts(rng, integers=seed % 2 == 0)  # integer games have ties
    res = bj.pareto_matrix(parts)
    assert int(res.status) == 0
    np.testing.assert_allclose(res.matrix, brute_force_pareto_matrix(parts), atol=1e-12)
    # eq. (62) lies between the alpha matrix and the rows' maxima (admissible for Prop. 63)
    assert np.all(np.asarray(res.matrix) >= np.asarray(bj.alpha_matrix(parts)))


def test_nash_and_alpha_matrices_closed_form():
    parts = parts_of(TABLE8)
    np.testing.assert_array_equal(bj.nash_matrix(parts), [[5, 0, 5], [0, 5, 5], [0, 0, 5]])
    np.testing.assert_array_equal(bj.alpha_matrix(parts), [[3, 0, 0], [0, 3, 0], [0, 0, 0]])


def test_stable_disagreement_alpha_is_security_level():
    """With worst-case outsiders d_j is player j's maximin level (independent solver)."""
    rng = np.random.default_rng(7)
    parts = random_parts(rng)
    game = bj.separable_game(parts).to_normal_form()
    d = bj.stable_disagreement(parts, "alpha").point
    np.testing.assert_allclose(d, bj.security_levels(game).levels, atol=1e-8)
    # with Nash contributions it is the Nash equilibrium's payoff vector
    ne = sum(np.asarray(p)[np.argmax(np.asarray(p)[:, j])] for j, p in enumerate(parts))
    np.testing.assert_allclose(bj.stable_disagreement(parts, "nash").point, ne, atol=1e-12)


# ------------------------------------------------------------------------ non-emptiness


@pytest.mark.parametrize("seed", range(3))
def test_alpha_and_pareto_cores_nonempty_with_verified_witness(seed):
    """Theorem 65 (and its alpha version): the witness passes every per-coalition HiGHS LP."""
    rng = np.random.default_rng(200 + seed)
    parts = random_parts(rng, integers=seed == 2)
    for outside in ("alpha", "pareto"):
        res = bj.core_nonempty(parts, outside)
        assert int(res.status) == 0 and bool(res.nonempty)
        assert float(res.margin) >= -1e-9
        Amat = (bj.alpha_matrix(parts) if outside == "alpha"
                else bj.pareto_matrix(parts).matrix)
        x = np.asarray(res.payoffs)
        oracle = [highs_margin(parts, Amat, x, S) for S in range(1, 2**N)]
        assert max(oracle) <= 1e-7 and oracle[-1] >= -1e-7
        got = sum(np.asarray(s) @ np.asarray(p) for s, p in zip(res.strategy, parts))
        np.testing.assert_allclose(got, x, atol=1e-9)


def test_two_players_core_is_the_individually_rational_frontier():
    parts = (jnp.array([[2.0, 0.0], [1.0, 1.0]]), jnp.array([[0.0, 2.0], [1.0, 1.0]]))
    res = bj.core_nonempty(parts, "nash")
    assert bool(res.nonempty)
    x = np.asarray(res.payoffs)
    assert x.sum() == pytest.approx(4.0) and np.all(x >= 2.0 - 1e-9)


# ---------------------------------------------------------------- report Examples 64, 66


def test_example_64_exact():
    """NBS (13/3, 13/3, 17/3): on the face of F with normal (2, 2, 1) and the gradient of the
    Nash product, 1/(x - d), is parallel to that normal (KKT, exact rationals).  Players 1, 2
    guarantee each other 5 > 13/3; (5, 5, 3) from options (2, 2, 1) is in the alpha core."""
    T = [[[Fraction(str(v)) for v in row] for row in part] for part in TABLE7]
    x = [Fraction(13, 3), Fraction(13, 3), Fraction(17, 3)]
    d = [Fraction(3)] * 3
    w = [2, 2, 1]
    h = sum(max(sum(wi * vi for wi, vi in zip(w, row)) for row in part) for part in T)
    assert sum(wi * xi for wi, xi in zip(w, x)) == h  # x on the supporting face
    grad = [1 / (xi - di) for xi, di in zip(x, d)]
    assert grad[0] / w[0] == grad[1] / w[1] == grad[2] / w[2]
    parts = parts_of(TABLE7)
    r = bj.core_membership(parts, jnp.asarray([float(v) for v in x]))
    assert int(r.blocking_coalition) == 0b011
    assert float(r.blocking_margin) == pytest.approx(float(Fraction(5) - x[0]), abs=1e-8)
    g = bj.blocking_margin(parts, jnp.zeros(3), 0b011)
    assert float(g.margin) == pytest.approx(5.0, abs=1e-12)
    five = [T[0][1][q] + T[1][1][q] + T[2][0][q] for q in range(3)]  # profile (2, 2, 1)
    assert five == [5, 5, 3]
    assert bool(bj.core_membership(parts, jnp.array([5.0, 5.0, 3.0])).in_core)


def test_example_66_nash_core_empty():
    """Independent proof of C^NE = ∅: {1}, {2} need x_1, x_2 >= 5, {3} needs x_3 >= 15, and
    {1, 2} (outsider 3 gives them 0) can reach the hull with vertices (9, 4), (8, 8), (4, 9):
    not being blocked by {1, 2} needs x on or above one of its facets x_1 = 9, 4x_1 + x_2 = 40,
    x_1 + 4x_2 = 40, x_2 = 9.  Every such choice is infeasible in F (HiGHS)."""
    parts = [np.asarray(p) for p in TABLE8]
    Vall = np.concatenate(parts)
    own = np.zeros((3, Vall.shape[0]))
    for j in range(3):
        own[j, 3 * j:3 * j + 3] = 1
    for lam, h in (([1, 0], 9), ([4, 1], 40), ([1, 4], 40), ([0, 1], 9)):
        A_ub = -np.stack([Vall[:, 0], Vall[:, 1], Vall[:, 2], lam[0] * Vall[:, 0]
                          + lam[1] * Vall[:, 1]])
        b_ub = -np.array([5.0, 5.0, 15.0, h])
        res = linprog(np.zeros(Vall.shape[0]), A_ub=A_ub, b_ub=b_ub, A_eq=own, b_eq=np.ones(3),
                      method="highs")
        assert res.status == 2  # infeasible
    res = bj.core_nonempty(parts_of(TABLE8), "nash")
    assert int(res.status) == 0 and not bool(res.nonempty) and float(res.margin) < -0.1
    assert bool(bj.core_nonempty(parts_of(TABLE8), "pareto").nonempty)


# ------------------------------------------------------------------------------ bad input


def test_bad_input():
    parts = parts_of(TABLE7)
    x = jnp.array([5.0, 5.0, 3.0])
    with pytest.raises(ValueError, match="`payoffs`"):
        bj.core_membership(parts, jnp.ones(2))
    with pytest.raises(ValueError, match="`payoffs`"):
        bj.core_membership(parts, jnp.array([1.0, jnp.nan, 0.0]))
    with pytest.raises(ValueError, match=r"`F\[0\]`"):
        bj.core_membership((parts[0].at[0, 0].set(jnp.inf),) + parts[1:], x)
    with pytest.raises(ValueError, match="`F`"):
        bj.core_membership(parts[:2], x)  # two parts for three players
    with pytest.raises(ValueError, match="`F`"):
        bj.core_membership(jnp.ones((3, 3)), x)
    with pytest.raises(ValueError, match="`F`"):
        bj.core_membership(tuple(jnp.eye(11) for _ in range(11)), jnp.ones(11))  # n too large
    with pytest.raises(ValueError, match="`F`"):
        bj.core_membership((jnp.ones((2, 1)),), jnp.ones(1))  # one player: no coalitions
    with pytest.raises(ValueError, match="`outside`"):
        bj.core_membership(parts, x, "beta")
    with pytest.raises(ValueError, match="`outside`"):
        bj.core_membership(parts, x, jnp.zeros((3, 2)))
    with pytest.raises(ValueError, match="`outside`"):
        bj.core_membership(parts, x, jnp.full((3, 3), jnp.nan))
    with pytest.raises(ValueError, match=r"`outside`\[0, 0\]"):
        bj.core_membership(parts, x, jnp.full((3, 3), 4.0))  # nobody can give 4 to player 1
    with pytest.raises(ValueError, match="`tol`"):
        bj.core_membership(parts, x, tol=0.0)
    with pytest.raises(ValueError, match="`coalition`"):
        bj.blocking_margin(parts, x, 0)  # empty coalition
    with pytest.raises(ValueError, match="`coalition`"):
        bj.blocking_margin(parts, x, 8)
    with pytest.raises(ValueError, match="`coalition`"):
        bj.blocking_margin(parts, x, 1.5)
    with pytest.raises(ValueError, match="max_candidates"):
        bj.core_nonempty(parts, max_candidates=10)
    with pytest.raises(ValueError, match="`F`"):
        jax.jit(lambda p: bj.core_nonempty(p).margin)(parts)
    with pytest.raises(ValueError, match="`F`"):
        bj.pareto_matrix([jnp.ones((2, 3))] * 2)
