"""ATT harnesses: the server over a database of several characteristics, and the GATT client.

Server: every request gets exactly one response (its own response opcode, or an Error Response
naming it), commands and stray responses get none, responses fit ATT_MTU, the MTU never shrinks,
the prepare queue and every value stay bounded, and the server keeps serving (catalog A1-A21).
Client: procedures are started and fed arbitrary server PDUs; nothing escapes `receive`, at most
one request is outstanding, every PDU sent decodes, values handed up fit ATT_MTU-3, discovery
handles only go forwards, and closing the bearer finishes every procedure (C1-C6).
"""

from __future__ import annotations

from dataclasses import astuple
from typing import Any

from aioble_hci.att import pdus
from aioble_hci.att.client import AttClient
from aioble_hci.att.database import AttPermissions, AttributeDatabase, SecurityState
from aioble_hci.att.errors import AttError, BearerClosedError
from aioble_hci.att.events import NotificationReceived, ProcedureFinished
from aioble_hci.att.gatt import (
    Characteristic,
    Service,
    build_database,
    gap_service,
    gatt_service,
    user_description,
)
from aioble_hci.att.gatt import CharacteristicProperties as P
from aioble_hci.att.pdus import ATT_DEFAULT_MTU, ATT_MAX_VALUE_LEN, ErrorCode, Opcode
from aioble_hci.att.procedures import (
    DiscoverCharacteristics,
    DiscoverDescriptors,
    DiscoverPrimaryServices,
    ExchangeMtu,
    FindIncludedServices,
    Procedure,
    Read,
    ReadByUuid,
    ReadMultiple,
    Write,
    reliable_write,
    write_long,
)
from aioble_hci.att.server import AttServer, SigningKey
from aioble_hci.uuid import UUID
from tests.att.drive import hear, serve, tick

from .data import FuzzInput, chunks
from .harness import Harness

SERVER_RX_MTU = 185
MAX_PDU = 255  # the longest PDU a harness chunk carries
KNOWN_OPCODES = frozenset(int(op) for op in Opcode)
PREPARE_LIMIT = 8


def _failing_read(_connection: Any) -> bytes:
    raise RuntimeError("application read callback failed")


def _refusing_write(_connection: Any, value: bytes) -> None:
    if value[:1] == b"\xff":
        raise AttError(ErrorCode.VALUE_NOT_ALLOWED, 0)


def make_database() -> AttributeDatabase:
    """GAP, GATT (Service Changed, Database Hash, Client Supported Features) and a custom
    service with characteristics of every kind, plus a secondary and a 128-bit service."""
    secondary = Service(UUID(0xBB00), [Characteristic(UUID(0xBB01), P.READ, value=b"s")], primary=False)
    custom = Service(
        UUID(0xAA00),
        [
            Characteristic(UUID(0xAA01), P.READ | P.WRITE | P.WRITE_WITHOUT_RESPONSE, value=b"BlueZ"),
            Characteristic(UUID(0xAA02), P.READ | P.WRITE, value=bytes(range(100))),
            Characteristic(UUID(0xAA03), P.WRITE, value=b"w"),
            Characteristic(UUID(0xAA04), P.READ, value=b"r"),
            Characteristic(UUID(0xAA05), P.READ | P.WRITE, value=b"enc",
                           permissions=AttPermissions.READ_ENCRYPTED | AttPermissions.WRITE_ENCRYPTED),
            Characteristic(UUID(0xAA06), P.READ, value=b"auth",
                           permissions=AttPermissions.READ_AUTHENTICATED, min_key_size=16),
            Characteristic(UUID(0xAA07), P.READ, value=b"authz", permissions=AttPermissions.READ_AUTHORIZED),
            Characteristic(UUID(0xAA08), P.READ | P.NOTIFY | P.INDICATE, value=b"n",
                           descriptors=[user_description("Notifier", writable=True)]),
            Characteristic(UUID(0xAA09), P.READ | P.WRITE, value=b"", max_len=4),
            Characteristic(UUID(0xAA0A), P.WRITE | P.WRITE_WITHOUT_RESPONSE, append=True, max_len=64),
            Characteristic(UUID(0xAA0B), P.READ | P.WRITE | P.AUTHENTICATED_SIGNED_WRITES, value=b"sig"),
            Characteristic(UUID(0xAA0C), P.READ, read_callback=_failing_read),
            Characteristic(UUID(0xAA0D), P.WRITE, write_callback=_refusing_write),
            Characteristic(UUID(0xAA0E), P.READ | P.NOTIFY, value=b"e",
                           permissions=AttPermissions.READ_ENCRYPTED),
        ],
    )
    custom.includes = [secondary]
    long_uuid = Service(
        UUID("12345678-1234-5678-1234-56789abcdef0"),
        [Characteristic(UUID("12345678-1234-5678-1234-56789abcdef1"), P.READ, value=b"x" * 300)],
    )
    gatt = gatt_service(database_hash=True, client_supported_features=True)
    return build_database([gap_service("Fuzz"), gatt, secondary, custom, long_uuid])


