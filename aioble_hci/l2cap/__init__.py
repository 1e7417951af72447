"""L2CAP for LE (Core Vol 3 Part A) as a sans-I/O core.

`L2capChannelManager` (one per ACL connection) takes whole basic frames and returns events;
`data_to_send()` gives the basic frames for ACL. See manager.py for the API.
"""

from .manager import L2capChannelManager, L2capUsageError, Role
from .spsm import CocServer, LinkSecurity, SecurityRequirement, SpsmRegistry

__all__ = [
    "CocServer",
    "L2capChannelManager",
    "L2capUsageError",
    "LinkSecurity",
    "Role",
    "SecurityRequirement",
    "SpsmRegistry",
]
