"""ATT server: every request against the test database, byte-level (BlueZ test-gatt style)."""

from __future__ import annotations

import pytest

from aioble_hci.att import pdus
from aioble_hci.att.database import AttPermissions, SecurityState
from aioble_hci.att.errors import BearerClosedError, IndicationPendingError
from aioble_hci.att.events import (
    IndicationConfirmed,
    MtuChanged,
    Role,
    SignCounterUpdated,
    SubscriptionChanged,
    TransactionTimedOut,
    Written,
)
from aioble_hci.att.pdus import ErrorCode
from aioble_hci.att.server import AttServer, SigningKey
from aioble_hci.att.signing import sign
from tests.att.drive import sent, serve, tick

OPEN = SecurityState()
ENCRYPTED = SecurityState(encrypted=True, key_size=16)


def ask(server: AttServer, hexpdu: str, sec: SecurityState = OPEN, now: float = 0.0) -> str | None:
    out = serve(server, bytes.fromhex(hexpdu.replace(" ", "")), now, sec)
    return out.response.hex() if out.response is not None else None


def error(op: int, handle: int, code: int) -> str:
    return pdus.ErrorRsp(op, handle, ErrorCode(code)).encode().hex()


def test_exchange_mtu_answers_server_rx_mtu_and_sets_the_minimum(server: AttServer) -> None:
    """GATT/SR/GAC/BV-01-C: Exchange MTU Response with the server Rx MTU; ATT_MTU = min."""
    out = serve(server, pdus.ExchangeMtuReq(100).encode(), 0.0, OPEN)
    assert out.response == pdus.ExchangeMtuRsp(517).encode()
    assert server.mtu == 100
    assert out.events == [MtuChanged("conn", 100, Role.SERVER)]


def test_exchange_mtu_below_default_keeps_23(server: AttServer) -> None:
    """A3: a Client Rx MTU below 23 leaves ATT_MTU at 23."""
    ask(server, "020500")
    assert server.mtu == 23


def test_second_exchange_mtu_does_not_change_mtu(server: AttServer) -> None:
    """A3: never shrink the MTU mid-connection."""
    ask(server, "026400")
    ask(server, "021700")
    assert server.mtu == 100


def test_read_by_group_type_lists_all_primary_services(server: AttServer) -> None:
    """GATT/SR/GAD/BV-01-C: all primary services, one UUID size per response, then 0x0A."""
    rsp = pdus.decode(bytes.fromhex(ask(server, "10 0100 ffff 0028") or ""))
    assert rsp == pdus.ReadByGroupTypeRsp(
        ((1, 5, b"\x00\x18"), (6, 9, b"\x01\x18"), (13, 34, b"\x00\xaa"))
    )
    rsp2 = pdus.decode(bytes.fromhex(ask(server, "10 2300 ffff 0028") or ""))
    assert isinstance(rsp2, pdus.ReadByGroupTypeRsp)
    assert rsp2.attribute_data[0][:2] == (35, 37)
    assert ask(server, "10 2600 ffff 0028") == error(0x10, 0x26, 0x0A)


def test_read_by_group_type_for_a_non_grouping_type_is_unsupported_group_type(
    server: AttServer,
) -> None:
    """A8: Read By Group Type for a non-grouping type gives 0x10."""
    assert ask(server, "10 0100 ffff 0328") == error(0x10, 1, 0x10)


def test_find_by_type_value_finds_the_service_range(server: AttServer) -> None:
    """GATT/SR/GAD/BV-02-C: handle range of the matching service, then 0x0A."""
    assert ask(server, "06 0100 ffff 0028 00aa") == "070d002200"
    assert ask(server, "06 2300 ffff 0028 00aa") == error(0x06, 0x23, 0x0A)


def test_read_by_type_lists_include_declarations(server: AttServer) -> None:
    """GATT/SR/GAD/BV-03-C: included-service entries with the 16-bit UUID."""
    assert ask(server, "08 0d00 2200 0228") == "09 08 0e00 0a000c0000bb".replace(" ", "")


