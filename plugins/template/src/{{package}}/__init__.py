"""The {{name}} module for hubcore."""

__version__ = "0.1.0"
