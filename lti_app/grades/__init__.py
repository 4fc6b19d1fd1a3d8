"""Sending participation scores to the platform: publication and the outbox drain."""
