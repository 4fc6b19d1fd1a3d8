"""The course roster from the platform (NRPS): the pure diff and the service applying it."""
