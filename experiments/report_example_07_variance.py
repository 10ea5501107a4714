r"""Report Example 7, Tables 1-3: variance normalisation can leave a player worse off.

Source: "Modeling evidential cooperation in large worlds", §3.3, Example 7, Tables 1-3.

Two players with actions :math:`A_1 = \{a_1, b_1\}`, :math:`A_2 = \{a_2, b_2\}` and additively
separable utilities (report Definition 3, :math:`U_i(x) = \sum_j u_{j,i}(x_j)`); Table 1 gives
the contributions :math:`u_{j,i}`:

=========  =====  =====   =========  =====  =====
player 1   a_1    b_1     player 2   a_2    b_2
=========  =====  =====   =========  =====  =====
u_1        0      -1      u_1        0      -3
u_2        -3     0       u_2        3      2
=========  =====  =====   =========  =====  =====

Table 2 lists the four outcomes; :math:`(a_1, a_2)` is dominant for both players (each player's
own contribution is largest there), so it is the disagreement point :math:`d = (0, 0)`.  Under
uniformly random actions the means are :math:`\mu = (-2, 1)`; the report divides the centred
utilities by :math:`\sum_{x} (u_i(x) - \mu_i)^2 = 10`, which it calls the variance (it is four
times the variance 2.5), giving Table 3.  :func:`bargainjax.variance_normalized` divides by the
standard deviation :math:`\sqrt{2.5}` instead (:func:`bargainjax.outcome_moments`); both
players' scales are equal, so both normalisations maximise the plain sum
:math:`u_1 + u_2` and pick the same outcome :math:`(b_1, a_2) = (-1, 3)`, which leaves player 1
below :math:`d_1 = 0`.

Independent checks: Tables 2-3 are also recomputed here in exact rationals
(:class:`fractions.Fraction`) from Table 1 alone.
"""

from __future__ import annotations

import itertools
import pathlib
from fractions import Fraction

import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "report (002), Example 7, §3.3"
# Table 1: contributions[j][a, i] = u_{j,i}(a), the utility player j's action a gives player i.
TABLE_1 = ([[0, -3], [-1, 0]],   # player 1: a_1 -> (u_1, u_2) = (0, -3); b_1 -> (-1, 0)
           [[0, 3], [-3, 2]])    # player 2: a_2 -> (0, 3); b_2 -> (-3, 2)
ACTIONS = (("a1", "b1"), ("a2", "b2"))
# Printed tables (rows (a1,a2), (a1,b2), (b1,a2), (b1,b2); columns u_1, u_2).
PRINTED_TABLE_2 = [[0, 0], [-3, -1], [-1, 3], [-4, 2]]
PRINTED_TABLE_3 = [[0.2, -0.1], [-0.1, -0.2], [0.1, 0.2], [-0.2, 0.1]]


def exact_tables():
    """Tables 2 and 3, means and the report's "variance", in exact rationals from Table 1."""
    outcomes = [[sum(Fraction(TABLE_1[j][x[j]][i]) for j in range(2)) for i in range(2)]
                for x in itertools.product(range(2), range(2))]
    mu = [sum(o[i] for o in outcomes) / len(outcomes) for i in range(2)]
    sum_sq = [sum((o[i] - mu[i]) ** 2 for o in outcomes) for i in range(2)]
    table3 = [[(o[i] - mu[i]) / sum_sq[i] for i in range(2)] for o in outcomes]
    return outcomes, mu, sum_sq, table3


def _labels():
    return [f"({x}, {y})" for x, y in itertools.product(*ACTIONS)]


