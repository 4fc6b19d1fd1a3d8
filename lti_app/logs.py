"""Log lines cannot be forged: control characters from requests are escaped in every record.

A ``%0A`` in a query parameter would otherwise start a new, made-up log line. Escaping happens
where each record is made, so it covers every logger, handler and worker set-up alike.
"""

import logging
import re
from collections.abc import Mapping
from typing import Any

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]|\n")


def escape(text: str) -> str:
    """Replace control characters (newlines included) by visible escapes such as ``\\n``."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _safe(value: Any) -> Any:
    if isinstance(value, int | float | bool) or value is None:
        return value  # keeps %d and %.1f working
    return escape(value if isinstance(value, str) else str(value))


def escape_control_characters() -> None:
    """Install the escaping record factory once per process."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "escapes_control_characters", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if isinstance(record.msg, str):
            record.msg = escape(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _safe(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_safe(value) for value in record.args)
        return record

    factory.escapes_control_characters = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
