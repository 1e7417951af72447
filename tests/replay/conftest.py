"""The replay tests use the capture package's hci_replay fixture (also shared from tests/conftest.py)."""

from aioble_hci.capture.testing import hci_replay  # noqa: F401