def test_read_by_type_lists_characteristic_declarations(server: AttServer) -> None:
    """GATT/SR/GAD/BV-04-C: characteristic declarations inside a service range."""
    rsp = pdus.decode(bytes.fromhex(ask(server, "08 0d00 2200 0328") or ""))
    assert isinstance(rsp, pdus.ReadByTypeRsp)
    assert rsp.attribute_data[:2] == ((15, b"\x0e\x10\x00\x01\xaa"), (17, b"\x0a\x12\x00\x02\xaa"))
    assert len(rsp.encode()) <= 23


def test_find_information_over_descriptors(server: AttServer) -> None:
    """GATT/SR/GAD/BV-06-C: handle/UUID pairs in format 0x01, then 0x0A."""
    assert ask(server, "04 1f00 2000") == "05 01 1f00 0229 2000 0129".replace(" ", "")
    assert ask(server, "04 2100 2100") == "05 01 2100 0328".replace(" ", "")
    assert ask(server, "04 2600 ffff") == error(0x04, 0x26, 0x0A)


def test_find_information_stops_where_uuid_size_changes(server: AttServer) -> None:
    rsp = pdus.decode(bytes.fromhex(ask(server, "04 2200 2500") or ""))
    assert isinstance(rsp, pdus.FindInformationRsp)
    assert [h for h, _ in rsp.information] == [0x22, 0x23, 0x24]


def test_read_request_on_readable_value(server: AttServer) -> None:
    """GATT/SR/GAR/BV-01-C: Read Response with the value."""
    assert ask(server, "0a 1000") == "0b426c75655a"


def test_read_request_returns_at_most_mtu_minus_one_octets(server: AttServer) -> None:
    assert ask(server, "0a 1200") == "0b" + bytes(range(22)).hex()


def test_read_request_on_non_readable_value_is_read_not_permitted(server: AttServer) -> None:
    """GATT/SR/GAR/BI-01-C: error 0x02."""
    assert ask(server, "0a 1400") == error(0x0A, 0x14, 0x02)


def test_read_request_on_invalid_handle(server: AttServer) -> None:
    """GATT/SR/GAR/BI-02-C and A6: `0A 00 00` -> `01 0A 00 00 01`."""
    assert ask(server, "0a 0000") == "010a000001"
    assert ask(server, "0a f00f") == error(0x0A, 0x0FF0, 0x01)


def test_read_needing_authentication_on_an_open_link(server: AttServer) -> None:
    """GATT/SR/GAR/BI-04-C and A17: no LTK -> 0x05 Insufficient Authentication."""
    assert ask(server, "0a 1a00") == error(0x0A, 0x1A, 0x05)


def test_read_needing_encryption_with_ltk_but_unencrypted_link(server: AttServer) -> None:
    """A17 / GAP/SEC/AUT/BV-23-C: LTK known but link not encrypted -> 0x0F."""
    assert ask(server, "0a 1800", SecurityState(bonded=True)) == error(0x0A, 0x18, 0x0F)


def test_read_needing_encryption_on_encrypted_link_succeeds(server: AttServer) -> None:
    assert ask(server, "0a 1800", ENCRYPTED) == "0b" + b"enc".hex()


def test_read_needing_a_larger_key_is_key_size_too_short(server: AttServer) -> None:
    """GATT/SR/GAR/BI-05-C, GAP/SEC/SEM/BI-09-C and P6: short key -> 0x0C."""
    sec = SecurityState(encrypted=True, authenticated=True, key_size=7)
    assert ask(server, "0a 1a00", sec) == error(0x0A, 0x1A, 0x0C)


def test_read_needing_authentication_on_unauthenticated_encrypted_link(server: AttServer) -> None:
    """GAP/SEC/AUT/BV-11-C: encrypted without MITM -> 0x05."""
    assert ask(server, "0a 1a00", ENCRYPTED) == error(0x0A, 0x1A, 0x05)


def test_read_needing_authorization(server: AttServer) -> None:
    """Insufficient Authorization 0x08 until the link is authorized."""
    assert ask(server, "0a 1c00") == error(0x0A, 0x1C, 0x08)
    assert ask(server, "0a 1c00", SecurityState(authorized=True)) == "0b" + b"authz".hex()


