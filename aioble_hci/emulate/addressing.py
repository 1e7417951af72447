"""Give the emulated device its recorded address, on whatever controller it runs.

- Public (Vol 6 Part B 1.3.1): Zephyr's Write BD_ADDR vendor command (our virtual controller and
  Zephyr's hci_uart/hci_usb boards have it), then the host's GAP uses the public address.
- Random static (1.3.2.1): the GAP's static identity, from a one-line JSON file holding it.
- Resolvable or non-resolvable private (1.3.2.2, 1.3.2.3): the capture has no IRK, so the address
  cannot rotate like the device's did; it is set once with LE Set Random Address and kept, with
  legacy advertising (which uses the controller's random address).
A controller refusing the public address keeps its own, and the emulator says so.
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from aioble_hci.address import Address
from aioble_hci.hci import commands as cmd
from aioble_hci.host.errors import HciCommandError, HciTimeoutError
from aioble_hci.host.gap.config import AddressMode, GapConfig
from aioble_hci.host.host import Host

log = logging.getLogger(__name__)


@dataclass
class AddressPlan:
    """The address the device will use, and what is left to do once the GAP is attached."""

    address: Address
    set_random: bool = False

    async def apply(self, host: Host) -> None:
        if self.set_random:
            await host.send_command(cmd.LeSetRandomAddress(random_address=self.address))


async def take_address(host: Host, recorded: Address | None) -> tuple[GapConfig, AddressPlan, list[str]]:
    """The GapConfig and plan serving `recorded` on `host` (started, GAP not attached yet)."""
    notes: list[str] = []
    if recorded is None:
        config = GapConfig(address_mode=AddressMode.STATIC)
        address = host.controller_info.static_address
        if address is None:
            from aioble_hci.gap.privacy import generate_static_address

            address = generate_static_address()
            config = GapConfig(address_mode=AddressMode.STATIC, static_address_path=_static_file(address))
        notes.append(f"the device's address is not in the capture: serving at {address} (random)")
        return config, AddressPlan(address), notes
    if recorded.is_public:
        if await _write_bd_addr(host, recorded):
            return GapConfig(address_mode=AddressMode.PUBLIC), AddressPlan(recorded), notes
        own = host.controller_info.address
        notes.append(f"the controller does not take the public address {recorded} (no Write BD_ADDR): "
                     f"serving at its own address {own}")
        return GapConfig(), AddressPlan(own or recorded), notes
    if recorded.is_static:
        return (GapConfig(address_mode=AddressMode.STATIC, static_address_path=_static_file(recorded)),
                AddressPlan(recorded), notes)
    notes.append(f"{recorded} is a private address and the capture holds no IRK: it is served as a fixed "
                 "random address, never rotated")
    return GapConfig(address_mode=AddressMode.STATIC, force_legacy=True), AddressPlan(recorded, True), notes


async def _write_bd_addr(host: Host, address: Address) -> bool:
    info = host.controller_info
    if info.bd_addr is not None and info.bd_addr.value == address.value:
        return True
    try:
        await host.send_command(cmd.ZephyrWriteBdAddr(address))
        info.bd_addr = (await host.send_command(cmd.ReadBdAddr())).bd_addr
    except (HciCommandError, HciTimeoutError) as exc:
        log.info("Write BD_ADDR refused: %s", exc)
        return False
    return info.bd_addr is not None and info.bd_addr.value == address.value


def _static_file(address: Address) -> Path:
    """A file the GAP reads its static identity from (load_or_create_static_address's format)."""
    directory = Path(tempfile.mkdtemp(prefix="aioble-hci-emulate-"))
    path = directory / "static_address.json"
    path.write_text(json.dumps({"static_address": f"{address}/random"}))
    return path
