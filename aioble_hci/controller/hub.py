"""The shared air between processes: a hub serving H4 over a Unix socket.

Each client connection gets its own VirtualController on the hub's Air; when
the client goes away (its process died or closed the socket) the controller
vanishes and its peers see a supervision timeout. `ensure_hub(path)` starts a
hub in the background when none answers, race-free between programs starting
at once (a start lock), and a hub started that way exits when idle.

With `listen=(HOST, PORT)` the hub also serves the same air over TCP, so programs on other
machines join it (`air:tcp:HOST:PORT`). A TCP client must first send the shared token
(`AIOBLE-AIR 1 <token>` and a newline); the hub answers `OK` or `REFUSED` and closes on a wrong
or missing token, so only clients that were given the token get a controller.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from aioble_hci.controller.air import Air
from aioble_hci.controller.controller import VirtualController
from aioble_hci.errors import UsageError
from aioble_hci.hci.h4 import H4DesyncError, H4Framer, encode
from aioble_hci.hci.packets import PacketType

log = logging.getLogger(__name__)

DEFAULT_IDLE_TIMEOUT = 10.0
START_TIMEOUT = 15.0
TOKEN_ENV = "AIOBLE_HCI_AIR_TOKEN"  # the shared token of a TCP air, for hub and clients
HANDSHAKE = b"AIOBLE-AIR 1 "  # a TCP client's first line: HANDSHAKE + token + b"\n"
HANDSHAKE_OK = b"OK\n"
HANDSHAKE_REFUSED = b"REFUSED\n"
HANDSHAKE_TIMEOUT = 5.0
MAX_HANDSHAKE = 512


class HubError(UsageError):
    """The hub could not start or be reached; the message says why."""


def default_socket_path() -> Path:
    """$XDG_RUNTIME_DIR/aioble-hci/air.sock, else /tmp/aioble-hci-$UID/air.sock."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime) and os.access(runtime, os.W_OK):
        return Path(runtime) / "aioble-hci" / "air.sock"
    return Path(f"/tmp/aioble-hci-{os.getuid()}") / "air.sock"


def _prepare_directory(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)


def hub_answers(path: Path) -> bool:
    """Is a hub listening on `path`?"""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


class Hub:
    """Serves one VirtualController per client on one Air."""

    def __init__(self, path: Path, air: Air, idle_timeout: float | None = None,
                 listen: tuple[str, int] | None = None, token: str | None = None) -> None:
        if listen is not None and not token:
            raise HubError("a TCP air needs a shared token (--token or $AIOBLE_HCI_AIR_TOKEN)")
        self.path = path
        self.air = air
        self.idle_timeout = idle_timeout
        self.listen = listen
        self.token = token
        self.tcp_port: int | None = None  # the bound TCP port once serving (listen port 0 picks one)
        self.serving = asyncio.Event()
        self.clients = 0
        self._idle_since: float | None = time.monotonic()
        self._server: asyncio.Server | None = None
        self._tcp_server: asyncio.Server | None = None

    async def serve(self) -> None:
        """Listen until cancelled, or until idle for `idle_timeout` seconds when given."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        self._server = await asyncio.start_unix_server(self._client, path=str(self.path))
        os.chmod(self.path, 0o600)
        log.info("air hub listening on %s", self.path)
        if self.listen is not None:
            host, port = self.listen
            self._tcp_server = await asyncio.start_server(self._tcp_client, host, port)
            self.tcp_port = self._tcp_server.sockets[0].getsockname()[1]
            log.info("air hub listening on tcp:%s:%d", host, self.tcp_port)
        self.serving.set()
        try:
            while True:
                await asyncio.sleep(0.5)
                idle = self._idle_since
                if self.idle_timeout is not None and idle is not None and time.monotonic() - idle >= self.idle_timeout:
                    log.info("air hub idle for %.0f s, exiting", self.idle_timeout)
                    return
        finally:
            self._server.close()
            if self._tcp_server is not None:
                self._tcp_server.close()
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    async def _tcp_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A client over TCP: check its token, then serve it like a Unix-socket client."""
        peer = writer.get_extra_info("peername")
        try:
            line = await asyncio.wait_for(reader.readuntil(b"\n"), HANDSHAKE_TIMEOUT)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError) as exc:
            log.warning("air hub: refusing %s: no handshake (%s)", peer, type(exc).__name__)
            writer.close()
            return
        offered = line[len(HANDSHAKE):-1] if line.startswith(HANDSHAKE) else b""
        assert self.token is not None
        if len(line) > MAX_HANDSHAKE or not hmac.compare_digest(offered, self.token.encode()):
            log.warning("air hub: refusing %s: wrong token", peer)
            with contextlib.suppress(ConnectionError):
                writer.write(HANDSHAKE_REFUSED)
                await writer.drain()
            writer.close()
            return
        writer.write(HANDSHAKE_OK)
        log.info("air hub: TCP client %s accepted", peer)
        await self._client(reader, writer)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.clients += 1
        self._idle_since = None
        controller = VirtualController(self.air)
        log.info("air hub: client connected, controller %r", controller)

        def to_client(packet_type: PacketType, payload: bytes) -> None:
            if not writer.is_closing():
                writer.write(encode(packet_type, payload))

        controller.attach(to_client)
        framer = H4Framer()
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                for packet_type, payload in _frames(framer, data):
                    controller.process(packet_type, payload)
        except (ConnectionError, OSError) as exc:
            log.info("air hub: client connection failed: %s", exc)
        finally:
            controller.vanish()
            writer.close()
            self.clients -= 1
            if self.clients == 0:
                self._idle_since = time.monotonic()
            log.info("air hub: client gone, controller %r removed", controller)


