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


def test_the_initiator_hears_of_its_close_only_after_the_peer_answered(pair: Pair) -> None:
    """Vol 3 Part A, 4.6-4.7: the channel closes when the L2CAP_DISCONNECTION_RSP comes back, so
    when the initiator's L2CAP_DISCONNECT is raised the peer has already raised its own (a
    gap_disconnect right after cannot overtake the request)."""
    (p, prec), (c, crec) = pair
    conn_p, cid_p, cid_c = _open(pair)
    conn_c = next(data[0] for event, data in crec.seen if event == 7)
    c.l2cap_disconnect(conn_c, cid_c)
    assert crec.wait(24) == (conn_c, cid_c, PSM, 0)
    assert [data for event, data in prec.drain() if event == 24] == [(conn_p, cid_p, PSM, 0)]


def test_a_channel_closed_by_the_link_loss_reports_status_0(pair: Pair) -> None:
    """The NimBLE binding raises L2CAP_DISCONNECT with status 0 however the channel closed
    (BLE_L2CAP_EVENT_COC_DISCONNECTED carries no reason), before the link's disconnect IRQ."""
    (p, prec), (c, crec) = pair
    conn_p, cid_p, cid_c = _open(pair)
    conn_c = next(data[0] for event, data in crec.seen if event == 7)
    c.gap_disconnect(conn_c)
    assert crec.wait(24) == (conn_c, cid_c, PSM, 0)
    assert prec.wait(24) == (conn_p, cid_p, PSM, 0)
    crec.wait(8)
    prec.wait(2)


def test_data_sent_before_the_close_is_still_read_after_it(pair: Pair) -> None:
    """SDUs that arrived before the peer's close can still be read with l2cap_recvinto (then 0):
    a reader racing the close gets every octet sent before it."""
    (p, prec), (c, crec) = pair
    conn_p, cid_p, cid_c = _open(pair)
    conn_c = next(data[0] for event, data in crec.seen if event == 7)
    assert c.l2cap_send(conn_c, cid_c, b"last words") is True
    c.l2cap_disconnect(conn_c, cid_c)
    prec.wait(24)
    buf = bytearray(64)
    n = p.l2cap_recvinto(conn_p, cid_p, buf)
    assert bytes(buf[:n]) == b"last words"
    assert p.l2cap_recvinto(conn_p, cid_p, buf) == 0
