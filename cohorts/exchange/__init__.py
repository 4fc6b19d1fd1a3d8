"""The peer gift exchange: offers, asks, their steps, moderation and reports."""
