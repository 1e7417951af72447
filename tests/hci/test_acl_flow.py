"""HCI ACL flow control as a sans-I/O core (Core Vol 4 Part E, 4.1.1: no more ACL packets than
the controller has buffers; 7.7.19: Number Of Completed Packets returns them; 4.3: a
disconnection frees the buffers of its handle)."""

from __future__ import annotations

from aioble_hci.hci.acl_flow import AclFlowCore

A, B = 0x0040, 0x0041


def pdu(length: int) -> bytes:
    return length.to_bytes(2, "little") + b"\x04\x00" + bytes(length)


def test_no_more_packets_than_buffers_until_completed() -> None:
    core = AclFlowCore()
    core.configure(27, 2)
    assert core.send_pdu(A, pdu(60)) == 3  # 64 octets in 27-octet fragments
    first = core.data_to_send()
    assert [handle for handle, _ in first] == [A, A] and core.credits == 0
    assert core.data_to_send() == []
    core.receive_completed(A, 1)
    assert [handle for handle, _ in core.data_to_send()] == [A]
    assert core.queued == 0 and core.in_flight(A) == 2


def test_completions_beyond_what_is_outstanding_give_no_credit() -> None:
    core = AclFlowCore()
    core.configure(27, 2)
    core.send_pdu(A, pdu(4))
    core.data_to_send()
    core.receive_completed(B, 5)
    assert core.credits == 1 and B not in core.handles_in_flight()
    core.receive_completed(A, 9)
    assert core.credits == 2


def test_a_disconnection_frees_its_buffers_and_drops_its_queue() -> None:
    core = AclFlowCore()
    core.configure(27, 1)
    core.send_pdu(A, pdu(4))
    core.send_pdu(A, pdu(4))
    core.send_pdu(B, pdu(4))
    assert [h for h, _ in core.data_to_send()] == [A]
    core.disconnected(A)
    assert [h for h, _ in core.data_to_send()] == [B]
    assert core.queued_handles() == set() and core.handles_in_flight() == {B}


def test_a_refused_packet_gives_its_credit_to_the_next() -> None:
    core = AclFlowCore()
    core.configure(27, 1)
    core.send_pdu(A, pdu(4))
    core.send_pdu(B, pdu(4))
    assert [h for h, _ in core.data_to_send()] == [A]
    core.send_failed(A)
    assert [h for h, _ in core.data_to_send()] == [B] and core.in_flight(A) == 0


def test_hold_stops_sending_until_configured_again() -> None:
    """Data Buffer Overflow: the credit count is no longer trusted until buffers are re-read."""
    core = AclFlowCore()
    core.configure(27, 4)
    core.hold()
    core.send_pdu(A, pdu(4))
    assert core.data_to_send() == []
    core.configure(27, 4)
    assert [h for h, _ in core.data_to_send()] == [A]
