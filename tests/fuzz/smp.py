"""SMP harnesses: one pairing session as initiator (central) and one as responder (peripheral).

The input picks a local policy, then each chunk is a step: a PDU from the peer (raw, or padded
to its code's exact length), a user answer, an HCI outcome (LTK request, encryption change) or
time passing. Invariants: no call raises; every PDU sent parses; a peer that cannot compute the
confirm/DHKey values never gets a key handed to the controller or a completed pairing (catalog
S7, S10, S11: no Zero-LTK / DHCheck skip); after the 30 s timeout nothing more is sent (S15).
"""

from __future__ import annotations

from aioble_hci.address import Address
from aioble_hci.smp.config import LocalIdentity, SecurityConfig
from aioble_hci.smp.events import PairingComplete, ReplyLtk, StartEncryption
from aioble_hci.smp.pdus import _LENGTHS as SMP_LENGTHS
from aioble_hci.smp.pdus import IoCapability, PairingPublicKey, parse_pdu
from aioble_hci.smp.session import SmpSession, SmpState
from aioble_hci.smp.toolbox import P256KeyPair, swap

from .data import FuzzInput, chunks
from .harness import Harness

CENTRAL = Address.parse("c0:11:22:33:44:55/random")
PERIPHERAL = Address.parse("00:1b:dc:01:02:03/public")
LOCAL_KEY = P256KeyPair.from_private_value(0x1F2E3D4C5B6A79881F2E3D4C5B6A79881F2E3D4C5B6A79881F2E3D4C5B6A7988)
PEER_KEY = P256KeyPair.from_private_value(0x0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF)
PEER_PUBLIC_KEY_PDU = PairingPublicKey(swap(PEER_KEY.x), swap(PEER_KEY.y)).to_bytes()


def make_config(mode: int, central: bool) -> SecurityConfig:
    sc_only = mode & 0x40 != 0
    return SecurityConfig(
        io_capability=IoCapability(mode % 5),
        bonding=bool(mode & 0x08),
        mitm=bool(mode & 0x10),
        secure_connections=sc_only or not mode & 0x20,
        sc_only=sc_only,
        keypress=bool(mode & 0x80),
        min_key_size=16 if sc_only else 7,
        identity=LocalIdentity(bytes(range(16)), CENTRAL if central else PERIPHERAL),
        csrk=bytes(range(16, 32)),
    )


def fixed_length(body: bytes) -> bytes:
    """The PDU padded or cut to the exact length its code requires."""
    if not body:
        return body
    size = SMP_LENGTHS.get(body[0])  # type: ignore[call-overload]
    if size is None:
        return body
    return (body + bytes(size))[:size]


def run_session(data: bytes, central: bool) -> None:
    src = FuzzInput(data)
    mode = src.u8()
    session = SmpSession(
        central=central,
        local_address=CENTRAL if central else PERIPHERAL,
        peer_address=PERIPHERAL if central else CENTRAL,
        config=make_config(mode, central),
        key_pair=LOCAL_KEY,
    )
    now = 0.0
    if central:
        session.pair(now)
    else:
        session.request_security(now)
    check_output(session, timed_out_before=False)
    for chunk in src.chunks():
        op, body = (chunk[0] % 8, chunk[1:]) if chunk else (0, b"")
        timed_out = session.state is SmpState.TIMED_OUT
        if op <= 2:
            session.receive(body, now)
        elif op == 3:
            session.receive(PEER_PUBLIC_KEY_PDU if body[:1] == b"\x0c" else fixed_length(body), now)
        elif op == 4:
            session.passkey_reply(int.from_bytes(body[:3], "little") if body else None, now)
        elif op == 5:
            session.numeric_comparison_reply(bool(body[:1] and body[0] & 1), now)
        elif op == 6:
            if body[:1] and body[0] & 1:
                session.long_term_key_request(int.from_bytes(body[1:3], "little"), (body[3:] + bytes(8))[:8], now)
            else:
                session.encryption_changed(bool(body[:1] and body[0] & 2), now)
        else:
            now += body[0] if body else 31
            session.handle_timer(now)
            if body[1:2] == b"\x01":
                check_output(session, timed_out)
                timed_out = session.state is SmpState.TIMED_OUT
                if central:
                    session.pair(now)
                else:
                    session.request_security(now)
        check_output(session, timed_out)


def check_output(session: SmpSession, timed_out_before: bool) -> None:
    """Drain what the last step queued (the core contract) and check it."""
    pdus = session.data_to_send()
    events = session.take_events()
    assert len(pdus) <= 8, f"{len(pdus)} PDUs from one step"
    for pdu in pdus:
        parse_pdu(pdu)
    if timed_out_before:
        assert not pdus, f"SMP PDUs sent after the SMP timeout: {[p.hex() for p in pdus]}"
    for event in events:
        assert not isinstance(event, PairingComplete), "pairing completed with a fuzzed peer"
        assert not isinstance(event, StartEncryption), "encryption started with an unverified key"
        assert not (isinstance(event, ReplyLtk) and event.ltk is not None), "unverified LTK handed out"
    if session.state in (SmpState.IDLE, SmpState.TIMED_OUT):
        assert session.get_timer() is None, (session.state, session.get_timer())


