"""The ``bargainjax`` command line: ``solve``, ``sweep``, ``run`` and ``reproduce``."""

from bargainjax.cli._main import main as main
