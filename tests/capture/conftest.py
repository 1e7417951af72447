"""The capture package's own pytest fixture, for replaying recorded sessions."""

from aioble_hci.capture.testing import hci_replay  # noqa: F401
