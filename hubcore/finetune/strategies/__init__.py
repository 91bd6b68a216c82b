"""Strategies: optimiser, learning-rate schedule and training-time rules.

BaseStrategy (the interface), CombinedStrategy and its named presets.
"""
