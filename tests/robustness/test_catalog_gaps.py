"""Bad-input catalog cases (security-and-conformance.md 1.2) no layer's own tests covered yet.

Each test drives a sans-I/O core (or a core helper with an injected `send`) directly; the case ID
leads the docstring so docs/robustness.md can point here.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from aioble_hci.att.client import AttClient
from aioble_hci.att.errors import BearerClosedError
from aioble_hci.att.events import TransactionTimedOut
from aioble_hci.att.procedures import Read
from aioble_hci.att.server import AttServer
from aioble_hci.hci import commands as cmd
from aioble_hci.hci.acl import AclReassembler
from aioble_hci.hci.errors import HciDecodeError
from aioble_hci.hci.events import parse_event
from aioble_hci.host.flow import AclFlow, CommandFlow
from aioble_hci.host.startup import initialise
from aioble_hci.smp.config import SecurityConfig
from tests.att.drive import hear, serve, tick
from tests.fuzz.att import make_database
from tests.smp.link import CENTRAL_IDENTITY, PERIPHERAL_IDENTITY, Link

# -- H3: bogus buffer sizes at init --------------------------------------------------------------

_ANSWERS: dict[type, bytes] = {
    cmd.Reset: b"\x00",
    cmd.ReadLocalVersionInformation: bytes((0, 0x0B, 0x34, 0x12, 0x0B, 0x59, 0x00, 0x78, 0x56)),
    cmd.ReadLocalSupportedCommands: bytes(65),
    cmd.ReadLocalSupportedFeatures: bytes(9),
    cmd.LeReadLocalSupportedFeatures: bytes(9),
    cmd.ReadBdAddr: bytes((0, 1, 2, 3, 4, 5, 6)),
    cmd.SetEventMask: b"\x00",
    cmd.LeSetEventMask: b"\x00",
}


def _controller(le_buffer: bytes, shared_buffer: bytes) -> tuple[Any, list[str]]:
    """A `send` answering the init sequence from wire bytes, with the given buffer answers."""
    answers = dict(_ANSWERS)
    answers[cmd.LeReadBufferSize] = le_buffer
    answers[cmd.ReadBufferSize] = shared_buffer
    sent: list[str] = []

    async def send(command: Any) -> Any:
        sent.append(type(command).__name__)
        return type(command).parse_return(answers[type(command)])

    return send, sent


def test_h3_le_read_buffer_size_of_zero_falls_back_to_the_shared_acl_buffers() -> None:
    """H3: LE Read Buffer Size 0/0 means "use Read Buffer Size" (Vol 4 Part E, 7.8.2)."""
    send, sent = _controller(b"\x00\x00\x00\x00", bytes((0, 27, 0, 0, 4, 0, 0, 0)))
    info = asyncio.run(initialise(send))
    assert "ReadBufferSize" in sent
    assert (info.acl_data_packet_length, info.total_num_acl_data_packets) == (27, 4)


def test_h3_all_buffer_sizes_zero_never_give_a_zero_fragment_size_or_zero_credits() -> None:
    """H3: a controller answering 0 everywhere: init completes, and ACL flow clamps to 1 x 1
    (never divides by or allocates zero); a PDU still goes out, one octet per packet."""
    send, _ = _controller(b"\x00\x00\x00\x00", bytes(8))
    info = asyncio.run(initialise(send))
    out: list[bytes] = []
    flow = AclFlow(out.append)
    flow.configure(info.acl_data_packet_length, info.total_num_acl_data_packets)
    assert flow.send_pdu(0x0040, b"\x01\x00\x04\x00\x0a") == 5
    assert len(out) == 1 and flow.credits == 0


# -- H4: answers for commands never sent ---------------------------------------------------------

def test_h4_command_complete_for_a_command_never_sent_is_ignored_but_its_credits_count() -> None:
    """H4: an unsolicited Command Complete completes nothing and raises nothing."""
    flow = CommandFlow(lambda packet: None)
    assert flow.on_answer(0x0C03, 3, object()) is False
    assert flow.unexpected_answers == 1
    assert flow.credits == 3
    assert flow.in_flight == 0


def test_h4_answer_for_another_opcode_never_completes_the_pending_command() -> None:
    """H4: Command Complete for Read BD_ADDR while Reset is pending leaves Reset pending."""

    async def scenario() -> None:
        sent: list[bytes] = []
        flow = CommandFlow(sent.append)
        task = asyncio.ensure_future(flow.submit(cmd.Reset(), timeout=5.0))
        await asyncio.sleep(0)
        assert flow.is_in_flight(int(cmd.Reset.OPCODE))
        flow.on_answer(int(cmd.ReadBdAddr.OPCODE), 1, "stray")
        await asyncio.sleep(0)
        assert not task.done()
        flow.on_answer(int(cmd.Reset.OPCODE), 1, "reset done")
        assert await task == "reset done"

    asyncio.run(scenario())


# -- H5: state for unknown handles ---------------------------------------------------------------

def test_h5_completed_packets_for_an_unknown_handle_create_no_state_and_no_credits() -> None:
    """H5: Number Of Completed Packets naming a handle with nothing outstanding changes nothing."""
    out: list[bytes] = []
    flow = AclFlow(out.append)
    flow.configure(27, 2)
    flow.send_pdu(0x0040, bytes(4))  # one packet in flight on 0x0040
    flow.on_completed(0x0EFF, 5)
    assert flow.credits == 1
    assert flow.in_flight(0x0EFF) == 0 and 0x0EFF not in flow.core.handles_in_flight()
    flow.on_completed(0x0040, 9)  # more than outstanding: credits never exceed the total
    assert flow.credits == 2


# -- H1: legacy advertising report data longer than 31 octets ------------------------------------

def _legacy_report(data_length: int, data: bytes) -> bytes:
    params = b"\x02\x01" + b"\x00\x00" + bytes(range(1, 7)) + bytes((data_length,)) + data + b"\xc0"
    return bytes((0x3E, len(params))) + params


def test_h1_legacy_report_whose_data_length_runs_past_the_event_is_refused() -> None:
    """H1: Data_Length 0xFF with two octets present: HciDecodeError, nothing read past the event."""
    with pytest.raises(HciDecodeError, match="Advertising Report"):
        parse_event(_legacy_report(0xFF, b"ab"))


def test_h1_legacy_report_with_more_than_31_octets_of_data_is_refused() -> None:
    """H1, "data-length field exceeds the legacy 31 bytes": LE Advertising Report Data_Length
    is 0-31 (Vol 4 Part E, 7.7.65.2); a report with 32 octets (consistent with the event
    length) used to decode and reach the scan merger (hci layer, fixed in 27f9f41)."""
    with pytest.raises(HciDecodeError, match="32 octets of data"):
        parse_event(_legacy_report(32, bytes(32)))


# -- L2 (HCI side): reassembly never holds more than the maximum ---------------------------------

def test_l2_partial_pdu_never_grows_past_the_reassembly_maximum() -> None:
    """L2: a start fragment too short for the L2CAP header, then a huge continuation: the
    declared length is checked as soon as it is known and the buffer is dropped."""
    reassembler = AclReassembler(max_pdu_length=64)
    assert reassembler.feed(b"\x40\x20\x02\x00\xff\xff") is None
    with pytest.raises(HciDecodeError):  # 65539 octets declared under a 64-octet maximum
        reassembler.feed(b"\x40\x10\x02\x01" + bytes(0x102))
    assert reassembler.pending(0x040) == 0


# -- A21: timers terminate and never re-arm ------------------------------------------------------

def test_a21_unconfirmed_indication_times_out_once_and_the_timer_never_rearms() -> None:
    """A21: after the 30 s transaction timeout the server reports once, then stays quiet."""
    server = AttServer(make_database())
    serve(server, b"\x02\xb9\x00", 0.0)
    server.indicate(0x0003, b"x", now=0.0)
    assert server.get_timer() == 30.0
    first = tick(server, 31.0)
    assert any(isinstance(e, TransactionTimedOut) for e in first)
    assert server.get_timer() is None  # the core asks for no timer any more
    for t in range(32, 200, 7):
        assert tick(server, float(t)) == []
    assert serve(server, b"\x0a\x03\x00", 200.0).response is None
    with pytest.raises(BearerClosedError):  # no indication on a timed-out bearer
        server.indicate(0x0003, b"y", now=201.0)


def test_a21_client_transaction_timeout_fires_once_and_queued_procedures_end() -> None:
    """A21 (client side): a silent server times out the request once; every queued procedure
    finishes with an error; later polls and PDUs produce nothing."""
    client = AttClient()
    first, second = client.submit(Read(3), now=0.0), client.submit(Read(5), now=0.0)
    assert client.get_timer() == 30.0
    events = tick(client, 30.0)
    assert sum(isinstance(e, TransactionTimedOut) for e in events) == 1
    assert client.get_timer() is None
    assert first.done and second.done and first.error is not None and second.error is not None
    assert tick(client, 60.0) == [] and tick(client, 90.0) == []
    assert hear(client, b"\x0b\x01", 91.0) == []
    assert client.data_to_send() == []


# -- S5: RFU AuthReq bits (SM/PER/JW/BI-03-C, SM/PER/SCJW/BV-03-C) -------------------------------

@pytest.mark.parametrize("secure_connections", [False, True], ids=["legacy", "secure-connections"])
def test_s5_rfu_authreq_bits_from_the_initiator_are_ignored_and_pairing_succeeds(
    secure_connections: bool,
) -> None:
    """S5: the initiator sets the RFU AuthReq bits (1, 6, 7) in its Pairing Request, as the
    lower tester does; the responder answers with RFU = 0 and both sides complete pairing
    (the confirm values use the request exactly as received)."""
    link = Link(
        SecurityConfig(identity=CENTRAL_IDENTITY, secure_connections=secure_connections),
        SecurityConfig(identity=PERIPHERAL_IDENTITY, secure_connections=secure_connections),
    )
    tester_auth_req = link.central.session._auth_req
    link.central.session._auth_req = lambda: tester_auth_req() | 0xC2  # type: ignore[method-assign]
    link.pair()
    request, response = link.central.sent[0], link.peripheral.sent[0]
    assert request[0] == 0x01 and request[3] & 0xC2 == 0xC2
    assert response[0] == 0x02 and response[3] & 0xC2 == 0
    assert link.central.complete is not None and link.peripheral.complete is not None
    assert link.central.failed is None and link.peripheral.failed is None
