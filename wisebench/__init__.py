"""wisebench: reasoning segmentation measured on accuracy and on the cost of its reasoning, side by side."""

__version__ = "0.1.0"
