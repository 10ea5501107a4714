"""Coalitions: bitmask algebra over all 2^n coalitions, TU values (Shapley value, Harsanyi
dividends), coalition fights and CoCo values, the CoCo equilibrium and the coalition-perfect
CoCo/Harsanyi conditions.
"""

from bargainjax.coalitions._algebra import (
    coalition_sizes as coalition_sizes,
    from_dividends as from_dividends,
    harsanyi_dividends as harsanyi_dividends,
    members as members,
    shapley_value as shapley_value,
    shapley_weights as shapley_weights,
    threat_payoffs as threat_payoffs,
    tu_game as tu_game,
)
from bargainjax.coalitions._coco import (
    CoalitionValues as CoalitionValues,
    CocoValue as CocoValue,
    coalition_fight_matrix as coalition_fight_matrix,
    coalition_values as coalition_values,
    coco_value as coco_value,
    coco_value_two_player as coco_value_two_player,
)
from bargainjax.coalitions._equilibrium import (
    FACE_KINDS as FACE_KINDS,
    CocoEquilibrium as CocoEquilibrium,
    coco_equilibrium as coco_equilibrium,
)
from bargainjax.coalitions._perfect import (
    coalition_payoffs as coalition_payoffs,
    coco_condition_residuals as coco_condition_residuals,
    harsanyi_condition_residuals as harsanyi_condition_residuals,
)

# The host-side searches live in bargainjax.experimental; these names stay importable from here.
# Resolved lazily (PEP 562): bargainjax.experimental imports this package's modules.
_EXPERIMENTAL = ("CocoEquilibria", "coco_equilibria", "CoalitionPerfectSearch",
                 "coalition_perfect_search")


def __getattr__(name):
    if name in _EXPERIMENTAL:
        import bargainjax.experimental as experimental

        return getattr(experimental, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