SECURITY = [
    SecurityState(),
    SecurityState(encrypted=True, key_size=16, bonded=True),
    SecurityState(encrypted=True, authenticated=True, key_size=16, authorized=True, bonded=True),
    SecurityState(encrypted=True, authenticated=True, key_size=7, bonded=True),
    SecurityState(bonded=True),
]


def check_response(opcode: int, response: bytes, mtu: int) -> None:
    decoded = pdus.decode(response)
    if isinstance(decoded, pdus.ErrorRsp):
        assert decoded.request_opcode == opcode, (hex(opcode), response.hex())
    else:
        assert decoded.OPCODE == opcode + 1, (hex(opcode), response.hex())
    assert len(response) <= mtu, f"response of {len(response)} octets > ATT_MTU {mtu}"


def att_server_one_input(data: bytes) -> None:
    src = FuzzInput(data)
    mode = src.u8()
    db = make_database()
    key = SigningKey(bytes(range(16)), authenticated=bool(mode & 2))
    server = AttServer(
        db, connection="fuzz", rx_mtu=SERVER_RX_MTU, prepare_queue_limit=PREPARE_LIMIT,
        signing_key=(lambda: key) if mode & 1 else None,
        client_features=b"\x01" if mode & 4 else b"",
    )
    value_handles = [a.handle for a in db.range(1, 0xFFFF) if not a.is_cccd]
    now = 0.0
    for chunk in src.chunks():
        ctl, pdu = (chunk[0], chunk[1:]) if chunk else (0, b"")
        security = SECURITY[ctl % len(SECURITY)]
        mtu_before = server.mtu
        if ctl & 0x08:
            action = (ctl >> 4) % 4
            handle = value_handles[pdu[0] % len(value_handles)] if pdu else 3
            if server.closed:
                continue
            if action == 0:
                server.update(handle, pdu[1:], now, security)
            elif action == 1:
                server.database_changed()
            elif action == 2:
                now += 31 if ctl & 0x80 else 1
                tick(server, now)
            else:
                server.service_changed(1, 0xFFFF, now)
            server.data_to_send()  # what the command sent is not the answer to the next PDU
            continue
        was_closed = server.closed
        out = serve(server, pdu, now, security)
        assert isinstance(out.events, list)
        if was_closed or server.closed or not pdu:
            assert out.response is None or not was_closed
            continue
        opcode = pdu[0]
        if opcode in pdus.REQUEST_OPCODES:
            assert out.response is not None, f"request {pdu.hex()} got no response"
            check_response(opcode, out.response, server.mtu)
        elif opcode not in KNOWN_OPCODES and not pdus.is_command(opcode):  # A15
            if len(pdu) > server.mtu and out.response is None:
                pass  # longer than ATT_MTU: invalid whatever its opcode, dropping it is fine
            else:
                assert out.response == bytes((0x01, opcode, 0, 0, ErrorCode.REQUEST_NOT_SUPPORTED)), out
        else:
            assert out.response is None, f"non-request {pdu.hex()} answered {out.response.hex()}"
        assert ATT_DEFAULT_MTU <= server.mtu <= SERVER_RX_MTU
        assert server.mtu >= mtu_before, "ATT_MTU shrank"
        assert len(server._prepare_queue) <= PREPARE_LIMIT
    for attr in db.range(1, 0xFFFF):
        assert len(attr.value.data) <= ATT_MAX_VALUE_LEN, (attr.handle, len(attr.value.data))
    if not server.closed:  # still serving: reading the GAP device name works
        out = serve(server, b"\x08\x01\x00\xff\xff\x00\x2a", now, SECURITY[2])
        assert out.response is not None and out.response[0] in (0x09, 0x01), out.response


