"""`aioble-hci gatt -t SPEC ADDRESS [--pair] [--json]`: connect, discover and print the remote GATT database.

The tree lists services, included services, characteristics with their properties, descriptors
and the values of readable attributes; SIG UUIDs are named from the Assigned Numbers and SIG
values with a known format are decoded beside the hex (cli/values.py). The address type follows
the rule in cli/peer.py. `--json` prints the same database as one object (docs/cli.md).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from aioble_hci.cli.common import add_capture_option

if TYPE_CHECKING:  # imported lazily so `aioble-hci --help` never depends on the host importing
    from aioble_hci.cli.status import StatusLine
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
    parser.add_argument("address", metavar="ADDRESS",
                        help="peer address, AA:BB:CC:DD:EE:FF[/public|/random] (without a type: the one a "
                        "recent scan saw, else a short scan finds it)")
    parser.add_argument("--pair", action="store_true", help="pair (SMP) before discovering")
    parser.add_argument("--timeout", type=float, default=10.0, help="connection timeout in seconds (default 10)")
    parser.add_argument("--no-values", action="store_true", help="do not read the values")
    parser.add_argument("--json", action="store_true", help="print one JSON object (shape: docs/cli.md)")
    parser.set_defaults(func=run)
    add_capture_option(parser)


def run(args: argparse.Namespace) -> int:
    from aioble_hci.cli.status import StatusLine

    status = StatusLine()
    try:
        database = explore_database(args.transport, args.address, pair=args.pair, timeout=args.timeout,
                                    values=not args.no_values, status=status)
    finally:
        status.clear()
    print(json.dumps(database) if args.json else render(database))
    return 0


def explore(spec: str | Transport | None, address: Any, *, pair: bool = False, timeout: float = 10.0,
            values: bool = True) -> str:
    """Open a host on `spec`, connect to `address` and return the printed tree (blocking)."""
    text = address if isinstance(address, str) else f"{address}/{'public' if address.is_public else 'random'}"
    return render(explore_database(spec, text, pair=pair, timeout=timeout, values=values))


def explore_database(spec: str | Transport | None, address: str, *, pair: bool = False, timeout: float = 10.0,
                     values: bool = True, status: StatusLine | None = None) -> dict[str, Any]:
    """Open a host on `spec`, connect to `address` and return the database as plain data (blocking)."""
    from aioble_hci.cli.common import open_controller
    from aioble_hci.host.api import open_host

    if status is not None:
        status.show("Opening the controller...")
    with (open_host(spec) if not isinstance(spec, str | None) else open_controller(spec, timeout)) as handle:
        return handle.run(_explore(handle.host, address, pair, timeout, values, status))


async def _explore(host: Host, text: str, pair: bool, timeout: float, values: bool,
                   status: StatusLine | None) -> dict[str, Any]:
    from aioble_hci.cli.peer import resolve_peer
    from aioble_hci.host.gap import attach_gap
    from aioble_hci.host.gatt import attach_gatt

    gap = await attach_gap(host)
    if pair:
        from aioble_hci.host.smp import attach_smp

        smp = await attach_smp(host)
    gatt = attach_gatt(host)
    address = await resolve_peer(gap, text, status)
    if status is not None:
        status.show(f"Connecting to {address}/{address.type_name}...")
    conn = await gap.connect(address, timeout=timeout)
    database: dict[str, Any] = {"address": str(address), "address_type": address.type_name,
                                "handle": conn.handle, "paired": None}
    try:
        if pair:
            if status is not None:
                status.show(f"Pairing with {address}...")
            result = await smp.pair(conn, timeout=30.0)
            database["paired"] = {"method": result.method.value if result.method is not None else None,
                                  "security_level": result.level}
        if status is not None:
            status.show("Discovering services...")
        client = gatt.client(conn)
        database["mtu"] = await client.exchange_mtu()
        database["services"] = await discover(client, values)
    finally:
        if conn.connected:
            await gap.disconnect(conn)
    return database


async def discover(client: Any, values: bool = True) -> list[dict[str, Any]]:
    """The remote database of a `GattClient` as plain data (the `services` of `gatt --json`)."""
    from aioble_hci.att.errors import AttError
    from aioble_hci.cli.values import decode_value

    async def read(uuid: Any, handle: int) -> dict[str, Any]:
        try:
            value = await client.read(handle, long=True)
        except AttError as exc:
            return {"error": exc.code.name.lower().replace("_", " ")}
        return {"value": bytes(value).hex(), "decoded": decode_value(uuid, value)}

    services: list[dict[str, Any]] = []
    for service in await client.discover_services():
        entry: dict[str, Any] = {**_uuid_fields(service.uuid), "start_handle": service.start_handle,
                                 "end_handle": service.end_handle, "includes": [], "characteristics": []}
        for inc in await client.find_included_services(service):
            entry["includes"].append({**_uuid_fields(inc.uuid), "start_handle": inc.start_handle,
                                      "end_handle": inc.end_handle})
        for char in await client.discover_characteristics(service):
            item: dict[str, Any] = {
                **_uuid_fields(char.uuid), "handle": char.value_handle,
                "properties": [name for bit, name in PROPERTY_NAMES if char.properties & bit],
                "descriptors": []}
            if values and char.properties & 0x02:
                item.update(await read(char.uuid, char.value_handle))
            for desc in await client.discover_descriptors(char):
                d: dict[str, Any] = {**_uuid_fields(desc.uuid), "handle": desc.handle}
                if values:
                    d.update(await read(desc.uuid, desc.handle))
                item["descriptors"].append(d)
            entry["characteristics"].append(item)
        services.append(entry)
    return services


def _uuid_fields(uuid: Any) -> dict[str, Any]:
    from aioble_hci.host.gatt.names import uuid_name

    return {"uuid": str(uuid.shortest()), "name": uuid_name(uuid)}


async def tree(client: Any, values: bool = True) -> list[str]:
    """The remote database of a `GattClient` as indented lines."""
    return render_services(await discover(client, values))


def render(database: dict[str, Any]) -> str:
    """The text `gatt` prints for a database from `explore_database`."""
    lines = [f"Connected to {database['address']} (handle 0x{database['handle']:03X})"]
    if database.get("paired"):
        paired = database["paired"]
        lines.append(f"Paired: {paired['method'] or 'stored bond'}, security level {paired['security_level']}")
    lines.append(f"ATT MTU {database['mtu']}")
    lines.extend(render_services(database["services"]))
    return "\n".join(lines)


def render_services(services: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    for service in services:
        lines.append(f"Service {_label(service)} [0x{service['start_handle']:04X}-0x{service['end_handle']:04X}]")
        for inc in service["includes"]:
            lines.append(f"  Include {_label(inc)} [0x{inc['start_handle']:04X}-0x{inc['end_handle']:04X}]")
        for char in service["characteristics"]:
            line = f"  Characteristic {_label(char)} [0x{char['handle']:04X}] ({', '.join(char['properties'])})"
            lines.append(line + _value_text(char))
            for desc in char["descriptors"]:
                lines.append(f"    Descriptor {_label(desc)} [0x{desc['handle']:04X}]" + _value_text(desc))
    return lines


def _label(item: dict[str, Any]) -> str:
    return f"{item['uuid']} ({item['name']})" if item.get("name") else item["uuid"]


def _value_text(item: dict[str, Any]) -> str:
    if "error" in item:
        return f" = <{item['error']}>"
    if "value" not in item:
        return ""
    value = bytes.fromhex(item["value"])
    decoded = item.get("decoded")
    if not decoded:
        return f" = {format_value(value)}"
    return f" = {value.hex(' ')} " + (decoded if decoded.startswith('"') else f"({decoded})")


def format_value(value: bytes) -> str:
    """Hex, plus the text when the value is printable UTF-8."""
    return (value.hex(" ") or "(empty)") + _printable(value)


def _printable(value: bytes) -> str:
    try:
        decoded = value.decode()
    except UnicodeDecodeError:
        return ""
    return f' "{decoded}"' if decoded and decoded.isprintable() else ""
