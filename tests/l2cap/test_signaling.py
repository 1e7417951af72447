"""The LE signalling channel bookkeeping (Core Vol 3 Part A, 4 and 6.2)."""

from __future__ import annotations

from aioble_hci.l2cap.pdus import (
    CommandRejectReason,
    CommandRejectRsp,
    ConnectionParameterUpdateReq,
    ConnectionParameterUpdateRsp,
    DisconnectionReq,
    DisconnectionRsp,
    FlowControlCreditInd,
    decode_basic_frame,
    decode_command,
    encode_command,
    split_command,
)
from aioble_hci.l2cap.signaling import (
    IncomingRequest,
    IncomingResponse,
    MalformedRequest,
    SignalingChannel,
)


def make() -> tuple[SignalingChannel, list[bytes]]:
    sent: list[bytes] = []
    return SignalingChannel(sent.append), sent


def sent_command(frame: bytes):
    cid, payload = decode_basic_frame(frame)
    assert cid == 0x0005
    raw = split_command(payload)
    return raw.identifier, decode_command(raw)


def test_identifiers_start_at_one_and_skip_pending_ones() -> None:
    sig, _ = make()
    ids = [sig.request(DisconnectionReq(0x40 + i, 0x40), now=0.0) for i in range(3)]
    assert ids == [1, 2, 3]


def test_identifier_wraps_after_255_without_zero() -> None:
    sig, _ = make()
    for _ in range(255):
        identifier = sig.request(FlowControlCreditInd(0x40, 1), now=0.0)
    assert identifier == 255
    assert sig.request(FlowControlCreditInd(0x40, 1), now=0.0) == 1


def test_response_is_matched_to_its_request_by_identifier() -> None:
    sig, _ = make()
    sig.request(DisconnectionReq(0x40, 0x41), now=0.0)
    second = sig.request(DisconnectionReq(0x42, 0x43), now=0.0)
    got = sig.receive(encode_command(second, DisconnectionRsp(0x42, 0x43)))
    assert isinstance(got, IncomingResponse)
    assert got.request.command == DisconnectionReq(0x42, 0x43)
    assert [p.identifier for p in sig.pending] == [1]


def test_unsolicited_response_is_dropped_silently() -> None:
    sig, sent = make()
    assert sig.receive(encode_command(7, DisconnectionRsp(0x40, 0x41))) is None
    assert sent == []


def test_response_with_the_wrong_code_does_not_complete_the_request() -> None:
    sig, _ = make()
    identifier = sig.request(DisconnectionReq(0x40, 0x41), now=0.0)
    assert sig.receive(encode_command(identifier, ConnectionParameterUpdateRsp(0))) is None
    assert len(sig.pending) == 1


def test_command_reject_completes_the_pending_request() -> None:
    sig, _ = make()
    identifier = sig.request(ConnectionParameterUpdateReq(6, 6, 0, 100), now=0.0)
    got = sig.receive(
        encode_command(identifier, CommandRejectRsp(CommandRejectReason.COMMAND_NOT_UNDERSTOOD))
    )
    assert isinstance(got, IncomingResponse)
    assert isinstance(got.response, CommandRejectRsp)


def test_unknown_code_gets_command_not_understood() -> None:
    """L4 / L2CAP/LE/REJ/BI-02-C at the signalling-channel level."""
    sig, sent = make()
    assert sig.receive(bytes.fromhex("20 05 0000")) is None
    assert sent_command(sent[0]) == (
        5,
        CommandRejectRsp(CommandRejectReason.COMMAND_NOT_UNDERSTOOD),
    )


def test_frame_over_signalling_mtu_gets_mtu_exceeded_with_our_mtu() -> None:
    sig, sent = make()
    sig.receive(bytes.fromhex("14 03 1400") + bytes(20))
    assert sent_command(sent[0]) == (
        3,
        CommandRejectRsp(CommandRejectReason.SIGNALING_MTU_EXCEEDED, actual_mtu=23),
    )


def test_malformed_request_goes_to_the_manager() -> None:
    sig, sent = make()
    got = sig.receive(bytes.fromhex("06 04 0200 4000"))
    assert isinstance(got, MalformedRequest)
    assert got.identifier == 4
    assert sent == []


def test_malformed_response_is_dropped_never_rejected() -> None:
    sig, sent = make()
    identifier = sig.request(DisconnectionReq(0x40, 0x41), now=0.0)
    assert sig.receive(bytes([0x07, identifier, 2, 0, 0x40, 0])) is None
    assert sent[1:] == []


def test_command_reject_is_never_answered_with_a_reject() -> None:
    sig, sent = make()
    assert sig.receive(bytes.fromhex("01 09 0100 00")) is None
    assert sent == []


def test_request_becomes_incoming_request() -> None:
    sig, _ = make()
    got = sig.receive(encode_command(2, DisconnectionReq(0x40, 0x41)))
    assert got == IncomingRequest(2, DisconnectionReq(0x40, 0x41))


def test_rtx_expires_after_thirty_seconds_of_the_callers_clock() -> None:
    sig, _ = make()
    sig.request(DisconnectionReq(0x40, 0x41), now=100.0)
    assert sig.next_deadline() == 130.0
    assert sig.expire(129.9) == []
    expired = sig.expire(130.0)
    assert [p.command for p in expired] == [DisconnectionReq(0x40, 0x41)]
    assert sig.next_deadline() is None


def test_indications_are_not_pending() -> None:
    sig, _ = make()
    sig.request(FlowControlCreditInd(0x40, 3), now=0.0)
    assert sig.pending == []
