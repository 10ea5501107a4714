"""Tests of the dense batched LP solver ``solve_lp`` (oracle: scipy's HiGHS)."""

from __future__ import annotations

import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st
from scipy.optimize import linprog

from bargainjax.solvers._lp import LPSolution, default_tol, solve_lp
from bargainjax.core._contract import Status
from bargainjax.solvers._zero_sum import solve_zero_sum


def highs(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None):
    """scipy reference for ``max c^T x``: returns (status, value, x)."""
    res = linprog(-np.asarray(c), A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, method="highs")
    return res.status, (-res.fun if res.status == 0 else None), res.x


def random_lp(rng, m, n, m_eq=0, bounded=True):
    """A feasible LP with a known feasible point; right-hand sides of both signs."""
    A = rng.normal(size=(m, n))
    x0 = rng.uniform(0.0, 1.0, size=n)
    b = A @ x0 + rng.uniform(0.0, 1.0, size=m)
    if bounded:  # last row: sum x <= n keeps it bounded
        A[-1], b[-1] = 1.0, float(n)
    A_eq = rng.normal(size=(m_eq, n))
    b_eq = A_eq @ x0
    c = rng.normal(size=n)
    return c, A, b, A_eq, b_eq


def assert_certified(sol: LPSolution, tol=1e-8):
    assert int(sol.status) == Status.SUCCESSFUL
    assert float(sol.primal_residual) < tol
    assert float(sol.dual_residual) < tol
    assert float(sol.gap) < tol * (1 + abs(float(sol.value)))


def stack(problems):
    return [np.stack(a) for a in zip(*problems)]


# Most small problems are embedded in one common shape so that the suite compiles the solver
# once for all of them: extra variables get cost -1 (so they are 0 at any optimum), extra
# inequality rows are ``0 x <= 1`` (dual 0) and extra equality rows are ``0 x = 0`` (redundant
# rows, which also exercises artificials that can never leave the basis).
SMALL = dict(m_ub=4, m_eq=3, n=5)


def pad(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None):
    n0 = len(c)
    A_ub = np.zeros((0, n0)) if A_ub is None else np.asarray(A_ub, float)
    A_eq = np.zeros((0, n0)) if A_eq is None else np.asarray(A_eq, float)
    b_ub = np.zeros(0) if b_ub is None else np.asarray(b_ub, float)
    b_eq = np.zeros(0) if b_eq is None else np.asarray(b_eq, float)
    n, mu, me = SMALL["n"], SMALL["m_ub"], SMALL["m_eq"]
    cp = -np.ones(n)
    cp[:n0] = c
    Aup, bup = np.zeros((mu, n)), np.ones(mu)
    Aup[: len(b_ub), :n0], bup[: len(b_ub)] = A_ub, b_ub
    Aep, bep = np.zeros((me, n)), np.zeros(me)
    Aep[: len(b_eq), :n0], bep[: len(b_eq)] = A_eq, b_eq
    return cp, Aup, bup, Aep, bep


def solve_small(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, **kwargs):
    """``solve_lp`` on the problem embedded in ``SMALL``; returns the solution cut back."""
    sol = solve_lp(*pad(c, A_ub, b_ub, A_eq, b_eq), **kwargs)
    n0 = len(c)
    mu = 0 if b_ub is None else len(b_ub)
    me = 0 if b_eq is None else len(b_eq)
    padded_x = np.asarray(sol.x[n0:])
    assert np.all(np.abs(padded_x) < 1e-12) or int(sol.status) != Status.SUCCESSFUL
    return sol._replace(x=sol.x[:n0], dual_ub=sol.dual_ub[:mu], dual_eq=sol.dual_eq[:me])


# ----------------------------------------------------------------------------- known answers


def test_small_known_answer():
    # the docstring example
    sol = solve_small([1.0, 1.0], [[1.0, 2.0], [3.0, 1.0]], [4.0, 6.0])
    assert_certified(sol)
    np.testing.assert_allclose(sol.x, [1.6, 1.2], atol=1e-12)
    np.testing.assert_allclose(sol.value, 2.8, atol=1e-12)
    np.testing.assert_allclose(sol.dual_ub, [0.4, 0.2], atol=1e-12)


