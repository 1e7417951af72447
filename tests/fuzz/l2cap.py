"""L2CAP harnesses: LE signalling and credit-based channels of `L2capChannelManager`.

Each chunk of the input is one step: a raw basic frame, a signalling command with a correct
length, a K-frame on a dynamic CID, a credit indication, a local API call, or time passing.
Invariants: `receive`/`handle_timer` never raise; local API calls raise only usage errors;
every outgoing frame is a well-formed basic frame, signalling frames decode and fit the
signalling MTU, K-frames fit the peer's MPS and are never sent without a credit; channels and
pending requests stay bounded (catalog L1-L17).
"""

from __future__ import annotations

import struct

from aioble_hci.l2cap.coc import ChannelState
from aioble_hci.l2cap.manager import L2capChannelManager, L2capUsageError, Role
from aioble_hci.l2cap.pdus import (
    LE_DYNAMIC_CID_FIRST,
    LE_DYNAMIC_CID_LAST,
    CreditBasedConnectionReq,
    LeCreditBasedConnectionReq,
    decode_basic_frame,
    decode_command,
    encode_basic_frame,
    encode_command,
    split_command,
)
from aioble_hci.l2cap.signaling import SignalingError
from aioble_hci.l2cap.spsm import CocServer, LinkSecurity, SecurityRequirement

from .data import FuzzInput, chunks
from .harness import Harness

SIGNALING_MTU = 23
SPSM_OPEN = 0x0080
SPSM_SECURE = 0x0081
MAX_DYNAMIC = LE_DYNAMIC_CID_LAST - LE_DYNAMIC_CID_FIRST + 1
_LOCAL_ERRORS = (L2capUsageError, ValueError, SignalingError)


def make_manager(mode: int) -> L2capChannelManager:
    role = Role.CENTRAL if mode & 1 else Role.PERIPHERAL
    security = LinkSecurity(encrypted=bool(mode & 2), authenticated=bool(mode & 4), key_size=16 if mode & 8 else 7)
    manager = L2capChannelManager(role, link_security=security, signaling_mtu=SIGNALING_MTU)
    manager.register_server(CocServer(SPSM_OPEN, mtu=100, mps=50, initial_credits=3, auto_credits=bool(mode & 16)))
    manager.register_server(
        CocServer(SPSM_SECURE, mtu=256, mps=64, initial_credits=2,
                  security=SecurityRequirement(encryption=True, min_key_size=16))
    )
    return manager


def signaling_frame(code: int, identifier: int, data: bytes) -> bytes:
    return encode_basic_frame(0x0005, bytes((code, identifier)) + struct.pack("<H", len(data)) + data)


