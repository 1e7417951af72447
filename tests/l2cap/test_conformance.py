"""L2CAP LE conformance cases (shared/reference/security-and-conformance.md, section 4.3).

The test acts as the Lower Tester: it feeds raw frames to one manager (the IUT) and checks the
frames that come out.
"""

from __future__ import annotations

import struct

import pytest

from aioble_hci.l2cap.events import (
    ConnectionParameterUpdateRequested,
    SduReceived,
)
from aioble_hci.l2cap.manager import L2capChannelManager, L2capUsageError, Role
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
    FlowControlCreditInd,
    LeCreditBasedConnectionReq,
    LeCreditBasedConnectionResult,
    LeCreditBasedConnectionRsp,
)
from aioble_hci.l2cap.spsm import CocServer, LinkSecurity, SecurityRequirement

from .helpers import (
    SPSM,
    assert_channel_disconnected,
    c_frame,
    data_out,
    iut,
    kframe,
    open_from_tester,
    raw_c_frame,
    signaling_out,
)

VALID_CPU = ConnectionParameterUpdateReq(24, 40, 0, 400)


def only_signal(manager: L2capChannelManager):
    ((identifier, command),) = signaling_out(manager.data_to_send())
    return identifier, command


# -- connection parameter update ------------------------------------------------------------------


def test_peripheral_sends_connection_parameter_update_request() -> None:
    """L2CAP/LE/CPU/BV-01-C: the IUT peripheral sends code 0x12."""
    manager = L2capChannelManager(Role.PERIPHERAL)
    identifier = manager.request_connection_parameter_update(24, 40, 0, 400, now=0.0)
    frames = manager.data_to_send()
    assert frames[0][4] == 0x12
    assert signaling_out(frames) == [(identifier, VALID_CPU)]


def test_central_accepts_a_valid_connection_parameter_update() -> None:
    """L2CAP/LE/CPU/BV-02-C: response 0x13 with result 0x0000 after the host accepts."""
    manager = L2capChannelManager(Role.CENTRAL)
    events = manager.receive(c_frame(7, VALID_CPU), now=0.0)
    assert events == [ConnectionParameterUpdateRequested(7, 24, 40, 0, 400)]
    manager.answer_connection_parameter_update(7, accept=True)
    assert only_signal(manager) == (7, ConnectionParameterUpdateRsp(0x0000))


def test_central_refuses_invalid_connection_parameters() -> None:
    """L2CAP/LE/CPU/BI-01-C: invalid parameters get result 0x0001 without asking the host."""
    manager = L2capChannelManager(Role.CENTRAL)
    events = manager.receive(c_frame(8, ConnectionParameterUpdateReq(40, 24, 0, 400)), now=0.0)
    assert events == []
    assert only_signal(manager) == (8, ConnectionParameterUpdateRsp(0x0001))


def test_peripheral_rejects_a_connection_parameter_update_request() -> None:
    """L2CAP/LE/CPU/BI-02-C: a peripheral answers Command Reject reason 0x0000."""
    manager = L2capChannelManager(Role.PERIPHERAL)
    assert manager.receive(c_frame(9, VALID_CPU), now=0.0) == []
    assert only_signal(manager) == (9, CommandRejectRsp(CommandRejectReason.COMMAND_NOT_UNDERSTOOD))


# -- rejects --------------------------------------------------------------------------------------


def test_unknown_signalling_command_is_rejected() -> None:
    """L2CAP/LE/REJ/BI-02-C: an unknown command gets Command Reject 0x0000."""
    manager = iut()
    manager.receive(raw_c_frame(0x1F, 0x21, b"\x01\x02"), now=0.0)
    assert only_signal(manager) == (
        0x21,
        CommandRejectRsp(CommandRejectReason.COMMAND_NOT_UNDERSTOOD),
    )


# -- LE credit-based channels ---------------------------------------------------------------------


def test_connection_on_registered_spsm_succeeds() -> None:
    """L2CAP/LE/CFC/BV-03-C: success with DCID, MTU, MPS and initial credits."""
    manager = iut(server=CocServer(SPSM, mtu=100, mps=50, initial_credits=2))
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(SPSM, 0x0040, 64, 30, 5)), now=0.0)
    identifier, rsp = only_signal(manager)
    assert (identifier, rsp) == (
        1,
        LeCreditBasedConnectionRsp(
            0x0040, 100, 50, 2, LeCreditBasedConnectionResult.CONNECTION_SUCCESSFUL
        ),
    )


