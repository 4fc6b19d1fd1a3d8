"""Geometry for server-drawn SVG charts: numbers in, coordinates out, no drawing library."""

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 320, 180, 36, 24, 10


@dataclass(frozen=True, slots=True)
class Mark:
    """One plotted point or bar with the label it stands for."""

    x: float
    y: float
    height: float
    label: str


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - 10
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(share: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - share)


def line(shares: Sequence[float | None], labels: Sequence[str]) -> list[Mark]:
    """Place a series of 0..1 shares across the chart; None (nobody followed) is left out."""
    return [
        Mark(round(_x(i, len(shares)), 1), round(_y(s), 1), 0, labels[i])
        for i, s in enumerate(shares)
        if s is not None
    ]


def bars(counts: Sequence[int], labels: Sequence[str]) -> list[Mark]:
    """Place one bar per count, scaled to the largest."""
    top = max(counts, default=0) or 1
    step = (WIDTH - LEFT - 10) / max(len(counts), 1)
    marks = []
    for i, count in enumerate(counts):
        y = _y(count / top)
        marks.append(
            Mark(round(LEFT + i * step + 2, 1), round(y, 1), round(_y(0) - y, 1), labels[i])
        )
    return marks


def points(marks: Sequence[Mark]) -> str:
    """Return an SVG polyline's points attribute."""
    return " ".join(f"{m.x},{m.y}" for m in marks)


GRID = [(share, round(_y(share), 1)) for share in (0, 0.25, 0.5, 0.75, 1)]
