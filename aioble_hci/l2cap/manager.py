"""Per-ACL-connection L2CAP: fixed channels, LE signalling and credit-based channels.

Sans-I/O (Core Vol 3 Part A): `receive(frame, now)` takes a whole basic frame from ACL
reassembly and returns events; `data_to_send()` drains the basic frames ready for ACL
(signalling first, then K-frames as credits allow). Time only enters through the `now`
arguments (seconds, any monotonic origin), required on every call that can start the RTX
timer (Vol 3 Part A, 6.2.1); `get_timer()` says when `handle_timer(now)` is due.

This module routes frames by channel (2.1) and signalling commands by procedure; each
procedure lives in its own module, mixed into `L2capChannelManager`:

- coc_connect.py: opening LE and enhanced credit-based channels (4.22-4.23, 4.25-4.26)
- coc_reconfigure.py: Credit Based Reconfigure (4.27-4.28)
- coc_flow.py: K-frames, credits and disconnection of open channels (3.4.3, 4.6-4.7, 4.24)
- parameter_update.py: Connection Parameter Update (4.20-4.21)
- channel_table.py: the state they share and CID allocation
"""

from __future__ import annotations

import logging

from .channel_table import L2capUsageError, Role
from .coc import ChannelState
from .coc_connect import CreditBasedConnections
from .coc_flow import OpenChannels
from .coc_reconfigure import ChannelReconfiguration
from .events import (
    ChannelClosed,
    ChannelOpenFailed,
    CommandRejected,
    ConnectionParameterUpdateAnswered,
    FixedChannelData,
    L2capEvent,
    ReconfigureFailed,
    SignalingTimeout,
)
from .parameter_update import ParameterUpdates
from .pdus import (
    MAX_ECFC_CHANNELS,
    AnyCommand,
    CommandRejectReason,
    CommandRejectRsp,
    ConnectionParameterUpdateReq,
    ConnectionParameterUpdateRsp,
    CreditBasedConnectionReq,
    CreditBasedConnectionResult,
    CreditBasedConnectionRsp,
    CreditBasedReconfigureReq,
    CreditBasedReconfigureResult,
    CreditBasedReconfigureRsp,
    DisconnectionReq,
    FixedCid,
    FlowControlCreditInd,
    L2capDecodeError,
    LeCreditBasedConnectionReq,
    LeCreditBasedConnectionRsp,
    SignalingCode,
    decode_basic_frame,
    encode_basic_frame,
    is_le_dynamic_cid,
)
from .signaling import (
    LE_MIN_SIGNALING_MTU,
    RTX_TIMEOUT,
    IncomingRequest,
    IncomingResponse,
    MalformedRequest,
    PendingRequest,
    SignalingChannel,
)
from .spsm import CocServer, LinkSecurity, SpsmRegistry

__all__ = ["L2capChannelManager", "L2capUsageError", "Role"]

log = logging.getLogger(__name__)

_OTHER_LAYER_CIDS = frozenset({FixedCid.ATT, FixedCid.SMP})


