"""Events the L2CAP core hands to the host, one small immutable dataclass each."""

from __future__ import annotations

from aioble_hci.records import dataclass


@dataclass(frozen=True)
class FixedChannelData:
    """A frame on a fixed channel another layer owns (0x0004 ATT, 0x0006 SMP)."""

    cid: int
    pdu: bytes


@dataclass(frozen=True)
class ChannelOpened:
    """A credit-based channel is open, either side having initiated it."""

    cid: int
    peer_cid: int
    spsm: int
    mtu: int
    mps: int
    peer_mtu: int
    peer_mps: int
    peer_credits: int
    initiator: bool
    enhanced: bool


@dataclass(frozen=True)
class ChannelOpenFailed:
    """Our connection request for `cid` was refused, rejected or timed out.

    `result` is the response's result code, or None when there was no response (Command
    Reject, RTX timeout, invalid response).
    """

    cid: int
    spsm: int
    result: int | None
    reason: str


@dataclass(frozen=True)
class ChannelClosed:
    """A channel left the open state; `by_peer` when the peer asked for it."""

    cid: int
    reason: str
    by_peer: bool


@dataclass(frozen=True)
class SduReceived:
    """A whole SDU arrived on a credit-based channel."""

    cid: int
    sdu: bytes


@dataclass(frozen=True)
class CreditsAvailable:
    """The peer granted credits; `credits` is our total now."""

    cid: int
    credits: int


@dataclass(frozen=True)
class ChannelReconfigured:
    """The peer changed the MTU/MPS we send with (Vol 3 Part A, 4.27), or ours changed."""

    cid: int
    mtu: int
    mps: int
    peer_mtu: int
    peer_mps: int


@dataclass(frozen=True)
class ReconfigureFailed:
    """Our reconfigure request was refused (`result`) or got no valid response (None)."""

    cids: tuple[int, ...]
    result: int | None
    reason: str


@dataclass(frozen=True)
class ConnectionParameterUpdateRequested:
    """(Central) the peripheral asks for new parameters, already checked for validity.

    Answer with `L2capChannelManager.answer_connection_parameter_update(identifier, accept)`
    after (or instead of) running the LL connection update.
    """

    identifier: int
    interval_min: int
    interval_max: int
    latency: int
    timeout: int


@dataclass(frozen=True)
class ConnectionParameterUpdateAnswered:
    """(Peripheral) the central answered our request; `result` None means Command Reject
    or timeout."""

    accepted: bool
    result: int | None


@dataclass(frozen=True)
class CommandRejected:
    """The peer rejected one of our requests with L2CAP_COMMAND_REJECT_RSP."""

    identifier: int
    reason: int
    request: object


@dataclass(frozen=True)
class SignalingTimeout:
    """A request got no response within RTX (30 s). The host may drop the link."""

    identifier: int
    request: object


L2capEvent = (
    FixedChannelData
    | ChannelOpened
    | ChannelOpenFailed
    | ChannelClosed
    | SduReceived
    | CreditsAvailable
    | ChannelReconfigured
    | ReconfigureFailed
    | ConnectionParameterUpdateRequested
    | ConnectionParameterUpdateAnswered
    | CommandRejected
    | SignalingTimeout
)
