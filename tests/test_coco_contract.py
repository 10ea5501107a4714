"""The result contract for coalition fights, CoCo values and CoCo equilibria.

Every check is against an independent oracle (HiGHS fight values, brute force) or an exact
symmetry of the concept, never against numbers copied from the code:

* contract fields (``certificate``, ``tol``, ``status``, ``num_steps``) and the deprecated
  aliases on every result type of these modules;
* SUCCESSFUL ⇒ certificate ≤ tol ⇒ the payoffs agree with the HiGHS oracle to within the
  certificate (per player, relative to that player's payoff range);
* per-player affine changes of units (α_i from 1e-9 to 1e9, offsets up to 1e9 × α_i range_i)
  give the affine image with the same status (CoCo value with the weights mapped to a_i/α_i,
  CoCo equilibrium);
* extreme weights (a ratio that underflows) give NONFINITE, never a SUCCESSFUL non-finite
  payoff;
* float32 and integer payoffs: certified at the float32 tolerance or an honest status, never
  a raw error;
* work caps (``max_coalitions``, ``max_players``, ``max_faces``) refuse eagerly with a one-line
  error naming the keyword.

Game shapes are kept to a few (2x2 two-player, 2x2x2 three-player) so that the solvers compile
once per shape and dtype.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bargainjax as bj
from helpers import coco_value_oracle

CONTRACT = ("certificate", "tol", "status", "num_steps")


def _ranges(U):
    flat = np.asarray(U, float).reshape(U.shape[0], -1)
    return flat.max(1) - flat.min(1)


def _game(seed, shape):
    return np.random.default_rng(seed).uniform(-1.0, 1.0, shape)


def _affine(U, alpha, beta):
    sh = (-1,) + (1,) * (U.ndim - 1)
    return alpha.reshape(sh) * U + beta.reshape(sh)


# ------------------------------------------------------------------- contract fields


def test_contract_fields_and_aliases():
    U = _game(0, (2, 2, 2))
    cv = bj.coalition_values(U)
    co = bj.coco_value(U)
    for r in (cv, co):
        for f in CONTRACT:
            assert f in r._fields
        assert np.shape(r.certificate) == () and np.shape(r.status) == ()
        assert float(r.gap) == float(r.certificate)  # deprecated alias
        assert float(r.certificate) <= float(r.tol)
        assert int(r.status) == 0
    eq = bj.coco_equilibrium(U)
    for f in CONTRACT:
        assert f in eq._fields
    assert float(eq.certificate) <= float(eq.tol) and int(eq.status) == 0
    eqs = bj.coco_equilibria(U)
    for f in CONTRACT:
        assert f in eqs._fields
    assert int(eqs.status) == int(bj.batch_status([int(s.status) for s in eqs.solutions]))
    assert float(eqs.certificate) == float(eqs.solutions[0].certificate)


def test_coalition_values_certificate_against_highs():
    U = _game(1, (3, 2, 2, 2))
    a = np.array([0.7, 1.3, 2.0])
    cv = bj.coalition_values(U, a)
    _, V = coco_value_oracle(U, a)
    assert int(cv.status) == 0 and float(cv.certificate) <= float(cv.tol)
    # certificate = max fight gap / Σ a_i range_i bounds every value's error.
    bound = (float(cv.certificate) + 1e-12) * float(np.sum(a * _ranges(U)))
    assert np.max(np.abs(np.asarray(cv.values) - V)) <= bound + 1e-12


def test_coco_value_certificate_bounds_payoff_error():
    U = _game(2, (3, 2, 2, 2))
    a = np.array([1.0, 0.01, 5.0])  # imbalanced weights: per-player units matter
    res = bj.coco_value(U, a)
    phi, _ = coco_value_oracle(U, a)
    assert int(res.status) == 0 and float(res.certificate) <= float(res.tol)
    err = np.abs(np.asarray(res.payoffs) - phi / a) / _ranges(U)
    assert np.all(err <= float(res.certificate) + 1e-9)
    np.testing.assert_allclose(np.asarray(res.value), phi, atol=1e-9)


# --------------------------------------------------------------- scale-safe units


_log_alpha = st.floats(-9.0, 9.0)
_offset = st.floats(-1e9, 1e9)


@settings(max_examples=15, deadline=None)
@given(la=st.tuples(_log_alpha, _log_alpha), k=st.tuples(_offset, _offset),
       seed=st.integers(0, 10))
def test_coco_value_per_player_affine_invariance(la, k, seed):
    U = _game(seed, (2, 2, 2))
    a = np.array([1.0, 0.5])
    alpha = 10.0 ** np.array(la)
    beta = np.array(k) * alpha * _ranges(U)
    base = bj.coco_value(U, a)
    moved = bj.coco_value(_affine(U, alpha, beta), a / alpha)
    assert int(moved.status) == int(base.status) == 0
    # Same answer in each player's units, up to the rounding of the data (eps |k| in the
    # shifted player's units, which reaches every player through the fights).
    err = np.abs(np.asarray(moved.payoffs) - (alpha * np.asarray(base.payoffs) + beta))
    slack = 1e-9 + 1e-14 * np.max(np.abs(np.array(k)))
    assert np.all(err / (alpha * _ranges(U)) <= slack)
    assert abs(float(moved.certificate) - float(base.certificate)) <= 1e-9


def test_coco_value_huge_payoffs_no_overflow():
    # Payoff ranges near 1e308: max - min overflows, the unit coordinates do not.
    U = _game(3, (2, 2, 2))
    big = bj.coco_value(U * 1e307)
    ref = bj.coco_value(U)
    assert int(big.status) == 0
    np.testing.assert_allclose(np.asarray(big.payoffs) / 1e307, np.asarray(ref.payoffs),
                               atol=1e-9)


@pytest.mark.parametrize("weights", [[1e-320, 1.0], [1.0, 1e-320], [1e-300, 1e300],
                                     [5e-324, 1.7e308]])
def test_extreme_weights_never_successful_nonfinite(weights):
    U = np.array([[[2.0, 2.0], [0.0, 4.0]], [[1.0, 0.0], [3.0, 2.0]]])
    res = bj.coco_value(U, weights)
    finite = np.all(np.isfinite(np.asarray(res.payoffs))) and np.all(
        np.isfinite(np.asarray(res.value)))
    if int(res.status) == 0:
        assert finite and float(res.certificate) <= float(res.tol)
    else:
        assert int(res.status) in (int(bj.Status.NONFINITE), int(bj.Status.IMPRECISE),
                                   int(bj.Status.MAX_STEPS_REACHED))
    if not finite:
        assert int(res.status) == int(bj.Status.NONFINITE)


def test_subnormal_weight_ratio_is_nonfinite():
    U = np.array([[[2.0, 2.0], [0.0, 4.0]], [[1.0, 0.0], [3.0, 2.0]]])
    res = bj.coco_value(U, [1e-320, 1.0])
    assert int(res.status) == int(bj.Status.NONFINITE)


@settings(max_examples=4, deadline=None)
@given(la=st.tuples(_log_alpha, _log_alpha), k=st.tuples(st.floats(-1e6, 1e6),
                                                          st.floats(-1e6, 1e6)))
def test_coco_equilibrium_per_player_affine_invariance(la, k):
    U = np.array([[[3.0, 0.0], [0.0, 2.0]], [[2.0, 0.0], [1.0, 3.0]]])
    alpha = 10.0 ** np.array(la)
    beta = np.array(k) * alpha * _ranges(U)
    base = bj.coco_equilibrium(U)
    moved = bj.coco_equilibrium(_affine(U, alpha, beta))
    assert int(moved.status) == int(base.status) == 0
    err = np.abs(np.asarray(moved.payoffs) - (alpha * np.asarray(base.payoffs) + beta))
    assert np.all(err / (alpha * _ranges(U)) <= 1e-6)
    w = np.asarray(base.weights) / alpha
    np.testing.assert_allclose(np.asarray(moved.weights), w / w.sum(), rtol=1e-6)


# ------------------------------------------------------------------ float32, integers


@pytest.mark.slow  # heavy compile; runs in the CI slow step
def test_float32_and_integer_payoffs():
    U = np.array([[[3.0, 0.0], [0.0, 2.0]], [[2.0, 0.0], [1.0, 3.0]]])
    phi, V = coco_value_oracle(U, np.ones(2))
    for game in (U.astype(np.float32), U.astype(np.int32)):
        co = bj.coco_value(game)
        cv = bj.coalition_values(game)
        assert int(co.status) == 0 and int(cv.status) == 0
        assert float(co.certificate) <= float(co.tol)
        np.testing.assert_allclose(np.asarray(co.payoffs, float), phi, atol=1e-4)
        np.testing.assert_allclose(np.asarray(cv.values, float), V, atol=1e-4)
    ref = bj.coco_equilibrium(U)
    for game in (U.astype(np.float32), U.astype(np.int32)):
        eq = bj.coco_equilibrium(game)
        assert int(eq.status) == 0 and float(eq.certificate) <= float(eq.tol)
        np.testing.assert_allclose(np.asarray(eq.payoffs, float), np.asarray(ref.payoffs),
                                   atol=3e-3 * 3)
        eqs = bj.coco_equilibria(game)
        assert int(eqs.status) == 0
        np.testing.assert_allclose(np.asarray(eqs.solutions[0].payoffs, float),
                                   np.asarray(ref.payoffs), atol=3e-3 * 3)


@pytest.mark.slow
def test_float32_three_player_equilibrium_honest():
    U = _game(5, (3, 2, 2, 2)).astype(np.float32)
    eq = bj.coco_equilibrium(U)
    status = int(eq.status)
    if status == 0:
        assert float(eq.certificate) <= float(eq.tol)
        assert np.all(np.isfinite(np.asarray(eq.payoffs)))
    else:
        assert status in {int(s) for s in bj.Status}


# ------------------------------------------------------------------------ work caps


def test_work_caps_refuse_eagerly():
    big = np.zeros((20,) + (1,) * 20)
    for fn in (bj.coco_value, bj.coalition_values):
        with pytest.raises(ValueError, match="max_coalitions") as info:
            fn(big)
        assert "\n" not in str(info.value) and "raise the limit" in str(info.value)
    with pytest.raises(ValueError, match="max_coalitions"):
        bj.coco_value(np.zeros((13,) + (1,) * 13))
    six = np.zeros((6,) + (1,) * 6)
    for fn in (bj.coco_equilibrium, bj.coco_equilibria):
        with pytest.raises(ValueError, match="max_players") as info:
            fn(six)
        assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="max_players"):
        bj.coalition_perfect_search(np.zeros((7,) + (1,) * 7))
    with pytest.raises(ValueError, match="max_faces") as info:
        bj.coco_equilibria(_game(6, (3, 2, 2, 3)), max_faces=100)
    assert "enumerate_faces=False" in str(info.value)


def test_work_cap_can_be_raised():
    # One action each: the fights are 1x1, so a raised cap is cheap to exercise.
    U = np.arange(3.0).reshape(3, 1, 1, 1)
    res = bj.coco_value(U, max_coalitions=8)
    assert int(res.status) == 0
    np.testing.assert_allclose(np.asarray(res.payoffs), [0.0, 1.0, 2.0], atol=1e-12)
    with pytest.raises(ValueError, match="max_coalitions"):
        bj.coco_value(U, max_coalitions=4)
    with pytest.raises(ValueError, match="`max_coalitions`"):
        bj.coco_value(U, max_coalitions="many")


def test_closed_forms_validate_length():
    for fn, name in ((bj.shapley_value, "`v`"), (bj.harsanyi_dividends, "`u`"),
                     (bj.from_dividends, "`w`")):
        for bad in (np.zeros(3), np.zeros(0), np.zeros(6)):
            with pytest.raises(ValueError, match=name):
                fn(bad)
    np.testing.assert_allclose(bj.shapley_value(np.array([0, 1, 2, 5])), [2.0, 3.0])


def test_coalition_perfect_search_contract_and_common_scale():
    # n = 2: condition 4 at N is the CoCo equilibrium, which exists, so the search certifies.
    G = np.random.default_rng(5).normal(size=(2, 3, 3))
    res = bj.coalition_perfect_search(G, num_starts=1, key=0, max_evaluations=150)
    for f in CONTRACT:
        assert f in res._fields
    assert int(res.status) == 0 and res.is_equilibrium
    assert res.certificate <= res.tol
    assert res.certificate >= res.residual and res.certificate >= res.fight_gap / res.scale
    # A common change of scale with per-player shifts: the same search, mapped.
    t, beta = 1e9, np.array([3e14, -7e15])
    moved = bj.coalition_perfect_search(t * G + beta[:, None, None], num_starts=1, key=0,
                                        max_evaluations=150)
    assert int(moved.status) == int(res.status)
    # (The weights need not agree: at a vertex of F every normal in its cone is a fixed point.)
    np.testing.assert_allclose(moved.payoffs[3], t * res.payoffs[3] + beta, atol=1e-5 * t)
