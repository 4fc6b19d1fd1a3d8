"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text

from cohorts.models import Base
from lti_app.extensions import db
from tests.conftest import make_tool_app


def test_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


REGISTRATION_KEYS = "e7a3c5b19f62"


def scratch_database(database_url: str, tmp_path) -> str:
    """A database of its own for walking the chain: a schema on PostgreSQL, a file on SQLite."""
    if not database_url.startswith("postgresql"):
        return f"sqlite:///{tmp_path / 'chain.db'}"
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS chain CASCADE; CREATE SCHEMA chain"))
    engine.dispose()
    return database_url + ("&" if "?" in database_url else "?") + "options=-csearch_path%3Dchain"


def test_registration_keys_migration_keeps_courses_people_and_enrolments(database_url, tmp_path):
    url = scratch_database(database_url, tmp_path)
    app = make_tool_app(url)
    with app.app_context():
        upgrade(revision=f"{REGISTRATION_KEYS}-1")
        with db.engine.begin() as conn:
            for statement in SEED:
                conn.execute(text(statement))
        upgrade()
        with db.engine.connect() as conn:
            courses = conn.execute(text("SELECT id, client_id FROM course ORDER BY id")).all()
            people = conn.execute(text("SELECT id, client_id FROM person ORDER BY id")).all()
            enrolments = conn.execute(text("SELECT count(*) FROM enrolment")).scalar()
        downgrade(revision=f"{REGISTRATION_KEYS}-1")
        upgrade()
        db.engine.dispose()
    # Course 2 is in client B's deployment; course 3's issuer has no registration left.
    assert courses == [(1, "A"), (2, "B"), (3, "")]
    assert people == [(1, "A"), (2, "B"), (3, "A")]
    assert enrolments == 3


SEED = [
    "INSERT INTO platform (id, issuer, client_id, auth_login_url, auth_token_url, key_set_url,"
    " created_at) VALUES (1, 'https://lms', 'A', 'a', 't', 'k', CURRENT_TIMESTAMP),"
    " (2, 'https://lms', 'B', 'a', 't', 'k', CURRENT_TIMESTAMP)",
    "INSERT INTO deployment (id, platform_id, deployment_id) VALUES (1, 1, 'd1'), (2, 2, 'd2')",
    "INSERT INTO course (id, issuer, deployment_id, context_id, created_at) VALUES"
    " (1, 'https://lms', 'd1', 'c1', CURRENT_TIMESTAMP),"
    " (2, 'https://lms', 'd2', 'c2', CURRENT_TIMESTAMP),"
    " (3, 'https://gone', 'd9', 'c3', CURRENT_TIMESTAMP)",
    "INSERT INTO person (id, issuer, sub, created_at) VALUES (1, 'https://lms', 's1',"
    " CURRENT_TIMESTAMP), (2, 'https://lms', 's2', CURRENT_TIMESTAMP),"
    " (3, 'https://lms', 's3', CURRENT_TIMESTAMP)",
    "INSERT INTO enrolment (id, course_id, person_id, role, lti_roles, last_launch_at) VALUES"
    " (1, 1, 1, 'staff', '', CURRENT_TIMESTAMP), (2, 2, 2, 'learner', '', CURRENT_TIMESTAMP),"
    " (3, 2, 1, 'learner', '', CURRENT_TIMESTAMP)",
]


ZONES = "c3d9e4f7a215"
#: Offsets learners chose before zones were named, and the zone each becomes.
OFFSET_ZONES = [
    (60, "Etc/GMT-1"),
    (0, "UTC"),
    (-300, "Etc/GMT+5"),
    (330, "Asia/Kolkata"),
    (345, "Asia/Kathmandu"),
    (-210, "America/St_Johns"),
    (15, "UTC"),
    (840, "Etc/GMT-14"),
]


def test_zones_migration_turns_offsets_into_zones_that_keep_the_same_hours(database_url, tmp_path):
    app = make_tool_app(scratch_database(database_url, tmp_path))
    with app.app_context():
        upgrade(revision=f"{ZONES}-1")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO course (id, issuer, client_id, deployment_id, context_id,"
                    " created_at) VALUES (1, 'https://lms', 'A', 'd1', 'c1', CURRENT_TIMESTAMP)"
                )
            )
            for pid, (minutes, _) in enumerate(OFFSET_ZONES, start=10):
                conn.execute(
                    text(
                        "INSERT INTO person (id, issuer, client_id, sub, created_at) VALUES"
                        " (:id, 'https://lms', 'A', :sub, CURRENT_TIMESTAMP)"
                    ),
                    {"id": pid, "sub": f"z{pid}"},
                )
                conn.execute(
                    text(
                        "INSERT INTO profile (course_id, person_id, utc_offset, availability,"
                        " offers, needs, updated_at) VALUES (1, :pid, :minutes, 'mon-evening',"
                        " '', '', CURRENT_TIMESTAMP)"
                    ),
                    {"pid": pid, "minutes": minutes},
                )
        upgrade()
        with db.engine.connect() as conn:
            zones = conn.execute(text("SELECT time_zone FROM profile ORDER BY person_id")).all()
        downgrade(revision=f"{ZONES}-1")
        with db.engine.connect() as conn:
            back = conn.execute(text("SELECT utc_offset FROM profile ORDER BY person_id")).all()
        upgrade()
        db.engine.dispose()
    assert [z for (z,) in zones] == [zone for _, zone in OFFSET_ZONES]
    # Fixed zones give the same offset back; zones of real places their offset today.
    assert [m for (m,) in back][:3] == [60, 0, -300]
    assert back[3] == (330,) and back[6] == (0,)
