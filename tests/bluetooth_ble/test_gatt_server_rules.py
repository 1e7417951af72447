"""GATT server rules through bluetooth.BLE: Insufficient Encryption for a bonded peer (Vol 3 Part C
10.3.1), and gatts_write(send_update=True) while an indication is unconfirmed (Vol 3 Part F
3.4.7.2; NimBLE's ble_gatts_chr_updated sends the latest value after the confirmation)."""

from __future__ import annotations

from typing import Any

import bluetooth
from bluetooth import UUID
from tests.bluetooth_ble.conftest import Recorder
from tests.bluetooth_ble.test_repairing import _bond_both, _connect

Pair = tuple[tuple[Any, Recorder], tuple[Any, Recorder]]
SERVICE = UUID(0x180F)
SECRET = UUID(0x2A19)
LEVEL = UUID(0x2A1A)
IRQ_GATTC_READ_DONE, IRQ_GATTC_NOTIFY, IRQ_GATTC_INDICATE, IRQ_GATTC_WRITE_DONE = 16, 18, 19, 17
IRQ_GATTS_INDICATE_DONE = 20


def _register(ble: Any) -> tuple[int, int]:
    ((secret, level),) = ble.gatts_register_services(((SERVICE, (
        (SECRET, bluetooth.FLAG_READ | bluetooth.FLAG_READ_ENCRYPTED),
        (LEVEL, bluetooth.FLAG_READ | bluetooth.FLAG_NOTIFY | bluetooth.FLAG_INDICATE),
    )),))
    ble.gatts_write(secret, b"battery")
    return secret, level


def test_bonded_peer_on_unencrypted_link_gets_insufficient_encryption(pair: Pair) -> None:
    """Vol 3 Part C 10.3.1: an LTK exists for the peer, so a read needing encryption on a link not
    yet encrypted answers Insufficient Encryption (0x0F), not Insufficient Authentication."""
    (p, _), (c, crec) = pair
    secret, _ = _register(p)
    _bond_both(pair)
    c._pairing.smp.config.auto_encrypt = False  # as NimBLE: the central encrypts when asked to
    _, conn_c = _connect(pair)

    c.gattc_read(conn_c, secret)

    assert crec.wait(IRQ_GATTC_READ_DONE) == (conn_c, secret, 0x10F)


def test_gatts_write_while_an_indication_is_unconfirmed_sends_the_latest_value_after_it(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    _, level = _register(p)
    p.gap_advertise(20_000, b"")
    c.gap_connect(*p.config("mac"))
    conn_p, conn_c = prec.wait(1)[0], crec.wait(7)[0]
    c.gattc_write(conn_c, level + 1, b"\x02\x00", 1)  # the CCCD: indications
    crec.wait(IRQ_GATTC_WRITE_DONE)

    def three_updates() -> None:  # on the host thread: no confirmation can arrive in between
        for value in (b"1", b"2", b"3"):
            p.gatts_write(level, value, True)

    p._runtime.invoke(three_updates)

    assert crec.wait(IRQ_GATTC_INDICATE) == (conn_c, level, b"1")
    assert crec.wait(IRQ_GATTC_INDICATE) == (conn_c, level, b"3")
    assert prec.wait(IRQ_GATTS_INDICATE_DONE) == (conn_p, level, 0)
    assert prec.wait(IRQ_GATTS_INDICATE_DONE) == (conn_p, level, 0)


def test_gatts_write_updates_every_connection_when_one_fails(pair: Pair) -> None:
    """The loop over connections never stops part-way: a connection whose update fails does not
    keep the next one from its notification."""
    (p, prec), (c, crec) = pair
    _, level = _register(p)
    p.gap_advertise(20_000, b"")
    c.gap_connect(*p.config("mac"))
    prec.wait(1)
    conn_c = crec.wait(7)[0]
    c.gattc_write(conn_c, level + 1, b"\x01\x00", 1)  # the CCCD: notifications
    crec.wait(IRQ_GATTC_WRITE_DONE)

    class Broken:
        handle = 0x0EFF
        closed = False

        @property
        def server(self) -> Any:
            raise RuntimeError("this connection's state is broken")

    links = p._gatts.att.links  # conn handle -> (LinkState, AttBearer), served in this order
    real = dict(links)
    links.clear()
    links[0x0EFF] = (Broken(), Broken())  # type: ignore[assignment]
    links.update(real)
    try:
        p.gatts_write(level, b"7", True)
        assert crec.wait(IRQ_GATTC_NOTIFY) == (conn_c, level, b"7")
    finally:
        links.pop(0x0EFF, None)
