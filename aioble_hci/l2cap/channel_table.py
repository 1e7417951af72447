"""The state every L2CAP procedure of one ACL connection shares, and the channel table.

`ChannelTable` is the base of `L2capChannelManager` (manager.py) and of its per-procedure
parts (coc_connect.py, coc_reconfigure.py, coc_flow.py, parameter_update.py): the queues of
events and outgoing signalling, the clock, and the credit-based channels by local CID, with
LE dynamic CID allocation (0x0040-0x007F, Core Vol 3 Part A, 2.1) and the helpers that open,
close and free channels.
"""

from __future__ import annotations

from enum import IntEnum

from aioble_hci.errors import UsageError

from .coc import ChannelState, CreditBasedChannel
from .events import ChannelClosed, ChannelOpened, ChannelOpenFailed, ChannelReconfigured, L2capEvent
from .pdus import LE_DYNAMIC_CID_FIRST, LE_DYNAMIC_CID_LAST, DisconnectionReq
from .signaling import SignalingChannel
from .spsm import LinkSecurity, SpsmRegistry


class Role(IntEnum):
    """Our role on the ACL link (HCI role values)."""

    CENTRAL = 0
    PERIPHERAL = 1


class L2capUsageError(UsageError, RuntimeError):
    """The local application asked for something the current state does not allow."""


class ChannelTable:
    """Shared state of one connection's L2CAP (set up by `L2capChannelManager.__init__`)."""

    role: Role
    connection_handle: int | None
    servers: SpsmRegistry
    link_security: LinkSecurity
    channels: dict[int, CreditBasedChannel]
    _out: list[bytes]
    _events: list[L2capEvent]
    _now: float
    _signaling: SignalingChannel
    _cpu_requests: set[int]

    def _tick(self, now: float | None) -> float:
        if now is not None:
            self._now = now
        return self._now

    def _open_channel(self, cid: int) -> CreditBasedChannel:
        channel = self.channels.get(cid)
        if channel is None or channel.state is not ChannelState.OPEN:
            raise L2capUsageError(f"no open channel with CID 0x{cid:04X}")
        return channel

    def _by_peer_cid(self, peer_cid: int) -> CreditBasedChannel | None:
        for channel in self.channels.values():
            if channel.peer_cid == peer_cid and channel.state is not ChannelState.WAIT_CONNECT_RSP:
                return channel
        return None

    def _free_cids(self, count: int) -> tuple[int, ...]:
        """The first `count` unused dynamic CIDs (fewer when the range is nearly full)."""
        free: list[int] = []
        for cid in range(LE_DYNAMIC_CID_FIRST, LE_DYNAMIC_CID_LAST + 1):
            if len(free) == count:
                break
            if cid not in self.channels:
                free.append(cid)
        return tuple(free)

    def _allocate(
        self,
        spsm: int,
        mtu: int,
        mps: int,
        credits: int,
        enhanced: bool = False,
        cid: int | None = None,
    ) -> CreditBasedChannel | None:
        """A new channel on `cid` (the first free dynamic CID when None); None when none is free."""
        if cid is None:
            free = self._free_cids(1)
            if not free:
                return None
            cid = free[0]
        if cid in self.channels:
            return None
        channel = CreditBasedChannel(cid, spsm, mtu, mps, credits, enhanced=enhanced)
        self.channels[cid] = channel
        return channel

    def _free(self, channel: CreditBasedChannel) -> None:
        channel.close()
        self.channels.pop(channel.local_cid, None)

    def _open_failed(self, channel: CreditBasedChannel, result: int | None, reason: str) -> None:
        self._events.append(ChannelOpenFailed(channel.local_cid, channel.spsm, result, reason))
        self._free(channel)

    def _send_disconnection_req(self, channel: CreditBasedChannel) -> None:
        channel.close()
        channel.state = ChannelState.WAIT_DISCONNECT
        self._signaling.request(DisconnectionReq(channel.peer_cid, channel.local_cid), self._now)

    def _disconnect(self, channel: CreditBasedChannel, reason: str, by_peer: bool = False) -> None:
        """Leave OPEN: report ChannelClosed once, then wait for the peer's response."""
        self._send_disconnection_req(channel)
        self._events.append(ChannelClosed(channel.local_cid, reason, by_peer))

    @staticmethod
    def _opened(channel: CreditBasedChannel, initiator: bool) -> ChannelOpened:
        return ChannelOpened(
            channel.local_cid,
            channel.peer_cid,
            channel.spsm,
            channel.local_mtu,
            channel.local_mps,
            channel.peer_mtu,
            channel.peer_mps,
            channel.tx_credits,
            initiator,
            channel.enhanced,
        )

    @staticmethod
    def _reconfigured(channel: CreditBasedChannel) -> ChannelReconfigured:
        return ChannelReconfigured(
            channel.local_cid,
            channel.local_mtu,
            channel.local_mps,
            channel.peer_mtu,
            channel.peer_mps,
        )
