"""The result contract for ``solve_lp``: one dimensionless certificate (relative residuals and
gap, no absolute ``1 +`` terms), status from ``certify``, data scaled by 1e-300..1e300 without
overflow, float32 / integer data, NaN/inf.  Oracle: scipy HiGHS (``linprog``)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.optimize import linprog

import bargainjax as bj
from bargainjax.core._contract import CONTRACT_FIELDS, default_tol

_rng = np.random.default_rng(21)
# A fixed-shape family of bounded feasible LPs (one compilation): 6 inequalities, 2 equalities,
# 5 variables, right-hand sides of both signs.
_PROBLEMS = []
for _ in range(8):
    A = _rng.normal(size=(6, 5))
    x0 = _rng.uniform(0.0, 1.0, 5)
    b = A @ x0 + _rng.uniform(0.0, 1.0, 6)
    A[-1], b[-1] = 1.0, 5.0
    Ae = _rng.normal(size=(2, 5))
    _PROBLEMS.append((_rng.normal(size=5), A, b, Ae, Ae @ x0))


def _highs(c, A, b, Ae, be):
    res = linprog(-c, A_ub=A, b_ub=b, A_eq=Ae, b_eq=be, method="highs")
    assert res.status == 0, res.message
    return -res.fun, res.x


_jsolve = jax.jit(bj.solve_lp)


def test_contract_fields_and_alias():
    sol = bj.solve_lp(*_PROBLEMS[0])
    for f in CONTRACT_FIELDS:
        assert f in sol._fields
    assert sol.num_pivots is sol.num_steps
    assert int(sol.status) == 0
    assert 0 <= float(sol.certificate) <= float(sol.tol) <= 2 * default_tol(np.float64, "lp")
    # diagnostics kept as concept fields, in data units
    for f in ("primal_residual", "dual_residual", "gap"):
        assert float(getattr(sol, f)) <= 1e-9


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 7), st.floats(-150, 150), st.floats(-150, 150))
def test_scale_invariance_without_overflow(i, log_data, log_obj):
    """Scaling (A, b) by a and c by g leaves x, status and certificate; value scales by g.

    (The duals scale by g / a: the range keeps them normal, as an LP's answer must be.)"""
    c, A, b, Ae, be = _PROBLEMS[i]
    a, g = 10.0 ** log_data, 10.0 ** log_obj
    ref = _jsolve(c, A, b, Ae, be)
    sol = _jsolve(g * c, a * A, a * b, a * Ae, a * be)
    assert int(sol.status) == int(ref.status) == 0, (a, g)
    assert np.isfinite(float(sol.certificate)) and np.isfinite(float(sol.tol))
    assert float(sol.certificate) <= float(sol.tol)
    value, x = _highs(c, A, b, Ae, be)
    assert float(sol.value) / g == pytest.approx(value, rel=1e-8, abs=1e-8)
    np.testing.assert_allclose(sol.x, ref.x, rtol=1e-8, atol=1e-8)


def test_old_absolute_terms_no_longer_hide_errors():
    # A tiny LP (data 1e-12): max x s.t. x <= 1e-12.  The returned x must be right relative to
    # the data, not merely within 1e-9 absolute.
    sol = bj.solve_lp(np.array([1.0]), np.array([[1e-12]]) * 0 + 1.0, np.array([1e-12]))
    assert int(sol.status) == 0
    assert float(sol.value) == pytest.approx(1e-12, rel=1e-12)


def test_float32_and_integer_data():
    c, A, b, Ae, be = _PROBLEMS[1]
    sol = bj.solve_lp(*(a.astype(np.float32) for a in (c, A, b, Ae, be)))
    assert sol.x.dtype == jnp.float32
    assert int(sol.status) in (0, bj.Status.MAX_STEPS_REACHED)
    if int(sol.status) == 0:
        assert float(sol.certificate) <= float(sol.tol) <= 2 * default_tol(np.float32, "lp")
        assert float(sol.value) == pytest.approx(_highs(c, A, b, Ae, be)[0], rel=1e-4, abs=1e-4)
    # integers are cast to float
    sol = bj.solve_lp(np.array([1, 1]), np.array([[1, 2], [3, 1]]), np.array([4, 6]))
    assert int(sol.status) == 0 and float(sol.value) == pytest.approx(2.8, abs=1e-12)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nonfinite(bad):
    c, A, b, Ae, be = _PROBLEMS[2]
    A = A.copy()
    A[0, 0] = bad
    with pytest.raises(ValueError, match="`A_ub`"):
        bj.solve_lp(c, A, b, Ae, be)
    assert int(_jsolve(c, A, b, Ae, be).status) == bj.Status.NONFINITE


def test_tol_below_floor_is_imprecise():
    sol = bj.solve_lp(*_PROBLEMS[3], tol=1e-18)
    assert int(sol.status) == bj.Status.IMPRECISE


def test_eager_jit_vmap_agree():
    batch = [np.stack(a) for a in zip(*_PROBLEMS)]
    batched = jax.vmap(bj.solve_lp)(*batch)
    for i, p in enumerate(_PROBLEMS):
        eager, jitted = bj.solve_lp(*p), _jsolve(*p)
        for name in eager._fields:
            a = np.asarray(getattr(eager, name))
            np.testing.assert_allclose(a, np.asarray(getattr(jitted, name)), rtol=1e-12,
                                       atol=1e-14, err_msg=name)
            np.testing.assert_allclose(a, np.asarray(getattr(batched, name))[i], rtol=1e-9,
                                       atol=1e-12, err_msg=name)
