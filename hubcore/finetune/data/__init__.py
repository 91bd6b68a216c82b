"""Data sets: base classes, file formats, the built-in samples and the downloadable sets.

ChnSentiCorp, LCQMC, MSRA_NER, the CLUE sets, XNLI, CMRC2018, DRCD and the pair sets.
"""
