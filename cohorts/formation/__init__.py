"""Forming cohorts: the pure engine and its scoring, and the services that store drafts."""
