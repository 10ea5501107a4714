r"""Report (002) summary, Figures 1 and 2: share of expected utility received from the other
type and relative gains from trade as the belief :math:`p(t'|t)` in the other type falls from
1/2 to 0, for square-root (Example 55) and logarithmic (Example 56) returns to resources.

Two types, prior 1/2, beliefs :math:`p(t'|t) = q`, :math:`p(t|t) = 1 - q`, large ``n``, BNE
disagreement point, symmetric NBS.  The summary does not state the resources ``r`` of its log
case; ``r`` is a parameter here (default 100, Figure 15's first case).  Each production kind
is one batched ``jit(vmap(...))`` solve over ``q``.  Figure 1 draws both cases' individual
feasible sets at :math:`q = 1/4` with the BNE (red) and the NBS (green).

The figures carry no printed numbers; the checks test the captions' statements: gains are
largest at :math:`q = 1/2` (where the share is 1/2 by symmetry), in the square-root case they
fall "roughly quadratically" (Example 55's closed form gives gains :math:`\approx q^2/2` as
:math:`q \to 0`), and in the log case they are larger and fall more slowly.
"""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "report (002), §1.1.3, Figures 1 and 2"


def game(q, r, production):
    beliefs = jnp.stack([jnp.stack([1 - q, q]), jnp.stack([q, 1 - q])])
    budget = r - 2 if production == "log" else r
    return bj.bayesian_game(jnp.array([0.5, 0.5]), beliefs,
                            bj.type_resource_sets(jnp.stack([budget, budget]), production=production))


def frontier(A, num=151):
    s = jnp.linspace(0.0, 1.0, num)
    return jax.vmap(lambda t: A.payoffs((jnp.stack([t, 1 - t]),)))(s)


def make_compute(production):
    @jax.jit
    def compute(qs, r, q_fig):
        def one(q):
            sol = bj.bayesian_nbs(game(q, r, production))
            return {"share": sol.share_from_others[0], "gains": sol.relative_gains[0],
                    "contributions": sol.contributions, "disagreement": sol.disagreement,
                    "gap": sol.certificate, "tol": sol.tol, "status": sol.status}

        res = jax.vmap(one)(qs)
        g = game(q_fig, r, production)
        res["frontiers"] = jnp.stack([frontier(F) for F in bj.individual_feasible_sets(g)])
        return res

    return compute


def _plots(out_dir, qs, out, q_fig, r):
    plt = pyplot()

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4))
    for ax, (kind, res) in zip(axes, out.items()):
        i = -1  # the entry solved at q_fig
        for f, name, col in zip(res["frontiers"], ("$F_1$", "$F_2$"), ("tab:blue", "tab:orange")):
            ax.plot(f[:, 0], f[:, 1], color=col, label=name)
        bne = np.diag(res["disagreement"][i])
        for t in range(2):
            ax.plot(*bne[t], "o", color="red", label="disagreement (BNE)" if t == 0 else None)
            ax.plot(*res["contributions"][i][t], "o", color="green", label="NBS" if t == 0 else None)
        ax.set(title=f"{kind} utilities" + (f", r = {r:g}" if kind == "log" else ""),
               xlabel="EU of type 1", ylabel="EU of type 2")
        ax.set_aspect("equal")
        ax.legend(fontsize=8)
    fig.suptitle(f"Figure 1: individual feasible sets, p(t) = 1/2, p(t'|t) = {q_fig:g}")
    save_figure(fig, out_dir, "fig1_feasible_sets.png")

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
    for ax, (kind, res) in zip(axes, out.items()):
        ok = res["status"][:-1] == 0
        ax.plot(qs[ok], res["share"][:-1][ok], color="tab:blue", label="share from the other type")
        ax.plot(qs[ok], res["gains"][:-1][ok], color="tab:orange", label="relative gains from trade")
        ax.set(title=f"{kind} utilities" + (f", r = {r:g}" if kind == "log" else ""),
               xlabel="belief in the other type p(t'|t)")
        ax.legend(fontsize=8)
    fig.suptitle("Figure 2: share and gains from trade at the NBS")
    save_figure(fig, out_dir, "fig2_share_gains.png")
    return ["fig1_feasible_sets.png", "fig2_share_gains.png"]


def run(params: dict, out_dir: pathlib.Path) -> dict:
    r = float(params.get("r_log", 100.0))
    q_fig = float(params.get("q_figure", 0.25))
    qs = np.linspace(params.get("q_min", 0.02), 0.5, int(params.get("num_q", 49)))
    xs = jnp.asarray(np.concatenate([qs, [q_fig]]))
    out = {}
    for kind, rr in (("sqrt", 1.0), ("log", r)):
        res = make_compute(kind)(xs, jnp.asarray(rr), jnp.asarray(q_fig))
        out[kind] = {k: np.asarray(v) for k, v in res.items()}
    sq, lg = out["sqrt"], out["log"]
    ok = (sq["status"][:-1] == 0) & (lg["status"][:-1] == 0)
    small = int(np.argmin(qs))
    checks = [
        check("fig2.argmax_gains[sqrt]", qs[np.argmax(sq["gains"][:-1])], 0.5, source=SOURCE +
              ": 'when p(t'|t) = 1/2 ... maximal gains from trade'", rtol=1e-12),
        check("fig2.argmax_gains[log]", qs[np.argmax(lg["gains"][:-1])], 0.5, source=SOURCE,
              rtol=1e-12),
        check("fig2.share[q=0.5]", [sq["share"][len(qs) - 1], lg["share"][len(qs) - 1]],
              [0.5, 0.5], source=SOURCE + " (symmetry at equal beliefs)", rtol=1e-8,
              note="not printed: at q = 1/2 both types are interchangeable"),
        check(f"fig2.sqrt_gains_over_q2[q={qs[small]:g}]", sq["gains"][small] / qs[small] ** 2,
              0.5, source=SOURCE + ": 'in the square root utility case, they go down roughly "
              "quadratically'", rtol=0.05,
              note="Example 55's closed form: gains = sqrt(1 - 2q(1-q))/(1-q) - 1 ~ q^2/2"),
        check("fig2.log_gains_exceed_sqrt", float(np.all(lg["gains"][:-1][ok] > sq["gains"][:-1][ok])),
              1.0, source=SOURCE + ": 'in the logarithmic utility case, they diminish more "
              "slowly'", note=f"1 = at every q of the grid (r = {r:g})"),
    ]
    figures = _plots(out_dir, qs, out, q_fig, r) if params.get("figures", True) else []
    results = {"q": qs, "r_log": r,
               "sqrt": {"share": sq["share"][:-1], "gains": sq["gains"][:-1],
                        "status": sq["status"][:-1]},
               "log": {"share": lg["share"][:-1], "gains": lg["gains"][:-1],
                       "status": lg["status"][:-1]},
               "certificates": {f"nbs[{k},q={q_fig:g}]": {
                   "name": "payoff_error_bound", "value": float(v["gap"][-1]), "tol": float(v["tol"][-1]),
                   "status": bj.Status(int(v["status"][-1])).name.lower()} for k, v in out.items()}}
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
