"""`aioble-hci info -t SPEC`: open a controller, run the init sequence, print what it learnt."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from aioble_hci.cli.common import add_capture_option

if TYPE_CHECKING:  # imported lazily so `aioble-hci --help` never depends on the host importing
    from aioble_hci.host.startup import ControllerInfo


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "info",
        help="show what a controller is and supports",
        description="Open a controller, run the host's init sequence and print what it reported.",
    )
    parser.add_argument(
        "-t", "--transport", metavar="SPEC", default=None,
        help="transport spec, e.g. serial:/dev/ttyACM0, usb, tcp-client:HOST:PORT, virtual "
        "(default: $AIOBLE_HCI_TRANSPORT)",
    )
    parser.add_argument("--timeout", type=float, default=5.0, help="per-command timeout in seconds (default 5)")
    parser.add_argument("--json", action="store_true", help="print one JSON object (shape: docs/cli.md)")
    parser.set_defaults(func=run)
    add_capture_option(parser)


def run(args: argparse.Namespace) -> int:
    from aioble_hci.cli.common import open_controller

    with open_controller(args.transport, args.timeout, command_timeout=args.timeout) as handle:
        spec, info = handle.host.transport.spec, handle.controller_info
    print(json.dumps(info_json(spec, info)) if args.json else format_info(spec, info))
    return 0


def info_json(spec: str, info: ControllerInfo) -> dict[str, Any]:
    """What `info --json` prints (docs/cli.md): the same facts as the text, with numbers as numbers."""
    return {
        "transport": spec,
        "hci_version": info.hci_version, "hci_version_name": info.hci_version_name,
        "hci_revision": info.hci_subversion,
        "lmp_version": info.lmp_version, "lmp_version_name": info.lmp_version_name,
        "lmp_subversion": info.lmp_subversion,
        "manufacturer": info.manufacturer, "manufacturer_name": info.manufacturer_name,
        "public_address": str(info.bd_addr) if info.has_public_address else None,
        "static_addresses": [str(a) for a in info.static_addresses],
        "acl_buffers": {"count": info.total_num_acl_data_packets, "size": info.acl_data_packet_length,
                        "source": info.buffer_source},
        "iso_buffers": {"count": info.total_num_iso_data_packets, "size": info.iso_data_packet_length},
        "le_features": info.le_features, "le_feature_names": info.le_feature_names,
        "supported_command_count": info.supported_command_count,
        "le_commands": info.le_commands_of_interest(),
    }


def format_info(spec: str, info: ControllerInfo) -> str:
    """The report `aioble-hci info` prints, one fact per line."""
    lines = [
        f"Transport:     {spec}",
        f"HCI version:   {info.hci_version_name} (0x{info.hci_version:02x}), revision 0x{info.hci_subversion:04x}",
        f"LMP version:   {info.lmp_version_name} (0x{info.lmp_version:02x}), subversion 0x{info.lmp_subversion:04x}",
        f"Manufacturer:  {info.manufacturer_name} (0x{info.manufacturer:04x})",
    ]
    if info.has_public_address:
        lines.append(f"Address:       {info.bd_addr} (public)")
    else:
        lines.append("Address:       no public address (BD_ADDR is 00:00:00:00:00:00)")
    for address in info.static_addresses:
        lines.append(f"Static random: {address} (factory static random address)")
    lines.append(
        f"ACL buffers:   {info.total_num_acl_data_packets} x {info.acl_data_packet_length} bytes (from {info.buffer_source})"
    )
    if info.total_num_iso_data_packets:
        lines.append(f"ISO buffers:   {info.total_num_iso_data_packets} x {info.iso_data_packet_length} bytes")
    features = info.le_feature_names
    lines.append(f"LE features:   0x{info.le_features:016x} ({len(features)})")
    lines.extend(f"  - {name}" for name in features)
    lines.append(f"Commands:      {info.supported_command_count} supported")
    for name, supported in info.le_commands_of_interest().items():
        lines.append(f"  {'yes' if supported else 'no ':3} {name}")
    return "\n".join(lines)
