"""Bargaining solutions over a feasible set and a disagreement point: Nash, Kalai–Smorodinsky,
egalitarian, utilitarian, Armstrong and variance-normalised solutions; security levels; Nash's
threat point.
"""

from bargainjax.bargaining._solutions import (
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
from bargainjax.bargaining._disagreement import (
    SecurityLevels as SecurityLevels,
    security_levels as security_levels,
)
from bargainjax.bargaining._threat import (
    PureThreatPoints as PureThreatPoints,
    ThreatPoint as ThreatPoint,
    TwoPlayerNBS as TwoPlayerNBS,
    nbs_two_player as nbs_two_player,
    pure_threat_points as pure_threat_points,
    threat_point as threat_point,
)
