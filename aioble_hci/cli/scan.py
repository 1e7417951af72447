"""`aioble-hci scan -t SPEC [--duration S] [--active] [--json]`: list advertisers as they are heard.

On a terminal a live table, one row per device, redrawn in place with ANSI escapes;
otherwise one plain line per update; with `--json` one JSON object per line (the
device's merged advertising data and scan response, see ScanReport.as_dict).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from aioble_hci.cli.common import add_capture_option

if TYPE_CHECKING:  # imported lazily so `aioble-hci --help` never depends on the host importing
    from aioble_hci.address import Address
    from aioble_hci.gap.scan_results import ScanReport
    from aioble_hci.host.host import Host

HEADER = f"{'ADDRESS':<17} {'TYPE':<7} {'RSSI':>4}  {'NAME':<20} {'SERVICES':<28} MANUFACTURER"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="list advertising devices",
        description="Scan for advertisers and show one row per device (address, RSSI, name, services, "
        "manufacturer data), merging each device's advertising data and scan response.",
    )
    parser.add_argument(
        "-t", "--transport", metavar="SPEC", default=None,
        help="transport spec, e.g. serial:/dev/ttyACM0, usb, virtual, air (default: $AIOBLE_HCI_TRANSPORT)",
    )
    parser.add_argument("--duration", type=float, default=None, metavar="S",
                        help="stop after S seconds (default: until Ctrl-C)")
    parser.add_argument("--active", action="store_true", help="active scan: ask scannable devices for scan responses")
    parser.add_argument("--json", action="store_true", help="print one JSON object per device update")
    parser.add_argument("--legacy", action="store_true", help="use only the legacy scan commands")
    parser.add_argument("--timeout", type=float, default=5.0, help="per-command timeout in seconds (default 5)")
    parser.set_defaults(func=run)
    add_capture_option(parser)


def format_row(report: ScanReport) -> str:
    """One table row for a device."""
    rssi = "" if report.rssi is None else str(report.rssi)
    services = ",".join(str(u) for u in report.services)
    manufacturer = " ".join(f"{cid:04x}:{data.hex()}" for cid, data in report.manufacturer_data.items())
    name = report.name or ""
    return (f"{report.address!s:<17} {report.address.type_name:<7} {rssi:>4}  {name[:20]:<20} "
            f"{services[:28]:<28} {manufacturer}").rstrip()


class ScanView:
    """Renders scan updates: a table redrawn in place (tty), plain lines, or JSON lines."""

    def __init__(self, out: TextIO, as_json: bool = False, live: bool | None = None) -> None:
        self.out = out
        self.as_json = as_json
        self.live = (out.isatty() if live is None else live) and not as_json
        self.rows: dict[str, str] = {}
        self.addresses: dict[str, Address] = {}  # every advertiser seen, with its address type
        self._drawn = 0

    def update(self, report: ScanReport) -> None:
        self.addresses[f"{report.address}/{report.address.type_name}"] = report.address
        if self.as_json:
            self.out.write(json.dumps(report.as_dict()) + "\n")
        elif self.live:
            self.rows[f"{report.address}/{report.address.type_name}"] = format_row(report)
            self._redraw()
        else:
            if not self.rows:
                self.out.write(HEADER + "\n")
            self.rows[f"{report.address}/{report.address.type_name}"] = ""
            self.out.write(format_row(report) + "\n")
        self.out.flush()

    def _redraw(self) -> None:
        if self._drawn:
            self.out.write(f"\x1b[{self._drawn}F\x1b[J")  # back to the table's first line, clear below
        lines = [HEADER, *self.rows.values()]
        self.out.write("\n".join(lines) + "\n")
        self._drawn = len(lines)


async def scan_into(host: Host, view: ScanView, active: bool, duration: float | None, legacy: bool) -> int:
    """Scan on the host loop, feeding every merged update to the view; the number of devices seen."""
    from aioble_hci.host.gap import GapConfig, ScanParameters, attach_gap

    gap = await attach_gap(host, GapConfig(force_legacy=legacy))
    params = ScanParameters(active=active, duration=duration or 0.0)
    async with await gap.scan(params) as session:
        async for report in session:
            view.update(report)
        return len(session.devices)


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from aioble_hci.cli.common import open_controller
    from aioble_hci.cli.peer import remember
    from aioble_hci.host.errors import ControllerLostError

    view = ScanView(out or sys.stdout, as_json=args.json)
    with open_controller(args.transport, args.timeout, command_timeout=args.timeout) as handle:
        try:
            handle.run(scan_into(handle.host, view, args.active, args.duration, args.legacy))
        except KeyboardInterrupt:
            pass
        finally:  # the types seen let gatt and pair connect without a /public or /random suffix
            remember(list(view.addresses.values()))
        lost = handle.host.lost
    if lost is not None:  # the scan ended because the controller went away, not because it was done
        raise ControllerLostError(f"controller lost during the scan: {lost}")
    return 0
