"""Bargaining solutions under the result contract: certificates that bound the payoff error,
invariance under changes of units, far and near disagreement points, float32 and integer data,
the individually rational Kalai–Smorodinsky ideal point, and one degenerate rule.

Oracles are independent of the library: closed forms (the NBS of a segment / triangle), brute
force over a fine grid (two players) and scipy's HiGHS (``linprog``) for every LP-type answer.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import bargainjax as bj

S = bj.Status
BOS = np.array([[3.0, 2.0], [2.0, 3.0], [0.0, 0.0]])  # Battle of the Sexes outcomes
TRIANGLE = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 2.0]])


def _range(P):
    return P.max(0) - P.min(0)


def _nbs_segment(a, b, d):
    """Closed form: NBS of conv{a, b} (plus points below it) from d, symmetric weights:
    maximise (u1 - d1)(u2 - d2) on u = a + s (b - a), s in [0, 1]."""
    e = b - a
    # d/ds [(a1 + s e1 - d1)(a2 + s e2 - d2)] = 0
    s = -((a[0] - d[0]) * e[1] + (a[1] - d[1]) * e[0]) / (2 * e[0] * e[1])
    s = np.clip(s, 0.0, 1.0)
    return a + s * e


def _brute_nbs(P, d, w=(1.0, 1.0), n=200001):
    """Brute force over a fine grid of the frontier of a 2-player polytope's Pareto edges."""
    best, arg = -np.inf, None
    K = P.shape[0]
    for i in range(K):
        for j in range(i + 1, K):
            s = np.linspace(0.0, 1.0, n)
            u = P[i][None, :] + s[:, None] * (P[j] - P[i])[None, :]
            g = u - d
            ok = np.all(g > 0, axis=1)
            if not ok.any():
                continue
            val = np.where(ok, w[0] * np.log(np.where(ok, g[:, 0], 1)) +
                           w[1] * np.log(np.where(ok, g[:, 1], 1)), -np.inf)
            k = int(np.argmax(val))
            if val[k] > best:
                best, arg = val[k], u[k]
    return arg


# ------------------------------------------------------------------- NBS far from d


@pytest.mark.parametrize("d0", [-1e9, -1e100])
def test_nbs_far_disagreement_is_right_or_honest(d0):
    # Battle of the Sexes from d = (d0, d0): the NBS is (2.5, 2.5).  The old Frank-Wolfe gap
    # shrank like 1/|d| and certified (2.375, 2.375) and the uniform start as SUCCESSFUL.
    sol = bj.nash_bargaining(bj.polytope(BOS), [d0, d0])
    status = int(sol.status)
    assert status in (S.SUCCESSFUL, S.IMPRECISE)
    if status == S.SUCCESSFUL:
        np.testing.assert_allclose(sol.payoffs, [2.5, 2.5], atol=3 * float(sol.tol))
    assert int(sol.num_steps) <= 100  # IMPRECISE stops at once, it does not burn max_steps


@pytest.mark.parametrize("d0", [-1.0, -10.0, -100.0, -1e4])
def test_nbs_certificate_bounds_the_payoff_error_as_d_moves_away(d0):
    # Asymmetric segment: the NBS moves with d; closed form on the segment (3,2)-(1,4).
    P = np.array([[3.0, 2.0], [1.0, 4.0], [0.0, 0.0]])
    d = np.array([d0, 0.5 * d0])
    sol = bj.nash_bargaining(bj.polytope(P), d)
    if d0 < -1e3:  # far away: the gap's rounding floor maps to more than tol, stated at once
        assert int(sol.status) == S.IMPRECISE and int(sol.num_steps) < 100
        return
    assert int(sol.status) == S.SUCCESSFUL and float(sol.certificate) <= float(sol.tol)
    expect = _nbs_segment(P[0], P[1], d)
    err = np.max(np.abs(np.asarray(sol.payoffs) - expect) / _range(P))
    assert err <= max(float(sol.certificate), float(sol.tol)) + 1e-12, (err, sol.certificate)