def smp_initiator_one_input(data: bytes) -> None:
    run_session(data, central=True)


def smp_responder_one_input(data: bytes) -> None:
    run_session(data, central=False)


_REQ = b"\x01\x03\x00\x2d\x10\x07\x07"  # NoInputNoOutput, bonding|MITM?|SC|CT2, 16, all keys
_RSP = b"\x02\x03\x00\x2d\x10\x07\x07"

RESPONDER_SEEDS = {
    "S1-empty-pdu": b"\x08" + chunks(b"\x00"),
    "S1-short-confirm": b"\x08" + chunks(b"\x00\x01\x03\x00\x00\x00\x00\x00\x00\x00", b"\x00\x03\x01"),
    "S2-security-request-0b00-to-peripheral": b"\x08" + chunks(b"\x00\x0b\x00"),
    "S2-unknown-code-0f": b"\x08" + chunks(b"\x00\x0f\x00"),
    "S3-pairing-request-01ff": b"\x08" + chunks(b"\x00\x01\xff"),
    "S4-key-size-0": b"\x08" + chunks(b"\x00\x01\x00\x00\x00\x00\x00\x00"),
    "S4-key-size-253": b"\x08" + chunks(b"\x00\x01\x03\x00\x01\xfd\x00\x00"),
    "S5-reserved-io-and-oob": b"\x08" + chunks(b"\x00\x01\x07\x02\x01\x10\x00\x00"),
    "S5-rfu-authreq-bits": b"\x08" + chunks(b"\x00\x01\x03\x00\xc1\x10\x00\x00"),
    "S6-random-before-confirm": b"\x08" + chunks(b"\x00" + _REQ, b"\x03\x04"),
    "S6-second-pairing-request": b"\x08" + chunks(b"\x00" + _REQ, b"\x00" + _REQ),
    "S7-ltk-request-zero-before-pairing": b"\x08" + chunks(b"\x06\x01\x00\x00", b"\x00" + _REQ, b"\x06\x01\x00\x00"),
    "S8-public-key-zero": b"\x08" + chunks(b"\x00" + _REQ, b"\x03\x0c" + bytes(64)),
    "S8-valid-key-then-dhkey-check": b"\x08" + chunks(b"\x00" + _REQ, b"\x03\x0c", b"\x03\x04" + bytes(16), b"\x03\x0d" + bytes(16)),
    "S10-wrong-legacy-confirm": b"\x28" + chunks(b"\x00\x01\x03\x00\x01\x10\x00\x00", b"\x03\x03" + bytes(16), b"\x03\x04" + bytes(16)),
    "S12-identity-address-not-identity": b"\x08" + chunks(b"\x00" + _REQ, b"\x03\x09\x01" + bytes(6)),
    "S13-unannounced-key": b"\x08" + chunks(b"\x00\x01\x03\x00\x01\x10\x00\x00", b"\x03\x06" + bytes(16)),
    "S14-key-rejected": b"\x08" + chunks(b"\x00" + _REQ, b"\x00\x05\x0f"),
    "S15-timeout-then-late-pdu": b"\x08" + chunks(b"\x00" + _REQ, b"\x07\x1f", b"\x03\x0c"),
    "S16-security-request-to-peripheral": b"\x08" + chunks(b"\x00\x0b\x01"),
    "S17-repeated-attempts": b"\x08" + chunks(*[b"\x00" + _REQ, b"\x00\x05\x04"] * 4),
}

INITIATOR_SEEDS = {
    "S1-empty-pdu": b"\x08" + chunks(b"\x00"),
    "S6-confirm-before-response": b"\x08" + chunks(b"\x03\x03"),
    "S6-response-twice": b"\x08" + chunks(b"\x00" + _RSP, b"\x00" + _RSP),
    "S8-public-key-zero": b"\x08" + chunks(b"\x00" + _RSP, b"\x03\x0c" + bytes(64)),
    "S8-valid-key-then-confirm": b"\x08" + chunks(b"\x00" + _RSP, b"\x03\x0c", b"\x03\x03" + bytes(16), b"\x03\x04" + bytes(16)),
    "S10-wrong-legacy-confirm": b"\x28" + chunks(b"\x00\x02\x03\x00\x01\x10\x00\x00", b"\x03\x03" + bytes(16), b"\x03\x04" + bytes(16)),
    "S15-timeout-then-late-response": b"\x08" + chunks(b"\x07\x1f", b"\x00" + _RSP),
    "S16-security-request-mid-pairing": b"\x08" + chunks(b"\x00\x0b\x0d", b"\x00" + _RSP, b"\x00\x0b\x0d"),
    "S7-encryption-change-before-phase2": b"\x08" + chunks(b"\x06\x02", b"\x00" + _RSP, b"\x06\x02"),
    "S4-response-key-size-6": b"\x08" + chunks(b"\x00\x02\x03\x00\x2d\x06\x07\x07"),
}

HARNESSES = [
    Harness("smp_initiator", "aioble_hci.smp.session.SmpSession (central)", smp_initiator_one_input,
            "none", INITIATOR_SEEDS),
    Harness("smp_responder", "aioble_hci.smp.session.SmpSession (peripheral)", smp_responder_one_input,
            "none", RESPONDER_SEEDS),
]
