"""Readers: examples into padded tensor batches with the module's tokenizer.

Text and pairs, sequence labels, images, matching triples, reading-comprehension windows.
"""