def _frames(framer: H4Framer, data: bytes) -> list[tuple[PacketType, bytes]]:
    """Whole packets from `data`, skipping bytes that are not packet indicators."""
    packets: list[tuple[PacketType, bytes]] = []
    while True:
        try:
            packets += framer.feed(data)
            return packets
        except H4DesyncError as exc:
            log.warning("air hub: %s", exc)
            packets += framer.take_ready()
            data = b""


def run_hub(
    path: Path,
    fast: bool = False,
    idle_timeout: float | None = None,
    connection_interval_ms: float | None = None,
    listen: tuple[str, int] | None = None,
    token: str | None = None,
) -> int:
    """Run a hub in this process until interrupted (or idle). Returns an exit code."""
    import fcntl  # POSIX only: imported here so `air:tcp:` clients also work on Windows

    _prepare_directory(path)
    lock = open(str(path) + ".lock", "a+")  # held for the hub's lifetime: one hub per socket
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"aioble-hci air: a hub already serves {path}", file=sys.stderr)
        return 1

    async def main() -> None:
        loop = asyncio.get_running_loop()
        air = Air(loop=loop, fast=fast, connection_interval_ms=connection_interval_ms)
        task = asyncio.current_task()
        assert task is not None
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await Hub(path, air, idle_timeout, listen=listen, token=token).serve()

    try:
        asyncio.run(main())
    finally:
        lock.close()
    return 0


def _package_root() -> str:
    return str(Path(__file__).resolve().parents[2])


def ensure_hub(
    path: Path, timeout: float = START_TIMEOUT, fast: bool = False, idle_timeout: float | None = None
) -> None:
    """Make sure a hub answers on `path`, starting one in the background if needed.

    Programs starting at once serialise on a start lock, so exactly one starts the
    hub; the hub it starts exits after an idle period with no clients.
    """
    if hub_answers(path):
        return
    import fcntl  # POSIX only (the Unix-socket air); see run_hub

    _prepare_directory(path)
    with open(str(path) + ".start.lock", "a+") as start_lock:
        fcntl.flock(start_lock, fcntl.LOCK_EX)
        try:
            if hub_answers(path):
                return
            _start_hub(path, timeout, fast, idle_timeout)
        finally:
            fcntl.flock(start_lock, fcntl.LOCK_UN)


def _start_hub(path: Path, timeout: float, fast: bool, idle_timeout: float | None) -> None:
    log_path = Path(str(path) + ".log")
    command = [sys.executable, "-m", "aioble_hci", "air", "--socket", str(path), "--exit-when-idle"]
    if fast:
        command.append("--fast")
    if idle_timeout is not None:
        command += ["--idle-timeout", str(idle_timeout)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_root(), env.get("PYTHONPATH", "")) if p)
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            start_new_session=True,
            env=env,
            close_fds=True,
        )
    log.info("started the shared air hub (pid %d) on %s", process.pid, path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub_answers(path):
            return
        if process.poll() is not None and not hub_answers(path):
            raise HubError(f"the air hub exited with code {process.returncode}; see {log_path}")
        time.sleep(0.05)
    raise HubError(f"the air hub did not answer on {path} within {timeout:.0f} s; see {log_path}")
