"""A scripted Zephyr-like HCI controller for host tests (pty or socket)."""

from tests.scripted.controller import ScriptedController, open_pty_controller

__all__ = ["ScriptedController", "open_pty_controller"]