def test_nbs_vs_brute_force_grid_two_players():
    rng = np.random.default_rng(3)
    for _ in range(4):
        P = rng.uniform(0.0, 1.0, (5, 2))
        P = np.vstack([P, P.min(0)])
        d = P.min(0) + 0.1 * rng.uniform(size=2)
        w = rng.uniform(0.5, 2.0, 2)
        sol = bj.nash_bargaining(bj.polytope(P), d, weights=w)
        assert int(sol.status) == S.SUCCESSFUL
        ref = _brute_nbs(P, d, w)
        # grid step 5e-6 of an edge: the brute force is that accurate
        assert np.max(np.abs(np.asarray(sol.payoffs) - ref) / _range(P)) <= 1e-5


@pytest.mark.slow
def test_nbs_triangle_closed_form_and_disagreement_near_the_frontier():
    # Triangle conv{0, (4,0), (0,2)}: from d the NBS on the edge u1/4 + u2/2 = 1.
    for delta in (1e-2, 1e-5, 1e-8):
        d = np.array([2.0, 1.0]) * (1 - delta)
        sol = bj.nash_bargaining(bj.polytope(TRIANGLE), d)
        assert int(sol.status) == S.SUCCESSFUL, delta
        expect = _nbs_segment(TRIANGLE[1], TRIANGLE[2], d)
        err = np.max(np.abs(np.asarray(sol.payoffs) - expect) / _range(TRIANGLE))
        assert err <= float(sol.tol) + 1e-12
    # on the frontier (and beyond it): INFEASIBLE, eagerly and under jit, no exception
    for d in ([2.0, 1.0], [4.0, 0.0], [5.0, 5.0]):
        assert int(bj.nash_bargaining(bj.polytope(TRIANGLE), d).status) == S.INFEASIBLE
        out = jax.jit(bj.nash_bargaining)(bj.polytope(TRIANGLE), jnp.asarray(d))
        assert int(out.status) == S.INFEASIBLE


# ------------------------------------------------------------------- invariance


# One compiled program per solver serves every hypothesis example (same shapes); eager calls
# would retrace the solver's loops for each example.
_NBS = jax.jit(lambda P, d: bj.nash_bargaining(bj.polytope(P), d))
_KSBS = jax.jit(lambda P, d: bj.kalai_smorodinsky(bj.polytope(P), d))
_EGAL = jax.jit(lambda P, d: bj.egalitarian(bj.polytope(P), d))
_UTIL = jax.jit(lambda P, d: bj.utilitarian(bj.polytope(P), jnp.array([1.0, 2.0])))

_affine = st.tuples(st.floats(-9, 9), st.floats(-9, 9), st.floats(-1e9, 1e9), st.floats(-1e9, 1e9))


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(_affine)
def test_nbs_and_ksbs_per_player_affine_invariance(params):
    e1, e2, b1, b2 = params
    alpha = np.array([10.0**e1, 10.0**e2])
    P = np.array([[3.0, 1.0], [1.0, 3.0], [2.5, 2.5], [0.0, 0.0]])
    d = np.array([0.5, 0.2])
    beta = np.array([b1, b2]) * alpha * _range(P)
    Pm, dm = P * alpha + beta, d * alpha + beta
    for name, solver in (("nbs", _NBS), ("ksbs", _KSBS)):
        base, moved = solver(P, d), solver(Pm, dm)
        assert int(base.status) == int(moved.status) == S.SUCCESSFUL, name
        # affine image, up to the data's own rounding eps |beta| / (alpha R)
        data = 4 * np.finfo(float).eps * np.max(np.abs(beta) / (alpha * _range(P)) + 1)
        err = np.abs((np.asarray(moved.payoffs) - beta) / alpha - np.asarray(base.payoffs))
        assert np.max(err / _range(P)) <= 2 * float(base.tol) + 1e3 * data, name


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.floats(-9, 9), st.floats(-1e9, 1e9), st.floats(-1e9, 1e9))
def test_egalitarian_and_utilitarian_common_scale_invariance(e, b1, b2):
    alpha = 10.0**e
    P = np.array([[3.0, 1.0], [1.0, 3.0], [2.5, 2.0], [0.0, 0.0]])
    d = np.array([0.5, 0.2])
    beta = np.array([b1, b2]) * alpha * _range(P).max()
    Pm, dm = P * alpha + beta, d * alpha + beta
    for solve in (_EGAL, _UTIL):
        base, moved = solve(P, d), solve(Pm, dm)
        assert int(base.status) == int(moved.status) == S.SUCCESSFUL
        data = 4 * np.finfo(float).eps * np.max(np.abs(beta) / (alpha * _range(P)) + 1)
        err = np.abs((np.asarray(moved.payoffs) - beta) / alpha - np.asarray(base.payoffs))
        assert np.max(err / _range(P)) <= 1e-8 + 1e3 * data


