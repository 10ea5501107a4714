"""Feasible sets of payoff vectors behind one interface: convex hulls of points, Minkowski sums of
hulls (separable games), resource sets with concave production.
"""

from bargainjax.sets._feasible import (
    FeasibleSet as FeasibleSet,
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