def test_connection_on_unsupported_spsm_is_refused() -> None:
    """L2CAP/LE/CFC/BV-05-C: result 0x0002."""
    manager = iut()
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(0x0081, 0x0040, 64, 30, 5)), now=0.0)
    assert only_signal(manager) == (1, LeCreditBasedConnectionRsp(0, 0, 0, 0, 0x0002))
    assert manager.channels == {}


def test_iut_stops_at_zero_credits_and_resumes_after_credit_indication() -> None:
    """L2CAP/LE/CFC/BV-06-C."""
    manager = iut()
    cid = open_from_tester(manager, mps=23, credits=2)
    manager.send_sdu(cid, bytes(range(80)))  # 4 K-frames at MPS 23
    first = data_out(manager.data_to_send())
    assert len(first) == 2
    assert manager.data_to_send() == []
    manager.receive(c_frame(2, FlowControlCreditInd(0x0040, 5)), now=0.0)
    rest = data_out(manager.data_to_send())
    assert len(rest) == 2
    payload = b"".join(p for _, p in first + rest)
    assert payload == struct.pack("<H", 80) + bytes(range(80))


def test_more_kframes_than_credits_disconnects_the_channel() -> None:
    """L2CAP/LE/CFC/BI-01-C: the IUT granted 2 credits; a third K-frame ends the channel."""
    manager = iut(server=CocServer(SPSM, mtu=100, mps=50, initial_credits=2, auto_credits=False))
    cid = open_from_tester(manager)
    assert manager.receive(kframe(cid, b"\x01\x00A"), now=0.0) == [SduReceived(cid, b"A")]
    assert manager.receive(kframe(cid, b"\x01\x00B"), now=0.0) == [SduReceived(cid, b"B")]
    assert_channel_disconnected(manager, cid, manager.receive(kframe(cid, b"\x01\x00C"), now=0.0))


def test_reused_scid_is_refused_as_already_allocated() -> None:
    """L2CAP/LE/CFC/BV-20-C: result 0x000A."""
    manager = iut()
    open_from_tester(manager, scid=0x0041)
    manager.receive(c_frame(3, LeCreditBasedConnectionReq(SPSM, 0x0041, 64, 30, 5)), now=0.0)
    assert only_signal(manager) == (3, LeCreditBasedConnectionRsp(0, 0, 0, 0, 0x000A))
    assert len(manager.channels) == 1


def test_sdu_length_above_mtu_disconnects() -> None:
    """L2CAP/LE/CFC/BV-26-C: first K-frame announces an SDU longer than the IUT's MTU (100)."""
    manager = iut()
    cid = open_from_tester(manager)
    assert_channel_disconnected(manager, cid, manager.receive(kframe(cid, struct.pack("<H", 101) + b"x"), now=0.0))


def test_kframe_above_mps_disconnects() -> None:
    """L2CAP/LE/CFC/BV-27-C: K-frame payload longer than the IUT's MPS (50)."""
    manager = iut()
    cid = open_from_tester(manager)
    assert_channel_disconnected(
        manager, cid, manager.receive(kframe(cid, struct.pack("<H", 60) + bytes(49)), now=0.0)
    )


def test_segments_beyond_sdu_length_disconnect() -> None:
    """L2CAP/LE/CFC/BV-28-C: the K-frames carry more octets than the SDU length announced."""
    manager = iut()
    cid = open_from_tester(manager)
    manager.receive(kframe(cid, struct.pack("<H", 10) + bytes(8)), now=0.0)
    assert_channel_disconnected(manager, cid, manager.receive(kframe(cid, bytes(3)), now=0.0))


def test_disconnection_request_for_unknown_dcid_is_rejected() -> None:
    """L2CAP/LE/CFC/BV-23-C: Command Reject 0x0002 naming the CIDs."""
    manager = iut()
    manager.receive(c_frame(4, DisconnectionReq(0x0055, 0x0040)), now=0.0)
    assert only_signal(manager) == (
        4,
        CommandRejectRsp(
            CommandRejectReason.INVALID_CID_IN_REQUEST, local_cid=0x0055, remote_cid=0x0040
        ),
    )