def test_read_by_type_for_a_missing_uuid_is_attribute_not_found(server: AttServer) -> None:
    """GATT/SR/GAR/BI-07-C: `08 01 00 FF FF F0 0F` -> `01 08 01 00 0A`."""
    assert ask(server, "08 0100 ffff f00f") == "010801000a"


def test_read_by_type_with_start_after_end_is_invalid_handle(server: AttServer) -> None:
    """GATT/SR/GAR/BI-08-C and A7: `08 02 00 01 00 00 28` -> `01 08 02 00 01`."""
    assert ask(server, "08 0200 0100 0028") == "0108020001"


@pytest.mark.parametrize("op", ["04", "08", "10", "06"])
def test_range_requests_with_start_zero_are_invalid_handle(server: AttServer, op: str) -> None:
    """A7: start handle 0 gives Invalid Handle carrying the start handle."""
    tail = {"04": "", "08": "0028", "10": "0028", "06": "0028 00aa"}[op]
    assert ask(server, f"{op} 0000 ffff {tail}") == error(int(op, 16), 0, 0x01)


def test_read_by_type_on_a_protected_value_reports_the_first_error(server: AttServer) -> None:
    assert ask(server, "08 1800 1800 05aa") == error(0x08, 0x18, 0x05)


def test_read_by_type_returns_characteristic_value_by_uuid(server: AttServer) -> None:
    assert ask(server, "08 0100 ffff 01aa") == "0907 1000 426c75655a".replace(" ", "")


def test_read_blob_with_increasing_offsets_reads_a_long_value(server: AttServer) -> None:
    """GATT/SR/GAR/BV-04-C: consecutive MTU-1 chunks, last one shorter."""
    chunks = []
    offset = 0
    while True:
        rsp = ask(server, f"0c 1200 {offset:04x}"[:-4] + offset.to_bytes(2, "little").hex())
        data = bytes.fromhex(rsp or "")[1:]
        chunks.append(data)
        offset += len(data)
        if len(data) < 22:
            break
    assert [len(c) for c in chunks] == [22, 22, 22, 22, 12]
    assert b"".join(chunks) == bytes(range(100))


def test_read_blob_past_the_end_is_invalid_offset(server: AttServer) -> None:
    """GATT/SR/GAR/BI-13-C and A5: offset > length -> 0x07."""
    assert ask(server, "0c 1000 0600") == error(0x0C, 0x10, 0x07)


def test_read_blob_at_exactly_the_length_returns_empty(server: AttServer) -> None:
    """A5: offset == length gives an empty Read Blob Response."""
    assert ask(server, "0c 1000 0500") == "0d"


def test_read_blob_on_invalid_handle(server: AttServer) -> None:
    """GATT/SR/GAR/BI-14-C: `0C F0 0F 00 00` -> `01 0C F0 0F 01`."""
    assert ask(server, "0c f00f 0000") == "010cf00f01"


def test_read_blob_inside_a_short_fixed_length_attribute_is_attribute_not_long(
    server: AttServer,
) -> None:
    """Vol 3 Part F 3.4.4.5: Attribute Not Long for fixed values shorter than ATT_MTU-1."""
    assert ask(server, "0c 0f00 0100") == error(0x0C, 0x0F, 0x0B)


def test_read_multiple_concatenates_values(server: AttServer) -> None:
    """GATT/SR/GAR/BV-05-C: concatenated values."""
    assert ask(server, "0e 1000 1600") == "0f" + (b"BlueZ" + b"r").hex()


def test_read_multiple_with_an_invalid_handle_names_it(server: AttServer) -> None:
    """GATT/SR/GAR/BI-19-C and A9: `0E 15 F0 F0 0F` -> `01 0E F0 0F 01`."""
    assert ask(server, "0e 1000 f00f") == "010ef00f01"


def test_read_multiple_with_one_handle_is_invalid_pdu(server: AttServer) -> None:
    """A9: fewer than two handles -> 0x04."""
    assert ask(server, "0e 1000") == error(0x0E, 0, 0x04)


