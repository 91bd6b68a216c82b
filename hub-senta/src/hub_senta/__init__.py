"""Chinese sentiment classification (sentiment_zh) for hubcore."""

__version__ = "0.1.0"
