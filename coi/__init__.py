"""coi: the command line of the conflict-of-interest graph analyser."""

__version__ = "0.1.0"
