"""rostersync: infrastructure-as-code for the operators of an iAdvize account."""

__version__ = "0.1.0"
