"""GATT server and client through bluetooth.BLE, two instances on a private air."""

from __future__ import annotations

from typing import Any

import pytest

import bluetooth
from bluetooth import UUID
from tests.bluetooth_ble.conftest import Recorder

Pair = tuple[tuple[Any, Recorder], tuple[Any, Recorder]]
SERVICE = UUID("A5A5A5A5-FFFF-9999-1111-5A5A5A5A5A5A")
CHAR = UUID("00000000-1111-2222-3333-444444444444")
NOTIFY_CHAR = UUID(0x2A6E)
DESC = UUID(0x2902 + 0x1000)
FLAGS_RW = bluetooth.FLAG_READ | bluetooth.FLAG_WRITE | bluetooth.FLAG_WRITE_NO_RESPONSE
DEFINITION = ((SERVICE, (
    (CHAR, FLAGS_RW | bluetooth.FLAG_NOTIFY | bluetooth.FLAG_INDICATE, ((DESC, FLAGS_RW),)),
    (NOTIFY_CHAR, bluetooth.FLAG_READ | bluetooth.FLAG_NOTIFY),
)),)


def _connect(pair: Pair) -> tuple[int, int, tuple[tuple[int, ...], ...]]:
    (p, prec), (c, crec) = pair
    handles = p.gatts_register_services(DEFINITION)
    p.gap_advertise(20_000, b"\x02\x01\x06")
    c.gap_connect(*p.config("mac"))
    return prec.wait(1)[0], crec.wait(7)[0], handles


def test_register_services_returns_value_and_user_descriptor_handles(pair: Pair) -> None:
    (p, _), _ = pair
    ((char, desc, notify),) = p.gatts_register_services(DEFINITION)
    assert desc == char + 2  # the CCCD sits between the value and the user descriptor
    assert notify == desc + 2  # declaration then value


