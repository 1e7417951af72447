"""Curves: how a cost grows with the work. A curve is a figure measured at several sizes.

A point keeps every run's value (median, min, max), so bench.json shows the spread as the
single-point table does. Curves are never test assertions: they are read and drawn.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.core import Settings

# Measure one point: (settings, x) -> {series name: value}. Several series may share an x axis,
# e.g. adverts/s delivered and hub CPU per advert for one number of advertisers.
PointMeasure = Callable[[Settings, int], dict[str, float]]
# Measure a whole sweep in one go: (settings, xs) -> one {series name: value} per x, in order.
# For curves whose points are stages of one run (cycles counted as they add up).
SweepMeasure = Callable[[Settings, Sequence[int]], list[dict[str, float]]]


def pointwise(measure: PointMeasure) -> SweepMeasure:
    """A sweep that measures each x on its own."""
    def sweep(settings: Settings, xs: Sequence[int]) -> list[dict[str, float]]:
        return [measure(settings, x) for x in xs]

    return sweep


@dataclass
class Curve:
    """One figure drawn against one variable: `xs` are the sizes measured, in order."""

    key: str
    title: str
    x_label: str
    series: dict[str, str]  # series name -> unit / axis label
    xs: Callable[[Settings], Sequence[int]]
    measure: SweepMeasure
    note: str = ""
    runs: int | None = None  # runs per point; None: settings.runs
    points: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    error: str | None = None

    def run(self, settings: Settings, progress: Callable[[str], None] = lambda s: None) -> None:
        """Sweep every x `runs` times, keeping each run's values."""
        runs = self.runs or settings.runs
        xs = list(self.xs(settings))
        values: dict[str, list[list[float]]] = {name: [[] for _ in xs] for name in self.series}
        try:
            for i in range(runs):
                for j, figures in enumerate(self.measure(settings, xs)):
                    for name, value in figures.items():
                        values[name][j].append(value)
                    progress(f"{self.key} x={xs[j]} run {i + 1}/{runs}: "
                             + ", ".join(f"{k} {v:.4g}" for k, v in figures.items()))
            self.points = {name: [_point(x, got) for x, got in zip(xs, per_x, strict=True)]
                           for name, per_x in values.items()}
        except Exception as exc:  # a broken curve is reported in its entry; the others still run
            self.error = f"{type(exc).__name__}: {exc}"

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "x_label": self.x_label,
            "series": self.series,
            "points": self.points,
            "note": self.note,
            "error": self.error,
        }


def _point(x: int, values: list[float]) -> dict[str, Any]:
    return {"x": x, "runs": values, "median": statistics.median(values),
            "min": min(values), "max": max(values)}


def summary_lines(curve: Curve) -> list[str]:
    """One line per series: the medians along the curve, for the console."""
    if curve.error:
        return [f"{curve.title}: failed: {curve.error}"]
    lines = []
    for name, unit in curve.series.items():
        cells = ", ".join(f"{p['x']}: {_fmt(p['median'])}" for p in curve.points.get(name, []))
        lines.append(f"{curve.title} - {name} ({unit}) by {curve.x_label}: {cells}")
    return lines


def _fmt(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"
