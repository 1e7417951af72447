"""L2CAP bad-input cases L1-L17 (shared/reference/security-and-conformance.md, section 1.2).

Each test feeds the bad input to one manager and checks the spec's answer: a drop, a
Command Reject, a refusal result, or the channel disconnected. Nothing may raise.
"""

from __future__ import annotations

import struct

from aioble_hci.l2cap.events import ChannelClosed, FixedChannelData, SduReceived
from aioble_hci.l2cap.manager import L2capChannelManager, Role
from aioble_hci.l2cap.pdus import (
    CommandRejectReason,
    CommandRejectRsp,
    ConnectionParameterUpdateReq,
    ConnectionParameterUpdateRsp,
    CreditBasedConnectionReq,
    CreditBasedConnectionResult,
    CreditBasedReconfigureReq,
    CreditBasedReconfigureResult,
    DisconnectionReq,
    FlowControlCreditInd,
    LeCreditBasedConnectionReq,
    LeCreditBasedConnectionRsp,
)
from aioble_hci.l2cap.spsm import CocServer

from .helpers import (
    SPSM,
    assert_channel_disconnected,
    c_frame,
    iut,
    kframe,
    open_from_tester,
    raw_c_frame,
    signaling_out,
)


def signals(manager: L2capChannelManager) -> list:
    return [
        c
        for _, c in signaling_out(manager.data_to_send())
        if not isinstance(c, FlowControlCreditInd)
    ]


def test_l1_truncated_basic_frame_is_dropped() -> None:
    """L1: header announces 5 octets (an ATT Read Request) but only 3 arrive."""
    manager = iut()
    assert manager.receive(bytes.fromhex("0500 0400 0a0300"), now=0.0) == []
    assert manager.data_to_send() == []


def test_l2_frame_longer_than_its_header_is_dropped() -> None:
    """L2 (L2CAP side): octets past the announced length are never processed."""
    manager = iut()
    assert manager.receive(bytes.fromhex("0100 0400 0a0300"), now=0.0) == []
    assert manager.data_to_send() == []


def test_l3_frame_on_unknown_fixed_cid_is_silently_discarded() -> None:
    """L3: CID 0x0007 over LE."""
    manager = iut()
    assert manager.receive(bytes.fromhex("0200 0700 0102"), now=0.0) == []
    assert manager.data_to_send() == []


def test_l3_att_and_smp_frames_are_handed_to_their_layers() -> None:
    """Counterpart of L3: the fixed channels that do exist reach their owners."""
    manager = iut()
    assert manager.receive(bytes.fromhex("0300 0400 0a0300"), now=0.0) == [
        FixedChannelData(4, b"\x0a\x03\x00")
    ]
    assert manager.receive(bytes.fromhex("0100 0600 0b"), now=0.0) == [FixedChannelData(6, b"\x0b")]


def test_l4_unknown_signalling_code_gets_command_not_understood() -> None:
    """L4: a BR/EDR-only command (Information Request 0x0A) on the LE channel."""
    manager = iut()
    manager.receive(raw_c_frame(0x0A, 0x33, b"\x02\x00"), now=0.0)
    assert signals(manager) == [CommandRejectRsp(CommandRejectReason.COMMAND_NOT_UNDERSTOOD)]


def test_l5_le_credit_request_with_three_data_octets_is_rejected() -> None:
    """L5: rejected without reading past the command, nothing allocated."""
    manager = iut()
    manager.receive(raw_c_frame(0x14, 5, b"\x80\x00\x40"), now=0.0)
    assert signals(manager) == [CommandRejectRsp(CommandRejectReason.COMMAND_NOT_UNDERSTOOD)]
    assert manager.channels == {}


def test_l5_length_field_disagreeing_with_frame_is_rejected() -> None:
    """L5: command length says 10, the frame carries 4."""
    manager = iut()
    manager.receive(bytes.fromhex("0800 0500 14050a00 80004000"), now=0.0)
    assert signals(manager) == [CommandRejectRsp(CommandRejectReason.COMMAND_NOT_UNDERSTOOD)]
    assert manager.channels == {}


def test_l6_spsm_zero_is_not_supported() -> None:
    """L6: SPSM 0x0000 -> result 0x0002, nothing allocated."""
    manager = iut()
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(0x0000, 0x0040, 64, 30, 5)), now=0.0)
    assert signals(manager) == [LeCreditBasedConnectionRsp(0, 0, 0, 0, 0x0002)]
    assert manager.channels == {}


def test_l6_spsm_above_ff_is_not_supported_even_if_registered_low_byte() -> None:
    """L6: SPSM 0x0180 (0x80 in the low byte, outside the LE range) -> 0x0002."""
    manager = iut()
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(0x0180, 0x0040, 64, 30, 5)), now=0.0)
    assert signals(manager) == [LeCreditBasedConnectionRsp(0, 0, 0, 0, 0x0002)]
    assert manager.channels == {}


