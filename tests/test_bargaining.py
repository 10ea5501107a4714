"""Tests of the bargaining solvers (``bj.nash_bargaining``, ``kalai_smorodinsky``, ``egalitarian``,
``utilitarian``, ``armstrong``, ``variance_normalized``) and ``bj.security_levels``.

Sources of known answers (report = J. Treutlein, "Modeling evidential cooperation in large worlds", 2023; every number is
recomputed here, none copied):

* triangle ``conv{(0,0),(4,0),(0,2)}``, ``d = 0``: NBS = KSBS = ``(2, 1)`` (the docstring example);
* report Examples 1/10: with ``s = 10 - A = 5 - B`` (equal marginal rates), the NBS maximises
  ``(5 - 2s)(2 sqrt(2s) - sqrt(10))``; its stationarity condition is the quadratic
  ``6 sqrt(2) t^2 - 2 sqrt(10) t - 5 sqrt(2) = 0`` in ``t = sqrt(s)``, so
  ``s = (20 + 5 sqrt 7)/18``, ``A = (160 - 5 sqrt 7)/18 = 8.153958``, ``B = A - 5 = 3.153958``
  (the report's 8.15 / 3.15; also re-derived with ``scipy.optimize.minimize_scalar``);
* report §3.4.2: ``d = (2, 2, 1)``, players 1 and 2 share a utility function and a surplus of 1
  is split, ``F = conv{d, d + (1,1,0), d + (0,0,1)}``.  KSBS = ``(2.5, 2.5, 1.5)`` (as printed);
  NBS maximises ``s^2 (1 - s)``, so ``s = 2/3`` and NBS = ``(8/3, 8/3, 4/3)``.  **The report
  prints "≈ (2.7, 2.7, 2.3)": its third coordinate is wrong** (a gain of 0.7 to the shared
  utility function and 1.3 to player 3 hands out a surplus of 2, not 1; 2.3 should read 1.3);
  its prose ("each player one third of the surplus") matches the correct ``4/3``;
* report Example 54: unit quarter disc ``F_1 + F_2`` (two discs of radius 1/2), ``d = (1/2, 1/2)``:
  NBS ``(√2/2, √2/2)``; with priors 3/4, 1/4 the discs have radii 3/4 and 1/4, ``d = (3/4, 1/4)``
  and the weighted NBS (weights 3/4, 1/4) is ``(cos θ, sin θ)`` with θ the root of
  ``-(3/4) sin θ/(cos θ - 3/4) + (1/4) cos θ/(sin θ - 1/4) = 0``: ``(0.922159, 0.386810)``
  (report: ≈ (0.92, 0.39), consistent);
* report Example 55: per-type ellipses with semi-axes ``(p, 1-p)`` and ``(1-p, p)``, i.e.
  ``bj.resource_set([1, 1], [[p, 1-p], [1-p, p]], production="sqrt")``, disagreement = the
  Bayesian Nash equilibrium ``(p, p)``: NBS ``sqrt(p² + (1-p)²) (1, 1)``, type 1 allocates
  ``(p², (1-p)²)/(p² + (1-p)²)``, share received from the other type
  ``(1-p)²/(1 - 2(1-p)p)``, gains from trade ``sqrt(1 - 2(1-p)p)/p - 1`` (all as printed);
* report Example 7 (Tables 1–3): variance normalisation picks ``(b1, a2)``, player 1 gets
  ``-1 < 0`` (its payoff at the dominant outcome ``(a1, a2)``).  The report divides by the sum of
  squares (10) rather than the standard deviation (sqrt(2.5)); both players' values are equal,
  so the argmax is the same.  With ``d = (a1, a2) = (0, 0)`` player 1 cannot gain at all
  (ideal payoff 0), so Armstrong's solution and the NBS are undefined there (``ValueError``);
* security levels: prisoners' dilemma (R, S, T, P) = (3, 0, 5, 1) → (1, 1); matching pennies →
  (0, 0); random games vs a HiGHS maximin LP.

Independent oracles (used only here): SLSQP over the mixture weights (NBS), ``linprog`` (Pareto
optimality, max-min ratios, security levels), ``brentq``/closed forms (quarter discs), central
finite differences (gradients).

Compile budget (2-core CI): each solver is compiled once per shape signature and run in fixed
batches of 16 (``_Batched``).  Two-player polytope problems are embedded in the three-player,
27-point shape by a constant third player (payoff 10, ``d_3 = 0``: a constant factor in the Nash
product, a ratio of 1 for the KSBS, a gain of 10 that never binds for the egalitarian
solution) and padding by repeated points, so they share one compiled NBS.  Those batched
functions are compiled ahead of time at XLA's lowest backend optimisation level (half the
compile time; results agree with the default to rounding, but exact argmax ties may break the
other way, which is how the max-min primal-recovery bug below surfaced).  ``jit == eager``,
``vmap == loop`` and the no-recompile test use the plain ``jax.jit`` path.

Each bug these tests found is fixed; its test stays as a regression test.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq, linprog, minimize, minimize_scalar

import bargainjax as bj

K3 = 27  # points of every three-player polytope below
BATCH = 16
_FAST_COMPILE = {"xla_backend_optimization_level": 0}
SUCCESS, INFEASIBLE = int(bj.Status.SUCCESSFUL), int(bj.Status.INFEASIBLE)


class _Batched:
    """``jit(vmap(fn))`` run in chunks of ``BATCH`` (the last padded by repetition), so one
    compilation per input-shape signature serves every test; outputs come back as numpy."""

    def __init__(self, fn):
        self.jitted = jax.jit(jax.vmap(fn))
        self.compiled = {}

    def __call__(self, *args):
        args = [np.asarray(a, dtype=np.float64) for a in args]
        n = args[0].shape[0]
        outs = []
        for i in range(0, n, BATCH):
            chunk = [a[i:i + BATCH] for a in args]
            m = chunk[0].shape[0]
            chunk = [np.concatenate([c, np.repeat(c[-1:], BATCH - m, axis=0)]) for c in chunk]
            key = tuple(c.shape for c in chunk)
            if key not in self.compiled:
                lowered = self.jitted.lower(*chunk)
                try:
                    self.compiled[key] = lowered.compile(_FAST_COMPILE)
                except RuntimeError:  # an XLA without that option: default compile
                    self.compiled[key] = lowered.compile()
            out = self.compiled[key](*chunk)
            outs.append(jax.tree_util.tree_map(lambda x, m=m: np.asarray(x)[:m], out))
        return jax.tree_util.tree_map(lambda *xs: np.concatenate(xs), *outs)


def _nbs_and_jacobian(P, d, w):
    def payoffs(P, d, w):
        sol = bj.nash_bargaining(bj.polytope(P), d, weights=w)
        return sol.payoffs, sol

    (jP, jd, jw), sol = jax.jacfwd(payoffs, argnums=(0, 1, 2), has_aux=True)(P, d, w)
    return sol, jP, jd, jw


# NBS on (27, 3) polytopes with its Jacobians w.r.t. points, disagreement and weights (one
# compilation serves the known answers, the oracle comparisons, the properties and the gradients)
_nbs3 = _Batched(_nbs_and_jacobian)


def nbs3(P, d, w=None):
    P, d = np.asarray(P, float), np.asarray(d, float)
    w = np.ones_like(d) if w is None else np.asarray(w, float)
    sol, jP, jd, jw = _nbs3(P, d, w)
    return sol, jP, jd, jw


def _max_min3(P, d):
    F = bj.polytope(P)
    # the report's eq. 8 (ideal point over all of F): the oracles below use max over F
    return bj.kalai_smorodinsky(F, d, ideal="feasible"), bj.egalitarian(F, d)


_ks_eg3 = _Batched(_max_min3)


def _pad(points, K=K3):
    """Pad a point list to ``K`` rows by cycling through it (duplicates change nothing)."""
    points = np.asarray(points, float)
    return points[np.arange(K) % points.shape[0]]


def _embed2(points, third=10.0):
    """A two-player polytope as a three-player one with a constant third player."""
    points = np.asarray(points, float)
    return _pad(np.column_stack([points, np.full(len(points), third)]))


def _rng(seed):
    return np.random.default_rng(seed)


def _random_polytopes(seed, n_inst):
    return _rng(seed).uniform(0.0, 1.0, (n_inst, K3, 3))


# ----------------------------------------------------------------------------- oracles


def _nbs_oracle(P, d, w, starts=2, seed=0):
    """max Σ w_i log((Pᵀμ - d)_i) over the simplex by SLSQP from several starts."""
    K = P.shape[0]
    rng = _rng(seed)

    def f(mu):
        g = P.T @ mu - d
        return -float(w @ np.log(g)) if np.all(g > 0) else 1e10

    def grad(mu):
        g = np.maximum(P.T @ mu - d, 1e-300)
        return -P @ (w / g)

    best = None
    for i in range(starts):
        mu0 = np.full(K, 1.0 / K) if i == 0 else rng.dirichlet(np.ones(K))
        if f(mu0) >= 1e10:
            continue
        res = minimize(f, mu0, jac=grad, method="SLSQP", bounds=[(0.0, 1.0)] * K,
                       constraints=[{"type": "eq", "fun": lambda m: m.sum() - 1.0,
                                     "jac": lambda m: np.ones_like(m)}],
                       options={"ftol": 1e-14, "maxiter": 300})
        if best is None or res.fun < best.fun:
            best = res
    return P.T @ best.x, -best.fun


def _nbs_gap(P, d, w, u):
    """Duality gap max_k P_k·a - u·a with a = w/(u - d), recomputed from scratch."""
    a = w / (u - d)
    return float(np.max(P @ a) - u @ a)


def _assert_within_certificate(sol, expect, P):
    """|u - u*| <= tol × (player's payoff range over conv(P)), per instance: on a SUCCESSFUL
    result the certificate is at most ``tol`` (the request plus the certificate's rounding
    floor, below which the certificate itself can read 0)."""
    P = np.asarray(P, float)
    R = P.max(axis=-2) - P.min(axis=-2)
    R = np.where(R > 0, R, 0.0)
    err = np.abs(np.asarray(sol.payoffs) - np.asarray(expect))
    bound = np.asarray(sol.tol)[..., None] * R + 1e-13 * (1 + np.abs(np.asarray(expect)))
    assert np.all(err <= bound), (err, bound)


def _pareto_slack(P, u):
    """max Σ(v - u) over v ∈ conv(P), v ≥ u (0 iff u is strongly Pareto optimal)."""
    K = P.shape[0]
    res = linprog(-P.sum(axis=1), A_ub=-P.T, b_ub=-u, A_eq=np.ones((1, K)), b_eq=[1.0],
                  bounds=[(0, None)] * K, method="highs")
    if res.status != 0:  # no point of F weakly above u: u is not in F (up to tolerance)
        return float("inf")
    return float(-res.fun - u.sum())


def _max_min_lp(P, d, sigma):
    """max t s.t. (Pᵀμ - d)_i ≥ t σ_i, μ ∈ Δ (HiGHS)."""
    K = P.shape[0]
    c = np.zeros(K + 1)
    c[-1] = -1.0
    A_ub = np.column_stack([-P.T, sigma])
    res = linprog(c, A_ub=A_ub, b_ub=-d, A_eq=np.append(np.ones(K), 0.0)[None],
                  b_eq=[1.0], bounds=[(0, None)] * K + [(None, None)], method="highs")
    assert res.status == 0
    return -res.fun


def _maximin_lp(U):
    """Value of max_x min_j (xᵀ U)_j (HiGHS)."""
    m, k = U.shape
    c = np.zeros(m + 1)
    c[-1] = -1.0
    res = linprog(c, A_ub=np.column_stack([-U.T, np.ones(k)]), b_ub=np.zeros(k),
                  A_eq=np.append(np.ones(m), 0.0)[None], b_eq=[1.0],
                  bounds=[(0, None)] * m + [(None, None)], method="highs")
    assert res.status == 0
    return -res.fun


# ------------------------------------------------------------------ NBS: known answers

TRIANGLE = [[0.0, 0.0], [4.0, 0.0], [0.0, 2.0]]
KINKED = [[0.0, 0.0], [5.0, 0.0], [4.0, 2.0], [0.0, 3.0]]  # frontier (5,0)-(4,2)-(0,3)
SEC342 = [[2.0, 2.0, 1.0], [3.0, 3.0, 1.0], [2.0, 2.0, 2.0]]


def test_nbs_known_answers_on_polytopes():
    L = np.array([1.0, 2.0, 4.0])
    d0 = np.array([0.5, -1.0, 2.0])
    simplex = [d0] + [d0 + L[i] * np.eye(3)[i] for i in range(3)]
    simplex += [d0 + 0.9 * np.dot(lam, L[:, None] * np.eye(3))
                for lam in _rng(1).dirichlet(np.ones(3), 4)]  # interior points
    w_simplex = np.array([[1.0, 1.0, 1.0], [0.2, 0.5, 0.3], [3.0, 1.0, 0.5]])
    cases = [  # (points, d, w, expected payoffs)
        (_embed2(TRIANGLE), [0, 0, 0], [1, 1, 1], [2.0, 1.0, 10.0]),
        # vertex solution: a = 1/(u - d) = (1/3, 2/3) lies in the normal cone of (4, 2)
        (_embed2(KINKED), [1.0, 0.5, 0], [1, 1, 1], [4.0, 2.0, 10.0]),
        (_pad(SEC342), [2, 2, 1], [1, 1, 1], [8 / 3, 8 / 3, 4 / 3]),
    ]
    for w in w_simplex:  # weighted NBS on {u ≥ d0, Σ (u_i - d0_i)/L_i ≤ 1}: u - d0 = L w / Σ w
        cases.append((_pad(simplex), d0, w, d0 + L * w / w.sum()))
    P, d, w, expect = (np.array([c[i] for c in cases], float) for i in range(4))
    sol, *_ = nbs3(P, d, w)
    np.testing.assert_array_equal(sol.status, SUCCESS)
    assert np.all(sol.gap <= sol.tol)
    # the certificate bounds the payoff error relative to each player's range
    _assert_within_certificate(sol, expect, P)
    # supporting weights a ∝ w/(u - d), normalised, and u maximises a·u over F
    a = w / (expect - d)
    np.testing.assert_allclose(sol.weights[3:], (a / a.sum(axis=1, keepdims=True))[3:], rtol=1e-5)
    for i in range(len(cases)):
        assert _nbs_gap(P[i], d[i], w[i], sol.payoffs[i]) <= 1e-9 + 10 * float(sol.gap[i])
        np.testing.assert_allclose(P[i].T @ sol.strategy[0][i], sol.payoffs[i], atol=1e-12)


def test_nbs_section_3_4_2_report_misprint():
    """The report's NBS "≈ (2.7, 2.7, 2.3)" splits a surplus of 2.7; the NBS is (8/3, 8/3, 4/3)."""
    sol, *_ = nbs3(_pad(SEC342)[None], np.array([[2.0, 2.0, 1.0]]))
    u = sol.payoffs[0]
    surplus = (u[0] - 2.0) + (u[2] - 1.0)  # players 1, 2 share a utility: one unit of surplus
    assert surplus == pytest.approx(1.0, abs=1e-9)
    assert u[2] == pytest.approx(4 / 3, abs=1e-9) and abs(u[2] - 2.3) > 0.9
    printed = np.array([2.7, 2.7, 2.3])
    assert (printed[0] - 2.0) + (printed[2] - 1.0) == pytest.approx(2.0)  # not in F
    # its feasible reading (2.7, 2.7, 1.3) has a smaller Nash product than the solution
    def nash(v):
        return float(np.prod(v - np.array([2.0, 2.0, 1.0])))

    assert nash(u) == pytest.approx(4 / 27, rel=1e-9)
    assert nash(u) > nash(np.array([2.7, 2.7, 1.3]))


def _example10_closed_form():
    s = (20.0 + 5.0 * math.sqrt(7.0)) / 18.0
    # independent re-derivation: maximise the 1-D Nash product numerically
    res = minimize_scalar(lambda s: -(5 - 2 * s) * (2 * math.sqrt(2 * s) - math.sqrt(10)),
                          bounds=(1.25, 2.5), method="bounded", options={"xatol": 1e-12})
    assert res.x == pytest.approx(s, abs=1e-6)
    A, B = 10.0 - s, 5.0 - s
    return A, B, np.array([A + B, math.sqrt(2 * (10 - A)) + math.sqrt(2 * (5 - B))])


def _resource_nbs_and_jacobian(budgets, coefficients, d, w):
    def payoffs(budgets, coefficients, d, w):
        F = bj.resource_set(budgets, coefficients, production=("linear", "sqrt"))
        sol = bj.nash_bargaining(F, d, weights=w)
        return sol.payoffs, sol

    (jb, jc, jd, jw), sol = jax.jacfwd(payoffs, argnums=(0, 1, 2, 3), has_aux=True)(
        budgets, coefficients, d, w)
    return sol, jb, jc, jd, jw


# Example 1's family (two agents; good 1 linear, good 2 sqrt) with Jacobians
_nbs_example1 = _Batched(_resource_nbs_and_jacobian)
EX1_BUDGETS, EX1_COEF = np.array([10.0, 5.0]), np.array([[1.0, math.sqrt(2)]] * 2)
EX1_D = np.array([10.0, math.sqrt(10)])


def test_nbs_example_10():
    A, B, u = _example10_closed_form()
    assert A == pytest.approx(8.1539580, abs=1e-7) and B == pytest.approx(3.1539580, abs=1e-7)
    sol, *_ = _nbs_example1(EX1_BUDGETS[None], EX1_COEF[None], EX1_D[None], np.ones((1, 2)))
    assert sol.status[0] == SUCCESS and sol.gap[0] <= sol.tol[0]
    np.testing.assert_allclose(sol.payoffs[0], u, rtol=1e-10)
    # Alice spends A of her 10 on her own good, Bob B of his 5
    np.testing.assert_allclose(sol.strategy[0][0], [A / 10, 1 - A / 10], rtol=1e-9)
    np.testing.assert_allclose(sol.strategy[1][0], [B / 5, 1 - B / 5], rtol=1e-9)


_nbs_sqrt = _Batched(lambda b, c, d, w: bj.nash_bargaining(
    bj.resource_set(b, c, production="sqrt"), d, weights=w))
_ks_sqrt = _Batched(lambda b, c, d: bj.kalai_smorodinsky(
    bj.resource_set(b, c, production="sqrt"), d, ideal="feasible"))


def _quarter_disc_nbs(d, w):
    """Weighted NBS on the unit quarter disc: u = (cos θ, sin θ), θ a root of the derivative."""
    def f(t):
        return (-w[0] * math.sin(t) / (math.cos(t) - d[0])
                + w[1] * math.cos(t) / (math.sin(t) - d[1]))

    lo, hi = math.asin(max(d[1], 0.0)) + 1e-13, math.acos(max(d[0], 0.0)) - 1e-13
    t = brentq(f, lo, hi, xtol=1e-15)
    return np.array([math.cos(t), math.sin(t)])


def test_nbs_quarter_discs_examples_54_55():
    ps = [0.6, 0.75, 0.8]  # p = 0.9: see test_nbs_small_gains_not_reported_infeasible_*
    rows = [  # (budgets, coefficients, d, w, expected)
        ([1, 1], [[0.5, 0.5], [0.5, 0.5]], [0.5, 0.5], [1, 1], [math.sqrt(0.5)] * 2),  # Ex. 54
        ([1, 1], [[0.75, 0.75], [0.25, 0.25]], [0.75, 0.25], [0.75, 0.25],            # Ex. 54,
         _quarter_disc_nbs([0.75, 0.25], [0.75, 0.25])),                                # priors
        ([1, 1], [[0.5, 0.5], [0.5, 0.5]], [0.3, 0.1], [1, 1],
         _quarter_disc_nbs([0.3, 0.1], [1, 1])),
        ([1, 1], [[0.9, 0.9], [0.1, 0.1]], [-0.2, 0.4], [2, 1],
         _quarter_disc_nbs([-0.2, 0.4], [2, 1])),
    ]
    for p in ps:  # Ex. 55, d = the Bayesian Nash equilibrium (p, p)
        rows.append(([1, 1], [[p, 1 - p], [1 - p, p]], [p, p], [1, 1],
                     [math.sqrt(p**2 + (1 - p) ** 2)] * 2))
    b, c, d, w, expect = (np.array([r[i] for r in rows], float) for i in range(5))
    sol = _nbs_sqrt(b, c, d, w)
    np.testing.assert_array_equal(sol.status, SUCCESS)
    # certified: |u - u*| <= tol × range (ranges <= sqrt(2) here), tol the held tolerance:
    # the request plus the certificate's rounding floor (below which it reads 0)
    assert np.all(np.abs(sol.payoffs - expect) <= np.sqrt(2) * sol.tol[:, None])
    # report: ≈ (0.92, 0.39)
    np.testing.assert_allclose(sol.payoffs[1], [0.922159, 0.386810], atol=1e-6)
    for i, p in enumerate(ps):
        k = 4 + i
        s = p**2 + (1 - p) ** 2
        y1 = sol.strategy[0][k]  # type 1's allocation of its unit budget
        np.testing.assert_allclose(y1, [p**2 / s, (1 - p) ** 2 / s], rtol=1e-5)
        np.testing.assert_allclose(sol.strategy[1][k], y1[::-1], rtol=1e-5)
        received = (1 - p) * math.sqrt(sol.strategy[1][k][0])  # type 2's contribution to player 1
        assert received / sol.payoffs[k][0] == pytest.approx((1 - p) ** 2 / (1 - 2 * (1 - p) * p),
                                                             rel=1e-5)
        assert sol.payoffs[k][0] / p - 1 == pytest.approx(math.sqrt(1 - 2 * (1 - p) * p) / p - 1,
                                                          rel=1e-5)


def test_nbs_resource_set_with_zero_coefficient():
    sol = _nbs_sqrt(np.ones((1, 2)), np.array([[[1.0, 0.0], [0.0, 1.0]]]), np.zeros((1, 2)),
                    np.ones((1, 2)))
    np.testing.assert_allclose(sol.payoffs[0], [1.0, 1.0], rtol=1e-9)
    assert sol.status[0] == SUCCESS


def test_nbs_small_gains_not_reported_infeasible_resource_set():
    p = 0.9
    sol = _nbs_sqrt(np.ones((1, 2)), np.array([[[p, 1 - p], [1 - p, p]]]), np.full((1, 2), p),
                    np.ones((1, 2)))
    assert sol.status[0] == SUCCESS
    np.testing.assert_allclose(sol.payoffs[0], [math.sqrt(p**2 + (1 - p) ** 2)] * 2, rtol=1e-9)


def test_nbs_small_gains_not_reported_infeasible_polytope():
    P = _embed2([[1.0, 0.0], [0.0, 1.0], [-100.0, -100.0]])
    sol, *_ = nbs3(P[None], np.array([[0.4, 0.4, 0.0]]))
    assert sol.status[0] == SUCCESS
    np.testing.assert_allclose(sol.payoffs[0], [0.5, 0.5, 10.0], rtol=1e-9)


# --------------------------------------------------------- NBS vs an independent oracle


def _oracle_instances():
    P = _random_polytopes(10, 16)
    d = np.zeros((16, 3))
    d[8:] = 0.3 * P[8:].mean(axis=1)  # a small interior disagreement point for half of them
    w = np.ones((16, 3))
    w[12:] = _rng(11).uniform(0.3, 2.0, (4, 3))
    return P, d, w


def test_nbs_random_polytopes_vs_slsqp_and_certificate():
    P, d, w = _oracle_instances()
    sol, *_ = nbs3(P, d, w)
    np.testing.assert_array_equal(sol.status, SUCCESS)
    for i in range(len(P)):
        u = sol.payoffs[i]
        u_ref, obj_ref = _nbs_oracle(P[i], d[i], w[i], seed=i)
        obj = float(w[i] @ np.log(u - d[i]))
        assert obj >= obj_ref - 1e-9
        np.testing.assert_allclose(u, u_ref, atol=1e-6)
        assert _nbs_gap(P[i], d[i], w[i], u) <= sol.tol[i]  # the certificate, recomputed
        assert sol.gap[i] <= sol.tol[i]
        np.testing.assert_allclose(P[i].T @ sol.strategy[0][i], u, atol=1e-12)
        assert np.all(u > d[i])  # individual rationality, strictly
        assert _pareto_slack(P[i], u) <= 1e-8  # strong Pareto optimality


def test_nbs_random_polytopes_vs_cvxpy():
    cp = pytest.importorskip("cvxpy")
    P, d, w = _oracle_instances()
    sol, *_ = nbs3(P[:6], d[:6], w[:6])
    for i in range(6):
        mu = cp.Variable(K3, nonneg=True)
        prob = cp.Problem(cp.Maximize(w[i] @ cp.log(P[i].T @ mu - d[i])), [cp.sum(mu) == 1])
        prob.solve()
        obj = float(w[i] @ np.log(sol.payoffs[i] - d[i]))
        assert obj >= prob.value - 1e-7  # cvxpy's interior point is the less accurate of the two
        np.testing.assert_allclose(sol.payoffs[i], P[i].T @ mu.value, atol=1e-4)


def _separable_nbs_ks(p1, p2, p3, d):
    F = bj.separable_set([p1, p2, p3])
    return bj.nash_bargaining(F, d), bj.kalai_smorodinsky(F, d, ideal="feasible")


_separable3 = _Batched(_separable_nbs_ks)


def _separable_instances():
    rng = _rng(50)
    parts = rng.uniform(0.0, 1.0, (8, 3, 3, 3))  # instance, part, action, player
    joint = np.array([[a + b + c for a in pp[0] for b in pp[1] for c in pp[2]] for pp in parts])
    return parts, joint, 0.5 * joint.mean(axis=1)


def test_separable_set_nbs_agrees_with_its_joint_polytope():
    """Σ_j conv(P_j) = conv{Σ_j p_j}: the NBS over a separable set (one simplex per part) equals
    the NBS over the 27-point joint polytope, and its certificate recomputed over the joint
    vertices holds."""
    parts, joint, d = _separable_instances()
    sep, _ = _separable3(parts[:, 0], parts[:, 1], parts[:, 2], d)
    ref, *_ = nbs3(joint, d)
    np.testing.assert_array_equal(ref.status, SUCCESS)
    np.testing.assert_array_equal(sep.status, SUCCESS)
    np.testing.assert_allclose(sep.payoffs, ref.payoffs, rtol=1e-8, atol=1e-9)
    for i in range(len(parts)):
        assert _nbs_gap(joint[i], d[i], np.ones(3), sep.payoffs[i]) <= sep.tol[i]
        assert sep.gap[i] <= sep.tol[i]
        u = sum(sep.strategy[j][i] @ parts[i, j] for j in range(3))
        np.testing.assert_allclose(u, sep.payoffs[i], atol=1e-12)


def test_separable_set_with_a_kink_at_the_dual_optimum():
    """conv{e_1, e_2, e_3} + {0} + {0}: every vertex ties at the dual optimum λ = (1/3, 1/3, 1/3),
    so no single weighted-sum maximiser is the max-min point (this used to make the NBS report
    INFEASIBLE and the KSBS return (1, 0, 0); fixed by the LP route for Minkowski sums)."""
    parts = np.zeros((1, 3, 3, 3))
    parts[0, 0] = np.eye(3)
    nbs, ks = _separable3(parts[:, 0], parts[:, 1], parts[:, 2], np.zeros((1, 3)))
    np.testing.assert_allclose(nbs.payoffs[0], [1 / 3] * 3, rtol=1e-9)
    assert nbs.status[0] == SUCCESS
    np.testing.assert_allclose(ks.payoffs[0], [1 / 3] * 3, rtol=1e-9)
    assert ks.status[0] == SUCCESS


def test_separable_set_ksbs_agrees_with_its_joint_polytope():
    parts, joint, d = _separable_instances()
    _, ks = _separable3(parts[:, 0], parts[:, 1], parts[:, 2], d)
    ref, _ = _ks_eg3(joint, d)
    I = joint.max(axis=1)
    t_sep = np.min((ks.payoffs - d) / (I - d), axis=1)
    t_ref = np.min((ref.payoffs - d) / (I - d), axis=1)
    np.testing.assert_array_equal(ks.status, SUCCESS)
    assert np.all(ks.gap <= ks.tol)
    np.testing.assert_allclose(t_sep, t_ref, atol=1e-9)


_resource3 = _Batched(lambda c, d: (
    bj.nash_bargaining(bj.resource_set(1.0, c, production="linear"), d),
    bj.kalai_smorodinsky(bj.resource_set(1.0, c, production="linear"), d, ideal="feasible")))


def test_resource_set_three_players_with_a_kink():
    nbs, ks = _resource3(np.ones((1, 1, 3)), np.zeros((1, 3)))
    np.testing.assert_allclose(nbs.payoffs[0], [1 / 3] * 3, rtol=1e-9)
    assert nbs.status[0] == SUCCESS
    np.testing.assert_allclose(ks.payoffs[0], [1 / 3] * 3, rtol=1e-9)
    assert ks.status[0] == SUCCESS


# ------------------------------------------------------------------------- properties

_PROPS = settings(max_examples=4, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])


