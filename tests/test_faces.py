"""Maximising faces, normal cones (supporting weights) and Minkowski sums.

Oracles: hand-derived edge normals of small polygons, the circle's normal (the point itself),
and numpy brute force over polytope vertices.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest

import bargainjax as bj

# A pentagon: frontier vertices (0, 3), (2, 2), (3, 0) plus the origin and (0, 0)-side points.
PENTAGON = np.array([[0.0, 0.0], [0.0, 3.0], [2.0, 2.0], [3.0, 0.0], [1.0, 0.0]])


def _edge_t(p, q):
    """First coordinate t of the normal (t, 1 - t) of the segment p-q (normalised to sum 1)."""
    d = np.asarray(q) - np.asarray(p)
    normal = np.array([-d[1], d[0]])
    normal = normal if normal.sum() > 0 else -normal
    return normal[0] / normal.sum()


def test_maximizing_face_vertex_and_edge():
    F = bj.polytope(PENTAGON)
    edge_normal = np.array([1.0, 2.0])  # the edge (0, 3)-(2, 2) has normal proportional to (1, 2)
    face = bj.maximizing_face(F, edge_normal)
    np.testing.assert_array_equal(np.asarray(face.members[0]), [False, True, True, False, False])
    assert int(face.dimension_bound) == 1
    assert float(face.value) == pytest.approx(6.0)
    vertex = bj.maximizing_face(F, np.array([1.0, 1.0]))
    np.testing.assert_array_equal(np.asarray(vertex.members[0]), [False, False, True, False, False])
    assert int(vertex.dimension_bound) == 0


def test_maximizing_face_of_minkowski_sum_is_sum_of_faces():
    parts = [np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.0, 2.0], [1.0, 1.0], [0.5, 0.5]])]
    F = bj.minkowski_sum(bj.polytope(parts[0]), bj.polytope(parts[1]))
    a = np.array([1.0, 1.0])
    face = bj.maximizing_face(F, a)
    for P, mask in zip(parts, face.members):
        scores = P @ a
        np.testing.assert_array_equal(np.asarray(mask), np.isclose(scores, scores.max()))
    assert float(face.value) == pytest.approx(sum((P @ a).max() for P in parts))
    assert int(face.dimension_bound) == 2  # both parts tie: an edge plus an edge


def test_maximizing_face_of_resource_set_with_tied_linear_goods():
    F = bj.resource_set(1.0, [[1.0, 1.0, 1.0]], production=("linear", "linear", "sqrt"))
    face = bj.maximizing_face(F, np.array([2.0, 2.0, 1.0]))
    # Weighted marginals: linear goods 2 each (tied), sqrt good 1/(2 sqrt y) = 2 at y = 1/16.
    np.testing.assert_array_equal(np.asarray(face.members[0]), [True, True, True])
    np.testing.assert_allclose(float(face.value), 2 * (1 - 1 / 16) + 0.25, rtol=1e-9)


@pytest.mark.parametrize("point, lo, hi", [
    ((2.0, 2.0), _edge_t((0, 3), (2, 2)), _edge_t((2, 2), (3, 0))),  # a vertex: an interval
    ((1.0, 2.5), _edge_t((0, 3), (2, 2)), _edge_t((0, 3), (2, 2))),  # inside an edge: one ray
])
def test_supporting_weights_interval_two_players(point, lo, hi):
    F = bj.polytope(PENTAGON)
    sw = bj.supporting_weights(F, np.array(point))
    assert int(sw.status) == int(bj.Status.SUCCESSFUL)
    np.testing.assert_allclose(np.asarray(sw.interval), [lo, hi], atol=1e-7)
    a = np.asarray(sw.weights)
    assert a @ np.array(point) == pytest.approx((PENTAGON @ a).max(), abs=1e-9)


def test_supporting_weights_smooth_frontier_is_the_normal():
    F = bj.resource_set(1.0, [[1.0, 1.0]], production="sqrt")  # quarter disc
    sw = bj.supporting_weights(F, np.array([0.6, 0.8]))
    np.testing.assert_allclose(np.asarray(sw.weights), [0.6 / 1.4, 0.8 / 1.4], atol=1e-7)
    assert float(sw.interval[1] - sw.interval[0]) < 1e-3  # sqrt(tol)-accurate on smooth sets
    assert int(sw.status) == int(bj.Status.SUCCESSFUL)


def test_supporting_weights_interior_point_is_not_supported():
    sw = bj.supporting_weights(bj.polytope(PENTAGON), np.array([1.0, 1.0]))
    assert float(sw.slack) == pytest.approx(1.0)  # (2, 2) beats (1, 1) by 1 in each coordinate
    assert int(sw.status) == int(bj.Status.INFEASIBLE)
    outside = bj.supporting_weights(bj.polytope(PENTAGON), np.array([3.0, 3.0]))
    assert float(outside.slack) < 0  # beyond the frontier: a weight vector separates it
    assert int(outside.status) == int(bj.Status.INFEASIBLE)


def test_supporting_weights_three_players_brute_force():
    rng = np.random.default_rng(3)
    P = rng.uniform(0.0, 1.0, (12, 3))
    a_true = np.array([0.2, 0.3, 0.5])
    u = P[np.argmax(P @ a_true)]  # a vertex exposed by a_true
    sw = bj.supporting_weights(bj.polytope(P), u)
    a = np.asarray(sw.weights)
    assert a.min() >= 0 and a.sum() == pytest.approx(1.0)
    assert a @ u == pytest.approx((P @ a).max(), abs=1e-9)
    assert np.all(np.isnan(np.asarray(sw.interval)))


def test_minkowski_sum_of_resource_sets_and_bad_mixes():
    A = bj.resource_set(2.0, [[1.0, 1.0]], production="sqrt")
    B = bj.resource_set(3.0, [[1.0, 2.0]], production="sqrt")
    S = bj.minkowski_sum(A, B)
    assert S.num_agents == 2
    a = jnp.array([1.0, 1.0])
    assert float(S.maximize(a).value) == pytest.approx(
        float(A.maximize(a).value) + float(B.maximize(a).value), rel=1e-12)
    with pytest.raises(ValueError, match="`sets`"):
        bj.minkowski_sum(A, bj.polytope(PENTAGON))
    with pytest.raises(ValueError, match="`sets`"):
        bj.minkowski_sum()
    with pytest.raises(ValueError, match="`weights`"):
        bj.maximizing_face(bj.polytope(PENTAGON), np.array([1.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="`point`"):
        bj.supporting_weights(bj.polytope(PENTAGON), np.array([1.0]))