def test_read_multiple_variable_gives_length_value_tuples(server: AttServer) -> None:
    assert ask(server, "20 1000 1600") == "21 0500 426c75655a 0100 72".replace(" ", "")


def test_read_multiple_variable_at_small_mtu_cuts_without_underflow(server: AttServer) -> None:
    """A4: long values at MTU 23 are truncated to fit; no negative room."""
    rsp = pdus.decode(bytes.fromhex(ask(server, "20 1200 1200 1200") or ""))
    assert isinstance(rsp, pdus.ReadMultipleVariableRsp)
    assert len(rsp.encode()) <= 23
    assert rsp.length_value_tuples[0] == (100, bytes(range(20)))


def test_write_request_updates_the_value(server: AttServer) -> None:
    """GATT/SR/GAW/BV-03-C: Write Response 0x13 and a Written event."""
    out = serve(server, bytes.fromhex("12 1000 010203".replace(" ", "")), 0.0, OPEN)
    assert out.response == b"\x13"
    assert out.events == [Written("conn", 0x10, b"\x01\x02\x03")]
    assert ask(server, "0a 1000") == "0b010203"


def test_write_command_updates_the_value_without_response(server: AttServer) -> None:
    """GATT/SR/GAW/BV-01-C: value updated, no response."""
    out = serve(server, bytes.fromhex("52 1000 aa".replace(" ", "")), 0.0, OPEN)
    assert out.response is None
    assert out.events == [Written("conn", 0x10, b"\xaa")]


def test_write_command_to_invalid_handle_is_ignored_silently(server: AttServer) -> None:
    out = serve(server, bytes.fromhex("52 f00f aa".replace(" ", "")), 0.0, OPEN)
    assert out.response is None and out.events == []


def test_write_to_invalid_handle(server: AttServer) -> None:
    """GATT/SR/GAW/BI-02-C and A6."""
    assert ask(server, "12 0000 01") == "0112000001"


def test_write_to_non_writable_value(server: AttServer) -> None:
    """GATT/SR/GAW/BI-03-C: 0x03."""
    assert ask(server, "12 1600 01") == error(0x12, 0x16, 0x03)


def test_write_needing_encryption_on_open_link(server: AttServer) -> None:
    assert ask(server, "12 1800 01") == error(0x12, 0x18, 0x05)


def test_write_longer_than_the_attribute_maximum(server: AttServer) -> None:
    """GATT/SR/GAW/BI-32-C: write exceeding max length -> 0x0D."""
    assert ask(server, "12 2200 0102030405") == error(0x12, 0x22, 0x0D)


def test_write_longer_than_512_octets(server: AttServer) -> None:
    """A12: values over 512 octets -> 0x0D even with a large MTU."""
    ask(server, "02 0502")
    assert ask(server, "12 1200" + "00" * 513) == error(0x12, 0x12, 0x0D)


def test_prepare_then_execute_writes_the_concatenation(server: AttServer) -> None:
    """GATT/SR/GAW/BV-05-C: each Prepare echoed byte-exact, Execute Response, value joined."""
    assert ask(server, "16 1200 0000 aabbcc") == "17 1200 0000 aabbcc".replace(" ", "")
    assert ask(server, "16 1200 0300 ddee") == "17 1200 0300 ddee".replace(" ", "")
    out = serve(server, bytes.fromhex("1801"), 0.0, OPEN)
    assert out.response == b"\x19"
    assert out.events == [Written("conn", 0x12, bytes.fromhex("aabbccddee"))]
    assert ask(server, "0a 1200") == "0baabbccddee"


def test_prepare_write_to_invalid_handle(server: AttServer) -> None:
    """GATT/SR/GAW/BI-07-C: 0x01."""
    assert ask(server, "16 0000 0000 01") == "0116000001"


def test_prepare_write_to_non_writable_value(server: AttServer) -> None:
    """GATT/SR/GAW/BI-08-C: 0x03."""
    assert ask(server, "16 1600 0000 01") == error(0x16, 0x16, 0x03)


