"""Measurements on third-party evaluation data (``mt-audit eval``).

Each command reads the data from a folder given on the command line (the development
half lives in ``../shared/eval``; a held-out half with the same layout is measured the
same way) and can write its figures as JSON.
"""
from .alignment import eval_alignment, score_links
from .scoring import prf
from .segmentation import eval_segmentation

__all__ = ["eval_alignment", "eval_segmentation", "prf", "score_links"]
