"""hub-style: fast neural style transfer with 26 blendable painting styles, for hubcore."""

__version__ = "0.1.0"
