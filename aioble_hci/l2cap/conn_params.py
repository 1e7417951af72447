"""Validity of requested LE connection parameters (Core Vol 4 Part E, 7.8.18; Vol 6 Part B, 4.5.2).

A central answers an invalid L2CAP_CONNECTION_PARAMETER_UPDATE_REQ with result 0x0001
(L2CAP/LE/CPU/BI-01-C).
"""

from __future__ import annotations

INTERVAL_MIN = 0x0006
INTERVAL_MAX = 0x0C80
"""Connection interval range, 1.25 ms units (7.5 ms to 4 s)."""
LATENCY_MAX = 0x01F3
TIMEOUT_MIN = 0x000A
TIMEOUT_MAX = 0x0C80
"""Supervision timeout range, 10 ms units (100 ms to 32 s)."""


def connection_parameters_problem(
    interval_min: int, interval_max: int, latency: int, timeout: int
) -> str | None:
    """Why the parameters are invalid, or None when they are acceptable."""
    if not INTERVAL_MIN <= interval_min <= interval_max <= INTERVAL_MAX:
        return f"interval {interval_min}-{interval_max} outside 6-3200 or min > max"
    if latency > LATENCY_MAX:
        return f"peripheral latency {latency} above {LATENCY_MAX}"
    if not TIMEOUT_MIN <= timeout <= TIMEOUT_MAX:
        return f"supervision timeout {timeout} outside 10-3200"
    # timeout (10 ms units) must exceed (1 + latency) * interval_max (1.25 ms units) * 2
    if timeout * 4 <= (1 + latency) * interval_max:
        return "supervision timeout too short for the interval and latency"
    return None
