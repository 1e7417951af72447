"""The benchmark model: cases, run settings, repeated measurement and statistics."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Settings:
    """How hard to run: `quick` shrinks every N for development runs."""

    runs: int = 5
    quick: bool = False

    def n(self, full: int, quick: int) -> int:
        return quick if self.quick else full


Measure = Callable[[Settings], float]


@dataclass(frozen=True)
class Target:
    """A benchmark target (never a test assertion): the median figure (or ratio) at least
    `minimum`, or with `at_most`, at most `minimum` (for times, where lower is better)."""

    name: str
    minimum: float
    on: str = "ours"  # "ours" (the median figure) or "ratio" (the median ratio)
    at_most: bool = False

    def met(self, value: float | None) -> bool:
        if value is None:
            return False
        return value <= self.minimum if self.at_most else value >= self.minimum


@dataclass
class Case:
    """One row of the table: the same work done by our stack and by the reference."""

    key: str
    title: str
    unit: str
    ours: Measure | None
    theirs: Measure | None = None
    reference: str = "Bumble"
    higher_is_better: bool = True
    targets: list[Target] = field(default_factory=list)
    missing: str | None = None  # "not yet measured: <reason>" rows carry no number
    note: str = ""


@dataclass
class Series:
    values: list[float]

    def summary(self) -> dict[str, Any]:
        if not self.values:
            return {"runs": [], "median": None, "min": None, "max": None}
        return {
            "runs": self.values,
            "median": statistics.median(self.values),
            "min": min(self.values),
            "max": max(self.values),
        }


@dataclass
class Result:
    case: Case
    ours: Series
    theirs: Series
    ratios: Series
    error: str | None = None

    def target_status(self) -> list[dict[str, Any]]:
        out = []
        for target in self.case.targets:
            series = self.ratios if target.on == "ratio" else self.ours
            value = series.summary()["median"]
            out.append({
                "name": target.name,
                "minimum": target.minimum,
                "on": target.on,
                "value": value,
                "met": target.met(value),
            })
        return out

    def to_json(self) -> dict[str, Any]:
        c = self.case
        return {
            "key": c.key,
            "title": c.title,
            "unit": c.unit,
            "reference": c.reference,
            "higher_is_better": c.higher_is_better,
            "ours": self.ours.summary(),
            "theirs": self.theirs.summary() if c.theirs is not None else None,
            "ratio_ours_over_reference": self.ratios.summary() if c.theirs is not None else None,
            "targets": self.target_status(),
            "missing": c.missing,
            "error": self.error,
            "note": c.note,
        }


def run_case(case: Case, settings: Settings, progress: Callable[[str], None] = lambda s: None) -> Result:
    """Measure a case `settings.runs` times, alternating which stack goes first, ratios run by run."""
    result = Result(case, Series([]), Series([]), Series([]))
    if case.missing is not None or case.ours is None:
        return result
    try:
        for i in range(settings.runs):
            first_ours = i % 2 == 0
            theirs_value: float | None = None
            if case.theirs is not None and not first_ours:
                theirs_value = case.theirs(settings)
            ours_value = case.ours(settings)
            if case.theirs is not None and first_ours:
                theirs_value = case.theirs(settings)
            result.ours.values.append(ours_value)
            if theirs_value is not None:
                result.theirs.values.append(theirs_value)
                result.ratios.values.append(ours_value / theirs_value if theirs_value else float("inf"))
            progress(f"{case.key} run {i + 1}/{settings.runs}: ours {ours_value:.4g}"
                     + (f", {case.reference} {theirs_value:.4g}" if theirs_value is not None else ""))
    except Exception as exc:  # a broken workload is reported in its row, the others still run
        result.error = f"{type(exc).__name__}: {exc}"
    return result
