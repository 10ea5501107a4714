r"""Sensitivity maps of Examples 55 and 56 (report §5.5.4–5.5.5; issue 5 item 3).

For every point of a ``(p, r)`` grid — ``p = p(t|t)``, ``r`` the resources — the NBS of the
two-type Bayesian bargaining game and the derivatives of type 1's NBS payoff, relative gains
from trade and share of expected utility received from the other type with respect to ``p``
and ``r``, by ``jax.jacfwd`` through :func:`bargainjax.bayesian_nbs` (the NBS's implicit
derivative, and the implicit tangent of its strategy for the share), under ``jax.vmap`` over the
grid: one compiled call per example.

Example 55 (square root): budget ``r`` per type, sets :math:`\{(x_1/p)^2 + (x_2/(1-p))^2 \le r\}`;
closed forms :math:`u = \sqrt{r}\sqrt{p^2 + (1-p)^2}`, gains :math:`\sqrt{p^2+(1-p)^2}/p - 1`,
share :math:`(1-p)^2/(p^2 + (1-p)^2)`.  Example 56 (log): eqs. (60)–(61), budget ``r - 2`` of
``log1p`` production; for :math:`p < 1 - 1/r`, :math:`u = p\log(pr) + (1-p)\log((1-p)r)`,
:math:`d = p\log(r-1)`, share :math:`(1-p)\log((1-p)r)/u`.  The checks compare the solver's
derivatives at a few grid points with ``jax.jacfwd`` of these closed forms (independent of the
solver).  Example 56's ``d/dr`` maps are drawn as elasticities ``r d/dr``.  Grid points whose
NBS is not certified (status not ``SUCCESSFUL``) are left blank and listed in the results.
Derivatives are one-sided where the solution's support changes (Example 56 at
:math:`p = 1 - 1/r`); the grid stays below it.
"""

from __future__ import annotations

import pathlib
import time

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "closed forms re-derived from report (002) Examples 55 and 56 (§5.5.4-5.5.5), "\
         "differentiated by jax.jacfwd"
NAMES = ("payoff", "gains", "share")


def make(kind):
    def f(x):
        p, r = x[0], x[1]
        beliefs = jnp.stack([jnp.stack([p, 1 - p]), jnp.stack([1 - p, p])])
        budget = r if kind == "sqrt" else r - 2
        sets = bj.type_resource_sets(jnp.stack([budget, budget]), production=kind)
        sol = bj.bayesian_nbs(bj.bayesian_game(jnp.array([0.5, 0.5]), beliefs, sets))
        val = jnp.stack([sol.payoffs[0], sol.relative_gains[0], sol.share_from_others[0]])
        return val, (val, sol.status, sol.gap)

    return jax.jit(jax.vmap(jax.jacfwd(f, has_aux=True)))


def closed(kind):
    def f(x):
        p, r = x[0], x[1]
        if kind == "sqrt":
            s = jnp.sqrt(p**2 + (1 - p) ** 2)
            return jnp.stack([s * jnp.sqrt(r), s / p - 1, (1 - p) ** 2 / s**2])
        u = p * jnp.log(p * r) + (1 - p) * jnp.log((1 - p) * r)
        return jnp.stack([u, u / (p * jnp.log(r - 1)) - 1, (1 - p) * jnp.log((1 - p) * r) / u])

    return jax.jacfwd(f)


def _plots(out_dir, grids, maps):
    plt = pyplot()
    from matplotlib.colors import CenteredNorm

    names = []
    for ex, (P, R) in grids.items():
        J = maps[ex]  # (num_r, num_p, 3, 2)
        fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
        for i, q in enumerate(NAMES):
            for j, wrt in enumerate(("p", "r")):
                ax = axes[j, i]
                Z = J[:, :, i, j] * (R if (ex == "56" and j == 1) else 1.0)
                im = ax.pcolormesh(P, R, Z, shading="auto", cmap="coolwarm",
                                   norm=CenteredNorm())
                if ex == "56":
                    ax.set_yscale("log")
                fig.colorbar(im, ax=ax)
                scaled = "r " if (ex == "56" and j == 1) else ""
                ax.set(title=f"{scaled}d {q} / d {wrt}", xlabel="p = p(t|t)", ylabel="r")
        fig.suptitle(f"Example {ex}: sensitivity of type 1's NBS payoff, relative gains and share")
        names.append(save_figure(fig, out_dir, f"sensitivity_ex{ex}.png", dpi=100))
    return names


