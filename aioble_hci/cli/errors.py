"""The command line's error boundary: every expected failure becomes one line on stderr.

`explain(exc, spec)` turns an exception a subcommand let escape into the line to print (the
problem and its likely fix), or None for an unexpected one (a bug: the boundary then says so
and `-v` shows the traceback). `main()` prints the line, exits non-zero and, with `-v`, prints
the traceback first.
"""

from __future__ import annotations

import logging
from typing import TextIO

from aioble_hci.errors import UsageError

HCI_RESET_OPCODE = 0x0C03  # Core Vol 4 Part E, 7.3.2
CONNECTION_FAILED_TO_BE_ESTABLISHED = 0x3E  # Core Vol 1 Part F, 1.3


class CliError(UsageError):
    """A failure a subcommand reports itself; the message is the whole line (problem and fix)."""


def reset_timeout_hint(spec: str) -> str:
    """Why a controller may say nothing at all after HCI Reset, by kind of transport."""
    scheme = spec.partition(":")[0].lower()
    if scheme == "serial":
        return ("check the baud rate and flow control (Zephyr's hci_uart uses 1000000 baud with RTS/CTS: "
                "serial:DEVICE,1000000,rtscts), that the board runs Zephyr's hci_uart firmware (an "
                "application or bootloader prints text or nothing), and that ModemManager is not holding "
                "the port (`sudo systemctl stop ModemManager`); see docs/hardware.md")
    if scheme == "usb":
        return ("check that the dongle runs Zephyr's hci_usb firmware and that no other program or "
                "driver (btusb, bluetoothd) uses it; replug it and retry; see docs/hardware.md")
    if scheme in ("tcp-client", "tcp-server", "unix"):
        return "check that the program on the other end serves an HCI controller with H4 framing"
    if scheme == "hci-socket":
        return "check that the adapter works (`btmgmt info`) and is not used by another program"
    return "check that the controller is powered and runs HCI firmware"


def explain(exc: BaseException, spec: str | None = None) -> str | None:
    """The one-line message for an expected failure, or None when `exc` is unexpected (a bug)."""
    from aioble_hci.capture.records import CaptureFormatError
    from aioble_hci.capture.replay import ReplayMismatchError
    from aioble_hci.host.errors import ControllerLostError, HciCommandError, HciTimeoutError
    from aioble_hci.transport.base import TransportError

    where = f" on {spec}" if spec else ""
    if isinstance(exc, CliError):
        return str(exc)
    if isinstance(exc, ReplayMismatchError):
        return str(exc)
    if isinstance(exc, HciTimeoutError):
        opcode = getattr(exc.command, "OPCODE", getattr(exc.command, "opcode", None))
        if opcode == HCI_RESET_OPCODE:
            return (f"the controller{where} did not answer HCI Reset within {exc.timeout:g} s: "
                    f"{reset_timeout_hint(spec or '')}")
        return f"{exc} (the controller{where} stopped answering; replug or reset it and retry)"
    if isinstance(exc, ControllerLostError):
        text = str(exc)
        return text if text.startswith("controller lost") else f"controller lost{where}: {text}"
    if isinstance(exc, HciCommandError):
        return f"{exc}{where}"
    if isinstance(exc, TransportError):
        return _first_line_with_hint(str(exc))
    if isinstance(exc, IsADirectoryError):
        return f"{exc.filename} is a directory: give a file"
    if isinstance(exc, FileNotFoundError):
        return f"{exc.filename or exc}: no such file or directory"
    if isinstance(exc, PermissionError):
        return f"{exc.filename or exc}: permission denied"
    if isinstance(exc, CaptureFormatError):
        return str(exc)
    connection = _connection_failure(exc)
    if connection is not None:
        return connection
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror}"
    if isinstance(exc, (ValueError, TimeoutError, ConnectionError)) or _is_protocol_error(exc):
        return str(exc) or type(exc).__name__
    return None


def _first_line_with_hint(text: str) -> str:
    """A transport error as one line; a bad spec keeps the table of accepted forms below it."""
    first, _, rest = text.partition("\n")
    if rest.startswith("accepted transport specs"):
        return f"{first} (`aioble-hci devices` lists the controllers present)\n{rest}"
    return first if not rest else f"{first} {' '.join(rest.split())}"


def _connection_failure(exc: BaseException) -> str | None:
    from aioble_hci.host.gap.connections import ConnectionCancelled

    text = str(exc)
    if isinstance(exc, ConnectionCancelled) and "timed out" in text:
        return (f"{text}: nothing connectable answered at that address; is it advertising and in range? "
                "`aioble-hci scan` lists what is heard (add /public or /random if the type is wrong)")
    if isinstance(exc, ConnectionError) and "CONNECTION_FAILED_TO_BE_ESTABLISHED" in text:
        return (f"{text} (0x{CONNECTION_FAILED_TO_BE_ESTABLISHED:02X}): the peer never answered the connection; "
                "check the address type (/public or /random; `aioble-hci scan` shows it), that it is "
                "still advertising connectably and in range")
    return None


def _is_protocol_error(exc: BaseException) -> bool:
    """Failures of a protocol exchange with a peer (pairing, ATT): expected, reported as they say."""
    from aioble_hci.att.errors import AttError, BearerClosedError
    from aioble_hci.host.smp.errors import SmpError

    return isinstance(exc, (AttError, BearerClosedError, SmpError))


class DeferredErrors(logging.Handler):
    """Holds WARNING and ERROR log records until the command ends, so a failure is one line.

    The library logs a failure where it happens (e.g. "controller lost: ...", a command timeout)
    and the error boundary then reports the same failure with its fix. Without -v that line is
    all the user sees: `flush_to(stream, failed=True)` drops the held records. When the command
    succeeds they are written at the end, one line each.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.held: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.held.append(record)

    def flush_to(self, stream: TextIO, failed: bool) -> None:
        if not failed:
            for record in self.held:
                print(f"aioble-hci: {record.levelname.lower()}: {record.getMessage()}", file=stream)
        self.held.clear()
