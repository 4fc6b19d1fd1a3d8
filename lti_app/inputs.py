"""Refuse malformed input before any view runs: NUL bytes, ids past the database's range."""

from typing import Any

from flask import Flask, render_template, request
from werkzeug.routing import IntegerConverter, Map

#: The largest value of a PostgreSQL ``integer`` column; larger ids cannot name a row.
ID_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits within the id range, else the URL is unknown."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def _has_nul(values: Any) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def refuse_nul_bytes() -> Any:
    """Answer 400 when a query or form holds a NUL byte: no database stores it as text."""
    carries_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    if _has_nul(request.args) or (carries_form and _has_nul(request.form)):
        return render_template("errors/400.html"), 400
    return None


def init_app(app: Flask) -> None:
    """Install the bounded id converter and the NUL check for every route."""
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_bytes)
