"""The case catalog: importing this package registers every case in `CATALOG`."""

from __future__ import annotations

from ..case import CATALOG
from . import gatt_server, att, l2cap, sm, gap  # noqa: I001 (listing order)

__all__ = ["CATALOG", "att", "gap", "gatt_server", "l2cap", "sm"]
