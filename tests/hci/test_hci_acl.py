"""ACL headers, fragmentation of host PDUs and reassembly of controller fragments."""

import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioble_hci.hci.acl import (
    PB_CONTINUING,
    PB_FIRST_FLUSHABLE,
    PB_FIRST_NON_FLUSHABLE,
    AclHeader,
    AclReassembler,
    decode_acl,
    encode_acl,
    fragment,
)
from aioble_hci.hci.errors import HciDecodeError


def l2cap(cid: int, payload: bytes) -> bytes:
    return len(payload).to_bytes(2, "little") + cid.to_bytes(2, "little") + payload


def from_controller(handle: int, pb: int, data: bytes) -> bytes:
    return encode_acl(handle, pb, data)


def test_header_packs_handle_pb_and_bc_flags():
    header = AclHeader(handle=0x040, pb_flag=PB_FIRST_FLUSHABLE, bc_flag=0, length=7)
    assert header.to_bytes() == bytes.fromhex("40200700")
    assert AclHeader.from_bytes(bytes.fromhex("40200700")) == header


def test_handle_over_12_bits_is_refused():
    with pytest.raises(ValueError, match="12 bits"):
        AclHeader(0x1000, 0, 0, 0).to_bytes()


def test_decode_acl_checks_the_length_field():
    with pytest.raises(HciDecodeError, match="header says 5 bytes, got 4"):
        decode_acl(bytes.fromhex("4020050001020304"))
    header, data = decode_acl(bytes.fromhex("402004000102030a"))
    assert (header.handle, data) == (0x040, bytes.fromhex("0102030a"))


def test_fragment_cuts_to_buffer_size_with_first_then_continuing_flags():
    pdu = l2cap(0x0004, bytes(range(60)))  # 64 bytes
    packets = fragment(0x041, pdu, 27)
    headers = [AclHeader.from_bytes(p) for p in packets]
    assert [h.length for h in headers] == [27, 27, 10]
    assert [h.pb_flag for h in headers] == [PB_FIRST_NON_FLUSHABLE, PB_CONTINUING, PB_CONTINUING]
    assert all(h.handle == 0x041 for h in headers)
    assert b"".join(p[4:] for p in packets) == pdu


def test_fragment_of_a_pdu_that_fits_is_one_packet():
    pdu = l2cap(0x0004, b"\x0a\x01\x00")
    assert fragment(0x001, pdu, 251) == [encode_acl(0x001, PB_FIRST_NON_FLUSHABLE, pdu)]


def test_reassembler_returns_single_fragment_pdu_at_once():
    pdu = l2cap(0x0004, b"\x0a\x03\x00")
    assert AclReassembler().feed(from_controller(0x040, PB_FIRST_FLUSHABLE, pdu)) == (0x040, pdu)


def test_reassembler_joins_fragments_and_returns_pdu_on_the_last():
    pdu = l2cap(0x0004, bytes(100))
    r = AclReassembler()
    assert r.feed(from_controller(0x040, PB_FIRST_FLUSHABLE, pdu[:27])) is None
    assert r.feed(from_controller(0x040, PB_CONTINUING, pdu[27:54])) is None
    assert r.pending(0x040) == 54
    assert r.feed(from_controller(0x040, PB_CONTINUING, pdu[54:])) == (0x040, pdu)
    assert r.pending(0x040) == 0


def test_reassembler_keeps_handles_apart():
    a, b = l2cap(4, b"A" * 30), l2cap(6, b"B" * 30)
    r = AclReassembler()
    assert r.feed(from_controller(1, PB_FIRST_FLUSHABLE, a[:20])) is None
    assert r.feed(from_controller(2, PB_FIRST_FLUSHABLE, b[:20])) is None
    assert r.feed(from_controller(2, PB_CONTINUING, b[20:])) == (2, b)
    assert r.feed(from_controller(1, PB_CONTINUING, a[20:])) == (1, a)


def test_first_fragment_shorter_than_the_l2cap_header_waits_for_more():
    pdu = l2cap(4, b"xyz")
    r = AclReassembler()
    assert r.feed(from_controller(1, PB_FIRST_FLUSHABLE, pdu[:1])) is None
    assert r.feed(from_controller(1, PB_CONTINUING, pdu[1:])) == (1, pdu)


