"""Pages for course staff, under one guard."""

from flask import Blueprint

from ..auth import guard
from . import challenges, cohorts, confirm, course, exchange, export, grades, persistence, roster

bp = Blueprint("instructor", __name__, url_prefix="/instructor")
guard(bp, "staff")
for child in (
    course.bp,
    challenges.bp,
    cohorts.bp,
    confirm.bp,
    export.bp,
    exchange.bp,
    persistence.bp,
    grades.bp,
):
    bp.register_blueprint(child)
bp.register_blueprint(roster.bp)
