"""The developer-key JSON a Canvas admin pastes when registering by hand."""

from flask.testing import FlaskClient

from lti_app.lti.registration import SCOPES
from sandbox.profiles import CANVAS


def test_canvas_json_points_at_the_configured_base_url(client: FlaskClient) -> None:
    response = client.get("/lti/config/canvas.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    data = response.get_json()
    assert data["title"] == "Communitas"
    assert data["description"]
    assert data["oidc_initiation_url"] == "http://localhost/lti/login"
    assert data["target_link_uri"] == "http://localhost/lti/launch"
    assert data["public_jwk_url"] == "http://localhost/lti/jwks"
    assert data["scopes"] == list(SCOPES)
    # The sandbox's Canvas profile is configured the way this file asks.
    assert data["custom_fields"] == CANVAS.custom == {"login_id": "$Canvas.user.loginId"}


def test_canvas_json_places_a_course_link_and_a_deep_linking_picker(client: FlaskClient) -> None:
    (extension,) = client.get("/lti/config/canvas.json").get_json()["extensions"]
    assert extension["platform"] == "canvas.instructure.com"
    assert extension["privacy_level"] == "public"
    placements = {p["placement"]: p for p in extension["settings"]["placements"]}
    assert set(placements) == {"course_navigation", "link_selection"}
    assert placements["course_navigation"]["message_type"] == "LtiResourceLinkRequest"
    assert placements["link_selection"]["message_type"] == "LtiDeepLinkingRequest"
    assert all(p["target_link_uri"] == "http://localhost/lti/launch" for p in placements.values())


def test_canvas_json_needs_no_launch(client: FlaskClient) -> None:
    assert client.get("/lti/config/canvas.json").headers["Cache-Control"].startswith("public")