def test_continuation_without_start_raises():
    with pytest.raises(HciDecodeError, match="continuation fragment on handle 0x040 with no start"):
        AclReassembler().feed(from_controller(0x040, PB_CONTINUING, b"abc"))


def test_start_while_incomplete_drops_the_old_pdu_and_logs(caplog):
    r = AclReassembler()
    r.feed(from_controller(1, PB_FIRST_FLUSHABLE, l2cap(4, bytes(50))[:20]))
    fresh = l2cap(4, b"new")
    with caplog.at_level(logging.WARNING, logger="aioble_hci.hci.acl"):
        assert r.feed(from_controller(1, PB_FIRST_FLUSHABLE, fresh)) == (1, fresh)
    assert "dropped 20 byte(s)" in caplog.text


def test_fragment_past_the_declared_l2cap_length_raises_and_resets():
    r = AclReassembler()
    r.feed(from_controller(1, PB_FIRST_FLUSHABLE, l2cap(4, b"12345")[:6]))
    with pytest.raises(HciDecodeError, match="longer than the 9 its header declares"):
        r.feed(from_controller(1, PB_CONTINUING, b"345" + b"extra"))
    assert r.pending(1) == 0
    good = l2cap(4, b"ok")
    assert r.feed(from_controller(1, PB_FIRST_FLUSHABLE, good)) == (1, good)


def test_single_fragment_longer_than_declared_raises():
    with pytest.raises(HciDecodeError, match="longer than"):
        AclReassembler().feed(from_controller(1, PB_FIRST_FLUSHABLE, l2cap(4, b"ab") + b"junk"))


def test_declared_length_over_the_maximum_raises_and_resets():
    r = AclReassembler(max_pdu_length=100)
    with pytest.raises(HciDecodeError, match="declares 504 bytes, over the maximum 100"):
        r.feed(from_controller(1, PB_FIRST_FLUSHABLE, l2cap(4, bytes(500))[:27]))
    assert r.pending(1) == 0


def test_acl_length_field_disagreeing_with_packet_raises():
    with pytest.raises(HciDecodeError, match="header says 9 bytes, got 8"):
        AclReassembler().feed(bytes.fromhex("01200900") + bytes(8))


def test_reset_forgets_a_handles_partial_pdu():
    r = AclReassembler()
    r.feed(from_controller(1, PB_FIRST_FLUSHABLE, l2cap(4, bytes(50))[:20]))
    r.reset(1)
    with pytest.raises(HciDecodeError, match="no start"):
        r.feed(from_controller(1, PB_CONTINUING, bytes(10)))


@settings(max_examples=100, deadline=None)
@given(payload=st.binary(max_size=1000), max_len=st.integers(1, 300), handle=st.integers(0, 0xEFF))
def test_fragments_reassemble_to_the_original_pdu(payload, max_len, handle):
    pdu = l2cap(0x0040, payload)
    r = AclReassembler()
    results = []
    for packet in fragment(handle, pdu, max_len):
        # controller-to-host start fragments carry PB 0b10
        if AclHeader.from_bytes(packet).pb_flag == PB_FIRST_NON_FLUSHABLE:
            packet = encode_acl(handle, PB_FIRST_FLUSHABLE, packet[4:])
        results.append(r.feed(packet))
    assert results[-1] == (handle, pdu)
    assert all(x is None for x in results[:-1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=12))
def test_reassembler_raises_only_decode_errors_on_arbitrary_packets(packets):
    r = AclReassembler(max_pdu_length=200)
    for packet in packets:
        try:
            done = r.feed(packet)
        except HciDecodeError:
            continue
        if done is not None:
            handle, pdu = done
            assert int.from_bytes(pdu[:2], "little") + 4 == len(pdu)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from([0, 1, 2]), st.binary(max_size=30)), max_size=15))
def test_reassembler_raises_only_decode_errors_on_random_fragment_sequences(seq):
    r = AclReassembler(max_pdu_length=120)
    for handle, pb, data in seq:
        try:
            done = r.feed(encode_acl(handle, pb, data))
        except HciDecodeError:
            continue
        if done is not None:
            assert done[0] == handle
            assert int.from_bytes(done[1][:2], "little") + 4 == len(done[1])
