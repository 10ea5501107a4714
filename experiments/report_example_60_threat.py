r"""Report Example 60, Table 6 and Figure 16: the threat point and the NBS from it.

Source: "Modeling evidential cooperation in large worlds", §6.1, Definition 57 (threat game
disagreement point), Example 60, Table 6, Figure 16.

Table 6(a) has rows :math:`b_1, b_2`, columns :math:`a_1, a_2, a_3` and entries "x, y":

=====  ======  ======  =======
       a_1     a_2     a_3
=====  ======  ======  =======
b_1    4, 4    2, 5    -4, 2
b_2    5, 2    3, 3    -3, 2
=====  ======  ======  =======

**Which number is whose.**  The text gives player 1 the actions :math:`a_1..a_3` (columns) and
player 2 :math:`b_1, b_2` (rows).  The printed numbers only hold when the FIRST number is the
payoff of the ROW (b) player:

* first number = row (b) player: :math:`b_2` strictly dominates :math:`b_1` (5, 3, -3 against
  4, 2, -4) and the column player's best reply to :math:`b_2` is :math:`a_2` (3 against 2, 2),
  so the unique Nash equilibrium is :math:`(b_2, a_2) = (3, 3)` as printed; the threat point is
  :math:`(a_3, b_2) = (-3, 2)` as printed; the NBS from it is :math:`(2.5, 4.75)`, i.e.
  :math:`(5.5, 2.75)` in Table 6(b)'s units, as printed.
* first number = column (a) player (the text's labels read literally): :math:`a_1` is dominant
  for the column player (4, 5 against 2, 3 and -4, -3), the row player replies :math:`b_1`, so
  the Nash equilibrium is :math:`(4, 4)`, and the threat point is also :math:`(4, 4)` (a Pareto
  optimal point: no bargaining gain at all).

So the experiment reads the first number as the row (b) player's payoff and calls that player
"player 1" in payoff vectors (first coordinate); the text's sentence "worse for player 1 than
the Nash equilibrium (3, 3)" is then right for the first coordinate (2.5 < 3), i.e. the player
with actions :math:`b`.  The literal reading is computed too and recorded as a mismatching
check.  (The same reading is used by ``tests/test_coco_equilibrium.py`` and the CLI tests.)

Computation: the Nash equilibria by enumerating pure profiles (best-reply check) plus the strict
dominance that makes them the only equilibria; the threat point by :func:`bargainjax.threat_point`
(Nash's variable-threat game, certified by the largest gain from a pure deviation); the NBS from
it by :func:`bargainjax.nash_bargaining` on :func:`bargainjax.correlated_set`.  Closed form
(independent of the library): the NBS lies on the edge :math:`(2, 5)`-:math:`(4, 4)`,
:math:`x + 2y = 12`; from :math:`d = (-3, 2)` it maximises :math:`(5 + 2s)(3 - s)`,
:math:`s = 1/4`: :math:`(2.5, 4.75)`.
"""

from __future__ import annotations

import itertools
import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "report (002), Example 60, §6.1"
FIRST = np.array([[4.0, 2.0, -4.0], [5.0, 3.0, -3.0]])   # first numbers: rows b1, b2
SECOND = np.array([[4.0, 5.0, 2.0], [2.0, 3.0, 2.0]])    # second numbers
PRINTED_TABLE_6B = [[[7, 5, -1], [8, 6, 0]], [[2, 3, 0], [0, 1, 0]]]  # (first, second) tables
ROWS, COLS = ("b1", "b2"), ("a1", "a2", "a3")


def pure_nash_equilibria(U):
    """Pure profiles of a two-player game ``U`` ``(2, m, k)`` where neither player gains by a
    unilateral deviation: ``[(row, col), ...]``."""
    A, B = U
    best_row = A >= A.max(axis=0, keepdims=True)
    best_col = B >= B.max(axis=1, keepdims=True)
    return [tuple(int(i) for i in x) for x in np.argwhere(best_row & best_col)]


def strictly_dominant(M, axis):
    """Index of a strictly dominant action of the player choosing along ``axis`` of ``M``
    (rows: 0, columns: 1), or ``None``."""
    M = np.moveaxis(M, axis, 0)
    for i in range(M.shape[0]):
        if all(np.all(M[i] > M[j]) for j in range(M.shape[0]) if j != i):
            return i
    return None


