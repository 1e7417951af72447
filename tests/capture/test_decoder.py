"""The decoder follows connections, reassembles ACL, and shows what it cannot decode instead of failing."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from aioble_hci.capture import CaptureRecord
from aioble_hci.capture.decode.ad import decode_ad
from aioble_hci.capture.decoder import CaptureDecoder
from aioble_hci.hci.packets import Direction, PacketType

H2C, C2H = Direction.HOST_TO_CONTROLLER, Direction.CONTROLLER_TO_HOST
PEER = bytes.fromhex("112233445566")


def _cmd(hexstr: str) -> CaptureRecord:
    return CaptureRecord(0.0, H2C, PacketType.COMMAND, bytes.fromhex(hexstr))


def _le_connection_complete(handle: int) -> CaptureRecord:
    params = (
        bytes([0x01, 0x00])
        + struct.pack("<H", handle)
        + bytes([0, 0])
        + PEER
        + struct.pack("<HHH", 24, 0, 400)
        + b"\x00"
    )
    return CaptureRecord(0.0, C2H, PacketType.EVENT, bytes([0x3E, len(params)]) + params)


def _acl(handle: int, pb: int, data: bytes, direction: Direction = C2H) -> CaptureRecord:
    return CaptureRecord(
        0.0, direction, PacketType.ACL, struct.pack("<HH", handle | (pb << 12), len(data)) + data
    )


def _l2cap(cid: int, payload: bytes) -> bytes:
    return struct.pack("<HH", len(payload), cid) + payload


def _connected() -> CaptureDecoder:
    decoder = CaptureDecoder()
    decoder.decode(_cmd("030c00"))
    decoder.decode(_le_connection_complete(0x0040))
    return decoder


def test_connection_complete_opens_a_connection_with_its_peer() -> None:
    decoder = _connected()
    assert decoder.connections[0x40].peer == "66:55:44:33:22:11"
    assert decoder.connections[0x40].role == "central"


def test_att_pdu_split_over_two_fragments_is_decoded_at_the_last() -> None:
    decoder = _connected()
    frame = _l2cap(4, bytes.fromhex("1b2a00") + bytes(range(30)))
    first = decoder.decode(_acl(0x40, 0b10, frame[:20]))
    last = decoder.decode(_acl(0x40, 0b01, frame[20:]))
    assert not first.has_layer("att")
    att = last.layer("att")
    assert att is not None and att.summary == "ATT HANDLE_VALUE_NTF"
    assert (
        att.fields["attribute_handle"] == 0x2A
        and att.fields["attribute_value"] == bytes(range(30)).hex()
    )


def test_fragments_of_the_two_directions_do_not_mix() -> None:
    decoder = _connected()
    out = _l2cap(4, bytes.fromhex("520300") + b"A" * 30)
    back = _l2cap(4, bytes.fromhex("1b0300") + b"B" * 30)
    decoder.decode(_acl(0x40, 0b00, out[:10], H2C))
    decoder.decode(_acl(0x40, 0b10, back[:10], C2H))
    got_out = decoder.decode(_acl(0x40, 0b01, out[10:], H2C))
    got_back = decoder.decode(_acl(0x40, 0b01, back[10:], C2H))
    assert got_out.layer("att").summary == "ATT WRITE_CMD"  # type: ignore[union-attr]
    assert got_back.layer("att").summary == "ATT HANDLE_VALUE_NTF"  # type: ignore[union-attr]


def test_continuation_without_start_is_shown_not_raised() -> None:
    packet = _connected().decode(_acl(0x40, 0b01, b"\x01\x02\x03"))
    assert "without a start" in packet.layer("acl").fields["problem"]  # type: ignore[union-attr]


def test_acl_on_qualcomm_debug_handle_is_vendor_data() -> None:
    packet = _connected().decode(_acl(0x0EDC, 0b10, b"\x05\x00\x04\x00\x1b\x01\x00"))
    assert packet.layers[0].name == "vendor" and "Qualcomm" in packet.layers[0].summary
    assert not packet.has_layer("l2cap")


def test_acl_on_a_never_connected_handle_is_not_l2cap() -> None:
    packet = _connected().decode(_acl(0x0123, 0b10, _l2cap(4, b"\x0a\x01\x00")))
    assert packet.layers[0].name == "vendor" and "never connected" in packet.layers[0].summary


def test_capture_starting_mid_connection_still_decodes_l2cap() -> None:
    packet = CaptureDecoder().decode(_acl(0x0001, 0b10, _l2cap(4, b"\x0a\x01\x00")))
    assert packet.layer("att").summary == "ATT READ_REQ"  # type: ignore[union-attr]


def test_smp_pairing_request_shows_its_fields() -> None:
    packet = _connected().decode(_acl(0x40, 0b10, _l2cap(6, bytes.fromhex("01030009100707"))))
    smp = packet.layer("smp")
    assert smp is not None and smp.summary == "SMP Pairing Request"
    assert smp.fields["io_capability"] == "NoInputNoOutput"
    assert smp.fields["auth_req"]["bonding"] and smp.fields["auth_req"]["sc"]
    assert smp.fields["initiator_keys"] == ["EncKey", "IdKey", "SignKey"]


def test_credit_based_channel_is_followed_from_its_connection_request() -> None:
    decoder = _connected()
    req = struct.pack("<BBHHHHHH", 0x14, 1, 10, 0x0080, 0x0041, 100, 50, 5)
    rsp = struct.pack("<BBHHHHHH", 0x15, 1, 10, 0x0042, 100, 50, 5, 0)
    assert decoder.decode(_acl(0x40, 0b00, _l2cap(5, req), H2C)).layer("signalling") is not None
    decoder.decode(_acl(0x40, 0b10, _l2cap(5, rsp), C2H))
    first = decoder.decode(_acl(0x40, 0b00, _l2cap(0x0042, struct.pack("<H", 6) + b"abc"), H2C))
    last = decoder.decode(_acl(0x40, 0b00, _l2cap(0x0042, b"def"), H2C))
    assert first.layer("coc").fields["spsm"] == 0x80  # type: ignore[union-attr]
    assert last.layer("coc").fields["sdu"] == b"abcdef".hex()  # type: ignore[union-attr]


def test_advertising_report_shows_ad_structures() -> None:
    ad = bytes.fromhex("020106") + b"\x05\x09abcd"
    report = bytes([1, 0x00, 0x00]) + PEER + bytes([len(ad)]) + ad + b"\xc4"
    params = b"\x02" + report
    packet = CaptureDecoder().decode(
        CaptureRecord(0.0, C2H, PacketType.EVENT, bytes([0x3E, len(params)]) + params)
    )
    adv = packet.layer("adv")
    assert adv is not None
    (entry,) = adv.fields["reports"]
    assert entry["rssi"] == -60
    assert [s["type"] for s in entry["ad"]] == ["FLAGS", "COMPLETE_LOCAL_NAME"]


def test_truncated_event_is_shown_with_its_raw_bytes() -> None:
    packet = CaptureDecoder().decode(CaptureRecord(0.0, C2H, PacketType.EVENT, b"\x3e"))
    assert packet.has_layer("error") and packet.layers[-1].fields["raw"] == "3e"


@settings(max_examples=300, deadline=None)
@given(
    ptype=st.sampled_from([PacketType.COMMAND, PacketType.EVENT, PacketType.ACL, PacketType.ISO]),
    payload=st.binary(max_size=80),
)
def test_no_payload_makes_the_decoder_raise(ptype: PacketType, payload: bytes) -> None:
    decoder = _connected()
    packet = decoder.decode(CaptureRecord(0.0, C2H, ptype, payload))
    assert packet.layers
    packet.render()
    packet.to_json()


@settings(max_examples=300, deadline=None)
@given(
    cid=st.sampled_from([1, 4, 5, 6, 0x40, 0x42]),
    body=st.binary(max_size=70),
    pb=st.sampled_from([0, 1, 2]),
)
def test_no_l2cap_payload_on_a_connection_makes_the_decoder_raise(
    cid: int, body: bytes, pb: int
) -> None:
    decoder = _connected()
    packet = decoder.decode(_acl(0x40, pb, _l2cap(cid, body)))
    assert packet.layers
    packet.render()
    packet.to_json()


def test_le_bluetooth_device_address_structure_shows_the_address_as_text() -> None:
    # AD type 0x1B (CSS Part A, 1.16): 6 octets little-endian, then the type octet
    (entry,) = decode_ad(bytes([8, 0x1B, 0x01, 0x02, 0x03, 0x04, 0x05, 0xC6, 0x01]))
    assert entry["type"] == "LE_BLUETOOTH_DEVICE_ADDRESS"
    assert entry["address"] == "c6:05:04:03:02:01"


def test_unknown_ad_types_show_their_value_and_no_empty_problem() -> None:
    from aioble_hci.capture.decode.ad import decode_ad

    unknown, malformed = decode_ad(bytes([3, 0x99, 0xAB, 0xCD, 2, 0x19, 0x01]))  # unknown type; appearance 1 octet short
    assert unknown["value"] == "abcd" and "problem" not in unknown and "data" not in unknown
    assert malformed["value"] == "01" and malformed["problem"]
