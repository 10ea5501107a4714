"""``bargainjax.plot``: the picture of a bargaining problem, read back from the Axes.

Every drawn element carries a ``gid``; the tests find the artists by it and check their data
against independent computations: hulls against Qhull (scipy), the Pareto frontier against a
domination LP (scipy HiGHS), supporting lines and lines of threats against their equations.
These tests draw given points (mappings, hand-built results) and compile no solver; the test
that the marked points are where the library's solvers put them, and that
``bargainjax solve --plot`` writes the picture, is in ``tests/test_cli.py``, beside the other
tests of the same 2x2 solvers, which it reuses compiled.
"""

import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy.optimize import linprog  # noqa: E402
from scipy.spatial import ConvexHull  # noqa: E402

import bargainjax as bj  # noqa: E402
from bargainjax import _plotting  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Ann's and Bob's payoffs of a 3x2 game; its outcome points (rows first):
# (4,3) (1,5) (6,1) (0,0) (2,0) (2,1).
U = np.array([[[4.0, 1.0], [6.0, 0.0], [2.0, 2.0]],
              [[3.0, 5.0], [1.0, 0.0], [0.0, 1.0]]])
OUTCOMES = np.moveaxis(U, 0, -1).reshape(-1, 2)

# A 2x2x2 game: outcome points (1,0,0) (0,1,0) (0,0,1) (1,1,1) (2,0,0) (0,2,0) (0,0,2) (1,1,0)
# in C order of the joint actions.
THREE = np.moveaxis(np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [2, 0, 0], [0, 2, 0],
                              [0, 0, 2], [1, 1, 0]], float).reshape(2, 2, 2, 3), -1, 0)


def _figure_ax(three=False):
    return Figure().add_subplot(projection="3d" if three else None)


def _artist(ax, gid):
    found = [a for a in ax.get_children() if a.get_gid() == gid]
    assert len(found) == 1, f"{len(found)} artists with gid {gid!r}"
    return found[0]


def _qhull_vertices(points):
    return {tuple(p) for p in points[ConvexHull(points).vertices]}


def _dominated(v, points):
    """Whether some point of conv(points) dominates v: max sum(P^T lam - v) s.t. P^T lam >= v,
    lam in the simplex (scipy HiGHS)."""
    P = np.asarray(points, float)
    res = linprog(-P.sum(1), A_ub=-P.T, b_ub=-np.asarray(v, float), A_eq=np.ones((1, len(P))),
                  b_eq=[1.0], bounds=[(0, None)] * len(P), method="highs")
    assert res.status == 0, res.message
    return -res.fun - np.sum(v) > 1e-9


@pytest.mark.parametrize("seed", range(6))
def test_hull_and_frontier_2d_match_qhull_and_the_domination_lp(seed):
    rng = np.random.default_rng(seed)
    pts = rng.integers(0, 6, size=(12, 2)).astype(float)  # duplicates and collinear points
    H = _plotting.hull_2d(pts)
    assert {tuple(p) for p in H} == _qhull_vertices(pts)
    assert len(H) == len({tuple(p) for p in H})
    e, f = np.roll(H, -1, 0) - H, np.roll(H, -2, 0) - np.roll(H, -1, 0)
    cross = e[:, 0] * f[:, 1] - e[:, 1] * f[:, 0]
    assert np.all(cross > 0)  # counter-clockwise, strictly convex
    front = _plotting.pareto_chain_2d(H)
    assert np.all(np.diff(front[:, 0]) < 0) and np.all(np.diff(front[:, 1]) > 0)
    for v in H:  # the chain holds exactly the undominated vertices
        assert (tuple(v) in {tuple(p) for p in front}) == (not _dominated(v, pts))


@pytest.mark.parametrize("seed", range(3))
def test_hull_3d_matches_qhull(seed):
    pts = np.random.default_rng(seed).integers(0, 5, size=(14, 3)).astype(float)
    facets = _plotting.hull_3d(pts)
    hull = ConvexHull(pts)
    assert {tuple(p) for f, _ in facets for p in f} == _qhull_vertices(pts)
    ours = {tuple(np.round(np.r_[n, n @ f[0]], 6)) for f, n in facets}
    theirs = {tuple(np.round(np.r_[e[:3], -e[3]], 6)) for e in hull.equations}
    assert ours == theirs
    for f, n in facets:  # every facet polygon lies in its plane, all points below it
        assert np.allclose(f @ n, f[0] @ n)
        assert np.all(pts @ n <= f[0] @ n + 1e-9)


