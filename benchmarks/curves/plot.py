"""Draw the curves of bench.json as one PNG beside it (matplotlib, the `bench` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# The figure shows the main series of each curve; the others stay in bench.json.
MAIN_SERIES = {
    "connections": ["notifications"],
    "air_hub": ["delivered", "offered", "hub_cpu_us_per_advert"],
    "capture_size": ["us_per_packet"],
    "cycles": ["cycles"],
}


def draw(curves: list[dict[str, Any]], path: Path) -> str | None:
    """Write the PNG; returns why not when matplotlib is missing or nothing was measured."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "matplotlib is not installed (pip install -e '.[bench]')"
    drawn = [c for c in curves if not c.get("error") and c.get("points")]
    if not drawn:
        return "no curve was measured"
    columns = 2 if len(drawn) > 1 else 1
    rows = (len(drawn) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(6.0 * columns, 4.2 * rows), squeeze=False)
    for ax in axes.flat[len(drawn):]:
        ax.set_visible(False)
    for ax, curve in zip(axes.flat, drawn, strict=False):
        names = MAIN_SERIES.get(curve["key"], list(curve["series"]))
        twin = None
        for i, name in enumerate(names):
            points = curve["points"].get(name, [])
            if not points:
                continue
            xs = [p["x"] for p in points]
            medians = [p["median"] for p in points]
            errors = [[p["median"] - p["min"] for p in points], [p["max"] - p["median"] for p in points]]
            target = ax
            if name == "hub_cpu_us_per_advert":  # another unit: its own axis on the right
                twin = twin or ax.twinx()
                target = twin
                target.set_ylabel(curve["series"][name])
            target.errorbar(xs, medians, yerr=errors, marker="o", capsize=3, label=curve["series"][name],
                            color=f"C{i}")
        ax.set_title(curve["title"], fontsize=10)
        ax.set_xlabel(curve["x_label"])
        ax.set_ylabel(curve["series"][names[0]])
        if curve["key"] in ("air_hub", "capture_size", "connections"):
            ax.set_xscale("log")
            ticks = [p["x"] for p in curve["points"][names[0]]]
            ax.set_xticks(ticks, [str(t) for t in ticks])
            ax.minorticks_off()
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        if twin is not None:
            more = twin.get_legend_handles_labels()
            handles, labels = handles + more[0], labels + more[1]
            twin.set_ylim(bottom=0)
        if len(handles) > 1:
            ax.legend(handles, labels, fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return None
