"""bargainjax: cooperative bargaining solutions of games in JAX, certified, batched, differentiable.

Import as ``import bargainjax as bj``.  See ``README.md`` and ``SPEC.md`` for the mathematics.
"""

from ._status import Status as Status, check as check, status_message as status_message
from ._games import (
    NormalFormGame as NormalFormGame,
    SeparableGame as SeparableGame,
    bimatrix_game as bimatrix_game,
    game_from_tables as game_from_tables,
    normal_form_game as normal_form_game,
    separable_game as separable_game,
)

# --- .nfg files ---
from ._nfg import parse_nfg as parse_nfg, read_nfg as read_nfg, write_nfg as write_nfg

# --- simplex machinery and solvers ---
from ._zero_sum import EntropicSolution as EntropicSolution, ZeroSumSolution as ZeroSumSolution, solve_zero_sum as solve_zero_sum, solve_zero_sum_entropic as solve_zero_sum_entropic
from ._feasible import (
    PolytopeHull as PolytopeHull,
    ResourceSet as ResourceSet,
    SeparableHull as SeparableHull,
    Face as Face,
    WeightedSumMax as WeightedSumMax,
    maximizing_face as maximizing_face,
    minkowski_sum as minkowski_sum,
    correlated_set as correlated_set,
    ideal_point as ideal_point,
    polytope as polytope,
    resource_set as resource_set,
    separable_set as separable_set,
)
from ._bargaining import (
    BargainingSolution as BargainingSolution,
    armstrong as armstrong,
    egalitarian as egalitarian,
    kalai_smorodinsky as kalai_smorodinsky,
    nash_bargaining as nash_bargaining,
    SupportingWeights as SupportingWeights,
    outcome_moments as outcome_moments,
    supporting_weights as supporting_weights,
    utilitarian as utilitarian,
    variance_normalized as variance_normalized,
)
from ._disagreement import SecurityLevels as SecurityLevels, security_levels as security_levels
from ._lp import LPSolution as LPSolution, solve_lp as solve_lp
from ._sweep import SweepResult as SweepResult, sweep as sweep
from ._coalitions import (
    coalition_sizes as coalition_sizes,
    from_dividends as from_dividends,
    harsanyi_dividends as harsanyi_dividends,
    members as members,
    shapley_value as shapley_value,
    shapley_weights as shapley_weights,
    threat_payoffs as threat_payoffs,
    tu_game as tu_game,
)
from ._coco import (
    CoalitionValues as CoalitionValues,
    CocoValue as CocoValue,
    coalition_fight_matrix as coalition_fight_matrix,
    coalition_values as coalition_values,
    coco_value as coco_value,
    coco_value_two_player as coco_value_two_player,
)
from ._equilibrium import CocoEquilibria as CocoEquilibria, CocoEquilibrium as CocoEquilibrium, coco_equilibria as coco_equilibria, coco_equilibrium as coco_equilibrium
from ._coalition_perfect import (
    CoalitionPerfectSearch as CoalitionPerfectSearch,
    coalition_payoffs as coalition_payoffs,
    coalition_perfect_search as coalition_perfect_search,
    coco_condition_residuals as coco_condition_residuals,
    harsanyi_condition_residuals as harsanyi_condition_residuals,
)
from ._threat import (
    PureThreatPoints as PureThreatPoints,
    ThreatPoint as ThreatPoint,
    nbs_two_player as nbs_two_player,
    pure_threat_points as pure_threat_points,
    threat_point as threat_point,
)

from ._stability import (
    BlockingMargin as BlockingMargin,
    CoreMembership as CoreMembership,
    CoreNonemptiness as CoreNonemptiness,
    ParetoMatrix as ParetoMatrix,
    StableDisagreement as StableDisagreement,
    alpha_matrix as alpha_matrix,
    blocking_margin as blocking_margin,
    core_membership as core_membership,
    core_nonempty as core_nonempty,
    nash_matrix as nash_matrix,
    pareto_matrix as pareto_matrix,
    stable_disagreement as stable_disagreement,
)

__version__ = "0.1.0"

__all__ = [
    "BargainingSolution",
    "BlockingMargin",
    "CoalitionPerfectSearch",
    "CoalitionValues",
    "CocoEquilibria",
    "CocoEquilibrium",
    "CocoValue",
    "CoreMembership",
    "CoreNonemptiness",
    "EntropicSolution",
    "Face",
    "LPSolution",
    "NormalFormGame",
    "ParetoMatrix",
    "PolytopeHull",
    "PureThreatPoints",
    "ResourceSet",
    "SecurityLevels",
    "SeparableGame",
    "SeparableHull",
    "StableDisagreement",
    "Status",
    "SupportingWeights",
    "SweepResult",
    "ThreatPoint",
    "WeightedSumMax",
    "ZeroSumSolution",
    "alpha_matrix",
    "armstrong",
    "bimatrix_game",
    "blocking_margin",
    "check",
    "coalition_fight_matrix",
    "coalition_payoffs",
    "coalition_perfect_search",
    "coalition_sizes",
    "coalition_values",
    "coco_condition_residuals",
    "coco_equilibria",
    "coco_equilibrium",
    "coco_value",
    "coco_value_two_player",
    "core_membership",
    "core_nonempty",
    "correlated_set",
    "egalitarian",
    "from_dividends",
    "game_from_tables",
    "harsanyi_condition_residuals",
    "harsanyi_dividends",
    "ideal_point",
    "kalai_smorodinsky",
    "maximizing_face",
    "members",
    "minkowski_sum",
    "nash_bargaining",
    "nash_matrix",
    "nbs_two_player",
    "normal_form_game",
    "outcome_moments",
    "pareto_matrix",
    "parse_nfg",
    "polytope",
    "pure_threat_points",
    "read_nfg",
    "resource_set",
    "security_levels",
    "separable_game",
    "separable_set",
    "shapley_value",
    "shapley_weights",
    "solve_lp",
    "solve_zero_sum",
    "solve_zero_sum_entropic",
    "stable_disagreement",
    "status_message",
    "supporting_weights",
    "sweep",
    "threat_payoffs",
    "threat_point",
    "tu_game",
    "utilitarian",
    "variance_normalized",
    "write_nfg",
]
