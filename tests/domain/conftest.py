"""Domain services run on a plain SQLAlchemy Session: no Flask app, no request."""

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import wipe


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A fresh Session on emptied tables; whatever a test left behind is wiped after it."""
    wipe(engine)
    with Session(engine) as session:
        yield session
    wipe(engine)
