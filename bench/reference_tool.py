"""A plain pylti1p3 Flask tool, written the way pylti1p3's documentation shows: the yardstick.

OIDC login and launch with ``FlaskOIDCLogin`` and ``FlaskMessageLaunch``, the registration in a
``ToolConfJsonFile`` read per request, state, nonce, launch data and the platform's public key
in ``FlaskCacheDataStorage`` on a Flask-Caching file cache (so every worker sees them), its
pruning off (a pruning file cache scans its folder on every write once past the threshold).
The launch view answers a small page. With ``REFERENCE_CACHE_TYPE=SimpleCache`` the same
tool keeps that state in its process's memory instead (one worker only: nothing is shared),
which shows what pylti1p3's own work costs without any storage. ``bench/launch.py`` runs it
under gunicorn:

    REFERENCE_TOOL_CONFIG=/tmp/x/tool.json REFERENCE_CACHE_DIR=/tmp/x/cache \\
        gunicorn -w 2 --pythonpath bench reference_tool:app

It does no more than pylti1p3 does by itself: no single-use nonce, no session, no CSRF.
"""

import os

from flask import Flask, jsonify, render_template
from flask_caching import Cache
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfJsonFile

#: The file cache's threshold; 0 would also stop it counting its files on every write.
THRESHOLD = int(os.environ.get("REFERENCE_CACHE_THRESHOLD", str(10**9)))
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Launched</title></head>
<body><h1>Hello {{ name }}</h1><p>You opened {{ title }}.</p></body></html>"""

app = Flask("reference_tool")
app.config.from_mapping(
    SECRET_KEY="reference-secret-not-for-production",
    CACHE_TYPE=os.environ.get("REFERENCE_CACHE_TYPE", "FileSystemCache"),
    CACHE_DIR=os.environ.get("REFERENCE_CACHE_DIR", "/tmp/reference-tool-cache"),
    CACHE_DEFAULT_TIMEOUT=600,
    CACHE_THRESHOLD=THRESHOLD,
)
cache = Cache(app)
#: Compiled once, as a template file would be.
TEMPLATE = app.jinja_env.from_string(PAGE)


def tool_conf() -> ToolConfJsonFile:
    return ToolConfJsonFile(os.environ["REFERENCE_TOOL_CONFIG"])


def launch_data_storage() -> FlaskCacheDataStorage:
    return FlaskCacheDataStorage(cache)


@app.route("/lti/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    request = FlaskRequest()
    target_link_uri = request.get_param("target_link_uri")
    if not target_link_uri:
        raise ValueError('Missing "target_link_uri" param')
    oidc_login = FlaskOIDCLogin(request, tool_conf(), launch_data_storage=launch_data_storage())
    return oidc_login.redirect(target_link_uri)


@app.route("/lti/launch", methods=["POST"])
def launch():  # type: ignore[no-untyped-def]
    storage = launch_data_storage()
    message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf(), launch_data_storage=storage)
    message_launch.set_public_key_caching(storage, cache_lifetime=7200)
    data = message_launch.get_launch_data()
    context = data.get("https://purl.imsglobal.org/spec/lti/claim/context", {})
    return render_template(
        TEMPLATE, name=data.get("given_name", "there"), title=context.get("title", "the course")
    )


@app.get("/lti/jwks")
def jwks():  # type: ignore[no-untyped-def]
    return jsonify(tool_conf().get_jwks())
