"""Credit Based Reconfigure (Core Vol 3 Part A, 4.27-4.28): larger MTU/MPS on enhanced channels.

The procedure applies only to channels created with L2CAP_CREDIT_BASED_CONNECTION_REQ (4.27):
a channel opened with the LE request (4.22) is no valid Destination CID for it (result 0x0003).
The peer's request is all or nothing (L2CAP/ECFC/BI-03/04/05-C); ours (`reconfigure`) only
ever grows the receive limits of our open enhanced channels.
"""

from __future__ import annotations

from .channel_table import ChannelTable, L2capUsageError
from .coc import ECFC_MIN_MPS, ECFC_MIN_MTU, LE_MAX_MPS, ChannelState
from .events import ReconfigureFailed
from .pdus import (
    MAX_ECFC_CHANNELS,
    CreditBasedReconfigureReq,
    CreditBasedReconfigureResult,
    CreditBasedReconfigureRsp,
)


class ChannelReconfiguration(ChannelTable):
    """Both sides of the Credit Based Reconfigure procedure."""

    def _on_reconfigure_req(self, identifier: int, req: CreditBasedReconfigureReq) -> None:
        """Vol 3 Part A, 4.27-4.28 (L2CAP/ECFC/BI-03/04/05-C): all or nothing; only open
        enhanced channels are valid Destination CIDs."""
        channels = [self._by_peer_cid(cid) for cid in req.destination_cids]
        found = [c for c in channels if c is not None and c.state is ChannelState.OPEN and c.enhanced]
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

    def _on_reconfigure_rsp(
        self, req: CreditBasedReconfigureReq, rsp: CreditBasedReconfigureRsp
    ) -> None:
        if rsp.result != CreditBasedReconfigureResult.RECONFIGURATION_SUCCESSFUL:
            self._events.append(ReconfigureFailed(req.destination_cids, rsp.result, "refused"))
            return
        for cid in req.destination_cids:
            channel = self.channels.get(cid)
            if channel is not None and channel.state is ChannelState.OPEN and channel.enhanced:
                channel.set_receive_limits(req.mtu, req.mps)
                self._events.append(self._reconfigured(channel))

    def reconfigure(self, cids: list[int], mtu: int, mps: int, now: float) -> None:
        """Ask the peer to accept a larger receive MTU/MPS for our enhanced channels."""
        if not 1 <= len(cids) <= MAX_ECFC_CHANNELS:
            raise L2capUsageError(f"reconfigure names 1 to {MAX_ECFC_CHANNELS} channels")
        for cid in cids:
            channel = self._open_channel(cid)
            if not channel.enhanced:
                raise L2capUsageError(
                    f"channel 0x{cid:04X} is an LE credit-based channel: only enhanced channels "
                    "(opened with connect_ecfc) can be reconfigured (Vol 3 Part A, 4.27)"
                )
            if mtu < channel.local_mtu:
                raise L2capUsageError("the MTU of a channel can only grow (Vol 3 Part A, 4.27)")
        if not ECFC_MIN_MTU <= mtu <= 0xFFFF or not ECFC_MIN_MPS <= mps <= LE_MAX_MPS:
            raise L2capUsageError("reconfigure needs 64 <= MTU <= 65535 and 64 <= MPS <= 65533")
        self._signaling.request(CreditBasedReconfigureReq(mtu, mps, tuple(cids)), self._tick(now))
