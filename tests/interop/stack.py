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
from bumble.link import LocalLink

from aioble_hci.host.gap import Gap, GapConfig, attach_gap
from aioble_hci.host.gatt import Gatt, attach_gatt
from aioble_hci.host.host import Host, HostConfig
from aioble_hci.host.l2cap import L2capBearer
from aioble_hci.host.smp import Prompts, Smp, SmpHostConfig, attach_smp
from aioble_hci.smp.config import SecurityConfig
from tests.interop.bumble_link import BumbleControllerTransport

# Bumble never answers some commands (LE Encrypt, LE Set PHY, vendor commands, ...):
# a short timeout keeps our host from waiting the default 5 s on each of them.
COMMAND_TIMEOUT = 0.5


@dataclass
class OurStack:
    """Our Host and its bearers, attached to `controller` (a Bumble Controller)."""

    controller: Controller
    transport: BumbleControllerTransport
    host: Host
    gap: Gap
    smp: Smp
    gatt: Gatt

    @property
    def l2cap(self) -> L2capBearer:
        return self.gatt.l2cap


async def make_stack(link: LocalLink, directory: Path, *, name: str = "ours", gap: GapConfig | None = None,
                     security: SecurityConfig | None = None, prompts: Prompts | None = None,
                     smp_options: dict[str, Any] | None = None, preferred_mtu: int = 256,
                     **host_config: Any) -> OurStack:
    """Start our Host on a new Bumble Controller of `link` and attach every bearer.

    Bonds and the local IRK live in `directory`, so a second stack made on the same
    directory is the same device after a restart.
    """
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(name, link=link)
    transport = BumbleControllerTransport(controller)
    host = Host(transport, HostConfig(command_timeout=COMMAND_TIMEOUT, **host_config))
    await host.start()
    gap_config = gap or GapConfig(static_address_path=directory / "static.json")
    our_gap = await attach_gap(host, gap_config)
    smp_config = SmpHostConfig(security=security or SecurityConfig(), bond_path=directory / "bonds.json",
                               irk_path=directory / "irk.json", **(smp_options or {}))
    our_smp = await attach_smp(host, smp_config, prompts)
    # GAP does not record the own address per connection yet; SMP needs it for its confirm values.
    our_smp.local_address = our_gap.address
    gatt = attach_gatt(host, preferred_mtu)
    return OurStack(controller, transport, host, our_gap, our_smp, gatt)


async def close_stack(stack: OurStack) -> None:
    stack.smp.detach()
    stack.gap.close()
    await stack.host.close()
    if stack.controller in stack.controller.link.controllers:
        stack.controller.link.remove_controller(stack.controller)
