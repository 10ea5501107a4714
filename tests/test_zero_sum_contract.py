"""The result contract for zero-sum games (``solve_zero_sum`` both methods,
``solve_zero_sum_entropic``): one dimensionless certificate, status from ``certify``,
overflow-safe units, invariance under common affine maps, float32 / integer input, NaN/inf.

Oracles: closed forms (2x2 games without a saddle point: ``v = (ad - bc) / (a + d - b - c)``),
scipy HiGHS (``helpers.lp_value``) and the duality gap recomputed here in float64 numpy.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import duality_gap, lp_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bargainjax as bj
from bargainjax.core._contract import CONTRACT_FIELDS, default_tol

EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)


def _closed_form_2x2(M):
    """Value and strategies of a 2x2 game without a pure saddle point."""
    (a, b), (c, d) = np.asarray(M, np.float64)
    den = a + d - b - c
    p = (d - c) / den
    q = (d - b) / den
    return (a * d - b * c) / den, np.array([p, 1 - p]), np.array([q, 1 - q])


def _contract(sol):
    for f in CONTRACT_FIELDS:
        assert f in sol._fields, f
    cert, tol = np.asarray(sol.certificate), np.asarray(sol.tol)
    assert cert.shape == tol.shape == np.shape(sol.status) == np.shape(sol.num_steps)
    assert np.all(np.isfinite(tol)), tol


# ---------------------------------------------------------------------- issue's cases


@pytest.mark.parametrize("method", ["simplex", "mirror"])
def test_payoffs_near_1e308_are_solved_not_waved_through(method):
    # The case: tol * range was inf, so 2.5e307 passed.  True value 1e308 / 3.
    M = np.array([[1e308, 0.0], [-1e308, 1e308]])
    sol = bj.solve_zero_sum(M, method=method)
    _contract(sol)
    assert int(sol.status) == bj.Status.SUCCESSFUL
    assert np.isfinite(float(sol.certificate)) and float(sol.certificate) <= float(sol.tol)
    assert float(sol.tol) <= 2 * default_tol(np.float64, "zero_sum")
    assert float(sol.value) == pytest.approx(1e308 / 3, rel=1e-12)
    np.testing.assert_allclose(sol.row_strategy, [2 / 3, 1 / 3], atol=1e-12)
    np.testing.assert_allclose(sol.col_strategy, [1 / 3, 2 / 3], atol=1e-12)


def test_constant_300x300_certifies():
    sol = bj.solve_zero_sum(np.full((300, 300), 0.7))
    assert int(sol.status) == bj.Status.SUCCESSFUL
    assert float(sol.certificate) == 0.0
    assert float(sol.value) == pytest.approx(0.7, rel=1e-15)
    # and at any offset and magnitude
    for c in (-1e300, 3e-300, 1e9):
        sol = bj.solve_zero_sum(np.full((3, 4), c))
        assert int(sol.status) == 0 and float(sol.value) == c


@pytest.mark.parametrize("M", [
    [[1.0, -1.0], [-1.0, 1.0]],
    [[3.0, -2.0], [-1.0, 4.0]],
    [[1e308, 0.0], [-1e308, 1e308]],
    [[-1e308, 1e308], [1e308, -1e308]],
    [[1e-300, 0.0], [0.0, 1e-300]],
    [[1e-320, 0.0], [0.0, 1e-320]],
    [[1e308, 1e308 * (1 - 2**-50)], [1e308 * (1 - 2**-51), 1e308]],
])
def test_tol_and_certificate_finite_on_finite_input(M):
    for method in ("simplex", "mirror"):
        sol = bj.solve_zero_sum(np.asarray(M), method=method)
        _contract(sol)
        assert np.isfinite(float(sol.certificate)) and np.isfinite(float(sol.tol))
        assert np.isfinite(float(sol.value))
        assert int(sol.status) in (bj.Status.SUCCESSFUL, bj.Status.IMPRECISE)
    sol = bj.solve_zero_sum_entropic(np.asarray(M), 0.1 * np.max(np.abs(M)))
    assert np.isfinite(float(sol.certificate)) and np.isfinite(float(sol.tol))


def test_closed_form_2x2_at_every_scale():
    M = np.array([[3.0, -2.0], [-1.0, 4.0]])
    v, p, q = _closed_form_2x2(M)
    for scale in (1e-300, 1e-9, 1.0, 1e9, 1e300):
        sol = bj.solve_zero_sum(scale * M)
        assert int(sol.status) == 0, scale
        assert float(sol.value) == pytest.approx(scale * v, rel=1e-12)
        np.testing.assert_allclose(sol.row_strategy, p, atol=1e-12)
        np.testing.assert_allclose(sol.col_strategy, q, atol=1e-12)


# --------------------------------------------------------------- common affine invariance

_BASE = np.random.default_rng(7).uniform(-1.0, 1.0, (16, 3, 4))
_solve = jax.jit(bj.solve_zero_sum)
_solve_mirror = jax.jit(lambda M: bj.solve_zero_sum(M, method="mirror"))


def _check_affine(solve, M, alpha, beta):
    ref = solve(jnp.asarray(M))
    img = solve(jnp.asarray(alpha * M + beta))
    assert int(img.status) == int(ref.status) == bj.Status.SUCCESSFUL
    # The data's own rounding (eps |beta| / (alpha range)) bounds what can change.
    data = 8 * EPS64 * (abs(beta) / (alpha * np.ptp(M)) + 1)
    v = lp_value(M).value
    assert (float(img.value) - beta) / alpha == pytest.approx(v, abs=np.ptp(M) * (2e-9 + data))
    # Strategies of the image certify for M itself, to the data's rounding.
    gap = duality_gap(M, img.row_strategy, img.col_strategy) / np.ptp(M)
    assert gap <= float(img.tol) + 4 * data
    assert float(img.certificate) <= float(img.tol)
    np.testing.assert_allclose(img.tol, ref.tol, rtol=0)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 15), st.floats(-9, 9), st.floats(-1e9, 1e9))
def test_simplex_common_affine_invariance(i, log_alpha, shift):
    M = _BASE[i]
    alpha = 10.0 ** log_alpha
    beta = shift * alpha * np.ptp(M)
    _check_affine(_solve, M, alpha, beta)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 15), st.floats(-9, 9), st.floats(-1e9, 1e9))
def test_mirror_common_affine_invariance(i, log_alpha, shift):
    M = _BASE[i]
    alpha = 10.0 ** log_alpha
    beta = shift * alpha * np.ptp(M)
    _check_affine(_solve_mirror, M, alpha, beta)


def test_entropic_common_affine_invariance():
    # (alpha M + beta, alpha tau) has the same logit equilibrium as (M, tau).
    M, tau = _BASE[0], 0.1
    ref = bj.solve_zero_sum_entropic(M, tau)
    for alpha, shift in [(1e-9, 0.0), (1e9, 1e9), (1e-9, -1e9), (1e300, 0.0)]:
        beta = shift * alpha * np.ptp(M)
        img = bj.solve_zero_sum_entropic(alpha * M + beta, alpha * tau)
        assert int(img.status) == int(ref.status) == 0
        data = 8 * EPS64 * (abs(shift) + 1)
        atol = 1e-8 + 1e3 * data
        np.testing.assert_allclose(img.row_strategy, ref.row_strategy, atol=atol)
        np.testing.assert_allclose(img.col_strategy, ref.col_strategy, atol=atol)
        assert (float(img.value) - beta) / alpha == pytest.approx(
            float(ref.value), abs=np.ptp(M) * atol)
        assert float(img.duality_gap) == pytest.approx(float(ref.duality_gap), abs=atol)


# ------------------------------------------------------------------- dtypes and bad input


def test_float32_certifies_at_default_tol():
    Ms = np.random.default_rng(3).uniform(-1.0, 1.0, (64, 6, 5)).astype(np.float32)
    for shift, scale in [(0.0, 1.0), (0.0, 1e-9), (0.0, 1e9), (1e3, 1.0)]:
        batch = (scale * Ms + shift).astype(np.float32)
        sols = jax.vmap(bj.solve_zero_sum)(jnp.asarray(batch))
        assert sols.value.dtype == jnp.float32
        assert np.all(np.asarray(sols.status) == 0), (shift, scale)
        assert np.all(np.asarray(sols.tol) <= 2 * default_tol(np.float32, "zero_sum"))
        for M, x, y, v in zip(Ms[:4], sols.row_strategy, sols.col_strategy, sols.value):
            # against the float32 data's own rounding (shift 1e3 costs 1e3 eps32 / range)
            rng = float(np.ptp(M.astype(np.float64)))
            data = 4 * EPS32 * (abs(shift) / (scale * rng) + 1)
            assert duality_gap(M, x, y) / rng <= 2e-6 + 4 * data
            assert (float(v) - shift) / scale == pytest.approx(
                lp_value(M).value, abs=rng * (4e-6 + 4 * data))
    sol = bj.solve_zero_sum_entropic(Ms[0], np.float32(0.1))
    assert sol.value.dtype == jnp.float32 and int(sol.status) == 0


def test_integer_and_half_precision_matrices():
    M = np.array([[3, -2], [-1, 4]])
    v, p, q = _closed_form_2x2(M)
    sol = bj.solve_zero_sum(M)
    assert int(sol.status) == 0 and float(sol.value) == pytest.approx(v, abs=1e-12)
    np.testing.assert_allclose(sol.row_strategy, p, atol=1e-12)
    sol = bj.solve_zero_sum(jnp.asarray(M, jnp.float16))
    assert sol.value.dtype == jnp.float32 and int(sol.status) == 0
    sol = bj.solve_zero_sum_entropic(M, 1)
    assert int(sol.status) == 0


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_input(bad):
    M = np.array([[1.0, 0.0], [0.0, 1.0]])
    M[0, 1] = bad
    with pytest.raises(ValueError, match="`M`"):
        bj.solve_zero_sum(M)
    with pytest.raises(ValueError, match="`M`"):
        bj.solve_zero_sum_entropic(M, 0.1)
    for method in ("simplex", "mirror"):
        sol = jax.jit(lambda A: bj.solve_zero_sum(A, method=method))(jnp.asarray(M))
        assert int(sol.status) == bj.Status.NONFINITE
    sol = jax.jit(lambda A: bj.solve_zero_sum_entropic(A, 0.1))(jnp.asarray(M))
    assert int(sol.status) == bj.Status.NONFINITE


def test_tol_below_rounding_floor_is_imprecise_and_cheap():
    M = _BASE[1]
    sol = bj.solve_zero_sum(M, tol=1e-20)
    assert int(sol.status) == bj.Status.IMPRECISE
    sol = bj.solve_zero_sum(M, tol=1e-20, method="mirror", max_steps=100_000)
    assert int(sol.status) == bj.Status.IMPRECISE
    assert int(sol.num_steps) < 1000  # no first-order steps burnt on an impossible target
    with pytest.raises(RuntimeError, match="imprecise"):
        bj.check(sol)


# --------------------------------------------------------------------- transforms


@pytest.mark.parametrize("method", ["simplex", "mirror"])
def test_eager_jit_vmap_agree(method):
    Ms = np.concatenate([_BASE[:3], 1e300 * _BASE[3:4], 1e9 * _BASE[4:5] + 1e17])

    def f(M):
        return bj.solve_zero_sum(M, method=method)

    batched = jax.vmap(f)(jnp.asarray(Ms))
    for i, M in enumerate(Ms):
        eager, jitted = f(M), jax.jit(f)(jnp.asarray(M))
        for name in eager._fields:
            a, b = (np.asarray(getattr(s, name)) for s in (eager, jitted))
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, err_msg=name)
            c = np.asarray(getattr(batched, name))[i]
            # rounding-level differences only (batched reductions sum in another order)
            atol = 1e-13 * np.max(np.abs(M)) if name == "value" else 1e-13
            np.testing.assert_allclose(a, c, rtol=1e-12, atol=atol, err_msg=name)
        _contract(eager)


def test_entropic_eager_jit_vmap_agree():
    taus = jnp.array([0.5, 0.1, 0.05])
    M = jnp.asarray(_BASE[2])
    batched = jax.vmap(lambda t: bj.solve_zero_sum_entropic(M, t))(taus)
    for i, t in enumerate(taus):
        eager = bj.solve_zero_sum_entropic(M, t)
        jitted = jax.jit(bj.solve_zero_sum_entropic)(M, t)
        _contract(eager)
        for name in eager._fields:
            a = np.asarray(getattr(eager, name))
            np.testing.assert_allclose(a, np.asarray(getattr(jitted, name)), rtol=1e-10,
                                       atol=1e-13, err_msg=name)
            np.testing.assert_allclose(a, np.asarray(getattr(batched, name))[i], rtol=1e-10,
                                       atol=1e-13, err_msg=name)


def test_deprecated_aliases():
    sol = bj.solve_zero_sum(_BASE[0])
    assert sol.gap is sol.certificate
    ent = bj.solve_zero_sum_entropic(_BASE[0], 0.1)
    assert ent.residual is ent.certificate and ent.gap is ent.duality_gap
    # the certificate is the gap relative to the range, recomputed here
    gap = duality_gap(_BASE[0], sol.row_strategy, sol.col_strategy)
    assert float(sol.certificate) == pytest.approx(gap / np.ptp(_BASE[0]), abs=1e-15)
