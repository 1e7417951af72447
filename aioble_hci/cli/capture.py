"""`aioble-hci capture show|stats|convert`: look inside HCI capture files."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aioble_hci.capture.records import CaptureFormatError

FILTERS = ("hci", "acl", "l2cap", "att", "smp", "adv")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("capture", help="show, summarise or convert HCI capture files")
    sub = parser.add_subparsers(dest="capture_command", metavar="ACTION", required=True)

    show = sub.add_parser("show", help="decode every packet through every layer")
    show.add_argument("file")
    show.add_argument("--filter", choices=FILTERS, help="only packets carrying this layer")
    show.add_argument(
        "--handle", type=lambda s: int(s, 0), help="only packets of this connection handle"
    )
    show.add_argument(
        "--json", action="store_true", help="one JSON object per packet, one per line"
    )
    show.set_defaults(func=_show)

    stats = sub.add_parser("stats", help="packets by type, connections, ATT PDUs, pairing outcome")
    stats.add_argument("file")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=_stats)

    convert = sub.add_parser("convert", help="copy the HCI packets to .btsnoop or .pcap")
    convert.add_argument("input")
    convert.add_argument("output")
    convert.set_defaults(func=_convert)


def _matches(packet: Any, args: argparse.Namespace) -> bool:
    if args.handle is not None and packet.handle != args.handle:
        return False
    if args.filter is None:
        return True
    if args.filter == "hci":
        return packet.has_layer("hci") or packet.has_layer("adv") or packet.has_layer("vendor")
    return bool(packet.has_layer(args.filter))


def _show(args: argparse.Namespace) -> int:
    from aioble_hci.capture.decoder import DecodeStream

    stream = DecodeStream(args.file)  # one packet at a time: output starts at once, memory stays flat
    out = sys.stdout
    shown = 0
    try:
        for packet in stream:
            shown += 1
            if not _matches(packet, args):
                continue
            if args.json:
                out.write(json.dumps(packet.to_json()) + "\n")
            else:
                out.write(packet.render() + "\n")
        out.flush()
    except BrokenPipeError:  # `capture show FILE | head` is normal use
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter's final flush quiet
        return 0
    return _damage_status(stream.error, shown)


def _damage_status(error: CaptureFormatError | None, records: int) -> int:
    """Exit status 1 with a message on stderr when the capture was damaged part-way, else 0."""
    if error is not None:
        print(f"aioble-hci: capture damaged after {records} records: {error}", file=sys.stderr)
        return 1
    return 0


def _stats(args: argparse.Namespace) -> int:
    from aioble_hci.capture.decoder import decode_file
    from aioble_hci.capture.stats import summarise

    result = decode_file(args.file)
    stats = summarise(result.packets, result.decoder)
    print(json.dumps(stats.to_json(), indent=2) if args.json else stats.render())
    return _damage_status(result.error, len(result.packets))


def _convert(args: argparse.Namespace) -> int:
    from aioble_hci.capture.files import convert

    written, skipped, error = convert(args.input, args.output)
    print(
        f"wrote {written} packets to {args.output}"
        + (f", skipped {skipped} non-HCI records" if skipped else "")
    )
    if error is not None:
        print(f"aioble-hci: input damaged, converted what came before: {error}", file=sys.stderr)
        return 1
    return 0
