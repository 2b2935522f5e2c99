"""Business rules: each function owns its transaction and raises domain errors."""
