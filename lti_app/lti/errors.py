"""Why a launch or login was refused, with the HTTP status to answer."""


class LaunchRejected(Exception):
    """A login or launch that must not go on; ``reason`` is safe to show and to log."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class BrowserBindingNeeded(LaunchRejected):
    """No state cookie came back; platform storage or a new window can still bind the launch."""

    def __init__(self, info: dict[str, object], via_storage: bool) -> None:
        super().__init__("this browser did not send the login cookie (state not found)", 401)
        self.info = info
        self.via_storage = via_storage
