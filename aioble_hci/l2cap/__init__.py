"""L2CAP for LE (Core Vol 3 Part A) as a sans-I/O core.

`L2capChannelManager` (one per ACL connection) takes whole basic frames and returns events;
`data_to_send()` gives the basic frames for ACL. See manager.py for the API.

The names below load on first use, so that a module needing one leaf (GAP checking
connection parameters with `conn_params`) does not import the whole channel machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .manager import L2capChannelManager, L2capUsageError, Role
    from .spsm import CocServer, LinkSecurity, SecurityRequirement, SpsmRegistry

_HOMES = {
    "L2capChannelManager": "manager",
    "L2capUsageError": "manager",
    "Role": "manager",
    "CocServer": "spsm",
    "LinkSecurity": "spsm",
    "SecurityRequirement": "spsm",
    "SpsmRegistry": "spsm",
}

__all__ = [
    "CocServer",
    "L2capChannelManager",
    "L2capUsageError",
    "LinkSecurity",
    "Role",
    "SecurityRequirement",
    "SpsmRegistry",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value
