"""Pages for course staff, under one guard."""

from flask import Blueprint

from ..auth import guard
from . import challenges, cohorts, confirm, course, exchange, export, persistence

bp = Blueprint("instructor", __name__, url_prefix="/instructor")
guard(bp, "staff")
CHILDREN = (course, challenges, cohorts, confirm, export, exchange, persistence)
for child in CHILDREN:
    bp.register_blueprint(child.bp)
