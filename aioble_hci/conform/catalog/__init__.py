"""The case catalog: importing this package registers every case in `CATALOG` (GATT server and
client, ATT bad input, L2CAP, SM, GAP)."""

from __future__ import annotations

from ..case import CATALOG
from . import (
           att,
           gap,
           gatt_discovery,
           gatt_notify,
           gatt_read,
           gatt_write,
           l2cap,
           sm_central,
           sm_peripheral,
)

__all__ = ["CATALOG", "att", "gap", "gatt_discovery", "gatt_notify", "gatt_read", "gatt_write", "l2cap", "sm_central",
           "sm_peripheral"]
