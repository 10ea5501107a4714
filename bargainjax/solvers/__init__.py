"""The numerical engines: two-player zero-sum games, dense linear programs, concave
maximisation over products of simplices.
"""

from bargainjax.solvers._zero_sum import (
    EntropicSolution as EntropicSolution,
    ZeroSumSolution as ZeroSumSolution,
    solve_zero_sum as solve_zero_sum,
    solve_zero_sum_entropic as solve_zero_sum_entropic,
)
from bargainjax.solvers._lp import (
    LPSolution as LPSolution,
    solve_lp as solve_lp,
)
