"""The plumbing of leadlist: HTTP, batching, metrics and configuration. Knows nothing of sentences."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("leadlist")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
