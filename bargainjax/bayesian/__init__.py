"""Bayesian bargaining games with incomplete information (evidential cooperation in large
worlds): game types, Bayesian Nash equilibria, the Bayesian Nash bargaining solution.
"""

from bargainjax.bayesian._ecl import (
    BayesianGame as BayesianGame,
    BayesianNash as BayesianNash,
    BayesianNBS as BayesianNBS,
    actions_of as actions_of,
    bayesian_feasible_set as bayesian_feasible_set,
    bayesian_game as bayesian_game,
    bayesian_nash as bayesian_nash,
    bayesian_nbs as bayesian_nbs,
    contribution_weights as contribution_weights,
    expected_utilities as expected_utilities,
    individual_feasible_sets as individual_feasible_sets,
    type_resource_sets as type_resource_sets,
)
from bargainjax.bayesian._finite import (
    FiniteBayesianGame as FiniteBayesianGame,
    FiniteBayesianNash as FiniteBayesianNash,
    conditional_expected_utilities as conditional_expected_utilities,
    dependency_margins as dependency_margins,
    deviation_utilities as deviation_utilities,
    finite_bayesian_game as finite_bayesian_game,
    finite_bayesian_nash as finite_bayesian_nash,
    finite_expected_utilities as finite_expected_utilities,
)
