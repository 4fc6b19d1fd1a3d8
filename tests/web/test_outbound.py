"""Outbound calls: one deadline for the whole exchange, a size cap, no redirects, no SSRF."""

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
from flask import Flask, Response, redirect
from werkzeug.serving import make_server

from cohorts.models import Deployment, Platform
from lti_app.extensions import db
from lti_app.lti import http as outbound
from lti_app.lti import platform_keys
from lti_app.lti.addresses import OutboundRefused, Policy, checked_address, parse_networks
from lti_app.lti.http import OutboundBusy, OutboundTooLarge, http
from lti_app.lti.register_views import GENERIC_FAILURE
from sandbox.platform import Platform as SandboxPlatform
from sandbox.slow_peer import TricklePeer
from tests.conftest import TOOL_BASE, Launcher


class Peer:
    """A small server on 127.0.0.1 that counts what it was asked."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.base = ""


@pytest.fixture(scope="module")
def peer() -> Iterator[Peer]:
    state = Peer()
    app = Flask("peer")

    @app.route("/<path:name>", methods=["GET", "POST"])
    def anything(name: str) -> Any:
        state.hits.append(name)
        if name == "redirect":
            return redirect("http://169.254.169.254/latest/meta-data/")
        if name == "internal-config":
            return {
                "issuer": state.base,
                "authorization_endpoint": state.base + "/auth",
                "token_endpoint": state.base + "/token",
                "jwks_uri": "http://169.254.169.254/latest/meta-data/",
                "registration_endpoint": state.base + "/register",
                "https://purl.imsglobal.org/spec/lti-platform-configuration": {},
            }
        if name == "huge":
            return Response(b"x" * (outbound.MAX_BYTES + 1), mimetype="application/json")
        return {"keys": [], "issuer": state.base}

    server = make_server("127.0.0.1", 0, app, threaded=True)
    state.base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state
    server.shutdown()


def test_a_trickling_peer_is_cut_off_at_the_deadline(app: Flask, monkeypatch: Any) -> None:
    monkeypatch.setattr(outbound, "DEADLINE_SECONDS", 0.5)
    with TricklePeer(interval=0.05) as slow:  # each byte well within any read timeout
        with pytest.raises(requests.Timeout):
            http.get(slow.url + "/jwks")


def test_answers_over_the_size_cap_are_refused(app: Flask, peer: Peer) -> None:
    with pytest.raises(OutboundTooLarge):
        http.get(peer.base + "/huge")


def test_redirects_are_never_followed(app: Flask, peer: Peer) -> None:
    response = http.get(peer.base + "/redirect")
    assert response.status_code == 302
    assert peer.hits[-1] == "redirect"


def test_every_call_names_the_tool(app: Flask) -> None:
    assert http.headers["User-Agent"].startswith("Communitas/")
    assert http.trust_env is False  # no proxy settings or .netrc credentials from the host


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost/x",
        "http://10.0.0.8/x",
        "http://192.168.1.1/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://100.100.100.200/latest/meta-data/",
        "http://0.0.0.0/x",
        "file:///etc/passwd",
    ],
)
def test_internal_addresses_are_refused_without_an_allow_list(url: str) -> None:
    with pytest.raises(OutboundRefused):
        checked_address(url, Policy())


def test_the_allow_list_names_internal_networks_and_plain_http_needs_it() -> None:
    allowed = Policy(parse_networks(["127.0.0.0/8"]))
    assert checked_address("http://127.0.0.1:8000/x", allowed)[3] == "127.0.0.1"
    with pytest.raises(OutboundRefused):
        checked_address("http://10.0.0.8/x", allowed)
    with pytest.raises(OutboundRefused, match="https"):
        checked_address("http://93.184.216.34/x", allowed)  # remote: https only
    assert checked_address("https://93.184.216.34/x", Policy())[3] == "93.184.216.34"
    assert checked_address("http://93.184.216.34/x", Policy(allow_http=True))[2] == 80


def test_registration_never_calls_an_internal_address_and_says_nothing_about_it(
    app: Flask, client: Any, peer: Peer, caplog: Any
) -> None:
    app.config["OUTBOUND_ALLOW"] = ()
    before = len(peer.hits)
    answers = [
        client.get(
            "/lti/register?" + urlencode({"openid_configuration": url, "registration_token": "t"})
        )
        for url in (peer.base + "/config", "http://127.0.0.1:9/config", "http://169.254.169.254/")
    ]
    assert len(peer.hits) == before  # the bearer token went nowhere
    assert {a.status_code for a in answers} == {400}
    pages = {a.get_data(as_text=True) for a in answers}
    assert len(pages) == 1 and GENERIC_FAILURE.replace("'", "&#39;") in pages.pop()
    assert "address the tool may not call" in caplog.text


def test_a_registration_naming_an_internal_key_set_is_refused(
    client: Any, peer: Peer, caplog: Any
) -> None:
    """A configuration whose key set points inside the network is never stored or fetched."""
    query = urlencode({"openid_configuration": peer.base + "/internal-config"})
    answer = client.get("/lti/register?" + query)
    assert answer.status_code == 400
    assert "169.254.169.254" not in answer.get_data(as_text=True)
    assert "169.254.169.254" in caplog.text


def register_key_set(issuer: str, client_id: str, key_set_url: str) -> None:
    row = Platform(
        issuer=issuer,
        client_id=client_id,
        auth_login_url=issuer + "/auth",
        auth_token_url=issuer + "/token",
        key_set_url=key_set_url,
    )
    row.deployments = [Deployment(deployment_id="d-1")]
    db.session.add(row)
    db.session.commit()


def test_a_refused_launch_fetches_a_broken_key_set_once_and_remembers_the_failure(
    client: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(outbound, "DEADLINE_SECONDS", 0.3)
    with TricklePeer(interval=0.05) as slow:
        other = SandboxPlatform(
            issuer=slow.url, tool_base_url=TOOL_BASE, client_id="slow", deployment_id="d-1"
        )
        register_key_set(slow.url, "slow", slow.url + "/jwks")
        launcher = Launcher(client, other)
        first = launcher.launch("instructor-1")
        assert first.status_code == 401
        assert "key set" in first.get_data(as_text=True)
        assert slow.requests == 1  # the refusal did not fetch it a second time
        assert launcher.launch("learner-1").status_code == 401
        assert slow.requests == 1  # a broken platform costs one fetch, not one per launch
    platform_keys.forget()


def test_calls_beyond_the_few_in_flight_to_a_slow_host_are_refused_at_once(
    app: Flask, monkeypatch: Any
) -> None:
    monkeypatch.setattr(outbound, "DEADLINE_SECONDS", 1.0)
    with TricklePeer(interval=0.2) as slow:
        failures: list[BaseException] = []

        def wait_on_peer() -> None:
            with app.app_context():
                try:
                    http.get(slow.url + "/jwks")
                except requests.RequestException as exc:
                    failures.append(exc)

        waiting = [threading.Thread(target=wait_on_peer) for _ in range(2)]
        for thread in waiting:
            thread.start()
        while slow.requests < 2:  # both hold their slot, waiting for the trickle
            threading.Event().wait(0.01)
        with pytest.raises(OutboundBusy):
            http.get(slow.url + "/other")
        assert slow.requests == 2  # the third call never reached the slow host
        for thread in waiting:
            thread.join()
    assert [type(f) for f in failures] == [requests.Timeout, requests.Timeout]