@_PROPS
@given(seed=st.integers(0, 2**31 - 1),
       scale=st.lists(st.floats(0.2, 5.0), min_size=3, max_size=3),
       shift=st.lists(st.floats(-3.0, 3.0), min_size=3, max_size=3),
       perm=st.permutations([0, 1, 2]))
def test_nbs_and_ksbs_affine_invariance_and_permutation_equivariance(seed, scale, shift, perm):
    lam, c, perm = np.array(scale), np.array(shift), np.array(perm)
    P = _random_polytopes(seed, 5)
    d = 0.2 * P.mean(axis=1)
    PP = np.concatenate([P, lam * P + c, P[:, :, perm]])
    dd = np.concatenate([d, lam * d + c, d[:, perm]])
    sol, *_ = nbs3(PP, dd)
    ks, eg = _ks_eg3(PP, dd)
    for s in (sol, ks, eg):
        np.testing.assert_array_equal(s.status, SUCCESS)
        assert np.all(s.payoffs >= dd - 1e-12)  # individual rationality
    # the NBS is unique: the payoffs themselves transform
    u = sol.payoffs[:5]
    np.testing.assert_allclose(sol.payoffs[5:10], lam * u + c, rtol=1e-7,
                               atol=1e-8 * (1 + np.abs(c).max()))
    np.testing.assert_allclose(sol.payoffs[10:], u[:, perm], atol=1e-8)
    # max-min solutions may be a set (weakly Pareto exits): their max-min value transforms
    I = PP.max(axis=1)
    t_ks = np.min((ks.payoffs - dd) / (I - dd), axis=1)
    np.testing.assert_allclose(t_ks[5:10], t_ks[:5], atol=1e-9)  # affine invariance
    np.testing.assert_allclose(t_ks[10:], t_ks[:5], atol=1e-9)   # anonymity
    for i in range(5):  # where the ray's exit point is strongly Pareto the KSBS is unique
        x = dd[i] + t_ks[i] * (I[i] - dd[i])
        if _pareto_slack(PP[i], x) <= 1e-9:
            np.testing.assert_allclose(ks.payoffs[i], x, atol=1e-8)
            np.testing.assert_allclose(ks.payoffs[5 + i], lam * x + c, rtol=1e-7,
                                       atol=1e-8 * (1 + np.abs(c).max()))
            np.testing.assert_allclose(ks.payoffs[10 + i], x[perm], atol=1e-8)
    t_eg = np.min(eg.payoffs - dd, axis=1)
    np.testing.assert_allclose(t_eg[10:], t_eg[:5], atol=1e-9)  # egalitarian: anonymity only


