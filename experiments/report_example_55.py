r"""Report (002) Example 55, Figures 12 and 13: "double decrease" with square-root utilities.

Two types, prior 1/2 each, beliefs :math:`p(t|t) = p`, :math:`p(t'|t) = 1 - p`, large ``n``;
each type's action set is the unit quarter disc (:math:`x = \sqrt{y}`, :math:`y \in \Delta`),
so :math:`F_1 = \{(x_1/p)^2 + (x_2/(1-p))^2 \le 1\}` (at :math:`p = 3/4` the report's
:math:`(\tfrac43 x_1)^2 + (4x_2)^2 \le 1`).  The disagreement point is the BNE, :math:`(p, p)`.

bargainjax solves the NBS for a whole grid of ``p`` in one batched ``jit(vmap(...))`` call and
reports, per ``p``, the share of a type's expected utility produced by the other type and the
relative gains from trade.  The checks evaluate the report's printed formulas at several ``p``:
the NBS point :math:`(p^2, (1-p)^2)/\sqrt{1 - 2(1-p)p}` of :math:`F_1`, the share
:math:`(1-p)^2/(1 - 2(1-p)p)`, the total :math:`\sqrt{1-2(1-p)p}`, the self-production ``p``
and the gains :math:`\sqrt{1-2(1-p)p}/p - 1`.
"""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "report (002), Example 55, §5.5.4"


def game(p):
    beliefs = jnp.stack([jnp.stack([p, 1 - p]), jnp.stack([1 - p, p])])
    return bj.bayesian_game(jnp.array([0.5, 0.5]), beliefs, bj.type_resource_sets(jnp.ones(2)))


def solve(p):
    sol = bj.bayesian_nbs(game(p))
    return {"payoffs": sol.payoffs, "actions": sol.actions, "contributions": sol.contributions,
            "disagreement": sol.disagreement, "share": sol.share_from_others[0],
            "share_to": sol.share_to_others[0], "gains": sol.relative_gains[0],
            "dependency": sol.dependency_margins, "gap": sol.gap, "status": sol.status}


def printed(p):
    """The report's formulas for Example 55 at ``p`` (numpy)."""
    s = np.sqrt(1 - 2 * (1 - p) * p)
    return {"point": np.array([p**2 / s, (1 - p) ** 2 / s]), "share": (1 - p) ** 2 / s**2,
            "total": s, "self": p, "gains": s / p - 1}


def frontier(A, num=101):
    """Pareto frontier of a one-agent resource set: its budget-exhausting allocations."""
    s = jnp.linspace(0.0, 1.0, num)
    return jax.vmap(lambda t: A.payoffs((jnp.stack([t, 1 - t]),)))(s)


@jax.jit
def compute(ps, p_fig):
    """One compiled call: the NBS for every ``p`` (vmap) and Figure 12's sets at ``p_fig``
    (whose NBS is the sweep's entry for ``p_fig``)."""
    res = jax.vmap(solve)(ps)
    g = game(p_fig)
    res["frontiers"] = jnp.stack([frontier(F) for F in bj.individual_feasible_sets(g)])
    res["weights_fig"] = g.weights
    res["bne_fig"] = g.weights * bj.bayesian_nash(g).actions
    return res


