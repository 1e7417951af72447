"""Our whole host (Host + GAP, L2CAP, GATT, SMP bearers) on a Bumble Controller of a LocalLink.

Our host uses a random static own address there: Bumble's LocalLink routes LE data
by the sender's random address (bumble/link.py `send_acl_data` uses
`sender_controller.random_address`), so a host on a public address would send
into the void. GAP's default identity mode already does this on a controller
whose BD_ADDR is zero, as Bumble's is by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bumble.controller import Controller

from aioble_hci.host.gap import Gap, GapConfig, attach_gap
from aioble_hci.host.gatt import Gatt, attach_gatt
from aioble_hci.host.host import Host, HostConfig
from aioble_hci.host.l2cap import L2capBearer
from aioble_hci.host.smp import Prompts, Smp, SmpHostConfig, attach_smp
from aioble_hci.smp.config import SecurityConfig
from aioble_hci.transport.base import Transport
from tests.interop.bumble_link import BumbleControllerTransport

# Bumble never answers some commands (LE Encrypt, LE Set PHY, vendor commands, ...):
# a short timeout keeps our host from waiting the default 5 s on each of them.
COMMAND_TIMEOUT = 0.5


@dataclass
class OurStack:
    """Our Host and its bearers, on a Bumble Controller or on one of our virtual controllers."""

    transport: Transport
    host: Host
    gap: Gap
    smp: Smp
    gatt: Gatt

    @property
    def l2cap(self) -> L2capBearer:
        return self.gatt.l2cap

    @property
    def controller(self) -> Controller | None:
        """The Bumble Controller under our Host, when there is one."""
        transport = self.transport
        return transport.controller if isinstance(transport, BumbleControllerTransport) else None


async def make_stack(transport: Transport, directory: Path, *, gap: GapConfig | None = None,
                     security: SecurityConfig | None = None, prompts: Prompts | None = None,
                     smp_options: dict[str, Any] | None = None, preferred_mtu: int = 256,
                     **host_config: Any) -> OurStack:
    """Start our Host on `transport` and attach every bearer.

    Bonds and the local IRK live in `directory`, so a second stack made on the same
    directory is the same device after a restart.
    """
    directory.mkdir(parents=True, exist_ok=True)
    host = Host(transport, HostConfig(command_timeout=COMMAND_TIMEOUT, **host_config))
    await host.start()
    gap_config = gap or GapConfig(static_address_path=directory / "static.json")
    our_gap = await attach_gap(host, gap_config)
    smp_config = SmpHostConfig(security=security or SecurityConfig(), bond_path=directory / "bonds.json",
                               irk_path=directory / "irk.json", **(smp_options or {}))
    our_smp = await attach_smp(host, smp_config, prompts)  # takes our own address from host.gap
    gatt = attach_gatt(host, preferred_mtu)
    return OurStack(transport, host, our_gap, our_smp, gatt)


async def close_stack(stack: OurStack) -> None:
    stack.smp.detach()
    stack.gap.close()
    await stack.host.close()
    controller = stack.controller
    if controller is not None and controller in controller.link.controllers:
        controller.link.remove_controller(controller)
