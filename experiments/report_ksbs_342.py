r"""Report §3.4.2's KSBS example: two players sharing one utility function.

Source: "Modeling evidential cooperation in large worlds", §3.4.2 (the example after
Axiom 16), Kalai-Smorodinsky solution (eq. 8) against the Nash bargaining solution (eq. 6).

Players 1 and 2 share a utility function :math:`u_A`, player 3 has :math:`u_B`.  Everyone
starts with 1 utilon for their own goal, so :math:`u_A = 2` (players 1 and 2 benefit each
other) and :math:`u_B = 1`: :math:`d = (2, 2, 1)`.  Cooperating creates a surplus of 1 utilon
split :math:`s` to :math:`u_A` and :math:`1 - s` to :math:`u_B`:

.. math:: F = \operatorname{conv}\{(2, 2, 1),\ (3, 3, 1),\ (2, 2, 2)\},\qquad
   u(s) = (2 + s,\ 2 + s,\ 2 - s),\ s \in [0, 1],

the first point being the no-cooperation outcome (``d`` is feasible, as the report assumes after
Definition 2).  Ideal point :math:`I = (3, 3, 2)`, so :math:`I - d = (1, 1, 1)`.

* KSBS (eq. 8): equal ratios :math:`s / 1 = (1 - s) / 1`, :math:`s = 1/2`:
  :math:`(2.5, 2.5, 1.5)` as printed.
* NBS (eq. 6): :math:`\max_s s^2 (1 - s)`, :math:`2s - 3s^2 = 0`, :math:`s = 2/3`:
  :math:`(8/3, 8/3, 4/3)`.  The report prints :math:`\approx (2.7, 2.7, 2.3)`; its own gloss
  ("effectively giving each player one third of the utility surplus") gives
  :math:`u_3 = 1 + 1/3 = 4/3 \approx 1.3`, and :math:`u_3 = 2.3` would exceed player 3's ideal
  payoff 2, outside :math:`F`.  So 2.3 is a misprint of 1.3; the code is not adjusted.
* The report's counterfactual, "two players with distinct goals": three distinct goals, each
  at 1, surplus 1 split three ways, :math:`F' = \operatorname{conv}\{(1,1,1), (2,1,1), (1,2,1),
  (1,1,2)\}`: KSBS (and NBS) give each one third, players 1 and 2 together 2/3.

Both problems are solved in one ``jax.vmap`` batch (the first set padded with a repeated point
so the shapes agree).  Independent check: the closed forms above in exact rationals and a
brute-force grid over ``s``.
"""

from __future__ import annotations

import pathlib
from fractions import Fraction

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "report (002), §3.4.2, the KSBS example after Axiom 16"
SHARED = [[2.0, 2.0, 1.0], [3.0, 3.0, 1.0], [2.0, 2.0, 2.0], [2.0, 2.0, 2.0]]  # last: padding
DISTINCT = [[1.0, 1.0, 1.0], [2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 2.0]]
D_SHARED, D_DISTINCT = [2.0, 2.0, 1.0], [1.0, 1.0, 1.0]


@jax.jit
def solve_batch(points, d):
    """Ideal point, KSBS and NBS of each ``conv(points[b])`` from ``d[b]``, vmapped."""

    def one(P, dd):
        F = bj.polytope(P)
        return bj.ideal_point(F), bj.kalai_smorodinsky(F, dd), bj.nash_bargaining(F, dd)

    return jax.vmap(one)(points, d)


def exact_split():
    """Surplus share ``s`` of the shared goal: KSBS ``1/2``, NBS ``argmax s^2 (1-s) = 2/3``."""
    s_nbs = Fraction(2, 3)  # root of d/ds s^2 (1 - s) = s (2 - 3 s) in (0, 1)
    s_ksbs = Fraction(1, 2)  # s / 1 = (1 - s) / 1
    pt = lambda s: [2 + s, 2 + s, 2 - s]  # noqa: E731
    return {"nbs": pt(s_nbs), "ksbs": pt(s_ksbs), "s_nbs": s_nbs, "s_ksbs": s_ksbs}