class L2capDriver:
    """Applies steps to a manager and checks what comes out."""

    def __init__(self, manager: L2capChannelManager) -> None:
        self.manager = manager
        self.now = 0.0
        self.cpu_ids: list[int] = []

    def step(self, chunk: bytes) -> None:
        op = chunk[0] % 8 if chunk else 0
        rest = chunk[1:]
        m = self.manager
        if op == 0:
            m.receive(rest, now=self.now)
        elif op == 1:
            m.receive(signaling_frame(rest[0] if rest else 0, rest[1] if len(rest) > 1 else 1, rest[2:]), now=self.now)
        elif op in (2, 3):
            cid = LE_DYNAMIC_CID_FIRST + (rest[0] % 8 if rest else 0)
            m.receive(encode_basic_frame(cid, rest[1:]), now=self.now)
        elif op == 4:
            cid = LE_DYNAMIC_CID_FIRST + (rest[0] % 8 if rest else 0)
            credits = int.from_bytes(rest[1:3], "little")
            m.receive(signaling_frame(0x16, rest[3] if len(rest) > 3 else 7, struct.pack("<HH", cid, credits)), now=self.now)
        elif op == 5:
            self.now += rest[0] if rest else 31
            m.handle_timer(self.now)
        else:
            self.api(rest)
        for event in m.take_events():
            if type(event).__name__ == "ConnectionParameterUpdateRequested":
                self.cpu_ids.append(event.identifier)  # type: ignore[union-attr]
        self.check(m.data_to_send())

    def api(self, rest: bytes) -> None:
        src = FuzzInput(rest)
        which = src.u8() % 8
        m = self.manager
        cid = LE_DYNAMIC_CID_FIRST + src.u8() % 8
        try:
            if which == 0:
                m.connect_coc(src.u8() or SPSM_OPEN, mtu=23 + src.u8(), mps=23 + src.u8(), initial_credits=src.u8() % 4, now=self.now)
            elif which == 1:
                m.connect_ecfc(src.u8() or SPSM_OPEN, 1 + src.u8() % 5, mtu=64 + src.u8(), mps=64 + src.u8(), initial_credits=src.u8() % 4, now=self.now)
            elif which == 2:
                m.send_sdu(cid, src.take(src.u8()))
            elif which == 3:
                m.give_credits(cid, src.u16(), now=self.now)
            elif which == 4:
                m.disconnect(cid, now=self.now)
            elif which == 5:
                m.reconfigure([cid], 64 + src.u16(), 64 + src.u8(), now=self.now)
            elif which == 6:
                m.request_connection_parameter_update(src.u16(), src.u16(), src.u16(), src.u16(), now=self.now)
            elif self.cpu_ids:
                m.answer_connection_parameter_update(self.cpu_ids.pop(0), bool(src.u8() & 1))
        except _LOCAL_ERRORS:
            pass

    def check(self, frames: list[bytes]) -> None:
        m = self.manager
        sent_per_cid: dict[int, int] = {}
        for frame in frames:
            cid, payload = decode_basic_frame(frame)
            if cid == 0x0005:
                assert len(payload) <= SIGNALING_MTU, f"C-frame of {len(payload)} octets > MTU"
                raw = split_command(payload)
                command = decode_command(raw)
                assert encode_command(raw.identifier, command) == payload, payload.hex()
                assert raw.identifier != 0, "signalling identifier 0 is never valid"
                if isinstance(command, LeCreditBasedConnectionReq | CreditBasedConnectionReq):
                    assert command.spsm <= 0x00FF
            else:
                channel = next((c for c in m.channels.values() if c.peer_cid == cid), None)
                assert channel is not None, f"K-frame for CID 0x{cid:04X} with no channel"
                assert len(payload) <= channel.peer_mps, (len(payload), channel.peer_mps)
                sent_per_cid[cid] = sent_per_cid.get(cid, 0) + 1
        for channel in m.channels.values():
            assert channel.tx_credits >= 0
            assert channel.state is not ChannelState.CLOSED, "closed channel left in the table"
        assert len(m.channels) <= MAX_DYNAMIC
        assert len(m._signaling.pending) <= 255


def l2cap_signaling_one_input(data: bytes) -> None:
    src = FuzzInput(data)
    driver = L2capDriver(make_manager(src.u8()))
    for chunk in src.chunks():
        driver.step(chunk)
    driver.manager.close()
    assert not driver.manager.channels, "channels left after close()"
    assert not driver.manager._signaling.pending, "requests pending after close()"


def open_channels(driver: L2capDriver) -> None:
    """The peer opens an LE channel (SCID 0x0040) and two enhanced ones (0x0041, 0x0042)."""
    m = driver.manager
    m.receive(encode_basic_frame(5, encode_command(1, LeCreditBasedConnectionReq(SPSM_OPEN, 0x0040, 100, 40, 3))), now=driver.now)
    m.receive(encode_basic_frame(5, encode_command(2, CreditBasedConnectionReq(SPSM_OPEN, 100, 64, 2, (0x41, 0x42)))), now=driver.now)
    m.take_events()
    driver.check(m.data_to_send())
    assert len(m.channels) == 3, m.channels


def l2cap_coc_one_input(data: bytes) -> None:
    src = FuzzInput(data)
    driver = L2capDriver(make_manager(src.u8() & ~1 | 16))  # peripheral server, auto credits
    open_channels(driver)
    for chunk in src.chunks():
        driver.step(chunk)
        for channel in driver.manager.channels.values():
            if channel.state is ChannelState.OPEN:
                assert channel.rx_credits <= 0xFFFF


def _sig(code: int, ident: int, data: bytes) -> bytes:
    return b"\x01" + bytes((code, ident)) + data


