"""Coalitional stability of additively separable games: cores, blocking margins and stable
disagreement points by exact linear programs.
"""

from bargainjax.stability._cores import (
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