def test_a_notify_only_service_spans_four_handles(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    p.gatts_register_services(((SERVICE, ((NOTIFY_CHAR, bluetooth.FLAG_NOTIFY),)),))
    p.gap_advertise(20_000, b"")
    c.gap_connect(*p.config("mac"))
    conn = crec.wait(7)[0]
    c.gattc_discover_services(conn, SERVICE)
    _, start, end, uuid = crec.wait(9)
    assert uuid == SERVICE and end - start == 3
    assert crec.wait(10) == (conn, 0)


def test_discover_all_services_lists_gap_gatt_then_ours(pair: Pair) -> None:
    _, (c, crec) = pair
    _, conn, _ = _connect(pair)
    c.gattc_discover_services(conn)
    found = []
    while True:
        event, data = crec.events.get(timeout=10)
        if event == 29:  # the central looks its new peer's bond up (test_pairing)
            continue
        if event == 10:
            assert data == (conn, 0)
            break
        assert event == 9
        found.append(data[3])
    assert found == [UUID(0x1800), UUID(0x1801), SERVICE]


def test_characteristic_and_descriptor_discovery(pair: Pair) -> None:
    (p, _), (c, crec) = pair
    _, conn, ((char, desc, notify),) = _connect(pair)
    c.gattc_discover_services(conn, SERVICE)
    _, start, end, _ = crec.wait(9)
    c.gattc_discover_characteristics(conn, start, end)
    first = crec.wait(11)
    second = crec.wait(11)
    assert crec.wait(12) == (conn, 0)
    assert first == (conn, notify - 2, char, 0x3E, CHAR)
    assert second == (conn, end, notify, 0x12, NOTIFY_CHAR)
    c.gattc_discover_descriptors(conn, char, notify - 2)
    assert crec.wait(13) == (conn, char + 1, UUID(0x2902))
    assert crec.wait(13) == (conn, desc, DESC)
    assert crec.wait(14) == (conn, 0)


def test_remote_write_raises_irq_3_with_the_value_readable_in_the_handler(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    seen: list[bytes] = []
    prec.answers[3] = lambda data: seen.append(p.gatts_read(data[1]))
    conn_p, conn, ((char, _, _),) = _connect(pair)
    c.gattc_write(conn, char, b"first", 1)
    assert crec.wait(17) == (conn, char, 0)
    assert prec.wait(3) == (conn_p, char)
    c.gattc_write(conn, char, "second", 0)
    prec.wait(3)
    assert seen == [b"first", b"second"]


def test_remote_writes_are_truncated_to_the_20_byte_buffer_and_append_mode_accumulates(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    _, conn, ((char, _, _),) = _connect(pair)
    c.gattc_write(conn, char, b"x" * 20 + b"yy", 1)
    crec.wait(17)
    assert p.gatts_read(char) == b"x" * 20
    p.gatts_set_buffer(char, 100, True)
    assert p.gatts_read(char) == b""
    for part in (b"ab", b"cd"):
        c.gattc_write(conn, char, part, 1)
        crec.wait(17)
    assert p.gatts_read(char) == b"abcd"
    assert p.gatts_read(char) == b""


def test_read_request_irq_4_can_deny_with_an_att_error(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    prec.answers[4] = lambda data: 0x02  # Read Not Permitted
    conn_p, conn, ((char, _, _),) = _connect(pair)
    p.gatts_write(char, b"secret")
    c.gattc_read(conn, char)
    assert crec.wait(16) == (conn, char, 0x102)
    assert prec.wait(4) == (conn_p, char)
    prec.answers[4] = lambda data: 0
    c.gattc_read(conn, char)
    assert crec.wait(15) == (conn, char, b"secret")
    assert crec.wait(16) == (conn, char, 0)


def test_notify_ignores_cccd_uses_stored_value_and_does_not_change_it(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    conn_p, conn, ((char, _, _),) = _connect(pair)
    p.gatts_write(char, b"stored")
    p.gatts_notify(conn_p, char)
    assert crec.wait(18) == (conn, char, b"stored")
    p.gatts_notify(conn_p, char, b"explicit")
    assert crec.wait(18) == (conn, char, b"explicit")
    assert p.gatts_read(char) == b"stored"


def test_notify_is_truncated_to_mtu_minus_3(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    conn_p, conn, ((char, _, _),) = _connect(pair)
    p.gatts_notify(conn_p, char, b"z" * 64)
    assert crec.wait(18)[2] == b"z" * 20


def test_indicate_is_confirmed_with_irq_20(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    conn_p, conn, ((char, _, _),) = _connect(pair)
    p.gatts_indicate(conn_p, char, b"ind")
    assert crec.wait(19) == (conn, char, b"ind")
    assert prec.wait(20) == (conn_p, char, 0)


def test_gatts_write_send_update_follows_the_cccd(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    conn_p, conn, ((char, _, _),) = _connect(pair)
    p.gatts_write(char, b"nobody", True)  # not subscribed: nothing sent
    c.gattc_write(conn, char + 1, b"\x01\x00", 1)  # subscribe for notifications
    crec.wait(17)
    p.gatts_write(char, b"update", True)
    assert crec.wait(18) == (conn, char, b"update")
    assert not any(e == 18 and d[2] == b"nobody" for e, d in crec.seen)
    assert not any(e == 3 for e, _ in prec.drain())  # CCCD writes are invisible


def test_mtu_exchange_reports_irq_21_on_both_sides_with_the_minimum(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    p.config(mtu=200)
    c.config(mtu=300)
    conn_p, conn, ((char, _, _),) = _connect(pair)
    c.gattc_exchange_mtu(conn)
    assert crec.wait(21) == (conn, 200)
    assert prec.wait(21) == (conn_p, 200)
    with pytest.raises(OSError):
        c.gattc_exchange_mtu(conn)
    p.gatts_notify(conn_p, char, b"q" * 250)
    assert len(crec.wait(18)[2]) == 197


def test_gap_device_name_is_readable_remotely(pair: Pair) -> None:
    (p, _), (c, crec) = pair
    p.config(gap_name="dev-name")
    _, conn, _ = _connect(pair)
    c.gattc_discover_characteristics(conn, 1, 0xFFFF, UUID(0x2A00))
    value_handle = crec.wait(11)[2]
    crec.wait(12)
    c.gattc_read(conn, value_handle)
    assert crec.wait(15)[2] == b"dev-name"


def test_pending_read_completes_with_status_before_the_disconnect_irq(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    conn_p, conn, ((char, _, _),) = _connect(pair)
    events: list[int] = []

    def on_read_request(data: tuple[Any, ...]) -> int:
        p.gap_disconnect(data[0])  # the server drops the link instead of answering
        return 0x0E

    prec.answers[4] = on_read_request
    c.gattc_read(conn, char)
    while True:
        event, data = crec.events.get(timeout=10)
        events.append(event)
        if event == 8:
            break
    assert 16 in events and events.index(16) < events.index(8)


def _silence_att(ble: bluetooth.BLE) -> None:
    """Make `ble` drop every ATT PDU it receives: a peer that never answers."""
    l2cap = ble._stack.l2cap
    assert l2cap is not None
    ble._stack.runtime.invoke(l2cap.register_fixed_channel, 0x0004, lambda connection, pdu: None)


def test_a_read_the_server_never_answers_ends_with_the_timeout_status(pair: Pair, monkeypatch) -> None:
    from aioble_hci.att import client as att_client

    monkeypatch.setattr(att_client, "TRANSACTION_TIMEOUT", 0.2)
    (p, prec), (c, crec) = pair
    conn_p, conn, ((char, _, _),) = _connect(pair)
    _silence_att(p)
    c.gattc_read(conn, char)
    assert crec.wait(16) == (conn, char, 13)  # GATTC_READ_DONE with NimBLE's BLE_HS_ETIMEOUT


def test_an_indication_the_client_never_confirms_ends_with_the_timeout_status(pair: Pair, monkeypatch) -> None:
    from aioble_hci.att import server as att_server

    monkeypatch.setattr(att_server, "TRANSACTION_TIMEOUT", 0.2)
    (p, prec), (c, crec) = pair
    conn_p, conn, ((char, _, _),) = _connect(pair)
    _silence_att(c)
    p.gatts_indicate(conn_p, char, b"hello")
    assert prec.wait(20) == (conn_p, char, 13)  # GATTS_INDICATE_DONE with BLE_HS_ETIMEOUT
