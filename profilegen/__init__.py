"""profilegen: deployable configuration for the network preferences of Office for Mac."""

__version__ = "0.1.0"
