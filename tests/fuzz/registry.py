"""Every harness by name, in the order the runner and the smoke test run them."""

from __future__ import annotations

from . import att, capture, gap, hci, l2cap, smp
from .harness import Harness

HARNESSES: dict[str, Harness] = {
    h.name: h for module in (hci, l2cap, att, smp, gap, capture) for h in module.HARNESSES
}
