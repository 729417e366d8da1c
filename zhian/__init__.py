"""zhian (治安): campaign metrics for residential-compound remediation (小区整治)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("zhian")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
