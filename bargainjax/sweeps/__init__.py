"""Sweeps: one solver over a large batch of instances, in chunks, sharded over every device.
"""

from bargainjax.sweeps._sweep import (
    SweepResult as SweepResult,
    sweep as sweep,
)
