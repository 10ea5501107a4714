"""Bayesian bargaining games with incomplete information (evidential cooperation in large
worlds): game types, Bayesian Nash equilibria, the Bayesian Nash bargaining solution.
"""

from bargainjax.bayesian._ecl import (
    BayesianGame,
    BayesianNash,
    BayesianNBS,
    actions_of,
    bayesian_feasible_set,
    bayesian_game,
    bayesian_nash,
    bayesian_nbs,
    contribution_weights,
    expected_utilities,
    individual_feasible_sets,
    type_resource_sets,
)
from bargainjax.bayesian._finite import (
    FiniteBayesianGame,
    FiniteBayesianNash,
    conditional_expected_utilities,
    dependency_margins,
    deviation_utilities,
    finite_bayesian_game,
    finite_bayesian_nash,
    finite_expected_utilities,
)

__all__ = [
    "BayesianGame",
    "BayesianNash",
    "BayesianNBS",
    "actions_of",
    "bayesian_feasible_set",
    "bayesian_game",
    "bayesian_nash",
    "bayesian_nbs",
    "contribution_weights",
    "expected_utilities",
    "individual_feasible_sets",
    "type_resource_sets",
    "FiniteBayesianGame",
    "FiniteBayesianNash",
    "conditional_expected_utilities",
    "dependency_margins",
    "deviation_utilities",
    "finite_bayesian_game",
    "finite_bayesian_nash",
    "finite_expected_utilities",
]
