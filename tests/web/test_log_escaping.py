"""Log lines cannot be forged: control characters from requests are escaped."""

import logging
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient

from lti_app.logs import escape, escape_control_characters

FORGED = "x\nINFO:communitas.lti:registered https://evil.example client id admin\r\x1b[2J"


def messages(caplog: Any) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("communitas")]


def test_a_newline_in_a_registration_url_stays_on_its_log_line(
    client: FlaskClient, caplog: Any
) -> None:
    caplog.set_level(logging.INFO)
    client.get(
        "/lti/register?" + urlencode({"openid_configuration": "http://127.0.0.1:9/" + FORGED})
    )
    logged = messages(caplog)
    assert logged and all("\n" not in m and "\r" not in m and "\x1b" not in m for m in logged)
    assert any("\\nINFO:communitas.lti:registered" in m for m in logged)


def test_a_newline_in_login_parameters_stays_on_its_log_line(
    client: FlaskClient, caplog: Any
) -> None:
    caplog.set_level(logging.INFO)
    client.post("/lti/login", data={"iss": FORGED, "login_hint": FORGED, "target_link_uri": FORGED})
    logged = messages(caplog)
    assert logged and all("\n" not in m and "\r" not in m for m in logged)


def test_escaping_keeps_numbers_and_plain_text_as_they_are() -> None:
    escape_control_characters()
    record = logging.getLogRecordFactory()(
        "x", logging.INFO, __file__, 1, "%s took %.1f s (%d)", ("a\tb\nc", 1.25, 3), None
    )
    assert record.getMessage() == "a\tb\\nc took 1.2 s (3)"
    assert escape("Zoë\u2028") == "Zoë\\u2028"