def grid_split(num: int):
    """Brute force over ``s`` on a grid: the Nash product and the smallest KSBS ratio."""
    s = np.linspace(0.0, 1.0, num)
    return float(s[np.argmax(s * s * (1 - s))]), float(s[np.argmax(np.minimum(s, 1 - s))])


def _plot(out_dir, ks, nbs, printed_nbs, ideal):
    plt = pyplot()

    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10.5, 4.3))
    tri = np.array([[2, 1], [3, 1], [2, 2], [2, 1]], float)  # (u_A = u_1 = u_2, u_B = u_3)
    ax.fill(tri[:, 0], tri[:, 1], color="0.9", label="F (u1 = u2 = uA)")
    ax.plot(tri[:, 0], tri[:, 1], color="0.5", lw=1)
    ax.plot([2, ideal[0]], [1, ideal[2]], ":", color="tab:blue", lw=1, label="d to ideal point")
    ax.plot(ideal[0], ideal[2], "s", color="tab:blue", ms=6, label=f"ideal ({ideal[0]:g}, "
            f"{ideal[1]:g}, {ideal[2]:g})")
    ax.plot(2, 1, "o", color="red", ms=8, label="d = (2, 2, 1)")
    ax.plot(ks[0], ks[2], "o", color="tab:blue", ms=8,
            label=f"KSBS ({ks[0]:.2f}, {ks[1]:.2f}, {ks[2]:.2f})")
    ax.plot(nbs[0], nbs[2], "o", color="green", ms=8,
            label=f"NBS ({nbs[0]:.3f}, {nbs[1]:.3f}, {nbs[2]:.3f})")
    ax.plot(printed_nbs[0], printed_nbs[2], "x", color="black", ms=9, mew=2,
            label="printed NBS (2.7, 2.7, 2.3): outside F")
    ax.set(xlabel="u1 = u2 (shared utility function)", ylabel="u3", xlim=(1.8, 4.2),
           ylim=(0.8, 2.5), title="§3.4.2: KSBS vs NBS, players 1, 2 share a goal")
    ax.legend(fontsize=7, loc="lower right")
    s = np.linspace(0, 1, 201)
    ax2.plot(s, s * s * (1 - s), color="green", label="Nash product s²(1-s)")
    ax2.plot(s, np.minimum(s, 1 - s) / 4, color="tab:blue", label="KSBS ratio min(s, 1-s) (÷4)")
    ax2.axvline(2 / 3, color="green", ls="--", lw=0.8)
    ax2.axvline(1 / 2, color="tab:blue", ls="--", lw=0.8)
    ax2.set(xlabel="s = surplus share of the shared goal", title="the two criteria along F's "
            "frontier")
    ax2.legend(fontsize=8)
    return [save_figure(fig, out_dir, "ksbs_342.png")]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    """Solve both three-player problems, compare with the printed numbers and closed forms."""
    points = jnp.asarray([SHARED, DISTINCT])
    d = jnp.asarray([D_SHARED, D_DISTINCT])
    ideal, ks, nbs = solve_batch(points, d)
    ideal, ksp, nbsp = (np.asarray(x) for x in (ideal, ks.payoffs, nbs.payoffs))
    ex = exact_split()
    s_grid_nbs, s_grid_ks = grid_split(int(params.get("grid_points", 3001)))
    dd = np.asarray(d)
    printed_nbs = [2.7, 2.7, 2.3]
    exact = (f"exact: NBS s = {ex['s_nbs']} -> (8/3, 8/3, 4/3), KSBS s = {ex['s_ksbs']}; grid "
             f"argmax s = {s_grid_nbs:.4f} (NBS), {s_grid_ks:.4f} (KSBS)")
    ratios = (ideal[0] - dd[0]) / (ideal[0] - dd[0])[[1, 2, 0]]
    checks = [
        check("ksbs.ideal", ideal[0], [3.0, 3.0, 2.0], source=f"{SOURCE}: 'b_{{1,2}} = 3 and "
              "b_3 = 2'", rtol=0, atol=1e-12, note="bj.ideal_point"),
        check("ksbs.ideal_ratios", ratios, [1.0, 1.0, 1.0], source=f"{SOURCE}: the chain of "
              "ratios (b_i - d_i)/(b_j - d_j) = 1", rtol=0, atol=1e-12,
              note="(I_i - d_i)/(I_j - d_j) for (i, j) = (1, 2), (2, 3), (3, 1); the printed "
                   "chain's indices are garbled but every ratio is 1"),
        check("ksbs.ksbs", ksp[0], [2.5, 2.5, 1.5], source=SOURCE, rtol=0, atol=1e-9,
              note=f"bj.kalai_smorodinsky; {exact}"),
        check("ksbs.shared_goal_share", ksp[0, 0] - dd[0, 0], 0.5, source=f"{SOURCE}: 'Players "
              "1 and 2 have only received half of the utility'", rtol=0, atol=1e-9,
              note="surplus going to the shared goal under the KSBS"),
        check("ksbs.distinct_goals", ksp[1] - dd[1], [1 / 3, 1 / 3, 1 / 3], source=f"{SOURCE}: "
              "'If they had been two players with distinct goals, then they would have each "
              "gotten one third'", rtol=0, atol=1e-9,
              note="KSBS gains with three distinct goals (NBS gains "
                   f"{np.round(nbsp[1] - dd[1], 9).tolist()})"),
        check("ksbs.distinct_goals_total_12", ksp[1, 0] + ksp[1, 1] - dd[1, 0] - dd[1, 1], 2 / 3,
              source=f"{SOURCE}: 'giving 1 and 2 a total of 2/3'", rtol=0, atol=1e-9),
        check("ksbs.nbs", nbsp[0], printed_nbs, source=f"{SOURCE}: 'chooses the point ≈ (2.7, "
              "2.7, 2.3)'", rtol=0, atol=0.05,
              note="MISPRINT in the third coordinate: the NBS is exactly (8/3, 8/3, 4/3) ≈ "
                   "(2.7, 2.7, 1.3); 2.3 exceeds player 3's ideal payoff 2 (outside F) and "
                   "contradicts the report's own 'one third of the surplus' each; "
                   f"bj.nash_bargaining; {exact}"),
        check("ksbs.nbs_surplus_thirds", [(nbsp[0, 0] - 2) / 2, (nbsp[0, 1] - 2) / 2,
                                          nbsp[0, 2] - 1], [1 / 3, 1 / 3, 1 / 3],
              source=f"{SOURCE}: the NBS is 'effectively giving each player one third of the "
              "utility surplus'", rtol=0, atol=1e-9,
              note="players 1 and 2 split the shared goal's gain 2/3; player 3 gets 1/3"),
    ]
    figures = (_plot(out_dir, ksp[0], nbsp[0], printed_nbs, ideal[0])
               if params.get("figures", True) else [])
    labels = ("shared_goal", "distinct_goals")
    results = {
        "problems": {lab: {"points": np.asarray(points[b]), "disagreement": dd[b],
                           "ideal": ideal[b], "ksbs": ksp[b], "nbs": nbsp[b],
                           "nbs_weights": np.asarray(nbs.weights[b])}
                     for b, lab in enumerate(labels)},
        "exact": {"s_nbs": str(ex["s_nbs"]), "s_ksbs": str(ex["s_ksbs"]),
                  "nbs": [str(x) for x in ex["nbs"]], "ksbs": [str(x) for x in ex["ksbs"]]},
        "grid": {"s_nbs": s_grid_nbs, "s_ksbs": s_grid_ks},
        "certificates": {
            f"{kind}.{lab}": {"name": name, "value": float(sol.gap[b]), "tol": float(sol.tol[b]),
                              "status": bj.Status(int(sol.status[b])).name.lower()}
            for kind, name, sol in (("ksbs", "max_min_gap", ks), ("nbs", "payoff_error_bound", nbs))
            for b, lab in enumerate(labels)},
    }
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