def test_hull_3d_of_flat_and_collinear_points():
    flat = np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 1, -1], [0.5, 0.5, 0]], float)
    ((poly, normal),) = _plotting.hull_3d(flat)
    assert {tuple(p) for p in poly} == {tuple(p) for p in flat[:4]}
    assert np.allclose(normal, np.ones(3) / np.sqrt(3))
    assert _plotting.hull_3d(np.array([[0, 0, 0], [1, 1, 1], [2, 2, 2.0]])) == []


def test_two_players_marks_every_point_where_given():
    s, d = np.array([2.0, 0.5]), np.array([1.0, 1.0])
    solutions = {
        "nbs": {"concept": "nbs", "payoffs": [4.25, 2.75], "weights": [0.5, 0.5],
                "disagreement": s},
        "ksbs": {"payoffs": [4.3, 2.7], "weights": [0.5, 0.5], "disagreement": s},
        "threat": {"concept": "threat", "payoffs": [4.0, 3.0], "weights": [0.4, 0.6],
                   "disagreement": d},
        "zero-sum": {"payoffs": [2.0, 1.0]},
    }
    ax = bj.plot(U, solutions, security=s, ax=_figure_ax())
    hull = _artist(ax, "hull").get_xy()[:-1]  # a closed polygon repeats its first vertex
    assert {tuple(p) for p in hull} == _qhull_vertices(OUTCOMES)
    assert np.allclose(_artist(ax, "outcomes").get_xydata(), OUTCOMES)
    front = _artist(ax, "frontier").get_xydata()
    assert [tuple(p) for p in front] == [(6, 1), (4, 3), (1, 5)]
    for name, r in solutions.items():
        assert np.allclose(_artist(ax, f"solution:{name}").get_xydata(), [r["payoffs"]])
        if "weights" in r:  # the supporting line {u: w.u = w.u*}, across the whole view
            seg = _artist(ax, f"supporting:{name}").get_xydata()
            w, u = np.asarray(r["weights"]), np.asarray(r["payoffs"])
            assert np.allclose(seg @ w, w @ u) and np.linalg.norm(seg[1] - seg[0]) > 1
    # Threats on w1 t1 - w2 t2 = w1 u1* - w2 u2* lead to u*; d = (1, 1) is one of them.
    assert np.allclose(_artist(ax, "threat:threat").get_xydata(), [d])
    seg = _artist(ax, "threats:threat").get_xydata()
    w, u = np.array([0.4, 0.6]), np.array([4.0, 3.0])
    assert np.allclose(seg @ [w[0], -w[1]], w[0] * u[0] - w[1] * u[1])
    assert np.isclose(w[0] * (u[0] - d[0]), w[1] * (u[1] - d[1]))
    assert np.allclose(_artist(ax, "disagreement").get_xydata(), [s])  # one, not repeated
    sec = _artist(ax, "security").get_xydata()
    assert np.allclose(sec[:2, 0], s[0]) and np.allclose(sec[3:, 1], s[1])
    labels = ax.get_legend_handles_labels()[1]
    assert "nbs: (4.25, 2.75)" in labels and "threat: threat point (1, 1)" in labels
    assert not [a for a in ax.get_children() if a.get_gid() == "threats:nbs"]


def test_coco_equilibrium_threat_point_is_the_payoff_of_its_threats():
    x, y = np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0])  # Walk against Dove: (2, 0)
    eq = _coco_equilibrium([4.0, 3.0], [0.5, 0.5], (np.zeros(0), x, y, np.zeros(0)))
    ax = bj.plot(bj.normal_form_game(U), {"CoCo": eq}, security=False, ax=_figure_ax())
    assert np.allclose(_artist(ax, "threat:CoCo").get_xydata(), [[x @ U[0] @ y, x @ U[1] @ y]])
    seg = _artist(ax, "threats:CoCo").get_xydata()
    assert np.allclose(seg[:, 0] - seg[:, 1], 1.0)  # through (4, 3), direction (1, 1)
    assert not [a for a in ax.get_children() if a.get_gid() == "disagreement"]


def _coco_equilibrium(payoffs, weights, threat_strategies=(None,) * 4):
    fields = dict.fromkeys(bj.CocoEquilibrium._fields, np.zeros(()))
    fields.update(weights=np.asarray(weights, float), payoffs=np.asarray(payoffs, float),
                  threat_strategies=threat_strategies)
    return bj.CocoEquilibrium(**fields)


