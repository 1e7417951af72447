"""What MicroPython programs see of the ATT bearer through bluetooth.BLE: the order of events
around a write, and the security and MTU the server applies, read live as NimBLE reads them."""

from __future__ import annotations

from typing import Any

import bluetooth
from bluetooth import UUID
from tests.bluetooth_ble.conftest import Recorder

Pair = tuple[tuple[Any, Recorder], tuple[Any, Recorder]]
SERVICE = UUID("9b1d0001-5f3e-4c2a-8e7d-6a5b4c3d2e1f")
CHAR = UUID("9b1d0002-5f3e-4c2a-8e7d-6a5b4c3d2e1f")
IRQ_CENTRAL_CONNECT, IRQ_PERIPHERAL_CONNECT, IRQ_GATTS_WRITE = 1, 7, 3
IRQ_GATTC_READ_RESULT, IRQ_GATTC_READ_DONE, IRQ_GATTC_WRITE_DONE, IRQ_GATTC_NOTIFY = 15, 16, 17, 18
IRQ_MTU_EXCHANGED, IRQ_ENCRYPTION_UPDATE, IRQ_PASSKEY_ACTION = 21, 28, 31
PASSKEY_ACTION_NUMERIC_COMPARISON = 4


def _connect(pair: Pair, flags: int) -> tuple[int, int, int]:
    """Register one characteristic with `flags` on the peripheral and connect: (conn_p, conn_c, handle)."""
    (p, prec), (c, crec) = pair
    ((char,),) = p.gatts_register_services(((SERVICE, ((CHAR, flags),)),))
    p.gatts_write(char, b"stored")
    p.gap_advertise(20_000, b"\x02\x01\x06")
    c.gap_connect(*p.config("mac"))
    return prec.wait(IRQ_CENTRAL_CONNECT)[0], crec.wait(IRQ_PERIPHERAL_CONNECT)[0], char


def test_a_notification_sent_from_the_write_irq_reaches_the_client_before_the_write_response(pair: Pair) -> None:
    """NimBLE calls the characteristic's access callback, which raises _IRQ_GATTS_WRITE (at once
    where IRQs are synchronous, as on the ESP32), before it sends the Write Response (Vol 3 Part F
    3.4.5.2). A notification the handler sends therefore goes out first, and the client's
    program sees _IRQ_GATTC_NOTIFY before _IRQ_GATTC_WRITE_DONE."""
    (p, prec), (c, crec) = pair
    conn_p, conn_c, char = _connect(pair, bluetooth.FLAG_READ | bluetooth.FLAG_WRITE | bluetooth.FLAG_NOTIFY)
    prec.answers[IRQ_GATTS_WRITE] = lambda data: p.gatts_notify(data[0], char, b"seen")
    c.gattc_write(conn_c, char, b"hello", 1)
    assert crec.wait(IRQ_GATTC_WRITE_DONE) == (conn_c, char, 0)
    order = [event for event, _ in crec.seen if event in (IRQ_GATTC_NOTIFY, IRQ_GATTC_WRITE_DONE)]
    assert order == [IRQ_GATTC_NOTIFY, IRQ_GATTC_WRITE_DONE]


def test_config_mtu_set_while_connected_is_what_the_next_exchange_offers(pair: Pair) -> None:
    """NimBLE's preferred ATT MTU (config(mtu=)) applies to the exchanges that follow, on links
    already up too: the server answers Exchange MTU with its current Server Rx MTU and both sides
    use the smaller value (Vol 3 Part F 3.4.2.2)."""
    (p, prec), (c, crec) = pair
    conn_p, conn_c, _ = _connect(pair, bluetooth.FLAG_READ)
    p.config(mtu=100)
    c.gattc_exchange_mtu(conn_c)
    assert crec.wait(IRQ_MTU_EXCHANGED) == (conn_c, 100)
    assert prec.wait(IRQ_MTU_EXCHANGED) == (conn_p, 100)


def test_an_authenticated_read_succeeds_once_mitm_pairing_authenticated_the_link(pair: Pair) -> None:
    """A characteristic needing an authenticated link (FLAG_READ_AUTHENTICATED) is refused before
    pairing (Insufficient Authentication, Vol 3 Part C 10.3.1; NimBLE's status 0x100 + 0x05) and
    readable after a numeric-comparison pairing, which authenticates the link (Vol 3 Part H 2.3.5.6)."""
    (p, prec), (c, crec) = pair
    c.config(mitm=True, io=1)  # DisplayYesNo on both sides: numeric comparison
    p.config(mitm=True, io=1)
    conn_p, conn_c, char = _connect(pair, bluetooth.FLAG_READ | bluetooth.FLAG_READ_AUTHENTICATED)
    c.gattc_read(conn_c, char)
    assert crec.wait(IRQ_GATTC_READ_DONE) == (conn_c, char, 0x105)
    c.gap_pair(conn_c)
    _, action, number = crec.wait(IRQ_PASSKEY_ACTION)
    assert action == PASSKEY_ACTION_NUMERIC_COMPARISON
    assert prec.wait(IRQ_PASSKEY_ACTION) == (conn_p, PASSKEY_ACTION_NUMERIC_COMPARISON, number)
    c.gap_passkey(conn_c, PASSKEY_ACTION_NUMERIC_COMPARISON, 1)
    p.gap_passkey(conn_p, PASSKEY_ACTION_NUMERIC_COMPARISON, 1)
    assert crec.wait(IRQ_ENCRYPTION_UPDATE)[:3] == (conn_c, 1, 1)  # encrypted and authenticated
    c.gattc_read(conn_c, char)
    assert crec.wait(IRQ_GATTC_READ_RESULT) == (conn_c, char, b"stored")
    assert crec.wait(IRQ_GATTC_READ_DONE) == (conn_c, char, 0)