@_PROPS
@given(seed=st.integers(0, 2**31 - 1), d0=st.floats(-0.5, 0.5))
def test_symmetric_problems_have_symmetric_solutions(seed, d0):
    """Swapping players 1 and 2 maps F and d to themselves, so the (unique) NBS has u1 = u2."""
    rng = _rng(seed)
    rows = []
    for _ in range(4):
        Q = rng.uniform(0.0, 1.0, (13, 3))
        Q = np.concatenate([Q, Q[:, [1, 0, 2]]])
        rows.append(np.concatenate([Q, Q.mean(axis=0, keepdims=True)]))
    P = np.array(rows)
    d = np.array([[d0 * 0.5, d0 * 0.5, 0.1]] * 4)
    sol, *_ = nbs3(P, d)
    np.testing.assert_array_equal(sol.status, SUCCESS)
    np.testing.assert_allclose(sol.payoffs[:, 0], sol.payoffs[:, 1], atol=1e-8)


def _weak_pareto_slack(P, u):
    """max s such that some v ∈ conv(P) has v ≥ u + s (≤ 0 iff u is weakly Pareto optimal)."""
    K, n = P.shape
    c = np.zeros(K + 1)
    c[-1] = -1.0
    res = linprog(c, A_ub=np.column_stack([-P.T, np.ones(n)]), b_ub=-u,
                  A_eq=np.append(np.ones(K), 0.0)[None], b_eq=[1.0],
                  bounds=[(0, None)] * K + [(None, None)], method="highs")
    return -res.fun


