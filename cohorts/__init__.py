"""Communitas domain: courses, people, cohorts and gifts, free of the web framework."""
