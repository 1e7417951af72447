"""The device's own address: identity, persisted static, and rotated private addresses.

Public and random static identity addresses come from the controller (BD_ADDR, or
Zephyr's factory static address) or, failing that, a static address generated once
and kept in a small JSON file (Core Vol 6 Part B, 1.3.2.1: a static address "shall not
change" while the device runs, and a new one is a new identity, so bonded peers,
which know us by it, would lose us if it changed at every start). By default the file
is ``static_address.json`` in the data directory beside the local IRK
(``local_irk.json``): identity address and IRK are the identity we distribute when
bonding, and persist together. Private addresses
(Vol 3 Part C, 10.7) rotate every `rpa_timeout` seconds: the new one is written with
LE Set Random Address, which a controller refuses while legacy advertising, scanning
or initiating is on (Vol 4 Part E, 7.8.4), so a rotation falling in such a time is
applied as soon as they stop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aioble_hci.address import Address, AddressType
from aioble_hci.gap.privacy import PrivateAddressRotation, generate_static_address
from aioble_hci.hci import commands as cmd
from aioble_hci.host.atomic_file import write_json
from aioble_hci.host.events import subscribe
from aioble_hci.host.gap.config import AddressMode, GapConfig

if TYPE_CHECKING:
    from aioble_hci.host.host import Host

log = logging.getLogger(__name__)

OWN_ADDRESS_PUBLIC = 0x00
OWN_ADDRESS_RANDOM = 0x01


def default_static_address_path() -> Path:
    """``static_address.json`` in the user's data directory, beside ``local_irk.json`` and ``bonds.json``."""
    from aioble_hci.host.smp.config import (
        default_data_dir,  # the one place the data directory is named
    )

    return default_data_dir() / "static_address.json"


def load_or_create_static_address(path: Path) -> Address:
    """The random static address kept in `path`, generated and saved (atomically) on first use."""
    try:
        stored = json.loads(path.read_text())
        address = Address.parse(stored["static_address"], AddressType.RANDOM)
        if address.is_static:
            return address
        log.warning("%s holds %s, which is not a random static address; making a new one", path, address)
    except FileNotFoundError:
        pass
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("cannot read the static address in %s (%s); making a new one", path, exc)
    address = generate_static_address()
    write_json(path, {"static_address": f"{address}/random"})
    log.info("generated the static identity address %s, kept in %s", address, path)
    return address


class AddressManager:
    """Chooses the own address type for commands and keeps the controller's random address current."""

    def __init__(self, host: Host, config: GapConfig, busy: Callable[[], bool]) -> None:
        self.host = host
        self.config = config
        self._busy = busy  # legacy advertising, scanning or initiating is on
        self.identity: Address | None = None
        self.random_address: Address | None = None  # what LE Set Random Address last set
        self.rotation: PrivateAddressRotation | None = None
        self.pending: Address | None = None  # a rotation waiting for the controller to be idle
        self._timer: asyncio.TimerHandle | None = None
        self._listeners: list[Callable[[Address], None]] = []

    @property
    def mode(self) -> AddressMode:
        return AddressMode(self.config.address_mode)

    @property
    def own_address_type(self) -> int:
        """Own_Address_Type for advertising, scanning and initiating (Vol 4 Part E, 7.8.5)."""
        return OWN_ADDRESS_PUBLIC if self.current is not None and self.current.is_public else OWN_ADDRESS_RANDOM

    @property
    def current(self) -> Address | None:
        """The address in use on air."""
        if self.mode in (AddressMode.NRPA, AddressMode.RPA):
            return self.random_address
        return self.identity

    def _static_identity(self) -> Address:
        """The configured file's address, else the controller's (Zephyr) static address, else the
        one generated once and kept beside the local IRK: never a fresh one per start (1.3.2.1)."""
        if self.config.static_address_path is not None:
            return load_or_create_static_address(Path(self.config.static_address_path))
        info = self.host.controller_info
        if info.static_address is not None:
            return info.static_address
        return load_or_create_static_address(default_static_address_path())

    async def start(self) -> None:
        """Work out the identity address and program the random address the mode needs."""
        info = self.host.controller_info
        mode = self.mode
        if mode == AddressMode.PUBLIC and not info.has_public_address:
            raise ValueError("address_mode 'public' needs a controller with a public address (BD_ADDR is 0); "
                             "use 'identity' or 'static'")
        if info.has_public_address and mode in (AddressMode.IDENTITY, AddressMode.PUBLIC):
            self.identity = info.bd_addr
        else:
            self.identity = self._static_identity()
        if mode == AddressMode.RPA and (self.config.irk is None or len(self.config.irk) != 16):
            raise ValueError("address_mode 'rpa' needs a 16-byte irk in GapConfig")
        if mode in (AddressMode.NRPA, AddressMode.RPA):
            self.rotation = PrivateAddressRotation(self.config.irk if mode == AddressMode.RPA else None,
                                                   self.config.rpa_timeout)
            await self.rotate()
        elif self.identity is not None and self.identity.is_random:
            await self._write(self.identity)

    def on_changed(self, callback: Callable[[Address], None]) -> Callable[[], None]:
        """Call `callback(address)` each time a new random address is in use."""
        return subscribe(self._listeners, callback)

    async def rotate(self) -> Address | None:
        """Make a new private address now; applied at once, or when the controller becomes idle."""
        if self.rotation is None:
            return None
        loop = asyncio.get_running_loop()
        address = self.rotation.rotate(loop.time())
        self._schedule(loop)
        if self._busy():
            log.debug("private address rotation to %s deferred: advertising/scanning/initiating", address)
            self.pending = address
            return address
        await self._write(address)
        return address

    async def apply_pending(self) -> None:
        """Write a deferred rotation now that the controller is idle."""
        address, self.pending = self.pending, None
        if address is not None and not self._busy():
            await self._write(address)
        elif address is not None:
            self.pending = address

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._timer is not None:
            self._timer.cancel()
        assert self.rotation is not None
        self._timer = loop.call_later(self.rotation.timeout, self._due)

    def _due(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.rotate())
        task.add_done_callback(_log_failure)

    async def _write(self, address: Address) -> None:
        await self.host.send_command(cmd.LeSetRandomAddress(random_address=address))
        self.random_address = address
        log.info("own random address is now %s", address)
        for callback in list(self._listeners):
            try:
                callback(address)
            except Exception:
                log.exception("address change callback %r failed", callback)

    async def restore(self) -> None:
        """The controller was reset, which cleared its random address (Vol 4 Part E, 7.3.2):
        write the one in use again (or the rotation that was waiting for an idle controller)."""
        address, self.pending = self.pending or self.random_address, None
        if address is not None:
            await self._write(address)

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def _log_failure(task: asyncio.Task[object]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.warning("private address rotation failed: %s", task.exception())