SERVER_SEEDS = {
    "A1-read-req-1-octet-handle": b"\x00" + chunks(b"\x00\x0a\x03"),
    "A1-mtu-req-ll-length-5": b"\x00" + chunks(b"\x00\x02\x17"),
    "A1-write-cmd-short": b"\x00" + chunks(b"\x00\x52\x03"),
    "A2-read-req-padded": b"\x00" + chunks(b"\x00\x0a\x03\x00" + bytes(110)),
    "A3-mtu-below-23-then-second": b"\x00" + chunks(b"\x00\x02\x05\x00", b"\x00\x02\xb9\x00", b"\x00\x02\x17\x00"),
    "A4-read-by-type-long-values": b"\x00" + chunks(b"\x00\x08\x01\x00\xff\xff\xf1\xde\xbc\x9a\x78\x56\x34\x12\x78\x56\x34\x12\x78\x56\x34\x12"),
    "A4-read-multiple-variable": b"\x00" + chunks(b"\x00\x20\x03\x00\x05\x00\x07\x00\x09\x00"),
    "A5-read-blob-offset-past-end": b"\x00" + chunks(b"\x00\x0c\x03\x00\xf0\x00"),
    "A6-read-handle-zero": b"\x00" + chunks(b"\x00\x0a\x00\x00", b"\x00\x0c\xf0\x0f\x00\x00", b"\x00\x12\x00\x00\x01", b"\x00\x16\x00\x00\x00\x00\x01"),
    "A7-read-by-type-start-above-end": b"\x00" + chunks(b"\x00\x08\x02\x00\x01\x00\x00\x28", b"\x00\x04\x00\x00\x05\x00", b"\x00\x10\x05\x00\x01\x00\x00\x28"),
    "A8-uuid-length-3-and-non-group": b"\x00" + chunks(b"\x00\x08\x01\x00\xff\xff\x00\x28\x00", b"\x00\x10\x01\x00\xff\xff\x03\x28"),
    "A9-read-multiple-one-handle-and-bad": b"\x00" + chunks(b"\x00\x0e\x03\x00", b"\x00\x0e\x15\xf0\xf0\x0f"),
    "A10-prepare-write-flood": b"\x00" + chunks(*[b"\x00\x16\x1a\x00\x00\x00ab"] * 12),
    "A11-prepare-offset-past-512": b"\x00" + chunks(b"\x00\x16\x1a\x00\xff\x01abcdefgh", b"\x00\x18\x01"),
    "A12-write-513-octets": b"\x00" + chunks(b"\x00\x02\xb9\x00", b"\x00\x12\x1a\x00" + bytes(180)),
    "A13-execute-bad-flags-and-empty": b"\x00" + chunks(b"\x00\x18\x02", b"\x00\x18\x01", b"\x00\x18\x00"),
    "A14-two-requests-back-to-back": b"\x00" + chunks(b"\x00\x0a\x03\x00", b"\x00\x0a\x05\x00"),
    "A15-unknown-request-and-command": b"\x00" + chunks(b"\x00\x1f\x00", b"\x00\x7f\x00"),
    "A16-signed-write-bad-mac": b"\x01" + chunks(b"\x00\xd2\x24\x00sig" + bytes(12)),
    "A17-encrypted-read-on-open-link": b"\x00" + chunks(b"\x00\x0a\x11\x00", b"\x04\x0a\x11\x00", b"\x03\x0a\x13\x00"),
    "A18-notify-needs-encryption": b"\x00" + chunks(b"\x00\x12\x2d\x00\x01\x00", b"\x08\x2c"),
    "A19-change-unaware-client": b"\x04" + chunks(b"\x18\x00", b"\x00\x0a\x03\x00", b"\x00\x0a\x03\x00"),
    "A20-indication-not-confirmed": b"\x00" + chunks(b"\x00\x12\x1b\x00\x02\x00", b"\x08\x1aab", b"\xa8", b"\x00\x0a\x03\x00"),
    "A21-indicate-confirm-loop": b"\x00" + chunks(b"\x00\x12\x1b\x00\x02\x00", b"\x08\x1a", b"\x00\x1e", b"\x08\x1a", b"\x00\x1e"),
}

