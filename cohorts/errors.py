"""Errors named in the domain's words, all under one ``DomainError``."""


class DomainError(Exception):
    """A request the domain refuses; the message is shown to the person."""

    status = 400


class NotFound(DomainError):
    """The thing does not exist in this course (or is not yours to see)."""

    status = 404


class Forbidden(DomainError):
    """The person's role in this course does not allow the action."""

    status = 403
