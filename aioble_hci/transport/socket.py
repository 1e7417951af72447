"""H4 over a stream socket: `tcp-client:HOST:PORT`, `tcp-server:HOST:PORT`, `unix:PATH`.

Controllers such as BlueZ's btvirt or Bumble's TCP/Unix servers speak plain H4 over a
stream. Everything runs on the host loop with asyncio streams; EOF or a reset
connection is reported as controller loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aioble_hci.hci.h4 import encode
from aioble_hci.hci.packets import PacketType
from aioble_hci.transport.base import Transport, TransportError
from aioble_hci.transport.h4stream import H4Receiver
from aioble_hci.transport.spec import parse_host_port, parse_unix

log = logging.getLogger(__name__)


class StreamTransport(Transport):
    """Common part: read H4 from a StreamReader, write to a StreamWriter."""

    def __init__(self, spec: str) -> None:
        super().__init__(spec)
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._task: asyncio.Task[None] | None = None
        self._receiver = H4Receiver(self)
        self._closing = False

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        raise NotImplementedError

    async def open(self) -> None:
        self._reader, self._writer = await self._connect()
        self._task = asyncio.get_running_loop().create_task(self._read_loop(), name=f"read {self.spec}")

    def send(self, packet_type: PacketType, payload: bytes) -> None:
        if self._writer is None or self._closing or self._writer.is_closing():
            raise TransportError(f"{self.spec} is not open")
        self._writer.write(encode(packet_type, payload))

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(Exception):
                await self._writer.wait_closed()

    async def _read_loop(self) -> None:
        assert self._reader is not None
        reason: BaseException | None
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    reason = TransportError(f"{self.spec}: the controller closed the connection")
                    break
                self._receiver.feed(data)
        except (ConnectionError, OSError) as exc:
            reason = TransportError(f"{self.spec}: connection failed: {exc}")
        if not self._closing:
            log.error("%s", reason)
            self._lost(reason)


class TcpClientTransport(StreamTransport):
    """Connect to a controller listening on HOST:PORT."""

    def __init__(self, spec: str) -> None:
        super().__init__(spec)
        self.host, self.port = parse_host_port(spec)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.open_connection(self.host, self.port)
        except OSError as exc:
            raise TransportError(
                f"cannot connect to a controller at {self.host}:{self.port}: {exc.strerror or exc} "
                "(is the controller or its TCP bridge running and listening there?)"
            ) from exc


class TcpServerTransport(StreamTransport):
    """Listen on HOST:PORT and take the first controller that connects; `open` waits for it.

    `accept_timeout` (seconds, None: no limit) bounds that wait; the command line sets it from
    --timeout, and running out raises a TransportError saying nothing connected.
    """

    def __init__(self, spec: str, accept_timeout: float | None = None) -> None:
        super().__init__(spec)
        self.accept_timeout = accept_timeout
        self.host, self.port = parse_host_port(spec)
        self._server: asyncio.Server | None = None
        self.bound_port: int | None = None
        self.listening = asyncio.Event()

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        accepted: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]]
        accepted = asyncio.get_running_loop().create_future()

        def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if accepted.done():
                log.warning("%s: refusing a second controller connection", self.spec)
                writer.close()
                return
            accepted.set_result((reader, writer))

        try:
            self._server = await asyncio.start_server(on_client, self.host, self.port)
        except OSError as exc:
            raise TransportError(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from exc
        self.bound_port = self._server.sockets[0].getsockname()[1]
        self.listening.set()
        log.info("waiting for a controller to connect to %s:%s", self.host, self.bound_port)
        try:
            return await asyncio.wait_for(accepted, self.accept_timeout)
        except TimeoutError:
            raise TransportError(
                f"no controller connected to {self.host}:{self.bound_port} within {self.accept_timeout:g} s "
                "(start the controller's TCP bridge with this address as its target, or give a longer --timeout)"
            ) from None
        finally:
            self._server.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        await super().close()


class UnixTransport(StreamTransport):
    """Connect to a controller's Unix stream socket."""

    def __init__(self, spec: str) -> None:
        super().__init__(spec)
        self.path = parse_unix(spec)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.open_unix_connection(self.path)
        except FileNotFoundError as exc:
            raise TransportError(f"no Unix socket at {self.path} (is the controller running?)") from exc
        except PermissionError as exc:
            raise TransportError(f"permission denied connecting to {self.path}: check the socket's owner and mode") from exc
        except OSError as exc:
            raise TransportError(f"cannot connect to {self.path}: {exc.strerror or exc}") from exc
