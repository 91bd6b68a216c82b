"""hub-lac: Baidu's LAC lexical analysis for hubcore, running on NumPy and a small C kernel."""

__version__ = "0.1.0"
