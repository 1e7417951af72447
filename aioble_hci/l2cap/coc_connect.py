"""Opening credit-based channels: LE (Core Vol 3 Part A, 4.22-4.23) and enhanced (4.25-4.26).

Both directions of both procedures: the peer's connection requests are screened (SPSM,
source CIDs, MTU/MPS, then the server's security and acceptor, `spsm.py`) and answered; our
requests (`connect_coc`, `connect_ecfc`) open their channels when the response arrives, or
fail them (`ChannelOpenFailed`) on refusal or invalid values.
"""

from __future__ import annotations

import logging

from .channel_table import ChannelTable, L2capUsageError
from .coc import (
    ECFC_MIN_MPS,
    ECFC_MIN_MTU,
    LE_MAX_MPS,
    LE_MIN_MPS,
    LE_MIN_MTU,
    MAX_CREDITS,
    ChannelState,
    CreditBasedChannel,
)
from .events import ChannelOpenFailed
from .pdus import (
    MAX_ECFC_CHANNELS,
    CreditBasedConnectionReq,
    CreditBasedConnectionResult,
    CreditBasedConnectionRsp,
    LeCreditBasedConnectionReq,
    LeCreditBasedConnectionResult,
    LeCreditBasedConnectionRsp,
    is_le_dynamic_cid,
)
from .spsm import CocServer, ConnectionRequestInfo

log = logging.getLogger(__name__)

_Refusal = LeCreditBasedConnectionResult


def _ecfc_result(result: int) -> int:
    """The ECFC result with the same value as an LE result (the tables share their numbers)."""
    try:
        return CreditBasedConnectionResult(result)
    except ValueError:
        return result


class CreditBasedConnections(ChannelTable):
    """The connection procedures of LE and enhanced credit-based channels."""

    # -- requests from the peer -------------------------------------------------------------------

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

    # -- responses to our requests ----------------------------------------------------------------

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

    # -- API --------------------------------------------------------------------------------------

    def connect_coc(
        self,
        spsm: int,
        mtu: int = 512,
        mps: int = 247,
        initial_credits: int = 8,
        *,
        now: float,
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
        *,
        now: float,
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
