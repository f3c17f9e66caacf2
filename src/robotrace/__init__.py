"""robotrace: trace illegal robocalls hop by hop, warn the providers, authorize blocking."""

__version__ = "0.1.0"
