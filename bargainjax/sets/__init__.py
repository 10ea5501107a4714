"""Feasible sets of payoff vectors behind one interface: convex hulls of points, Minkowski sums of
hulls (separable games), resource sets with concave production.
"""

from bargainjax.sets._feasible import (
    FeasibleSet,
    PolytopeHull,
    ResourceSet,
    SeparableHull,
    Face,
    WeightedSumMax,
    maximizing_face,
    minkowski_sum,
    correlated_set,
    ideal_point,
    polytope,
    resource_set,
    separable_set,
)

__all__ = [
    "FeasibleSet",
    "PolytopeHull",
    "ResourceSet",
    "SeparableHull",
    "Face",
    "WeightedSumMax",
    "maximizing_face",
    "minkowski_sum",
    "correlated_set",
    "ideal_point",
    "polytope",
    "resource_set",
    "separable_set",
]
