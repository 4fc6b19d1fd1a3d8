"""Admin commands: ``flask --app lti_app platform ...`` and ``keys ...``."""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from cohorts.errors import DomainError
from cohorts.models import Platform, ToolKey, utcnow
from cohorts.platforms import admission
from cohorts.platforms.binding import HTTPS_FIX, http_cross_site

from .admin.doctor import report_text, reports
from .extensions import db
from .lti import keys, platforms

platform_cli = AppGroup("platform", help="Register the LMS platforms that may launch Communitas.")
keys_cli = AppGroup("keys", help="Manage the tool's signing keys (published at /lti/jwks).")


def _url(value: str, option: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(f"{value!r} is not an http(s) URL", param_hint=option)
    return value.rstrip("/") if option == "--issuer" else value


def database_command(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn database failures into one readable line and a non-zero exit."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SQLAlchemyError as exc:
            db.session.rollback()
            reason = str(exc.orig if hasattr(exc, "orig") else exc).splitlines()[0]
            raise click.ClickException(
                f"database error ({reason}); run `flask --app lti_app db upgrade` first?"
            ) from exc

    return wrapper


def _registration(issuer: str, client_id: str) -> Platform:
    """Find one registration by issuer and client id, or stop with a readable error."""
    platform = platforms.find(db.session, issuer, client_id)
    if platform is None:
        raise click.ClickException(f"no platform {issuer} with client id {client_id}")
    return platform


@platform_cli.command("add")
@click.option("--issuer", required=True, help="The platform's issuer (iss), e.g. its site URL.")
@click.option("--client-id", required=True, help="The client id the platform gave the tool.")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorization URL.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth2 token URL.")
@click.option("--key-set-url", required=True, help="The platform's public key set (JWKS) URL.")
@click.option(
    "--deployment-id",
    "deployment_ids",
    multiple=True,
    required=True,
    help="A deployment id; repeat for several.",
)
@database_command
def platform_add(
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: tuple[str, ...],
) -> None:
    """Register a platform (issuer + client id) and its deployments."""
    issuer = _url(issuer, "--issuer")
    urls = {
        "auth_login_url": _url(auth_login_url, "--auth-login-url"),
        "auth_token_url": _url(auth_token_url, "--auth-token-url"),
        "key_set_url": _url(key_set_url, "--key-set-url"),
    }
    client_id = client_id.strip()
    if not client_id or any(not d.strip() for d in deployment_ids):
        raise click.BadParameter("client id and deployment ids must not be empty")
    try:
        platform = platforms.add(
            db.session,
            issuer,
            client_id,
            **urls,
            deployment_ids=[d.strip() for d in deployment_ids],
        )
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(
        f"Registered {issuer} (client id {client_id}) as platform {platform.id} "
        f"with {len(platform.deployments)} deployment(s)."
    )


@platform_cli.command("list")
@database_command
def platform_list() -> None:
    """List registered platforms and their deployments."""
    platforms = db.session.scalars(select(Platform).order_by(Platform.id)).all()
    if not platforms:
        click.echo("No platforms registered. Add one with `flask --app lti_app platform add`.")
    for p in platforms:
        deployments = ", ".join(d.deployment_id for d in p.deployments)
        click.echo(
            f"{p.id}\t{p.issuer}\tclient id {p.client_id}\t{p.status}\tdeployments: {deployments}"
        )


@platform_cli.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@database_command
def platform_remove(issuer: str, client_id: str) -> None:
    """Remove a registration; launches from it are refused from then on."""
    platform = _registration(issuer, client_id)
    platforms.remove(db.session, platform)
    db.session.commit()
    click.echo(f"Removed {issuer} (client id {client_id}).")


@platform_cli.command("add-deployment")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--deployment-id", required=True, help="The deployment id the LMS sends.")
@database_command
def platform_add_deployment(issuer: str, client_id: str, deployment_id: str) -> None:
    """Accept launches from one more deployment of a registered platform."""
    platform = _registration(issuer, client_id)
    deployment_id = deployment_id.strip()
    if not deployment_id:
        raise click.BadParameter("the deployment id must not be empty")
    try:
        platforms.add_deployment(db.session, platform, deployment_id)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Added deployment {deployment_id} to {platform.issuer} (client id {client_id}).")


@platform_cli.command("approve")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@database_command
def platform_approve(issuer: str, client_id: str) -> None:
    """Let a registration that waits for approval launch (check its key set URL first)."""
    platform = _registration(issuer, client_id)
    was_pending = platforms.approve(db.session, platform)
    db.session.commit()
    if not was_pending:
        click.echo(f"{platform.issuer} (client id {client_id}) was already approved.")
        return
    click.echo(
        f"Approved {platform.issuer} (client id {client_id}); it trusts the keys at "
        f"{platform.key_set_url}."
    )


@platform_cli.command("invite")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 90))
@click.option("--note", help="Who the link is for, kept with it.")
@database_command
def platform_invite(days: int, note: str | None) -> None:
    """Create a one-time registration link that registers without waiting for approval."""
    now = utcnow()
    token = admission.create_invite(db.session, now, days, note[:255] if note else None)
    db.session.commit()
    base = current_app.config["BASE_URL"]
    expires = now + timedelta(days=days)
    click.echo(
        f"Give this registration URL to the LMS administrator; it works once, until "
        f"{expires:%Y-%m-%d %H:%M} UTC:\n  {base}/lti/register/{token}"
    )


