"""Socket transports (tcp-client, tcp-server, unix) against a scripted controller on loopback."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from aioble_hci.hci.packets import PacketType
from aioble_hci.transport import TransportError, open_transport
from aioble_hci.transport.socket import TcpServerTransport
from tests.scripted.controller import socket_controller

RESET = bytes.fromhex("030c00")
RESET_COMPLETE = bytes.fromhex("0e0401030c00")


async def _reset_round_trip(transport) -> tuple[PacketType, bytes]:  # type: ignore[no-untyped-def]
    packets: asyncio.Queue[tuple[PacketType, bytes]] = asyncio.Queue()
    transport.attach(lambda t, p: packets.put_nowait((t, p)), lambda exc: None)
    await transport.open()
    transport.send(PacketType.COMMAND, RESET)
    return await asyncio.wait_for(packets.get(), 5)


def _serve_one(server: socket.socket, controllers: list) -> None:  # type: ignore[type-arg]
    conn, _ = server.accept()
    controllers.append(socket_controller(conn))


async def test_tcp_client_talks_h4_to_a_controller_on_loopback() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    controllers: list = []  # type: ignore[type-arg]
    threading.Thread(target=_serve_one, args=(server, controllers), daemon=True).start()
    transport = open_transport(f"tcp-client:127.0.0.1:{port}")
    try:
        assert await _reset_round_trip(transport) == (PacketType.EVENT, RESET_COMPLETE)
    finally:
        await transport.close()
        server.close()
        for c in controllers:
            c.close()


async def test_tcp_server_accepts_one_controller() -> None:
    transport = open_transport("tcp-server:127.0.0.1:0")
    assert isinstance(transport, TcpServerTransport)
    round_trip = asyncio.create_task(_reset_round_trip(transport))
    await asyncio.wait_for(transport.listening.wait(), 5)
    assert transport.bound_port is not None
    sock = await asyncio.to_thread(socket.create_connection, ("127.0.0.1", transport.bound_port))
    controller = socket_controller(sock)
    try:
        assert await round_trip == (PacketType.EVENT, RESET_COMPLETE)
    finally:
        await transport.close()
        controller.close()


async def test_unix_socket_transport_reports_loss_on_eof(tmp_path) -> None:
    path = str(tmp_path / "hci.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    controllers: list = []  # type: ignore[type-arg]
    threading.Thread(target=_serve_one, args=(server, controllers), daemon=True).start()
    transport = open_transport(f"unix:{path}")
    lost: asyncio.Future[BaseException | None] = asyncio.get_running_loop().create_future()
    packets: asyncio.Queue[tuple[PacketType, bytes]] = asyncio.Queue()
    transport.attach(lambda t, p: packets.put_nowait((t, p)), lost.set_result)
    await transport.open()
    transport.send(PacketType.COMMAND, RESET)
    assert await asyncio.wait_for(packets.get(), 5) == (PacketType.EVENT, RESET_COMPLETE)
    while not controllers:  # the accepting thread appends right after starting the controller
        await asyncio.sleep(0.005)
    controllers[0].close()
    reason = await asyncio.wait_for(lost, 5)
    assert "closed the connection" in str(reason)
    await transport.close()
    server.close()


async def test_tcp_client_without_a_listener_says_so() -> None:
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    with pytest.raises(TransportError, match="cannot connect to a controller"):
        await open_transport(f"tcp-client:127.0.0.1:{port}").open()


async def test_unix_socket_missing_path_says_so(tmp_path) -> None:
    with pytest.raises(TransportError, match="no Unix socket"):
        await open_transport(f"unix:{tmp_path}/none.sock").open()