def test_pareto_optimality_and_individual_rationality_of_ksbs_and_egalitarian():
    """Max-min solutions are weakly Pareto optimal (the n >= 3 KSBS need not be strongly so)."""
    P, d, _ = _oracle_instances()
    ks, eg = _ks_eg3(P, d)
    for s in (ks, eg):
        np.testing.assert_array_equal(s.status, SUCCESS)
        assert np.all(s.payoffs >= d - 1e-12)
    for i in range(len(P)):
        assert _weak_pareto_slack(P[i], ks.payoffs[i]) <= 1e-9
        assert _weak_pareto_slack(P[i], eg.payoffs[i]) <= 1e-9


# ------------------------------------------------------------------ KSBS / egalitarian


def test_ksbs_and_egalitarian_known_answers_on_polytopes():
    cases = [  # (points, d, KSBS, egalitarian)
        (_embed2(TRIANGLE), [0, 0, 0], [2.0, 1.0], [4 / 3, 4 / 3]),
        # ray d + t (I - d) = (1, 0.5) + t (4, 2.5) meets the edge u2 = 3 - u1/4 at t = 9/14;
        # the egalitarian ray (1, 0.5) + t (1, 1) meets it at t = 1.8
        (_embed2(KINKED), [1.0, 0.5, 0], [1 + 36 / 14, 0.5 + 22.5 / 14], [2.8, 2.3]),
        (_pad(SEC342), [2, 2, 1], [2.5, 2.5, 1.5], [2.5, 2.5, 1.5]),  # report §3.4.2
    ]
    P = np.array([c[0] for c in cases])
    d = np.array([c[1] for c in cases], float)
    ks, eg = _ks_eg3(P, d)
    for s in (ks, eg):
        np.testing.assert_array_equal(s.status, SUCCESS)
        assert np.all(s.gap <= s.tol)
    for i, (_, _, k, e) in enumerate(cases):
        np.testing.assert_allclose(ks.payoffs[i][:len(k)], k, rtol=1e-9)
        np.testing.assert_allclose(eg.payoffs[i][:len(e)], e, rtol=1e-9)
    # eq. (8): equal ratios (u_i - d_i)/(I_i - d_i) on the strictly Pareto edge of KINKED
    I = P[1].max(axis=0)
    ratios = (ks.payoffs[1] - d[1]) / (I - d[1])
    np.testing.assert_allclose(ratios[:2], [9 / 14, 9 / 14], rtol=1e-10)


