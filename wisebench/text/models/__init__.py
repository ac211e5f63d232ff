"""Text reasoner specs, one per file."""
