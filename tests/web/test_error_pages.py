"""When something breaks, the page still shows the way back and never leans on the database."""

from sqlalchemy import event

from lti_app.extensions import db
from lti_app.lti import tool_conf
from tests.conftest import Launcher, make_tool_app, register_platform, wipe


def test_a_server_error_keeps_the_tabs_and_a_way_back_without_querying(
    database_url, test_platform, tool_key
):
    from cohorts.models import ToolKey

    app = make_tool_app(database_url, PROPAGATE_EXCEPTIONS=False)

    @app.get("/learner/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with app.app_context():
        wipe(db.engine)
        db.session.add(ToolKey(**tool_key))
        register_platform(test_platform)
        tool_conf.forget()  # a registration cached by an earlier test names another row id
        launcher = Launcher(app.test_client(), test_platform)
        assert launcher.launch("learner-1").status_code == 200
        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        # Reading the launch session comes before the view; the error page itself reads nothing.
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            page = launcher.client.get("/learner/boom")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        text = page.get_data(as_text=True)
        assert page.status_code == 500
        assert "Something went wrong on our side" in text
        assert 'aria-label="Communitas"' in text and "My cohort" in text
        assert "Back to your Communitas page" in text
        assert [s for s in statements if "launch_session" not in s] == []
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        db.session.remove()
        wipe(db.engine)
        db.engine.dispose()
