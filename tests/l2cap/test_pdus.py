"""Codec tests for L2CAP basic frames and signalling commands (Core Vol 3 Part A, 3.1 and 4)."""

from __future__ import annotations

import pytest

from aioble_hci.l2cap import pdus
from aioble_hci.l2cap.pdus import (
    CommandRejectReason,
    CommandRejectRsp,
    ConnectionParameterUpdateReq,
    ConnectionParameterUpdateRsp,
    CreditBasedConnectionReq,
    CreditBasedConnectionResult,
    CreditBasedConnectionRsp,
    CreditBasedReconfigureReq,
    CreditBasedReconfigureResult,
    CreditBasedReconfigureRsp,
    DisconnectionReq,
    DisconnectionRsp,
    FlowControlCreditInd,
    L2capDecodeError,
    LeCreditBasedConnectionReq,
    LeCreditBasedConnectionResult,
    LeCreditBasedConnectionRsp,
    RawCommand,
    decode_command,
    encode_command,
    split_command,
)

EVERY_COMMAND = [
    CommandRejectRsp(CommandRejectReason.COMMAND_NOT_UNDERSTOOD),
    CommandRejectRsp(CommandRejectReason.SIGNALING_MTU_EXCEEDED, actual_mtu=23),
    CommandRejectRsp(CommandRejectReason.INVALID_CID_IN_REQUEST, local_cid=0x40, remote_cid=0x41),
    DisconnectionReq(0x40, 0x41),
    DisconnectionRsp(0x40, 0x41),
    ConnectionParameterUpdateReq(6, 12, 0, 100),
    ConnectionParameterUpdateRsp(1),
    LeCreditBasedConnectionReq(0x80, 0x40, 512, 247, 10),
    LeCreditBasedConnectionRsp(
        0x41, 100, 50, 3, LeCreditBasedConnectionResult.CONNECTION_SUCCESSFUL
    ),
    FlowControlCreditInd(0x40, 7),
    CreditBasedConnectionReq(0x80, 64, 64, 1, (0x40, 0x41, 0x42, 0x43, 0x44)),
    CreditBasedConnectionRsp(
        64, 64, 1, CreditBasedConnectionResult.ALL_CONNECTIONS_SUCCESSFUL, (0x40, 0)
    ),
    CreditBasedReconfigureReq(100, 64, (0x40,)),
    CreditBasedReconfigureRsp(CreditBasedReconfigureResult.RECONFIGURATION_SUCCESSFUL),
]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: type(c).__name__)
def test_every_command_round_trips_through_its_c_frame(command: pdus.AnyCommand) -> None:
    frame = encode_command(9, command)
    raw = split_command(frame)
    assert (raw.code, raw.identifier) == (command.CODE, 9)
    assert decode_command(raw) == command


def test_le_credit_based_connection_request_has_the_spec_layout() -> None:
    """The BlueZ "Nval SCID" request bytes decode field by field."""
    raw = split_command(bytes.fromhex("1401 0a00") + bytes.fromhex("80000100200020000500"))
    assert decode_command(raw) == LeCreditBasedConnectionReq(0x0080, 0x0001, 32, 32, 5)


def test_basic_frame_round_trips() -> None:
    frame = pdus.encode_basic_frame(0x0004, b"\x0a\x03\x00")
    assert frame == bytes.fromhex("0300 0400 0a0300")
    assert pdus.decode_basic_frame(frame) == (4, b"\x0a\x03\x00")


def test_truncated_basic_frame_is_never_complete() -> None:
    """L1: a header announcing more octets than delivered is malformed, not short-processed."""
    with pytest.raises(L2capDecodeError):
        pdus.decode_basic_frame(bytes.fromhex("0500 0400 0a0300"))


def test_command_length_field_must_match_the_frame() -> None:
    """L5: internal length disagreeing with the frame is rejected before reading data."""
    with pytest.raises(L2capDecodeError):
        split_command(bytes.fromhex("14 01 0a00 800001"))


def test_le_credit_request_with_three_data_octets_fails_to_decode() -> None:
    """L5: LE Credit Based Connection Request with 3 data bytes."""
    with pytest.raises(L2capDecodeError):
        decode_command(RawCommand(0x14, 1, b"\x80\x00\x40"))


@pytest.mark.parametrize("count", [0, 6, 7])
def test_ecfc_request_with_other_than_one_to_five_cids_fails_to_decode(count: int) -> None:
    """L9: never more than five SCIDs."""
    data = bytes(8) + bytes(2 * count)
    with pytest.raises(L2capDecodeError):
        CreditBasedConnectionReq.from_bytes(data)


def test_ecfc_request_with_odd_cid_octets_fails_to_decode() -> None:
    with pytest.raises(L2capDecodeError):
        CreditBasedConnectionReq.from_bytes(bytes(8) + b"\x40\x00\x41")


def test_unknown_result_codes_stay_ints() -> None:
    rsp = ConnectionParameterUpdateRsp.from_bytes(b"\x07\x00")
    assert rsp.result == 7