@click.command("doctor")
@click.option("--issuer", help="Only this platform's registrations.")
@click.option("--client-id", help="Only this client id (with --issuer).")
@database_command
def doctor_command(issuer: str | None, client_id: str | None) -> None:
    """Check platform registrations against recent launches; exit 1 if something needs fixing."""
    found = [
        r
        for r in reports()
        if (issuer is None or r.registration.issuer == issuer.rstrip("/"))
        and (client_id is None or r.registration.client_id == client_id)
    ]
    if not found:
        raise click.ClickException("no matching platform registration; see `platform list`")
    click.echo("\n\n".join(report_text(r) for r in found))
    if any(r.needs_fixing for r in found):
        raise SystemExit(1)


@keys_cli.command("list")
@database_command
def keys_list() -> None:
    """List the tool's keys and whether they sign or are only published."""
    rows = db.session.scalars(select(ToolKey).order_by(ToolKey.created_at)).all()
    if not rows:
        click.echo("No keys yet; one is created on first start or with `keys rotate`.")
    for key in rows:
        click.echo(f"{key.kid}\t{key.status}\tcreated {key.created_at:%Y-%m-%d %H:%M} UTC")


@keys_cli.command("rotate")
@database_command
def keys_rotate() -> None:
    """Start signing with a new key; the old one stays published until `keys retire`."""
    key = keys.rotate(db.session)
    db.session.commit()
    click.echo(f"New signing key {key.kid}; the previous key is still published.")


@keys_cli.command("retire")
@database_command
def keys_retire() -> None:
    """Stop publishing previous keys once platforms have picked up the new one."""
    kids = keys.retire(db.session)
    db.session.commit()
    click.echo(f"Retired {', '.join(kids)}." if kids else "No previous key to retire.")


@click.command("info")
@database_command
def info() -> None:
    """Make sure a signing key exists and print what an LMS admin needs."""
    keys.ensure_active_key(db.session)
    db.session.commit()
    base = current_app.config["BASE_URL"]
    lines = [
        "Communitas is ready. Register it in your LMS with:",
        f"  Login (OIDC initiation) URL: {base}/lti/login",
        f"  Redirect / launch URL:       {base}/lti/launch",
        f"  Public key set (JWKS) URL:   {base}/lti/jwks",
        f"  Target link URI:             {base}/lti/launch",
    ]
    if current_app.config["SANDBOX"]:
        sandbox = current_app.config.get("SANDBOX_URL") or base + "/sandbox"
        lines.append(f"  Dev sandbox (demo LMS):      {sandbox}")
    click.echo("\n".join(lines))
    logins = db.session.scalars(select(Platform.auth_login_url)).all()
    for url in sorted({u for u in logins if http_cross_site(base, u)}):
        click.echo(
            f"Warning: {base} is plain http and the platform at {url} is on another site: "
            f"browsers will not launch Communitas from it; {HTTPS_FIX}.",
            err=True,
        )


def register_cli(app: Flask) -> None:
    """Attach the admin commands to ``flask``."""
    app.cli.add_command(platform_cli)
    app.cli.add_command(keys_cli)
    app.cli.add_command(info)
    app.cli.add_command(doctor_command)
    from .cli_activity import demo_cli, privacy_cli  # imports this module's helpers
    from .cli_jobs import worker_command
    from .cli_roster import roster_cli

    app.cli.add_command(worker_command)
    app.cli.add_command(roster_cli)

    app.cli.add_command(privacy_cli)
    app.cli.add_command(demo_cli)
    from .cli_grades import grades_cli

    app.cli.add_command(grades_cli)
