"""A whole GATT client session driven from inside IRQ handlers (MicroPython's ble_irq_calls pattern)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

import bluetooth
from bluetooth import UUID
from tests.bluetooth_ble.conftest import Recorder

Pair = tuple[tuple[Any, Recorder], tuple[Any, Recorder]]
SERVICE = UUID("A5A5A5A5-FFFF-9999-1111-5A5A5A5A5A5A")
CHAR = UUID("00000000-1111-2222-3333-444444444444")


def test_a_client_session_chained_from_irq_handlers(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    ((char,),) = p.gatts_register_services(
        ((SERVICE, ((CHAR, bluetooth.FLAG_READ | bluetooth.FLAG_NOTIFY),)),))
    p.gatts_write(char, b"value")
    state: dict[str, Any] = {}

    def on_event(event: int, data: tuple[Any, ...]) -> None:
        if event == 7:
            c.gattc_discover_services(data[0], SERVICE)
        elif event == 9:
            state["range"] = data[1:3]
        elif event == 10:
            c.gattc_discover_characteristics(data[0], *state["range"])
        elif event == 11:
            state["value_handle"] = data[2]
        elif event == 12:
            c.gattc_discover_descriptors(data[0], *state["range"])
        elif event == 13:
            state.setdefault("descriptors", []).append(data[2])
        elif event == 14:
            c.gattc_exchange_mtu(data[0])
        elif event == 21:
            c.gattc_read(data[0], state["value_handle"])
        elif event == 15:
            state["read"] = data[2]
        elif event == 16:
            assert c.gap_disconnect(data[0]) is True

    def route(code: int) -> Callable[[tuple[Any, ...]], None]:
        return lambda data: on_event(code, data)

    for code in (7, 9, 10, 11, 12, 13, 14, 21, 15, 16):
        crec.answers[code] = route(code)
    p.gap_advertise(20_000, b"")
    c.gap_connect(*p.config("mac"))
    crec.wait(8)
    assert state["range"][1] - state["range"][0] == 3
    assert state["descriptors"] == [UUID(0x2803), CHAR, UUID(0x2902)]
    assert state["read"] == b"value"
    prec.wait(2)
    # The handler was set before active(True), so it saw our IRK being looked up and stored (29, 30);
    # then the session's events and nothing else (no CONNECTION_UPDATE).
    assert [e for e, _ in prec.seen] == [29, 30, 1, 21, 4, 2]


def test_deep_recursion_inside_a_handler_raises_in_the_handler(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    caught: list[type] = []

    def recurse(n: int) -> int:
        return recurse(n + 1) + 1

    def on_connect(data: tuple[Any, ...]) -> None:
        try:
            recurse(0)
        except RecursionError as exc:
            caught.append(type(exc))

    prec.answers[1] = on_connect
    p.gap_advertise(20_000, b"")
    c.gap_connect(*p.config("mac"))
    prec.wait(1)
    assert caught == [RecursionError]


def test_an_exception_in_an_irq_handler_is_printed_and_switches_the_handler_off(
        pair: Pair, capsys: pytest.CaptureFixture[str]) -> None:
    """modbluetooth.c: an exception escaping the handler prints ``Unhandled exception in IRQ
    callback handler`` and the traceback on the console, and sets the handler to None: no
    further IRQs until irq() is called again. The host thread carries on."""
    (p, prec), (c, crec) = pair

    def broken(data: tuple[Any, ...]) -> None:
        raise RuntimeError("bug in the application's handler")

    crec.answers[7] = broken
    p.gap_advertise(20_000, b"")
    c.gap_connect(*p.config("mac"))
    conn = crec.wait(7)[0]
    assert c.gap_disconnect(conn) is True  # the host thread still answers calls
    prec.wait(2)
    while c.gap_disconnect(conn):  # False once the central has handled the disconnection (IRQ 8 unseen)
        time.sleep(0.01)
    del crec.answers[7]
    c.irq(crec)  # on again: the next events arrive
    p.gap_advertise(20_000, b"")
    c.gap_connect(*p.config("mac"))
    crec.wait(7)
    assert [event for event, _ in crec.seen if event in (7, 8)] == [7, 7]  # no PERIPHERAL_DISCONNECT while off
    out, err = capsys.readouterr()
    assert out.startswith("Unhandled exception in IRQ callback handler\nTraceback (most recent call last):\n")
    assert out.endswith("RuntimeError: bug in the application's handler\n")
    assert err == ""
