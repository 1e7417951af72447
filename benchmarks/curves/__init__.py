"""Curves for `make bench`: how each cost grows with the work (issue: scaling, not single points)."""

from __future__ import annotations

from benchmarks.core import Settings
from benchmarks.curves import air_hub, capture_size, connections, cycles
from benchmarks.curves.model import Curve, pointwise


def all_curves(settings: Settings) -> list[Curve]:
    runs = min(settings.runs, 3)  # each point is already an average over many operations
    return [
        Curve("connections", "Notifications through one host", "simultaneous connections",
              {"notifications": "notif/s (all links together)"},
              connections.sizes, pointwise(connections.measure), runs=runs,
              note="one peripheral host, N central hosts on a fast air, 244-byte values round-robin"),
        Curve("air_hub", "Shared air hub", "advertisers at 100 ms",
              {"delivered": "reports/s at one scanner", "offered": "adverts/s offered",
               "hub_cpu_us_per_advert": "hub CPU us per advert", "hub_cpu_share": "hub CPU share (1 = one core)"},
              air_hub.advertiser_counts, air_hub.sweep, runs=min(runs, 2),
              note="raw H4 clients of an `aioble-hci air` hub process; real-time advertising intervals"),
        Curve("capture_size", "Capture decode against file size", "treadmill capture repeated k times",
              {"seconds": "s to decode and render", "us_per_packet": "us per packet", "packets": "packets"},
              capture_size.repeats, capture_size.sweep, runs=runs,
              note="in process: decode_file + render of every packet"),
        Curve("cycles", "Connect + discover + read + disconnect", "cycles so far",
              {"cycles": "cycles/s in the last block", "rss": "RSS MB"},
              cycles.checkpoints, cycles.sweep, runs=min(runs, 2),
              note=f"blocks of {cycles.BLOCK} cycles between two hosts on a fast air; flat means no leak"),
    ]
