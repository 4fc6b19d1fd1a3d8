"""The sandbox's grade service (AGS): line items, scores, its gradebook page, test controls."""

from typing import Any

from flask import abort, jsonify, render_template, request

from . import gradebook, services
from .demo import USERS
from .profiles import Profile
from .views import (
    SCOPE_LINEITEM,
    SCOPE_SCORE,
    bp,
    data_path,
    platform,
    service_error,
    service_profile,
)


def _lineitems_base(context_id: str) -> str:
    return f"{platform().issuer}/ags/{context_id}/lineitems"


def check_type_id(profile: Profile) -> None:
    """Moodle's service URLs name the tool type (``?type_id=``); without it Moodle says 403."""
    if profile.ags_type_id and request.args.get("type_id") != profile.deployment_id:
        raise services.ServiceError("This resource does not support POST requests.", 403)


@bp.route("/ags/<context_id>/lineitems", methods=["GET", "POST"])
def lineitems(context_id: str) -> Any:
    profile = service_profile(context_id)
    try:
        services.check_bearer(platform(), request.headers.get("Authorization"), SCOPE_LINEITEM)
        check_type_id(profile)
        if request.method == "POST":
            suffix = f"/lineitem?type_id={profile.deployment_id}" if profile.ags_type_id else ""
            item = gradebook.add_lineitem(
                data_path(),
                _lineitems_base(context_id),
                request.get_json(force=True, silent=True) or {},
                context_id,
                suffix,
            )
            return jsonify(item), 201
    except services.ServiceError as exc:
        return service_error(exc, exc.status)
    filters = {k: request.args.get(k, "") for k in ("tag", "resource_link_id", "resource_id")}
    response = jsonify(gradebook.lineitems(data_path(), context_id, **filters))
    response.mimetype = "application/vnd.ims.lis.v2.lineitemcontainer+json"
    return response


def _post_score(context_id: str, item: int, moodle_path: bool) -> Any:
    profile = service_profile(context_id)
    if profile.ags_type_id != moodle_path:
        abort(404)
    try:
        services.check_bearer(platform(), request.headers.get("Authorization"), SCOPE_SCORE)
        check_type_id(profile)
        failure = gradebook.take_failure(data_path())
        if failure is not None:
            status, retry_after = failure
            response = jsonify({"error": "the gradebook is busy, try again later"})
            if retry_after is not None:
                response.headers["Retry-After"] = retry_after
            return response, status
        suffix = f"/lineitem?type_id={profile.deployment_id}" if moodle_path else ""
        lineitem_id = f"{_lineitems_base(context_id)}/{item}{suffix}"
        score = request.get_json(force=True, silent=True)
        gradebook.add_score(data_path(), lineitem_id, score, profile)
    except services.ServiceError as exc:
        return service_error(exc, exc.status)
    return "", 204


@bp.post("/ags/<context_id>/lineitems/<int:item>/scores")
def post_score(context_id: str, item: int) -> Any:
    return _post_score(context_id, item, moodle_path=False)


@bp.post("/ags/<context_id>/lineitems/<int:item>/lineitem/scores")
def post_moodle_score(context_id: str, item: int) -> Any:
    """Moodle's score URL: the line item's URL (``.../lineitem``) plus ``/scores``."""
    return _post_score(context_id, item, moodle_path=True)


@bp.get("/gradebook")
def gradebook_page() -> Any:
    """What the gradebook received: each column, each learner's latest score and its posts."""
    items = gradebook.gradebook(data_path())
    if request.args.get("format") == "json":
        return jsonify(items)
    return render_template("sandbox/gradebook.html", items=items, users=USERS)


@bp.post("/ags/failures")
def plan_failures() -> Any:
    """Make the next N score posts fail with a status (429, 503...), for tests and benchmarks."""
    body = request.get_json(force=True, silent=True) or {}
    status, times = body.get("status"), body.get("times", 1)
    if not isinstance(status, int) or not 400 <= status <= 599 or not isinstance(times, int):
        return jsonify({"error": "status (400-599) and times are required"}), 400
    retry_after = body.get("retry_after")
    gradebook.fail_next(
        data_path(), status, times, None if retry_after is None else str(retry_after)
    )
    return "", 204


@bp.post("/ags/reset")
def reset_gradebook() -> Any:
    """Empty the gradebook and planned failures."""
    gradebook.reset(data_path())
    return "", 204
