"""ATT PDU codecs: round trips, spec byte examples and malformed bodies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aioble_hci.att import pdus
from aioble_hci.att.pdus import AttDecodeError, ErrorCode, Opcode, UnknownOpcodeError, decode
from aioble_hci.uuid import UUID

handles = st.integers(0, 0xFFFF)
values = st.binary(max_size=40)
uuid16 = st.integers(0, 0xFFFF).map(UUID)
uuid128 = st.binary(min_size=16, max_size=16).map(UUID).map(lambda u: u.shortest())
uuids = st.one_of(uuid16, uuid128)


def _fixed_len_list(entry_len: int, n: int = 4) -> st.SearchStrategy[list[bytes]]:
    return st.lists(st.binary(min_size=entry_len, max_size=entry_len), min_size=1, max_size=n)


PDU_STRATEGIES = st.one_of(
    st.builds(pdus.ErrorRsp, st.integers(0, 255), handles, st.integers(0, 255).map(ErrorCode)),
    st.builds(pdus.ExchangeMtuReq, handles),
    st.builds(pdus.ExchangeMtuRsp, handles),
    st.builds(pdus.FindInformationReq, handles, handles),
    st.one_of(
        st.lists(st.tuples(handles, uuid16), min_size=1, max_size=5),
        st.lists(st.tuples(handles, st.binary(min_size=16, max_size=16).map(UUID)),
                 min_size=1, max_size=3).filter(
            lambda xs: any(u.shortest().size != 16 for _, u in xs)),
    ).map(lambda xs: pdus.FindInformationRsp(tuple(xs))),
    st.builds(pdus.FindByTypeValueReq, handles, handles, uuid16, values),
    st.lists(st.tuples(handles, handles), min_size=1, max_size=5).map(
        lambda xs: pdus.FindByTypeValueRsp(tuple(xs))),
    st.builds(pdus.ReadByTypeReq, handles, handles, uuids),
    st.integers(0, 10).flatmap(
        lambda n: st.lists(st.tuples(handles, st.binary(min_size=n, max_size=n)),
                           min_size=1, max_size=4)).map(lambda xs: pdus.ReadByTypeRsp(tuple(xs))),
    st.builds(pdus.ReadReq, handles),
    st.builds(pdus.ReadRsp, values),
    st.builds(pdus.ReadBlobReq, handles, handles),
    st.builds(pdus.ReadBlobRsp, values),
    st.lists(handles, min_size=2, max_size=6).map(lambda xs: pdus.ReadMultipleReq(tuple(xs))),
    st.builds(pdus.ReadMultipleRsp, values),
    st.lists(handles, min_size=2, max_size=6).map(
        lambda xs: pdus.ReadMultipleVariableReq(tuple(xs))),
    st.lists(values, max_size=4).map(
        lambda vs: pdus.ReadMultipleVariableRsp(tuple((len(v), v) for v in vs))),
    st.builds(pdus.ReadByGroupTypeReq, handles, handles, uuids),
    st.integers(0, 16).flatmap(
        lambda n: st.lists(st.tuples(handles, handles, st.binary(min_size=n, max_size=n)),
                           min_size=1, max_size=4)).map(
        lambda xs: pdus.ReadByGroupTypeRsp(tuple(xs))),
    st.builds(pdus.WriteReq, handles, values),
    st.just(pdus.WriteRsp()),
    st.builds(pdus.WriteCmd, handles, values),
    st.builds(pdus.SignedWriteCmd, handles, values, st.binary(min_size=12, max_size=12)),
    st.builds(pdus.PrepareWriteReq, handles, handles, values),
    st.builds(pdus.PrepareWriteRsp, handles, handles, values),
    st.builds(pdus.ExecuteWriteReq, st.integers(0, 255)),
    st.just(pdus.ExecuteWriteRsp()),
    st.builds(pdus.HandleValueNtf, handles, values),
    st.builds(pdus.HandleValueInd, handles, values),
    st.just(pdus.HandleValueCfm()),
    st.lists(st.tuples(handles, values), min_size=1, max_size=4).map(
        lambda xs: pdus.MultipleHandleValueNtf(tuple(xs))),
)


@given(PDU_STRATEGIES)
def test_every_pdu_decodes_to_what_was_encoded(pdu: pdus.AttPdu) -> None:
    encoded = pdu.encode()
    assert encoded[0] == pdu.OPCODE
    assert decode(encoded) == pdu


def test_every_opcode_has_a_pdu_class() -> None:
    assert {cls.OPCODE for cls in pdus.PDU_CLASSES} == set(Opcode)


def test_read_request_from_the_spec_bytes() -> None:
    assert decode(bytes.fromhex("0a0300")) == pdus.ReadReq(3)


def test_error_response_matches_gatt_sr_gar_bi_02_c_bytes() -> None:
    rsp = pdus.ErrorRsp(Opcode.READ_REQ, 0x0000, ErrorCode.INVALID_HANDLE)
    assert rsp.encode() == bytes.fromhex("010a000001")


def test_error_response_shorter_than_five_octets_is_malformed() -> None:
    """C6: an Error Response shorter than 5 octets is malformed, never read past its end."""
    with pytest.raises(AttDecodeError) as info:
        decode(bytes.fromhex("010a00"))
    assert info.value.opcode == Opcode.ERROR_RSP


def test_unknown_error_code_still_decodes() -> None:
    rsp = decode(bytes.fromhex("010a030085"))
    assert isinstance(rsp, pdus.ErrorRsp)
    assert rsp.error_code == 0x85
    assert rsp.error_code.name == "APPLICATION_ERROR_0x85"


def test_read_request_with_one_octet_handle_is_malformed() -> None:
    """A1: a request shorter than its fixed format is an Invalid PDU."""
    with pytest.raises(AttDecodeError) as info:
        decode(b"\x0a\x03")
    assert info.value.opcode == Opcode.READ_REQ


def test_read_request_with_trailing_garbage_is_malformed() -> None:
    """A2: a request padded with trailing bytes is rejected, not truncated."""
    with pytest.raises(AttDecodeError):
        decode(b"\x0a\x03\x00" + bytes(111))


def test_read_by_type_with_a_uuid_of_three_octets_is_malformed() -> None:
    """A8: Read By Type UUID must be 2 or 16 octets."""
    with pytest.raises(AttDecodeError):
        decode(bytes.fromhex("080100ffff000028"))


def test_read_multiple_with_one_handle_is_malformed() -> None:
    """A9: Read Multiple needs two or more handles."""
    with pytest.raises(AttDecodeError):
        decode(bytes.fromhex("0e0300"))


def test_find_information_response_with_empty_body_is_malformed() -> None:
    """C1: empty Find Information Response or bad format byte ends the procedure."""
    with pytest.raises(AttDecodeError):
        decode(b"\x05")
    with pytest.raises(AttDecodeError):
        decode(bytes.fromhex("0503010000"))


@pytest.mark.parametrize("body", ["00", "01", "030100020003", "0201"])
def test_read_by_type_response_with_bad_entry_length_is_malformed(body: str) -> None:
    """C2: entry length 0, below 2, or not dividing the data is rejected."""
    with pytest.raises(AttDecodeError):
        decode(bytes.fromhex("09" + body))


@pytest.mark.parametrize("body", ["00", "03010002000300", "0501000200"])
def test_read_by_group_type_response_with_bad_entry_length_is_malformed(body: str) -> None:
    """C2: group entries need at least 4 octets and must divide the data."""
    with pytest.raises(AttDecodeError):
        decode(bytes.fromhex("11" + body))


def test_unknown_opcode_raises_unknown_opcode_error() -> None:
    with pytest.raises(UnknownOpcodeError) as info:
        decode(b"\x3f\x00")
    assert info.value.opcode == 0x3F


def test_empty_pdu_is_malformed() -> None:
    with pytest.raises(AttDecodeError):
        decode(b"")


def test_notification_hot_path_decodes_handle_and_value() -> None:
    ntf = decode(bytes.fromhex("1b2a00010203"))
    assert ntf == pdus.HandleValueNtf(0x002A, b"\x01\x02\x03")


def test_truncated_notification_is_malformed() -> None:
    with pytest.raises(AttDecodeError):
        decode(b"\x1b\x01")


def test_signed_write_without_signature_is_malformed() -> None:
    with pytest.raises(AttDecodeError):
        decode(bytes.fromhex("d2120013 37".replace(" ", "")))


def test_find_information_response_uses_128_bit_format_for_32_bit_uuids() -> None:
    rsp = pdus.FindInformationRsp(((5, UUID(0x12345678)),))
    assert rsp.format == 2
    assert decode(rsp.encode()) == rsp


def test_read_multiple_variable_response_keeps_a_truncated_last_value() -> None:
    rsp = decode(bytes.fromhex("21" + "0200aabb" + "0500cc"))
    assert rsp == pdus.ReadMultipleVariableRsp(((2, b"\xaa\xbb"), (5, b"\xcc")))


def test_read_multiple_variable_response_with_a_cut_length_field_is_malformed() -> None:
    with pytest.raises(AttDecodeError):
        decode(bytes.fromhex("21" + "0100aa" + "05"))


@given(st.binary(max_size=30))
def test_decode_never_raises_anything_but_att_decode_error(data: bytes) -> None:
    try:
        decode(data)
    except AttDecodeError:
        pass