def test_ksbs_and_egalitarian_max_min_vs_linprog():
    P, d, _ = _oracle_instances()
    ks, eg = _ks_eg3(P, d)
    for i in range(len(P)):
        I = P[i].max(axis=0)
        for s, sigma in ((ks, I - d[i]), (eg, np.ones(3))):
            t_ref = _max_min_lp(P[i], d[i], sigma)
            t = np.min((s.payoffs[i] - d[i]) / sigma)
            assert t == pytest.approx(t_ref, abs=1e-9)
            np.testing.assert_allclose(P[i].T @ s.strategy[0][i], s.payoffs[i], atol=1e-12)


def test_ksbs_quarter_discs():
    """Unit quarter disc (two discs of radius 1/2), d given, I = (1, 1): u = d + t (I - d) with
    |u| = 1, a quadratic in t; and Ex. 55's ellipse sum with d = (p, p): the symmetric point."""
    ds = np.array([[0.5, 0.5], [0.2, 0.1], [0.0, 0.6], [-0.3, 0.2]])
    expect = []
    for d in ds:
        v = 1.0 - d
        t = (-(d @ v) + math.sqrt((d @ v) ** 2 + (v @ v) * (1 - d @ d))) / (v @ v)
        expect.append(d + t * v)
    p = 0.75
    b = np.ones((5, 2))
    c = np.array([[[0.5, 0.5]] * 2] * 4 + [[[p, 1 - p], [1 - p, p]]])
    d = np.concatenate([ds, [[p, p]]])
    expect.append([math.sqrt(p**2 + (1 - p) ** 2)] * 2)
    ks = _ks_sqrt(b, c, d)
    np.testing.assert_array_equal(ks.status, SUCCESS)
    assert np.all(ks.gap <= ks.tol)
    np.testing.assert_allclose(ks.payoffs, np.array(expect), rtol=1e-9)
    np.testing.assert_allclose(ks.payoffs[0], [math.sqrt(0.5)] * 2, rtol=1e-9)  # Ex. 54's point
    # eq. (8) on the strictly Pareto (smooth) frontier; every set here has ideal point (1, 1)
    I = np.ones((5, 2))
    ratios = (ks.payoffs - d) / (I - d)
    np.testing.assert_allclose(ratios[:, 0], ratios[:, 1], rtol=1e-9)