def _security_result(requirement: SecurityRequirement, link: LinkSecurity) -> int:
    manager = iut(server=CocServer(SPSM, security=requirement))
    manager.set_link_security(link)
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(SPSM, 0x0040, 64, 30, 5)), now=0.0)
    _, rsp = only_signal(manager)
    assert manager.channels == {} or rsp.result == 0
    return rsp.result


def test_psm_requiring_authentication_on_unauthenticated_link() -> None:
    """L2CAP/LE/CFC/BV-11-C: result 0x0005."""
    result = _security_result(
        SecurityRequirement(authentication=True), LinkSecurity(encrypted=True, key_size=16)
    )
    assert result == LeCreditBasedConnectionResult.INSUFFICIENT_AUTHENTICATION


def test_psm_requiring_authorization_refused_by_acceptor() -> None:
    """L2CAP/LE/CFC/BV-13-C: result 0x0006."""
    manager = iut(server=CocServer(SPSM, security=SecurityRequirement(authorization=True)))
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(SPSM, 0x0040, 64, 30, 5)), now=0.0)
    assert (
        only_signal(manager)[1].result == LeCreditBasedConnectionResult.INSUFFICIENT_AUTHORIZATION
    )


def test_psm_requiring_larger_key_on_short_key_link() -> None:
    """L2CAP/LE/CFC/BV-15-C: result 0x0007."""
    result = _security_result(
        SecurityRequirement(encryption=True, min_key_size=16),
        LinkSecurity(encrypted=True, key_size=7),
    )
    assert result == LeCreditBasedConnectionResult.ENCRYPTION_KEY_SIZE_TOO_SHORT


def test_psm_requiring_encryption_on_unencrypted_link() -> None:
    """L2CAP/LE/CFC/BV-25-C: result 0x0008."""
    result = _security_result(SecurityRequirement(encryption=True), LinkSecurity())
    assert result == LeCreditBasedConnectionResult.INSUFFICIENT_ENCRYPTION


def test_psm_security_met_opens_the_channel() -> None:
    """Counterpart of BV-11/15/25-C: a link meeting every requirement is accepted."""
    result = _security_result(
        SecurityRequirement(authentication=True, min_key_size=16),
        LinkSecurity(encrypted=True, authenticated=True, key_size=16),
    )
    assert result == LeCreditBasedConnectionResult.CONNECTION_SUCCESSFUL


# -- enhanced credit-based (ECFC) -----------------------------------------------------------------


def _ecfc_iut(count: int = 2) -> tuple[L2capChannelManager, list[int]]:
    manager = iut(server=CocServer(SPSM, mtu=100, mps=64, initial_credits=2))
    scids = tuple(range(0x0040, 0x0040 + count))
    manager.receive(c_frame(1, CreditBasedConnectionReq(SPSM, 100, 100, 3, scids)), now=0.0)
    _, rsp = only_signal(manager)
    assert rsp.result == CreditBasedConnectionResult.ALL_CONNECTIONS_SUCCESSFUL
    return manager, list(scids)


def test_reconfigure_decreasing_mtu_is_refused() -> None:
    """L2CAP/ECFC/BI-03-C: result 0x0001."""
    manager, scids = _ecfc_iut()
    manager.receive(c_frame(2, CreditBasedReconfigureReq(80, 100, tuple(scids))), now=0.0)
    assert only_signal(manager) == (
        2,
        CreditBasedReconfigureRsp(
            CreditBasedReconfigureResult.RECONFIGURATION_FAILED_REDUCTION_IN_SIZE_OF_MTU_NOT_ALLOWED
        ),
    )
    assert all(c.peer_mtu == 100 for c in manager.channels.values())


def test_reconfigure_decreasing_mps_on_several_channels_is_refused() -> None:
    """L2CAP/ECFC/BI-04-C: result 0x0002."""
    manager, scids = _ecfc_iut()
    manager.receive(c_frame(2, CreditBasedReconfigureReq(120, 80, tuple(scids))), now=0.0)
    assert only_signal(manager)[1].result == 0x0002


