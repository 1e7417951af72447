"""L2CAP credit-based channels through bluetooth.BLE."""

from __future__ import annotations

from typing import Any

from tests.bluetooth_ble.conftest import Recorder

Pair = tuple[tuple[Any, Recorder], tuple[Any, Recorder]]
PSM = 22
MTU = 450


def _open(pair: Pair) -> tuple[int, int, int]:
    (p, prec), (c, crec) = pair
    p.gap_advertise(20_000, b"")
    c.gap_connect(*p.config("mac"))
    conn_p, conn_c = prec.wait(1)[0], crec.wait(7)[0]
    p.l2cap_listen(PSM, MTU)
    c.l2cap_connect(conn_c, PSM, MTU)
    accept = prec.wait(22)
    assert accept[0] == conn_p and accept[2:] == (PSM, MTU, MTU)
    cid_p = prec.wait(23)[1]
    assert accept[1] == cid_p  # IRQ 22 names our CID, as NimBLE's accept (the channel's scid)
    conn, cid_c, psm, our_mtu, peer_mtu = crec.wait(23)
    assert (conn, psm, our_mtu, peer_mtu) == (conn_c, PSM, MTU, MTU)
    return conn_p, cid_p, cid_c


def test_listen_accept_connect_reports_psm_and_mtus_on_both_sides(pair: Pair) -> None:
    _open(pair)


def test_recvinto_never_crosses_an_sdu_boundary(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    conn_p, cid_p, cid_c = _open(pair)
    conn_c = next(data[0] for event, data in crec.seen if event == 7)
    for sdu in (b"a" * 250, b"b" * 10):
        if not c.l2cap_send(conn_c, cid_c, sdu):
            crec.wait(26)  # stalled: the next send only after send-ready
    prec.wait(25)
    chunks: list[bytes] = []
    buf = bytearray(100)
    while sum(len(chunk) for chunk in chunks) < 260:
        n = p.l2cap_recvinto(conn_p, cid_p, buf)
        if n == 0:
            prec.wait(25)
            continue
        chunks.append(bytes(buf[:n]))
    assert chunks == [b"a" * 100, b"a" * 100, b"a" * 50, b"b" * 10]
    assert p.l2cap_recvinto(conn_p, cid_p, None) == 0


def test_l2cap_disconnect_reports_status_0_on_both_sides(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    conn_p, cid_p, cid_c = _open(pair)
    p.l2cap_disconnect(conn_p, cid_p)
    assert prec.wait(24) == (conn_p, cid_p, PSM, 0)
    assert crec.wait(24)[1:] == (cid_c, PSM, 0)


def test_refusing_in_l2cap_accept_fails_the_connect(pair: Pair) -> None:
    (p, prec), (c, crec) = pair
    prec.answers[22] = lambda data: 0x0004  # no resources
    p.gap_advertise(20_000, b"")
    c.gap_connect(*p.config("mac"))
    prec.wait(1)
    conn_c = crec.wait(7)[0]
    p.l2cap_listen(PSM, MTU)
    c.l2cap_connect(conn_c, PSM, MTU)
    assert crec.wait(24) == (conn_c, 0, PSM, 4)
