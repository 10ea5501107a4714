"""Sweeps: one solver over a large batch of instances, in chunks, sharded over every device.
"""

from bargainjax.sweeps._sweep import (
    SweepResult,
    sweep,
)

__all__ = [
    "SweepResult",
    "sweep",
]