# ----------------------------------------------------- weighted sums: Example 7, Armstrong


EX7 = bj.separable_game([[[0.0, -3.0], [-1.0, 0.0]],   # player 1's actions a1, b1: (u1, u2)
                         [[0.0, 3.0], [-3.0, 2.0]]])   # player 2's actions a2, b2: (u1, u2)


def test_example_7_tables_and_variance_normalisation():
    outcomes = np.asarray(EX7.to_normal_form().outcomes)  # (a1,a2), (a1,b2), (b1,a2), (b1,b2)
    np.testing.assert_allclose(outcomes, [[0, 0], [-3, -1], [-1, 3], [-4, 2]])  # Table 2
    mu = outcomes.mean(axis=0)
    np.testing.assert_allclose(mu, [-2.0, 1.0])
    sum_sq = ((outcomes - mu) ** 2).sum(axis=0)
    np.testing.assert_allclose(sum_sq, [10.0, 10.0])  # the report's "variance"
    np.testing.assert_allclose((outcomes - mu) / sum_sq,  # Table 3
                               [[0.2, -0.1], [-0.1, -0.2], [0.1, 0.2], [-0.2, 0.1]])
    report_pick = np.argmax(((outcomes - mu) / sum_sq).sum(axis=1))
    for F in (bj.separable_set(EX7), bj.correlated_set(EX7.to_normal_form())):
        mean, sd = bj.outcome_moments(F)
        np.testing.assert_allclose(mean, mu)
        np.testing.assert_allclose(sd, np.sqrt(sum_sq / 4))  # population standard deviation
        sol = bj.variance_normalized(F)
        assert int(sol.status) == SUCCESS
        np.testing.assert_allclose(sol.payoffs, outcomes[report_pick])  # (b1, a2) = (-1, 3)
        np.testing.assert_allclose(sol.payoffs, [-1.0, 3.0])
        assert sol.payoffs[0] < outcomes[0, 0]  # player 1 is worse off than at (a1, a2)


def test_armstrong_example_7_and_individual_rationality_violation():
    F = bj.separable_set(EX7)
    # at the dominant outcome (a1, a2) = (0, 0) player 1 can gain nothing: no bargaining problem
    assert int(bj.armstrong(F, [0.0, 0.0]).status) == INFEASIBLE
    # from the uniform-play point d = μ = (-2, 1), I - d = (2, 2): the plain sum picks (b1, a2)
    sol = bj.armstrong(F, [-2.0, 1.0])
    np.testing.assert_allclose(sol.payoffs, [-1.0, 3.0])
    assert int(sol.status) == SUCCESS
    # App. A's objection: the normalised sum can leave a player below d although the NBS cannot
    P = np.array([[0.0, 0.0], [10.0, -5.0], [-5.0, 10.0], [6.0, -0.1]])
    sol = bj.armstrong(bj.polytope(P), [0.0, 0.0])
    np.testing.assert_allclose(sol.payoffs, [6.0, -0.1])  # scores 0.5, 0.5, 0.59
    assert sol.payoffs[1] < 0.0
    nbs, *_ = nbs3(_embed2(P)[None], np.zeros((1, 3)))
    assert np.all(nbs.payoffs[0][:2] > 0.0)


def test_utilitarian_known_answer():
    P = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 2.0], [3.0, 1.5]])
    sol = bj.utilitarian(bj.polytope(P), [1.0, 3.0])
    np.testing.assert_allclose(sol.payoffs, [3.0, 1.5])
    np.testing.assert_allclose(sol.weights, [0.25, 0.75])
    assert int(sol.status) == SUCCESS and float(sol.gap) <= float(sol.tol)


# ------------------------------------------------------------------------- gradients


def _fd_check(jac, fd, rtol, atol=1e-9):
    scale = max(np.abs(jac).max(), np.abs(fd).max())
    assert np.abs(jac - fd).max() <= rtol * scale + atol, (jac, fd)


