"""Customer Insight Workbench: analyses of a marketing department's customer data."""

__version__ = "0.1.0"