def run(params: dict, out_dir: pathlib.Path) -> dict:
    num_p, num_r = int(params.get("num_p", 12)), int(params.get("num_r", 12))
    ps = np.linspace(params.get("p_min", 0.5), params.get("p_max", 0.95), num_p)
    specs = {"55": ("sqrt", np.linspace(params.get("r_min_55", 0.5), params.get("r_max_55", 10.0),
                                        num_r)),
             "56": ("log", np.geomspace(params.get("r_min_56", 30.0), params.get("r_max_56", 1e9),
                                        num_r))}
    checks, results, grids, maps, certs = [], {}, {}, {}, {}
    check_points = [tuple(x) for x in params.get("check_points", [[0.5, 1.0], [0.75, 1.0],
                                                                  [0.9, 5.0]])]
    check_points_56 = [tuple(x) for x in params.get("check_points_56", [[0.6, 100.0],
                                                                        [0.75, 1e9]])]
    for ex, (kind, rs) in specs.items():
        P, R = np.meshgrid(ps, rs)
        extra = check_points if ex == "55" else check_points_56
        xs = np.concatenate([np.stack([P.ravel(), R.ravel()], axis=1), np.array(extra)])
        fn = make(kind)
        start = time.perf_counter()
        jac, (val, status, gap) = jax.block_until_ready(fn(jnp.asarray(xs)))
        elapsed = time.perf_counter() - start
        jac, val, status = np.asarray(jac), np.asarray(val), np.asarray(status)
        ng = P.size
        ok = status[:ng] == 0
        J = np.where(ok[:, None, None], jac[:ng], np.nan).reshape(num_r, num_p, 3, 2)
        grids[ex], maps[ex] = (P, R), J
        want = np.asarray(jax.vmap(closed(kind))(jnp.asarray(xs)))
        grid_err = np.nanmax(np.abs(jac[:ng][ok] - want[:ng][ok]) / (1 + np.abs(want[:ng][ok])))
        for k, (p, r) in enumerate(extra):
            i = ng + k
            for q, name in enumerate(NAMES):
                checks.append(check(
                    f"ex{ex}.d_{name}[p={p:g},r={r:g}]", jac[i, q], want[i, q], source=SOURCE,
                    rtol=1e-6, atol=1e-9,
                    note=f"(d/dp, d/dr) of type 1's {name} through bayesian_nbs (status "
                    f"{bj.Status(int(status[i])).name.lower()})"))
        results[f"ex{ex}"] = {
            "p": ps, "r": rs, "jacobian": J, "values": val[:ng].reshape(num_r, num_p, 3),
            "uncertified_points": int(np.sum(~ok)),
            "uncertified": [{"p": float(xs[i, 0]), "r": float(xs[i, 1]),
                             "status": bj.Status(int(status[i])).name.lower(),
                             "gap": float(np.asarray(gap)[i])} for i in np.flatnonzero(~ok)],
            "max_relative_error_vs_closed_form_over_grid": float(grid_err),
            "solve_and_jacobian_seconds_incl_compile": round(elapsed, 2),
        }
        certs[f"ex{ex}.grid"] = {"name": "max payoff_error_bound over certified points",
                                 "value": float(np.max(np.asarray(gap)[:ng][ok])), "tol": 1e-9,
                                 "status": "successful" if ok.all() else
                                 f"{int(np.sum(~ok))} of {ng} not certified"}
    results["certificates"] = certs
    figures = _plots(out_dir, grids, maps) if params.get("figures", True) else []
    return {"results": results, "checks": checks, "figures": figures}


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
