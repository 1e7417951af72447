"""Per-ACL-connection L2CAP: fixed channels, LE signalling and credit-based channels.

Sans-I/O (Core Vol 3 Part A): `receive(frame)` takes a whole basic frame from ACL
reassembly and returns events; `data_to_send()` drains the basic frames ready for ACL
(signalling first, then K-frames as credits allow). Time only enters through the `now`
arguments (seconds, any monotonic origin); when omitted the last value seen is reused.
"""

from __future__ import annotations

import logging
from enum import IntEnum

from .coc import (
    ECFC_MIN_MPS,
    ECFC_MIN_MTU,
    LE_MAX_MPS,
    LE_MIN_MPS,
    LE_MIN_MTU,
    MAX_CREDITS,
    ChannelState,
    CocProtocolError,
    CreditBasedChannel,
)
from .conn_params import connection_parameters_problem
from .events import (
    ChannelClosed,
    ChannelOpened,
    ChannelOpenFailed,
    ChannelReconfigured,
    CommandRejected,
    ConnectionParameterUpdateAnswered,
    ConnectionParameterUpdateRequested,
    CreditsAvailable,
    FixedChannelData,
    L2capEvent,
    ReconfigureFailed,
    SduReceived,
    SignalingTimeout,
)
from .pdus import (
    LE_DYNAMIC_CID_FIRST,
    LE_DYNAMIC_CID_LAST,
    MAX_ECFC_CHANNELS,
    AnyCommand,
    CommandRejectReason,
    CommandRejectRsp,
    ConnectionParameterUpdateReq,
    ConnectionParameterUpdateResult,
    ConnectionParameterUpdateRsp,
    CreditBasedConnectionReq,
    CreditBasedConnectionResult,
    CreditBasedConnectionRsp,
    CreditBasedReconfigureReq,
    CreditBasedReconfigureResult,
    CreditBasedReconfigureRsp,
    DisconnectionReq,
    DisconnectionRsp,
    FixedCid,
    FlowControlCreditInd,
    L2capDecodeError,
    LeCreditBasedConnectionReq,
    LeCreditBasedConnectionResult,
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
from .spsm import CocServer, ConnectionRequestInfo, LinkSecurity, SpsmRegistry

log = logging.getLogger(__name__)


class Role(IntEnum):
    """Our role on the ACL link (HCI role values)."""

    CENTRAL = 0
    PERIPHERAL = 1


class L2capUsageError(RuntimeError):
    """The local application asked for something the current state does not allow."""


_OTHER_LAYER_CIDS = frozenset({FixedCid.ATT, FixedCid.SMP})

_Refusal = LeCreditBasedConnectionResult


def _ecfc_result(result: int) -> int:
    """The ECFC result with the same value as an LE result (the tables share their numbers)."""
    try:
        return CreditBasedConnectionResult(result)
    except ValueError:
        return result


class L2capChannelManager:
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
        self.channels: dict[int, CreditBasedChannel] = {}
        self._out: list[bytes] = []
        self._events: list[L2capEvent] = []
        self._now = 0.0
        self._signaling = SignalingChannel(self._out.append, signaling_mtu, rtx_timeout)
        self._cpu_requests: set[int] = set()

    # -- plumbing ---------------------------------------------------------------------------------

    def _tick(self, now: float | None) -> float:
        if now is not None:
            self._now = now
        return self._now

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

    def next_timeout(self) -> float | None:
        """When `handle_timeout` must next be called, or None."""
        return self._signaling.next_deadline()

    def handle_timeout(self, now: float) -> list[L2capEvent]:
        """Expire signalling requests whose 30 s RTX has run out."""
        self._tick(now)
        for pending in self._signaling.expire(now):
            self._events.append(SignalingTimeout(pending.identifier, pending.command))
            self._request_failed(pending, None, "no response within RTX")
        return self.take_events()

    # -- incoming frames --------------------------------------------------------------------------

    def receive(self, frame: bytes, now: float | None = None) -> list[L2capEvent]:
        """Take one whole basic frame from ACL reassembly; never raises for peer input."""
        self._tick(now)
        try:
            cid, payload = decode_basic_frame(frame)
        except L2capDecodeError as exc:
            log.warning("dropping L2CAP frame: %s", exc)
            return self.take_events()
        return self.receive_on(cid, payload)

    def receive_on(self, cid: int, payload: bytes, now: float | None = None) -> list[L2capEvent]:
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

    def _on_kframe(self, cid: int, payload: bytes) -> None:
        channel = self.channels.get(cid)
        if channel is None or channel.state is not ChannelState.OPEN:
            log.info("dropping K-frame for CID 0x%04X (no open channel)", cid)
            return
        try:
            sdu = channel.receive_kframe(payload)
        except CocProtocolError as exc:
            log.warning("channel 0x%04X: %s; disconnecting", cid, exc)
            self._disconnect(channel, f"peer protocol error: {exc}")
            return
        if sdu is not None:
            self._events.append(SduReceived(cid, sdu))
        grant = channel.credits_to_return()
        if grant:
            self._signaling.request(FlowControlCreditInd(cid, grant), self._now)

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

    def _on_disconnection_req(self, identifier: int, req: DisconnectionReq) -> None:
        """Vol 3 Part A, 4.6: unknown DCID -> Command Reject 0x0002; SCID mismatch -> ignore."""
        channel = self.channels.get(req.destination_cid)
        if channel is None or channel.state is ChannelState.WAIT_CONNECT_RSP:
            self._signaling.reject(
                identifier,
                CommandRejectReason.INVALID_CID_IN_REQUEST,
                local_cid=req.destination_cid,
                remote_cid=req.source_cid,
            )
            return
        if channel.peer_cid != req.source_cid:
            log.info("ignoring disconnection request with SCID 0x%04X mismatch", req.source_cid)
            return
        self._signaling.respond(identifier, DisconnectionRsp(req.destination_cid, req.source_cid))
        if channel.state is ChannelState.OPEN:
            self._events.append(ChannelClosed(channel.local_cid, "peer disconnected", True))
        self._free(channel)

    def _on_credit_ind(self, ind: FlowControlCreditInd) -> None:
        channel = self._by_peer_cid(ind.cid)
        if channel is None or channel.state is not ChannelState.OPEN:
            log.info("ignoring credits for unknown CID 0x%04X", ind.cid)
            return
        try:
            channel.add_tx_credits(ind.credits)
        except CocProtocolError as exc:
            log.warning("channel 0x%04X: %s; disconnecting", channel.local_cid, exc)
            self._disconnect(channel, f"peer protocol error: {exc}")
            return
        if ind.credits:
            self._events.append(CreditsAvailable(channel.local_cid, channel.tx_credits))

    def _on_cpu_req(self, identifier: int, req: ConnectionParameterUpdateReq) -> None:
        """Only a central answers (L2CAP/LE/CPU/BI-02-C); invalid values are refused (BI-01-C)."""
        if self.role is not Role.CENTRAL:
            self._signaling.reject(identifier, CommandRejectReason.COMMAND_NOT_UNDERSTOOD)
            return
        problem = connection_parameters_problem(
            req.interval_min, req.interval_max, req.latency, req.timeout
        )
        if problem is not None:
            log.info("refusing connection parameter update: %s", problem)
            self._signaling.respond(
                identifier,
                ConnectionParameterUpdateRsp(
                    ConnectionParameterUpdateResult.CONNECTION_PARAMETERS_REJECTED
                ),
            )
            return
        self._cpu_requests.add(identifier)
        self._events.append(
            ConnectionParameterUpdateRequested(
                identifier, req.interval_min, req.interval_max, req.latency, req.timeout
            )
        )

    def _on_le_connection_req(self, identifier: int, req: LeCreditBasedConnectionReq) -> None:
        """Vol 3 Part A, 4.22-4.23; refusals carry zero DCID/MTU/MPS/credits."""
        server = self.servers.get(req.spsm)
        planned = self._free_cids(1)
        result = self._screen(server, req.spsm, req.mtu, req.mps, (req.source_cid,), False, planned)
        channel = None
        if result is None and server is not None:
            channel = self._allocate(
                server.spsm, server.mtu, server.mps, server.initial_credits, cid=next(iter(planned), None)
            )
            if channel is not None:
                channel.auto_credits = server.auto_credits
            result = None if channel is not None else _Refusal.NO_RESOURCES_AVAILABLE
        if channel is None or server is None:
            self._signaling.respond(identifier, LeCreditBasedConnectionRsp(0, 0, 0, 0, result or 0))
            return
        channel.open(req.source_cid, req.mtu, req.mps, req.initial_credits)
        self._signaling.respond(
            identifier,
            LeCreditBasedConnectionRsp(
                channel.local_cid,
                server.mtu,
                server.mps,
                server.initial_credits,
                LeCreditBasedConnectionResult.CONNECTION_SUCCESSFUL,
            ),
        )
        self._events.append(self._opened(channel, initiator=False))

    def _screen(
        self,
        server: CocServer | None,
        spsm: int,
        mtu: int,
        mps: int,
        peer_cids: tuple[int, ...],
        enhanced: bool,
        local_cids: tuple[int, ...],
    ) -> LeCreditBasedConnectionResult | None:
        """Checks common to both request kinds; per-CID checks only for LE (single channel)."""
        if server is None:
            return _Refusal.SPSM_NOT_SUPPORTED
        min_mtu, min_mps = (ECFC_MIN_MTU, ECFC_MIN_MPS) if enhanced else (LE_MIN_MTU, LE_MIN_MPS)
        if not enhanced:
            scid = peer_cids[0]
            if not is_le_dynamic_cid(scid):
                return _Refusal.INVALID_SOURCE_CID
            if self._by_peer_cid(scid) is not None:
                return _Refusal.SOURCE_CID_ALREADY_ALLOCATED
        if mtu < min_mtu or not min_mps <= mps <= LE_MAX_MPS:
            return _Refusal.UNACCEPTABLE_PARAMETERS
        info = ConnectionRequestInfo(
            spsm, mtu, mps, peer_cids, enhanced, self.connection_handle, local_cids
        )
        return server.decide(self.link_security, info)

    def _on_ecfc_connection_req(self, identifier: int, req: CreditBasedConnectionReq) -> None:
        """Vol 3 Part A, 4.25-4.26: refuse all, or open some and give refused ones DCID 0."""
        server = self.servers.get(req.spsm)
        planned = self._free_cids(len(req.source_cids))
        refusal = self._screen(server, req.spsm, req.mtu, req.mps, req.source_cids, True, planned)
        count = len(req.source_cids)
        if refusal is not None or server is None:
            code = _ecfc_result(refusal if refusal is not None else _Refusal.SPSM_NOT_SUPPORTED)
            self._signaling.respond(
                identifier, CreditBasedConnectionRsp(0, 0, 0, code, (0,) * count)
            )
            return
        result = CreditBasedConnectionResult.ALL_CONNECTIONS_SUCCESSFUL
        dcids: list[int] = []
        opened: list[CreditBasedChannel] = []
        seen: set[int] = set()
        for index, scid in enumerate(req.source_cids):
            problem = None
            if not is_le_dynamic_cid(scid):
                problem = CreditBasedConnectionResult.SOME_CONNECTIONS_REFUSED_INVALID_SOURCE_CID
            elif scid in seen or self._by_peer_cid(scid) is not None:
                problem = CreditBasedConnectionResult.SOME_CONNECTIONS_REFUSED_SOURCE_CID_ALREADY_ALLOCATED
            channel = None
            if problem is None:
                channel = self._allocate(
                    server.spsm,
                    server.mtu,
                    server.mps,
                    server.initial_credits,
                    enhanced=True,
                    cid=planned[index] if index < len(planned) else None,
                )
                if channel is None:
                    problem = (
                        CreditBasedConnectionResult.SOME_CONNECTIONS_REFUSED_INSUFFICIENT_RESOURCES
                    )
                else:
                    channel.auto_credits = server.auto_credits
            seen.add(scid)
            if problem is not None or channel is None:
                result = problem or result
                dcids.append(0)
                continue
            channel.open(scid, req.mtu, req.mps, req.initial_credits)
            opened.append(channel)
            dcids.append(channel.local_cid)
        self._signaling.respond(
            identifier,
            CreditBasedConnectionRsp(
                server.mtu, server.mps, server.initial_credits, result, tuple(dcids)
            ),
        )
        self._events.extend(self._opened(channel, initiator=False) for channel in opened)

    def _on_reconfigure_req(self, identifier: int, req: CreditBasedReconfigureReq) -> None:
        """Vol 3 Part A, 4.27-4.28 (L2CAP/ECFC/BI-03/04/05-C): all or nothing."""
        channels = [self._by_peer_cid(cid) for cid in req.destination_cids]
        found = [c for c in channels if c is not None and c.state is ChannelState.OPEN]
        results = CreditBasedReconfigureResult
        if len(found) != len(channels) or len(set(req.destination_cids)) != len(channels):
            result = results.RECONFIGURATION_FAILED_ONE_OR_MORE_DESTINATION_CIDS_INVALID
        elif any(req.mtu < c.peer_mtu for c in found):
            result = results.RECONFIGURATION_FAILED_REDUCTION_IN_SIZE_OF_MTU_NOT_ALLOWED
        elif len(found) > 1 and any(req.mps < c.peer_mps for c in found):
            result = results.RECONFIGURATION_FAILED_REDUCTION_IN_SIZE_OF_MPS_NOT_ALLOWED
        elif req.mtu < ECFC_MIN_MTU or not ECFC_MIN_MPS <= req.mps <= LE_MAX_MPS:
            result = results.RECONFIGURATION_FAILED_OTHER_UNACCEPTABLE_PARAMETERS
        else:
            result = results.RECONFIGURATION_SUCCESSFUL
        self._signaling.respond(identifier, CreditBasedReconfigureRsp(result))
        if result != results.RECONFIGURATION_SUCCESSFUL:
            return
        for channel in found:
            channel.peer_mtu, channel.peer_mps = req.mtu, req.mps
            self._events.append(self._reconfigured(channel))

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
            channel = self.channels.get(request.source_cid)
            if channel is not None and channel.state is ChannelState.WAIT_DISCONNECT:
                self._free(channel)
        elif isinstance(request, ConnectionParameterUpdateReq):
            assert isinstance(response, ConnectionParameterUpdateRsp)
            accepted = (
                response.result == ConnectionParameterUpdateResult.CONNECTION_PARAMETERS_ACCEPTED
            )
            self._events.append(ConnectionParameterUpdateAnswered(accepted, response.result))
        elif isinstance(request, LeCreditBasedConnectionReq):
            assert isinstance(response, LeCreditBasedConnectionRsp)
            self._on_le_connection_rsp(request, response)
        elif isinstance(request, CreditBasedConnectionReq):
            assert isinstance(response, CreditBasedConnectionRsp)
            self._on_ecfc_connection_rsp(request, response)
        elif isinstance(request, CreditBasedReconfigureReq):
            assert isinstance(response, CreditBasedReconfigureRsp)
            self._on_reconfigure_rsp(request, response)

    def _on_le_connection_rsp(
        self, req: LeCreditBasedConnectionReq, rsp: LeCreditBasedConnectionRsp
    ) -> None:
        channel = self.channels.get(req.source_cid)
        if channel is None or channel.state is not ChannelState.WAIT_CONNECT_RSP:
            return
        if rsp.result != LeCreditBasedConnectionResult.CONNECTION_SUCCESSFUL:
            self._open_failed(channel, rsp.result, "refused by peer")
            return
        self._accept_response(channel, rsp.destination_cid, rsp.mtu, rsp.mps, rsp.initial_credits)

    def _on_ecfc_connection_rsp(
        self, req: CreditBasedConnectionReq, rsp: CreditBasedConnectionRsp
    ) -> None:
        for index, scid in enumerate(req.source_cids):
            channel = self.channels.get(scid)
            if channel is None or channel.state is not ChannelState.WAIT_CONNECT_RSP:
                continue
            dcid = rsp.destination_cids[index] if index < len(rsp.destination_cids) else 0
            if dcid == 0:
                self._open_failed(channel, rsp.result, "refused by peer")
                continue
            self._accept_response(channel, dcid, rsp.mtu, rsp.mps, rsp.initial_credits)

    def _accept_response(
        self, channel: CreditBasedChannel, dcid: int, mtu: int, mps: int, credits: int
    ) -> None:
        """Open on a successful response, unless the peer's values are invalid."""
        min_mtu = ECFC_MIN_MTU if channel.enhanced else LE_MIN_MTU
        min_mps = ECFC_MIN_MPS if channel.enhanced else LE_MIN_MPS
        if not is_le_dynamic_cid(dcid) or self._by_peer_cid(dcid) is not None:
            self._open_failed(channel, None, f"peer answered with invalid DCID 0x{dcid:04X}")
            return
        channel.open(dcid, mtu, mps, credits)
        if mtu < min_mtu or not min_mps <= mps <= LE_MAX_MPS:
            log.warning("peer opened channel with MTU %d MPS %d; disconnecting", mtu, mps)
            self._send_disconnection_req(channel)
            self._events.append(
                ChannelOpenFailed(channel.local_cid, channel.spsm, None, "unacceptable MTU/MPS")
            )
            return
        self._events.append(self._opened(channel, initiator=True))

    def _on_reconfigure_rsp(
        self, req: CreditBasedReconfigureReq, rsp: CreditBasedReconfigureRsp
    ) -> None:
        if rsp.result != CreditBasedReconfigureResult.RECONFIGURATION_SUCCESSFUL:
            self._events.append(ReconfigureFailed(req.destination_cids, rsp.result, "refused"))
            return
        for cid in req.destination_cids:
            channel = self.channels.get(cid)
            if channel is not None and channel.state is ChannelState.OPEN:
                channel.set_receive_limits(req.mtu, req.mps)
                self._events.append(self._reconfigured(channel))

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
            channel = self.channels.get(request.source_cid)
            if channel is not None and channel.state is ChannelState.WAIT_DISCONNECT:
                self._free(channel)
        elif isinstance(request, ConnectionParameterUpdateReq):
            self._events.append(ConnectionParameterUpdateAnswered(False, None))
        elif isinstance(request, CreditBasedReconfigureReq):
            self._events.append(ReconfigureFailed(request.destination_cids, None, reason))

    # -- API --------------------------------------------------------------------------------------

    def connect_coc(
        self,
        spsm: int,
        mtu: int = 512,
        mps: int = 247,
        initial_credits: int = 8,
        now: float | None = None,
        auto_credits: bool = True,
    ) -> int:
        """Send L2CAP_LE_CREDIT_BASED_CONNECTION_REQ; returns our CID (pending until
        ChannelOpened or ChannelOpenFailed for it)."""
        self._check_params(spsm, mtu, mps, initial_credits, LE_MIN_MTU, LE_MIN_MPS)
        channel = self._allocate(spsm, mtu, mps, initial_credits)
        if channel is None:
            raise L2capUsageError("no free LE dynamic CID left on this connection")
        channel.auto_credits = auto_credits
        request = LeCreditBasedConnectionReq(spsm, channel.local_cid, mtu, mps, initial_credits)
        self._signaling.request(request, self._tick(now))
        return channel.local_cid

    def connect_ecfc(
        self,
        spsm: int,
        count: int,
        mtu: int = 512,
        mps: int = 247,
        initial_credits: int = 8,
        now: float | None = None,
        auto_credits: bool = True,
    ) -> list[int]:
        """Send L2CAP_CREDIT_BASED_CONNECTION_REQ for 1-5 channels; returns our CIDs."""
        if not 1 <= count <= MAX_ECFC_CHANNELS:
            raise L2capUsageError(f"an ECFC request opens 1 to {MAX_ECFC_CHANNELS} channels")
        self._check_params(spsm, mtu, mps, initial_credits, ECFC_MIN_MTU, ECFC_MIN_MPS)
        channels: list[CreditBasedChannel] = []
        for _ in range(count):
            channel = self._allocate(spsm, mtu, mps, initial_credits, enhanced=True)
            if channel is None:
                for allocated in channels:
                    del self.channels[allocated.local_cid]
                raise L2capUsageError("not enough free LE dynamic CIDs on this connection")
            channel.auto_credits = auto_credits
            channels.append(channel)
        cids = tuple(c.local_cid for c in channels)
        self._signaling.request(
            CreditBasedConnectionReq(spsm, mtu, mps, initial_credits, cids), self._tick(now)
        )
        return list(cids)

    def send_sdu(self, cid: int, data: bytes) -> None:
        """Queue an SDU; its K-frames leave through `data_to_send` as credits allow."""
        self._open_channel(cid).queue_sdu(bytes(data))

    def give_credits(self, cid: int, credits: int, now: float | None = None) -> None:
        """Grant the peer more credits on `cid` (on top of automatic returns)."""
        channel = self._open_channel(cid)
        channel.grant(credits)
        self._signaling.request(FlowControlCreditInd(cid, credits), self._tick(now))

    def disconnect(self, cid: int, now: float | None = None) -> None:
        """Close an open channel: ChannelClosed now, L2CAP_DISCONNECTION_REQ to the peer."""
        self._tick(now)
        self._disconnect(self._open_channel(cid), "closed locally", by_peer=False)

    def reconfigure(self, cids: list[int], mtu: int, mps: int, now: float | None = None) -> None:
        """Ask the peer to accept a larger receive MTU/MPS for our enhanced channels."""
        if not 1 <= len(cids) <= MAX_ECFC_CHANNELS:
            raise L2capUsageError(f"reconfigure names 1 to {MAX_ECFC_CHANNELS} channels")
        for cid in cids:
            channel = self._open_channel(cid)
            if mtu < channel.local_mtu:
                raise L2capUsageError("the MTU of a channel can only grow (Vol 3 Part A, 4.27)")
        if not ECFC_MIN_MTU <= mtu <= 0xFFFF or not ECFC_MIN_MPS <= mps <= LE_MAX_MPS:
            raise L2capUsageError("reconfigure needs 64 <= MTU <= 65535 and 64 <= MPS <= 65533")
        self._signaling.request(CreditBasedReconfigureReq(mtu, mps, tuple(cids)), self._tick(now))

    def request_connection_parameter_update(
        self,
        interval_min: int,
        interval_max: int,
        latency: int,
        timeout: int,
        now: float | None = None,
    ) -> int:
        """(Peripheral) send L2CAP_CONNECTION_PARAMETER_UPDATE_REQ (L2CAP/LE/CPU/BV-01-C)."""
        if self.role is not Role.PERIPHERAL:
            raise L2capUsageError("only a peripheral sends a connection parameter update request")
        request = ConnectionParameterUpdateReq(interval_min, interval_max, latency, timeout)
        return self._signaling.request(request, self._tick(now))

    def answer_connection_parameter_update(self, identifier: int, accept: bool) -> None:
        """(Central) answer a ConnectionParameterUpdateRequested event."""
        if identifier not in self._cpu_requests:
            raise L2capUsageError(f"no connection parameter update request with id {identifier}")
        self._cpu_requests.discard(identifier)
        result = (
            ConnectionParameterUpdateResult.CONNECTION_PARAMETERS_ACCEPTED
            if accept
            else ConnectionParameterUpdateResult.CONNECTION_PARAMETERS_REJECTED
        )
        self._signaling.respond(identifier, ConnectionParameterUpdateRsp(result))

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

    # -- helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _check_params(
        spsm: int, mtu: int, mps: int, credits: int, min_mtu: int, min_mps: int
    ) -> None:
        if not 0x0001 <= spsm <= 0x00FF:
            raise L2capUsageError(f"SPSM 0x{spsm:04X} is outside the LE range 0x0001-0x00FF")
        if mtu < min_mtu or not min_mps <= mps <= LE_MAX_MPS or mtu > 0xFFFF:
            raise L2capUsageError(
                f"MTU {mtu} / MPS {mps}: need MTU >= {min_mtu} and {min_mps} <= MPS <= {LE_MAX_MPS}"
            )
        if not 0 <= credits <= MAX_CREDITS:
            raise L2capUsageError(f"initial credits {credits} outside 0-{MAX_CREDITS}")

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
