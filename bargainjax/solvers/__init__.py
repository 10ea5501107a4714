"""The numerical engines: two-player zero-sum games, dense linear programs, concave
maximisation over products of simplices.
"""

from bargainjax.solvers._zero_sum import (
    EntropicSolution,
    ZeroSumSolution,
    solve_zero_sum,
    solve_zero_sum_entropic,
)
from bargainjax.solvers._lp import (
    LPSolution,
    solve_lp,
)

__all__ = [
    "EntropicSolution",
    "ZeroSumSolution",
    "solve_zero_sum",
    "solve_zero_sum_entropic",
    "LPSolution",
    "solve_lp",
]
