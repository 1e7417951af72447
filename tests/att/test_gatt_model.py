"""GATT model: handle layout, builders, value buffers, callbacks, robust caching, Service Changed."""

from __future__ import annotations

import pytest

from aioble_hci.att.database import AttPermissions, AttributeDatabase, SecurityState
from aioble_hci.att.errors import AttError
from aioble_hci.att.events import ChangeAware, IndicationConfirmed, Written
from aioble_hci.att.gatt import (
    APPEARANCE,
    CENTRAL_ADDRESS_RESOLUTION,
    CLIENT_CHARACTERISTIC_CONFIGURATION,
    DATABASE_HASH,
    DEVICE_NAME,
    PERIPHERAL_PREFERRED_CONNECTION_PARAMETERS,
    Characteristic,
    Service,
    build_database,
    gap_service,
    gatt_service,
    presentation_format,
    user_description,
)
from aioble_hci.att.gatt import (
    CharacteristicProperties as P,
)
from aioble_hci.att.hash import database_hash, hash_input
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.att.server import AttServer
from aioble_hci.uuid import UUID
from tests.att.drive import serve


def _ask(server: AttServer, hexpdu: str) -> str | None:
    out = serve(server, bytes.fromhex(hexpdu.replace(" ", "")), 0.0, SecurityState())
    return out.response.hex() if out.response is not None else None


def test_service_with_one_notify_characteristic_spans_four_handles() -> None:
    """aioble 8.7: declaration, value, CCCD; end - start == 3."""
    svc = Service(UUID(0x1234), [Characteristic(UUID(0x5678), P.READ | P.NOTIFY)])
    build_database([svc], start_handle=10)
    assert (svc.handle, svc.end_handle) == (10, 13)
    ch = svc.characteristics[0]
    assert (ch.declaration_handle, ch.value_handle, ch.cccd_handle) == (11, 12, 13)


def test_descriptors_follow_the_cccd_in_order() -> None:
    ch = Characteristic(
        UUID(0x5678), P.INDICATE, descriptors=[user_description("x"), presentation_format(0x04)]
    )
    db = build_database([Service(UUID(0x1234), [ch])])
    assert [a.type for a in db][3:] == [CLIENT_CHARACTERISTIC_CONFIGURATION, UUID(0x2901),
                                        UUID(0x2904)]
    assert ch.descriptors[1].value == bytes.fromhex("0400 0027 01 0000".replace(" ", ""))


def test_characteristic_declaration_value_uses_128_bit_uuid_when_needed() -> None:
    uuid = UUID("6e400001-b5a3-f393-e0a9-e50e24dcca9e")
    ch = Characteristic(uuid, P.WRITE)
    db = build_database([Service(uuid, [ch])])
    decl = db.get(ch.declaration_handle)
    assert decl is not None
    assert decl.value.data == b"\x08" + ch.value_handle.to_bytes(2, "little") + uuid.to_128_le_bytes()


def test_gap_service_has_name_appearance_ppcp_and_car() -> None:
    """GAP/GAT/BV-16-C, BV-17-C, BV-04-C: Device Name, Appearance and PPCP present and readable."""
    svc = gap_service("dev", 0x03C1, peripheral_preferred_connection_parameters=(6, 12, 0, 400),
                      central_address_resolution=True)
    db = build_database([svc])
    server = AttServer(db)
    by_uuid = {c.uuid: c for c in svc.characteristics}
    assert set(by_uuid) == {DEVICE_NAME, APPEARANCE, PERIPHERAL_PREFERRED_CONNECTION_PARAMETERS,
                            CENTRAL_ADDRESS_RESOLUTION}
    assert _ask(server, f"0a {by_uuid[DEVICE_NAME].value_handle:02x}00") == "0b" + b"dev".hex()
    assert _ask(server, f"0a {by_uuid[APPEARANCE].value_handle:02x}00") == "0bc103"
    h = by_uuid[PERIPHERAL_PREFERRED_CONNECTION_PARAMETERS].value_handle
    assert _ask(server, f"0a {h:02x}00") == "0b06000c0000009001"


