"""Commands for persistence data: ``privacy export|erase`` and ``demo seed``."""

import json
import random

import click
from flask import current_app
from flask.cli import AppGroup

from cohorts import privacy
from cohorts.activity import demo
from cohorts.courses import LaunchFacts
from cohorts.errors import DomainError
from cohorts.models import utcnow

from .cli import _url, database_command
from .extensions import db

privacy_cli = AppGroup("privacy", help="Export or erase what Communitas keeps about one person.")
demo_cli = AppGroup("demo", help="Fill the dev sandbox's course with example history.")
ROSTER_ONLY = (("roster-1", "Vera Novak"), ("roster-2", "Yusuf Demir"))


def _person_options(command: click.Command) -> click.Command:
    command = click.option("--sub", required=True, help="The person's id at that platform.")(
        command
    )
    return click.option("--issuer", required=True, help="The platform's issuer URL.")(command)


@privacy_cli.command("export")
@_person_options
@database_command
def privacy_export(issuer: str, sub: str) -> None:
    """Print everything kept about one person as JSON."""
    try:
        data = privacy.export_person(db.session, _url(issuer, "--issuer"), sub)
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@privacy_cli.command("erase")
@_person_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@database_command
def privacy_erase(issuer: str, sub: str, yes: bool) -> None:
    """Replace one person's writing with a placeholder and remove their personal fields."""
    if not yes:
        click.confirm(f"Erase {sub} from {issuer}? This cannot be undone", abort=True)
    try:
        person_id = privacy.erase_person(db.session, _url(issuer, "--issuer"), sub, utcnow())
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Erased person {person_id}: content replaced, name and email removed.")


def _facts(issuer: str, user: object, course: dict[str, str]) -> LaunchFacts:
    staff = "Instructor" in " ".join(user.roles)  # type: ignore[attr-defined]
    pii = user.pii()  # type: ignore[attr-defined]
    return LaunchFacts(
        issuer=issuer,
        client_id="communitas-sandbox",
        deployment_id="sandbox-deployment-1",
        context_id=course["id"],
        sub=user.sub,  # type: ignore[attr-defined]
        role="staff" if staff else "learner",
        lti_roles=tuple(user.roles),  # type: ignore[attr-defined]
        context_title=course["title"],
        context_label=course["label"],
        name=pii.get("name"),
        given_name=pii.get("given_name"),
        family_name=pii.get("family_name"),
        email=pii.get("email"),
    )


@demo_cli.command("seed")
@database_command
def demo_seed() -> None:
    """Give the sandbox course six weeks of launches, cohorts, posts and gifts."""
    from sandbox.demo import COURSE, LEARNER, USERS  # dev-only data, never on production paths

    issuer = current_app.config["SANDBOX_URL"]
    people = [_facts(issuer, u, COURSE) for u in USERS.values() if u.sub != "mentor-1"]
    learners = [f for f in people if f.lti_roles == LEARNER]
    staff = [f for f in people if f.role == "staff"]
    try:
        course_id = demo.seed_course(
            db.session, learners, staff, ROSTER_ONLY, utcnow(), random.Random(101)
        )
    except DomainError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        f"Seeded course {course_id} ({COURSE['title']}) with {demo.WEEKS} weeks of history for "
        f"{len(learners)} learners. Launch from {issuer} to see it."
    )
