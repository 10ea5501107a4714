"""Bargaining solutions over a feasible set and a disagreement point: Nash, Kalai–Smorodinsky,
egalitarian, utilitarian, Armstrong and variance-normalised solutions; security levels; Nash's
threat point.
"""

from bargainjax.bargaining._solutions import (
    BargainingSolution,
    armstrong,
    egalitarian,
    kalai_smorodinsky,
    nash_bargaining,
    SupportingWeights,
    outcome_moments,
    supporting_weights,
    utilitarian,
    variance_normalized,
)
from bargainjax.bargaining._disagreement import (
    SecurityLevels,
    security_levels,
)
from bargainjax.bargaining._threat import (
    PureThreatPoints,
    ThreatPoint,
    TwoPlayerNBS,
    nbs_two_player,
    pure_threat_points,
    threat_deviation_gains,
    threat_point,
)

__all__ = [
    "BargainingSolution",
    "armstrong",
    "egalitarian",
    "kalai_smorodinsky",
    "nash_bargaining",
    "SupportingWeights",
    "outcome_moments",
    "supporting_weights",
    "utilitarian",
    "variance_normalized",
    "SecurityLevels",
    "security_levels",
    "PureThreatPoints",
    "ThreatPoint",
    "TwoPlayerNBS",
    "nbs_two_player",
    "pure_threat_points",
    "threat_deviation_gains",
    "threat_point",
]