def _plots(out_dir, outcomes, table3, pick, d, weights):
    plt = pyplot()

    labels = _labels()
    fig = plt.figure(figsize=(11, 4.4))
    # Tables 1-3 as the report prints them (computed values).
    ax_t = fig.add_axes([0.01, 0.05, 0.46, 0.9])
    ax_t.axis("off")
    t1 = [[f"{TABLE_1[0][a][i]:g}" for a in range(2)] + [f"{TABLE_1[1][a][i]:g}" for a in range(2)]
          for i in range(2)]
    tab = ax_t.table(cellText=t1, rowLabels=["u1", "u2"], colLabels=["a1", "b1", "a2", "b2"],
                     loc="upper center", bbox=[0.14, 0.72, 0.84, 0.22])
    tab.set_fontsize(9)
    ax_t.text(0.55, 0.97, "Table 1: contributions (player 1 | player 2)", ha="center",
              fontsize=9, transform=ax_t.transAxes)
    rows = [[labels[k], f"{outcomes[k][0]:g}", f"{outcomes[k][1]:g}", f"{table3[k][0]:.1f}",
             f"{table3[k][1]:.1f}"] for k in range(4)]
    tab2 = ax_t.table(cellText=rows, colLabels=["outcome", "u1", "u2", "u1 norm.", "u2 norm."],
                      loc="lower center", bbox=[0.1, 0.05, 0.88, 0.5])
    tab2.set_fontsize(9)
    for c in range(5):
        tab2[pick + 1, c].set_facecolor("#c8f0c8")
    ax_t.text(0.6, 0.58, "Tables 2 and 3: outcomes, normalised by the report's\n"
              "sum of squares 10 (green: the variance-normalised pick)", ha="center",
              fontsize=9, transform=ax_t.transAxes)
    # The outcomes, the dominant point d and the normalised-sum maximiser.
    ax = fig.add_axes([0.57, 0.13, 0.4, 0.8])
    P = np.asarray(outcomes, float)
    hull = P[[0, 2, 3, 1, 0]]  # (a1,a2) -> (b1,a2) -> (b1,b2) -> (a1,b2): the quadrilateral
    ax.fill(hull[:, 0], hull[:, 1], color="0.9")
    ax.plot(hull[:, 0], hull[:, 1], color="0.5", lw=1)
    for k, lab in enumerate(labels):
        ax.annotate(lab, P[k], textcoords="offset points", xytext=(5, 4), fontsize=8)
    ax.plot(*d, "o", color="red", ms=8, label="dominant outcome (a1, a2) = d")
    ax.plot(*P[pick], "o", color="green", ms=8, label="variance-normalised pick")
    x = np.linspace(-4.5, 0.5, 10)
    w = np.asarray(weights)
    ax.plot(x, (w @ P[pick] - w[0] * x) / w[1], "--", color="tab:green", lw=1,
            label="level line of the normalised sum")
    ax.axvline(0.0, color="red", lw=0.6, ls=":")
    ax.set(xlabel="u1", ylabel="u2", title="Example 7: player 1 ends below d", ylim=(-1.6, 4.8))
    ax.legend(fontsize=7, loc="upper left")
    return [save_figure(fig, out_dir, "tables_1_3_variance.png", tight=False)]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    """Recompute Tables 2-3 and the variance-normalised choice of Example 7."""
    game = bj.separable_game(np.asarray(TABLE_1, dtype=float))
    F = bj.separable_set(game)  # additively separable: F = F_1 + F_2
    outcomes = np.asarray(game.to_normal_form().outcomes)  # C order: (a1,a2),(a1,b2),(b1,a2),(b1,b2)
    mean, sd = (np.asarray(x) for x in bj.outcome_moments(F))
    sum_sq = ((outcomes - mean) ** 2).sum(axis=0)  # the report's "variance" (Example 7)
    table3 = (outcomes - mean) / sum_sq
    literal_pick = int(np.argmax(table3.sum(axis=1)))
    sd_pick = int(np.argmax(((outcomes - mean) / sd).sum(axis=1)))

    sol = bj.variance_normalized(F)
    u = np.asarray(sol.payoffs)
    pick = int(np.flatnonzero(np.all(np.isclose(outcomes, u, atol=1e-12), axis=1))[0])
    # Dominance (report: "the dominant option for both players is (a1, a2)"): with separable
    # utilities player j's own payoff depends on its own action only through u_{j,j}.
    dominant = [int(np.argmax(np.asarray(TABLE_1[j])[:, j])) for j in range(2)]
    d = outcomes[2 * dominant[0] + dominant[1]]
    ex_out, ex_mu, ex_ss, ex_t3 = exact_tables()

    labels = _labels()
    checks = [
        check("ex7.table2", outcomes, PRINTED_TABLE_2, source=f"{SOURCE}, Table 2", rtol=0,
              atol=0.0, note="U_i(x) = u_{1,i}(x_1) + u_{2,i}(x_2) from Table 1 (exact)"),
        check("ex7.dominant", d, [0.0, 0.0], source=SOURCE, rtol=0, atol=0.0,
              note=f"each player's own contribution is largest at {ACTIONS[0][dominant[0]]}, "
                   f"{ACTIONS[1][dominant[1]]}: the outcome used as the no-compromise point"),
        check("ex7.mean", mean, [-2.0, 1.0], source=SOURCE, rtol=0, atol=1e-12,
              note="bj.outcome_moments under uniformly random actions"),
        check("ex7.variance", sum_sq, [10.0, 10.0], source=SOURCE, rtol=0, atol=1e-12,
              note="the report's 'variance' is the SUM of squared deviations over the 4 "
                   f"outcomes; the variance is {float(sd[0]) ** 2:g} (sd {float(sd[0]):.6f}, "
                   "what bj.variance_normalized divides by); equal for both players, so the "
                   "choice below is the same either way"),
        check("ex7.table3", table3, PRINTED_TABLE_3, source=f"{SOURCE}, Table 3", rtol=0,
              atol=1e-12, note="(u - mu) / 10, the report's normalisation"),
        check("ex7.pick", u, PRINTED_TABLE_2[2], source=f"{SOURCE}: '(b1, a2) maximizes the "
              "sum of normalized utility functions' (its row of Table 2)", rtol=0, atol=1e-12,
              note=f"bj.variance_normalized (divides by sd) picks {labels[pick]}; Table 3's sums "
                   f"pick {labels[literal_pick]}; dividing by sd by hand picks "
                   f"{labels[sd_pick]}"),
        check("ex7.pick_index", pick, 2, source=f"{SOURCE}: (b1, a2)", rtol=0, atol=0.0,
              note="index in the order (a1,a2), (a1,b2), (b1,a2), (b1,b2)"),
        check("ex7.player1_loss", u[0] - d[0], -1.0, source=f"{SOURCE}: 'this leaves player 1 "
              "worse off than without a compromise' (Table 2: -1 vs 0)", rtol=0, atol=1e-12,
              note="player 1's payoff at the pick minus at the dominant outcome"),
    ]
    figures = (_plots(out_dir, outcomes.tolist(), table3.tolist(), pick, d, sol.weights)
               if params.get("figures", True) else [])
    results = {
        "outcomes": outcomes, "labels": labels, "mean": mean, "std": sd,
        "sum_of_squares": sum_sq, "table3": table3,
        "variance_normalized": {"payoffs": u, "outcome": labels[pick], "weights": sol.weights},
        "exact": {"table2": [[str(x) for x in r] for r in ex_out],
                  "mean": [str(x) for x in ex_mu], "sum_of_squares": [str(x) for x in ex_ss],
                  "table3": [[str(x) for x in r] for r in ex_t3]},
        "certificates": {"variance_normalized": {
            "name": "payoff_error_bound", "value": float(sol.gap), "tol": float(sol.tol),
            "status": bj.Status(int(sol.status)).name.lower()}},
    }
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
