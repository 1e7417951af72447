"""LE credit-based connection-oriented channels (Core Vol 3 Part A, 3.4.3 and 10.1).

One `CreditBasedChannel` per open channel: SDU segmentation into K-frames (the first carries
the 2-octet SDU length), reassembly, and credits both ways. A peer breaking the rules raises
`CocProtocolError`; the manager then disconnects the channel, as the spec requires.
"""

from __future__ import annotations

import logging
import struct
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

from aioble_hci.errors import RemoteProtocolError

log = logging.getLogger(__name__)

MAX_CREDITS = 65535
"""A credit count never exceeds 65535; a peer pushing it past gets the channel disconnected
(Vol 3 Part A, 10.1)."""

LE_MIN_MTU = 23
"""Smallest MTU an LE credit-based channel accepts (Vol 3 Part A, 4.22)."""
LE_MIN_MPS = 23
LE_MAX_MPS = 65533
"""MPS range for LE credit-based channels (Vol 3 Part A, 4.22)."""
ECFC_MIN_MTU = 64
ECFC_MIN_MPS = 64
"""Enhanced credit-based channels need MTU and MPS of at least 64 (Vol 3 Part A, 4.25)."""

SDU_LENGTH_SIZE = 2


class CocProtocolError(RemoteProtocolError):
    """The peer broke a credit-based flow control rule; the channel must be disconnected."""


class ChannelState(Enum):
    """Where a credit-based channel is in its life (Vol 3 Part A, 6.1 simplified for LE)."""

    WAIT_CONNECT_RSP = "wait-connect-rsp"
    OPEN = "open"
    WAIT_DISCONNECT = "wait-disconnect"
    CLOSED = "closed"


def segment_sdu(sdu: bytes, mps: int) -> list[bytes]:
    """Cut an SDU into K-frame payloads of at most `mps` octets (Vol 3 Part A, 3.4.3).

    The first K-frame starts with the 2-octet SDU length; an empty SDU is one 2-octet frame.
    """
    if mps <= SDU_LENGTH_SIZE:
        raise ValueError(f"MPS {mps} leaves no room for data after the SDU length")
    first_room = mps - SDU_LENGTH_SIZE
    frames = [struct.pack("<H", len(sdu)) + sdu[:first_room]]
    frames.extend(sdu[offset : offset + mps] for offset in range(first_room, len(sdu), mps))
    return frames


class SduReassembler:
    """Rebuilds SDUs from K-frame payloads, enforcing the receiver's MTU and MPS."""

    def __init__(self, mtu: int, mps: int) -> None:
        self.mtu = mtu
        self.mps = mps
        self._buffer = bytearray()
        self._expected: int | None = None

    @property
    def in_progress(self) -> bool:
        """True while an SDU has been started and not yet completed."""
        return self._expected is not None

    def feed(self, payload: bytes) -> bytes | None:
        """Add one K-frame payload; return the SDU once complete.

        Raises CocProtocolError for a K-frame longer than MPS, an SDU length above MTU, a
        first K-frame too short for the SDU length, or segments overrunning the SDU length
        (L2CAP/LE/CFC/BV-26/27/28-C).
        """
        if len(payload) > self.mps:
            raise CocProtocolError(f"K-frame of {len(payload)} octets exceeds MPS {self.mps}")
        if self._expected is None:
            if len(payload) < SDU_LENGTH_SIZE:
                raise CocProtocolError(f"first K-frame of {len(payload)} octets has no SDU length")
            (length,) = struct.unpack_from("<H", payload)
            if length > self.mtu:
                raise CocProtocolError(f"SDU length {length} exceeds MTU {self.mtu}")
            self._expected = length
            self._buffer = bytearray(payload[SDU_LENGTH_SIZE:])
        else:
            self._buffer += payload
        if len(self._buffer) > self._expected:
            raise CocProtocolError(
                f"K-frames carry {len(self._buffer)} octets for an SDU of {self._expected}"
            )
        if len(self._buffer) < self._expected:
            return None
        sdu = bytes(self._buffer)
        self._buffer = bytearray()
        self._expected = None
        return sdu


