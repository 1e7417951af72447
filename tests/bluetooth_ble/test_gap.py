"""Advertising, scanning, connecting and disconnecting through bluetooth.BLE."""

from __future__ import annotations

import errno
import threading
import time
from typing import Any

from tests.bluetooth_ble.conftest import Recorder

ADV = b"\x02\x01\x06\x05\x09test"
Pair = tuple[tuple[Any, Recorder], tuple[Any, Recorder]]


def _scan_types(central: Any, rec: Recorder, mac: bytes, count: int) -> list[int]:
    types: list[int] = []
    central.gap_scan(0, 30_000, 30_000)
    while len(types) < count:
        data = rec.wait(5, lambda d: d[1] == mac)
        assert data[4] == ADV
        types.append(data[2])
    central.gap_scan(None)
    return types


def test_non_connectable_then_connectable_advertising_gives_types_2_and_0(pair: Pair) -> None:
    (p, _), (c, crec) = pair
    mac = p.config("mac")[1]
    p.gap_advertise(20_000, ADV, connectable=False)
    assert set(_scan_types(c, crec, mac, 2)) == {2}
    crec.wait(6)
    p.gap_advertise(20_000, None)  # None keeps the payload
    assert set(_scan_types(c, crec, mac, 2)) == {0}


def test_stopping_a_scan_raises_scan_done_before_gap_scan_returns(pair: Pair) -> None:
    (_, _), (c, crec) = pair
    c.gap_scan(0)
    c.gap_scan(None)
    events = [e for e, _ in crec.drain()]
    assert 6 in events


def test_scan_with_a_duration_ends_with_scan_done(pair: Pair) -> None:
    (_, _), (c, crec) = pair
    c.gap_scan(50)
    assert crec.wait(6) == ()


def test_connect_and_disconnect_raise_irqs_1_7_then_2_8(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    p_mac, c_mac = p.config("mac"), c.config("mac")
    p.gap_advertise(20_000, ADV)
    c.gap_connect(*p_mac)
    handle_c, *peer_of_c = crec.wait(7)
    handle_p, *peer_of_p = prec.wait(1)
    assert tuple(peer_of_c) == p_mac and tuple(peer_of_p) == c_mac
    assert c.gap_disconnect(handle_c) is True
    assert crec.wait(8)[0] == handle_c
    assert prec.wait(2)[0] == handle_p
    assert c.gap_disconnect(handle_c) is False


def test_peripheral_can_disconnect_and_readvertise(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    p.gap_advertise(20_000, ADV)
    c.gap_connect(*p.config("mac"))
    handle_p = prec.wait(1)[0]
    crec.wait(7)
    assert p.gap_disconnect(handle_p) is True
    prec.wait(2)
    crec.wait(8)
    p.gap_advertise(20_000)
    c.gap_connect(*p.config("mac"), 5000)
    prec.wait(1)
    crec.wait(7)


def test_gap_connect_to_nobody_times_out_with_a_peripheral_disconnect(pair: Pair) -> None:
    """The NimBLE binding's failed connect: PERIPHERAL_DISCONNECT with BLE_HS_CONN_HANDLE_NONE,
    address type 0xff and an all-zero address (its addr buffer, never filled)."""
    (_, _), (c, crec) = pair
    c.gap_connect(0, b"\x00\x11\x22\x33\x44\x55", 50)
    assert crec.wait(8) == (0xFFFF, 0xFF, bytes(6))


def test_gap_connect_takes_none_as_the_default_for_duration_and_intervals(pair: Pair) -> None:
    """MicroPython's gap_connect: None for scan_duration_ms, min_ and max_conn_interval_us means
    the default (upstream aioble passes None in those positions)."""
    (p, prec), (c, crec) = pair
    p.gap_advertise(20_000, ADV)
    c.gap_connect(*p.config("mac"), None, None, None)
    conn = crec.wait(7)[0]
    prec.wait(1)
    assert c.gap_disconnect(conn) is True
    crec.wait(8)


def test_register_services_while_advertising_scanning_or_connected_is_ebusy(pair: Pair) -> None:
    """NimBLE's ble_gatts_reset: the database changes only when no GAP procedure runs (advertise,
    discover, connect) and no peer is connected, else BLE_HS_EBUSY, which the binding maps to
    EBUSY."""
    (p, prec), (c, crec) = pair

    def refused(ble: Any) -> bool:
        try:
            ble.gatts_register_services([])
        except OSError as exc:
            return exc.errno == errno.EBUSY
        return False

    assert p.gatts_register_services([]) == ()  # idle: allowed
    p.gap_advertise(20_000, ADV)
    assert refused(p)
    c.gap_scan(0)
    assert refused(c)
    c.gap_scan(None)
    c.gap_connect(*p.config("mac"))
    conn = crec.wait(7)[0]
    prec.wait(1)
    assert refused(p) and refused(c)
    c.gap_disconnect(conn)
    crec.wait(8)
    prec.wait(2)
    assert p.gatts_register_services([]) == () and c.gatts_register_services([]) == ()


def test_irq_handlers_run_on_the_host_thread_while_the_application_sleeps(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    p.gap_advertise(20_000, ADV)
    c.gap_connect(*p.config("mac"))
    while prec.events.qsize() == 0:
        time.sleep(0.01)  # the application thread is blocked; events still arrive
    prec.wait(1)
    assert threading.current_thread().name not in prec.threads
    assert prec.threads == {"aioble-hci BLE host"}


def test_irq_handler_can_call_back_into_ble(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    calls: list[Any] = []

    def on_connect(data: tuple[Any, ...]) -> None:
        calls.append(p.config("mac"))
        calls.append(p.gap_disconnect(data[0]))  # HCI work is started, not awaited: no deadlock

    prec.answers[1] = on_connect
    p.gap_advertise(20_000, ADV)
    c.gap_connect(*p.config("mac"))
    prec.wait(2)
    assert calls == [p.config("mac"), True]
    crec.wait(8)


def test_active_false_disconnects_and_stops_events(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    p.gap_advertise(20_000, ADV)
    c.gap_connect(*p.config("mac"))
    prec.wait(1)
    crec.wait(7)
    p.active(False)
    crec.wait(8)
    assert [e for e, _ in prec.drain()] == []
    p.active(True)
    p.gap_advertise(20_000, ADV)
    c.gap_connect(*p.config("mac"))
    prec.wait(1)