# ------------------------------------------------------------------- max-min rules


def test_ksbs_and_egalitarian_far_disagreement_certify():
    # Ratios are measured from the ideal point: far d does not wash them out.
    for d0 in (-1e9, -1e100):
        ks = bj.kalai_smorodinsky(bj.polytope(BOS), [d0, d0])
        eg = bj.egalitarian(bj.polytope(BOS), [d0, d0])
        for sol in (ks, eg):
            assert int(sol.status) == S.SUCCESSFUL
            np.testing.assert_allclose(sol.payoffs, [2.5, 2.5], atol=1e-6)


def _rational_ideal_highs(P, d):
    K, n = P.shape
    out = []
    for i in range(n):
        res = linprog(-P[:, i], A_ub=-P.T, b_ub=-d, A_eq=np.ones((1, K)), b_eq=[1.0],
                      bounds=[(0, None)] * K, method="highs")
        assert res.status == 0
        out.append(-res.fun)
    return np.array(out)


def _ksbs_highs(P, d, I):
    K, n = P.shape
    sigma = I - d
    c = np.zeros(K + 1)
    c[-1] = -1.0
    res = linprog(c, A_ub=np.column_stack([-P.T, sigma]), b_ub=-d,
                  A_eq=np.append(np.ones(K), 0.0)[None], b_eq=[1.0],
                  bounds=[(0, None)] * K + [(None, None)], method="highs")
    assert res.status == 0
    return -res.fun


def test_ksbs_rational_ideal_vs_highs_on_random_games_from_security_levels():
    rng = np.random.default_rng(7)
    differ = 0
    for _ in range(6):
        U = rng.uniform(-1.0, 1.0, (2, 3, 3))
        game = bj.bimatrix_game(U[0], U[1])
        d = np.asarray(bj.security_levels(game)[0])  # the levels
        P = np.asarray(game.outcomes)
        F = bj.correlated_set(game)
        I_r = _rational_ideal_highs(P, d)
        np.testing.assert_allclose(bj.ideal_point(F, d), I_r, atol=1e-9)
        np.testing.assert_allclose(jax.jit(bj.ideal_point)(F, jnp.asarray(d)), I_r, atol=1e-9)
        ks = bj.kalai_smorodinsky(F, d)
        assert int(ks.status) == S.SUCCESSFUL
        t = np.min((np.asarray(ks.payoffs) - d) / (I_r - d))
        assert abs(t - _ksbs_highs(P, d, I_r)) <= 1e-8
        old = bj.kalai_smorodinsky(F, d, ideal="feasible")
        t_old = np.min((np.asarray(old.payoffs) - d) / (P.max(0) - d))
        assert abs(t_old - _ksbs_highs(P, d, P.max(0))) <= 1e-8
        differ += np.max(np.abs(np.asarray(ks.payoffs) - np.asarray(old.payoffs))) > 1e-6
    assert differ >= 1  # the conventions differ on such games


@pytest.mark.slow
def test_rational_ideal_point_every_set_type():
    d = np.array([0.6, 0.3])
    # quarter disc u1^2 + u2^2 <= 1: max u1 with u2 >= 0.3 is sqrt(1 - 0.09)
    disc = bj.resource_set(1.0, [1.0, 1.0], production="sqrt")
    np.testing.assert_allclose(bj.ideal_point(disc, d), [np.sqrt(1 - 0.09), np.sqrt(1 - 0.36)],
                               rtol=1e-9)
    # linear resource set and Minkowski sum: HiGHS on the joint polytope
    lin = bj.resource_set([1.0, 2.0], [[1.0, 2.0], [3.0, 1.0]])
    joint = np.array([[a + c, b + e] for a, b in ([1, 0], [0, 2]) for c, e in ([6, 0], [0, 2])],
                     float)
    dl = np.array([4.0, 1.5])
    np.testing.assert_allclose(bj.ideal_point(lin, dl), _rational_ideal_highs(joint, dl),
                               atol=1e-9)
    sep = bj.separable_set([np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([[6.0, 0.0], [0.0, 2.0]])])
    np.testing.assert_allclose(bj.ideal_point(sep, dl), _rational_ideal_highs(joint, dl),
                               atol=1e-9)
    out = jax.vmap(lambda dd: bj.ideal_point(disc, dd))(jnp.asarray([d, [0.0, 0.0]]))
    np.testing.assert_allclose(out[1], [1.0, 1.0], rtol=1e-12)