def test_prepare_write_with_offset_beyond_value_fails_at_execute(server: AttServer) -> None:
    """GATT/SR/GAW/BI-09-C: 0x07 at execute time; value unchanged."""
    assert ask(server, "16 1000 0900 01") is not None
    assert ask(server, "18 01") == error(0x18, 0x10, 0x07)
    assert ask(server, "0a 1000") == "0b426c75655a"


def test_execute_write_cancel_discards_the_queue(server: AttServer) -> None:
    """GATT/SR/GAW/BV-07-C: flags 0x00 -> queue discarded, value unchanged."""
    ask(server, "16 1000 0000 0102")
    assert ask(server, "18 00") == "19"
    assert ask(server, "0a 1000") == "0b426c75655a"


def test_execute_write_with_empty_queue(server: AttServer) -> None:
    """GATT/SR/GAW/BV-11-C and A13: plain Execute Write Response."""
    assert ask(server, "18 01") == "19"


def test_execute_write_with_reserved_flags_is_invalid_pdu(server: AttServer) -> None:
    """A13: flags outside {0, 1} -> 0x04."""
    assert ask(server, "18 02") == error(0x18, 0, 0x04)


def test_long_write_exceeding_the_maximum_fails_at_execute(server: AttServer) -> None:
    """GATT/SR/GAW/BI-33-C: Write Long over max length -> 0x0D."""
    ask(server, "16 2200 0000 010203")
    ask(server, "16 2200 0300 0405")
    assert ask(server, "18 01") == error(0x18, 0x22, 0x0D)


def test_prepare_write_past_512_octets_is_rejected(server: AttServer) -> None:
    """A11: offset + length beyond 512 is rejected at prepare time."""
    assert ask(server, "16 1200 0002 01") == error(0x16, 0x12, 0x0D)


def test_prepare_queue_full_after_the_per_connection_limit(tdb) -> None:  # type: ignore[no-untyped-def]
    """A10: a bounded per-connection queue answers 0x09 when full."""
    server = AttServer(tdb.db, prepare_queue_limit=3)
    for i in range(3):
        assert ask(server, f"16 1200 {i:02x}00 01") is not None
    assert ask(server, "16 1200 0300 01") == error(0x16, 0x12, 0x09)
    assert ask(server, "18 00") == "19"
    assert ask(server, "16 1200 0000 01") == "17120000000" + "1"


def test_cccd_write_enables_notifications_and_reports_it(server: AttServer) -> None:
    """GATT/SR/GAN/BV-01-C: client enables the CCCD; server then sends notifications."""
    out = serve(server, bytes.fromhex("12 1f00 0100".replace(" ", "")), 0.0, OPEN)
    assert out.response == b"\x13"
    assert out.events == [SubscriptionChanged("conn", 0x1E, 0x1F, True, False)]
    assert server.subscription(0x1E) == 1
    assert server.update(0x1E, b"hello", 0.0)
    assert sent(server) == bytes.fromhex("1b1e00") + b"hello"
    assert ask(server, "0a 1f00") == "0b0100"


def test_cccd_is_per_connection(tdb) -> None:  # type: ignore[no-untyped-def]
    a = AttServer(tdb.db, connection="a")
    b = AttServer(tdb.db, connection="b")
    serve(a, bytes.fromhex("121f000100"), 0.0, OPEN)
    assert a.subscription(0x1E) == 1
    assert b.subscription(0x1E) == 0


def test_cccd_values_restore_for_a_bonded_peer(tdb, server: AttServer) -> None:  # type: ignore[no-untyped-def]
    serve(server, bytes.fromhex("121f000200"), 0.0, OPEN)
    saved = server.cccd_values()
    again = AttServer(tdb.db, cccd=saved)
    assert again.subscription(0x1E) == 2


def test_cccd_write_of_wrong_length_is_invalid_length(server: AttServer) -> None:
    assert ask(server, "12 1f00 01") == error(0x12, 0x1F, 0x0D)


def test_cccd_write_enabling_an_unsupported_bit_is_value_not_allowed(server: AttServer) -> None:
    assert ask(server, "12 0900 0100") == error(0x12, 0x09, 0x13)


