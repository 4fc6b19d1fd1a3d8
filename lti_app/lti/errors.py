"""Why a launch or login was refused, with the HTTP status to answer."""


class LaunchRejected(Exception):
    """A login or launch that must not go on; ``reason`` is safe to show and to log."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