def test_nbs_gradients_polytope_vs_finite_differences():
    """d payoffs / d(points, disagreement, weights) on random hulls whose NBS lies in the relative
    interior of a face (generic position; the support is checked to be stable under the steps)."""
    rng = _rng(20)
    X = np.abs(rng.normal(size=(16, K3, 3)))  # points near the unit sphere's positive orthant,
    P = X / np.linalg.norm(X, axis=2, keepdims=True) * rng.uniform(0.8, 1.0, (16, K3, 1))
    d = 0.2 * P.mean(axis=1)  # so that the NBS lies on edges and facets, not at vertices
    w = rng.uniform(0.5, 2.0, (16, 3))
    sol, jP, jd, jw = nbs3(P, d, w)
    np.testing.assert_array_equal(sol.status, SUCCESS)
    support_size = np.sum(sol.strategy[0] > 1e-9, axis=1)
    faces = [i for i in np.argsort(-support_size, kind="stable") if support_size[i] >= 2][:3]
    assert len(faces) == 3 and support_size[faces[0]] == 3  # at least one facet interior
    h = 1e-6
    for i in faces:
        rows_P, rows_d, rows_w = [], [], []
        for k in range(K3 * 3):
            E = np.zeros(K3 * 3)
            E[k] = h
            E = E.reshape(K3, 3)
            rows_P += [P[i] + E, P[i] - E]
        for k in range(3):
            rows_d += [d[i] + h * np.eye(3)[k], d[i] - h * np.eye(3)[k]]
            rows_w += [w[i] + h * np.eye(3)[k], w[i] - h * np.eye(3)[k]]
        nP, nd = len(rows_P), len(rows_d)
        PP = np.array(rows_P + [P[i]] * (2 * nd))
        dd = np.array([d[i]] * nP + rows_d + [d[i]] * nd)
        ww = np.array([w[i]] * (nP + nd) + rows_w)
        out, *_ = nbs3(PP, dd, ww)
        np.testing.assert_array_equal(out.status, SUCCESS)
        support = sol.strategy[0][i] > 1e-9
        assert np.all((out.strategy[0] > 1e-9) == support)  # the face did not change
        fd = (out.payoffs[0::2] - out.payoffs[1::2]) / (2 * h)
        fd_P = fd[:K3 * 3].reshape(K3, 3, 3).transpose(2, 0, 1)  # (n, K, n)
        _fd_check(jP[i], fd_P, 1e-5)
        _fd_check(jd[i], fd[K3 * 3:K3 * 3 + 3].T, 1e-5)
        _fd_check(jw[i], fd[K3 * 3 + 3:].T, 1e-5)
        assert np.abs(jP[i][:, ~support]).max() == 0.0  # unused points do not matter


def test_nbs_gradients_resource_set_vs_finite_differences():
    """d payoffs / d(budgets, coefficients, disagreement, weights) on Example 1's family."""
    insts = [(EX1_BUDGETS, EX1_COEF, EX1_D, np.ones(2)),
             (np.array([8.0, 6.0]), np.array([[1.2, 1.0], [0.8, 1.5]]), np.array([9.0, 3.0]),
              np.array([0.7, 1.3]))]
    h = 1e-6
    for b, c, d, w in insts:
        base = [b, c, d, w]
        rows = []
        for a, x in enumerate(base):
            for k in range(x.size):
                for sign in (1.0, -1.0):
                    y = [v.copy() for v in base]
                    y[a] = (x.ravel() + sign * h * np.eye(x.size)[k]).reshape(x.shape)
                    rows.append(y)
        rows.append(base)
        args = [np.array([r[a] for r in rows]) for a in range(4)]
        sol, jb, jc, jd, jw = _nbs_example1(*args)
        np.testing.assert_array_equal(sol.status, SUCCESS)
        fd = (sol.payoffs[0:-1:2] - sol.payoffs[1::2]) / (2 * h)  # (10, n)
        jac = np.concatenate([jb[-1], jc[-1].reshape(2, -1), jd[-1], jw[-1]], axis=1)  # (n, 10)
        _fd_check(jac, fd.T, 1e-5)


# ------------------------------------------------------------------------- transforms

_TRACES = {"n": 0}


def _nbs_single(P, d):
    _TRACES["n"] += 1
    return bj.nash_bargaining(bj.polytope(P), d)


_nbs_single_jit = jax.jit(_nbs_single)


