r"""A picture of the bargaining problem of a normal-form game: :func:`plot`.

matplotlib is imported only when :func:`plot` is called (the ``plot`` extra), so
``import bargainjax`` does not load it.  The convex hulls are computed here in NumPy
(Andrew's monotone chain in two dimensions, a search over planes through three outcome points
in three), exactly, from the outcome points of the game.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping

import numpy as np

__all__ = ["plot"]

# The largest number of distinct outcome points whose three-dimensional hull is drawn: the
# facet search tests every plane through three of them against all of them (K**4 / 6 steps).
MAX_HULL_POINTS_3D = 250

_HULL_FILL = "#dfe7f2"
_HULL_EDGE = "#7f93b3"
_FRONTIER = "#1b3a6b"
_DISAGREEMENT = "#b22222"
_SECURITY = "#6b6b6b"
_FIGURE = {2: {"figsize": (8.2, 4.4), "layout": "constrained"},
           3: {"figsize": (8.6, 5.4), "layout": "constrained"}}
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*", "h", "<", ">")


def _matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError("bargainjax.plot needs matplotlib, the 'plot' extra: "
                          "pip install 'bargainjax[plot]'") from None
    return matplotlib


# ------------------------------------------------------------------------------ geometry


def _scale(points: np.ndarray) -> float:
    """A length for tolerances: the largest coordinate range (1 for a single point)."""
    span = float(np.max(np.ptp(points, axis=0))) if len(points) else 0.0
    return span if span > 0 else 1.0


def hull_2d(points) -> np.ndarray:
    """Vertices ``(h, 2)`` of the convex hull of 2-D points, counter-clockwise, starting at the
    lexicographically smallest (Andrew's monotone chain, 1979); points on an edge are not
    vertices.  One distinct point gives ``(1, 2)``, collinear points their two ends."""
    pts = np.unique(np.asarray(points, float).reshape(-1, 2), axis=0)  # sorted by (x, y)
    if len(pts) <= 2:
        return pts
    eps = 1e-12 * _scale(pts) ** 2

    def chain(seq):
        out = []
        for p in seq:
            while len(out) >= 2 and ((out[-1][0] - out[-2][0]) * (p[1] - out[-2][1])
                                     - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])) <= eps:
                out.pop()
            out.append(p)
        return out[:-1]

    return np.array(chain(pts) + chain(pts[::-1]))


def pareto_chain_2d(hull: np.ndarray) -> np.ndarray:
    r"""The Pareto frontier of the polygon with counter-clockwise vertices ``hull``: its vertices
    from :math:`R` (largest :math:`u_1`, ties to the larger :math:`u_2`) counter-clockwise to
    :math:`T` (largest :math:`u_2`, ties to the larger :math:`u_1`).  Along this chain
    :math:`u_1` falls and :math:`u_2` rises strictly, so every edge has a strictly positive
    outward normal and no point of the polygon dominates a point of the chain."""
    h = len(hull)
    if h <= 1:
        return hull
    r = max(range(h), key=lambda k: (hull[k, 0], hull[k, 1]))
    t = max(range(h), key=lambda k: (hull[k, 1], hull[k, 0]))
    idx = [r]
    while idx[-1] != t:
        idx.append((idx[-1] + 1) % h)
    return hull[idx]


def hull_3d(points) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Facets of the convex hull of 3-D points: ``[(vertices (k, 3), outward unit normal (3,))]``
    with each facet's vertices in order around it.

    A facet is a plane through three non-collinear points with every point on one side (within
    ``1e-9`` of the largest coordinate range); its polygon is the 2-D hull of the points on it.
    Points spanning only a plane give that one polygon (normal: the plane's, oriented towards
    the larger coordinate sum); points on a line or at one point give no facet."""
    P = np.unique(np.asarray(points, float).reshape(-1, 3), axis=0)
    if len(P) < 3:
        return []
    span = _scale(P)
    eps = 1e-9 * span
    centred = P - P.mean(0)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    rank = int(np.sum(sv > 1e-9 * max(sv[0], 1e-300)))
    if rank < 2:
        return []
    if rank == 2:
        normal = vt[2] if np.sum(vt[2]) >= 0 else -vt[2]
        return [(_facet_polygon(P, vt[0], vt[1]), normal)]
    planes: dict = {}
    triples = np.array(list(itertools.combinations(range(len(P)), 3)))
    for chunk in np.array_split(triples, max(1, len(triples) // 20000)):
        a, b, c = P[chunk[:, 0]], P[chunk[:, 1]], P[chunk[:, 2]]
        n = np.cross(b - a, c - a)
        norm = np.linalg.norm(n, axis=1)
        ok = norm > 1e-9 * span ** 2
        n, a, norm = n[ok] / norm[ok, None], a[ok], norm[ok]
        s = P @ n.T - np.sum(a * n, axis=1)  # (K, T): signed distances
        for sign, side in ((1.0, np.all(s <= eps, axis=0)), (-1.0, np.all(s >= -eps, axis=0))):
            for k in np.flatnonzero(side):
                normal = sign * n[k]
                key = tuple(np.round(np.r_[normal, normal @ a[k] / span], 7))
                planes.setdefault(key, (normal, normal @ a[k]))
    facets = []
    for normal, offset in planes.values():
        on = P[np.abs(P @ normal - offset) <= eps]
        e1 = np.cross(normal, [1.0, 0.0, 0.0])
        if np.linalg.norm(e1) < 0.5:
            e1 = np.cross(normal, [0.0, 1.0, 0.0])
        e1 /= np.linalg.norm(e1)
        facets.append((_facet_polygon(on, e1, np.cross(normal, e1)), normal))
    return facets


def _facet_polygon(on: np.ndarray, e1: np.ndarray, e2: np.ndarray) -> np.ndarray:
    """The points ``on`` a plane spanned by ``e1, e2``, reduced to their hull, in order."""
    coords = np.stack([on @ e1, on @ e2], axis=1)
    order = hull_2d(coords)
    keep = [int(np.argmin(np.sum((coords - v) ** 2, axis=1))) for v in order]
    return on[keep]


def _clip_line(point, direction, lo, hi):
    """The segment of the line ``point + s * direction`` inside the box ``[lo, hi]`` (2-D), as
    ``(2, 2)``, or ``None`` if the line misses the box."""
    p, v = np.asarray(point, float), np.asarray(direction, float)
    s0, s1 = -math.inf, math.inf
    for k in range(2):
        if abs(v[k]) < 1e-300:
            if not lo[k] <= p[k] <= hi[k]:
                return None
            continue
        a, b = (lo[k] - p[k]) / v[k], (hi[k] - p[k]) / v[k]
        s0, s1 = max(s0, min(a, b)), min(s1, max(a, b))
    if not s0 <= s1:
        return None
    return np.stack([p + s0 * v, p + s1 * v])


# ----------------------------------------------------------------------------- solutions


def _vector(x, n, what) -> np.ndarray:
    v = np.asarray(x, float)
    if v.shape != (n,):
        raise ValueError(f"{what} must have shape ({n},) (one entry per player), got shape "
                         f"{v.shape}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{what} must be finite, got {v}")
    return v


def _entries(name, result):
    """``[(label, result, concept)]``: a result, or each solution of a multi-solution result (a
    :class:`bargainjax.CocoEquilibria` or the ``solutions`` list of ``bargainjax solve
    --all``), with the concept named by a mapping."""
    many = result.get("solutions") if isinstance(result, Mapping) else getattr(
        result, "solutions", None)
    concept = result.get("concept") if isinstance(result, Mapping) else None
    if isinstance(many, (list, tuple)) and len(many) > 1:
        return [(f"{name} #{k}", s, concept) for k, s in enumerate(many, 1)]
    if isinstance(many, (list, tuple)) and len(many) == 1 and not hasattr(result, "payoffs"):
        return [(name, many[0], concept)]  # a CocoEquilibria of one solution
    return [(name, result, concept)]


def _solution(name, result, U, concept=None):
    """``(payoffs, weights or None, threat point or None, threat line?, disagreement or None)``
    of one solution (see :func:`plot` for what is read from which result)."""
    n = U.shape[0]
    what = f"solutions[{name!r}]"
    if isinstance(result, Mapping):
        if "payoffs" not in result:
            raise ValueError(f"{what} has no 'payoffs'")
        get = result.get
        concept = get("concept", concept)
        threat = get("threat_point")
        if threat is None and concept == "threat":
            threat = get("disagreement")
        d = None if concept == "threat" else get("disagreement")
        weights = get("weights")
        line = concept in ("threat", "coco-equilibrium") or threat is not None
    elif hasattr(result, "payoffs"):
        weights = getattr(result, "weights", None)
        threat, d = None, None
        line = False
        if hasattr(result, "threats"):  # ThreatPoint: its disagreement is the threat point
            threat, line = result.disagreement, True
        elif hasattr(result, "threat_strategies"):  # CocoEquilibrium
            line = n == 2
            ts = result.threat_strategies
            if n == 2 and len(ts) == 4:
                x, y = np.asarray(ts[1], float), np.asarray(ts[2], float)
                if x.shape == (U.shape[1],) and y.shape == (U.shape[2],):
                    threat = np.array([x @ U[0] @ y, x @ U[1] @ y])
        else:
            d = getattr(result, "disagreement", None)
    else:
        raise ValueError(f"{what} must be a result with `payoffs` (e.g. bj.nash_bargaining's) "
                         f"or a mapping with 'payoffs', got {type(result).__name__}")
    u = _vector(result["payoffs"] if isinstance(result, Mapping) else result.payoffs, n,
                f"{what} payoffs")
    w = None if weights is None else _vector(weights, n, f"{what} weights")
    if w is not None and not np.any(w):
        w = None
    t = None if threat is None else _vector(threat, n, f"{what} threat point")
    d = None if d is None else _vector(d, n, f"{what} disagreement point")
    return u, w, t, line and n == 2 and w is not None, d


# ---------------------------------------------------------------------------------- plot


def plot(game, solutions=None, *, disagreement=None, security=True, ax=None, title=None,
         legend=True):
    r"""Draw the bargaining problem of a two- or three-player game and its solutions.

    Two players (a 2-D Axes), in payoff space :math:`(u_1, u_2)`:

    * the outcome points :math:`U(x)` of every joint action :math:`x` (black dots);
    * the correlated feasible set :math:`F = \operatorname{conv}\{U(x)\}` (shaded polygon);
    * its Pareto frontier (thick line): the boundary from the vertex with the largest
      :math:`u_1` to the one with the largest :math:`u_2`, the points of :math:`F` that no
      point of :math:`F` dominates;
    * the security levels :math:`s_i` (maximin of player :math:`i` against all others
      jointly, :func:`bargainjax.security_levels`), as the dashed lines :math:`u_i = s_i`
      bounding the individually rational part of :math:`F`;
    * the disagreement point :math:`d` (square);
    * each solution :math:`u^*` (one marker and colour per solution, in the legend) with its
      supporting line :math:`\{u : w \cdot u = w \cdot u^*\}`, :math:`w` the solution's
      supporting weights (:math:`u^*` maximises :math:`w \cdot u` over :math:`F`);
    * for Nash's variable-threat solution (:func:`bargainjax.threat_point`) and the CoCo
      equilibrium (:func:`bargainjax.coco_equilibrium`; for two players the same solution):
      the threat point :math:`t` (cross) and the line of threats
      :math:`\{u^* + s\,(w_2, w_1)\} = \{t : w_1 t_1 - w_2 t_2 = w_1 u^*_1 - w_2 u^*_2\}`
      (dotted). From a threat point :math:`t`, the NBS on a frontier face with normal
      :math:`w` maximises :math:`(u_1 - t_1)(u_2 - t_2)` on :math:`w \cdot u = c`, where
      :math:`w_1 (u_1 - t_1) = w_2 (u_2 - t_2)`: every threat point on this line leads to the
      same solution :math:`u^*` while it stays on that face (Nash, "Two-person cooperative
      games", 1953).

    Three players (a 3-D Axes, ``projection="3d"``): the outcome points, the facets of
    :math:`F` (light; drawn up to :data:`MAX_HULL_POINTS_3D` distinct outcome points), the
    facets whose outward normal is non-negative (highlighted): the weak Pareto frontier, whose
    points no point of :math:`F` improves for all three players at once; the security levels
    and the disagreement point as points, and each solution as a marker; supporting planes and
    threats are not drawn.

    Args:
        game: a :class:`bargainjax.NormalFormGame`, or its payoff array of shape
            ``(n, |A_1|, ..., |A_n|)`` with ``n`` 2 or 3.  Payoffs must be finite.
        solutions: ``{label: result}``, drawn in order.  A result is one of the library's
            results with ``payoffs`` of shape ``(n,)`` (e.g. :func:`bargainjax.nash_bargaining`'s
            :class:`~bargainjax.BargainingSolution`, whose ``weights`` are its supporting
            weights and whose ``disagreement`` is drawn as :math:`d`;
            :class:`~bargainjax.ThreatPoint`, whose ``disagreement`` is the threat point;
            :class:`~bargainjax.CocoEquilibrium`, whose threat point is the payoff of its
            threat strategies; a :class:`~bargainjax.CocoEquilibria`, one marker per solution),
            or a mapping with ``"payoffs"`` and optionally ``"weights"``, ``"concept"``,
            ``"disagreement"`` and ``"threat_point"`` (an object printed by
            ``bargainjax solve --json``; for concept ``threat`` its ``disagreement`` is the
            threat point).
        disagreement: the disagreement point :math:`d`, ``(n,)``; default: the distinct
            disagreement points of the solutions (none drawn if they have none).
        security: ``True`` (default) computes the security levels with
            :func:`bargainjax.security_levels` (not drawn, with a warning, if they are not
            certified); an ``(n,)`` array gives them; ``False`` or ``None`` leaves them out.
        ax: the matplotlib Axes to draw on (3-D for three players); default: a new figure from
            ``matplotlib.pyplot``.
        title: the Axes title (default: the game's title, if any).
        legend: whether to draw a legend.

    Returns:
        The matplotlib Axes drawn on.  Every element carries a ``gid``: ``"outcomes"``,
        ``"hull"`` (2-D: the polygon of :math:`F`, counter-clockwise), ``"frontier"``,
        ``"security"``, ``"disagreement"``, and per solution ``"solution:<label>"``,
        ``"supporting:<label>"``, ``"threat:<label>"``, ``"threats:<label>"``.

    Raises:
        ImportError: matplotlib is not installed (install the ``plot`` extra).
        ValueError: a game with other than two or three players, non-finite payoffs, a result
            or point of the wrong shape, or an ``ax`` of the wrong kind.

    Example::

        F = bj.correlated_set(game)
        d = bj.security_levels(game).levels
        bj.plot(game, {"NBS": bj.nash_bargaining(F, d), "KSBS": bj.kalai_smorodinsky(F, d)})
    """
    _matplotlib()
    from bargainjax.games import NormalFormGame

    if isinstance(game, NormalFormGame):
        U = np.asarray(game.payoffs, float)
        names = [str(p) for p in game.player_names] or [str(i + 1) for i in range(U.shape[0])]
        game_title = game.title
    else:
        U = np.asarray(game, float)
        names, game_title = [str(i + 1) for i in range(U.shape[0] if U.ndim else 0)], ""
    n = U.ndim - 1
    if n not in (2, 3) or U.shape[0] != n:
        raise ValueError(f"`game` must be a two- or three-player game (payoffs of shape (n, "
                         f"|A_1|, ..., |A_n|) with n 2 or 3), got payoffs of shape {U.shape}")
    if not np.all(np.isfinite(U)):
        raise ValueError("`game` payoffs must be finite")
    if solutions is not None and not isinstance(solutions, Mapping):
        raise ValueError("`solutions` must be a mapping {label: result}, got "
                         f"{type(solutions).__name__}")
    outcomes = np.moveaxis(U, 0, -1).reshape(-1, n)

    sols = []
    for name, result in (solutions or {}).items():
        for label, r, concept in _entries(str(name), result):
            sols.append((label, *_solution(label, r, U, concept)))
    if disagreement is not None:
        ds = [_vector(disagreement, n, "`disagreement`")]
    else:
        ds = []
        for *_, d in sols:
            if d is not None and not any(np.allclose(d, e) for e in ds):
                ds.append(d)
    if security is True:
        s = _security_levels(game if isinstance(game, NormalFormGame) else U)
    elif security is False or security is None:
        s = None
    else:
        s = _vector(security, n, "`security`")

    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(**_FIGURE[n]).add_subplot(projection="3d" if n == 3 else None)
    if (getattr(ax, "name", None) == "3d") != (n == 3):
        raise ValueError(f"`ax` must be a {'3-D' if n == 3 else '2-D'} Axes for a {n}-player "
                         "game" + (" (projection='3d')" if n == 3 else ""))

    label = [f"{nm}'s payoff" if not nm.isdigit() else f"player {nm}'s payoff" for nm in names]
    draw = _draw_2d if n == 2 else _draw_3d
    draw(ax, outcomes, sols, ds, s)
    ax.set_xlabel(label[0])
    ax.set_ylabel(label[1])
    if n == 3:
        ax.set_zlabel(label[2])
    heading = game_title if title is None else title
    if heading:
        ax.set_title(heading)
    if legend:  # beside the Axes, so that it hides nothing
        ax.legend(loc="upper left", bbox_to_anchor=(1.08 if n == 3 else 1.02, 1.0), fontsize=7,
                  frameon=False, borderaxespad=0.0)
    return ax


def _security_levels(game):
    import bargainjax as bj

    if not isinstance(game, bj.NormalFormGame):
        game = bj.normal_form_game(game)
    sl = bj.security_levels(game)
    if int(np.max(np.asarray(sl.status))) != int(bj.Status.SUCCESSFUL):
        warnings.warn("bargainjax.plot: the security levels are not certified "
                      f"({bj.status_message(int(np.max(np.asarray(sl.status))))}); "
                      "they are not drawn", stacklevel=3)
        return None
    return np.asarray(sl.levels, float)


def _fmt(u) -> str:
    return "(" + ", ".join(f"{v:.3g}" for v in u) + ")"


def _box(parts, n):
    pts = np.concatenate([np.reshape(p, (-1, n)) for p in parts if p is not None])
    lo, hi = pts.min(0), pts.max(0)
    pad = 0.08 * np.where(hi > lo, hi - lo, max(float(np.max(hi - lo)), 1.0))
    return lo - pad, hi + pad


def _draw_2d(ax, outcomes, sols, ds, s):
    lo, hi = _box([outcomes, s, *ds, *(u for _, u, *_ in sols),
                   *(t for _, _, _, t, *_ in sols)], 2)
    H = hull_2d(outcomes)
    if len(H) >= 3:
        ax.fill(H[:, 0], H[:, 1], color=_HULL_FILL, label="feasible set F (convex hull)",
                gid="hull", zorder=0)
    elif len(H) == 2:
        ax.plot(H[:, 0], H[:, 1], color=_HULL_EDGE, lw=4, alpha=0.5,
                label="feasible set F (a segment)", gid="hull", zorder=0)
    front = pareto_chain_2d(H)
    ax.plot(front[:, 0], front[:, 1], color=_FRONTIER, lw=2.4, solid_capstyle="round",
            marker="o" if len(front) == 1 else None, label="Pareto frontier", gid="frontier",
            zorder=2.5)
    ax.plot(outcomes[:, 0], outcomes[:, 1], "k.", ms=4, label="outcome points U(x)",
            gid="outcomes", zorder=3)
    if s is not None:
        seg = np.array([[s[0], lo[1]], [s[0], hi[1]], [np.nan, np.nan],
                        [lo[0], s[1]], [hi[0], s[1]]])
        ax.plot(seg[:, 0], seg[:, 1], "--", color=_SECURITY, lw=0.9,
                label=f"security levels u_i = s_i, s = {_fmt(s)}", gid="security", zorder=1)
    for k, d in enumerate(ds):
        ax.plot(*d, "s", color=_DISAGREEMENT, ms=6, label=f"disagreement point d = {_fmt(d)}",
                gid="disagreement" if k == 0 else f"disagreement:{k}", zorder=4)
    for k, (name, u, w, t, threat_line, _) in enumerate(sols):
        color = f"C{k % 10}"
        if w is not None:
            seg = _clip_line(u, (-w[1], w[0]), lo, hi)
            if seg is not None:
                ax.plot(seg[:, 0], seg[:, 1], "-", color=color, lw=0.9, alpha=0.8,
                        gid=f"supporting:{name}", zorder=2)
        if threat_line:
            seg = _clip_line(u, (w[1], w[0]), lo, hi)
            if seg is not None:
                ax.plot(seg[:, 0], seg[:, 1], ":", color=color, lw=1.2,
                        gid=f"threats:{name}", zorder=2)
        if t is not None:
            ax.plot(*t, "x", color=color, ms=8, mew=2, label=f"{name}: threat point {_fmt(t)}",
                    gid=f"threat:{name}", zorder=5)
        ax.plot(*u, _MARKERS[k % len(_MARKERS)], color=color, mfc="none", mew=2,
                ms=max(12 - 1.5 * k, 5), label=f"{name}: {_fmt(u)}", gid=f"solution:{name}",
                zorder=6)
    if sols:
        ax.plot([], [], "-", color=_SECURITY, lw=0.9,
                label="supporting line w·u = w·u* (solution's colour)")
    if any(line for *_, line, _ in sols):
        ax.plot([], [], ":", color=_SECURITY, lw=1.2, label="line of threats u* + s (w2, w1)")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])


def _draw_3d(ax, outcomes, sols, ds, s):
    from mpl_toolkits.mplot3d.art3d import Poly3DCollection

    distinct = np.unique(outcomes, axis=0)
    facets = hull_3d(distinct) if len(distinct) <= MAX_HULL_POINTS_3D else []
    if len(distinct) > MAX_HULL_POINTS_3D:
        warnings.warn(f"bargainjax.plot: {len(distinct)} distinct outcome points, more than "
                      f"{MAX_HULL_POINTS_3D}: the facets of the feasible set are not drawn",
                      stacklevel=3)
    if facets:
        tol = 1e-9
        pareto = [f for f, normal in facets if np.all(normal > -tol)]
        other = [f for f, normal in facets if not np.all(normal > -tol)]
        if other:
            ax.add_collection3d(Poly3DCollection(
                other, facecolor=_HULL_FILL, edgecolor=_HULL_EDGE, linewidths=0.5, alpha=0.35,
                label="feasible set F (convex hull)", gid="hull"))
        if pareto:
            ax.add_collection3d(Poly3DCollection(
                pareto, facecolor="#6f8fc0", edgecolor=_FRONTIER, linewidths=1.0, alpha=0.6,
                label="weak Pareto frontier (facets with normal >= 0)", gid="frontier"))
    ax.plot(outcomes[:, 0], outcomes[:, 1], outcomes[:, 2], "k.", ms=4,
            label="outcome points U(x)", gid="outcomes")
    if s is not None:
        ax.plot(*([v] for v in s), "+", color=_SECURITY, ms=9, mew=2,
                label=f"security levels s = {_fmt(s)}", gid="security")
    for k, d in enumerate(ds):
        ax.plot(*([v] for v in d), "s", color=_DISAGREEMENT, ms=6,
                label=f"disagreement point d = {_fmt(d)}",
                gid="disagreement" if k == 0 else f"disagreement:{k}")
    for k, (name, u, *_) in enumerate(sols):
        ax.plot(*([v] for v in u), _MARKERS[k % len(_MARKERS)], color=f"C{k % 10}", mfc="none",
                mew=2, ms=max(12 - 1.5 * k, 5), label=f"{name}: {_fmt(u)}",
                gid=f"solution:{name}")
    lo, hi = _box([outcomes, s, *ds, *(u for _, u, *_ in sols)], 3)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_zlim(lo[2], hi[2])


def save_plot(game, solutions, path, *, dpi: int = 120, **kwargs) -> None:
    """Draw :func:`plot` on a new figure (made without ``matplotlib.pyplot``, so no window or
    global figure is involved) and write it to ``path``, in the format of its suffix (``.png``,
    ``.pdf``, ``.svg``, ...).  ``kwargs`` go to :func:`plot`."""
    _matplotlib()
    from matplotlib.figure import Figure

    n = getattr(game, "num_players", None)
    if n is None:
        n = np.ndim(game) - 1
    fig = Figure(**_FIGURE.get(n, _FIGURE[2]))
    plot(game, solutions, ax=fig.add_subplot(projection="3d" if n == 3 else None), **kwargs)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