def test_l7_scid_in_fixed_range_is_an_invalid_source_cid() -> None:
    """L7: BlueZ "LE Server - Nval SCID" bytes -> zeros and result 0x0009."""
    manager = iut()
    manager.receive(raw_c_frame(0x14, 1, bytes.fromhex("80000100200020000500")), now=0.0)
    assert signals(manager) == [LeCreditBasedConnectionRsp(0, 0, 0, 0, 0x0009)]
    assert manager.channels == {}


def test_l7_scid_already_in_use_is_refused() -> None:
    """L7: second request with a SCID the tester already uses -> 0x000A."""
    manager = iut()
    open_from_tester(manager, scid=0x0050)
    manager.receive(c_frame(2, LeCreditBasedConnectionReq(SPSM, 0x0050, 64, 30, 5)), now=0.0)
    assert signals(manager) == [LeCreditBasedConnectionRsp(0, 0, 0, 0, 0x000A)]


def test_l8_le_request_with_mtu_below_23_is_unacceptable() -> None:
    manager = iut()
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(SPSM, 0x0040, 22, 30, 5)), now=0.0)
    assert signals(manager) == [LeCreditBasedConnectionRsp(0, 0, 0, 0, 0x000B)]


def test_l8_le_request_with_mps_outside_23_to_65533_is_unacceptable() -> None:
    for mps in (22, 65534):
        manager = iut()
        manager.receive(c_frame(1, LeCreditBasedConnectionReq(SPSM, 0x0040, 100, mps, 5)), now=0.0)
        assert signals(manager) == [LeCreditBasedConnectionRsp(0, 0, 0, 0, 0x000B)]
        assert manager.channels == {}


def test_l8_ecfc_request_with_mps_below_64_is_unacceptable() -> None:
    manager = iut()
    manager.receive(c_frame(1, CreditBasedConnectionReq(SPSM, 64, 63, 5, (0x40,))), now=0.0)
    (rsp,) = signals(manager)
    assert rsp.result == CreditBasedConnectionResult.ALL_CONNECTIONS_REFUSED_UNACCEPTABLE_PARAMETERS
    assert manager.channels == {}


def test_l9_ecfc_request_with_six_scids_is_refused_as_invalid_parameters() -> None:
    """L9: more than 5 SCIDs (needs a signalling MTU that lets the 24-octet frame in)."""
    manager = iut(signaling_mtu=64)
    data = struct.pack("<HHHH6H", SPSM, 64, 64, 3, *range(0x40, 0x46))
    manager.receive(raw_c_frame(0x17, 1, data), now=0.0)
    (rsp,) = signals(manager)
    assert rsp.result == CreditBasedConnectionResult.ALL_CONNECTIONS_REFUSED_INVALID_PARAMETERS
    assert len(rsp.destination_cids) == 5 and set(rsp.destination_cids) == {0}
    assert manager.channels == {}


def test_l9_ecfc_request_over_the_minimum_signalling_mtu_is_rejected() -> None:
    """L9 at the default MTU_sig of 23: the 24-octet C-frame gets MTU exceeded, nothing opens."""
    manager = iut()
    data = struct.pack("<HHHH6H", SPSM, 64, 64, 3, *range(0x40, 0x46))
    manager.receive(raw_c_frame(0x17, 1, data), now=0.0)
    assert signals(manager) == [
        CommandRejectRsp(CommandRejectReason.SIGNALING_MTU_EXCEEDED, actual_mtu=23)
    ]
    assert manager.channels == {}


def test_l9_ecfc_some_invalid_scids_refuse_only_those() -> None:
    manager = iut(server=CocServer(SPSM, mtu=100, mps=64))
    manager.receive(c_frame(1, CreditBasedConnectionReq(SPSM, 64, 64, 3, (0x40, 0x01, 0x40))), now=0.0)
    (rsp,) = signals(manager)
    assert rsp.destination_cids[0] != 0 and rsp.destination_cids[1:] == (0, 0)
    assert len(manager.channels) == 1


def test_l10_reconfigure_with_unknown_dcid_is_refused() -> None:
    manager = iut(server=CocServer(SPSM, mtu=100, mps=64))
    manager.receive(c_frame(1, CreditBasedConnectionReq(SPSM, 64, 64, 3, (0x40,))), now=0.0)
    manager.data_to_send()
    manager.receive(c_frame(2, CreditBasedReconfigureReq(100, 64, (0x41,))), now=0.0)
    assert [r.result for r in signals(manager)] == [
        CreditBasedReconfigureResult.RECONFIGURATION_FAILED_ONE_OR_MORE_DESTINATION_CIDS_INVALID
    ]


def test_l10_reconfigure_with_six_dcids_is_refused_without_overrun() -> None:
    manager = iut(signaling_mtu=64)
    manager.receive(raw_c_frame(0x19, 2, struct.pack("<HH6H", 100, 64, *range(0x40, 0x46))), now=0.0)
    assert [r.result for r in signals(manager)] == [
        CreditBasedReconfigureResult.RECONFIGURATION_FAILED_OTHER_UNACCEPTABLE_PARAMETERS
    ]


def test_l11_credits_past_65535_disconnect_the_channel() -> None:
    """L11: the tester gave 5 credits, then 65531 more."""
    manager = iut()
    cid = open_from_tester(manager, credits=5)
    events = manager.receive(c_frame(2, FlowControlCreditInd(0x0040, 65531)), now=0.0)
    assert_channel_disconnected(manager, cid, events)


