"""The case catalog: importing this package registers every case in `CATALOG`."""

from __future__ import annotations

from ..case import CATALOG
from . import att, gap, gatt_server, l2cap, sm  # noqa: I001 (listing order)

__all__ = ["CATALOG", "att", "gap", "gatt_server", "l2cap", "sm"]
