"""Connection timing on the realistic air, measured on a virtual clock (exact, whatever the load).

A link layer sends data only in connection events, one interval apart (Vol 6 Part B, 4.5.1). A
reply cannot leave in the event that carried its request: the peer's host has not seen the
request before that event ends. So an ATT Write Request answered at once by the server's host
takes more than one interval and at most two (the wait for the next event, then one interval).
"""

from __future__ import annotations

import asyncio
import struct

from aioble_hci.controller.air import Air
from aioble_hci.controller.controller import VirtualController
from aioble_hci.hci.packets import PacketType
from tests.controller.rawhost import RawHost
from tests.controller.virtual_clock import VirtualClockLoop, run_on_virtual_clock

CENTRAL_ADDRESS = "111111111111"
PERIPHERAL = (0, bytes.fromhex("222222222222"))
LE_ENHANCED_CONNECTION_COMPLETE = 0x0A
INTERVAL_MIN, INTERVAL_MAX = 24, 40  # x 1.25 ms: NimBLE's 30-50 ms as MicroPython asks for it
UNIT = 1.25e-3

ATT_CID = 0x0004
WRITE_REQ, WRITE_RSP = 0x12, 0x13


def l2cap(pdu: bytes) -> bytes:
    return struct.pack("<HH", len(pdu), ATT_CID) + pdu


def acl_packet(handle: int, data: bytes) -> bytes:
    return struct.pack("<HH", handle, len(data)) + data  # PB 00: first non-flushable (Vol 4 Part E, 5.4.2)


async def realistic_pair(loop: VirtualClockLoop) -> tuple[RawHost, RawHost]:
    air = Air(loop=loop, fast=False)
    hosts = []
    for address in (CENTRAL_ADDRESS, "222222222222"):
        host = RawHost(VirtualController(air))
        await host.init()
        await host.ok(0xFC06, bytes.fromhex(address))  # Zephyr Write BD_ADDR
        hosts.append(host)
    return hosts[0], hosts[1]


def create_connection(interval_min: int, interval_max: int) -> bytes:
    """LE Create Connection parameters (Vol 4 Part E, 7.8.12)."""
    return struct.pack("<HHBB6sBHHHHHH", 0x10, 0x10, 0, PERIPHERAL[0], PERIPHERAL[1], 0,
                       interval_min, interval_max, 0, 400, 0, 0)


def complete_fields(params: bytes) -> tuple[int, int, int]:
    """(status, handle, Connection_Interval) of LE Enhanced Connection Complete (7.7.65.10)."""
    status, handle, *_rest, interval, _latency, _timeout, _sca = struct.unpack("<BHBB6s6s6sHHHB", params)
    return status, handle, interval


async def connect(central: RawHost, peripheral: RawHost) -> tuple[int, int, int, int]:
    """Connect with NimBLE's 30-50 ms range: (central handle, peripheral handle, both intervals)."""
    await peripheral.advertise(adv_type=0)
    assert await central.command(0x200D, create_connection(INTERVAL_MIN, INTERVAL_MAX)) == b"\x00"
    status, central_handle, central_interval = complete_fields(await central.le_event(LE_ENHANCED_CONNECTION_COMPLETE))
    assert status == 0
    status, peripheral_handle, peripheral_interval = complete_fields(
        await peripheral.le_event(LE_ENHANCED_CONNECTION_COMPLETE))
    assert status == 0
    return central_handle, peripheral_handle, central_interval, peripheral_interval


def test_the_central_chooses_the_maximum_of_the_requested_interval_range():
    """Vol 4 Part E, 7.8.12 lets the controller pick any interval in [Min, Max]; Zephyr's link
    layer (the controller of our dongles) takes Connection_Interval_Max. Both ends report it in
    LE Connection Complete (7.7.65.10)."""

    async def scenario(loop: VirtualClockLoop) -> tuple[int, int]:
        central, peripheral = await realistic_pair(loop)
        _ch, _ph, central_interval, peripheral_interval = await connect(central, peripheral)
        return central_interval, peripheral_interval

    assert run_on_virtual_clock(scenario) == (INTERVAL_MAX, INTERVAL_MAX)


def answer_writes_at_once(peripheral: RawHost, handle: int, arrivals: list[float], loop: VirtualClockLoop) -> None:
    """The peripheral's host answers every Write Request with a Write Response the moment it
    arrives, from inside the controller's delivery (no host is faster than that)."""
    controller = peripheral.controller
    keep = peripheral._sink

    def sink(packet_type: PacketType, payload: bytes) -> None:
        keep(packet_type, payload)
        if packet_type == PacketType.ACL and payload[8] == WRITE_REQ:
            arrivals.append(loop.time())
            controller.process(PacketType.ACL, acl_packet(handle, l2cap(bytes((WRITE_RSP,)))))

    controller.attach(sink)


async def write_round_trip(loop: VirtualClockLoop, central: RawHost, handle: int) -> float:
    sent = loop.time()
    central.send_acl(handle, l2cap(struct.pack("<BH", WRITE_REQ, 0x0003) + b"x"))
    while True:
        _h, _pb, data = await central.receive_acl()
        if data[4] == WRITE_RSP:
            return loop.time() - sent


def test_a_write_with_response_takes_one_to_two_connection_intervals():
    """Vol 6 Part B, 4.5.1: data waits for the next connection event, and the response goes in
    the event after the one that carried the request. Writes started at four points of the
    interval each take more than one interval and at most two."""

    async def scenario(loop: VirtualClockLoop) -> tuple[float, list[float], list[float]]:
        central, peripheral = await realistic_pair(loop)
        ch, ph, interval, _ = await connect(central, peripheral)
        step = interval * UNIT
        answer_writes_at_once(peripheral, ph, [], loop)
        trips = []
        for phase in (0.1, 0.35, 0.6, 0.85):
            # Each write starts `phase` of an interval after a connection event (the last
            # round trip ended on one, and the link keeps its event grid while idle).
            await asyncio.sleep(step * (1 + phase))
            trips.append(await write_round_trip(loop, central, ch))
        return step, trips, [t / step for t in trips]

    step, trips, in_intervals = run_on_virtual_clock(scenario)
    assert all(1.0 < n <= 2.0 + 1e-9 for n in in_intervals), (step, trips)
    # Where in the interval the write starts decides the wait: the later, the shorter.
    assert in_intervals == sorted(in_intervals, reverse=True), in_intervals


def test_a_reply_given_during_the_event_that_carried_the_request_waits_for_the_next_event():
    """The peer's host answers inside the delivery of the request; the answer still leaves one
    interval later, in the next connection event, never in the event that carried the request."""

    async def scenario(loop: VirtualClockLoop) -> tuple[float, list[float], float]:
        central, peripheral = await realistic_pair(loop)
        ch, ph, interval, _ = await connect(central, peripheral)
        arrivals: list[float] = []
        answer_writes_at_once(peripheral, ph, arrivals, loop)
        central.send_acl(ch, l2cap(struct.pack("<BH", WRITE_REQ, 0x0003) + b"x"))
        while True:
            _h, _pb, data = await central.receive_acl()
            if data[4] == WRITE_RSP:
                return interval * UNIT, arrivals, loop.time()

    step, arrivals, answered = run_on_virtual_clock(scenario)
    assert len(arrivals) == 1
    assert abs((answered - arrivals[0]) - step) < 1e-9, (answered - arrivals[0], step)
