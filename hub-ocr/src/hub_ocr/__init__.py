"""hub-ocr: PaddleOCR PP-OCRv4 text detection, direction classification and recognition in PyTorch."""

__version__ = "0.1.0"
