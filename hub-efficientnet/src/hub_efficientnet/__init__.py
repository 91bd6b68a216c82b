"""EfficientNet-Lite image classification and fine-tune-first video classification for hubcore."""

__version__ = "0.1.0"
