"""Test plumbing: two managers back to back, and a scripted lower tester."""

from __future__ import annotations

from dataclasses import dataclass, field

from aioble_hci.l2cap.events import ChannelClosed, L2capEvent, SduReceived
from aioble_hci.l2cap.manager import L2capChannelManager, Role
from aioble_hci.l2cap.pdus import (
    AnyCommand,
    DisconnectionReq,
    FlowControlCreditInd,
    decode_basic_frame,
    decode_command,
    encode_basic_frame,
    encode_command,
    split_command,
)
from aioble_hci.l2cap.spsm import CocServer

SPSM = 0x0080


@dataclass
class Link:
    """A central and a peripheral manager whose outgoing frames feed each other."""

    central: L2capChannelManager
    peripheral: L2capChannelManager
    central_events: list[L2capEvent] = field(default_factory=list)
    peripheral_events: list[L2capEvent] = field(default_factory=list)
    now: float = 0.0

    def pump(self, max_rounds: int = 1_000_000) -> None:
        """Move frames both ways until both sides are quiet."""
        self.central_events += self.central.take_events()
        self.peripheral_events += self.peripheral.take_events()
        for _ in range(max_rounds):
            to_peripheral = self.central.data_to_send()
            to_central = self.peripheral.data_to_send()
            if not to_peripheral and not to_central:
                return
            for frame in to_peripheral:
                self.peripheral_events += self.peripheral.receive(frame, self.now)
            for frame in to_central:
                self.central_events += self.central.receive(frame, self.now)
        raise AssertionError("link never went quiet")

    def take(self) -> tuple[list[L2capEvent], list[L2capEvent]]:
        events = (self.central_events, self.peripheral_events)
        self.central_events, self.peripheral_events = [], []
        return events


def make_link(server: CocServer | None = None, on: Role = Role.PERIPHERAL) -> Link:
    """A link with `server` (default: SPSM 0x0080) registered on the `on` side."""
    link = Link(L2capChannelManager(Role.CENTRAL), L2capChannelManager(Role.PERIPHERAL))
    target = link.peripheral if on is Role.PERIPHERAL else link.central
    target.register_server(server or CocServer(SPSM))
    return link


def of_type(events: list[L2capEvent], kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]


def c_frame(identifier: int, command: AnyCommand) -> bytes:
    """A basic frame on CID 0x0005 carrying one signalling command."""
    return encode_basic_frame(0x0005, encode_command(identifier, command))


def raw_c_frame(code: int, identifier: int, data: bytes) -> bytes:
    return encode_basic_frame(
        0x0005, bytes([code, identifier]) + len(data).to_bytes(2, "little") + data
    )


def signaling_out(frames: list[bytes]) -> list[tuple[int, AnyCommand]]:
    """Decode the signalling commands among outgoing frames as (identifier, command)."""
    out = []
    for frame in frames:
        cid, payload = decode_basic_frame(frame)
        if cid == 0x0005:
            raw = split_command(payload)
            out.append((raw.identifier, decode_command(raw)))
    return out


def data_out(frames: list[bytes]) -> list[tuple[int, bytes]]:
    """Outgoing frames not on the signalling channel, as (cid, payload)."""
    return [(cid, payload) for cid, payload in map(decode_basic_frame, frames) if cid != 0x0005]


def iut(
    role: Role = Role.PERIPHERAL, server: CocServer | None = None, signaling_mtu: int = 23
) -> L2capChannelManager:
    """An implementation under test with a server on SPSM 0x0080 (or `server`)."""
    manager = L2capChannelManager(role, signaling_mtu=signaling_mtu)
    manager.register_server(server or CocServer(SPSM, mtu=100, mps=50, initial_credits=2))
    return manager


def open_from_tester(
    manager: L2capChannelManager,
    scid: int = 0x0040,
    mtu: int = 100,
    mps: int = 50,
    credits: int = 5,
) -> int:
    """The lower tester opens an LE credit-based channel on SPSM 0x0080; returns the IUT's CID."""
    from aioble_hci.l2cap.pdus import LeCreditBasedConnectionReq, LeCreditBasedConnectionRsp

    manager.receive(c_frame(1, LeCreditBasedConnectionReq(SPSM, scid, mtu, mps, credits)), now=0.0)
    ((_, rsp),) = signaling_out(manager.data_to_send())
    assert isinstance(rsp, LeCreditBasedConnectionRsp) and rsp.result == 0, rsp
    return rsp.destination_cid


def kframe(cid: int, payload: bytes) -> bytes:
    return encode_basic_frame(cid, payload)


def assert_channel_disconnected(manager: L2capChannelManager, cid: int, events: list) -> None:
    """The IUT closed channel `cid` (opened by `open_from_tester`) over a peer's violation.

    It delivered no SDU, sent a Disconnection Request for the channel (credit indications
    aside) and discards data that still arrives for it.
    """
    assert [e.cid for e in of_type(events, ChannelClosed)] == [cid]
    assert of_type(events, SduReceived) == []
    sent = [c for _, c in signaling_out(manager.data_to_send())]
    assert [c for c in sent if not isinstance(c, FlowControlCreditInd)] == [
        DisconnectionReq(0x0040, cid)
    ]
    assert manager.receive(kframe(cid, b"\x01\x00Z"), now=0.0) == []  # data after the error is discarded
