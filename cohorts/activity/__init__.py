"""Persistence: who keeps coming back, measured from plain activity events."""