def _with_large_mtu(server: AttServer) -> AttServer:
    """Exchange MTU (client Rx MTU 512) so Write Requests longer than 23 octets are valid PDUs."""
    assert serve(server, bytes.fromhex("020002"), 0.0).response is not None
    assert server.mtu > 40
    return server


def test_buffer_rejects_remote_writes_past_max_len() -> None:
    ch = Characteristic(UUID(0x1), P.WRITE, max_len=20)
    server = _with_large_mtu(AttServer(build_database([Service(UUID(0x2), [ch])])))
    assert _ask(server, f"12 {ch.value_handle:02x}00" + "00" * 21) == f"0112{ch.value_handle:02x}000d"


def test_truncating_buffer_cuts_remote_writes_like_micropython() -> None:
    """aioble 8.7: remote writes are truncated to the buffer (default 20 octets)."""
    ch = Characteristic(UUID(0x1), P.WRITE, max_len=20, truncate=True)
    db = build_database([Service(UUID(0x2), [ch])])
    server = _with_large_mtu(AttServer(db))
    out = serve(server, bytes((0x12, ch.value_handle, 0)) + bytes(range(30)), 0.0)
    assert out.response == b"\x13"
    assert out.events == [Written(None, ch.value_handle, bytes(range(20)))]
    assert db.read_local(ch.value_handle) == bytes(range(20))


def test_append_buffer_accumulates_and_read_local_clears() -> None:
    """aioble 8.4: append-mode buffers add each write; reading returns and clears."""
    ch = Characteristic(UUID(0x1), P.WRITE_WITHOUT_RESPONSE)
    db = build_database([Service(UUID(0x2), [ch])])
    db.set_buffer(ch.value_handle, 10, append=True)
    server = AttServer(db)
    events = []
    for part in (b"ab", b"cd"):
        events += serve(server, bytes((0x52, ch.value_handle, 0)) + part, 0.0).events
    assert [e.value for e in events] == [b"ab", b"cd"]
    assert db.read_local(ch.value_handle) == b"abcd"
    assert db.read_local(ch.value_handle) == b""


def test_local_write_longer_than_the_buffer_grows_it() -> None:
    ch = Characteristic(UUID(0x1), P.READ | P.WRITE, max_len=20)
    db = build_database([Service(UUID(0x2), [ch])])
    db.write_local(ch.value_handle, bytes(30))
    server = _with_large_mtu(AttServer(db))
    assert _ask(server, f"12 {ch.value_handle:02x}00" + "11" * 30) == "13"


def test_read_callback_can_reject_with_an_att_error() -> None:
    """aioble on_read: a non-zero code rejects the read."""
    def on_read(conn: object) -> bytes:
        raise AttError(ErrorCode.INSUFFICIENT_AUTHORIZATION)

    ch = Characteristic(UUID(0x1), P.READ, read_callback=on_read)
    server = AttServer(build_database([Service(UUID(0x2), [ch])]))
    assert _ask(server, f"0a {ch.value_handle:02x}00") == f"010a{ch.value_handle:02x}0008"


def test_write_callback_receives_connection_and_value() -> None:
    got = []
    ch = Characteristic(UUID(0x1), P.WRITE, write_callback=lambda c, v: got.append((c, v)))
    server = AttServer(build_database([Service(UUID(0x2), [ch])]), connection=7)
    serve(server, bytes((0x12, ch.value_handle, 0)) + b"hi", 0.0)
    assert got == [(7, b"hi")]


def test_write_permissions_need_the_write_property() -> None:
    ch = Characteristic(UUID(0x1), P.READ, permissions=AttPermissions.WRITE_ENCRYPTED)
    assert not ch.effective_permissions() & AttPermissions.WRITEABLE


