"""Suites and their loaders: each turns a data location and a split into Samples."""
