"""Registrations change in one place, and this process sees the change as soon as it commits."""

import pytest

from lti_app.extensions import db
from lti_app.lti import platforms, tool_conf

ISSUER = "https://moodle.example.edu"
URLS = {
    "auth_login_url": ISSUER + "/mod/lti/auth.php",
    "auth_token_url": ISSUER + "/mod/lti/token.php",
    "key_set_url": ISSUER + "/mod/lti/certs.php",
}


def test_a_new_registration_launches_at_once_and_a_removed_one_stops_at_once(app):
    assert tool_conf.find_platform(db.session, ISSUER, "c1") is None
    platforms.add(db.session, ISSUER, "c1", **URLS, deployment_ids=["7"])
    db.session.commit()
    found = tool_conf.find_platform(db.session, ISSUER, "c1")
    assert found is not None and found.deployments == frozenset({"7"})
    platforms.add_deployment(db.session, platforms.find(db.session, ISSUER, "c1"), "8")
    db.session.commit()
    assert tool_conf.find_platform(db.session, ISSUER, "c1").deployments == {"7", "8"}
    platforms.remove(db.session, platforms.find(db.session, ISSUER, "c1"))
    db.session.commit()
    assert tool_conf.find_platform(db.session, ISSUER, "c1") is None


def test_a_change_rolled_back_leaves_the_cache_and_the_registrations_alone(app):
    platforms.add(db.session, ISSUER, "c2", **URLS, deployment_ids=["1"])
    db.session.commit()
    record = tool_conf.find_platform(db.session, ISSUER, "c2")
    platforms.remove(db.session, platforms.find(db.session, ISSUER, "c2"))
    db.session.rollback()
    assert tool_conf.find_platform(db.session, ISSUER, "c2") == record
    assert platforms.find(db.session, ISSUER, "c2") is not None


def test_the_same_client_cannot_be_registered_twice(app):
    platforms.add(db.session, ISSUER, "c3", **URLS, deployment_ids=["1"])
    db.session.commit()
    with pytest.raises(platforms.RegistrationConflict):
        platforms.add(db.session, ISSUER, "c3", **URLS, deployment_ids=["2"])
    with pytest.raises(platforms.RegistrationConflict):
        platforms.add_deployment(db.session, platforms.find(db.session, ISSUER, "c3"), "1")
