"""HCI command codecs (Vol 4 Part E, 7): one dataclass per command, re-exported here.

Each command has `OPCODE`, `parameters()`, `to_bytes()`, `from_parameters()`
and `parse_return()`; `command_name(opcode)` names any opcode.
"""

from aioble_hci.hci.commands.address_lists import *  # noqa: F403
from aioble_hci.hci.commands.advertising import *  # noqa: F403
from aioble_hci.hci.commands.base import (
    COMMANDS,
    Command,
    ReturnParameters,
    StatusHandleReturn,
    StatusReturn,
    UnknownCommand,
    command_name,
    parse_command,
)
from aioble_hci.hci.commands.connection import *  # noqa: F403
from aioble_hci.hci.commands.controller import *  # noqa: F403
from aioble_hci.hci.commands.scanning import *  # noqa: F403
from aioble_hci.hci.commands.security import *  # noqa: F403
from aioble_hci.hci.commands.vendor_zephyr import *  # noqa: F403

__all__ = [
    "COMMANDS",
    "Command",
    "ReturnParameters",
    "StatusHandleReturn",
    "StatusReturn",
    "UnknownCommand",
    "command_name",
    "parse_command",
]