class L2capChannelManager(
    CreditBasedConnections, ChannelReconfiguration, OpenChannels, ParameterUpdates
):
    """L2CAP for one LE ACL connection in `role`."""

    def __init__(
        self,
        role: Role,
        *,
        servers: SpsmRegistry | None = None,
        link_security: LinkSecurity | None = None,
        signaling_mtu: int = LE_MIN_SIGNALING_MTU,
        rtx_timeout: float = RTX_TIMEOUT,
        connection_handle: int | None = None,
    ) -> None:
        self.role = role
        self.connection_handle = connection_handle
        """The ACL link this manager serves, handed to acceptors in `ConnectionRequestInfo`."""
        self.servers = servers if servers is not None else SpsmRegistry()
        self.link_security = link_security or LinkSecurity()
        self.channels = {}
        self._out = []
        self._events = []
        self._now = 0.0
        self._signaling = SignalingChannel(self._out.append, signaling_mtu, rtx_timeout)
        self._cpu_requests = set()

    # -- plumbing ---------------------------------------------------------------------------------

    def take_events(self) -> list[L2capEvent]:
        """Events produced since the last call (API calls and timers queue them too)."""
        events, self._events = self._events, []
        return events

    @property
    def has_events(self) -> bool:
        """Whether `take_events` would return anything."""
        return bool(self._events)

    @property
    def has_output(self) -> bool:
        """Whether signalling PDUs are queued or a channel has K-frames waiting (credits or not)."""
        return bool(self._out) or any(channel.queued_frames for channel in self.channels.values())

    def data_to_send(self) -> list[bytes]:
        """Basic frames ready for ACL: queued signalling, then K-frames credits allow."""
        for channel in self.channels.values():  # popping frames never changes the channel table
            if channel.tx_credits and channel.queued_frames and channel.state is ChannelState.OPEN:
                for payload in channel.pop_sendable():
                    self._out.append(encode_basic_frame(channel.peer_cid, payload))
        if not self._out:
            return []
        out = list(self._out)
        self._out.clear()  # the signalling channel appends to this same list
        return out

    def set_link_security(self, security: LinkSecurity) -> None:
        """The security manager reports a change (encryption, authentication, key size)."""
        self.link_security = security

    def register_server(self, server: CocServer) -> None:
        """Accept channels on `server.spsm` (shortcut for `servers.register`)."""
        self.servers.register(server)

    def get_timer(self) -> float | None:
        """When `handle_timer` must next be called (the earliest RTX deadline), or None."""
        return self._signaling.next_deadline()

    def handle_timer(self, now: float) -> list[L2capEvent]:
        """Expire signalling requests whose 30 s RTX has run out."""
        self._tick(now)
        for pending in self._signaling.expire(now):
            self._events.append(SignalingTimeout(pending.identifier, pending.command))
            self._request_failed(pending, None, "no response within RTX")
        return self.take_events()

    # -- incoming frames --------------------------------------------------------------------------

    def receive(self, frame: bytes, now: float) -> list[L2capEvent]:
        """Take one whole basic frame from ACL reassembly; never raises for peer input."""
        self._tick(now)
        try:
            cid, payload = decode_basic_frame(frame)
        except L2capDecodeError as exc:
            log.warning("dropping L2CAP frame: %s", exc)
            return self.take_events()
        return self.receive_on(cid, payload, now)

    def receive_on(self, cid: int, payload: bytes, now: float) -> list[L2capEvent]:
        """Take a frame already split by channel (what `Host.register_fixed_channel` gives)."""
        self._tick(now)
        if cid == FixedCid.LE_SIGNALING:
            self._on_signaling(payload)
        elif cid in _OTHER_LAYER_CIDS:
            self._events.append(FixedChannelData(cid, payload))
        elif is_le_dynamic_cid(cid):
            self._on_kframe(cid, payload)
        else:
            log.info("dropping frame on unsupported LE CID 0x%04X", cid)  # Vol 3 Part A, 2.1
        return self.take_events()


    def _on_signaling(self, payload: bytes) -> None:
        item = self._signaling.receive(payload)
        if isinstance(item, IncomingRequest):
            self._on_request(item.identifier, item.command)
        elif isinstance(item, IncomingResponse):
            self._on_response(item.request, item.response)
        elif isinstance(item, MalformedRequest):
            self._on_malformed(item)

    def _on_malformed(self, item: MalformedRequest) -> None:
        if item.code == SignalingCode.L2CAP_CREDIT_BASED_CONNECTION_REQ:
            count = min(max((len(item.data) - 8) // 2, 0), MAX_ECFC_CHANNELS)
            self._signaling.respond(
                item.identifier,
                CreditBasedConnectionRsp(
                    0,
                    0,
                    0,
                    CreditBasedConnectionResult.ALL_CONNECTIONS_REFUSED_INVALID_PARAMETERS,
                    (0,) * count,
                ),
            )
        elif item.code == SignalingCode.L2CAP_CREDIT_BASED_RECONFIGURE_REQ:
            self._signaling.respond(
                item.identifier,
                CreditBasedReconfigureRsp(
                    CreditBasedReconfigureResult.RECONFIGURATION_FAILED_OTHER_UNACCEPTABLE_PARAMETERS
                ),
            )
        else:
            self._signaling.reject(item.identifier, CommandRejectReason.COMMAND_NOT_UNDERSTOOD)

    # -- requests from the peer -------------------------------------------------------------------

    def _on_request(self, identifier: int, command: AnyCommand) -> None:
        if isinstance(command, DisconnectionReq):
            self._on_disconnection_req(identifier, command)
        elif isinstance(command, FlowControlCreditInd):
            self._on_credit_ind(command)
        elif isinstance(command, ConnectionParameterUpdateReq):
            self._on_cpu_req(identifier, command)
        elif isinstance(command, LeCreditBasedConnectionReq):
            self._on_le_connection_req(identifier, command)
        elif isinstance(command, CreditBasedConnectionReq):
            self._on_ecfc_connection_req(identifier, command)
        elif isinstance(command, CreditBasedReconfigureReq):
            self._on_reconfigure_req(identifier, command)
        else:  # pragma: no cover - every request code is listed above
            self._signaling.reject(identifier, CommandRejectReason.COMMAND_NOT_UNDERSTOOD)

    # -- responses to our requests ----------------------------------------------------------------

    def _on_response(self, pending: PendingRequest, response: AnyCommand) -> None:
        if isinstance(response, CommandRejectRsp):
            self._events.append(
                CommandRejected(pending.identifier, response.reason, pending.command)
            )
            self._request_failed(pending, None, f"command reject (reason {response.reason})")
            return
        request = pending.command
        if isinstance(request, DisconnectionReq):
            self._on_disconnection_rsp(request)
        elif isinstance(request, ConnectionParameterUpdateReq):
            assert isinstance(response, ConnectionParameterUpdateRsp)
            self._on_cpu_rsp(response)
        elif isinstance(request, LeCreditBasedConnectionReq):
            assert isinstance(response, LeCreditBasedConnectionRsp)
            self._on_le_connection_rsp(request, response)
        elif isinstance(request, CreditBasedConnectionReq):
            assert isinstance(response, CreditBasedConnectionRsp)
            self._on_ecfc_connection_rsp(request, response)
        elif isinstance(request, CreditBasedReconfigureReq):
            assert isinstance(response, CreditBasedReconfigureRsp)
            self._on_reconfigure_rsp(request, response)

    def _request_failed(self, pending: PendingRequest, result: int | None, reason: str) -> None:
        """A request got a Command Reject or no response at all."""
        request = pending.command
        if isinstance(request, LeCreditBasedConnectionReq):
            cids: tuple[int, ...] = (request.source_cid,)
        elif isinstance(request, CreditBasedConnectionReq):
            cids = request.source_cids
        else:
            cids = ()
        for cid in cids:
            channel = self.channels.get(cid)
            if channel is not None and channel.state is ChannelState.WAIT_CONNECT_RSP:
                self._open_failed(channel, result, reason)
        if isinstance(request, DisconnectionReq):
            self._on_disconnection_rsp(request)
        elif isinstance(request, ConnectionParameterUpdateReq):
            self._events.append(ConnectionParameterUpdateAnswered(False, None))
        elif isinstance(request, CreditBasedReconfigureReq):
            self._events.append(ReconfigureFailed(request.destination_cids, None, reason))

    # -- the ACL link ------------------------------------------------------------------------------

    def close(self, reason: str = "ACL connection closed") -> list[L2capEvent]:
        """The ACL link is gone: every channel closes, pending requests are dropped."""
        for channel in list(self.channels.values()):
            if channel.state is ChannelState.OPEN:
                self._events.append(ChannelClosed(channel.local_cid, reason, False))
            elif channel.state is ChannelState.WAIT_CONNECT_RSP:
                self._events.append(
                    ChannelOpenFailed(channel.local_cid, channel.spsm, None, reason)
                )
            self._free(channel)
        for pending in self._signaling.pending:
            self._signaling.forget(pending.identifier)
        self._cpu_requests.clear()
        return self.take_events()
