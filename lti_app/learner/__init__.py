"""Pages for learners (and read-only guests) inside their course, under one guard."""

from flask import Blueprint

from ..auth import guard
from . import cohort, course, exchange, gifts, rhythm, threads

bp = Blueprint("learner", __name__, url_prefix="/learner")
guard(bp, "learner")
for child in (course.bp, cohort.bp, exchange.bp, gifts.bp, threads.bp, rhythm.bp):
    bp.register_blueprint(child)
