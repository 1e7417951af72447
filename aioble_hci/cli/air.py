"""`aioble-hci air [--socket PATH]`: run the shared virtual air hub in the foreground.

Each program that opens the `air[:PATH]` transport gets its own virtual
controller on this air; programs on the same socket can see and connect to
each other. Without --socket the per-user default socket is used.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "air",
        help="run the shared virtual air (a hub of virtual controllers)",
        description="Serve virtual controllers on one shared air over a Unix socket (H4 framing).",
    )
    parser.add_argument("--socket", metavar="PATH", default=None,
                        help="Unix socket to listen on (default: the per-user socket the `air` transport uses)")
    parser.add_argument("--exit-when-idle", action="store_true",
                        help="exit after --idle-timeout seconds without clients (used when started on demand)")
    parser.add_argument("--idle-timeout", type=float, default=None, metavar="SECONDS",
                        help="idle period before --exit-when-idle exits (default 10)")
    parser.add_argument("--fast", action="store_true",
                        help="deliver advertising and connection events at once (for tests)")
    parser.add_argument("--connection-interval-ms", type=float, default=None, metavar="MS",
                        help="time connection events at this interval instead of the negotiated one")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aioble_hci.controller.hub import DEFAULT_IDLE_TIMEOUT, default_socket_path, run_hub

    path = Path(args.socket).expanduser() if args.socket else default_socket_path()
    idle = None
    if args.exit_when_idle:
        idle = args.idle_timeout if args.idle_timeout is not None else DEFAULT_IDLE_TIMEOUT
    print(f"aioble-hci air: serving virtual controllers on {path}", flush=True)
    return run_hub(path, fast=args.fast, idle_timeout=idle, connection_interval_ms=args.connection_interval_ms)
