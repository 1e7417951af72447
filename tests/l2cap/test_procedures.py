"""Signalling procedures between two managers: parameter updates, timeouts, rejects."""

from __future__ import annotations

import pytest

from aioble_hci.l2cap.events import (
    ChannelOpened,
    ChannelOpenFailed,
    CommandRejected,
    ConnectionParameterUpdateAnswered,
    ConnectionParameterUpdateRequested,
    SignalingTimeout,
    )
from aioble_hci.l2cap.manager import L2capChannelManager, L2capUsageError, Role
from aioble_hci.l2cap.pdus import (
    CommandRejectReason,
    CommandRejectRsp,
    LeCreditBasedConnectionReq,
    )

from .helpers import SPSM, c_frame, make_link, of_type, signaling_out


@pytest.mark.parametrize(("accept", "result"), [(True, 0), (False, 1)], ids=["accepted", "rejected"])
def test_connection_parameter_update_answer_reaches_the_peripheral(accept: bool, result: int) -> None:
    link = make_link()
    link.peripheral.request_connection_parameter_update(24, 40, 0, 400, now=0.0)
    link.pump()
    central_events, _ = link.take()
    (asked,) = of_type(central_events, ConnectionParameterUpdateRequested)
    link.central.answer_connection_parameter_update(asked.identifier, accept=accept)
    link.pump()
    _, peripheral_events = link.take()
    assert peripheral_events == [ConnectionParameterUpdateAnswered(accept, result)]


def test_answering_an_unknown_parameter_update_is_a_usage_error() -> None:
    manager = L2capChannelManager(Role.CENTRAL)
    with pytest.raises(L2capUsageError):
        manager.answer_connection_parameter_update(42, accept=True)


def test_central_cannot_request_a_parameter_update() -> None:
    with pytest.raises(L2capUsageError):
        L2capChannelManager(Role.CENTRAL).request_connection_parameter_update(24, 40, 0, 400, now=0.0)


def test_connect_request_without_response_fails_after_rtx() -> None:
    manager = L2capChannelManager(Role.CENTRAL)
    cid = manager.connect_coc(SPSM, now=10.0)
    manager.data_to_send()
    assert manager.get_timer() == 40.0
    assert manager.handle_timer(39.0) == []
    events = manager.handle_timer(40.0)
    assert of_type(events, SignalingTimeout)[0].request == LeCreditBasedConnectionReq(
        SPSM, cid, 512, 247, 8
    )
    assert of_type(events, ChannelOpenFailed)[0].cid == cid
    assert manager.channels == {}


def test_late_response_after_rtx_is_dropped() -> None:
    manager = L2capChannelManager(Role.CENTRAL)
    manager.connect_coc(SPSM, now=0.0)
    ((identifier, _),) = signaling_out(manager.data_to_send())
    manager.handle_timer(30.0)
    from aioble_hci.l2cap.pdus import LeCreditBasedConnectionRsp

    late = manager.receive(c_frame(identifier, LeCreditBasedConnectionRsp(0x40, 64, 64, 1, 0)), now=0.0)
    assert of_type(late, ChannelOpened) == []
    assert manager.channels == {}


def test_command_reject_of_our_connect_request_fails_the_channel() -> None:
    manager = L2capChannelManager(Role.CENTRAL)
    cid = manager.connect_coc(SPSM, now=0.0)
    ((identifier, _),) = signaling_out(manager.data_to_send())
    events = manager.receive(
        c_frame(identifier, CommandRejectRsp(CommandRejectReason.COMMAND_NOT_UNDERSTOOD)),
        now=0.0,
    )
    assert of_type(events, CommandRejected)[0].reason == 0
    assert of_type(events, ChannelOpenFailed)[0].cid == cid
    assert manager.channels == {}


def test_parameter_update_sent_to_a_peripheral_comes_back_rejected() -> None:
    """Two peripherals (a misconfigured peer): the Command Reject completes our request."""
    link = make_link()
    link.peripheral.request_connection_parameter_update(24, 40, 0, 400, now=0.0)
    other = L2capChannelManager(Role.PERIPHERAL)
    for frame in link.peripheral.data_to_send():
        other.receive(frame, now=0.0)
    events = [e for frame in other.data_to_send() for e in link.peripheral.receive(frame, now=link.now)]
    assert of_type(events, CommandRejected)[0].reason == CommandRejectReason.COMMAND_NOT_UNDERSTOOD
    assert of_type(events, ConnectionParameterUpdateAnswered) == [
        ConnectionParameterUpdateAnswered(False, None)
    ]
    assert link.peripheral.get_timer() is None


def test_ecfc_partial_refusal_opens_the_accepted_channels_only() -> None:
    """The responder already uses one of our SCIDs' peers: that one fails, the rest open."""
    from aioble_hci.l2cap.pdus import CreditBasedConnectionReq, CreditBasedConnectionRsp

    manager = L2capChannelManager(Role.CENTRAL)
    cids = manager.connect_ecfc(SPSM, 3, mtu=100, mps=64, now=0.0)
    ((identifier, request),) = signaling_out(manager.data_to_send())
    assert isinstance(request, CreditBasedConnectionReq) and list(request.source_cids) == cids
    events = manager.receive(
        c_frame(identifier, CreditBasedConnectionRsp(80, 64, 2, 0x0009, (0x0050, 0, 0x0051))),
        now=0.0,
    )
    assert [e.cid for e in of_type(events, ChannelOpened)] == [cids[0], cids[2]]
    assert [(e.cid, e.result) for e in of_type(events, ChannelOpenFailed)] == [(cids[1], 0x0009)]
    assert sorted(manager.channels) == [cids[0], cids[2]]


def test_response_with_a_fixed_range_dcid_fails_the_channel() -> None:
    from aioble_hci.l2cap.pdus import LeCreditBasedConnectionRsp

    manager = L2capChannelManager(Role.CENTRAL)
    cid = manager.connect_coc(SPSM, now=0.0)
    ((identifier, _),) = signaling_out(manager.data_to_send())
    events = manager.receive(c_frame(identifier, LeCreditBasedConnectionRsp(0x0004, 64, 64, 1, 0)), now=0.0)
    assert of_type(events, ChannelOpenFailed)[0].cid == cid
    assert manager.channels == {}