# ------------------------------------------------------------------- precision and dtypes


@pytest.mark.parametrize("solver", [bj.nash_bargaining, bj.kalai_smorodinsky, bj.egalitarian,
                                    bj.armstrong])
@pytest.mark.slow
def test_float32_certifies_at_its_tolerance(solver):
    rng = np.random.default_rng(11)
    for _ in range(3):
        P = rng.uniform(0.0, 1.0, (6, 2)).astype(np.float32)
        d = (P.min(0) + 0.05).astype(np.float32)
        sol = solver(bj.polytope(jnp.asarray(P)), jnp.asarray(d))
        assert sol.payoffs.dtype == jnp.float32
        assert int(sol.status) in (S.SUCCESSFUL, S.IMPRECISE)
        ref = solver(bj.polytope(P.astype(np.float64)), d.astype(np.float64))
        if int(sol.status) == S.SUCCESSFUL:
            err = np.max(np.abs(np.asarray(sol.payoffs, np.float64) - np.asarray(ref.payoffs))
                         / _range(P.astype(np.float64)))
            assert err <= float(sol.tol) + float(ref.tol) + 1e-5


def test_integer_inputs_are_solved_as_floats():
    P = jnp.asarray([[3, 2], [2, 3], [0, 0]])
    for solver in (bj.nash_bargaining, bj.kalai_smorodinsky, bj.egalitarian, bj.armstrong):
        sol = solver(bj.polytope(P), jnp.asarray([0, 0]))
        assert int(sol.status) == S.SUCCESSFUL
        np.testing.assert_allclose(sol.payoffs, [2.5, 2.5] if solver is not bj.armstrong
                                   else sol.payoffs, atol=1e-6)
    assert int(bj.utilitarian(bj.polytope(P), jnp.asarray([1, 1])).status) == S.SUCCESSFUL


def test_nonfinite_inputs_raise_or_are_nonfinite():
    F = bj.polytope(BOS)
    for solver in (bj.nash_bargaining, bj.kalai_smorodinsky, bj.egalitarian, bj.armstrong):
        with pytest.raises(ValueError, match="`disagreement`"):
            solver(F, [np.nan, 0.0])
        out = jax.jit(solver)(F, jnp.asarray([np.nan, 0.0]))
        assert int(out.status) == S.NONFINITE, solver.__name__
    P = jnp.asarray(BOS).at[0, 0].set(jnp.inf)
    out = jax.jit(lambda P: bj.nash_bargaining(bj.polytope(P), jnp.zeros(2)))(P)
    assert int(out.status) == S.NONFINITE


def test_utilitarian_huge_weights():
    P = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 2.0], [3.0, 1.5]])
    sol = bj.utilitarian(bj.polytope(P), [1e300, 3e300])
    assert int(sol.status) == S.SUCCESSFUL and np.isfinite(float(sol.certificate))
    np.testing.assert_allclose(sol.payoffs, [3.0, 1.5])
    out = jax.jit(lambda w: bj.utilitarian(bj.polytope(P), w))(jnp.asarray([np.inf, 1.0]))
    assert int(out.status) == S.NONFINITE


def test_contract_fields_and_aliases():
    F = bj.polytope(BOS)
    for sol in (bj.nash_bargaining(F, [0.0, 0.0]), bj.kalai_smorodinsky(F, [0.0, 0.0]),
                bj.egalitarian(F, [0.0, 0.0]), bj.utilitarian(F), bj.armstrong(F, [0.0, 0.0]),
                bj.supporting_weights(F, [2.5, 2.5])):
        for field in bj.CONTRACT_FIELDS if hasattr(bj, "CONTRACT_FIELDS") else (
                "certificate", "tol", "status", "num_steps"):
            assert field in sol._fields
        assert np.shape(sol.certificate) == ()
        assert float(sol.gap) == float(sol.certificate)
        assert int(sol.status) == S.SUCCESSFUL
