"""zhian (治安): campaign metrics for residential-compound remediation (小区整治)."""

__version__ = "0.1.0"
