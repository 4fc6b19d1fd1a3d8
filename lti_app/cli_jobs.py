"""Background work from the command line: ``flask --app lti_app worker``."""

import click
from flask import current_app

from . import jobs


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued jobs, then stop.")
def worker_command(burst: bool) -> None:
    """Serve background jobs (roster sync, grades) from Redis; needs REDIS_URL."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        raise click.ClickException(
            "REDIS_URL is not set: without Redis, jobs run in a thread of the web process"
        )
    jobs.work(app, burst=burst)