# ------------------------------------------------------------------------------------ client

def make_procedures(src: FuzzInput, rx_mtu: int) -> list[Procedure]:
    procs: list[Procedure] = []
    for _ in range(1 + src.u8() % 4):
        kind = src.u8() % 11
        handle = min(src.u16(), 0xFFFE)  # two-handle procedures use handle + 1
        if kind == 0:
            procs.append(ExchangeMtu(rx_mtu))
        elif kind == 1:
            procs.append(DiscoverPrimaryServices(UUID(0x180F) if handle & 1 else None))
        elif kind == 2:
            procs.append(FindIncludedServices(1, 0xFFFF))
        elif kind == 3:
            procs.append(DiscoverCharacteristics(1, 0xFFFF, UUID(0x2A00) if handle & 1 else None))
        elif kind == 4:
            procs.append(DiscoverDescriptors(max(handle, 1), 0xFFFF))
        elif kind == 5:
            procs.append(Read(handle, long=bool(src.u8() & 1)))
        elif kind == 6:
            procs.append(ReadByUuid(UUID(0x2A00)))
        elif kind == 7:
            procs.append(ReadMultiple([handle, handle + 1], variable=bool(src.u8() & 1)))
        elif kind == 8:
            procs.append(Write(handle, b"\x01\x02"))
        elif kind == 9:
            procs.append(write_long(handle, bytes(100)))
        else:
            procs.append(reliable_write([(handle, b"ab"), (handle + 1, b"cd")]))
    return procs


def check_client_output(client: AttClient) -> None:
    requests = 0
    for pdu in client.data_to_send():
        decoded = pdus.decode(pdu)
        if decoded.OPCODE in pdus.REQUEST_OPCODES:
            requests += 1
        else:
            assert decoded.OPCODE in (Opcode.HANDLE_VALUE_CFM,), f"client sent {pdu.hex()}"
        assert len(pdu) <= client.mtu, (len(pdu), client.mtu)
    assert requests <= 1, f"{requests} requests outstanding at once"


def check_client_events(client: AttClient, events: list[Any]) -> None:
    for event in events:
        if isinstance(event, ProcedureFinished):
            assert event.procedure.done
        elif isinstance(event, NotificationReceived):
            assert len(event.value) <= client.mtu - 3


