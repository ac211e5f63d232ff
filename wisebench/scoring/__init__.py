"""Scoring: a Sample and its Prediction become a SampleRecord (I and U under every protocol)."""
