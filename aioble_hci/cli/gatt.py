"""`aioble-hci gatt -t SPEC ADDRESS [--pair]`: connect, discover and print the remote GATT database.

The tree lists services, included services, characteristics with their properties, descriptors
and the values of readable attributes; SIG UUIDs are named from the Assigned Numbers.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from aioble_hci.cli.common import add_capture_option

if TYPE_CHECKING:  # imported lazily so `aioble-hci --help` never depends on the host importing
    from aioble_hci.host.host import Host
    from aioble_hci.transport.base import Transport

PROPERTY_NAMES = (
    (0x01, "broadcast"), (0x02, "read"), (0x04, "write-without-response"), (0x08, "write"),
    (0x10, "notify"), (0x20, "indicate"), (0x40, "signed-write"), (0x80, "extended"),
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "gatt",
        help="connect to a peripheral and print its GATT database",
        description="Connect to ADDRESS, discover its services, characteristics and descriptors, "
        "and print them as a tree with the values of readable attributes.",
    )
    parser.add_argument(
        "-t", "--transport", metavar="SPEC", default=None,
        help="transport spec, e.g. serial:/dev/ttyACM0, usb, virtual (default: $AIOBLE_HCI_TRANSPORT)",
    )
    parser.add_argument("address", metavar="ADDRESS", help="peer address, AA:BB:CC:DD:EE:FF[/public|/random]")
    parser.add_argument("--pair", action="store_true", help="pair (SMP) before discovering")
    parser.add_argument("--timeout", type=float, default=10.0, help="connection timeout in seconds (default 10)")
    parser.add_argument("--no-values", action="store_true", help="do not read the values")
    parser.set_defaults(func=run)
    add_capture_option(parser)


def run(args: argparse.Namespace) -> int:
    from aioble_hci.address import Address

    address = Address.parse(args.address)
    print(explore(args.transport, address, pair=args.pair, timeout=args.timeout, values=not args.no_values))
    return 0


def explore(spec: str | Transport | None, address: Any, *, pair: bool = False, timeout: float = 10.0,
            values: bool = True) -> str:
    """Open a host on `spec`, connect to `address` and return the printed tree (blocking)."""
    from aioble_hci.cli.common import open_controller
    from aioble_hci.host.api import open_host

    with (open_host(spec) if not isinstance(spec, str | None) else open_controller(spec, timeout)) as handle:
        return handle.run(_explore(handle.host, address, pair, timeout, values))


async def _explore(host: Host, address: Any, pair: bool, timeout: float, values: bool) -> str:
    from aioble_hci.host.gap import attach_gap
    from aioble_hci.host.gatt import attach_gatt

    gap = await attach_gap(host)
    lines: list[str] = []
    if pair:
        from aioble_hci.host.smp import attach_smp

        smp = await attach_smp(host)
    gatt = attach_gatt(host)
    conn = await gap.connect(address, timeout=timeout)
    try:
        lines.append(f"Connected to {address} (handle 0x{conn.handle:03X})")
        if pair:
            result = await smp.pair(conn, timeout=30.0)
            method = result.method.name if result.method is not None else "stored bond"
            lines.append(f"Paired: {method}, security level {result.level}")
        client = gatt.client(conn)
        mtu = await client.exchange_mtu()
        lines.append(f"ATT MTU {mtu}")
        lines.extend(await tree(client, values))
    finally:
        if conn.connected:
            await gap.disconnect(conn)
    return "\n".join(lines)


async def tree(client: Any, values: bool = True) -> list[str]:
    """The remote database of a `GattClient` as indented lines."""
    from aioble_hci.att.errors import AttError
    from aioble_hci.host.gatt.names import describe_uuid

    async def value_of(handle: int) -> str:
        try:
            return format_value(await client.read(handle, long=True))
        except AttError as exc:
            return f"<{exc.code.name.lower().replace('_', ' ')}>"

    lines: list[str] = []
    for service in await client.discover_services():
        lines.append(f"Service {describe_uuid(service.uuid)} [0x{service.start_handle:04X}-0x{service.end_handle:04X}]")
        for inc in await client.find_included_services(service):
            lines.append(f"  Include {describe_uuid(inc.uuid)} [0x{inc.start_handle:04X}-0x{inc.end_handle:04X}]")
        for char in await client.discover_characteristics(service):
            props = ", ".join(name for bit, name in PROPERTY_NAMES if char.properties & bit)
            line = f"  Characteristic {describe_uuid(char.uuid)} [0x{char.value_handle:04X}] ({props})"
            if values and char.properties & 0x02:
                line += f" = {await value_of(char.value_handle)}"
            lines.append(line)
            for desc in await client.discover_descriptors(char):
                dline = f"    Descriptor {describe_uuid(desc.uuid)} [0x{desc.handle:04X}]"
                if values:
                    dline += f" = {await value_of(desc.handle)}"
                lines.append(dline)
    return lines


def format_value(value: bytes) -> str:
    """Hex, plus the text when the value is printable UTF-8."""
    text = ""
    try:
        decoded = value.decode()
        if decoded and decoded.isprintable():
            text = f' "{decoded}"'
    except UnicodeDecodeError:
        pass
    return (value.hex(" ") or "(empty)") + text
