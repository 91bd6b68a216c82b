"""The installed version of hubcore."""

__version__ = "0.1.0"
