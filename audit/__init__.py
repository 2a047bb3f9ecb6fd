"""mt-audit: a machine-translation quality auditor for German news copy."""

__version__ = "0.1.0"
