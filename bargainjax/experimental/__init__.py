"""Host-side searches: Python/NumPy drivers around compiled JAX pieces.

The functions here are *not* ``jit``/``vmap``/``grad``-able as a whole.  Each one decides how
much work to do from concrete values: the number of starts, faces or candidate normals, which
chunks to solve, and which answers are distinct, are computed on the host (NumPy) between
compiled batches, and the answers are returned as NumPy values.  The pure-JAX solvers they
drive (:func:`bargainjax.coco_equilibrium`, :func:`bargainjax.coalition_values`,
:func:`bargainjax.core_membership`, :func:`bargainjax.solve_lp`) are traceable; use those
under ``jit``/``vmap``/``grad``.

* :func:`coco_equilibria` — multi-start and face-enumeration search for CoCo equilibria.
* :func:`coalition_perfect_search` — Nelder–Mead search for coalition-perfect CoCo weights.
* :func:`core_nonempty` — exact core non-emptiness by enumerating supporting normals.

They are also available as ``bargainjax.coco_equilibria``, ``bargainjax.coalition_perfect_search``
and ``bargainjax.core_nonempty``.
"""

from bargainjax.experimental._coco_equilibria import (
    MAX_FACES,
    CocoEquilibria,
    coco_equilibria,
)
from bargainjax.experimental._core_nonempty import (
    CoreNonemptiness,
    core_nonempty,
)
from bargainjax.experimental._perfect_search import (
    CoalitionPerfectSearch,
    coalition_perfect_search,
)

__all__ = [
    "MAX_FACES",
    "CocoEquilibria",
    "coco_equilibria",
    "CoreNonemptiness",
    "core_nonempty",
    "CoalitionPerfectSearch",
    "coalition_perfect_search",
]
