r"""Report (002) Example 56, Figures 14 and 15: "Paretotopia" with logarithmic utilities.

Two types, prior 1/2, beliefs :math:`p(t|t) = p`, :math:`p(t'|t) = 1 - p`, large ``n``;
:math:`F_1 = \{x \ge 0: e^{x_1/p} + e^{x_2/(1-p)} \le r\}` (eq. 60), :math:`F_2` swapped
(eq. 61).  Substituting :math:`y_k = e^{x_k/c_k} - 1 \ge 0` this is a resource set with
production :math:`c \log(1 + y)` and budget :math:`r - 2` (``bj.type_resource_sets(...,
production="log")``), exactly.  Disagreement: the BNE, each type spending everything on itself.

Re-derived here: the slope :math:`-1` point of :math:`F_1` is :math:`(p\log(pr),
(1-p)\log((1-p)r))` (the report's) whenever :math:`(1-p) r \ge 1`, i.e. :math:`p \le 1 - 1/r`
(the report prints :math:`p \le 1/r`, which contradicts its own :math:`\max\{(1-p)r, 1\}`);
the BNE self-production is :math:`p\log(r-1)`, not the report's :math:`p\log r` (the other
coordinate must stay :math:`\ge 0`, which costs :math:`e^0 = 1` unit of resources).  So the
gains formula printed in the report (with :math:`p\log r`) is off by a relative
:math:`\log(r/(r-1))/\log r` (0.2% at :math:`r = 100`, invisible at :math:`r = 10^9`).

All ``(p, r)`` pairs are solved in one batched ``jit(vmap(...))`` call.  At :math:`r = 10^9`
the budget is :math:`10^9 - 2` in float64 (exact) and the NBS stays well conditioned: the
solver works in the shares of the budget, and :math:`\log(1 + y)` is evaluated by ``log1p``.
"""

from __future__ import annotations

import math
import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "report (002), Example 56, §5.5.5"


def game(p, r):
    beliefs = jnp.stack([jnp.stack([p, 1 - p]), jnp.stack([1 - p, p])])
    sets = bj.type_resource_sets(jnp.stack([r - 2, r - 2]), production="log")
    return bj.bayesian_game(jnp.array([0.5, 0.5]), beliefs, sets)


def solve(x):
    sol = bj.bayesian_nbs(game(x[0], x[1]))
    return {"payoffs": sol.payoffs, "contributions": sol.contributions,
            "disagreement": sol.disagreement, "share": sol.share_from_others[0],
            "gains": sol.relative_gains[0], "dependency": sol.dependency_margins,
            "gap": sol.gap, "status": sol.status}


def frontier(A, num=201):
    s = jnp.linspace(0.0, 1.0, num)
    return jax.vmap(lambda t: A.payoffs((jnp.stack([t, 1 - t]),)))(s)


def trade_threshold(r):
    """The largest ``p`` with gains from trade: at the BNE, moving resources from one's own good
    to the other type's must raise the other type's EU faster than it lowers one's own.  The
    marginal rates come from the library's production (``jax.grad`` of eq. 52 along that move);
    they are linear in ``p``, so two evaluations give the root."""
    def net(p):
        g = game(p, r)
        beta = bj.bayesian_nash(g).strategy
        A1 = g.action_sets[0]

        def eu_sum(eps):  # both types move eps of their budget share to the other good
            s1 = (beta[0][0] + eps * jnp.array([-1.0, 1.0]),)
            s2 = (beta[1][0] + eps * jnp.array([1.0, -1.0]),)
            a = jnp.stack([A1.payoffs(s1), g.action_sets[1].payoffs(s2)])
            return bj.expected_utilities(g, a)[0]

        return jax.grad(eu_sum)(0.0)

    a, b = net(jnp.asarray(0.5)), net(jnp.asarray(0.75))
    return 0.5 - a * 0.25 / (b - a)


@jax.jit
def compute(xs, p_figs, r_fig):
    res = jax.vmap(solve)(xs)
    fr = []
    for p in p_figs:
        g = game(p, r_fig)
        fr.append(jnp.stack([frontier(F) for F in bj.individual_feasible_sets(g)]))
    res["frontiers"] = jnp.stack(fr)
    res["thresholds"] = jnp.stack([trade_threshold(jnp.asarray(100.0)),
                                   trade_threshold(jnp.asarray(1e9))])
    return res


def printed(p, r):
    """The report's formulas (numpy): NBS point, share, percent gains / 100, self-production."""
    mx = (1 - p) * math.log(max((1 - p) * r, 1.0))
    u = p * math.log(p * r) + mx
    return {"point": [p * math.log(p * r), (1 - p) * math.log((1 - p) * r)],
            "share": mx / u, "gains": u / (p * math.log(r)) - 1, "self": p * math.log(r)}


