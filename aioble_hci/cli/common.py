"""Options shared by the subcommands that open a controller.

`add_capture_option(parser)` gives a subcommand `--capture FILE`: every HCI packet of the run is
recorded to FILE (format by extension: .btsnoop, .pcap; see aioble_hci.capture.open_writer). It
works by setting AIOBLE_HCI_CAPTURE for this process, which every Host honours whatever its
transport, so a subcommand needs no other change.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aioble_hci.host.api import HostHandle

CAPTURE_ENV = "AIOBLE_HCI_CAPTURE"  # read by aioble_hci.host.capture_hook
CAPTURE_DEST = "capture_to"  # the --capture option's attribute: a name no input argument uses


class _CaptureAction(argparse.Action):
    """Stores the path; check_capture_target (run by main before the command) exports it."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        path = str(values)
        from aioble_hci.capture.files import WRITER_EXTENSIONS

        if os.path.splitext(path)[1].lower() not in WRITER_EXTENSIONS:
            parser.error(f"--capture {path}: the format comes from the extension, one of "
                         + ", ".join(WRITER_EXTENSIONS))
        setattr(namespace, self.dest, path)


def unwritable(path: str) -> str | None:
    """Why `path` cannot be written (checked by opening it, as the recorder will), or None."""
    existed = os.path.exists(path)
    try:
        with open(path, "ab"):
            pass
    except IsADirectoryError:
        return "is a directory"
    except FileNotFoundError:
        folder = os.path.dirname(os.path.abspath(path))
        return f"the directory {folder} does not exist" if not os.path.isdir(folder) else "cannot create it there"
    except PermissionError:
        return "permission denied"
    except OSError as exc:
        return exc.strerror or str(exc)
    if not existed:
        os.remove(path)
    return None


def check_capture_target(args: argparse.Namespace) -> None:
    """Refuse, before anything starts, a --capture file that cannot be written (CliError);
    else export it as AIOBLE_HCI_CAPTURE, which every Host honours."""
    from aioble_hci.cli.errors import CliError

    path = getattr(args, CAPTURE_DEST, None)  # never `args.capture`: emulate's input is called that
    if path is None:
        return
    problem = unwritable(path)
    if problem is not None:
        raise CliError(f"--capture {path}: {problem}; nothing was started")
    os.environ[CAPTURE_ENV] = path


def add_capture_option(parser: argparse.ArgumentParser) -> None:
    """Add `--capture FILE` (recording every HCI packet of the run) to a subcommand's parser."""
    parser.add_argument(
        "--capture", metavar="FILE", dest=CAPTURE_DEST, default=None, action=_CaptureAction,
        help="record every HCI packet to FILE (.btsnoop or .pcap; Wireshark and btmon read both); "
        f"${CAPTURE_ENV} does the same for any command",
    )


def open_controller(spec: str | None, timeout: float | None = None, **config: Any) -> HostHandle:
    """Open a host on `spec` for a subcommand (blocking).

    `timeout` bounds the wait for a `tcp-server:` controller to connect (its --timeout); the
    other transports open at once and their init commands use `command_timeout` from `config`.
    """
    from aioble_hci.host.api import open_host, resolve_spec
    from aioble_hci.transport import open_transport
    from aioble_hci.transport.socket import TcpServerTransport

    transport = open_transport(resolve_spec(spec))
    if isinstance(transport, TcpServerTransport) and timeout is not None:
        transport.accept_timeout = timeout
    open_timeout = None if timeout is None else timeout + 30.0
    return open_host(transport, timeout=open_timeout, **config)
