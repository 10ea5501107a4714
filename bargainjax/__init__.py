"""bargainjax: cooperative bargaining solutions of games in JAX, certified, batched, differentiable.

Import as ``import bargainjax as bj``; every public name of the subpackages below is also a
top-level name (``bj.nash_bargaining`` is ``bargainjax.bargaining.nash_bargaining``).

The subpackages are the layers of the library, each depending only on the ones above it:

* :mod:`bargainjax.core` — the result contract, tolerances and units; the one iteration driver,
  bisection and derivative rules; small linear algebra.
* :mod:`bargainjax.games` — normal-form and separable games, Gambit ``.nfg`` files.
* :mod:`bargainjax.solvers` — zero-sum games, linear programs (one pivot kernel), concave
  maximisation over simplices.
* :mod:`bargainjax.sets` — feasible sets of payoff vectors behind one interface.
* :mod:`bargainjax.bargaining` — bargaining solutions, disagreement points, threat points.
* :mod:`bargainjax.coalitions` — coalition algebra, TU values, CoCo values and equilibria.
* :mod:`bargainjax.stability` — cores of separable games.
* :mod:`bargainjax.bayesian` — Bayesian (ECL) bargaining games.
* :mod:`bargainjax.sweeps` — one solver over a large batch, sharded over devices.
* :mod:`bargainjax.experimental` — host-side searches (not ``jit``/``vmap``-able).

Beside them: :func:`bargainjax.plot`, a picture of the bargaining problem of a two- or
three-player game (it imports matplotlib, the ``plot`` extra, only when called);
:mod:`bargainjax.experiment` (the harness behind ``bargainjax run``/``reproduce``) and
:mod:`bargainjax.cli` (the command line), neither imported here.
"""

from bargainjax import (
    bargaining,
    bayesian,
    coalitions,
    core,
    experimental,
    games,
    sets,
    solvers,
    stability,
    sweeps,
)
from bargainjax._plotting import plot  # noqa: F401 (in __all__ below)
from bargainjax.bargaining import *  # noqa: F403
from bargainjax.bayesian import *  # noqa: F403
from bargainjax.coalitions import *  # noqa: F403
from bargainjax.core import *  # noqa: F403
from bargainjax.experimental import *  # noqa: F403
from bargainjax.games import *  # noqa: F403
from bargainjax.sets import *  # noqa: F403
from bargainjax.solvers import *  # noqa: F403
from bargainjax.stability import *  # noqa: F403
from bargainjax.sweeps import *  # noqa: F403

__version__ = "0.1.0"

__all__ = sorted(
    [name
     for module in (core, games, solvers, sets, bargaining, coalitions, stability, bayesian,
                    sweeps, experimental)
     for name in module.__all__]
    + ["plot"]
)