def test_negative_rhs_needs_phase_one():
    # min x1 + 2 x2 s.t. x1 + x2 >= 1, x1 - x2 >= -2 (as <= with negative b): x = (1, 0).
    sol = solve_small([-1.0, -2.0], [[-1.0, -1.0], [-1.0, 1.0]], [-1.0, 2.0])
    assert_certified(sol)
    np.testing.assert_allclose(sol.x, [1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(sol.value, -1.0, atol=1e-12)
    np.testing.assert_allclose(sol.dual_ub, [1.0, 0.0], atol=1e-12)


def test_equality_only_and_redundant_rows():
    # x1 + x2 + x3 = 1 written twice (rank deficient), plus x1 - x3 = 0, maximise x2 - x1;
    # unpadded, so this is also the ``m_ub = 0`` code path.
    A_eq = jnp.array([[1.0, 1, 1], [2, 2, 2], [1, 0, -1]])
    sol = solve_lp(jnp.array([-1.0, 1.0, 0.0]), A_eq=A_eq, b_eq=jnp.array([1.0, 2, 0]))
    assert_certified(sol)
    np.testing.assert_allclose(sol.x, [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(sol.value, 1.0, atol=1e-12)
    assert sol.dual_ub.shape == (0,) and sol.dual_eq.shape == (3,)
    padded = solve_small([-1.0, 1.0, 0.0], A_eq=A_eq, b_eq=[1.0, 2, 0])
    np.testing.assert_allclose(padded.value, 1.0, atol=1e-12)


def test_negative_equality_rhs():
    # -(x1 + x2 + x3) = -3, x2 <= 1, maximise x1 + 2 x2 - x3: x = (2, 1, 0).
    sol = solve_small([1.0, 2.0, -1.0], [[0.0, 1.0, 0.0]], [1.0], [[-1.0, -1.0, -1.0]], [-3.0])
    assert_certified(sol)
    np.testing.assert_allclose(sol.x, [2.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(sol.value, 4.0, atol=1e-12)


@pytest.mark.parametrize(
    "A_ub, b_ub, A_eq, b_eq",
    [
        ([[1.0, 1.0], [-1.0, -1.0]], [1.0, -3.0], None, None),  # x1 + x2 <= 1 and >= 3
        (None, None, [[1.0, 1.0]], [-1.0]),  # sum of non-negatives = -1
        ([[1.0, 0.0]], [1.0], [[1.0, 0.0], [1.0, 0.0]], [2.0, 2.0]),
    ],
)
def test_infeasible(A_ub, b_ub, A_eq, b_eq):
    sol = solve_small([1.0, 1.0], A_ub, b_ub, A_eq, b_eq)
    assert int(sol.status) == Status.INFEASIBLE
    assert float(sol.primal_residual) > 0.1


@pytest.mark.parametrize(
    "c, A_ub, b_ub, A_eq, b_eq",
    [
        ([1.0, 0.0], [[1.0, -1.0]], [1.0], None, None),
        ([1.0, 1.0], [[-1.0, -1.0]], [-2.0], None, None),  # needs phase 1 first
        ([0.0, 1.0], None, None, [[1.0, -1.0]], [1.0]),
        ([1.0, 2.0], None, None, None, None),  # only the padding's zero rows
    ],
)
def test_unbounded_is_degenerate(c, A_ub, b_ub, A_eq, b_eq):
    sol = solve_small(c, A_ub, b_ub, A_eq, b_eq)
    assert int(sol.status) == Status.DEGENERATE


def test_no_constraints_at_all():
    bounded = solve_lp(jnp.array([-1.0, 0.0]))
    assert_certified(bounded)
    np.testing.assert_allclose(bounded.x, 0.0)
    assert bounded.dual_ub.shape == (0,) and bounded.dual_eq.shape == (0,)
    assert int(solve_lp(jnp.array([-1.0, 1e-3])).status) == Status.DEGENERATE


def test_beale_cycling_example():
    # Beale (1955): cycles under textbook Dantzig's rule; optimum 5/4 at x = (1, 0, 1, 0).
    c = np.array([0.75, -20.0, 0.5, -6.0])
    A = np.array([[0.25, -8.0, -1.0, 9.0], [0.5, -12.0, -0.5, 3.0], [0.0, 0.0, 1.0, 0.0]])
    b = np.array([0.0, 0.0, 1.0])
    sol = solve_small(c, A, b)
    assert_certified(sol)
    np.testing.assert_allclose(sol.value, 1.25, atol=1e-12)
    np.testing.assert_allclose(sol.x, [1.0, 0.0, 1.0, 0.0], atol=1e-12)


def test_dantzig_pricing_agrees():
    """The textbook rule (``pricing="dantzig"``) on Beale's example and random small LPs."""
    c = np.array([0.75, -20.0, 0.5, -6.0])
    A = np.array([[0.25, -8.0, -1.0, 9.0], [0.5, -12.0, -0.5, 3.0], [0.0, 0.0, 1.0, 0.0]])
    sol = solve_small(c, A, np.array([0.0, 0.0, 1.0]), pricing="dantzig")
    assert_certified(sol)
    np.testing.assert_allclose(sol.value, 1.25, atol=1e-12)
    rng = np.random.default_rng(12)
    for _ in range(5):
        problem = random_lp(rng, SMALL["m_ub"], SMALL["n"], SMALL["m_eq"])
        a, b = solve_lp(*problem, pricing="dantzig"), solve_lp(*problem)
        assert_certified(a)
        np.testing.assert_allclose(a.value, b.value, rtol=1e-10)


def test_degenerate_ties_terminate():
    # Many zero right-hand sides and integer data in {-1, 0, 1}: massive ratio-test ties.
    rng = np.random.default_rng(3)
    m, n, B = 8, 5, 12
    problems = []
    for _ in range(B):
        A = rng.integers(-1, 2, size=(m, n)).astype(float)
        b = np.zeros(m)
        b[: m // 3] = 1.0
        A[-1], b[-1] = 1.0, 3.0
        c = rng.integers(-1, 3, size=n).astype(float)
        problems.append((c, A, b))
    sols = vsolve(*stack(problems))
    for i, (c, A, b) in enumerate(problems):
        status, value, _ = highs(c, A, b)
        assert status == 0
        assert int(sols.status[i]) == Status.SUCCESSFUL, i
        np.testing.assert_allclose(sols.value[i], value, atol=1e-9)
    assert int(jnp.max(sols.num_pivots)) < 20 * (m + n)


# ------------------------------------------------------------------- random LPs vs HiGHS

vsolve = jax.jit(jax.vmap(solve_lp))  # one jitted batch solver shared by the tests below
jsolve = jax.jit(solve_lp)


def check_against_highs(problems, sols):
    for i, (c, A, b, Ae, be) in enumerate(problems):
        status, value, _ = highs(c, A, b, Ae if len(be) else None, be if len(be) else None)
        assert status == 0
        assert int(sols.status[i]) == Status.SUCCESSFUL, i
        np.testing.assert_allclose(sols.value[i], value, rtol=1e-8, atol=1e-8)
        x = np.asarray(sols.x[i])
        assert np.all(x >= -1e-9) and np.all(A @ x <= b + 1e-8)
        np.testing.assert_allclose(Ae @ x, be, atol=1e-8)
        y = np.asarray(sols.dual_ub[i])
        assert np.all(y >= -1e-9)
        assert np.all(A.T @ y + Ae.T @ np.asarray(sols.dual_eq[i]) >= c - 1e-8)
        np.testing.assert_allclose(b @ y + be @ np.asarray(sols.dual_eq[i]), value, rtol=1e-8,
                                   atol=1e-8)
        np.testing.assert_allclose(c @ x, sols.value[i], atol=1e-12)


def test_random_lps_match_highs():
    """8 x 5 without equalities (``m_eq = 0``); equalities: ``test_vmap_equals_loop_batch_128``."""
    rng = np.random.default_rng(85)
    problems = [random_lp(rng, 8, 5) for _ in range(12)]
    sols = vsolve(*stack(problems)[:3])
    check_against_highs(problems, sols)


def test_random_20x30_batch_256_and_timing():
    """256 LPs with 20 constraints x 30 variables; prints (does not assert) the time per LP of
    ``jit(vmap(solve_lp))`` against a scipy HiGHS loop."""
    rng = np.random.default_rng(10)
    problems = [random_lp(rng, 20, 30) for _ in range(256)]
    cs, As, bs = (jnp.asarray(a) for a in stack(problems)[:3])
    sols = jax.block_until_ready(vsolve(cs, As, bs))
    check_against_highs(problems[::8], jax.tree.map(lambda a: a[::8], sols))
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        jax.block_until_ready(vsolve(cs, As, bs))
        times.append(time.perf_counter() - t0)
    t_jax = min(times) / 256
    t0 = time.perf_counter()
    for c, A, b, _, _ in problems[:64]:
        highs(c, A, b)
    t_highs = (time.perf_counter() - t0) / 64
    assert np.all(np.asarray(sols.status) == Status.SUCCESSFUL)
    print(f"\n[solve_lp timing] 256 LPs 20x30 f64: jit(vmap) {1e6 * t_jax:.1f} us/LP, "
          f"HiGHS loop {1e6 * t_highs:.1f} us/LP, ratio {t_highs / t_jax:.1f}x, "
          f"pivots median {int(jnp.median(sols.num_pivots))} max {int(jnp.max(sols.num_pivots))}")


@settings(max_examples=40, deadline=None)
@example(seed=1889, scale=1e-3, n_eq=0)
@given(seed=st.integers(0, 2**31 - 1), scale=st.sampled_from([1e-3, 1.0, 1e3]),
       n_eq=st.integers(0, 3))
def test_property_same_verdict_as_highs(seed, scale, n_eq):
    """Random LPs in the ``SMALL`` shape (feasible, infeasible or unbounded; ``n_eq`` equality
    rows, the rest zero): same verdict and value as HiGHS."""
    rng = np.random.default_rng(seed)
    c, A, b, A_eq, b_eq = pad(np.zeros(SMALL["n"]))
    A = np.round(rng.normal(size=A.shape), 1) * scale
    b = np.round(rng.normal(size=b.shape), 1) * scale
    A_eq[:n_eq] = np.round(rng.normal(size=(n_eq, SMALL["n"])), 1)
    b_eq[:n_eq] = A_eq[:n_eq] @ rng.uniform(0, 1, SMALL["n"]) if seed % 2 else rng.normal(
        size=n_eq)
    c = np.round(rng.normal(size=c.shape), 1)
    status, value, _ = highs(c, A, b, A_eq, b_eq)
    if status == 2 and highs(np.zeros_like(c), A, b, A_eq, b_eq)[0] == 0:
        status = 3  # HiGHS sometimes calls an unbounded LP infeasible (e.g. seed=1889, 1e-3)
    sol = solve_lp(c, A, b, A_eq, b_eq)
    expected = {0: Status.SUCCESSFUL, 2: Status.INFEASIBLE, 3: Status.DEGENERATE}[status]
    assert int(sol.status) == expected
    if status == 0:
        np.testing.assert_allclose(sol.value, value, rtol=1e-8, atol=1e-8)


# --------------------------------------------------------------- cross-checks and uses


def test_matrix_game_value_matches_solve_zero_sum():
    """val(M) = max v s.t. v <= (x^T M)_j, 1^T x = 1; the ``A_ub`` duals are the column mix."""
    rng = np.random.default_rng(7)
    for _ in range(3):
        M = rng.normal(size=(4, 4))
        shift = 1.0 - M.min()  # val(M + shift) > 0 so v >= 0 loses nothing
        c = np.array([0.0, 0, 0, 0, 1])
        A_ub = np.hstack([-(M + shift).T, np.ones((4, 1))])
        A_eq = np.array([[1.0, 1, 1, 1, 0]])
        sol = solve_small(c, A_ub, np.zeros(4), A_eq, np.ones(1))
        assert_certified(sol)
        zs = solve_zero_sum(jnp.asarray(M))
        np.testing.assert_allclose(sol.value - shift, zs.value, atol=1e-9)
        y = np.asarray(sol.dual_ub)
        np.testing.assert_allclose(y.sum(), 1.0, atol=1e-12)
        np.testing.assert_allclose(np.max(M @ y), zs.value, atol=1e-9)


def test_kalai_smorodinsky_minkowski_sum_lp():
    """max t s.t. sum_j P_j^T s_j - t sigma >= d, 1^T s_j = 1 (the intended downstream use):
    here two polytopes with two vertices each, for two players."""
    rng = np.random.default_rng(11)
    for _ in range(3):
        P = rng.uniform(0, 1, size=(2, 2, 2))  # (polytope j, vertex k, player i)
        d = np.array([0.3, 0.2])
        sigma = rng.uniform(0.5, 2.0, size=2)
        c = np.array([0.0, 0, 0, 0, 1])
        A_ub = np.hstack([-P[0].T, -P[1].T, sigma[:, None]])
        A_eq = np.array([[1.0, 1, 0, 0, 0], [0, 0, 1, 1, 0]])
        sol = solve_small(c, A_ub, -d, A_eq, np.ones(2))
        assert_certified(sol)
        _, value, _ = highs(c, A_ub, -d, A_eq, np.ones(2))
        np.testing.assert_allclose(sol.value, value, atol=1e-10)


# ------------------------------------------------------------------------ transforms


def test_jit_equals_eager_and_no_recompile():
    rng = np.random.default_rng(1)
    problems = [random_lp(rng, 4, 5, 3) for _ in range(3)]
    for problem in problems:
        eager = solve_lp(*problem)
        jitted = jsolve(*problem)
        for a, j in zip(eager, jitted):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(j))
    assert jsolve._cache_size() == 1
    # tol and max_pivots are traced: new values do not recompile
    f = jax.jit(solve_lp)
    before = f._cache_size()  # jit caches are shared by every wrapper of solve_lp
    for tol, cap in [(1e-9, 100), (1e-6, 50), (1e-3, 3)]:
        sol = f(*problems[0], tol=tol, max_pivots=cap)
        assert int(sol.num_pivots) <= cap
    assert f._cache_size() == before + 1
    assert int(sol.status) == Status.MAX_STEPS_REACHED


def test_vmap_over_tol():
    rng = np.random.default_rng(13)
    problem = random_lp(rng, 4, 5, 3)
    sols = jax.vmap(lambda t: solve_lp(*problem, tol=t))(jnp.array([1e-9, 1e-6]))
    np.testing.assert_allclose(sols.value[0], sols.value[1], rtol=1e-9)


def test_vmap_equals_loop_batch_128():
    """Batch of 128 (the size at which LAPACK-in-while_loop deadlocked): no hang, the same
    answers as one at a time, and HiGHS's (LPs with inequalities and equalities)."""
    rng = np.random.default_rng(2)
    problems = [random_lp(rng, 4, 5, 3) for _ in range(128)]
    batched = vsolve(*stack(problems))
    for i in range(0, 128, 11):
        one = solve_lp(*problems[i])
        for a, o in zip(batched, one):
            np.testing.assert_allclose(np.asarray(a[i]), np.asarray(o), rtol=1e-12, atol=1e-13)
    check_against_highs(problems, batched)
    # each lane stops on its own: pivot counts differ across the batch
    assert len(np.unique(np.asarray(batched.num_pivots))) > 1


def test_envelope_gradient_matches_finite_differences():
    """d value = dc^T x + y^T db - y^T dA x, checked against the solution and central finite
    differences (on instances where the optimum is non-degenerate, so the derivative exists)."""
    rng = np.random.default_rng(5)
    problems = [random_lp(rng, SMALL["m_ub"], SMALL["n"], SMALL["m_eq"]) for _ in range(8)]
    batch = [jnp.asarray(a) for a in stack(problems)]

    def value(*a):
        return solve_lp(*a).value

    grads = jax.jit(jax.vmap(jax.grad(value, argnums=(0, 1, 2, 3, 4))))(*batch)
    h = 1e-6
    checked = 0
    for k, args in enumerate(problems):
        sol = solve_lp(*args)
        assert_certified(sol)
        x, yu, ye = (np.asarray(a) for a in (sol.x, sol.dual_ub, sol.dual_eq))
        np.testing.assert_allclose(grads[0][k], x, atol=1e-12)
        np.testing.assert_allclose(grads[1][k], -np.outer(yu, x), atol=1e-12)
        np.testing.assert_allclose(grads[2][k], yu, atol=1e-12)
        np.testing.assert_allclose(grads[3][k], -np.outer(ye, x), atol=1e-12)
        np.testing.assert_allclose(grads[4][k], ye, atol=1e-12)
        slack = args[2] - args[1] @ x
        reduced = args[1].T @ yu + args[3].T @ ye - args[0]
        if not (np.all((slack > 1e-6) ^ (yu > 1e-6)) and np.all((x > 1e-6) ^ (reduced > 1e-6))):
            continue  # degenerate: only one-sided derivatives
        checked += 1
        for i, a in enumerate(args):
            direction = rng.normal(size=a.shape)
            plus, minus = list(args), list(args)
            plus[i], minus[i] = a + h * direction, a - h * direction
            fd = (solve_lp(*plus).value - solve_lp(*minus).value) / (2 * h)
            np.testing.assert_allclose(np.vdot(grads[i][k], direction), fd, rtol=1e-5, atol=1e-7)
    assert checked >= 3


# --------------------------------------------------------------------------- dtypes


def test_float32():
    rng = np.random.default_rng(8)
    problems = [random_lp(rng, 8, 5) for _ in range(12)]
    cs, As, bs = (a.astype(np.float32) for a in stack(problems)[:3])
    sols = vsolve(cs, As, bs)
    assert sols.x.dtype == jnp.float32 and sols.value.dtype == jnp.float32
    assert default_tol(jnp.float32) == 1e-5
    assert np.mean(np.asarray(sols.status) == Status.SUCCESSFUL) >= 0.9
    for i, (c, A, b, _, _) in enumerate(problems):
        _, value, _ = highs(c, A, b)
        np.testing.assert_allclose(sols.value[i], value, rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(c=np.ones((2, 2))), "`c` must have 1 dimension"),
        (dict(c=np.ones(0)), "`c` must have at least one"),
        (dict(c=np.ones(4), A_ub=np.ones((3, 5)), b_ub=np.ones(3)),
         r"`A_ub` must have shape \(m_ub, n\) = \(3, 4\), got \(3, 5\)"),
        (dict(c=np.ones(4), A_ub=np.ones((2, 4)), b_ub=np.ones(3)),
         r"`A_ub` must have shape \(m_ub, n\) = \(3, 4\), got \(2, 4\)"),
        (dict(c=np.ones(4), A_eq=np.ones((2, 3)), b_eq=np.ones(2)),
         r"`A_eq` must have shape \(m_eq, n\) = \(2, 4\), got \(2, 3\)"),
        (dict(c=np.ones(4), A_ub=np.ones(4), b_ub=np.ones(1)), "`A_ub` must have 2 dimension"),
        (dict(c=np.ones(4), A_ub=np.ones((1, 4)), b_ub=np.ones((1, 1))),
         "`b_ub` must have 1 dimension"),
        (dict(c=np.ones(4), A_ub=np.ones((1, 4))), "`b_ub` must be given together with `A_ub`"),
        (dict(c=np.ones(4), b_eq=np.ones(1)), "`A_eq` must be given together with `b_eq`"),
        (dict(c=np.array([1.0, np.nan])), "`c` contains NaN or inf"),
        (dict(c=np.ones(2), A_ub=np.array([[1.0, np.inf]]), b_ub=np.ones(1)),
         "`A_ub` contains NaN or inf"),
        (dict(c=np.ones(2), A_eq=np.ones((1, 2)), b_eq=np.array([np.nan])),
         "`b_eq` contains NaN or inf"),
        (dict(c=np.ones(2), tol=0.0), "`tol` must be positive"),
        (dict(c=np.ones(2), max_pivots=0), "`max_pivots` must be a positive integer"),
        (dict(c=np.ones(2), pricing="devex"), "`pricing` must be 'steepest' or 'dantzig'"),
        (dict(c=np.array(["a", "b"])), "`c` must"),
    ],
)
def test_bad_input_raises(kwargs, match):
    with pytest.raises(ValueError, match=match):
        solve_lp(**kwargs)


def test_nonfinite_under_jit_is_a_status():
    c, A, b, Ae, be = pad(np.array([1.0, np.nan]))
    sol = jsolve(c, A, b, Ae, be)
    assert int(sol.status) == Status.NONFINITE


def test_pivot_cap_is_max_steps_reached():
    rng = np.random.default_rng(9)
    sol = solve_lp(*random_lp(rng, SMALL["m_ub"], SMALL["n"], SMALL["m_eq"]), max_pivots=2)
    assert int(sol.status) == Status.MAX_STEPS_REACHED
    assert int(sol.num_pivots) == 2
