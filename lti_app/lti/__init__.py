"""LTI 1.3: login, launch, keys and the database-backed pylti1p3 configuration."""
