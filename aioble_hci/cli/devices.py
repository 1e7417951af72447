"""`aioble-hci devices [--json]`: the serial ports and USB HCI controllers present, with the spec
string that opens each one (`-t SPEC`).

A source that cannot be listed (libusb failing to start, say) is reported as a problem line and
the other source is still listed.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "devices",
        help="list serial ports and USB HCI controllers, with the spec for each",
        description="List the serial ports and the USB Bluetooth controllers (class E0/01/01) present, "
        "with the transport spec to pass as -t for each.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (shape: docs/cli.md)")
    parser.set_defaults(func=run)


def serial_ports() -> list[dict[str, Any]]:
    """Every serial port pyserial sees (a Zephyr hci_uart board is one of them)."""
    from serial.tools import list_ports

    ports = []
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        vid_pid = f"{port.vid:04x}:{port.pid:04x}" if port.vid is not None and port.pid is not None else None
        ports.append({"device": port.device, "description": port.description or "",
                      "vid_pid": vid_pid, "serial_number": port.serial_number,
                      "spec": f"serial:{port.device}"})
    return ports


def usb_controllers(devices: list[Any]) -> list[dict[str, Any]]:
    """The USB devices with a Bluetooth HCI interface, with specs by VID:PID, serial and bus/port."""
    from aioble_hci.transport.usb import is_hci_device, port_path, serial_number

    controllers = [d for d in devices if is_hci_device(d)]
    seen: Counter[tuple[int, int]] = Counter()
    entries = []
    for device in controllers:
        ids = (device.idVendor, device.idProduct)
        index = seen[ids]
        seen[ids] += 1
        vid_pid = f"{ids[0]:04x}:{ids[1]:04x}"
        serial = serial_number(device)
        bus, port = getattr(device, "bus", None), port_path(device)
        entries.append({
            "vid_pid": vid_pid, "bus": bus, "port_path": port, "serial_number": serial,
            "spec": f"usb:{vid_pid}" + (f"#{index}" if index else ""),
            "spec_by_serial": f"usb:serial={serial}" if serial else None,
            "spec_by_port": f"usb:bus={bus},port={port}" if bus is not None and port else None,
        })
    return entries


def inventory() -> dict[str, Any]:
    """Both lists and the problems met while making them (the `devices --json` object)."""
    from aioble_hci.transport import usb as usb_transport
    from aioble_hci.transport.base import TransportError

    problems: list[str] = []
    serial: list[dict[str, Any]] = []
    usb: list[dict[str, Any]] = []
    try:
        serial = serial_ports()
    except Exception as exc:  # noqa: BLE001 - a listing problem is reported, never fatal
        problems.append(f"serial ports: {exc}")
    try:
        usb = usb_controllers(usb_transport.default_finder())
    except TransportError as exc:
        problems.append(f"USB: {exc}")
    return {"serial": serial, "usb": usb, "problems": problems}


def render(found: dict[str, Any]) -> str:
    lines = ["Serial ports:"]
    for port in found["serial"]:
        ids = f" [{port['vid_pid']}]" if port["vid_pid"] else ""
        lines.append(f"  {port['spec']:<28} {port['description']}{ids}")
    if not found["serial"]:
        lines.append("  none")
    lines.append("USB Bluetooth controllers:")
    for usb in found["usb"]:
        others = [s for s in (usb["spec_by_serial"], usb["spec_by_port"]) if s]
        also = f"  (or {', '.join(others)})" if others else ""
        lines.append(f"  {usb['spec']:<28}{also}")
    if not found["usb"]:
        lines.append("  none")
    lines.extend(f"Problem: {problem}" for problem in found["problems"])
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    found = inventory()
    print(json.dumps(found) if args.json else render(found))
    return 0
