"""aioble-hci: a Bluetooth Low Energy host in asyncio Python."""

__version__ = "0.1.0"
