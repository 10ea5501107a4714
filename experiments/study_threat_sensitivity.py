r"""Threat sensitivity: how a player's CoCo-equilibrium payoff moves when one of their threat
options is made nastier for the other side.

Source: the blog post (Diffractor, "Unifying Bargaining Notions (2/2)", 2022) closes with the
worry that the CoCo/Harsanyi equilibrium rewards the ability to threaten: a player gains at the
bargaining table from options that only hurt the
other side.  For two players the CoCo equilibrium is Nash's (1953) variable-threat solution
(the post's CoCo-equilibrium section), where this is a known property.

The family: a base 2-player game (player 1 chooses a row among ``cooperative`` rows, player 2 a
column; standard-normal payoffs, several seeds) plus one extra row ``T`` for player 1, the threat:
it costs player 1 ``threat_cost`` whatever player 2 does and gives player 2 ``-c``.  ``T`` is never
part of an agreement worth having; it only shapes the fight ``a_1 U_1 - a_2 U_2``.  For each base
game the equilibrium is solved on a grid of ``c`` in one batched call (``jax.vmap`` of
:func:`bargainjax.coco_equilibrium`), and ``du/dc`` by ``jax.vmap(jax.jacfwd(...))`` through the
solver (implicit differentiation of the face equations; module ``_equilibrium``), compared with
central finite differences of the solver itself wherever the equilibrium is smooth in ``c``
(forward and backward differences agree).

Expectation (checked): player 1's payoff never decreases as the threat gets nastier (Nash
1953: a larger threat set cannot hurt in the variable-threat game).  Found: it rises linearly
once ``T`` becomes player 1's optimal threat and the equilibrium lies on an edge of ``F``, and
stays flat when the equilibrium is at a vertex (only the weights move).
"""

from __future__ import annotations

import pathlib

import jax
import jax.numpy as jnp
import numpy as np

import bargainjax as bj
from bargainjax.experiment import check, main, pyplot, save_figure

SOURCE = "blog post 001 (closing worry about threats); Nash (1953)"


def family(base, c, threat_cost):
    """Payoffs ``(2, rows + 1, cols)``: ``base`` plus the threat row (``-threat_cost``, ``-c``)."""
    cols = base.shape[2]
    T = jnp.stack([jnp.full((1, cols), -threat_cost), jnp.full((1, cols), -1.0) * c])
    return jnp.concatenate([base, T], axis=1)


def run(params: dict, out_dir: pathlib.Path) -> dict:
    rng = np.random.default_rng(int(params.get("seed", 0)))
    rows, cols = int(params.get("rows", 2)), int(params.get("cols", 3))
    bases = rng.normal(size=(int(params.get("num_games", 4)), 2, rows, cols))
    cs = np.linspace(float(params.get("c_min", 0.0)), float(params.get("c_max", 6.0)),
                     int(params.get("grid", 61)))
    cost = float(params.get("threat_cost", 1.0))
    h = float(params.get("fd_step", 1e-6))

    def payoffs(base, c):
        return bj.coco_equilibrium(family(base, c, cost)).payoffs

    def solve(base, c):
        r = bj.coco_equilibrium(family(base, c, cost))
        return r.payoffs, r.weights, r.certificate, r.status, r.threat_strategies[1]

    grid = jax.jit(jax.vmap(jax.vmap(solve, (None, 0)), (0, None)))
    deriv = jax.jit(jax.vmap(jax.vmap(jax.jacfwd(payoffs, argnums=1), (None, 0)), (0, None)))
    U, W, C, S, threat = map(np.asarray, grid(jnp.asarray(bases), jnp.asarray(cs)))
    D = np.asarray(deriv(jnp.asarray(bases), jnp.asarray(cs)))
    Up, *_ = map(np.asarray, grid(jnp.asarray(bases), jnp.asarray(cs + h)))
    Um, *_ = map(np.asarray, grid(jnp.asarray(bases), jnp.asarray(cs - h)))
    fwd, bwd = (Up - U) / h, (U - Um) / h
    central = (Up - Um) / (2 * h)
    smooth = np.all(np.abs(fwd - bwd) <= 1e-5, axis=-1) & (S == 0)
    err = np.abs(D - central).max(axis=-1)
    certified = S == int(bj.Status.SUCCESSFUL)
    steps = np.diff(U[..., 0], axis=1)
    monotone = bool(np.all(steps >= -1e-7))
    uses_threat = threat[..., -1] > 0.5  # player 1's optimal threat puts weight on T
    gain = U[:, -1, 0] - U[:, 0, 0]
    checks = [
        check("threat.all_certified", float(certified.mean()), 1.0, source=SOURCE, rtol=0,
              note=f"{int(certified.sum())}/{certified.size} equilibria certified "
                   f"(max certificate {C.max():.2e})"),
        check("threat.player1_monotone", float(monotone), 1.0, source=SOURCE, rtol=0,
              note=f"smallest step of u_1 along the grid: {steps.min():.3e} (>= -1e-7 allowed)"),
        check("threat.player1_derivative_nonnegative", float(D[..., 0][smooth].min() >= -1e-9),
              1.0, source=SOURCE, rtol=0,
              note=f"min du_1/dc at smooth points {D[..., 0][smooth].min():.3e}; u_1(c_max) - "
                   f"u_1(c_min) per game {np.array2string(gain, precision=4)} (flat where the "
                   "equilibrium sits at a vertex of F whatever the threat, even when T is the "
                   "optimal threat: only the weights move)"),
        check("threat.derivative_vs_finite_differences", float(err[smooth].max()), 0.0,
              source="implicit differentiation (module _equilibrium) vs central differences",
              rtol=0, atol=1e-6,
              note=f"max |du/dc - FD| over {int(smooth.sum())}/{smooth.size} smooth grid points"),
    ]
    figures = []
    if params.get("figures", True):
        figures = _plot(out_dir, cs, U, D, smooth, uses_threat)
    results = {"c": cs, "threat_cost": cost, "bases": bases, "payoffs": U, "weights": W,
               "certificate_values": C, "status": S, "du_dc": D, "du_dc_fd": central,
               "smooth": smooth, "threat_on_T": uses_threat}
    return {"results": results, "checks": checks, "figures": figures}


def _plot(out_dir, cs, U, D, smooth, uses_threat):
    plt = pyplot()

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for g in range(U.shape[0]):
        line, = axes[0].plot(cs, U[g, :, 0], label=f"game {g}: player 1")
        axes[0].plot(cs, U[g, :, 1], "--", color=line.get_color())
        axes[1].plot(cs, np.where(smooth[g], D[g, :, 0], np.nan), color=line.get_color())
        on = uses_threat[g]
        axes[0].plot(cs[on], U[g, on, 0], ".", color=line.get_color(), ms=3)
    axes[0].set_xlabel("threat severity c (player 2's payoff under T is -c)")
    axes[0].set_ylabel("payoff (solid: 1, dashed: 2)")
    axes[0].legend(fontsize=7)
    axes[1].set_xlabel("c")
    axes[1].set_ylabel("du_1/dc (implicit differentiation)")
    fig.suptitle("Nastier threats: the threatener's equilibrium payoff (dots: T is the optimal threat)")
    return [save_figure(fig, out_dir, "threat_sensitivity.png", dpi=120)]


if __name__ == "__main__":
    import sys

    sys.exit(main(__file__))
