"""Coalitional stability of additively separable games: cores, blocking margins and stable
disagreement points by exact linear programs.
"""

from bargainjax.stability._cores import (
    BlockingMargin,
    CoreMembership,
    ParetoMatrix,
    StableDisagreement,
    alpha_matrix,
    blocking_margin,
    core_membership,
    nash_matrix,
    pareto_matrix,
    stable_disagreement,
)

# The host-side non-emptiness test lives in bargainjax.experimental; these names stay importable
# from here.  Resolved lazily (PEP 562): bargainjax.experimental imports this package's modules.
_EXPERIMENTAL = ("CoreNonemptiness", "core_nonempty")


def __getattr__(name):
    if name in _EXPERIMENTAL:
        import bargainjax.experimental as experimental

        return getattr(experimental, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "BlockingMargin",
    "CoreMembership",
    "ParetoMatrix",
    "StableDisagreement",
    "alpha_matrix",
    "blocking_margin",
    "core_membership",
    "nash_matrix",
    "pareto_matrix",
    "stable_disagreement",
]