def gatt_client_one_input(data: bytes) -> None:
    src = FuzzInput(data)
    rx_mtu = 23 + src.u8() * 2
    client = AttClient(connection="fuzz", rx_mtu=rx_mtu)
    client.service_changed_handle = 3
    routed: list[bytes] = []
    client.route(0x0010, lambda value, _ind: routed.append(value))
    procs = make_procedures(src, rx_mtu)
    for proc in procs:
        client.submit(proc, 0.0)
    check_client_output(client)
    now = 0.0
    for chunk in src.chunks():
        ctl, body = (chunk[0], chunk[1:]) if chunk else (0, b"")
        if ctl & 0x03 == 0x03:
            now += 31 if ctl & 0x80 else 1
            events = tick(client, now)
        else:
            if ctl & 0x01 and client.busy:
                body = bytes((client._expected + 1,)) + body  # a response of the right kind
            elif ctl & 0x02 and client.busy:
                body = bytes((0x01, client._expected)) + body  # an error for the right request
            events = hear(client, body, now)
        check_client_events(client, events)
        check_client_output(client)
        assert ATT_DEFAULT_MTU <= client.mtu <= max(rx_mtu, ATT_DEFAULT_MTU)
        for proc in procs:
            if isinstance(proc, Read):
                # reading stops once 512 octets are in; the last response adds at most one PDU
                assert len(proc.value) <= ATT_MAX_VALUE_LEN + MAX_PDU, len(proc.value)
            found = getattr(proc, "found", None)
            if found:
                handles = [f[0] if isinstance(f, tuple) else astuple(f)[0] for f in found]
                assert handles == sorted(set(handles)) or isinstance(proc, FindIncludedServices), handles
    client.close()
    check_client_events(client, client.take_events())
    for proc in procs:
        assert proc.done, f"{proc!r} still waiting after close()"
    try:
        client.submit(Read(1), 0.0)
    except BearerClosedError:
        pass
    else:
        raise AssertionError("submit on a closed bearer did not raise")


def _client(procs: bytes, *responses: bytes) -> bytes:
    return b"\x00" + procs + chunks(*responses)


CLIENT_SEEDS = {
    "C1-find-info-empty-body": _client(b"\x00\x04\x01\x00", b"\x00\x05"),
    "C1-find-info-bad-format": _client(b"\x00\x04\x01\x00", b"\x00\x05\x03\x01\x00\x00\x28"),
    "C2-read-by-type-entry-length-0": _client(b"\x00\x03\x00\x00", b"\x00\x09\x00"),
    "C2-read-by-type-length-not-dividing": _client(b"\x00\x03\x00\x00", b"\x00\x09\x07\x02\x00\x02\x03\x00\x00\x2a\x05"),
    "C2-read-by-group-type-length-1": _client(b"\x00\x01\x00\x00", b"\x00\x11\x01\x01"),
    "C3-handles-go-backwards": _client(b"\x00\x01\x00\x00", b"\x00\x11\x06\x05\x00\x08\x00\x00\x18", b"\x00\x11\x06\x02\x00\x03\x00\x01\x18"),
    "C3-handle-reaches-ffff": _client(b"\x00\x01\x00\x00", b"\x00\x11\x06\x01\x00\xff\xff\x00\x18"),
    "C3-repeats": _client(b"\x00\x04\x01\x00", b"\x00\x05\x01\x05\x00\x00\x29", b"\x00\x05\x01\x05\x00\x00\x29"),
    "C4-unsolicited-response": _client(b"\x00\x05\x01\x00\x00", b"\x00\x0b\x01", b"\x00\x0b\x01", b"\x00\x13"),
    "C4-wrong-opcode": _client(b"\x00\x05\x01\x00\x00", b"\x00\x13"),
    "C5-notification-over-mtu": _client(b"\x00\x05\x01\x00\x00", b"\x00\x1b\x10\x00" + bytes(40)),
    "C5-notification-not-subscribed": _client(b"\x00\x05\x01\x00\x00", b"\x00\x1b\x77\x00ab"),
    "C6-error-rsp-short": _client(b"\x00\x05\x01\x00\x00", b"\x00\x01\x0a\x01"),
    "read-long-endless-full-blobs": _client(b"\x00\x05\x01\x00\x01", *[b"\x01" + bytes(22)] * 30),
    "reliable-write-echo-differs": _client(b"\x00\x0a\x03\x00", b"\x00\x17\x03\x00\x00\x00xx"),
    "indication-then-timeout": _client(b"\x00\x05\x01\x00\x00", b"\x00\x1d\x03\x00\x01\x00\xff\xff", b"\x83"),
}

HARNESSES = [
    Harness("att_server", "aioble_hci.att.server.AttServer", att_server_one_input, "none", SERVER_SEEDS),
    Harness("gatt_client", "aioble_hci.att.client.AttClient + procedures", gatt_client_one_input,
            "none", CLIENT_SEEDS),
]
