"""The floor under any Flask tool: the launch's two requests answered with nothing behind them.

``bench/launch.py`` runs it under the same gunicorn settings as the two tools it compares, so
the figure it prints is what the web stack alone costs on this machine (HTTP parsing, the
WSGI request, a form parsed, a redirect and a small page rendered), with no LTI, no storage
and no session. A tool's own work is what it spends above this floor.
"""

from flask import Flask, jsonify, redirect, render_template_string, request

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Home</title></head>
<body><h1>Welcome</h1><p>{{ name }}</p></body></html>"""

app = Flask("floor_tool")


@app.post("/lti/login")
def login():  # type: ignore[no-untyped-def]
    return redirect("/authorize?state=" + request.form.get("login_hint", ""), 302)


@app.post("/lti/launch")
def launch():  # type: ignore[no-untyped-def]
    return render_template_string(PAGE, name=request.form.get("state", "")[:8])


@app.get("/lti/jwks")
def jwks():  # type: ignore[no-untyped-def]
    return jsonify({"keys": []})