def _frontier_polygon(F, num_directions: int):
    """Vertices of a 2-D polytope in counter-clockwise order from its support points over a
    sweep of directions (one vmapped weighted-sum oracle)."""
    th = jnp.linspace(0.0, 2 * jnp.pi, num_directions, endpoint=False)
    pts = np.asarray(jax.vmap(lambda a: F.maximize(a).payoffs)(
        jnp.stack([jnp.cos(th), jnp.sin(th)], axis=1)))
    keep = np.r_[True, np.any(np.abs(np.diff(pts, axis=0)) > 1e-12, axis=1)]
    poly = pts[keep]
    if np.allclose(poly[0], poly[-1]):
        poly = poly[:-1]
    return np.vstack([poly, poly[:1]])


def _plot(out_dir, P, poly, d, ne, nbs):
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(6.2, 5.2))
    ax.fill(poly[:, 0], poly[:, 1], color="0.9", label="feasible set (correlated)")
    ax.plot(poly[:, 0], poly[:, 1], color="0.5", lw=1)
    for (r, c), p in zip(itertools.product(range(2), range(3)), P):
        ax.annotate(f"({ROWS[r]},{COLS[c]})", p, textcoords="offset points", xytext=(4, -10),
                    fontsize=7)
    ax.plot(P[:, 0], P[:, 1], "k.", ms=5)
    ax.plot(*d, "o", color="red", ms=8, label=f"TP (threat point) ({d[0]:g}, {d[1]:g})")
    ax.plot(*ne, "s", color="tab:purple", ms=7, label=f"NE ({ne[0]:g}, {ne[1]:g})")
    ax.plot(*nbs, "o", color="green", ms=8, label=f"NBS from TP ({nbs[0]:g}, {nbs[1]:g})")
    ax.plot([d[0], nbs[0]], [d[1], nbs[1]], ":", color="green", lw=1)
    ax.set(xlabel="first number: row (b) player's utility",
           ylabel="second number: column (a) player's utility",
           title="Example 60 / Figure 16", xlim=(-5, 6.5), ylim=(1, 6.5))
    ax.legend(fontsize=7, loc="upper left")
    return [save_figure(fig, out_dir, "fig16_threat_point.png")]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    """Nash equilibrium, threat point, NBS from the threat point, Table 6(b), Figure 16."""
    U = np.stack([FIRST, SECOND])  # player 1 = row (b) player = first number
    game = bj.normal_form_game(U)
    F = bj.correlated_set(game)
    P = np.asarray(game.outcomes)

    eqs = pure_nash_equilibria(U)
    dom = strictly_dominant(FIRST, 0)
    # With b_dom strictly dominant every equilibrium (mixed too) plays it; the column's best
    # reply to it is then every equilibrium's column mix.
    col_replies = np.flatnonzero(SECOND[dom] == SECOND[dom].max()) if dom is not None else []
    unique = dom is not None and len(col_replies) == 1 and eqs == [(dom, int(col_replies[0]))]
    ne = U[:, eqs[0][0], eqs[0][1]]

    tp = bj.threat_point(U)
    d = np.asarray(tp.disagreement)
    threats = (int(np.argmax(tp.threats[0])), int(np.argmax(tp.threats[1])))
    pure_threats = bool(np.isclose(tp.threats[0].max(), 1) and np.isclose(tp.threats[1].max(), 1))
    nbs = jax.jit(bj.nash_bargaining)(F, jnp.asarray(d))  # one compilation; status checked
    u = np.asarray(nbs.payoffs)
    table_b = U - d[:, None, None]

    # The text's labels read literally: the column (a) player gets the first number.
    UL = np.stack([FIRST.T, SECOND.T])  # rows a1..a3, columns b1, b2
    tpl = bj.threat_point(UL)
    eql = pure_nash_equilibria(UL)
    ne_literal = UL[:, eql[0][0], eql[0][1]]

    span = float(np.ptp(U))
    swapped = ("the printed numbers need the FIRST number of Table 6(a) to be the ROW (b) "
               "player's payoff; the text's labels (player 1 = a_1..a_3) are swapped")
    checks = [
        check("ex60.ne", ne, [3.0, 3.0], source=SOURCE, rtol=0, atol=0.0,
              note=f"pure profiles with no profitable deviation: "
                   f"{[(ROWS[r], COLS[c]) for r, c in eqs]}; unique (b2 strictly dominant, "
                   f"unique best reply a2): {unique}. {swapped}"),
        check("ex60.threat_point", d, [-3.0, 2.0], source=SOURCE, rtol=0, atol=1e-9,
              note=f"bj.threat_point: threats ({ROWS[threats[0]]}, {COLS[threats[1]]}), pure: "
                   f"{pure_threats}; frontier normal {np.round(tp.weights, 9).tolist()}"),
        check("ex60.threat_actions", [threats[1], threats[0]], [2, 1], source=f"{SOURCE}: "
              "'given actions (a_3, b_2) as disagreement point'", rtol=0, atol=0.0,
              note="indices (a, b), 0-based: a_3 -> 2, b_2 -> 1"),
        check("ex60.no_profitable_threat_change", tp.max_improvement, 0.0, source=f"{SOURCE}: "
              "'none of the players can change their action to improve their bargaining "
              "outcome'", rtol=0, atol=1e-7 * span,
              note="largest gain in a player's own NBS payoff from any pure change of threat; "
                   f"zero-sum gap of the threat game {tp.zero_sum_gap:.3g}"),
        check("ex60.table6b", table_b, PRINTED_TABLE_6B, source=f"{SOURCE}, Table 6(b)", rtol=0,
              atol=1e-9, note="Table 6(a) minus the threat point, first and second numbers"),
        check("ex60.nbs", u - d, [5.5, 2.75], source=f"{SOURCE}: 'the NBS as the point "
              "(5.5, 2.75)' (Table 6(b)'s normalised units)", rtol=0, atol=1e-9,
              note="bj.nash_bargaining on the correlated set from the threat point, minus d"),
        check("ex60.nbs_table_a", u, [2.5, 4.75], source="not printed: (5.5, 2.75) + (-3, 2) in "
              "Table 6(a)'s units; closed form s = 1/4 on x + 2y = 12 (module doc)", rtol=0,
              atol=1e-9, note=f"also bj.threat_point's exact 2-D NBS: "
                             f"{np.round(tp.payoffs, 12).tolist()}"),
        check("ex60.nbs_minus_ne", u - ne, [-0.5, 1.75], source=f"{SOURCE}: 'worse for player 1 "
              "than the Nash equilibrium (3, 3)' (2.5 - 3 and 4.75 - 3)", rtol=0, atol=1e-9,
              note="worse for the FIRST-number (row, b) player, whom the text calls player 1 "
                   "here although it gave player 1 the actions a: " + swapped),
        check("ex60.text_labels_threat_point", tpl.disagreement, [-3.0, 2.0],
              source=f"{SOURCE}, read with the text's labels (player 1 = columns a, first number)",
              rtol=0, atol=1e-9,
              note=f"MISMATCH BY DESIGN: with the literal labels the threat point is "
                   f"{np.round(tpl.disagreement, 9).tolist()} (threats a1, b1) and the Nash "
                   f"equilibrium {ne_literal.tolist()}, neither the printed (-3, 2) nor (3, 3); "
                   f"{swapped}"),
    ]
    poly = _frontier_polygon(F, int(params.get("directions", 720)))
    figures = _plot(out_dir, P, poly, d, ne, u) if params.get("figures", True) else []
    results = {
        "payoffs_first_row_player": U,
        "nash_equilibria": [[ROWS[r], COLS[c]] for r, c in eqs], "ne_payoffs": ne,
        "ne_unique": unique,
        "threat_point": {"disagreement": d, "threats": tp.threats, "weights": tp.weights,
                         "nbs": tp.payoffs},
        "nbs": {"payoffs": u, "normalised": u - d, "weights": nbs.weights},
        "table6b": table_b,
        "text_labels": {"threat_point": tpl.disagreement, "nbs": tpl.payoffs,
                        "nash_equilibria": eql, "ne_payoffs": ne_literal},
        "certificates": {
            "threat_point": {"name": "max_improvement", "value": float(tp.max_improvement),
                             "tol": 1e-7 * span,
                             "status": "certified" if tp.is_threat_point else "uncertified"},
            "nbs": {"name": "payoff_error_bound", "value": float(nbs.gap), "tol": float(nbs.tol),
                    "status": bj.Status(int(nbs.status)).name.lower()},
        },
    }
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