def test_database_hash_changes_with_the_layout() -> None:
    one = build_database([Service(UUID(0x2), [Characteristic(UUID(0x1), P.READ)])])
    two = build_database([Service(UUID(0x2), [Characteristic(UUID(0x1), P.WRITE)])])
    assert len(database_hash(one)) == 16
    assert database_hash(one) != database_hash(two)
    assert hash_input(one) == bytes.fromhex("0100 0028 0200" "0200 0328 02 0300 0100".replace(" ", ""))


def test_database_hash_is_readable_from_the_gatt_service() -> None:
    svc = gatt_service(database_hash=True, client_supported_features=True)
    db = build_database([svc])
    server = AttServer(db)
    h = next(c for c in svc.characteristics if c.uuid == DATABASE_HASH).value_handle
    assert _ask(server, f"0a {h:02x}00") == "0b" + database_hash(db).hex()


def _robust_caching_server() -> tuple[AttServer, int, int]:
    svc = gatt_service(database_hash=True, client_supported_features=True)
    db = build_database([svc, Service(UUID(0xAA), [Characteristic(UUID(0xAB), P.READ, value=b"v")])])
    server = AttServer(db)
    csf, hsh = svc.characteristics[1].value_handle, svc.characteristics[2].value_handle
    assert _ask(server, f"12 {csf:02x}00 01") == "13"
    return server, hsh, svc.characteristics[0].cccd_handle


def test_change_unaware_client_gets_database_out_of_sync() -> None:
    """GATT/SR/GAS/BV-05-C and A19: 0x12 until the client is change-aware again."""
    server, _, _ = _robust_caching_server()
    server.database_changed()
    assert _ask(server, "0a 0b00") == "010a000012"
    assert _ask(server, "0a 0b00") == "0b76"  # the next request makes it change-aware


def test_change_unaware_client_reading_the_hash_becomes_change_aware() -> None:
    """A19: reading the Database Hash is allowed and makes the client change-aware."""
    server, hsh, _ = _robust_caching_server()
    server.database_changed()
    assert _ask(server, "08 0100 ffff 2a2b") is not None
    assert server.change_aware


def test_commands_from_change_unaware_client_are_ignored() -> None:
    server, _, _ = _robust_caching_server()
    server.database_changed()
    assert serve(server, bytes.fromhex("52060003"), 0.0).events == []


def test_client_supported_features_bits_cannot_be_cleared() -> None:
    server, _, _ = _robust_caching_server()
    assert _ask(server, "12 0600 00") == "0112060013"
    assert server.client_features() == b"\x01"


def test_client_supported_features_are_per_connection() -> None:
    server, _, _ = _robust_caching_server()
    other = AttServer(server.db)
    assert server.robust_caching and not other.robust_caching


def test_service_changed_indication_to_a_subscribed_bonded_client() -> None:
    """GATT/SR/GAS/BV-01-C: Service Changed indication with the affected range."""
    server, _, cccd = _robust_caching_server()
    assert not server.service_changed(1, 0xFFFF, 0.0)  # not subscribed
    assert server.data_to_send() == []
    assert _ask(server, f"12 {cccd:02x}00 0200") == "13"
    server.database_changed()
    assert server.service_changed(0x000A, 0x00FF, 0.0)
    assert server.data_to_send()[0] == bytes.fromhex("1d0300 0a00 ff00".replace(" ", ""))
    events = serve(server, b"\x1e", 0.0).events
    assert events == [ChangeAware(None), IndicationConfirmed(None, 3)]
    assert server.change_aware


@pytest.mark.parametrize("bad", [0, 0x10000])
def test_database_rejects_handles_outside_the_range(bad: int) -> None:
    from aioble_hci.att.database import Attribute

    with pytest.raises(ValueError):
        AttributeDatabase().add(Attribute(bad, UUID(0x2800), AttPermissions.READABLE))
