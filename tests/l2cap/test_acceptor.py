"""What an SPSM's acceptor learns about an incoming request: the link and the CIDs to be given."""

from __future__ import annotations

from aioble_hci.l2cap.manager import L2capChannelManager, Role
from aioble_hci.l2cap.pdus import (
    CreditBasedConnectionReq,
    CreditBasedConnectionRsp,
    LeCreditBasedConnectionReq,
    LeCreditBasedConnectionResult,
    LeCreditBasedConnectionRsp,
)
from aioble_hci.l2cap.spsm import CocServer, ConnectionRequestInfo

from .helpers import SPSM, c_frame, signaling_out

HANDLE = 0x0042


def _manager(seen: list[ConnectionRequestInfo], refuse: bool = False) -> L2capChannelManager:
    def acceptor(info: ConnectionRequestInfo) -> LeCreditBasedConnectionResult | None:
        seen.append(info)
        return LeCreditBasedConnectionResult.INSUFFICIENT_AUTHORIZATION if refuse else None

    manager = L2capChannelManager(Role.PERIPHERAL, connection_handle=HANDLE)
    manager.register_server(CocServer(SPSM, mtu=100, mps=50, initial_credits=2, acceptor=acceptor))
    return manager


def test_le_acceptor_learns_the_connection_handle_and_the_cid_the_response_then_carries() -> None:
    seen: list[ConnectionRequestInfo] = []
    manager = _manager(seen)
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(SPSM, 0x0040, 64, 30, 5)), now=0.0)
    ((_, rsp),) = signaling_out(manager.data_to_send())

    assert isinstance(rsp, LeCreditBasedConnectionRsp)
    (info,) = seen
    assert info.connection_handle == HANDLE and info.peer_cids == (0x0040,)
    assert info.local_cids == (rsp.destination_cid,)
    assert rsp.destination_cid in manager.channels


def test_le_acceptor_is_told_the_next_free_cid_when_one_is_in_use() -> None:
    seen: list[ConnectionRequestInfo] = []
    manager = _manager(seen)
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(SPSM, 0x0040, 64, 30, 5)), now=0.0)
    manager.receive(c_frame(2, LeCreditBasedConnectionReq(SPSM, 0x0041, 64, 30, 5)), now=0.0)
    responses = [cmd for _, cmd in signaling_out(manager.data_to_send())]

    assert [info.local_cids for info in seen] == [
        (rsp.destination_cid,) for rsp in responses if isinstance(rsp, LeCreditBasedConnectionRsp)
    ]
    assert seen[0].local_cids != seen[1].local_cids


def test_refused_le_request_allocates_nothing() -> None:
    seen: list[ConnectionRequestInfo] = []
    manager = _manager(seen, refuse=True)
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(SPSM, 0x0040, 64, 30, 5)), now=0.0)
    ((_, rsp),) = signaling_out(manager.data_to_send())

    assert len(seen[0].local_cids) == 1
    assert rsp.result == LeCreditBasedConnectionResult.INSUFFICIENT_AUTHORIZATION
    assert manager.channels == {}


def test_ecfc_acceptor_learns_the_cid_each_peer_cid_gets() -> None:
    seen: list[ConnectionRequestInfo] = []
    manager = _manager(seen)
    manager.receive(c_frame(1, CreditBasedConnectionReq(SPSM, 100, 64, 5, (0x0040, 0x0041, 0x0042))), now=0.0)
    ((_, rsp),) = signaling_out(manager.data_to_send())

    assert isinstance(rsp, CreditBasedConnectionRsp)
    (info,) = seen
    assert info.enhanced and info.connection_handle == HANDLE
    assert info.local_cids == tuple(rsp.destination_cids)


def test_manager_made_without_a_handle_tells_the_acceptor_none() -> None:
    seen: list[ConnectionRequestInfo] = []
    manager = L2capChannelManager(Role.PERIPHERAL)
    manager.register_server(CocServer(SPSM, acceptor=lambda info: seen.append(info)))
    manager.receive(c_frame(1, LeCreditBasedConnectionReq(SPSM, 0x0040, 64, 30, 5)), now=0.0)

    assert seen[0].connection_handle is None
