"""The `virtual` and `air[:PATH]` transports.

`virtual` puts a fresh VirtualController on the process's default Air (or on a
given Air, for tests). `air[:PATH]` speaks H4 over a Unix socket to a hub
(hub.py), starting one in the background when none answers; every process on
the same socket shares one air. `air:tcp:HOST:PORT[,token=T]` joins a hub started with
`aioble-hci air --listen tcp:HOST:PORT` on another machine, presenting the shared token
($AIOBLE_HCI_AIR_TOKEN unless given in the spec). Importing this module registers both schemes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections import deque
from pathlib import Path

from aioble_hci.address import Address
from aioble_hci.controller.air import Air
from aioble_hci.controller.controller import VirtualController
from aioble_hci.controller.hub import (
    HANDSHAKE,
    HANDSHAKE_OK,
    HANDSHAKE_TIMEOUT,
    TOKEN_ENV,
    HubError,
    default_socket_path,
    ensure_hub,
)
from aioble_hci.hci.packets import PacketType
from aioble_hci.transport.base import Transport, TransportError
from aioble_hci.transport.socket import StreamTransport

log = logging.getLogger(__name__)

_default_air: Air | None = None
_default_air_lock = threading.Lock()


def default_air() -> Air:
    """The process's shared in-process air (its own thread), made on first use."""
    global _default_air
    with _default_air_lock:
        if _default_air is None:
            _default_air = Air()
        return _default_air


class VirtualTransport(Transport):
    """A VirtualController on an in-process Air: packets go straight to the host when both run on
    one loop, and cross threads in batches (one call_soon_threadsafe per burst) otherwise."""

    def __init__(self, spec: str = "virtual", air: Air | None = None, address: Address | None = None) -> None:
        super().__init__(spec)
        self._air = air
        self._address = address
        self.controller: VirtualController | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._same_loop = False
        self._inbox: deque[tuple[PacketType, bytes]] = deque()
        self._drain_scheduled = False

    async def open(self) -> None:
        if self.controller is not None:
            return
        loop = asyncio.get_running_loop()
        self._loop = loop
        air = self._air or default_air()
        self._air = air
        if air.loop is loop:
            controller = VirtualController(air, self._address)
        else:
            made: asyncio.Future[VirtualController] = asyncio.wrap_future(
                asyncio.run_coroutine_threadsafe(_make(air, self._address), air.loop)
            )
            controller = await made
        self._same_loop = air.loop is loop
        controller.attach(self._from_controller)
        self.controller = controller
        log.info("virtual controller %r on %r", controller, air)

    def _from_controller(self, packet_type: PacketType, payload: bytes) -> None:
        """A packet from the controller, on the air's loop. When the host runs on that same loop
        it is delivered at once (the controller never runs inside the host's calls: `receive`
        defers to the loop, so this never re-enters the host); otherwise packets wait in an
        inbox that one `call_soon_threadsafe` per burst drains on the host loop."""
        if self._same_loop:
            try:
                self._deliver(packet_type, payload)
            except Exception:  # the sink's failure is the host's, never the air's
                log.exception("virtual transport: the host failed on a %s packet", packet_type.name)
            return
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        self._inbox.append((packet_type, payload))
        if not self._drain_scheduled:
            self._drain_scheduled = True
            with contextlib.suppress(RuntimeError):  # the host loop is shutting down
                loop.call_soon_threadsafe(self._drain_inbox)

    def _drain_inbox(self) -> None:
        """On the host loop: deliver what the controller sent since the last drain, in order."""
        self._drain_scheduled = False
        inbox, deliver = self._inbox, self._deliver
        while inbox:
            deliver(*inbox.popleft())

    def send(self, packet_type: PacketType, payload: bytes) -> None:
        if self.controller is None:
            raise TransportError(f"{self.spec} is not open")
        self.controller.receive(packet_type, payload)

    async def close(self) -> None:
        controller, self.controller = self.controller, None
        if controller is not None:
            controller.attach(None)
            controller.power_off()


