"""`hci-socket:N` with a fake socket at the system-call boundary.

The HCI user channel (Linux, HCI_CHANNEL_USER) carries one whole packet per read and write,
each starting with its H4 packet indicator (Core Vol 4 Part A, 2). The fake is a SOCK_SEQPACKET
pair, which keeps those packet boundaries, with the scripted controller on the far end.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Iterator

import pytest

from aioble_hci.cli.main import main
from aioble_hci.transport import register_scheme
from aioble_hci.transport.base import TransportError
from aioble_hci.transport.hci_socket import HciSocketTransport, Syscalls, parse_hci_socket
from tests.scripted.controller import ScriptedController, socket_controller


class FakeSyscalls(Syscalls):
    """socket() hands out one end of a seqpacket pair; bind() records or fails as told."""

    def __init__(self, bind_error: int | None = None) -> None:
        self.ours, self.theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.ours.setblocking(False)
        self.bind_error = bind_error
        self.bound: list[tuple[int, int]] = []
        self.closed: list[int] = []

    def socket(self) -> int:
        return self.ours.fileno()

    def bind_user_channel(self, fd: int, device: int) -> None:
        if self.bind_error is not None:
            raise OSError(self.bind_error, os.strerror(self.bind_error))
        self.bound.append((fd, device))

    def close(self, fd: int) -> None:
        self.closed.append(fd)


@pytest.fixture
def fake() -> Iterator[FakeSyscalls]:
    syscalls = FakeSyscalls()
    yield syscalls
    syscalls.ours.close()
    syscalls.theirs.close()


def register_fake(name: str, syscalls: FakeSyscalls) -> None:
    register_scheme(name, lambda spec: HciSocketTransport(spec, syscalls))


def test_spec_names_the_adapter_index() -> None:
    assert parse_hci_socket("hci-socket:0") == 0
    assert parse_hci_socket("hci-socket:hci2") == 2
    with pytest.raises(TransportError, match="hci-socket:N"):
        parse_hci_socket("hci-socket:")


def test_info_runs_over_the_user_channel_of_hci1(fake: FakeSyscalls, capsys) -> None:
    controller: ScriptedController = socket_controller(fake.theirs)
    fd = fake.ours.fileno()
    register_fake("fake-hci-socket", fake)
    try:
        assert main(["info", "-t", "fake-hci-socket:1"]) == 0
    finally:
        controller.close()
    assert fake.bound == [(fd, 1)]  # bound to hci1's user channel
    assert controller.opcodes()[0] == 0x0C03  # HCI Reset went out as one packet
    out = capsys.readouterr().out
    assert "Static random: c0:ff:ee:12:34:56" in out and "(0x05f1)" in out
    assert fake.closed == [fd]


@pytest.mark.parametrize(("code", "expected"), [
    (errno.EBUSY, "hci0 is up and in use by the kernel's Bluetooth stack: take it down with "
                  "`sudo hciconfig hci0 down` or `sudo btmgmt --index 0 power off`"),
    (errno.EPERM, "hci0: the HCI user channel needs CAP_NET_ADMIN"),
    (errno.ENODEV, "there is no adapter hci0"),
], ids=["adapter-up", "no-cap-net-admin", "no-adapter"])
def test_bind_failures_say_what_to_do(code: int, expected: str, capsys) -> None:
    syscalls = FakeSyscalls(bind_error=code)
    fd = syscalls.ours.fileno()
    register_fake("failing-hci-socket", syscalls)
    try:
        assert main(["info", "-t", "failing-hci-socket:0"]) == 1
    finally:
        syscalls.ours.close()
        syscalls.theirs.close()
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert expected in err
    assert syscalls.closed == [fd]  # the socket is not leaked
