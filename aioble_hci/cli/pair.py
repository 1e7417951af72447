"""`aioble-hci pair -t SPEC ADDRESS [--legacy] [--io CAP] [--bond]`: connect, pair, print the result.

Prints the pairing method and the resulting LE security level (Core Vol 3 Part C, 10.2.1). On a
terminal the passkey and numeric-comparison prompts are asked interactively; otherwise
``--passkey`` answers passkey entry and comparisons follow ``--reject-comparison``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from aioble_hci.cli.common import add_capture_option

if TYPE_CHECKING:  # imported lazily so `aioble-hci --help` never depends on the host importing
    from aioble_hci.address import Address
    from aioble_hci.cli.status import StatusLine
    from aioble_hci.host.connection import Connection
    from aioble_hci.host.host import Host
    from aioble_hci.host.smp import PairingResult, Prompts

IO_CAPABILITIES = {
    "display-only": 0x00,
    "display-yes-no": 0x01,
    "keyboard-only": 0x02,
    "no-input-no-output": 0x03,
    "keyboard-display": 0x04,
}
LEVEL_NAMES = {
    1: "no security",
    2: "encrypted, unauthenticated",
    3: "encrypted, authenticated",
    4: "authenticated LE Secure Connections, 128-bit key",
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "pair",
        help="connect to a device and pair with it",
        description="Connect to ADDRESS, pair, and print the method used and the security level reached.",
    )
    parser.add_argument("address", metavar="ADDRESS",
                        help="peer address, e.g. aa:bb:cc:dd:ee:ff/public or .../random "
                        "(without a type: the one a recent scan saw, else a short scan finds it)")
    parser.add_argument("-t", "--transport", metavar="SPEC", default=None,
                        help="transport spec (default: $AIOBLE_HCI_TRANSPORT)")
    parser.add_argument("--legacy", action="store_true", help="use LE legacy pairing, not Secure Connections")
    parser.add_argument("--io", metavar="CAP", choices=sorted(IO_CAPABILITIES), default="no-input-no-output",
                        help="our IO capability: " + ", ".join(IO_CAPABILITIES) + " (default no-input-no-output)")
    parser.add_argument("--bond", action="store_true", help="bond: keep the keys in the bond store")
    parser.add_argument("--debug-key", action="store_true",
                        help="LE Secure Connections with the SMP debug key pair (Core Vol 3 Part H, "
                        "2.3.5.6.1), so a sniffer can decrypt the link; peers refuse it unless they allow "
                        "debug keys. For conformance experiments only")
    parser.add_argument("--mitm", action="store_true", help="require MITM protection (authenticated pairing)")
    parser.add_argument("--passkey", type=int, default=None, help="the passkey to type when not on a terminal")
    parser.add_argument("--reject-comparison", action="store_true",
                        help="answer numeric comparison 'no' when not on a terminal")
    parser.add_argument("--bonds", metavar="PATH", default=None,
                        help="bond store file (default ~/.local/share/aioble-hci/bonds.json)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds to connect and pair (default 30)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (shape: docs/cli.md)")
    add_capture_option(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aioble_hci.address import Address
    from aioble_hci.cli.common import open_controller
    from aioble_hci.cli.errors import CliError
    from aioble_hci.cli.status import StatusLine
    from aioble_hci.host.smp import SmpError

    Address.parse(args.address)  # a malformed address fails before a controller is opened
    status = StatusLine()
    status.show("Opening the controller...")
    peer: list[Address] = []
    try:
        with open_controller(args.transport, args.timeout) as handle:
            try:
                result = handle.run(pair_with(handle.host, args.address, args, status, peer),
                                    timeout=args.timeout + 10)
            except (SmpError, TimeoutError, ConnectionError) as error:
                raise CliError(f"pair {args.address}: {error}") from error
    finally:
        status.clear()
    address = peer[0]
    print(json.dumps(result_json(address, result)) if args.json else format_result(address, result))
    return 0


def result_json(address: Address, result: PairingResult) -> dict[str, Any]:
    """What `pair --json` prints (docs/cli.md)."""
    state = result.security
    return {
        "address": str(address), "address_type": address.type_name,
        "method": None if result.method is None else result.method.value,
        "secure_connections": bool(state.sc), "security_level": state.level,
        "security_level_name": LEVEL_NAMES[state.level], "key_size": state.key_size,
        "bonded": bool(state.bonded),
    }


def format_result(address: Address, result: PairingResult) -> str:
    state = result.security
    method = "stored key (already bonded)" if result.method is None else result.method.value
    kind = "LE Secure Connections" if state.sc else "LE legacy pairing"
    return "\n".join([
        f"Peer:           {address}",
        f"Method:         {method} ({kind})",
        f"Security level: {state.level} ({LEVEL_NAMES[state.level]})",
        f"Key size:       {state.key_size}",
        f"Bonded:         {'yes' if state.bonded else 'no'}",
    ])


async def pair_with(host: Host, text: str, args: argparse.Namespace, status: StatusLine | None = None,
                    peer: list[Address] | None = None) -> PairingResult:
    """Resolve the peer's address type (cli/peer.py), connect and pair; `peer` receives the address."""
    import asyncio  # here, like the host imports: building the command line must not load them

    from aioble_hci.cli.peer import resolve_peer
    from aioble_hci.host.gap import attach_gap
    from aioble_hci.host.smp import HeadlessPrompts, SmpHostConfig, attach_smp
    from aioble_hci.smp.config import SecurityConfig
    from aioble_hci.smp.pdus import IoCapability
    from aioble_hci.smp.toolbox import P256KeyPair

    security = SecurityConfig(
        io_capability=IoCapability(IO_CAPABILITIES[args.io]), bonding=args.bond, mitm=args.mitm,
        secure_connections=not args.legacy)
    config = SmpHostConfig(security=security, bond_path=args.bonds, passkey=args.passkey,
                           accept_numeric_comparison=not args.reject_comparison,
                           key_pair=P256KeyPair.debug() if args.debug_key else None)
    prompts = terminal_prompts(status) if sys.stdin.isatty() else HeadlessPrompts(args.passkey,
                                                                                  not args.reject_comparison)
    gap = await attach_gap(host)  # our own address: the public one, else a random static one
    smp = await attach_smp(host, config, prompts)
    address = await resolve_peer(gap, text, status)
    if peer is not None:
        peer.append(address)
    if status is not None:
        status.show(f"Connecting to {address}/{address.type_name}...")
    conn = await gap.connect(address, timeout=args.timeout)
    try:
        if status is not None:
            status.show(f"Pairing with {address}...")
        return await asyncio.wait_for(smp.pair(conn), args.timeout)
    finally:
        if conn.connected:
            await gap.disconnect(conn)


def terminal_prompts(status: StatusLine | None = None) -> Prompts:
    """Prompts asking the person at the terminal (input runs in a worker thread, off the host loop).

    The status line is cleared first, so a question never lands in the middle of it.
    """
    import asyncio  # asked only when prompting

    from aioble_hci.host.smp import Prompts

    def clear() -> None:
        if status is not None:
            status.clear()

    class TerminalPrompts(Prompts):
        async def display_passkey(self, conn: Connection, passkey: int) -> None:
            clear()
            print(f"Type this passkey on {conn.peer_address}: {passkey:06d}", flush=True)

        async def enter_passkey(self, conn: Connection) -> int | None:
            clear()
            text = await asyncio.to_thread(input, f"Passkey shown on {conn.peer_address}: ")
            return int(text) if text.strip().isdigit() else None

        async def confirm_numeric_comparison(self, conn: Connection, value: int) -> bool:
            clear()
            text = await asyncio.to_thread(input, f"Does {conn.peer_address} show {value:06d}? [y/N] ")
            return text.strip().lower() in ("y", "yes")

    return TerminalPrompts()

