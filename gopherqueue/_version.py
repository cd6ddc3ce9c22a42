"""The package version, read by hatchling at build time and sent in the User-Agent."""

__version__ = "2.0.0"