SIGNALING_SEEDS = {
    "L3-unknown-fixed-cid-0007": b"\x00" + chunks(b"\x00" + encode_basic_frame(0x0007, b"\x01\x02")),
    "L4-unknown-command-code": b"\x00" + chunks(_sig(0x1F, 1, b"\x00\x00")),
    "L5-le-conn-req-3-octets": b"\x00" + chunks(_sig(0x14, 1, b"\x80\x00\x40")),
    "L5-length-field-disagrees": b"\x00" + chunks(b"\x00" + encode_basic_frame(5, b"\x14\x01\x20\x00\x80\x00")),
    "L6-spsm-zero": b"\x00" + chunks(_sig(0x14, 1, b"\x00\x00\x40\x00\x64\x00\x40\x00\x05\x00")),
    "L6-spsm-above-ff": b"\x00" + chunks(_sig(0x14, 1, b"\x00\x01\x40\x00\x64\x00\x40\x00\x05\x00")),
    "L7-scid-in-fixed-range": b"\x00" + chunks(_sig(0x14, 1, b"\x80\x00\x01\x00\x20\x00\x20\x00\x05\x00")),
    "L7-scid-already-in-use": b"\x00" + chunks(
        _sig(0x14, 1, b"\x80\x00\x40\x00\x64\x00\x40\x00\x05\x00"),
        _sig(0x14, 2, b"\x80\x00\x40\x00\x64\x00\x40\x00\x05\x00"),
    ),
    "L8-mtu-below-23": b"\x00" + chunks(_sig(0x14, 1, b"\x80\x00\x40\x00\x10\x00\x40\x00\x05\x00")),
    "L8-ecred-mps-below-64": b"\x00" + chunks(_sig(0x17, 1, b"\x80\x00\x64\x00\x20\x00\x05\x00\x40\x00")),
    "L9-ecred-six-scids": b"\x00" + chunks(_sig(0x17, 1, b"\x80\x00\x64\x00\x40\x00\x05\x00" + b"\x40\x00\x41\x00\x42\x00\x43\x00\x44\x00\x45\x00")),
    "L9-ecred-odd-length": b"\x00" + chunks(_sig(0x17, 1, b"\x80\x00\x64\x00\x40\x00\x05\x00\x40")),
    "L10-reconf-unknown-dcid": b"\x00" + chunks(_sig(0x19, 1, b"\x64\x00\x40\x00\x77\x00")),
    "L10-reconf-six-dcids": b"\x00" + chunks(_sig(0x19, 1, b"\x64\x00\x40\x00" + bytes(12))),
    "L15-disconnect-unknown-dcid": b"\x00" + chunks(_sig(0x06, 1, b"\x77\x00\x40\x00")),
    "L16-cpu-min-above-max": b"\x01" + chunks(_sig(0x12, 1, b"\x20\x00\x10\x00\x00\x00\x64\x00")),
    "L16-cpu-to-peripheral": b"\x00" + chunks(_sig(0x12, 1, b"\x10\x00\x20\x00\x00\x00\x64\x00")),
    "unsolicited-response": b"\x00" + chunks(_sig(0x15, 9, b"\x40\x00\x64\x00\x40\x00\x05\x00\x00\x00")),
    "local-connect-then-rtx": b"\x01" + chunks(b"\x06\x00\x00\x80\x10\x10\x02", b"\x05\xff"),
}

COC_SEEDS = {
    "L11-credits-above-65535": b"\x00" + chunks(b"\x04\x00\xff\xff"),
    "L12-more-kframes-than-credits": b"\x00" + chunks(*[b"\x02\x00\x02\x00ab"] * 5),
    "L13-first-kframe-1-octet-sdu-length": b"\x00" + chunks(b"\x02\x00\x05"),
    "L14-sdu-length-above-mtu": b"\x00" + chunks(b"\x02\x00\xff\x00abc"),
    "L14-payload-above-mps": b"\x00" + chunks(b"\x02\x00\x30\x00" + bytes(48)),
    "L14-segments-exceed-sdu-length": b"\x00" + chunks(b"\x02\x00\x04\x00ab", b"\x02\x00abcdef"),
    "L17-disconnect-after-bad-frame": b"\x00" + chunks(b"\x02\x01\xff", _sig(0x06, 3, b"\x41\x00\x41\x00")),
    "send-with-credits": b"\x00" + chunks(b"\x06\x02\x00\x05hello", b"\x04\x00\x02\x00"),
}

HARNESSES = [
    Harness("l2cap_signaling", "aioble_hci.l2cap.manager.L2capChannelManager (signalling)",
            l2cap_signaling_one_input, "none", SIGNALING_SEEDS),
    Harness("l2cap_coc", "aioble_hci.l2cap.manager.L2capChannelManager (credit-based channels)",
            l2cap_coc_one_input, "none", COC_SEEDS),
]
