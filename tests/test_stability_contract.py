"""The result contract for the coalitional-stability results (ParetoMatrix, CoreMembership,
BlockingMargin, CoreNonemptiness, StableDisagreement): contract fields, status from ``certify``,
LPs posed in overflow-safe unit coordinates (so common affine maps of the payoffs, 1e-9..1e9
and shifts to 1e9 x range, give the affine image with the same status), and the work caps.

Oracles: scipy HiGHS on the blocking LP written from the definition (``highs_margin`` of
``test_stability``), brute force over pure options for eq. (62), report Table 7."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from test_stability import TABLE7, TABLE8, brute_force_pareto_matrix, highs_margin, parts_of

import bargainjax as bj
from bargainjax.core._contract import CONTRACT_FIELDS

X_IN = np.array([5.0, 5.0, 3.0])  # in Table 7's alpha-core (report Example 64)
X_OUT = np.array([13.0, 13.0, 17.0]) / 3  # the NBS, blocked by {1, 2} by 2/3


def _affine(parts, alpha, beta):
    """Payoffs u -> alpha u + beta (common): each part carries beta / n."""
    n = len(parts)
    return tuple(alpha * jnp.asarray(p) + beta / n for p in parts)


def _contract(r):
    for f in CONTRACT_FIELDS:
        assert f in r._fields, (type(r).__name__, f)
    assert np.shape(r.certificate) == np.shape(r.tol) == np.shape(r.status) == ()
    assert np.isfinite(float(r.certificate)) and np.isfinite(float(r.tol))
    if int(r.status) == 0:
        assert float(r.certificate) <= float(r.tol)


def test_every_result_follows_the_contract():
    parts = parts_of(TABLE7)
    results = [
        bj.pareto_matrix(parts),
        bj.core_membership(parts, jnp.asarray(X_IN)),
        bj.core_membership(parts, jnp.asarray(X_IN), "pareto"),
        bj.blocking_margin(parts, jnp.asarray(X_OUT), 0b011),
        bj.core_nonempty(parts),
        bj.stable_disagreement(parts),
        bj.stable_disagreement(parts, "alpha"),
    ]
    for r in results:
        _contract(r)
        assert int(r.status) == 0, type(r).__name__
    assert int(results[-1].num_steps) == 0 and float(results[-1].certificate) == 0.0
    assert int(results[0].num_steps) > 0 and int(results[1].num_steps) > 0


@pytest.mark.parametrize(("alpha", "shift"), [
    (1.0, 0.0), (1e-9, 0.0), (1e9, 0.0), (1e-9, 1e9), (1e9, -1e9), (1e300, 0.0), (3e-300, 0.0),
])
def test_common_affine_maps_give_the_affine_image(alpha, shift):
    parts = parts_of(TABLE7)
    rng = 9.0  # Table 7's total payoff range (0 .. 9 for each player)
    beta = shift * alpha * rng
    mapped = _affine(parts, alpha, beta)
    # data rounding of the shifted tables: eps |beta| / (alpha range)
    data = 16 * np.finfo(float).eps * (abs(shift) + 1)
    for x, in_core in ((X_IN, True), (X_OUT, False)):
        r = bj.core_membership(mapped, jnp.asarray(alpha * x + beta))
        _contract(r)
        assert int(r.status) == 0, (alpha, shift)
        # Core points lie on the frontier: the verdict on one is invariant only while the
        # data's own rounding stays below tol (a 1e9 x range shift rounds x by 2e-7 x range).
        if data < 1e-10:
            assert bool(r.in_core) == in_core, (alpha, shift)
        oracle = [highs_margin(parts, bj.alpha_matrix(parts), x, S) for S in range(1, 8)]
        np.testing.assert_allclose(np.asarray(r.margins[1:]) / alpha, oracle,
                                   atol=rng * (1e-9 + 1e2 * data))
    b = bj.blocking_margin(mapped, jnp.asarray(alpha * X_OUT + beta), 0b011)
    assert int(b.status) == 0
    assert float(b.margin) / alpha == pytest.approx(2 / 3, abs=rng * (1e-9 + 1e2 * data))
    # eq. (62): the same options are supported; the matrix maps along
    pm = bj.pareto_matrix(mapped)
    assert int(pm.status) == 0
    np.testing.assert_array_equal(pm.supported, bj.pareto_matrix(parts).supported)
    np.testing.assert_allclose((np.asarray(pm.matrix) - beta / 3) / alpha,
                               brute_force_pareto_matrix(parts), atol=rng * (1e-12 + data))
    d = bj.stable_disagreement(mapped, "alpha")
    d0 = bj.stable_disagreement(parts, "alpha")
    np.testing.assert_allclose((np.asarray(d.point) - beta) / alpha, d0.point,
                               atol=rng * (1e-12 + data))


def test_core_nonempty_under_scaling():
    parts = parts_of(TABLE8)
    ref = bj.core_nonempty(parts, "nash")  # report Example 66: the NE core is empty
    assert int(ref.status) == 0 and not bool(ref.nonempty) and float(ref.margin) < 0
    for alpha, shift in [(1e-9, 0.0), (1e9, 1e6)]:
        beta = shift * alpha * 15.0
        r = bj.core_nonempty(_affine(parts, alpha, beta), "nash")
        _contract(r)
        assert int(r.status) == 0 and not bool(r.nonempty)
        assert float(r.margin) / alpha == pytest.approx(float(ref.margin), rel=1e-6)


def test_float32_and_integer_tables():
    parts32 = tuple(jnp.asarray(t, jnp.float32) for t in TABLE7)
    r = bj.core_membership(parts32, jnp.asarray(X_IN, jnp.float32))
    _contract(r)
    assert r.margins.dtype == jnp.float32
    assert int(r.status) in (0, bj.Status.MAX_STEPS_REACHED)
    if int(r.status) == 0:
        assert bool(r.in_core)
    ints = tuple(np.asarray(t, int) for t in TABLE8)
    r = bj.core_membership(ints, jnp.asarray([4.0, 4.0, 5.0]))
    _contract(r)
    assert int(r.status) == 0


def _players(n, K=1):
    rng = np.random.default_rng(n)
    return tuple(rng.uniform(0, 1, (K, n)) for _ in range(n))


def test_work_caps_refuse_eagerly_and_name_the_keyword():
    with pytest.raises(ValueError, match=r"n = 11 .*max_players = 10.*`max_players`"):
        bj.core_membership(_players(11), np.zeros(11))
    with pytest.raises(ValueError, match="max_players"):
        bj.pareto_matrix(_players(11))
    with pytest.raises(ValueError, match="max_players"):
        bj.blocking_margin(_players(11), np.zeros(11), 1)
    with pytest.raises(ValueError, match="max_players"):
        bj.stable_disagreement(_players(11), "pareto")
    # closed forms are not capped
    assert bj.stable_disagreement(_players(11), "alpha").point.shape == (11,)
    with pytest.raises(ValueError, match=r"n = 5 .*max_players = 4.*`max_players`"):
        bj.core_nonempty(_players(5))
    with pytest.raises(ValueError, match="`max_candidates`"):
        bj.core_nonempty(parts_of(TABLE7), max_candidates=2)
    with pytest.raises(ValueError, match="`max_players` must be a positive integer"):
        bj.core_membership(parts_of(TABLE7), X_IN, max_players=0)
    # one line each
    try:
        bj.core_nonempty(_players(5))
    except ValueError as err:
        assert "\n" not in str(err)