def _plots(out_dir, p_fig, res, ps, ok):
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    for f, name, col in zip(res["frontiers"], ("$F_1$", "$F_2$"), ("tab:blue", "tab:orange")):
        ax.plot(f[:, 0], f[:, 1], color=col, label=name)
    for t in range(2):
        ax.plot(*res["bne_fig"][t], "o", color="red", label="BNE" if t == 0 else None)
        ax.plot(*res["nbs_fig"][t], "o", color="green", label="NBS" if t == 0 else None)
    ax.set(title=f"Example 55: individual feasible sets, p = {p_fig}",
           xlabel="expected utility of type 1", ylabel="expected utility of type 2")
    ax.set_aspect("equal")
    ax.legend(fontsize=8)
    save_figure(fig, out_dir, "fig12_feasible_sets.png")

    fig, ax = plt.subplots(figsize=(6, 4.2))
    q = 1 - ps
    ax.plot(q[ok], res["share"][ok], color="tab:blue", label="share received from the other type")
    ax.plot(q[ok], res["gains"][ok], color="tab:orange", label="relative gains from trade")
    ax.plot(q, [printed(p)["share"] for p in ps], ":", color="k", lw=0.8,
            label="report's formulas")
    ax.plot(q, [printed(p)["gains"] for p in ps], ":", color="k", lw=0.8)
    ax.set(title="Example 55 (Figure 13): square-root utilities",
           xlabel="belief in the other type p(t'|t) = 1 - p", ylabel="fraction")
    ax.legend(fontsize=8)
    save_figure(fig, out_dir, "fig13_share_gains.png")
    return ["fig12_feasible_sets.png", "fig13_share_gains.png"]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    check_ps = [float(p) for p in params.get("check_ps", [0.5, 0.6, 0.75, 0.9])]
    grid = np.linspace(params.get("p_min", 0.5), params.get("p_max", 0.975),
                       int(params.get("num_p", 96)))
    p_fig = float(params.get("p_figure", 0.75))
    ps = np.concatenate([np.asarray(check_ps), grid, [p_fig]])
    res = {k: np.asarray(v) for k, v in compute(jnp.asarray(ps), jnp.asarray(p_fig)).items()}
    ok = res["status"] == 0
    checks = []
    for i, p in enumerate(check_ps):
        want = printed(p)
        tag = f"[p={p:g}]"
        x1 = res["contributions"][i][0]  # type 1's point of F_1
        checks += [
            check(f"ex55.nbs_point{tag}", x1, want["point"], source=SOURCE + ", the point of F_1",
                  rtol=1e-8, atol=1e-9,
                  note="type 1's contribution (C_11 a_11, C_12 a_12) at the NBS (the NBS is "
                       "certified relative to the payoff range, hence the absolute tolerance)"),
            check(f"ex55.share_other{tag}", res["share"][i], want["share"], source=SOURCE,
                  rtol=1e-8, atol=1e-9, note="share of type 1's EU produced by type 2"),
            check(f"ex55.total{tag}", res["payoffs"][i][0], want["total"], source=SOURCE,
                  rtol=1e-8, note="EU of either type at the NBS"),
            check(f"ex55.self{tag}", res["disagreement"][i][0], want["self"], source=SOURCE,
                  rtol=1e-12, note="'individually achievable expected utility is p' (the BNE)"),
            check(f"ex55.gains{tag}", res["gains"][i], want["gains"], source=SOURCE, rtol=1e-7,
                  atol=1e-12, note="relative gains (EU - d)/d"),
        ]
    C = res["weights_fig"]
    checks.append(check(f"ex55.F_scales[p={p_fig:g}]", 1 / C.ravel(),
                        [1 / p_fig, 1 / (1 - p_fig), 1 / (1 - p_fig), 1 / p_fig],
                        source=SOURCE + ": F_1 = {(4/3 x1)^2 + (4 x2)^2 <= 1} at p = 3/4, F_2 "
                        "swapped", rtol=1e-12,
                        note="1 / C[s, t] = 1 / p(s|t) (Definition 45, large n); the printed "
                        "4/3 and 4 are p = 3/4's"))
    ig, ie = len(check_ps), len(check_ps) + len(grid)
    sweep = {"share": res["share"][ig:ie], "gains": res["gains"][ig:ie],
             "frontiers": res["frontiers"], "bne_fig": res["bne_fig"],
             "nbs_fig": res["contributions"][-1]}
    okg = ok[ig:ie]
    figures = _plots(out_dir, p_fig, sweep, grid, okg) if params.get("figures", True) else []
    results = {
        "p": grid, "share_other": sweep["share"], "relative_gains": sweep["gains"],
        "payoffs": res["payoffs"][ig:ie], "status": res["status"][ig:ie],
        "dependency_margins_min": float(np.min(res["dependency"][ok])),
        "not_certified_p": grid[~okg],
        "note": "p = 1 is left out: no type gains from trade there and the NBS is undefined.",
        "certificates": {f"nbs[p={p:g}]": {"name": "payoff_error_bound", "value": float(res["gap"][i]),
                                           "tol": 1e-9,
                                           "status": bj.Status(int(res["status"][i])).name.lower()}
                         for i, p in enumerate(check_ps)},
    }
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