def test_several_solutions_of_one_result_get_one_marker_each():
    many = {"concept": "coco-equilibrium", "payoffs": [4.0, 3.0], "weights": [0.5, 0.5],
            "solutions": [{"payoffs": [4.0, 3.0], "weights": [0.5, 0.5]},
                          {"payoffs": [1.0, 5.0], "weights": [0.6, 0.4]}]}
    ax = bj.plot(U, {"coco": many}, security=False, ax=_figure_ax())
    assert np.allclose(_artist(ax, "solution:coco #2").get_xydata(), [[1.0, 5.0]])
    _artist(ax, "threats:coco #2")
    fields = dict.fromkeys(bj.CocoEquilibria._fields, np.zeros(()))
    for k in (1, 2):  # the library's multi-start result: one marker per solution
        fields["solutions"] = (_coco_equilibrium([4.0, 3.0], [0.5, 0.5]),
                               _coco_equilibrium([1.0, 5.0], [0.6, 0.4]))[:k]
        ax = bj.plot(U, {"eq": bj.CocoEquilibria(**fields)}, security=False, ax=_figure_ax())
        assert np.allclose(_artist(ax, "solution:eq" if k == 1 else "solution:eq #2")
                           .get_xydata(), [[4.0, 3.0] if k == 1 else [1.0, 5.0]])


def test_three_players_draws_the_hull_and_the_points():
    u = np.array([1.0, 1.0, 1.0])
    ax = bj.plot(THREE, {"nbs": {"payoffs": u, "weights": [1, 1, 1], "disagreement": [0, 0, 0]}},
                 security=np.zeros(3), ax=_figure_ax(three=True))
    xs, ys, zs = _artist(ax, "solution:nbs").get_data_3d()
    assert np.allclose([xs[0], ys[0], zs[0]], u)
    facets = _plotting.hull_3d(np.moveaxis(THREE, 0, -1).reshape(-1, 3))
    positive = sum(bool(np.all(n > -1e-9)) for _, n in facets)  # the weak Pareto frontier
    assert 0 < positive < len(facets)
    assert len(_artist(ax, "frontier").get_paths()) == positive
    assert len(_artist(ax, "hull").get_paths()) == len(facets) - positive
    assert ax.get_zlabel() == "player 3's payoff"


def test_three_players_with_too_many_points_warns_and_draws_the_points(monkeypatch):
    monkeypatch.setattr(_plotting, "MAX_HULL_POINTS_3D", 5)
    with pytest.warns(UserWarning, match="8 distinct outcome points, more than 5"):
        ax = bj.plot(THREE, security=False, ax=_figure_ax(three=True))
    assert not [a for a in ax.get_children() if a.get_gid() in ("hull", "frontier")]
    assert len(_artist(ax, "outcomes").get_data_3d()[0]) == 8


def test_save_plot_writes_an_image(tmp_path):
    game = bj.normal_form_game(U, player_names=("Ann", "Bob"), title="a 3x2 game")
    path = tmp_path / "p.png"
    _plotting.save_plot(game, {"nbs": {"payoffs": [4.25, 2.75], "weights": [0.5, 0.5]}}, path,
                        security=False)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("call, match", [
    (lambda: bj.plot(np.zeros((4, 2, 2, 2, 2))), "two- or three-player"),
    (lambda: bj.plot(np.zeros((2, 2))), "two- or three-player"),
    (lambda: bj.plot(U * np.nan), "finite"),
    (lambda: bj.plot(U, [np.ones(2)]), "mapping"),
    (lambda: bj.plot(U, {"x": {"payoffs": [1, 2, 3]}}, security=False), r"shape \(2,\)"),
    (lambda: bj.plot(U, {"x": {"weights": [1, 2]}}, security=False), "no 'payoffs'"),
    (lambda: bj.plot(U, {"x": 3.0}, security=False), "result with `payoffs`"),
    (lambda: bj.plot(U, disagreement=[0.0], security=False), "`disagreement`"),
    (lambda: bj.plot(U, security=[np.inf, 0]), "`security` must be finite"),
    (lambda: bj.plot(U, security=False, ax=_figure_ax(three=True)), "2-D Axes"),
    (lambda: bj.plot(THREE, security=False, ax=_figure_ax()), "3-D Axes"),
])
def test_bad_input_is_a_one_line_value_error(call, match):
    with pytest.raises(ValueError, match=match) as err:
        call()
    assert "\n" not in str(err.value)


def test_missing_matplotlib_names_the_plot_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"needs matplotlib, the 'plot' extra") as err:
        bj.plot(U)
    assert "\n" not in str(err.value)


def test_import_bargainjax_does_not_import_matplotlib():
    code = ("import sys, bargainjax as bj; assert 'plot' in bj.__all__ and bj.plot.__doc__; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'")
    env = dict(os.environ, PYTHONPATH=ROOT)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    assert run.returncode == 0, run.stderr
