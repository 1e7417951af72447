"""One ATT implementation serves every API: an opcode the server does not know gets the same
answer over the ``bluetooth`` facade and over the host's GATT API.

Vol 3 Part F 3.3 (and 3.4.1.1): a server that receives a request it does not support answers
with ATT_ERROR_RSP, Error Code Request Not Supported (0x06), the request's opcode and handle
0x0000; a command it does not support (bit 6 of the opcode set, 3.3.1) is ignored.
"""

from __future__ import annotations

import asyncio
import queue
import struct
from typing import Any

from aioble_hci.controller.air import Air
from aioble_hci.l2cap.pdus import FixedCid
from tests.bluetooth_ble.conftest import WAIT, Recorder
from tests.gatt_host.pair import connected_stacks, start_host

UNKNOWN_REQUEST = 0x30  # no version of the spec defines it; bit 6 (Command Flag) clear
UNKNOWN_COMMAND = 0x70  # the same with the Command Flag set
READ_REQ, READ_RSP, ERROR_RSP = 0x0A, 0x0B, 0x01
REQUEST_NOT_SUPPORTED = 0x06
GAP_SERVICE_DECLARATION = 0x0001  # the first attribute of both servers: the GAP service

Pair = tuple[tuple[Any, Recorder], tuple[Any, Recorder]]


def request_not_supported(opcode: int) -> bytes:
    """ATT_ERROR_RSP: Request Opcode In Error, Attribute Handle In Error 0x0000, Error Code 0x06."""
    return struct.pack("<BBHB", ERROR_RSP, opcode, 0x0000, REQUEST_NOT_SUPPORTED)


# --- over the bluetooth facade --------------------------------------------------------------------


def test_the_bluetooth_facade_answers_an_unknown_request_with_request_not_supported(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    p.gatts_register_services(())
    p.gap_advertise(20_000, b"\x02\x01\x06")
    c.gap_connect(*p.config("mac"))
    prec.wait(1)
    conn = crec.wait(7)[0]
    # The central's ATT channel goes to the test from now on: it sends raw PDUs and sees the answers.
    answers: queue.Queue[bytes] = queue.Queue()
    l2cap = c._stack.l2cap

    def tap_and_send(pdus: list[bytes]) -> None:
        l2cap.register_fixed_channel(FixedCid.ATT, lambda _connection, pdu: answers.put(bytes(pdu)))
        link = c._stack.connection(conn)
        for pdu in pdus:
            l2cap.send_fixed(link, FixedCid.ATT, pdu)

    c._stack.runtime.invoke(tap_and_send, [
        bytes((UNKNOWN_REQUEST, 0x01, 0x02)),
        bytes((UNKNOWN_COMMAND, 0x01, 0x02)),
        struct.pack("<BH", READ_REQ, GAP_SERVICE_DECLARATION),
    ])
    assert answers.get(timeout=WAIT) == request_not_supported(UNKNOWN_REQUEST)
    # The unknown command got no answer: the next PDU answers the read sent after it.
    assert answers.get(timeout=WAIT)[0] == READ_RSP


# --- over the host API ----------------------------------------------------------------------------


async def test_the_host_gatt_server_answers_an_unknown_request_with_request_not_supported() -> None:
    air = Air(loop=asyncio.get_running_loop(), fast=True)
    central_host, peripheral_host = await start_host(air), await start_host(air)
    try:
        central, _peripheral = await connected_stacks(central_host, peripheral_host)
        answers: asyncio.Queue[bytes] = asyncio.Queue()
        central.l2cap.register_fixed_channel(FixedCid.ATT, lambda _connection, pdu: answers.put_nowait(bytes(pdu)))
        for pdu in (bytes((UNKNOWN_REQUEST, 0x01, 0x02)), bytes((UNKNOWN_COMMAND, 0x01, 0x02)),
                    struct.pack("<BH", READ_REQ, GAP_SERVICE_DECLARATION)):
            central.l2cap.send_fixed(central.connection, FixedCid.ATT, pdu)
        assert await asyncio.wait_for(answers.get(), WAIT) == request_not_supported(UNKNOWN_REQUEST)
        assert (await asyncio.wait_for(answers.get(), WAIT))[0] == READ_RSP
    finally:
        await central_host.close()
        await peripheral_host.close()
