"""The version of rostersync: one place, read by the package, the client's User-Agent and the build."""

__version__ = "0.1.0"
