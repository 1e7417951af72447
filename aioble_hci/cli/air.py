"""`aioble-hci air [--socket PATH] [--listen tcp:HOST:PORT [--token T]]`: run the shared virtual air hub.

Each program that opens the `air[:PATH]` transport gets its own virtual
controller on this air; programs on the same socket can see and connect to
each other. Without --socket the per-user default socket is used. With --listen the same air
is also served over TCP to programs on other machines (`-t air:tcp:HOST:PORT`), which must give
the shared token: --token, else $AIOBLE_HCI_AIR_TOKEN, else a fresh one that is printed.
"""

from __future__ import annotations

import argparse
import os
import secrets
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
    parser.add_argument("--listen", metavar="tcp:HOST:PORT", default=None,
                        help="also serve the air over TCP to other machines (clients use -t air:tcp:HOST:PORT)")
    parser.add_argument("--token", default=None,
                        help="the shared token TCP clients must present (default $AIOBLE_HCI_AIR_TOKEN, "
                        "else a new one, printed)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from aioble_hci.controller.hub import (
        DEFAULT_IDLE_TIMEOUT,
        TOKEN_ENV,
        default_socket_path,
        run_hub,
    )

    path = Path(args.socket).expanduser() if args.socket else default_socket_path()
    idle = None
    if args.exit_when_idle:
        idle = args.idle_timeout if args.idle_timeout is not None else DEFAULT_IDLE_TIMEOUT
    listen, token = None, None
    if args.listen is not None:
        listen = parse_listen(args.listen)
        token = args.token or os.environ.get(TOKEN_ENV) or secrets.token_urlsafe(16)
    print(f"aioble-hci air: serving virtual controllers on {path}", flush=True)
    if listen is not None:
        print(f"aioble-hci air: and on tcp:{listen[0]}:{listen[1]}; clients need "
              f"{TOKEN_ENV}={token} and -t air:tcp:HOST:{listen[1]}", flush=True)
    return run_hub(path, fast=args.fast, idle_timeout=idle, connection_interval_ms=args.connection_interval_ms,
                   listen=listen, token=token)


def parse_listen(text: str) -> tuple[str, int]:
    """`tcp:HOST:PORT` for --listen (the only listening form besides the Unix socket)."""
    from aioble_hci.cli.errors import CliError
    from aioble_hci.transport.base import TransportError
    from aioble_hci.transport.spec import parse_host_port

    if not text.lower().startswith("tcp:"):
        raise CliError(f"--listen {text}: expected tcp:HOST:PORT, e.g. tcp:0.0.0.0:8765")
    try:
        return parse_host_port(text)
    except TransportError:
        raise CliError(f"--listen {text}: expected tcp:HOST:PORT, e.g. tcp:0.0.0.0:8765") from None