def test_jit_equals_eager_vmap_equals_loop_and_no_recompile():
    P = _random_polytopes(30, 16)
    d = 0.1 * P.mean(axis=1)
    batch, *_ = nbs3(P, d)
    traces = _TRACES["n"]
    loop = [_nbs_single_jit(jnp.asarray(P[i]), jnp.asarray(d[i])) for i in range(16)]
    assert _TRACES["n"] == traces + 1  # 16 calls with new values: traced (and compiled) once
    if hasattr(_nbs_single_jit, "_cache_size"):
        assert _nbs_single_jit._cache_size() == 1
    for i, s in enumerate(loop):
        assert int(s.status) == SUCCESS
        np.testing.assert_allclose(s.payoffs, batch.payoffs[i], rtol=1e-10, atol=1e-12)
    eager = bj.nash_bargaining(bj.polytope(P[0]), d[0])
    assert int(eager.status) == SUCCESS
    np.testing.assert_allclose(eager.payoffs, loop[0].payoffs, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(eager.gap, loop[0].gap, atol=1e-12)


# -------------------------------------------------------------- infeasible and bad input


def test_infeasible_disagreement_under_jit_gives_status():
    seg = [[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]]
    cases = [([0.6, 0.6, 0.0], INFEASIBLE),  # each player alone can beat d, not both at once
             ([0.5, 0.5, 0.0], INFEASIBLE),  # d on the frontier: no strict improvement
             ([2.0, 2.0, 0.0], INFEASIBLE),  # beyond the ideal point
             ([1.0, 0.0, 0.0], INFEASIBLE),
             ([0.2, 0.2, 0.0], SUCCESS)]
    P = np.array([_embed2(seg)] * len(cases))
    d = np.array([c[0] for c in cases])
    sol, *_ = nbs3(P, d)
    np.testing.assert_array_equal(sol.status, [c[1] for c in cases])
    ks, eg = _ks_eg3(P, d)
    np.testing.assert_array_equal(ks.status[[0, 1, 2, 3]], INFEASIBLE)
    np.testing.assert_array_equal(eg.status[[0, 1, 2, 3]], INFEASIBLE)
    np.testing.assert_allclose(sol.payoffs[-1], [0.5, 0.5, 10.0], rtol=1e-9)


def test_ksbs_egalitarian_disagreement_on_frontier_is_infeasible():
    P = np.array([_embed2([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])] * 2)
    d = np.array([[0.5, 0.5, 0.0], [0.3, 0.7, 0.0]])
    ks, eg = _ks_eg3(P, d)
    np.testing.assert_array_equal(ks.status, INFEASIBLE)
    np.testing.assert_array_equal(eg.status, INFEASIBLE)


def test_ksbs_egalitarian_small_gains_are_not_infeasible():
    # d at relative distance δ below the frontier u1 + u2 = 1: a strict improvement exists, so
    # the max-min is solved (the old threshold t <= 10 tol called δ <= 1e-8 INFEASIBLE).
    deltas = np.array([1e-6, 1e-8, 1e-10, 1e-12])
    P = np.array([_embed2([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])] * len(deltas))
    d = np.column_stack([0.3 * (1 - deltas), 0.7 * (1 - deltas), np.zeros_like(deltas)])
    ks, eg = _ks_eg3(P, d)
    np.testing.assert_array_equal(ks.status, SUCCESS)
    np.testing.assert_array_equal(eg.status, SUCCESS)
    # Closed forms: equal absolute gains s/2 (egalitarian, the third player's gain is 10); the
    # KSBS ratio (u_i - d_i)/(I_i - d_i) equal for players 1 and 2, I = (1, 1).
    s = 1 - d[:, 0] - d[:, 1]
    np.testing.assert_allclose(eg.payoffs[:, :2] - d[:, :2], np.column_stack([s, s]) / 2,
                               rtol=1e-6, atol=1e-15)
    t = s / (2 - d[:, 0] - d[:, 1])
    ratios = (ks.payoffs[:, :2] - d[:, :2]) / (1 - d[:, :2])
    np.testing.assert_allclose(ratios, np.column_stack([t, t]), rtol=1e-6, atol=1e-15)


def test_nonfinite_input_under_jit_is_not_silent():
    P = np.array([_embed2(TRIANGLE)] * 2)
    P[1, 0, 0] = np.nan
    d = np.array([[np.nan, 0.0, 0.0], [0.0, 0.0, 0.0]])
    sol, *_ = nbs3(P, d)
    assert np.all(sol.status != SUCCESS)


SOLVERS_D = (bj.nash_bargaining, bj.kalai_smorodinsky, bj.egalitarian, bj.armstrong)


@pytest.mark.parametrize("d", [[5.0, 0.0],  # player 1's best payoff 4 does not exceed 5
                               [4.0, 0.0],  # d on the frontier (a vertex)
                               [2.0, 1.0]])  # d on the frontier (an edge)
def test_no_strict_improvement_is_infeasible_eager_and_jit(d):
    # One rule for every entry point: a result with status INFEASIBLE, never an exception.
    F = bj.polytope(TRIANGLE)
    for solver in SOLVERS_D:
        assert int(solver(F, d).status) == INFEASIBLE, solver.__name__
        assert int(jax.jit(solver)(F, jnp.asarray(d)).status) == INFEASIBLE, solver.__name__
        with pytest.raises(RuntimeError, match="infeasible"):
            bj.check(solver(F, d))


def test_no_joint_strict_improvement_is_infeasible():
    seg = bj.polytope([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    for solver in (bj.nash_bargaining, bj.kalai_smorodinsky, bj.egalitarian):
        assert int(solver(seg, [0.6, 0.6]).status) == INFEASIBLE, solver.__name__


@pytest.mark.parametrize("kwargs, match", [
    ({"disagreement": [0.0, 0.0, 0.0]}, "`disagreement`"),
    ({"disagreement": [[0.0, 0.0]]}, "`disagreement`"),
    ({"disagreement": [np.nan, 0.0]}, "`disagreement`"),
    ({"disagreement": [np.inf, 0.0]}, "`disagreement`"),
    ({"weights": [1.0, 0.0]}, "`weights`"),
    ({"weights": [1.0, -2.0]}, "`weights`"),
    ({"weights": [1.0, 1.0, 1.0]}, "`weights`"),
    ({"weights": [1.0, np.nan]}, "`weights`"),
    ({"F": np.array(TRIANGLE)}, "`F`"),
    ({"F": bj.bimatrix_game([[1.0, 0.0], [0.0, 1.0]])}, "`F`"),
])
def test_nash_bargaining_bad_input(kwargs, match):
    args = {"F": bj.polytope(TRIANGLE), "disagreement": [0.0, 0.0]}
    args.update(kwargs)
    F = args.pop("F")
    with pytest.raises(ValueError, match=match):
        bj.nash_bargaining(F, **args)


def test_other_solvers_bad_input():
    F = bj.polytope(TRIANGLE)
    for solver in (bj.kalai_smorodinsky, bj.egalitarian, bj.armstrong):
        with pytest.raises(ValueError, match="`disagreement`"):
            solver(F, [0.0])
        with pytest.raises(ValueError, match="`F`"):
            solver("not a set", [0.0, 0.0])
    with pytest.raises(ValueError, match="`weights`"):
        bj.utilitarian(F, [1.0, -1.0])
    with pytest.raises(ValueError, match="`F`"):
        bj.variance_normalized(bj.polytope([[1.0, 0.0], [1.0, 2.0]]))  # player 1 constant
    with pytest.raises(ValueError, match="`game`"):
        bj.security_levels(np.zeros((2, 2, 2)))


# ---------------------------------------------------------------------- security levels


def _as_three_player(A, B):
    """A 2x2 bimatrix game as a (2, 3, 2) three-player game with the same security levels for
    players 1 and 2: player 2's third action duplicates its first, player 3 is a dummy with two
    identical actions and payoff 0.  (One compiled shape serves every game below.)"""
    A3 = np.column_stack([A, A[:, :1]])
    B3 = np.column_stack([B, B[:, :1]])
    U = np.stack([A3, B3, np.zeros_like(A3)])  # (3, 2, 3)
    return np.repeat(U[..., None], 2, axis=-1)  # (3, 2, 3, 2)


def test_security_levels_vs_highs():
    rng = _rng(40)
    pd = _as_three_player(np.array([[3.0, 0.0], [5.0, 1.0]]), np.array([[3.0, 5.0], [0.0, 1.0]]))
    A_mp = np.array([[1.0, -1.0], [-1.0, 1.0]])
    mp = _as_three_player(A_mp, -A_mp)
    U = np.stack([pd, mp] + [rng.normal(size=(3, 2, 3, 2)) for _ in range(6)])
    games = [bj.normal_form_game(u) for u in U]
    stack = jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *games)
    out = jax.tree_util.tree_map(np.asarray, jax.jit(jax.vmap(bj.security_levels))(stack))
    np.testing.assert_array_equal(out.status, SUCCESS)
    np.testing.assert_allclose(out.levels[0], [1.0, 1.0, 0.0], atol=1e-9)  # prisoners' dilemma
    np.testing.assert_allclose(out.levels[1], [0.0, 0.0, 0.0], atol=1e-9)  # matching pennies
    for g in range(len(U)):
        for i in range(3):  # player i against the other two acting jointly
            Ui = np.moveaxis(U[g, i], i, 0).reshape(U.shape[2 + i], -1)
            assert out.levels[g, i] == pytest.approx(_maximin_lp(Ui), abs=1e-9)
            guarantee = np.min(out.strategies[i][g] @ Ui)  # the maximin strategy attains it
            assert guarantee == pytest.approx(out.levels[g, i], abs=1e-9)