def _plots(out_dir, res, p_figs, r_fig, idx_fig, grid, rs, ok, n):
    plt = pyplot()

    fig, axes = plt.subplots(1, len(p_figs), figsize=(5 * len(p_figs), 4.4))
    for ax, q, f, i in zip(np.atleast_1d(axes), p_figs, res["frontiers"], idx_fig):
        for ft, name, col in zip(f, ("$F_1$", "$F_2$"), ("tab:blue", "tab:orange")):
            ax.plot(ft[:, 0], ft[:, 1], color=col, label=name)
        bne = np.diag(res["disagreement"][i]) / 1.0
        for t in range(2):
            ax.plot(*bne[t], "o", color="red", label="BNE" if t == 0 else None)
            ax.plot(*res["contributions"][i][t], "o", color="green", label="NBS" if t == 0 else None)
        ax.set(title=f"p(t'|t) = {1 - q:g}, r = {r_fig:g}", xlabel="EU of type 1",
               ylabel="EU of type 2")
        ax.set_aspect("equal")
        ax.legend(fontsize=8)
    fig.suptitle("Example 56 (Figure 14): individual feasible sets, logarithmic utilities")
    save_figure(fig, out_dir, "fig14_feasible_sets.png")

    fig, axes = plt.subplots(1, len(rs), figsize=(5.5 * len(rs), 4.2))
    for j, (ax, r) in enumerate(zip(np.atleast_1d(axes), rs)):
        sl = slice(j * n, (j + 1) * n)
        q = 1 - grid
        k = ok[sl]
        ax.plot(q[k], res["share"][sl][k], color="tab:blue", label="share from the other type")
        ax.plot(q[k], res["gains"][sl][k], color="tab:orange", label="relative gains from trade")
        ax.plot(q, [printed(p, r)["gains"] for p in grid], ":", color="k", lw=0.8,
                label="report's gains formula (p log r)")
        ax.set(title=f"r = {r:g}", xlabel="belief in the other type p(t'|t) = 1 - p")
        ax.legend(fontsize=8)
    fig.suptitle("Example 56 (Figure 15): logarithmic utilities")
    save_figure(fig, out_dir, "fig15_share_gains.png")
    return ["fig14_feasible_sets.png", "fig15_share_gains.png"]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    rs = [float(r) for r in params.get("rs", [100.0, 1e9])]
    check_ps = [float(p) for p in params.get("check_ps", [0.5, 0.75, 0.9])]
    grid = np.linspace(params.get("p_min", 0.5), params.get("p_max", 0.98),
                       int(params.get("num_p", 49)))
    p_figs = [float(p) for p in params.get("p_figures", [0.5, 0.75])]
    r_fig = float(params.get("r_figure", 100.0))
    n = len(grid)
    pairs = [(p, r) for r in rs for p in grid] + [(p, r) for r in rs for p in check_ps] \
        + [(p, r_fig) for p in p_figs]
    xs = jnp.asarray(np.array(pairs))
    res = {k: np.asarray(v) for k, v in compute(xs, tuple(p_figs), r_fig).items()}
    ok = res["status"] == 0
    checks = []
    base = len(rs) * n
    for j, r in enumerate(rs):
        for i, p in enumerate(check_ps):
            k = base + j * len(check_ps) + i
            want = printed(p, r)
            tag = f"[r={r:g},p={p:g}]"
            d_exact = p * math.log(r - 1)
            checks += [
                check(f"ex56.nbs_point{tag}", res["contributions"][k][0], want["point"],
                      source=SOURCE + ": (p log(pr), (1-p) log((1-p) r))", rtol=1e-8,
                      note="type 1's point of F_1 at the NBS"),
                check(f"ex56.share_other{tag}", res["share"][k], want["share"], source=SOURCE,
                      rtol=1e-8, note="share of type 1's EU produced by type 2"),
                check(f"ex56.self{tag}", res["disagreement"][k][0], want["self"],
                      source=SOURCE + ": 'p log(r) is the amount of utility either type can "
                      "produce for themselves'", rtol=1e-6,
                      note=f"computed p log(r - 1) = {d_exact:.9g}: the other coordinate must "
                      "stay >= 0, which uses e^0 = 1 unit; p log r is the r -> inf approximation"),
                check(f"ex56.gains{tag}", res["gains"][k], want["gains"], source=SOURCE,
                      rtol=1e-6,
                      note="(EU - d)/d with the exact d = p log(r - 1); the printed formula divides "
                      "by p log r (relative difference log(r/(r-1))/log r)"),
            ]
    for j, r in enumerate(rs):
        checks.append(check(f"ex56.trade_threshold[r={r:g}]", res["thresholds"][j], 1 / r,
                            source=SOURCE + ": the NBS is the slope -1 point 'for p <= 1/r'; "
                            "'for p > 1/r, no trade is possible'", rtol=1e-6,
                            note=f"computed 1 - 1/r = {1 - 1 / r:.9g}: the slope -1 point needs "
                            "(1-p) r >= 1, as the report's own max{(1-p) r, 1} says; p <= 1/r "
                            "is a misprint"))
    idx_fig = [base + len(rs) * len(check_ps) + i for i in range(len(p_figs))]
    figures = (_plots(out_dir, res, p_figs, r_fig, idx_fig, grid, rs, ok, n)
               if params.get("figures", True) else [])
    results = {
        "p": grid, "r": rs,
        "share_other": {f"r={r:g}": res["share"][j * n:(j + 1) * n] for j, r in enumerate(rs)},
        "relative_gains": {f"r={r:g}": res["gains"][j * n:(j + 1) * n] for j, r in enumerate(rs)},
        "status": {f"r={r:g}": res["status"][j * n:(j + 1) * n] for j, r in enumerate(rs)},
        "trade_threshold": res["thresholds"],
        "dependency_margins_min": float(np.min(res["dependency"][ok])),
        "certificates": {f"nbs[r={r:g},p={p:g}]": {
            "name": "payoff_error_bound", "value": float(res["gap"][base + j * len(check_ps) + i]),
            "tol": 1e-9, "status": bj.Status(int(res["status"][base + j * len(check_ps) + i])).name.lower()}
            for j, r in enumerate(rs) for i, p in enumerate(check_ps)},
    }
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
