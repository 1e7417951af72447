"""The table printed by `python -m benchmarks` and the bench.json written beside it."""

from __future__ import annotations

import datetime
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from benchmarks.core import Result, Settings


def machine() -> dict[str, Any]:
    return {
        "machine": platform.machine(),
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "system": platform.system(),
    }


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _cell(summary: dict[str, Any] | None) -> str:
    if not summary or summary["median"] is None:
        return "-"
    return f"{_fmt(summary['median'])} [{_fmt(summary['min'])}-{_fmt(summary['max'])}]"


def _ratio(summary: dict[str, Any] | None) -> str:
    if not summary or summary["median"] is None:
        return "-"
    return f"{summary['median']:.2f}x [{summary['min']:.2f}-{summary['max']:.2f}]"


def table(results: list[Result]) -> str:
    header = ("workload", "unit", "ours median [min-max]", "reference median [min-max]",
              "ours/ref [min-max]", "targets")
    rows: list[tuple[str, ...]] = []
    for result in results:
        data = result.to_json()
        if data["missing"]:
            rows.append((data["title"], data["unit"], data["missing"], "", "", ""))
            continue
        if data["error"]:
            rows.append((data["title"], data["unit"], f"failed: {data['error']}", "", "", ""))
            continue
        ref = _cell(data["theirs"])
        if data["theirs"]:
            ref = f"{data['reference']} {ref}"
        targets = "; ".join(f"{t['name']}: {'met' if t['met'] else 'NOT met'}" for t in data["targets"])
        rows.append((data["title"], data["unit"], _cell(data["ours"]), ref,
                     _ratio(data["ratio_ours_over_reference"]), targets))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |" for row in rows]
    return "\n".join(lines)


def write_json(path: Path, results: list[Result], settings: Settings, seconds: float,
               curves: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    doc = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": {"runs": settings.runs, "quick": settings.quick},
        "wall_seconds": round(seconds, 1),
        "results": [r.to_json() for r in results],
        "curves": curves or [],
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return doc
