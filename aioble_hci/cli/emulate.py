"""`aioble-hci emulate CAPTURE`: serve the peripheral a capture recorded (docs/emulate.md).

    aioble-hci emulate phone.btsnoop                 # on the shared virtual air
    aioble-hci emulate phone.btsnoop -t usb          # on a real controller, for a phone
    aioble-hci emulate phone.btsnoop --list          # the peripherals (and advertisers) in it
    aioble-hci emulate phone.btsnoop --adverts       # replay every advertiser, for scanners
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "emulate",
        help="serve the peripheral a capture recorded, as a virtual or real device",
        description="Rebuild the remote peripheral of a capture (btsnoop, pcap, pcapng, PacketLogger, H4): "
        "its address, advertising, GATT database at the recorded handles, read values, write answers "
        "and notifications, and serve it.",
    )
    parser.add_argument("capture_file", metavar="CAPTURE", help="the capture file to emulate (read only)")
    parser.add_argument("-t", "--transport", metavar="SPEC", default=None,
                        help="controller to serve on (default: $AIOBLE_HCI_TRANSPORT, else the shared virtual air)")
    parser.add_argument("--device", metavar="ADDRESS", default=None,
                        help="which peripheral of the capture to emulate (see --list)")
    parser.add_argument("--list", action="store_true", help="list the peripherals and advertisers and exit")
    parser.add_argument("--adverts", action="store_true",
                        help="replay every advertiser of the capture instead, with its data and rough timing")
    parser.add_argument("--speed", type=float, default=1.0, metavar="FACTOR",
                        help="play recorded delays this many times faster (default 1)")
    parser.add_argument("--duration", type=float, default=None, metavar="SECONDS",
                        help="stop after this long (default: until Ctrl-C)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aioble_hci.emulate.builder import build_model
    from aioble_hci.emulate.summary import choose, gaps, listing, reconstructed
    from aioble_hci.host.api import resolve_spec

    if args.speed <= 0:
        raise ValueError(f"--speed must be above 0, got {args.speed}")
    model = build_model(args.capture_file)
    if args.list:
        print("\n".join(listing(model)))
        return 0
    spec = resolve_spec(args.transport)
    if args.adverts:
        return _adverts(model, spec, args)
    device = choose(model, args.device)
    for line in reconstructed(device):
        print(f"reconstructed: {line}")
    for line in gaps(device):
        print(f"not in the capture: {line}")
    return _serve(device, spec, args)


def _serve(device: Any, spec: str, args: argparse.Namespace) -> int:
    from aioble_hci.emulate.serve import DeviceEmulator
    from aioble_hci.host.thread import HostThread

    emulator = DeviceEmulator(device, speed=args.speed)
    thread = HostThread("aioble-hci emulate").start()
    try:
        address = thread.run_sync(emulator.start(spec), 30.0)
        for note in emulator.notes:
            print(f"approximated: {note}")
        print(f"serving {address}/{'public' if address.is_public else 'random'} on {spec} (Ctrl-C to stop)",
              flush=True)
        _wait(args.duration)
    finally:
        try:
            thread.run_sync(emulator.close(), 10.0)
        finally:
            thread.stop()
    return 0


def _adverts(model: Any, spec: str, args: argparse.Namespace) -> int:
    from aioble_hci.emulate.adverts import AdvertReplay
    from aioble_hci.host.thread import HostThread

    advertisers = list(model.advertisers.values())
    if not advertisers:
        raise ValueError("the capture holds no advertising report: nothing to replay")
    if len(advertisers) > 1 and not spec.startswith(("air", "virtual")):
        raise ValueError(f"replaying {len(advertisers)} advertisers needs one controller each: use the virtual "
                         "air (-t air), or emulate one device with --device")
    replay = AdvertReplay(advertisers, speed=args.speed)
    thread = HostThread("aioble-hci emulate --adverts").start()
    try:
        thread.run_sync(replay.start(lambda: spec), 60.0)
        for adv in advertisers:
            print(f"replaying {adv.address}: {len(adv.adv_data)} octets of data"
                  f"{f', {len(adv.scan_response)} of scan response' if adv.scan_response else ''}, "
                  f"{adv.reports} reports", flush=True)
        done = thread.run(replay.wait())
        deadline = None if args.duration is None else time.monotonic() + args.duration
        while not done.done() and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.1)
    finally:
        try:
            thread.run_sync(replay.close(), 10.0)
        finally:
            thread.stop()
    return 0


def _wait(duration: float | None) -> None:
    try:
        if duration is None:
            while True:
                time.sleep(3600)
        time.sleep(duration)
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