async def _make(air: Air, address: Address | None) -> VirtualController:
    return VirtualController(air, address)


class AirTransport(StreamTransport):
    """H4 over a Unix socket to the shared-air hub, started in the background when none answers."""

    def __init__(self, spec: str, path: Path | None = None, start_hub: bool = True) -> None:
        super().__init__(spec)
        self.path = path or default_socket_path()
        self.start_hub = start_hub

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.start_hub:
            try:
                await asyncio.to_thread(ensure_hub, self.path)
            except (HubError, OSError) as exc:
                raise TransportError(f"{self.spec}: cannot start the shared air hub: {exc}") from exc
        try:
            return await asyncio.open_unix_connection(str(self.path))
        except OSError as exc:
            raise TransportError(
                f"{self.spec}: no air hub answers on {self.path} ({exc.strerror or exc}); "
                "start one with `aioble-hci air --socket PATH`"
            ) from exc


class AirTcpTransport(StreamTransport):
    """H4 over TCP to an air hub on another machine, after the shared-token handshake."""

    def __init__(self, spec: str, host: str, port: int, token: str | None) -> None:
        super().__init__(spec)
        self.host, self.port, self.token = host, port, token

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if not self.token:
            raise TransportError(f"{self.spec}: a TCP air needs its shared token: set {TOKEN_ENV} "
                                 "(or add ,token=TOKEN to the spec) to the token the hub printed")
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except OSError as exc:
            raise TransportError(f"{self.spec}: no air hub answers at {self.host}:{self.port} "
                                 f"({exc.strerror or exc}); start one with "
                                 f"`aioble-hci air --listen tcp:{self.host}:{self.port}`") from exc
        writer.write(HANDSHAKE + self.token.encode() + b"\n")
        try:
            answer = await asyncio.wait_for(reader.readline(), HANDSHAKE_TIMEOUT)
        except (TimeoutError, ConnectionError) as exc:
            writer.close()
            raise TransportError(f"{self.spec}: the air hub did not answer the handshake") from exc
        if answer != HANDSHAKE_OK:
            writer.close()
            raise TransportError(f"{self.spec}: the air hub refused this client: the token does not match "
                                 f"the hub's (check {TOKEN_ENV})")
        return reader, writer


def parse_air_tcp(spec: str) -> tuple[str, int, str | None]:
    """`air:tcp:HOST:PORT[,token=T]`: host, port and the token (else $AIOBLE_HCI_AIR_TOKEN)."""
    from aioble_hci.transport.spec import parse_host_port

    body, _, option = spec.strip().partition(":")[2].partition(",")
    token = os.environ.get(TOKEN_ENV) or None
    if option:
        key, eq, value = option.partition("=")
        if key.strip() != "token" or not eq:
            raise TransportError(f"bad transport spec {spec!r}: expected air:tcp:HOST:PORT[,token=TOKEN]")
        token = value.strip()
    host, port = parse_host_port(body)
    return host, port, token


def make_virtual_transport(spec: str) -> Transport:
    """Factory for `virtual`: a fresh controller on the process's default air."""
    if spec.strip().lower() != "virtual":
        raise TransportError(f"bad transport spec {spec!r}: `virtual` takes no options")
    return VirtualTransport(spec)


def make_air_transport(spec: str) -> Transport:
    """Factory for `air[:PATH]`: a controller on the shared air behind the hub at PATH."""
    _, sep, rest = spec.strip().partition(":")
    if rest.lower().startswith("tcp:"):
        host, port, token = parse_air_tcp(spec)
        return AirTcpTransport(spec, host, port, token)
    path = Path(rest).expanduser() if sep and rest else None
    return AirTransport(spec, path)


def _register() -> None:
    try:
        from aioble_hci.transport import register_scheme
    except ImportError:  # the transport registry is not there: factories are still importable
        return
    register_scheme("virtual", make_virtual_transport)
    register_scheme("air", make_air_transport)


_register()
