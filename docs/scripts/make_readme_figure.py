"""Draw the README figure with :func:`bargainjax.plot`: a two-player feasible set with its Nash,
Kalai–Smorodinsky and egalitarian solutions and its CoCo equilibrium (for two players, Nash's
variable-threat solution, with its threat point and line of threats).

Run from the repository root (needs the ``plot`` extra):

    python docs/scripts/make_readme_figure.py

It writes ``docs/images/feasible_set.png`` (committed: it is documentation, not output).  The
command line draws the same kind of picture from a ``.nfg`` file:
``bargainjax solve game.nfg --concept nbs,ksbs,egalitarian,coco-equilibrium --plot FILE.png``.
"""

from __future__ import annotations

import pathlib

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import bargainjax as bj  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[1] / "images" / "feasible_set.png"

# Ann (rows: Dove, Hawk, Walk) and Bob (columns: Dove, Hawk); U[i, a_Ann, a_Bob].
U = jnp.array([[[4.0, 1.0], [6.0, 0.0], [2.0, 2.0]],
               [[3.0, 5.0], [1.0, 0.0], [0.0, 1.0]]])


def main() -> None:
    game = bj.normal_form_game(U, player_names=("Ann", "Bob"), title="A 3x2 game")
    F = bj.correlated_set(game)
    security = bj.check(bj.security_levels(game))
    d = security.levels
    solutions = {
        "Nash (1950)": bj.check(bj.nash_bargaining(F, d)),
        "Kalai–Smorodinsky (1975)": bj.check(bj.kalai_smorodinsky(F, d)),
        "egalitarian": bj.check(bj.egalitarian(F, d)),
        "CoCo equilibrium": bj.check(bj.coco_equilibrium(game)),
    }
    fig = Figure(figsize=(8.0, 4.2), layout="constrained")
    bj.plot(game, solutions, security=security.levels, ax=fig.add_subplot())
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=100)
    for name, r in solutions.items():
        print(f"{name}: payoffs {np.asarray(r.payoffs)}, weights {np.asarray(r.weights)}")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
