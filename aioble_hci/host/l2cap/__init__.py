"""L2CAP in the host: one `L2capChannelManager` per ACL connection, glued to the Host.

Every L2CAP frame of a connection on the ATT (0x0004) and LE signalling (0x0005) fixed
channels and on dynamic CIDs goes through its manager (Core Vol 3 Part A); frames the
manager hands on as `FixedChannelData` reach the handler registered with
`register_fixed_channel`. Outgoing frames go to `Host.send_l2cap`, paced by the host's
ACL queue (back-pressure); the signalling RTX runs on loop timers.

Credit-based channels (Vol 3 Part A, 10.1): `listen()` registers a server SPSM,
`connect()` / `connect_ecfc()` open channels, each a `CocChannel` with `send()`,
`receive()`, a MicroPython-like `recvinto()` and `disconnect()`. Synchronous callbacks
(`on_channel_event`) report connect, disconnect, recv and send-ready on the host loop.
Connection Parameter Update requests (Vol 3 Part A, 4.20) are answered as central
through `parameter_update_policy` and `update_connection` (hooks for the GAP bearer).

The package splits this by job: bearer.py (`L2capBearer`, the per-link plumbing),
channel.py (`CocChannel`, `CocListener`, their errors and the bearer's `listen` and
`connect`), parameters.py (Connection
Parameter Update glue, `use_gap`). Every name is importable from here.
"""

from __future__ import annotations

from aioble_hci.host.host import Host

from .bearer import ACL_HIGH_WATER, ChannelCallback, FixedHandler, L2capBearer
from .channel import CocChannel, CocListener, L2capChannelError, L2capDisconnectedError
from .parameters import ConnectionUpdater, ParameterLimits, ParameterPolicy, use_gap

__all__ = [
    "ACL_HIGH_WATER",
    "ChannelCallback",
    "CocChannel",
    "CocListener",
    "ConnectionUpdater",
    "FixedHandler",
    "L2capBearer",
    "L2capChannelError",
    "L2capDisconnectedError",
    "ParameterLimits",
    "ParameterPolicy",
    "attach_l2cap",
    "use_gap",
]


def attach_l2cap(host: Host, rtx_timeout: float | None = None) -> L2capBearer:
    """The Host's L2capBearer, made and attached on first call (on the host loop) and kept as
    `host.l2cap`; wired to the GAP bearer when `host.gap` exists. `rtx_timeout` overrides the
    signalling response timeout (Vol 3 Part A 6.2.1; tests and conformance experiments shorten it)."""
    if host.l2cap is not None:
        return host.l2cap
    bearer = (L2capBearer(host) if rtx_timeout is None else L2capBearer(host, rtx_timeout=rtx_timeout)).attach()
    if host.gap is not None:
        use_gap(bearer, host.gap)
    host.l2cap = bearer
    return bearer