def test_reconfigure_naming_invalid_dcid_is_refused() -> None:
    """L2CAP/ECFC/BI-05-C: result 0x0003."""
    manager, scids = _ecfc_iut()
    manager.receive(c_frame(2, CreditBasedReconfigureReq(120, 100, (scids[0], 0x007E))), now=0.0)
    assert only_signal(manager)[1].result == 0x0003
    assert all(c.peer_mtu == 100 for c in manager.channels.values())


def test_reconfigure_of_a_channel_opened_with_the_le_credit_based_request_is_refused() -> None:
    """Vol 3 Part A 4.27: reconfiguration applies to channels created with
    L2CAP_CREDIT_BASED_CONNECTION_REQ (0x17). A channel opened with the LE request (0x14) is
    no valid Destination CID for it: result 0x0003 (4.28), and the channel keeps its MTU/MPS."""
    manager = iut(server=CocServer(SPSM, mtu=100, mps=64, initial_credits=2))
    open_from_tester(manager, scid=0x0040, mtu=100, mps=64)
    manager.receive(c_frame(2, CreditBasedReconfigureReq(200, 100, (0x0040,))), now=0.0)
    assert only_signal(manager) == (
        2,
        CreditBasedReconfigureRsp(
            CreditBasedReconfigureResult.RECONFIGURATION_FAILED_ONE_OR_MORE_DESTINATION_CIDS_INVALID
        ),
    )
    ((channel_mtu, channel_mps),) = [(c.peer_mtu, c.peer_mps) for c in manager.channels.values()]
    assert (channel_mtu, channel_mps) == (100, 64)


def test_reconfigure_naming_an_le_channel_among_enhanced_ones_is_refused_for_all() -> None:
    """Vol 3 Part A 4.27-4.28: the request is all or nothing; one LE credit-based channel among
    enhanced ones makes it 0x0003 and no channel changes."""
    manager, scids = _ecfc_iut()
    open_from_tester(manager, scid=0x0050, mtu=100, mps=64)
    manager.receive(c_frame(2, CreditBasedReconfigureReq(200, 100, (scids[0], 0x0050))), now=0.0)
    assert only_signal(manager)[1].result == 0x0003
    assert all(c.peer_mtu == 100 for c in manager.channels.values())


def test_we_never_ask_to_reconfigure_an_le_credit_based_channel() -> None:
    """Vol 3 Part A 4.27: our own request may only name channels created with
    L2CAP_CREDIT_BASED_CONNECTION_REQ; naming an LE credit-based channel is a usage error."""
    manager = iut(server=CocServer(SPSM, mtu=100, mps=64, initial_credits=2))
    cid = open_from_tester(manager, scid=0x0040, mtu=100, mps=64)
    with pytest.raises(L2capUsageError, match="enhanced"):
        manager.reconfigure([cid], mtu=200, mps=100, now=0.0)
    assert manager.data_to_send() == []


def test_ecfc_request_with_unacceptable_parameters_is_refused() -> None:
    """L2CAP/ECFC/BV-21-C: MTU below 64 refuses all channels with 0x000B."""
    manager = iut()
    manager.receive(c_frame(1, CreditBasedConnectionReq(SPSM, 63, 64, 3, (0x40, 0x41))), now=0.0)
    assert only_signal(manager) == (
        1,
        CreditBasedConnectionRsp(
            0,
            0,
            0,
            CreditBasedConnectionResult.ALL_CONNECTIONS_REFUSED_UNACCEPTABLE_PARAMETERS,
            (0, 0),
        ),
    )
    assert manager.channels == {}


def test_ecfc_request_with_invalid_parameters_is_refused() -> None:
    """L2CAP/ECFC/BV-27-C: SCID octets that are not a whole number of CIDs -> 0x000C."""
    manager = iut()
    data = struct.pack("<HHHH", SPSM, 64, 64, 3) + bytes.fromhex("4000 4100 42")
    manager.receive(raw_c_frame(0x17, 1, data), now=0.0)
    identifier, rsp = only_signal(manager)
    assert identifier == 1
    assert rsp.result == CreditBasedConnectionResult.ALL_CONNECTIONS_REFUSED_INVALID_PARAMETERS
    assert set(rsp.destination_cids) <= {0}
    assert manager.channels == {}