def test_indication_waits_for_confirmation(server: AttServer) -> None:
    """GATT/SR/GAI/BV-01-C: one indication outstanding until 0x1E."""
    server.indicate(0x1E, b"v", now=0.0)
    assert sent(server) == bytes.fromhex("1d1e0076")
    with pytest.raises(IndicationPendingError):
        server.indicate(0x1E, b"w", now=1.0)
    assert server.data_to_send() == []
    out = serve(server, b"\x1e", 2.0, OPEN)
    assert out.response is None
    assert out.events == [IndicationConfirmed("conn", 0x1E)]
    server.indicate(0x1E, b"w", now=3.0)
    assert sent(server) == bytes.fromhex("1d1e0077")


def test_unconfirmed_indication_times_out_after_30_seconds(server: AttServer) -> None:
    """GATT/SR/GAT/BV-01-C and A20: after 30 s the bearer is dead; no further ATT on it."""
    server.indicate(0x1E, b"v", now=0.0)
    assert tick(server, 29.9) == []
    assert tick(server, 30.0) == [TransactionTimedOut("conn", 0x1E, Role.SERVER)]
    assert server.closed
    assert ask(server, "0a 1000", now=31.0) is None
    with pytest.raises(BearerClosedError):
        server.notify(0x1E, b"x", 32.0)


def test_unconfirmed_indication_reports_its_deadline(server: AttServer) -> None:
    """Vol 3 Part F 3.3.3: the server's timer is the indication's 30 s deadline, gone once
    the confirmation arrives."""
    assert server.get_timer() is None
    server.indicate(0x1E, b"v", now=5.0)
    assert server.get_timer() == 35.0
    serve(server, b"\x1e", 6.0)
    assert server.get_timer() is None


def test_notification_is_truncated_to_mtu_minus_3(server: AttServer) -> None:
    server.notify(0x1E, bytes(50), 0.0)
    assert len(sent(server)) == 23


def test_update_respects_the_value_security_not_the_cccd(server: AttServer, tdb) -> None:  # type: ignore[no-untyped-def]
    """A18: no notification while the link is below the value's read security."""
    serve(server, bytes.fromhex("121f000100"), 0.0, OPEN)
    attr = tdb.db.get(0x1E)
    attr.permissions |= AttPermissions.READ_ENCRYPTED
    assert not server.update(0x1E, b"secret", 0.0, OPEN)
    assert server.data_to_send() == []
    assert server.update(0x1E, b"secret", 0.0, ENCRYPTED)
    assert sent(server) == bytes.fromhex("1b1e00") + b"secret"


def test_unknown_request_opcode_is_request_not_supported(server: AttServer) -> None:
    """GATT/SR/UNS/BI-01-C and A15: undefined request -> 0x06."""
    assert ask(server, "3f 0000") == error(0x3F, 0, 0x06)


def test_unknown_command_opcode_is_ignored(server: AttServer) -> None:
    """GATT/SR/UNS/BI-02-C and A15: undefined command -> silence."""
    assert ask(server, "7f 0000") is None


def test_truncated_request_is_invalid_pdu(server: AttServer) -> None:
    """A1: a request shorter than its fixed format -> 0x04; an MTU request of one octet too."""
    assert ask(server, "0a 03") == error(0x0A, 0, 0x04)
    assert ask(server, "02 17") == error(0x02, 0, 0x04)


def test_padded_request_is_invalid_pdu(server: AttServer) -> None:
    """A2: trailing garbage is rejected, never copied."""
    assert ask(server, "0a 1000" + "00" * 111) == error(0x0A, 0, 0x04)


def test_truncated_command_is_dropped(server: AttServer) -> None:
    assert ask(server, "52 10") is None


def test_back_to_back_requests_are_each_answered(server: AttServer) -> None:
    """A14: two requests without waiting never deadlock the server."""
    assert ask(server, "0a 1000") == "0b426c75655a"
    assert ask(server, "0a 1000") == "0b426c75655a"


