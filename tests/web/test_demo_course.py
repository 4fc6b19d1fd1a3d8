"""The demo course a newcomer loads shows every page with something in it."""

from sqlalchemy import func, select

from cohorts.exchange.rules import gift_state
from cohorts.models import Exchange, Gift, Profile, utcnow
from lti_app.extensions import db


def test_the_demo_course_has_profiles_and_gifts_in_every_state(app):
    seeded = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    assert db.session.scalar(select(func.count(Profile.id))) >= 10
    rows = set(db.session.scalars(select(Exchange.status)))
    assert {"claimed", "given", "received", "thanked"} <= rows
    now = utcnow()
    shown = {
        gift_state(g.status, g.ends_at, g.taken, g.capacity, now)
        for g in db.session.scalars(select(Gift))
    }
    assert {"open", "full", "withdrawn", "expired"} <= shown
    asks = db.session.scalars(select(Gift).where(Gift.direction == "ask")).all()
    assert any(a.anonymous for a in asks) and any(a.taken for a in asks)
