"""One HTTP session for every outgoing request, named so platforms accept it."""

import requests

USER_AGENT = "Communitas/0.1 (LTI 1.3 tool)"
TIMEOUT_SECONDS = 10


def new_http_session() -> requests.Session:
    """Return a session that always says who is calling (Canvas rejects anonymous calls)."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


http = new_http_session()