def test_signed_write_with_valid_signature_writes(tdb) -> None:  # type: ignore[no-untyped-def]
    csrk = bytes(range(16))
    server = AttServer(tdb.db, connection="c", signing_key=lambda: SigningKey(csrk, 0))
    body = bytes.fromhex("d21000") + b"hi"
    out = serve(server, body + sign(csrk, body, 1), 0.0, OPEN)
    assert out.response is None
    assert out.events == [SignCounterUpdated("c", 1), Written("c", 0x10, b"hi")]


def test_signed_write_with_bad_signature_is_dropped(tdb) -> None:  # type: ignore[no-untyped-def]
    """A16 / GAP/SEC/CSIGN/BI-01-C: wrong MAC -> dropped."""
    csrk = bytes(range(16))
    server = AttServer(tdb.db, signing_key=lambda: SigningKey(csrk, 0))
    body = bytes.fromhex("d21000") + b"hi"
    sig = bytearray(sign(csrk, body, 1))
    sig[-1] ^= 1
    assert serve(server, body + bytes(sig), 0.0, OPEN).events == []
    assert ask(server, "0a 1000") == "0b426c75655a"


def test_signed_write_with_repeated_counter_is_dropped(tdb) -> None:  # type: ignore[no-untyped-def]
    """A16 / SM/SIGN/BI-02-C: a replayed SignCounter is ignored."""
    csrk = bytes(range(16))
    server = AttServer(tdb.db, signing_key=lambda: SigningKey(csrk, 0))
    body = bytes.fromhex("d21000") + b"hi"
    assert serve(server, body + sign(csrk, body, 5), 0.0, OPEN).events
    assert serve(server, body + sign(csrk, body, 5), 0.0, OPEN).events == []


def test_signed_write_from_peer_without_csrk_is_dropped(server: AttServer) -> None:
    """A16 / GAP/SEC/CSIGN/BI-03-C: no bond -> dropped."""
    body = bytes.fromhex("d21000") + b"hi"
    assert serve(server, body + sign(bytes(16), body, 1), 0.0, OPEN).events == []


def test_responses_sent_to_the_server_are_ignored(server: AttServer) -> None:
    assert ask(server, "0b 0102") is None
    assert ask(server, "1e") is None  # confirmation without indication


def test_signed_write_needing_authentication_with_unauthenticated_key_is_dropped(tdb) -> None:  # type: ignore[no-untyped-def]
    """GAP/SEC/CSIGN/BI-04-C: insufficient authentication -> dropped."""
    tdb.db.get(0x10).permissions |= AttPermissions.WRITE_AUTHENTICATED
    csrk = bytes(range(16))
    server = AttServer(tdb.db, signing_key=lambda: SigningKey(csrk, 0, authenticated=False))
    body = bytes.fromhex("d21000") + b"hi"
    events = serve(server, body + sign(csrk, body, 1), 0.0, OPEN).events
    assert not any(isinstance(e, Written) for e in events)
    trusted = AttServer(tdb.db, signing_key=lambda: SigningKey(csrk, 0, authenticated=True))
    assert Written(None, 0x10, b"hi") in serve(trusted, body + sign(csrk, body, 1), 0.0, OPEN).events


def test_failing_read_callback_answers_unlikely_error_and_keeps_serving(tdb) -> None:  # type: ignore[no-untyped-def]
    def broken(conn: object) -> bytes:
        raise RuntimeError("application bug")

    tdb.db.get(0x10).read_callback = broken
    server = AttServer(tdb.db)
    assert ask(server, "0a 1000") == error(0x0A, 0, 0x0E)
    assert ask(server, "0a 1600") == "0b72"


def test_multiple_handle_value_notification_keeps_whole_tuples_within_mtu(server: AttServer) -> None:
    assert server.notify_multiple([(0x10, bytes(8)), (0x12, bytes(8)), (0x14, bytes(8))], 0.0) == 1
    pdu = sent(server)
    assert len(pdu) <= 23
    assert pdus.decode(pdu) == pdus.MultipleHandleValueNtf(((0x10, bytes(8)),))
