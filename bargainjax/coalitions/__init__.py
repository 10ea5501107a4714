"""Coalitions: bitmask algebra over all 2^n coalitions, TU values (Shapley value, Harsanyi
dividends), coalition fights and CoCo values, the CoCo equilibrium and the coalition-perfect
CoCo/Harsanyi conditions.
"""

from bargainjax.coalitions._algebra import (
    coalition_sizes,
    from_dividends,
    harsanyi_dividends,
    members,
    shapley_value,
    shapley_weights,
    threat_payoffs,
    tu_game,
)
from bargainjax.coalitions._coco import (
    CoalitionValues,
    CocoValue,
    coalition_fight_matrix,
    coalition_values,
    coco_value,
    coco_value_two_player,
)
from bargainjax.coalitions._equilibrium import (
    FACE_KINDS,
    CocoEquilibrium,
    coco_equilibrium,
)
from bargainjax.coalitions._perfect import (
    coalition_payoffs,
    coco_condition_residuals,
    harsanyi_condition_residuals,
)


__all__ = [
    "coalition_sizes",
    "from_dividends",
    "harsanyi_dividends",
    "members",
    "shapley_value",
    "shapley_weights",
    "threat_payoffs",
    "tu_game",
    "CoalitionValues",
    "CocoValue",
    "coalition_fight_matrix",
    "coalition_values",
    "coco_value",
    "coco_value_two_player",
    "FACE_KINDS",
    "CocoEquilibrium",
    "coco_equilibrium",
    "coalition_payoffs",
    "coco_condition_residuals",
    "harsanyi_condition_residuals",
]