def test_l11_credits_up_to_65535_are_fine() -> None:
    manager = iut()
    cid = open_from_tester(manager, credits=5)
    manager.receive(c_frame(2, FlowControlCreditInd(0x0040, 65530)), now=0.0)
    assert manager.channels[cid].tx_credits == 65535
    assert signals(manager) == []


def test_l12_kframe_with_zero_initial_credits_disconnects() -> None:
    """L12: the IUT granted no credits at all; any K-frame is a violation."""
    manager = iut(server=CocServer(SPSM, initial_credits=0))
    cid = open_from_tester(manager)
    assert_channel_disconnected(manager, cid, manager.receive(kframe(cid, b"\x01\x00A"), now=0.0))


def test_l13_first_kframe_with_one_octet_sdu_length_disconnects() -> None:
    """L13: the 2-octet SDU length is truncated to 1 octet."""
    manager = iut()
    cid = open_from_tester(manager)
    assert_channel_disconnected(manager, cid, manager.receive(kframe(cid, b"\x05"), now=0.0))


def test_l14_sdu_length_above_mtu_disconnects() -> None:
    manager = iut()
    cid = open_from_tester(manager)
    events = manager.receive(kframe(cid, struct.pack("<H", 101)), now=0.0)
    assert_channel_disconnected(manager, cid, events)


def test_l14_kframe_above_mps_disconnects() -> None:
    manager = iut()
    cid = open_from_tester(manager)
    events = manager.receive(kframe(cid, struct.pack("<H", 90) + bytes(49)), now=0.0)
    assert_channel_disconnected(manager, cid, events)


def test_l14_segments_summing_past_sdu_length_disconnect() -> None:
    manager = iut()
    cid = open_from_tester(manager)
    manager.receive(kframe(cid, struct.pack("<H", 50) + bytes(48)), now=0.0)
    assert_channel_disconnected(manager, cid, manager.receive(kframe(cid, bytes(3)), now=0.0))


def test_l15_disconnection_request_for_missing_dcid_is_rejected() -> None:
    manager = iut()
    manager.receive(c_frame(6, DisconnectionReq(0x0077, 0x0042)), now=0.0)
    assert signals(manager) == [
        CommandRejectRsp(
            CommandRejectReason.INVALID_CID_IN_REQUEST, local_cid=0x0077, remote_cid=0x0042
        )
    ]


def test_l15_disconnection_request_with_wrong_scid_is_ignored() -> None:
    """Vol 3 Part A, 4.6: DCID known but SCID not matching -> silently discarded."""
    manager = iut()
    cid = open_from_tester(manager, scid=0x0040)
    assert manager.receive(c_frame(6, DisconnectionReq(cid, 0x0041)), now=0.0) == []
    assert signals(manager) == []
    assert cid in manager.channels


def test_l16_connection_parameters_out_of_range_are_rejected_by_central() -> None:
    bad = [
        ConnectionParameterUpdateReq(40, 24, 0, 400),  # min > max
        ConnectionParameterUpdateReq(5, 24, 0, 400),  # interval below 7.5 ms
        ConnectionParameterUpdateReq(24, 3201, 0, 3200),  # interval above 4 s
        ConnectionParameterUpdateReq(24, 40, 500, 3200),  # latency above 499
        ConnectionParameterUpdateReq(24, 40, 0, 9),  # timeout below 100 ms
        ConnectionParameterUpdateReq(24, 40, 0, 3201),  # timeout above 32 s
        ConnectionParameterUpdateReq(24, 40, 4, 50),  # 500 ms not above (1+4)*50 ms*2
    ]
    for request in bad:
        manager = L2capChannelManager(Role.CENTRAL)
        assert manager.receive(c_frame(3, request), now=0.0) == [], request
        assert signals(manager) == [ConnectionParameterUpdateRsp(0x0001)], request


def test_l16_connection_parameter_update_request_to_peripheral_is_rejected() -> None:
    manager = L2capChannelManager(Role.PERIPHERAL)
    manager.receive(c_frame(3, ConnectionParameterUpdateReq(24, 40, 0, 400)), now=0.0)
    assert signals(manager) == [CommandRejectRsp(CommandRejectReason.COMMAND_NOT_UNDERSTOOD)]


def test_l17_disconnect_mid_sdu_tears_down_reassembly_and_frees_the_cid() -> None:
    """L17 (L2CAP side): the peer disconnects right after a partial SDU; no state survives."""
    manager = iut()
    cid = open_from_tester(manager)
    manager.receive(kframe(cid, struct.pack("<H", 90) + bytes(48)), now=0.0)
    events = manager.receive(c_frame(4, DisconnectionReq(cid, 0x0040)), now=0.0)
    assert events == [ChannelClosed(cid, "peer disconnected", True)]
    assert manager.channels == {}
    manager.data_to_send()
    again = open_from_tester(manager, scid=0x0040)
    assert again == cid
    assert manager.receive(kframe(again, b"\x02\x00hi"), now=0.0) == [SduReceived(again, b"hi")]
