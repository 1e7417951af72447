"""Open credit-based channels: K-frames in and out, credits, disconnection.

K-frames received on a dynamic CID feed the channel's reassembly (Core Vol 3 Part A, 3.4.3)
and automatic credit returns; L2CAP_FLOW_CONTROL_CREDIT_IND adds send credits (4.24, 10.1);
L2CAP_DISCONNECTION_REQ/RSP close a channel (4.6-4.7). A peer breaking the credit or
segmentation rules gets the channel disconnected.
"""

from __future__ import annotations

import logging

from .channel_table import ChannelTable
from .coc import ChannelState, CocProtocolError
from .events import ChannelClosed, CreditsAvailable, SduReceived
from .pdus import CommandRejectReason, DisconnectionReq, DisconnectionRsp, FlowControlCreditInd

log = logging.getLogger(__name__)


class OpenChannels(ChannelTable):
    """Data, credits and disconnection on the channels the connection procedures opened."""

    # -- from the peer ----------------------------------------------------------------------------

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

    def _on_disconnection_rsp(self, request: DisconnectionReq) -> None:
        """Our L2CAP_DISCONNECTION_REQ was answered (or failed): the channel is gone."""
        channel = self.channels.get(request.source_cid)
        if channel is not None and channel.state is ChannelState.WAIT_DISCONNECT:
            self._free(channel)

    # -- API --------------------------------------------------------------------------------------

    def send_sdu(self, cid: int, data: bytes) -> None:
        """Queue an SDU; its K-frames leave through `data_to_send` as credits allow."""
        self._open_channel(cid).queue_sdu(bytes(data))

    def give_credits(self, cid: int, credits: int, now: float) -> None:
        """Grant the peer more credits on `cid` (on top of automatic returns)."""
        channel = self._open_channel(cid)
        channel.grant(credits)
        self._signaling.request(FlowControlCreditInd(cid, credits), self._tick(now))

    def disconnect(self, cid: int, now: float) -> None:
        """Close an open channel: ChannelClosed now, L2CAP_DISCONNECTION_REQ to the peer."""
        self._tick(now)
        self._disconnect(self._open_channel(cid), "closed locally", by_peer=False)
