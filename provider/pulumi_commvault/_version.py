"""The package version, read by hatch at build time ([tool.hatch.version])."""

__version__ = "0.2.0"
