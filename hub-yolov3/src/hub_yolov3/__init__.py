"""YOLOv3 object detection for hubcore: Darknet-53 and tiny models, decoding, fine-tuning."""

__version__ = "0.1.0"
