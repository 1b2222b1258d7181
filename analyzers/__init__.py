"""Text → tokens: normalisation, Chinese word segmentation and bigrams, the SAME at index and query time."""

from analyzers.analyzer import Analyzed, Analyzer, IndexFields, get_analyzer
from analyzers.normalizer import normalize, normalize_with_offsets

__all__ = ["Analyzed", "Analyzer", "IndexFields", "get_analyzer", "normalize", "normalize_with_offsets"]