@dataclass
class CreditBasedChannel:
    """One LE credit-based (or enhanced credit-based) channel.

    `local_*` values are what we receive (our MTU/MPS, credits the peer still holds);
    `peer_*` values govern what we send (peer MTU/MPS, credits we hold).
    """

    local_cid: int
    spsm: int
    local_mtu: int
    local_mps: int
    rx_credit_target: int
    """Credits we keep the peer topped up to; also the initial credits we grant."""
    enhanced: bool = False
    peer_cid: int = 0
    peer_mtu: int = 0
    peer_mps: int = 0
    tx_credits: int = 0
    rx_credits: int = 0
    """Credits the peer still holds: K-frames it may send before we grant more."""
    auto_credits: bool = True
    state: ChannelState = ChannelState.WAIT_CONNECT_RSP
    _tx: deque[bytes] = field(default_factory=deque, repr=False)
    _rx: SduReassembler | None = field(default=None, repr=False)

    def open(self, peer_cid: int, peer_mtu: int, peer_mps: int, peer_credits: int) -> None:
        """Enter OPEN with the peer's parameters and initial credits."""
        self.peer_cid = peer_cid
        self.peer_mtu = peer_mtu
        self.peer_mps = peer_mps
        self.tx_credits = peer_credits
        self.rx_credits = self.rx_credit_target
        self._rx = SduReassembler(self.local_mtu, self.local_mps)
        self.state = ChannelState.OPEN

    # -- sending ----------------------------------------------------------------------------------

    @property
    def queued_frames(self) -> int:
        """K-frames waiting for credits."""
        return len(self._tx)

    def queue_sdu(self, sdu: bytes) -> None:
        """Segment an SDU for the peer's MPS; frames leave only as credits allow."""
        if self.state is not ChannelState.OPEN:
            raise ValueError(f"channel 0x{self.local_cid:04X} is not open ({self.state.value})")
        if len(sdu) > self.peer_mtu:
            raise ValueError(f"SDU of {len(sdu)} octets exceeds the peer's MTU {self.peer_mtu}")
        self._tx.extend(segment_sdu(sdu, self.peer_mps))

    def pop_sendable(self) -> list[bytes]:
        """K-frame payloads that credits allow now; each spends one credit."""
        count = min(self.tx_credits, len(self._tx))
        self.tx_credits -= count
        return [self._tx.popleft() for _ in range(count)]

    def add_tx_credits(self, credits: int) -> None:
        """Take credits from L2CAP_FLOW_CONTROL_CREDIT_IND; more than 65535 in total is an error."""
        if self.tx_credits + credits > MAX_CREDITS:
            raise CocProtocolError(
                f"peer credits {self.tx_credits} + {credits} exceed {MAX_CREDITS}"
            )
        self.tx_credits += credits

    # -- receiving --------------------------------------------------------------------------------

    def receive_kframe(self, payload: bytes) -> bytes | None:
        """Account one K-frame and return a completed SDU, if any.

        A K-frame arriving when the peer holds no credits is a protocol error
        (L2CAP/LE/CFC/BI-01-C).
        """
        if self._rx is None:
            raise CocProtocolError("K-frame on a channel that is not open")
        if self.rx_credits <= 0:
            raise CocProtocolError("K-frame received while the peer had no credits")
        self.rx_credits -= 1
        return self._rx.feed(payload)

    def credits_to_return(self) -> int:
        """With automatic credits, how many to grant now (0 until the peer is at half or below).

        The grant is recorded as given: the caller must send the credit indication.
        """
        if not self.auto_credits or self.rx_credits > self.rx_credit_target // 2:
            return 0
        grant = self.rx_credit_target - self.rx_credits
        self.rx_credits += grant
        return grant

    def grant(self, credits: int) -> None:
        """Record credits given by the application; the peer's total stays within 65535."""
        if credits < 0 or self.rx_credits + credits > MAX_CREDITS:
            raise ValueError(f"cannot grant {credits} credits on top of {self.rx_credits}")
        self.rx_credits += credits

    def set_receive_limits(self, mtu: int, mps: int) -> None:
        """Apply a reconfigured receive MTU/MPS (after the peer accepted it)."""
        self.local_mtu, self.local_mps = mtu, mps
        if self._rx is not None:
            self._rx.mtu, self._rx.mps = mtu, mps

    def close(self) -> None:
        """Drop queued data and any partial SDU."""
        self._tx.clear()
        self._rx = None
        self.state = ChannelState.CLOSED
